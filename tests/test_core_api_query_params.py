"""`/api/v1/` refuses query parameters it does not understand instead of silently returning everything."""

import pytest

from shuangsuiji.accounts.tokens import token_issue
from shuangsuiji.core.permissions import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, admin_user_gq):
    key = token_issue(user=SYSTEM, owner=admin_user_gq, name="接口测试")[1]
    return lambda url: client.get(url, HTTP_AUTHORIZATION=f"Token {key}")


def test_unknown_filter_is_refused_in_chinese(api):
    response = api("/api/v1/units/?staus=active")  # misspelt "status"
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "不支持的查询参数：staus" in detail and "status" in detail


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/units/?status=active&q=卫生&page=1&format=json",
        "/api/v1/units/?risk_level=A&complaints=true",
        "/api/v1/regions/?page=1",
        "/api/v1/organizations/?format=json",
    ],
)
def test_known_filters_pagination_and_format_are_accepted(api, url):
    assert api(url).status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/regions/?code=370322", "/api/v1/audit/?user=admin"])
def test_endpoints_without_filters_refuse_any_filter(api, url):
    assert api(url).status_code == 400


def test_invalid_filter_value_is_a_400(api):
    response = api("/api/v1/units/?status=nonsense")
    assert response.status_code == 400
