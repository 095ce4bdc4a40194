"""Targeting the draw (issue #15 point 2): complaints, violations and 重点单位 raise a unit's chance through
fairdraw's pivotal strata; a yearly cap on checks excludes (or only warns) with the reason in the pool file."""

import datetime as dt
import json
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji import fairdraw as fd
from shuangsuiji.directory.models import InspectionHistory, Tag, Violation
from shuangsuiji.draws import presentation, services
from shuangsuiji.draws.choices import FileKind
from shuangsuiji.draws.testing import enter_and_confirm
from shuangsuiji.fairdraw.select import pivotal_probabilities
from shuangsuiji.plans import pool
from shuangsuiji.plans import services as plan_services
from shuangsuiji.plans.choices import StratifyBy, WeightFormula, YearlyCapAction
from shuangsuiji.plans.tests.fixtures import KL8_NUMBERS, after_draw_time, gaoqing_world, lottery_input

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 15)  # conftest.FROZEN_AT


def _signals(units):
    """0–4 complaints; 5–7 a violation within 3 years; 8 a violation 5 years ago; 9–10 重点单位;
    11 checked twice this year (at the cap of 2); 12 checked once."""
    for u in units[:5]:
        u.complaint_count = 2
        u.save(update_fields=["complaint_count"])
    for u in units[5:8]:
        Violation.objects.create(unit=u, occurred_on=dt.date(2025, 3, 1), description="未取得卫生许可证经营")
    Violation.objects.create(unit=units[8], occurred_on=dt.date(2021, 3, 1), description="从业人员无健康证明")
    key = Tag.objects.create(name="重点单位")
    for u in units[9:11]:
        u.tags.add(key)
    for day in (dt.date(2026, 2, 1), dt.date(2026, 4, 1)):
        InspectionHistory.objects.create(unit=units[11], inspected_on=day, item_name="公共场所卫生", result="合格")
    InspectionHistory.objects.create(unit=units[12], inspected_on=dt.date(2026, 3, 1), item_name="公共场所卫生",
                                     result="合格")  # fmt: skip
    InspectionHistory.objects.create(unit=units[13], inspected_on=dt.date(2025, 3, 1), item_name="公共场所卫生",
                                     result="合格")  # last year: does not count  # fmt: skip


@pytest.fixture
def targeted(regions, orgs, approver_gq, inspector_gq):
    world = gaoqing_world(
        regions, orgs, approver_gq, inspector_gq, stratify_by=StratifyBy.NONE, default_rate=20, default_min=0,
        weight_formula=WeightFormula.FLAGGED_2_KEY_3, yearly_check_cap=2,
    )  # fmt: skip
    _signals(world["units"])
    return world


def test_weights_and_cap_from_the_directory(targeted):
    units, task = targeted["units"], targeted["task"]
    by_code = {c.pool_unit.unit_id: c for c in pool.candidates(task, today=TODAY)}
    weight = {u.pk: by_code[u.credit_code].weight for u in units}
    assert [weight[u.pk] for u in units[:8]] == [2] * 8  # complaints, recent violations
    assert weight[units[8].pk] == 1  # the violation is older than violation_years (3)
    assert weight[units[9].pk] == weight[units[10].pk] == 3  # 重点单位
    assert by_code[units[11].credit_code].pool_unit.excluded_reason == "YEARLY_CHECK_CAP"
    assert by_code[units[12].credit_code].pool_unit.excluded_reason == ""
    assert by_code[units[13].credit_code].checks_this_year == 0
    assert by_code[units[0].credit_code].pool_unit.weight_ppm == 2_000_000


def test_preview_gives_exact_probabilities_proportional_to_weight(targeted):
    preview = pool.task_preview(targeted["task"], today=TODAY)
    assert preview["weighted"] and preview["cap_excluded"] == 1
    assert "投诉举报多、有违法记录（近 3 年）的单位被抽中的机会是一般单位的 2 倍" in preview["weight_sentence"]
    assert "重点单位被抽中的机会是一般单位的 3 倍" in preview["weight_sentence"]
    (row,) = preview["rows"]
    by_weight = {w["weight"]: (w["count"], fd.parse_fraction(w["probability"])) for w in row["weights"]}
    assert {w: c for w, (c, _p) in by_weight.items()} == {1: 29, 2: 8, 3: 2}  # 39 eligible (one at the cap)
    p1, p2, p3 = (by_weight[w][1] for w in (1, 2, 3))
    assert p2 == 2 * p1 and p3 == 3 * p1  # no unit is heavy enough to be capped at 20 %
    assert 29 * p1 + 8 * p2 + 2 * p3 == pool.expected_n(pool.rule_for(targeted["task"], "ALL"), 39)
    unit_rows = {r["code"]: r for r in preview["unit_rows"]}
    first = unit_rows[targeted["units"][0].credit_code]
    assert (first["weight"], first["basis"], fd.parse_fraction(first["probability"])) == (2, "投诉举报 2 次", p2)
    capped = unit_rows[targeted["units"][11].credit_code]
    assert capped["excluded"] == "本年度检查次数已达上限（涉企行政检查频次）" and capped["probability"] == ""


def test_targeted_draw_is_pivotal_published_and_verifies(targeted, approver_gq):
    task = targeted["task"]
    draw = services.draw_freeze(user=approver_gq, task=task, sources=services.build_sources(lottery=lottery_input()))
    commitment = json.loads(draw.file_bytes(FileKind.COMMITMENT))
    assert commitment["plan"]["default"]["method"] == "pivotal"
    assert commitment["task"]["weighting"]["formula"] == "一般单位 1；有投诉举报或违法记录 2；重点单位 3"
    assert commitment["task"]["yearly_check_cap"] == 2
    rows = {u.unit_id: u for u in fd.read_units(draw.file_bytes(FileKind.POOL))}
    units = targeted["units"]
    assert rows[units[9].credit_code].weight_ppm == 3_000_000
    assert rows[units[11].credit_code].excluded_reason == "YEARLY_CHECK_CAP"  # the pool file's exclusion column
    (stratum,) = presentation.commitment_strata(draw, commitment)
    assert stratum["probability_text"].startswith("按权重抽取（与权重成正比）：权重 1 的 29 户：每户 ")
    enter_and_confirm(draw, approver_gq, KL8_NUMBERS, now=after_draw_time())
    draw = services.draw_run(user=approver_gq, draw=draw, now=after_draw_time())
    manifest = json.loads(draw.file_bytes(FileKind.MANIFEST))
    assert manifest["selection"]["ALL"]["method"] == "pivotal"
    assert units[11].credit_code not in manifest["selection"]["ALL"]["selected"]
    report = services.draw_verify(user=approver_gq, draw=draw)
    assert report.status == "VERIFIED"


def test_cap_that_only_warns_keeps_the_unit(targeted, approver_gq, inspector_gq):
    task = targeted["task"]
    plan_services.plan_transition(user=approver_gq, plan=task.plan, action="revise", text="检查频次上限改为仅提示")
    task = plan_services.task_update(user=inspector_gq, task=task, yearly_cap_action=YearlyCapAction.WARN)
    cands = {c.pool_unit.unit_id: c for c in pool.candidates(task, today=TODAY)}
    capped = cands[targeted["units"][11].credit_code]
    assert capped.pool_unit.excluded_reason == ""
    assert capped.cap_warning == "本年度已检查 2 次，达到每户每年 2 次的上限"


def test_equal_formula_keeps_srs(gq):
    assert pool.draw_plan(gq["task"]).default.method == "srs"
    assert pool.weight_sentence(gq["task"]) == ""
    assert {c.weight for c in pool.candidates(gq["task"], today=TODAY)} == {1}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=12), st.integers(0, 12))
def test_capping_by_weight_class_equals_the_engine(weights, n):
    """pool.capped_classes (on {weight: count}) gives fairdraw's per-unit capping (spec §7.3 step 2)."""
    n = min(n, len(weights))
    certain, n_rest, total = pivotal_probabilities(weights, n)
    classes: dict[int, int] = {}
    for w in weights:
        classes[w] = classes.get(w, 0) + 1
    c_certain, c_rest, c_total = pool.capped_classes(classes, n)
    assert (c_rest, c_total) == (n_rest, total)
    assert {w for w, c in zip(weights, certain, strict=True) if c} == c_certain
    rule = fd.StratumRule(rate=Fraction(n, len(weights)), method="pivotal")
    pi = pool.weighted_inclusion(rule, classes)
    assert sum(pi[w] for w in weights) == n  # Σπ = n (a fixed sample size here)
    assert all(0 <= p <= 1 for p in pi.values())
