"""Annual plan workflow, versions, tasks, ratio suggestions and coverage — on the real database."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shuangsuiji import fairdraw as fd
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.plans import pool, services, testing
from shuangsuiji.plans.choices import PlanStatus, TaskKind
from shuangsuiji.plans.models import AnnualPlanVersion, TaskStratumRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(regions, orgs, inspector_gq, approver_gq):
    testing.make_units(regions["370322"], 40)
    plan = services.plan_create(user=approver_gq, year=2026, title="2026年度计划", organization=orgs["gaoqing"])
    task = services.task_create(user=inspector_gq, plan=plan, **testing.task_data(plan, orgs["gaoqing"]))
    return plan, task


def test_workflow_versions_and_revision(draft, orgs, inspector_gq, approver_gq):
    plan, task = draft
    with pytest.raises(ValidationError, match="没有抽查事项"):
        services.plan_transition(user=inspector_gq, plan=plan, action="submit")
    services.task_item_add(user=inspector_gq, task=task, organization=orgs["gaoqing"], item_name="公共场所卫生")
    plan = services.plan_transition(user=inspector_gq, plan=plan, action="submit")
    assert plan.status == PlanStatus.SUBMITTED
    with pytest.raises(ValidationError, match="只有草稿"):
        services.task_update(user=inspector_gq, task=task, name="改名")
    with pytest.raises(PermissionDenied):
        services.plan_transition(user=inspector_gq, plan=plan, action="approve")
    with pytest.raises(ValidationError, match="意见"):
        services.plan_transition(user=approver_gq, plan=plan, action="return")
    plan = services.plan_transition(user=approver_gq, plan=plan, action="approve", text="同意")
    with pytest.raises(ValidationError, match="不能执行"):
        services.plan_transition(user=approver_gq, plan=plan, action="submit")
    plan = services.plan_transition(user=approver_gq, plan=plan, action="publish")
    assert plan.status == PlanStatus.PUBLISHED and plan.is_public and plan.version == 1

    with pytest.raises(ValidationError, match="理由"):
        services.plan_transition(user=approver_gq, plan=plan, action="revise", text=" ")
    plan = services.plan_transition(user=approver_gq, plan=plan, action="revise", text="增加医疗机构联合抽查")
    assert plan.status == PlanStatus.DRAFT and plan.version == 2 and plan.is_public
    services.task_update(user=inspector_gq, task=task, name="公共场所卫生抽查（调整）")
    services.plan_transition(user=inspector_gq, plan=plan, action="submit")
    services.plan_transition(user=approver_gq, plan=plan, action="approve")
    services.plan_transition(user=approver_gq, plan=plan, action="publish")

    versions = list(AnnualPlanVersion.objects.filter(plan=plan).order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].snapshot["tasks"][0]["name"] == "公共场所卫生双随机抽查"
    assert versions[1].snapshot["tasks"][0]["name"] == "公共场所卫生抽查（调整）"
    assert versions[1].reason == "增加医疗机构联合抽查"
    messages = ObjectChange.objects.filter(object_type="plans.annualplan").values_list("message", flat=True)
    assert any("调整计划" in m and "增加医疗机构联合抽查" in m for m in messages)


def test_submitter_cannot_approve_own_plan(draft, orgs, approver_gq):
    plan, task = draft
    services.task_item_add(user=approver_gq, task=task, organization=orgs["gaoqing"], item_name="公共场所卫生")
    services.plan_transition(user=approver_gq, plan=plan, action="submit")
    with pytest.raises(ValidationError, match="不能审核自己"):
        services.plan_transition(user=approver_gq, plan=plan, action="approve")


def test_joint_task_needs_two_departments(draft, orgs, inspector_gq, approver_gq):
    plan, task = draft
    services.task_update(user=inspector_gq, task=task, kind=TaskKind.JOINT)
    services.task_item_add(user=inspector_gq, task=task, organization=orgs["gaoqing"], item_name="公共场所卫生")
    with pytest.raises(ValidationError, match="两个部门"):
        services.plan_transition(user=inspector_gq, plan=plan, action="submit")
    services.task_item_add(user=inspector_gq, task=task, organization=orgs["gaoqing_agency"], item_name="消毒产品")
    services.plan_transition(user=inspector_gq, plan=plan, action="submit")
    assert [o.name for o in task.organizations] == ["高青县卫生健康局", "高青县卫生监督所"]


def test_scope_and_roles(draft, orgs, admin_yy, oversight_gq, inspector_gq):
    plan, task = draft
    with pytest.raises(PermissionDenied):
        services.plan_create(user=oversight_gq, year=2027, title="x", organization=orgs["gaoqing"])
    with pytest.raises(PermissionDenied):  # 执法人员 draft tasks but do not open plans (issue #11)
        services.plan_create(user=inspector_gq, year=2027, title="x", organization=orgs["gaoqing"])
    with pytest.raises(PermissionDenied):
        services.task_update(user=admin_yy, task=task, name="沂源改高青")
    with pytest.raises(PermissionDenied):
        services.plan_create(user=admin_yy, year=2027, title="x", organization=orgs["gaoqing"])
    with pytest.raises(PermissionDenied):
        services.task_delete(user=inspector_gq, task=task)  # inspectors have no delete


def test_window_must_be_inside_plan_year(draft, orgs, inspector_gq):
    plan, task = draft
    with pytest.raises(ValidationError):
        services.task_update(
            user=inspector_gq, task=task, window_start=dt.date(2027, 1, 5), window_end=dt.date(2027, 2, 1)
        )


def test_coverage_preview(draft):
    plan, task = draft
    preview = pool.task_preview(task)
    assert preview["eligible"] == 40 and preview["expected"] == 8  # 20% of 10 in each of A–D
    assert [r["probability"] for r in preview["rows"]] == ["1/5"] * 4
    coverage = pool.plan_coverage(plan)
    assert coverage["units"] == 40 and coverage["coverage_pct"] == pytest.approx(20.0) and coverage["meets_target"]


def test_expected_n_is_exact_with_rounding_and_clamps():
    rule = fd.StratumRule(rate="5%", min_n=1)
    assert pool.expected_n(rule, 10) == 1  # 0.5 rounds to 0 or 1, the minimum lifts 0 to 1
    assert pool.expected_n(fd.StratumRule(rate="5%"), 10) == Fraction(1, 2)
    assert pool.expected_n(fd.StratumRule(rate="50%", max_n=2), 10) == 2
    assert pool.expected_n(fd.StratumRule(certainty=True), 7) == 7
    assert pool.inclusion_probability(fd.StratumRule(rate="30%"), 7) == Fraction(3, 10)


def test_ratio_suggestions_from_fairdraw_tables(draft, inspector_gq):
    plan, task = draft
    services.task_apply_suggestion(user=inspector_gq, task=task, source="gaoqing")
    rules = {r.stratum: r.rate for r in TaskStratumRule.objects.filter(task=task)}
    assert rules == dict.fromkeys("ABCD", Decimal("30.0000"))  # 40 units: 高青 band 21–50 → 30%–40%
    services.task_apply_suggestion(user=inspector_gq, task=task, source="risk")
    rules = {r.stratum: r.rate for r in TaskStratumRule.objects.filter(task=task)}
    assert rules == {"A": Decimal("5"), "B": Decimal("5"), "C": Decimal("21"), "D": Decimal("61")}
    assert pool.task_preview(task)["rows"][3]["probability"] == "61/100"


def test_closed_and_recent_units_are_excluded_but_counted(draft, inspector_gq):
    plan, task = draft
    units = list(pool.scope_units(task).order_by("credit_code"))
    units[0].status = "closed"
    units[0].save()
    units[1].last_inspected_on = dt.date(2026, 6, 1)  # 14 days before the frozen today
    units[1].save()
    task = services.task_update(user=inspector_gq, task=task, exclude_inspected_days=90)
    reasons = {c.pool_unit.unit_id: c.pool_unit.excluded_reason for c in pool.candidates(task)}
    assert reasons[units[0].credit_code] == "CLOSED" and reasons[units[1].credit_code] == "RECENTLY_INSPECTED"
    assert pool.task_preview(task)["excluded"] == 2
