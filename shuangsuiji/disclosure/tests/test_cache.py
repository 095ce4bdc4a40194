"""Portal pages are cached per published state: a crowd reading one page costs one primary-key read per
request, and a publication (in any process) makes every cached page stale at once."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shuangsuiji.directory import services as directory_services
from shuangsuiji.disclosure import caching
from shuangsuiji.inspections import services as result_services
from shuangsuiji.inspections.tests.fixtures import team  # noqa: F401
from shuangsuiji.plans import testing

pytestmark = pytest.mark.django_db

NO_PROBLEM = {"category": "1", "checked_on": dt.date(2026, 6, 10), "methods": ["onsite"], "findings": ""}


def test_second_request_is_served_from_the_page_cache(client, locked, django_assert_num_queries):
    draw = locked["draw"]
    for url in (
        reverse("disclosure:draw_detail", args=[draw.code]),
        reverse("disclosure:draw_verify", args=[draw.code]),
        reverse("disclosure:home"),
        reverse("disclosure:result_search") + "?q=高青县",
    ):
        first = client.get(url)
        assert first.status_code == 200
        with django_assert_num_queries(1):  # the portal state token, nothing else: no selector runs
            second = client.get(url)
        assert second.status_code == 200 and second.content == first.content, url
        assert second["Content-Type"] == first["Content-Type"]
        assert "Content-Security-Policy" in second.headers  # middleware still runs on a cached page


def test_query_string_is_part_of_the_key(client, locked):
    url = reverse("disclosure:draw_detail", args=[locked["draw"].code])
    chosen = locked["draw"].targets.filter(role="selected").first()
    assert "本单位已被抽中" not in client.get(url).content.decode()
    assert "本单位已被抽中" in client.get(url, {"code": chosen.unit_code}).content.decode()


def test_a_publication_invalidates_and_a_draft_does_not(client, team, approver_gq):  # noqa: F811
    result = team["result"]
    url = reverse("disclosure:result_search") + f"?q={result.target.unit_code}"
    assert result.target.unit_name not in client.get(url).content.decode()
    before = caching.token()
    result = result_services.result_save(user=team["first"], result=result, data=NO_PROBLEM)
    result_services.result_sign(user=team["first"], result=result)
    result = result_services.result_sign(user=team["second"], result=result)
    assert caching.token() == before  # entering and signing a result changes nothing public
    result_services.result_publish(user=approver_gq, results=[result])
    assert caching.token() != before
    body = client.get(url).content.decode()
    assert result.target.unit_name in body and "未发现问题" in body


def test_publishing_an_item_invalidates_the_item_list(client, gq, admin_user_gq):
    url = reverse("disclosure:item_list")
    assert "新公布的抽查事项" not in client.get(url).content.decode()
    item = testing.make_item(gq["region"], code="GQ-NEW-01", name="新公布的抽查事项")
    item.status = "draft"
    item.save()
    assert "新公布的抽查事项" not in client.get(url).content.decode()
    directory_services.item_publish(user=admin_user_gq, item=item)
    assert "新公布的抽查事项" in client.get(url).content.decode()


def test_a_rolled_back_write_keeps_the_token(locked):
    before = caching.token()
    with pytest.raises(ValidationError), transaction.atomic():
        locked["draw"].save()
        assert caching.token() != before
        raise ValidationError("回滚")
    assert caching.token() == before


def test_no_cache_when_switched_off(client, locked):
    url = reverse("disclosure:draw_list")
    client.get(url)
    with override_settings(PORTAL_CACHE_SECONDS=0), CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert len(queries) > 1 and "portalstate" not in queries[0]["sql"]


def test_footer_lines_come_from_settings_and_hide_when_empty(client, locked):
    url = reverse("disclosure:home")
    body = client.get(url).content.decode()
    assert "主办单位" not in body and "ICP备案号" not in body and "网站标识码" not in body and "联系方式" not in body
    with override_settings(PORTAL_SPONSOR="淄博市高青县卫生健康局", PORTAL_ICP="鲁ICP备12345678号",
                           PORTAL_GOV_ID="3703220001", PORTAL_CONTACT="0533-6961234"):  # fmt: skip
        body = client.get(url).content.decode()
    assert "主办单位：淄博市高青县卫生健康局" in body and "联系方式：0533-6961234" in body
    assert "鲁ICP备12345678号" in body and "网站标识码：3703220001" in body
    with override_settings(PORTAL_ICP="鲁ICP备12345678号"):
        body = client.get(reverse("disclosure:draw_list")).content.decode()
    assert "鲁ICP备12345678号" in body and "主办单位" not in body and "网站标识码" not in body


def test_home_has_one_h1_landmarks_and_a_favicon(client, locked):
    body = client.get(reverse("disclosure:home")).content.decode()
    assert body.count("<h1") == 1 and "“双随机、一公开”信息公示平台</h1>" in body
    for landmark in ("<header", '<nav class="gs-nav" aria-label="公示栏目"', '<main class="container py-3" id="main"',
                     "<footer", 'aria-label="当前位置"'):  # fmt: skip
        assert landmark in body
    assert 'rel="icon"' in body
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.ico")
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content if icon.streaming else [icon.content])[:4] == b"\x00\x00\x01\x00"
