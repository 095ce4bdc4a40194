"""Read-only API for 更换执法人员 and 专家/检测机构参加检查 (issue #15 point 6): role permission and region scope like
every `/api/v1/` endpoint, filters by draw, nothing writable."""

import datetime as dt

import pytest
from django.utils import timezone

from shuangsuiji.accounts.tokens import token_issue
from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.directory.models import BusinessLine, Expert
from shuangsuiji.draws import services
from shuangsuiji.draws.choices import TargetRole, TargetStatus
from shuangsuiji.draws.models import DrawTarget

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(dt.datetime(2026, 6, 16, 9, 0))


@pytest.fixture
def after(locked, approver_gq):
    draw = locked["draw"]
    target = DrawTarget.objects.filter(draw=draw, role=TargetRole.SELECTED, status=TargetStatus.ACTIVE).first()
    change = services.inspector_replace(
        user=approver_gq, target=target, inspector=target.assignments.order_by("pk").first().inspector,
        reason_kind="illness", reason="因病住院，无法参加检查", now=NOW,
    )  # fmt: skip
    expert = Expert.objects.create(name="王专家", region=locked["region"], employer="市疾控中心")
    expert.specialties.add(BusinessLine.objects.get(code="ggcs"))
    attached = services.expert_draw(user=approver_gq, target=target, now=NOW)
    return {**locked, "target": target, "change": change, "attached": attached}


def _get(client, user, url):
    key = token_issue(user=SYSTEM, owner=user, name="接口测试")[1]
    return client.get(url, HTTP_AUTHORIZATION=f"Token {key}")


def test_inspector_changes_are_listed_with_the_replay_data(client, after, oversight_gq):
    change = after["change"]
    response = _get(client, oversight_gq, f"/api/v1/inspector-changes/?draw_code={after['draw'].code}")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["id"] == change.pk and row["seq"] == 1 and row["status"] == "applied"
    assert row["status_label"] == "已更换" and row["reason_kind_label"] == "生病"
    assert (row["unit_code"], row["out_id"], row["in_id"], row["position"]) == (
        after["target"].unit_code, change.out_id, change.in_id, change.position,
    )  # fmt: skip
    assert row["passed"] == change.passed and row["reason"] == "因病住院，无法参加检查"
    detail = _get(client, oversight_gq, f"/api/v1/inspector-changes/{change.pk}/")
    assert detail.status_code == 200 and detail.json()["draw_code"] == after["draw"].code
    assert _get(client, oversight_gq, "/api/v1/inspector-changes/?status=pending").json()["count"] == 0


def test_expert_attachments_are_listed(client, after, inspector_gq):
    attached = after["attached"]
    response = _get(client, inspector_gq, f"/api/v1/expert-attachments/?draw={after['draw'].pk}")
    assert response.status_code == 200
    row = response.json()["results"][0]
    assert (row["id"], row["mode"], row["mode_label"], row["expert_name"], row["position"]) == (
        attached.pk, "random", "随机抽取", "王专家", 1,
    )  # fmt: skip
    assert row["candidates"] == attached.candidates and row["unit_code"] == after["target"].unit_code
    assert _get(client, inspector_gq, "/api/v1/expert-attachments/?mode=designated").json()["count"] == 0


@pytest.mark.parametrize("url", ["/api/v1/inspector-changes/", "/api/v1/expert-attachments/"])
def test_other_county_sees_nothing_and_nobody_writes(client, after, admin_yy, admin_user_gq, url):
    assert _get(client, admin_yy, url).json()["count"] == 0
    pk = after["change"].pk if "inspector" in url else after["attached"].pk
    assert _get(client, admin_yy, f"{url}{pk}/").status_code == 404
    assert client.get(url).status_code in (401, 403)
    key = token_issue(user=SYSTEM, owner=admin_user_gq, name="接口测试")[1]
    assert client.post(url, {}, HTTP_AUTHORIZATION=f"Token {key}").status_code == 405
    assert client.delete(f"{url}{pk}/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 405
    assert _get(client, admin_user_gq, f"{url}?staus=x").status_code == 400  # unknown filter refused
