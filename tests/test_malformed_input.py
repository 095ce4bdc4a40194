"""Malformed input never gives a 500 (issue #11): every route of the URL map, as an anonymous visitor and as a
county administrator, with NUL bytes, overlong strings, non-numeric, negative, huge and odd numeric values in

- every route parameter (the path segment of each `reverse()` kwarg, replaced by the raw value),
- the query string: the parameters views read directly plus the names of every field on the page's forms,
- the form body of every POST endpoint and of every page that shows a form (JSON body for the API).

Routes, roles and valid arguments come from the permission matrix (tests/test_url_permissions.py), on the demo
data. Every request runs in a savepoint that is rolled back, so the world stays as loaded. Runs on SQLite and
PostgreSQL (NUL in a string literal is an error only there).
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote, urlencode

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from tests.test_url_permissions import MATRIX, PUBLIC, Route, world  # noqa: F401  (world is a fixture)

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

BAD = {
    "nul": "a\x00b",
    "long": "长" * 2500 + "x" * 2500,
    "text": "abc",
    "negative": "-1",
    "zero": "0",
    "huge": "9" * 25,
    "int64_max": "9223372036854775807",  # fits the middleware, not a 32-bit column
    "nan": "nan",
    "odd_digit": "²",  # str.isdigit() is True, int() fails
    "date": "2026-13-45",
}
# Query parameters that views read straight from request.GET (core, plans, dashboards, inspections, disclosure)
# plus common filter names; each page's own form fields are added from its HTML.
QUERY = ("q", "year", "month", "page", "task", "status", "region", "kind", "code", "line", "version", "category",
         "format", "z", "ordering", "search", "plan", "draw", "unit", "item", "per_page", "sort", "next")  # fmt: skip
# Pages whose views read several parameters one after the other (an early refusal of one could hide another):
# each parameter is also sent alone.
ONE_BY_ONE = ("core:holiday_list", "plans:task_preview", "inspections:result_export")
ONE_BY_ONE_NAMESPACES = ("dashboards:", "disclosure:")
ONE_BY_ONE_VALUES = ("text", "huge", "negative", "odd_digit")  # NUL and length are refused centrally
HEAVY = {"draws:draw_record_pdf": ("text",)}  # WeasyPrint: one value is enough
FIELD_RE = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"")
SKIP_FIELDS = {"csrfmiddlewaretoken"}


def make_client(w, role: str, route: Route) -> Client:
    from django.conf import settings

    client = Client()
    if role == "anon":
        return client
    if route.api:
        return Client(HTTP_AUTHORIZATION=f"Token {w.tokens[role]}")
    client.cookies[settings.SESSION_COOKIE_NAME] = w.sessions[role]
    return client


class Prober:
    def __init__(self, w, name: str, route: Route):
        self.w, self.name, self.route = w, name, route
        self.problems: list[str] = []
        self.sent = 0

    def send(self, role, method, url, data=None):
        cache.clear()  # API throttling counters
        client = make_client(self.w, role, self.route)
        savepoint = transaction.savepoint_create()
        try:
            if method == "get":
                response = client.get(url)
            elif self.route.api:
                response = client.post(url, json.dumps(data or {}), content_type="application/json")
            else:
                response = client.post(url, data or {})
        except Exception as exc:  # noqa: BLE001 - the test client re-raises what would be a 500
            self.problems.append(f"{role} {method.upper()} {url[:200]} raised {type(exc).__name__}: {str(exc)[:200]}")
            return None
        finally:
            transaction.savepoint_rollback(savepoint)
            self.sent += 1
        if response.status_code >= 500:
            self.problems.append(f"{role} {method.upper()} {url[:200]} gave {response.status_code}")
        return response


def with_query(url: str, params: dict) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)


def form_fields(response) -> set[str]:
    if response is None or response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return set()
    return set(FIELD_RE.findall(response.content.decode("utf-8", "replace"))) - SKIP_FIELDS


def bad_json(data, value):
    if isinstance(data, dict):
        return {k: bad_json(v, value) for k, v in data.items()}
    if isinstance(data, list):
        return [bad_json(v, value) for v in data]
    return value


def path_variants(route: Route, w, url: str):
    """The URL with one route parameter at a time replaced by each bad value (raw, percent-encoded)."""
    from django.urls import resolve

    kwargs = resolve(url.split("?")[0]).kwargs
    segments = url.split("/")
    for valid in kwargs.values():
        positions = [i for i, seg in enumerate(segments) if seg == quote(str(valid), safe="")]
        if not positions:
            continue
        index = positions[-1]
        for value in BAD.values():
            yield "/".join(segments[:index] + [quote(value, safe="")] + segments[index + 1 :])


def post_body(route: Route, w, fields: set[str], value: str) -> dict:
    base = route.data(w) if callable(route.data) else dict(route.data or {})
    if route.api:
        return bad_json(base, value) if base else {}
    return {name: value for name in set(base) | fields | {"name", "reason", "text", "date", "source", "username",
                                                           "password", "ids", "value", "values"}}  # fmt: skip


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_malformed_input_never_gives_500(world, name):  # noqa: F811
    route = MATRIX[name]
    url = route.url(world)
    prober = Prober(world, name, route)
    values = {k: v for k, v in BAD.items() if k in HEAVY.get(name, BAD)}
    roles = ("anon", "admin")
    for role in roles:
        page = prober.send(role, "get", url) if route.method == "get" else None
        fields = form_fields(page)
        query_names = set(QUERY) | fields
        # route parameters
        for bad_url in path_variants(route, world, url):
            prober.send(role, route.method, bad_url, route.data(world) if callable(route.data) else route.data)
        for value in values.values():
            # every query parameter at once
            prober.send(role, route.method, with_query(url, dict.fromkeys(sorted(query_names), value)),
                        route.data(world) if callable(route.data) else route.data)  # fmt: skip
            # forms: the POST endpoint's body, or the page's form posted back
            if route.method == "post" or fields:
                prober.send(role, "post", url, post_body(route, world, fields, value))
        one_role = "anon" if route.allow == PUBLIC else "admin"
        if role == one_role and (name in ONE_BY_ONE or name.startswith(ONE_BY_ONE_NAMESPACES)):
            for param in QUERY:
                for value in (BAD[k] for k in ONE_BY_ONE_VALUES):
                    prober.send(role, route.method, with_query(url, {param: value}),
                                route.data(world) if callable(route.data) else route.data)  # fmt: skip
    assert prober.sent > 0
    assert not prober.problems, f"{len(prober.problems)} of {prober.sent} requests failed:\n" + "\n".join(
        prober.problems[:30]
    )


@pytest.mark.parametrize(
    "url",
    ["/gs/results/?q=%00", "/gs/draws/a%00/", "/calendar/?year=%00", "/api/v1/units/?q=%00"],
)
def test_nul_bytes_are_a_chinese_400(client, url, world):  # noqa: F811
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL" in response.content.decode() and "控制字符" in response.content.decode()


def test_nul_in_login_name_is_a_400_not_a_lockout_query(client, world):  # noqa: F811
    response = client.post("/accounts/login/", {"username": "admin\x00", "password": "x"})
    assert response.status_code == 400


@pytest.mark.parametrize("year", ["abc", "0", "-1", "99999", "²"])
def test_calendar_year_out_of_range_is_a_400_naming_the_parameter(world, year):  # noqa: F811
    client = make_client(world, "admin", MATRIX["core:holiday_list"])
    response = client.get("/calendar/", {"year": year})
    assert response.status_code == 400 and "年度" in response.content.decode()


def test_task_preview_with_malformed_task_is_a_400(world):  # noqa: F811
    from django.urls import reverse

    client = make_client(world, "admin", MATRIX["plans:task_preview"])
    url = reverse("plans:task_preview", kwargs={"plan_pk": world.plan})
    assert client.post(url + "?task=abc").status_code == 400
    assert client.post(url + f"?task={world.task}").status_code == 200


def test_overlong_login_name_is_a_form_error_not_a_failed_login_record(client, world):  # noqa: F811
    from axes.models import AccessAttempt

    response = client.post("/accounts/login/", {"username": "x" * 5000, "password": "y"})
    assert response.status_code == 200 and "150" in response.content.decode()
    assert not AccessAttempt.objects.filter(username__startswith="xxxx").exists()
