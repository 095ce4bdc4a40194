"""冻结前90天内风险等级变更的单位 (issue #11): risk classes recorded shortly before the freeze, for units in the
frozen pool, are listed on the draw page and the printed record with old → new, who and when."""

import datetime as dt

import pytest
from django.urls import reverse

from shuangsuiji.directory import services as directory_services
from shuangsuiji.directory.models import RiskRating
from shuangsuiji.draws import selectors, services
from shuangsuiji.plans.tests.fixtures import lottery_input

pytestmark = pytest.mark.django_db


def test_recent_risk_changes_of_pool_units_are_listed(client, gq, yy_units, approver_gq, admin_yy):
    in_pool, changed_after, old_change = gq["units"][0], gq["units"][1], gq["units"][2]
    other_county = yy_units[0]
    old_class = in_pool.get_risk_level_display()
    assert old_class and in_pool.risk_level != "D"
    recent = directory_services.unit_set_risk(
        user=approver_gq, unit=in_pool, level="D", as_of=dt.date(2026, 3, 1), source="年度信用风险分类"
    )
    long_ago = directory_services.unit_set_risk(user=approver_gq, unit=old_change, level="A", as_of=dt.date(2025, 1, 1))
    directory_services.unit_set_risk(user=admin_yy, unit=other_county, level="D", as_of=dt.date(2026, 3, 1))
    draw = services.draw_freeze(
        user=approver_gq, task=gq["task"], sources=services.build_sources(lottery=lottery_input())
    )
    after = directory_services.unit_set_risk(user=approver_gq, unit=changed_after, level="C", as_of=dt.date(2026, 3, 2))
    # explicit times relative to the freeze (never the wall clock)
    RiskRating.objects.filter(pk=recent.pk).update(created_at=draw.published_at - dt.timedelta(days=10))
    RiskRating.objects.filter(pk=long_ago.pk).update(created_at=draw.published_at - dt.timedelta(days=91))
    RiskRating.objects.filter(pk=after.pk).update(created_at=draw.published_at + dt.timedelta(minutes=5))
    RiskRating.objects.filter(unit=other_county).update(created_at=draw.published_at - dt.timedelta(days=1))

    changes = selectors.pool_risk_changes(draw)
    assert changes["total"] == 1 and [r.pk for r in changes["rows"]] == [recent.pk]
    row = changes["rows"][0]
    assert (row.get_previous_level_display(), row.level, row.created_by) == (old_class, "D", approver_gq)
    assert selectors.pool_risk_changes(draw, days=120)["total"] == 2

    client.force_login(approver_gq)
    for name in ("draws:draw_detail", "draws:draw_record"):
        page = client.get(reverse(name, args=[draw.pk])).text
        section = page[page.index('id="pool-risk-changes"') :]
        assert "冻结前90天内风险等级变更的单位" in section
        assert in_pool.name in section and in_pool.credit_code in section and "D 信用风险高" in section
        assert f"{old_class} → D 信用风险高" in section
        assert approver_gq.full_name in section and "年度信用风险分类" in section
        assert changed_after.name not in section and old_change.name not in section and other_county.name not in section


def test_no_change_is_said_plainly(client, gq, approver_gq):
    RiskRating.objects.all().delete()
    draw = services.draw_freeze(
        user=approver_gq, task=gq["task"], sources=services.build_sources(lottery=lottery_input())
    )
    assert selectors.pool_risk_changes(draw) == {
        "days": 90, "since": draw.published_at - dt.timedelta(days=90), "rows": [], "total": 0,
    }  # fmt: skip
    client.force_login(approver_gq)
    assert "号池对象的信用风险分类没有变更" in client.get(reverse("draws:draw_detail", args=[draw.pk])).text
