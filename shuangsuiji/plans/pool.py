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

from django.db.models import Q
from django.utils import timezone

from shuangsuiji import fairdraw as fd
from shuangsuiji.directory.choices import CLOSED_STATUSES, RiskLevel
from shuangsuiji.directory.models import RegulatedUnit

from .choices import ALL_STRATUM, UNRATED, StratifyBy
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
    closed = set(CLOSED_STATUSES)
    strata: dict[tuple[str, str, str], str] = {}
    rows = scope.values_list("pk", "credit_code", "name", "region__code", "risk_level", "status", "last_inspected_on")
    out = []
    for pk, code, name, region, risk, status, inspected in rows.iterator(chunk_size=10_000):
        line = _line_of(lines_of.get(pk, ()), task_lines)
        reason = ""
        if status in closed:
            reason = "CLOSED"
        elif cutoff and inspected and inspected > cutoff:
            reason = "RECENTLY_INSPECTED"
        key = (line, risk, region)
        stratum = strata.get(key)
        if stratum is None:
            stratum = strata[key] = stratum_code(task, line=line, risk=risk, region=region)
        pool_unit = fd.PoolUnit(unit_id=code, stratum=stratum, excluded_reason=reason, region=region, specialty=line)
        out.append(Candidate(pool_unit, pk, name))
    return out


def rule_for(task, stratum: str, rules: dict | None = None) -> fd.StratumRule:
    if rules is None:
        rules = {r.stratum: r for r in task.stratum_rules.all()}
    rule = rules.get(stratum)
    if rule is None:
        return fd.StratumRule(rate=pct_to_fraction(task.default_rate), min_n=task.default_min, max_n=task.default_max)
    return fd.StratumRule(rate=pct_to_fraction(rule.rate), min_n=rule.min_n, max_n=rule.max_n, certainty=rule.certainty)


def draw_plan(task) -> fd.DrawPlan:
    """The fairdraw DrawPlan committed for this task (ratios, substitutes, assignment rules)."""
    rules = {r.stratum: r for r in task.stratum_rules.all()}
    return fd.DrawPlan(
        default=fd.StratumRule(rate=pct_to_fraction(task.default_rate), min_n=task.default_min, max_n=task.default_max),
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
    rows, total_expected = [], Fraction(0)
    for h, c in counts.items():
        rule = rule_for(task, h, rules) if task.pk else fd.StratumRule(rate=pct_to_fraction(task.default_rate))
        exp = expected_n(rule, c["eligible"])
        total_expected += exp
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
    }


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
