"""Security sweep over the whole URL map: nothing but the public portal, login and API docs is
reachable without logging in, and the list of public routes is explicit.

New routes are picked up automatically; a new public route must be added to PUBLIC on purpose.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Route prefixes anyone may open (公示门户, login, static API description).
# draws/witness-tool/: a static page that computes SHA-256 of a witness's secret in the browser (no data, no
# form posted), for a person without an account who brings a sealed commitment to an on-site draw.
PUBLIC = ("accounts/login/", "gs/", "api/v1/schema/", "api/v1/docs/", "api/v1/redoc/", "favicon.ico",
          "draws/witness-tool/")
SKIP = ("admin/",)  # Django admin has its own login (superusers only)


def iter_routes(patterns=None, prefix=""):
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from iter_routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


def concrete(route: str) -> str:
    """Fill converters with harmless sample values so the route resolves."""
    route = route.replace("^", "").replace("$", "").replace("\\Z", "")
    route = re.sub(r"<int:\w+>", "1", route)
    route = re.sub(r"<(?:str|slug):\w+>", "x", route)
    route = re.sub(r"<uuid:\w+>", "00000000-0000-0000-0000-000000000000", route)
    route = re.sub(r"<path:\w+>", "x", route)
    route = re.sub(r"\(\?P<format>[^)]*\)", "", route)
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", "1", route)
    route = route.replace("\\.", ".").replace("/?", "/")
    return "/" + route


def is_format_variant(route: str) -> bool:
    return "(?P<format>" in route or "drf_format_suffix" in route


ROUTES = sorted({concrete(r) for r in iter_routes() if not r.startswith(SKIP) and not is_format_variant(r)})


def test_the_sweep_sees_the_url_map():
    assert "/" in ROUTES and "/audit/" in ROUTES and "/api/v1/regions/" in ROUTES


@pytest.mark.django_db
@pytest.mark.parametrize("url", ROUTES)
def test_anonymous_visitors_cannot_reach_private_routes(client, url):
    if url.lstrip("/").startswith(PUBLIC):
        pytest.skip("public route")
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"], f"{method.upper()} {url} → {response['Location']}"
        else:
            assert response.status_code in (401, 403, 404, 405), f"{method.upper()} {url} gave {response.status_code}"
