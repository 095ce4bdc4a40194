"""One error shape for the whole API, in Chinese (issue #18), and 405 for methods an endpoint does not have."""

import json

import pytest

from shuangsuiji.accounts.tokens import token_issue
from shuangsuiji.core.permissions import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, approver_gq):
    _row, key = token_issue(user=SYSTEM, owner=approver_gq, name="测试")
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"
    return client


def shape(response) -> dict:
    body = response.json()
    assert set(body) >= {"detail", "code", "errors"} and isinstance(body["errors"], list), body
    assert not body["detail"].isascii(), body  # Chinese, never Django's English defaults
    return body


def test_unknown_id_is_a_chinese_404(api, regions):
    body = shape(api.get("/api/v1/units/91370322000000000X/"))
    assert body["code"] == "not_found"
    assert "No RegulatedUnit" not in body["detail"]


@pytest.mark.parametrize("path", ["/api/v1/regions/a.b/", "/api/v1/regions/%C3%86T.%F0%A2%A2%8B/", "/api/v1/nowhere/"])
def test_a_path_no_api_route_matches_is_the_same_json_404(api, regions, path):
    """A lookup value the route refuses (a dot, say) or an unknown endpoint under /api/ never falls through to the
    HTML error page (found by the schema fuzzing: it documents JSON for every answer)."""
    response = api.get(path)
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    assert shape(response)["code"] == "not_found"


def test_outside_the_api_a_missing_page_is_still_the_chinese_html_page(client, regions):
    for path in ("/gs/no-such-page/", "/directory/no-such-page/"):
        response = client.get(path)
        assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
        assert "页面不存在" in response.text


def test_unsupported_method_is_405_not_403(api, regions):
    response = api.post("/api/v1/units/", "{}", content_type="application/json")
    assert response.status_code == 405 and shape(response)["code"] == "method_not_allowed"
    assert api.delete("/api/v1/regions/370322/").status_code == 405


def test_no_token_is_401_with_the_same_shape(client, regions):
    response = client.get("/api/v1/units/")
    assert response.status_code == 401 and shape(response)["code"] == "not_authenticated"


def test_validation_errors_name_the_field(api, regions):
    response = api.post("/api/v1/units/sync/", json.dumps({"units": [], "mode": "nonsense"}),
                        content_type="application/json")  # fmt: skip
    body = shape(response)
    assert response.status_code == 400 and body["code"] == "invalid"
    assert {e["field"] for e in body["errors"]} == {"units", "mode"}


def test_form_bodies_are_refused_as_unsupported_media(api, regions):
    response = api.post("/api/v1/units/sync/", {"mode": "create"})
    assert response.status_code == 415 and shape(response)["code"] == "unsupported_media_type"


def test_filters_take_the_codes_responses_give(api, regions):
    from shuangsuiji.plans import testing

    testing.make_units(regions["370322"], 3)
    assert api.get("/api/v1/units/?region=370322&business_line=ggcs").json()["count"] == 3
    assert api.get("/api/v1/units/?region=23").json()["count"] == 0  # internal ids are not codes: no match


def test_unknown_draw_file_kind_is_json_404(api, regions):
    response = api.get("/api/v1/draws/1/files/secrets/")
    assert response.status_code == 404 and "没有这种文件" in shape(response)["detail"]
