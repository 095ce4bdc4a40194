"""Workflow friction (issue #17): confirmation on every step, no button a user cannot use, an optional
approval comment, plain expected counts, ISO values in date inputs."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from shuangsuiji.accounts.tests.test_views import login
from shuangsuiji.plans import testing
from shuangsuiji.plans.choices import PLAN_TRANSITIONS, PlanStatus
from shuangsuiji.plans.models import AnnualPlan
from shuangsuiji.plans.pool import expected_text

pytestmark = pytest.mark.django_db


def _submitted_plan(orgs, approver_gq):
    plan = AnnualPlan.objects.create(
        year=testing.PLAN_YEAR, title="高青县年度计划", organization=orgs["gaoqing"], region=orgs["gaoqing"].region,
        coverage_target=Decimal("3"), status=PlanStatus.SUBMITTED, submitted_by=approver_gq,
    )  # fmt: skip
    return plan


def test_every_step_asks_first():
    assert all(t.confirm.endswith("？") for t in PLAN_TRANSITIONS.values())


def test_submitter_is_not_offered_approval_and_others_may_comment(client, orgs, approver_gq, make_user):
    from shuangsuiji.accounts.roles import Role

    plan = _submitted_plan(orgs, approver_gq)
    url = reverse("plans:plan_detail", args=[plan.pk])
    login(client, approver_gq)
    page = client.get(url).text
    assert "退回修改" in page and "审核通过" not in page  # the service would refuse it: no button
    client.logout()

    other = make_user("gq_approver2", Role.APPROVER)
    login(client, other)
    page = client.get(url).text
    assert "审核通过" in page and "审核意见（可不填）" in page and 'data-confirm="确定审核通过？"' in page
    client.post(reverse("plans:plan_transition", args=[plan.pk, "approve"]), {"text": "比例符合工作指引"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.review_opinion == "比例符合工作指引"
    assert "比例符合工作指引" in client.get(url).text


def test_expected_counts_read_plainly():
    assert expected_text(Decimal(0)) == "0"
    assert expected_text(Decimal(4)) == "4"
    assert expected_text(Decimal(55) / 2) == "约 27.5"


def test_date_inputs_carry_iso_values():
    from shuangsuiji.core.forms import DateInput

    html = DateInput().render("d", dt.date(2026, 11, 28))
    assert 'type="date"' in html and 'value="2026-11-28"' in html  # not the locale's 2026/11/28


def test_ratio_presets_say_what_they_set_and_what_they_replaced(client, regions, orgs, inspector_gq, approver_gq):
    testing.make_units(regions["370322"], 40)
    from shuangsuiji.plans import services

    plan = services.plan_create(user=approver_gq, year=testing.PLAN_YEAR, title="计划", organization=orgs["gaoqing"])
    task = services.task_create(user=approver_gq, plan=plan, **testing.task_data(plan, orgs["gaoqing"]))
    login(client, approver_gq)
    url = reverse("plans:task_suggest", args=[task.pk])
    first = client.post(url, {"source": "gaoqing"}, follow=True).text
    assert "已按高青县工作指引比例表填入" in first and "此前没有单独设置的分层比例" in first
    assert "当前分层比例依据：高青县工作指引比例表" in first and "将用信用风险分类比例替换当前" in first
    second = client.post(url, {"source": "risk"}, follow=True).text
    assert "已按信用风险分类比例填入" in second and "替换了原来的比例" in second
    assert "（高青县工作指引比例表）" in second
    assert "当前分层比例依据：信用风险分类比例" in second
