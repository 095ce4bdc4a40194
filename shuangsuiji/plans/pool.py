"""From a task to fairdraw inputs: the candidate pool (PoolUnit per unit in scope), the DrawPlan,
and the coverage preview shown while a plan/task is being built.

All draw logic lives in `shuangsuiji.fairdraw`; this module only translates Django rows into its
plain-data inputs and computes expectations for display.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import floor

from django.db.models import Count, Q
from django.utils import timezone

from shuangsuiji import fairdraw as fd
from shuangsuiji.directory.choices import CLOSED_STATUSES, RiskLevel
from shuangsuiji.directory.models import InspectionHistory, RegulatedUnit, Violation

from .choices import (
    ALL_STRATUM,
    KEY_UNIT_TAG,
    UNRATED,
    WEIGHT_FORMULAS,
    StratifyBy,
    WeightFormula,
    Weights,
    YearlyCapAction,
)
from .selectors import business_line_names, coverage_reason, random_coverage

RISK_LABELS = {c.value: c.label for c in RiskLevel} | {UNRATED: "未分类"}

# Suggested per-class rates: A at the top of its band (5%, "无事不扰" but not never), others at the
# bottom of theirs; unrated units are treated like B (信用风险一般).
RISK_PICK = {"A": "high", "B": "low", "C": "low", "D": "low"}


def pct_to_fraction(value: Decimal | int | str) -> Fraction:
    return fd.parse_rate(f"{Decimal(value).normalize():f}%")


def fraction_to_pct(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) * 100 / Decimal(value.denominator)).quantize(Decimal("0.0001"))


def task_line_codes(task) -> list[str]:
    """Business-line codes of the task (`task.preview_lines` overrides, for unsaved forms)."""
    override = getattr(task, "preview_lines", None)
    if override is not None:
        return list(override)
    return list(task.business_lines.values_list("code", flat=True)) if task.pk else []


def task_tag_ids(task) -> list[int]:
    override = getattr(task, "preview_tags", None)
    if override is not None:
        return list(override)
    return list(task.tags.values_list("pk", flat=True)) if task.pk else []


def task_township_ids(task) -> list[int]:
    override = getattr(task, "preview_townships", None)
    if override is not None:
        return list(override)
    return list(task.townships.values_list("pk", flat=True)) if task.pk else []


def scope_units(task):
    """Units in the task's scope (region prefix, 乡镇/街道, lines, tags, risk classes), closed ones included."""
    qs = RegulatedUnit.objects.filter(region__code__startswith=task.scope_region.scope_prefix)
    township_ids = task_township_ids(task)
    if township_ids:
        qs = qs.filter(township__in=township_ids)
    line_codes = task_line_codes(task)
    tag_ids = task_tag_ids(task)
    if line_codes:
        qs = qs.filter(business_lines__code__in=line_codes)
    if tag_ids:
        qs = qs.filter(tags__in=tag_ids)
    if task.risk_levels:
        qs = qs.filter(risk_level__in=task.risk_levels)
    if line_codes or tag_ids:
        qs = qs.distinct()
    return qs


@dataclass(frozen=True)
class Candidate:
    """One unit of the pool, with what the app needs to show and store besides the PoolUnit."""

    pool_unit: fd.PoolUnit
    unit_pk: int
    name: str
    weight: int = 1  # the task's weight formula applied (weight_ppm = weight · 10^6)
    complaints: int = 0
    violations: int = 0  # 违法违规记录 in the task's last `violation_years` years
    key_unit: bool = False
    checks_this_year: int = 0  # 历史检查记录 in the plan year (涉企行政检查 frequency)
    cap_warning: str = ""  # the cap was reached but the task only warns


YEARLY_CAP_REASON = "YEARLY_CHECK_CAP"
PPM = 1_000_000


def task_weights(task) -> Weights:
    return WEIGHT_FORMULAS.get(task.weight_formula or WeightFormula.EQUAL, WEIGHT_FORMULAS[WeightFormula.EQUAL])


def is_weighted(task) -> bool:
    return task_weights(task).weighted


def unit_weight(weights: Weights, *, complaints: int, violations: int, key_unit: bool) -> int:
    """The weight of one unit: the highest weight of the kinds it belongs to (一般 / 有投诉举报或违法记录 / 重点)."""
    w = weights.general
    if weights.flagged is not None and (complaints > 0 or violations > 0):
        w = max(w, weights.flagged)
    if weights.key is not None and key_unit:
        w = max(w, weights.key)
    return w


def weight_sentence(task) -> str:
    """The task's weight formula in plain Chinese, for the preview and the portal ("" when unweighted)."""
    w = task_weights(task)
    if not w.weighted:
        return ""
    parts = []
    if w.flagged is not None and w.flagged != w.general:
        times = _times(w.flagged, w.general)
        years = task.violation_years
        parts.append(f"投诉举报多、有违法记录（近 {years} 年）的单位被抽中的机会是一般单位的 {times} 倍")
    if w.key is not None and w.key != w.general:
        parts.append(f"重点单位被抽中的机会是一般单位的 {_times(w.key, w.general)} 倍")
    rule = (
        "同一分层内每户被抽中的概率与权重成正比（权重高到必然抽中的单位除外），概率事先算定并公示，抽取结果可独立复核。"
    )
    return "；".join(parts) + "。" + rule


def _times(a: int, b: int) -> str:
    f = Fraction(a, b)
    return str(f.numerator) if f.denominator == 1 else f"{float(f):.2f}".rstrip("0").rstrip(".")


def _unit_signals(task, scope, today: dt.date) -> tuple[dict, dict, set, dict]:
    """unit pk → complaints / violations in the last N years / 重点单位 / checks in the plan year (grouped queries)."""
    ids = scope.values("pk")
    weights = task_weights(task)
    complaints, violations, key_units = {}, {}, set()
    if weights.weighted:
        complaints = dict(scope.filter(complaint_count__gt=0).values_list("pk", "complaint_count"))
        since = _years_before(today, task.violation_years)
        violations = dict(
            Violation.objects.filter(unit__in=ids, occurred_on__gte=since, occurred_on__lte=today)
            .values("unit").annotate(n=Count("pk")).values_list("unit", "n")
        )  # fmt: skip
        key_units = set(
            RegulatedUnit.tags.through.objects.filter(regulatedunit__in=ids, tag__name=KEY_UNIT_TAG).values_list(
                "regulatedunit_id", flat=True
            )
        )
    checks = {}
    if task.yearly_check_cap:
        checks = dict(
            InspectionHistory.objects.filter(unit__in=ids, inspected_on__year=task.plan.year)
            .values("unit").annotate(n=Count("pk")).values_list("unit", "n")
        )  # fmt: skip
    return complaints, violations, key_units, checks


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _line_of(unit_lines: list[tuple[int, str]], task_lines: set[str]) -> str:
    """The unit's business line for this task: the first (by BusinessLine.order) inside the task's lines."""
    for _order, code in sorted(unit_lines):
        if not task_lines or code in task_lines:
            return code
    return ""


def stratum_code(task, *, line: str, risk: str, region: str) -> str:
    by = task.stratify_by
    risk = risk or UNRATED
    if by == StratifyBy.RISK:
        return risk
    if by == StratifyBy.LINE:
        return line or "none"
    if by == StratifyBy.LINE_RISK:
        return f"{line or 'none'}|{risk}"
    if by == StratifyBy.REGION:
        return region
    return ALL_STRATUM


def stratum_label(code: str, lines: dict[str, str] | None = None) -> str:
    """Chinese label of a stratum code ("ggcs|C" → "公共场所卫生 · C 信用风险较高")."""
    if lines is None:
        lines = business_line_names()
    if code == ALL_STRATUM:
        return "全部对象"
    parts = []
    for part in code.split("|"):
        if part in RISK_LABELS:
            parts.append(RISK_LABELS[part])
        elif part in lines:
            parts.append(lines[part])
        elif part.isdigit():
            from shuangsuiji.regions.models import Region

            parts.append(Region.objects.filter(code=part).values_list("name", flat=True).first() or part)
        else:
            parts.append(part)
    return " · ".join(parts)


def _unit_lines(units_qs) -> dict[int, list[tuple[int, str]]]:
    """unit pk -> [(BusinessLine.order, code)] for the units of ``units_qs`` (one query on the M2M table)."""
    through = RegulatedUnit.business_lines.through
    out: dict[int, list[tuple[int, str]]] = {}
    rows = through.objects.filter(regulatedunit__in=units_qs.values("pk")).values_list(
        "regulatedunit_id", "businessline__order", "businessline__code"
    )
    for unit_pk, order, code in rows.iterator(chunk_size=10_000):
        got = out.get(unit_pk)
        if got is None:
            out[unit_pk] = [(order, code)]
        else:
            got.append((order, code))
    return out


def candidates(task, *, today: dt.date | None = None) -> list[Candidate]:
    """Every unit in scope as a fairdraw PoolUnit (unit_id = 统一社会信用代码).

    Closed/suspended units and units inspected within `exclude_inspected_days` stay in the pool
    with a reason, so exclusions are visible in the committed snapshot and cannot steer the draw.
    Plain column queries (units, then their business lines), no model instances: a city-wide pool
    of 100,000 units freezes in about the time of those two queries.
    """
    today = today or timezone.localdate()
    task_lines = set(task_line_codes(task))
    cutoff = today - dt.timedelta(days=task.exclude_inspected_days) if task.exclude_inspected_days else None
    scope = scope_units(task)
    lines_of = _unit_lines(scope)
    weights = task_weights(task)
    complaints, violations, key_units, checks = _unit_signals(task, scope, today)
    cap = task.yearly_check_cap
    cap_excludes = task.yearly_cap_action != YearlyCapAction.WARN
    closed = set(CLOSED_STATUSES)
    strata: dict[tuple[str, str, str], str] = {}
    rows = scope.values_list("pk", "credit_code", "name", "region__code", "risk_level", "status", "last_inspected_on")
    out = []
    for pk, code, name, region, risk, status, inspected in rows.iterator(chunk_size=10_000):
        line = _line_of(lines_of.get(pk, ()), task_lines)
        n_checks = checks.get(pk, 0)
        reason = cap_warning = ""
        if status in closed:
            reason = "CLOSED"
        elif cutoff and inspected and inspected > cutoff:
            reason = "RECENTLY_INSPECTED"
        elif cap and n_checks >= cap:
            if cap_excludes:
                reason = YEARLY_CAP_REASON
            else:
                cap_warning = f"本年度已检查 {n_checks} 次，达到每户每年 {cap} 次的上限"
        key = (line, risk, region)
        stratum = strata.get(key)
        if stratum is None:
            stratum = strata[key] = stratum_code(task, line=line, risk=risk, region=region)
        c, v, k = complaints.get(pk, 0), violations.get(pk, 0), pk in key_units
        weight = unit_weight(weights, complaints=c, violations=v, key_unit=k)
        pool_unit = fd.PoolUnit(
            unit_id=code, stratum=stratum, weight_ppm=weight * PPM, excluded_reason=reason, region=region,
            specialty=line,
        )  # fmt: skip
        out.append(Candidate(pool_unit, pk, name, weight, c, v, k, n_checks, cap_warning))
    return out


def _method(task) -> str:
    """fairdraw's selection method: `pivotal` (π ∝ weight, spec §7.3) when the task's formula weighs units."""
    return "pivotal" if is_weighted(task) else "srs"


def rule_for(task, stratum: str, rules: dict | None = None) -> fd.StratumRule:
    if rules is None:
        rules = {r.stratum: r for r in task.stratum_rules.all()}
    rule = rules.get(stratum)
    method = _method(task)
    if rule is None:
        return fd.StratumRule(
            rate=pct_to_fraction(task.default_rate), min_n=task.default_min, max_n=task.default_max, method=method
        )
    return fd.StratumRule(
        rate=pct_to_fraction(rule.rate), min_n=rule.min_n, max_n=rule.max_n, certainty=rule.certainty, method=method
    )


def draw_plan(task) -> fd.DrawPlan:
    """The fairdraw DrawPlan committed for this task (ratios, substitutes, assignment rules)."""
    rules = {r.stratum: r for r in task.stratum_rules.all()}
    return fd.DrawPlan(
        default=fd.StratumRule(
            rate=pct_to_fraction(task.default_rate),
            min_n=task.default_min,
            max_n=task.default_max,
            method=_method(task),
        ),  # fmt: skip
        strata={h: rule_for(task, h, rules) for h in rules},
        substitutes=task.substitutes,
        assignment=fd.AssignmentRules(
            inspection_date=task.window_start.isoformat(),
            inspection_end=task.window_end.isoformat() if task.window_end != task.window_start else "",
            group_size=task.group_size,
            require_specialist=task.require_specialist,
            region_rule=task.region_rule,
            max_load=task.max_load,
        ),
    )


def expected_n(rule: fd.StratumRule, eligible: int) -> Fraction:
    """E[n_h] exactly: fairdraw rounds rate·E up with probability frac(rate·E), then clamps."""
    if rule.certainty:
        return Fraction(eligible)
    target = rule.rate * eligible
    lo = min(rule.min_n, eligible)
    hi = eligible if rule.max_n is None else min(rule.max_n, eligible)

    def clamp(n: int) -> int:
        return max(lo, min(hi, n))

    base = floor(target)
    frac = target - base
    return (1 - frac) * clamp(base) + frac * clamp(base + 1)


def inclusion_probability(rule: fd.StratumRule, eligible: int) -> Fraction:
    """Exact probability that a given eligible unit of the stratum is drawn (srs)."""
    return expected_n(rule, eligible) / eligible if eligible else Fraction(0)


def sample_sizes(rule: fd.StratumRule, eligible: int) -> list[tuple[Fraction, int]]:
    """The distribution of n_h: [(probability, n)]. fairdraw rounds rate·E up with probability frac(rate·E)
    (spec §6), then clamps; a certainty stratum takes every eligible unit."""
    if rule.certainty:
        return [(Fraction(1), eligible)]
    target = rule.rate * eligible
    lo = min(rule.min_n, eligible)
    hi = eligible if rule.max_n is None else min(rule.max_n, eligible)
    base = floor(target)
    frac = target - base
    out = [(1 - frac, max(lo, min(hi, base)))]
    if frac:
        out.append((frac, max(lo, min(hi, base + 1))))
    return out


def capped_classes(classes: dict[int, int], n: int) -> tuple[set[int], int, int]:
    """fairdraw's iterative capping (spec §7.3 step 2) on weight classes {weight: number of units}: the weights
    whose units are certain, n′ and W (π = n′·w/W for the others). Units of one weight are capped together, so
    this equals `fairdraw.select.pivotal_probabilities` on the units (a property test checks it)."""
    certain: set[int] = set()
    while True:
        rest = [w for w in classes if w not in certain]
        n_rest = n - sum(classes[w] for w in certain)
        total = sum(w * classes[w] for w in rest)
        if n_rest <= 0 or total == 0:
            return certain, max(n_rest, 0), total
        new = {w for w in rest if n_rest * w >= total}
        if not new:
            return certain, n_rest, total
        certain |= new


def weighted_inclusion(rule: fd.StratumRule, classes: dict[int, int]) -> dict[int, Fraction]:
    """Exact inclusion probability of a unit of each weight in a pivotal stratum (weights of eligible units):
    Σ over the possible sample sizes n of P(n) · π(n), π(n) = 1 for capped weights, else n′·w/W."""
    eligible = sum(classes.values())
    out = dict.fromkeys(classes, Fraction(0))
    for p, n in sample_sizes(rule, eligible):
        if not p:
            continue
        certain, n_rest, total = capped_classes(classes, n)
        for w in classes:
            if w in certain:
                out[w] += p
            elif total:
                out[w] += p * Fraction(n_rest * w, total)
    return out


def _pct(p: Fraction) -> str:
    return f"{float(p) * 100:.2f}%"


UNIT_ROWS_SHOWN = 300  # per-unit rows on the page; the pool file (and its exclusion column) has them all


def suggested_rates(task, counts: dict[str, dict[str, int]], source: str) -> dict[str, Fraction]:
    """Per-stratum rates from fairdraw's ratio tables (高青 table by unit count, or per risk class)."""
    eligible = {h: c["eligible"] for h, c in counts.items()}
    if source == "risk":
        rates = fd.risk_class_rates(pick=RISK_PICK)
        rates[UNRATED] = rates["B"]
        return {h: rates.get(h.split("|")[-1], rates["B"]) for h in eligible}
    # 高青: one ratio per 专业 by that 专业's number of units; else by the task's total.
    groups: dict[str, list[str]] = {}
    for h in eligible:
        key = h.split("|")[0] if task.stratify_by in (StratifyBy.LINE, StratifyBy.LINE_RISK) else ""
        groups.setdefault(key, []).append(h)
    out = {}
    for members in groups.values():
        out.update(fd.rates_for_strata({h: eligible[h] for h in members}, count_table=fd.GAOQING_2020))
    return out


def task_preview(task, *, today: dt.date | None = None) -> dict:
    """Strata, ratios, exact inclusion probabilities and expected sample size of a task, for display."""
    cands = candidates(task, today=today)
    counts = fd.stratum_counts([c.pool_unit for c in cands])
    rules = {r.stratum: r for r in task.stratum_rules.all()} if task.pk else {}
    lines = business_line_names()
    gaoqing = suggested_rates(task, counts, "gaoqing") if counts else {}
    risk = suggested_rates(task, counts, "risk") if counts else {}
    weighted = is_weighted(task)
    classes: dict[str, dict[int, int]] = {}
    if weighted:
        for c in cands:
            if not c.pool_unit.excluded_reason:
                per = classes.setdefault(c.pool_unit.stratum, {})
                per[c.weight] = per.get(c.weight, 0) + 1
    rows, total_expected, pi_of = [], Fraction(0), {}
    for h, c in counts.items():
        rule = rule_for(task, h, rules) if task.pk else fd.StratumRule(rate=pct_to_fraction(task.default_rate))
        exp = expected_n(rule, c["eligible"])
        total_expected += exp
        weight_rows = []
        if weighted:
            pi = weighted_inclusion(rule, classes.get(h, {}))
            pi_of[h] = pi
            weight_rows = [
                {"weight": w, "count": classes[h][w], "probability": fd.format_fraction(p), "probability_pct": _pct(p)}
                for w, p in sorted(pi.items())
            ]
        rows.append(
            {
                "stratum": h,
                "label": stratum_label(h, lines),
                **c,
                "rate": fraction_to_pct(rule.rate),
                "custom": h in rules,
                "certainty": rule.certainty,
                "min_n": rule.min_n,
                "max_n": rule.max_n,
                "expected": exp,
                "expected_display": expected_text(exp),
                "probability": fd.format_fraction(inclusion_probability(rule, c["eligible"])),
                "probability_pct": f"{float(inclusion_probability(rule, c['eligible'])) * 100:.2f}%",
                "weights": weight_rows,
                "suggest_gaoqing": fraction_to_pct(gaoqing[h]).normalize() if h in gaoqing else None,
                "suggest_risk": fraction_to_pct(risk[h]).normalize() if h in risk else None,
            }
        )
    eligible = sum(c["eligible"] for c in counts.values())
    excluded = sum(c["excluded"] for c in counts.values())
    covered = covered_units(task, cands)
    return {
        "covered": covered[:COVERED_SHOWN],
        "covered_count": len(covered),
        "rows": rows,
        "units": len(cands),
        "eligible": eligible,
        "excluded": excluded,
        "expected": total_expected,
        "expected_display": expected_text(total_expected),
        "coverage_pct": float(total_expected) / eligible * 100 if eligible else 0.0,
        "weighted": weighted,
        "weight_formula": task.get_weight_formula_display() if weighted else "",
        "weight_sentence": weight_sentence(task),
        "unit_rows": _unit_rows(cands, pi_of, lines) if weighted or task.yearly_check_cap else [],
        "unit_rows_shown": UNIT_ROWS_SHOWN,
        "cap_excluded": sum(1 for c in cands if c.pool_unit.excluded_reason == YEARLY_CAP_REASON),
        "cap_warnings": [c for c in cands if c.cap_warning],
        "yearly_check_cap": task.yearly_check_cap,
    }


def _unit_rows(cands: list[Candidate], pi_of: dict, lines: dict) -> list[dict]:
    """Per-unit rows for the preview: heavier units first, then excluded and capped units, by name."""

    def row(c: Candidate) -> dict:
        reason = c.pool_unit.excluded_reason
        p = None if reason or c.pool_unit.stratum not in pi_of else pi_of[c.pool_unit.stratum].get(c.weight)
        basis = [
            f"投诉举报 {c.complaints} 次" if c.complaints else "",
            f"违法记录 {c.violations} 条" if c.violations else "",
            "重点单位" if c.key_unit else "",
        ]
        return {
            "name": c.name, "code": c.pool_unit.unit_id, "stratum": stratum_label(c.pool_unit.stratum, lines),
            "weight": c.weight, "basis": "、".join(b for b in basis if b) or "一般单位",
            "checks_this_year": c.checks_this_year, "excluded": fd.EXCLUSION_REASONS.get(reason, reason),
            "warning": c.cap_warning, "probability": fd.format_fraction(p) if p is not None else "",
            "probability_pct": _pct(p) if p is not None else "",
        }  # fmt: skip

    ordered = sorted(cands, key=lambda c: (bool(c.pool_unit.excluded_reason), -c.weight, not c.cap_warning, c.name))
    return [row(c) for c in ordered[:UNIT_ROWS_SHOWN]]


COVERED_SHOWN = 20


def covered_units(task, cands: list[Candidate]) -> list[dict]:
    """高青: units of the pool already covered by a random check of the plan year (another task), each with why.

    Shown beside the preview (they stay in the pool: the draw is not steered), so the office sees where a
    daily-supervision check would repeat a random one."""
    year = task.plan.year if getattr(task, "plan_id", None) else getattr(task.window_start, "year", None)
    if year is None or not cands:
        return []
    by_pk = {c.unit_pk: c for c in cands}
    coverage = random_coverage(scope_units(task).values("pk"), year, exclude_task=task.pk)
    return [
        {"name": by_pk[pk].name, "code": by_pk[pk].pool_unit.unit_id, "reason": coverage_reason(entries)}
        for pk, entries in sorted(
            coverage.items(), key=lambda kv: by_pk[kv[0]].pool_unit.unit_id if kv[0] in by_pk else ""
        )
        if pk in by_pk
    ]


def expected_text(value) -> str:
    """An expected count for people: whole numbers as they are ("3"), others as "约 27.5" — never "0.0"."""
    if value == int(value):
        return str(int(value))
    return f"约 {float(value):.1f}"


def open_units_in(region) -> int:
    return (
        RegulatedUnit.objects.filter(region__code__startswith=region.scope_prefix)
        .exclude(Q(status__in=CLOSED_STATUSES))
        .count()
    )


def plan_coverage(plan, *, today: dt.date | None = None) -> dict:
    """预计覆盖率 of a plan: Σ expected units drawn over its tasks ÷ open units in the plan's region."""
    tasks = []
    expected = Fraction(0)
    for task in plan.tasks.select_related("scope_region", "lead_organization").prefetch_related("stratum_rules"):
        preview = task_preview(task, today=today)
        expected += preview["expected"]
        tasks.append((task, preview))
    units = open_units_in(plan.region)
    pct = float(expected) / units * 100 if units else 0.0
    return {
        "tasks": tasks,
        "expected": expected,
        "expected_display": expected_text(expected),
        "units": units,
        "coverage_pct": pct,
        "target_pct": float(plan.coverage_target),
        "meets_target": pct >= float(plan.coverage_target),
    }


def stratum_counts_of(cands: list[Candidate]) -> dict[str, dict[str, int]]:
    return fd.stratum_counts([c.pool_unit for c in cands])
