"""Page cache of the public portal, per published state.

A crowd reading one draw (or searching the same name) must not recompute the page for every visitor.
Each cached page is keyed by

* the portal state token (`PortalState.token`, one row, one primary-key read per request): it changes
  inside every transaction that changes what the portal shows (`disclosure.signals`), so after a
  publication or withdrawal commits no page of the old state is served again, in any process or node.
  It is read from the database the page's data comes from (a read replica, when one serves the portal):
  a page built from a lagging replica is kept under the replica's older token, never under the new one;
* the local date (the pages show “今天是 …”) and the portal's footer settings;
* the full path with its query string.

Only complete 200 answers are kept, for PORTAL_CACHE_SECONDS (default 300 s) in the "portal" cache
(per-process memory by default, Redis when REDIS_URL is set). Middleware (CSP and other security
headers) still runs on every response; the views cached carry no cookie, session or CSRF token.
"""

from __future__ import annotations

import hashlib
import uuid
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db import connections, router
from django.http import HttpResponse
from django.utils import timezone

from .models import PortalState

CACHE_ALIAS = "portal"
FOOTER_SETTINGS = ("PORTAL_SPONSOR", "PORTAL_ICP", "PORTAL_GOV_ID", "PORTAL_CONTACT")
KEPT_HEADERS = ("Content-Type", "Content-Language", "Cache-Control")


def token(using: str = "default") -> str:
    return PortalState.objects.using(using).filter(pk=1).values_list("token", flat=True).first() or ""


def _ready(using: str) -> bool:
    """False only while `migrate` has not created the table yet (a data migration of another app saving
    real model rows); checked once per connection."""
    connection = connections[using]
    if getattr(connection, "_gs_portal_state_ready", False):
        return True
    ready = PortalState._meta.db_table in connection.introspection.table_names()
    connection._gs_portal_state_ready = ready
    return ready


def changed(using: str = "default") -> None:
    """Something the portal shows changed: every cached page becomes stale (part of the caller's transaction)."""
    if not _ready(using):
        return
    new, now = uuid.uuid4().hex, timezone.now()
    manager = PortalState.objects.using(using)
    if not manager.filter(pk=1).update(token=new, changed_at=now):
        manager.update_or_create(pk=1, defaults={"token": new, "changed_at": now})


def _key(request) -> str:
    footer = "|".join(str(getattr(settings, name, "")) for name in FOOTER_SETTINGS)
    path = request.get_full_path()
    digest = hashlib.sha256(f"{footer}\n{path}".encode()).hexdigest()
    # read where the page's data is read (the replica when one serves the portal, core/replica.py): a page is never
    # kept under a version newer than the data it was built from
    return f"gs:{token(router.db_for_read(PortalState))}:{timezone.localdate().isoformat()}:{digest}"


def cached_page(view):
    """Serve a portal GET/HEAD page from the cache of the current published state."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        seconds = getattr(settings, "PORTAL_CACHE_SECONDS", 0)
        if not seconds or request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        cache = caches[CACHE_ALIAS]
        key = _key(request)
        hit = cache.get(key)
        if hit is not None:
            status, headers, content = hit
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            headers = [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)]
            cache.set(key, (response.status_code, headers, response.content), seconds)
        return response

    return wrapper
