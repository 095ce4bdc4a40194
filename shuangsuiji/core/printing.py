"""PDF rendering of printable documents (WeasyPrint), with the project's own fonts and no network access.

A printable template links `css/print.css` with `{% static %}`; that stylesheet declares the shipped CJK font
(`static/fonts/`, a GB 2312 subset of Noto Sans CJK SC) with `@font-face`, so a PDF never depends on the fonts
a machine happens to have. WeasyPrint fetches the stylesheet and the fonts through `StaticFilesFetcher`, which
reads them from the static files on disk (the finders, then the collected files) and refuses every other URL:
rendering a PDF never makes an HTTP request, not even to this server.
"""

from __future__ import annotations

import mimetypes
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation

FONT_TYPES = {".woff2": "font/woff2", ".woff": "font/woff", ".otf": "font/otf", ".ttf": "font/ttf"}


def static_file_path(name: str) -> Path | None:
    """The file on disk behind a static name (hashed names included), or None; never outside the static folders."""
    name = posixpath.normpath(unquote(name)).lstrip("/")
    if name.startswith("..") or not name or name == ".":
        return None
    if found := finders.find(name):  # the source files (a stale collected copy never wins)
        return Path(found)
    try:  # hashed names (ManifestStaticFilesStorage) exist only in STATIC_ROOT
        if staticfiles_storage.exists(name):
            return Path(staticfiles_storage.path(name))
    except (SuspiciousFileOperation, NotImplementedError):
        pass
    return None


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesFetcher(URLFetcher):
        """Serves STATIC_URL paths from disk and data: URLs; refuses everything else."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            static_url = settings.STATIC_URL  # "/static/" (Django adds the script prefix) or a full URL
            path = url.split("?")[0].split("#")[0] if "://" in static_url else urlsplit(url).path
            if not path.startswith(static_url):
                raise ValueError(f"PDF rendering only reads static files, not {url}")
            file = static_file_path(path[len(static_url) :])
            if file is None:
                raise ValueError(f"static file not found: {url}")
            content_type = FONT_TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] or "text/plain"
            return URLFetcherResponse(url, file.read_bytes(), {"Content-Type": content_type})

    return StaticFilesFetcher


def render_pdf(html: str, base_url: str = "http://localhost/") -> bytes:
    """PDF bytes of a printable page rendered from `html` (links resolve against `base_url`)."""
    import weasyprint

    return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=_fetcher_class()()).write_pdf()
