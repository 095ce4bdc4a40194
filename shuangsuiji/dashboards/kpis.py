"""监管指标 (KPIs) per region and month, always inside the user's scope (`restrict()`).

Every figure is by **plan year** (计划年度): a 2027 plan's draw made in December 2026 counts in 2027. The
definitions shown on the page are `DEFINITIONS` below (research-regulatory §1.11; seeds 000, 003; issue #16):

* 抽查覆盖率 = distinct units checked (result submitted or published) in the plan year's tasks ÷ open units
  in the region's 检查对象名录库; target ≥ 3 % (seed 000). 计划覆盖率 uses the drawn (active) targets instead.
* 完成率 = active targets actually checked (result submitted or published, not "no activity/closed…") ÷ all
  active targets of locked draws (official-formats §8: 延安 843 ÷ 861 with 18 closed).
* 结果公示率 = results published ÷ results due. Due: a due date (应公示日期) that has passed or a result already
  published, **plus** every target still unchecked after its task's window closed (it can never be on time).
  按时公示率 = published on or before the due date ÷ the same denominator. Target 100 % (seed 000).
* 联合抽查 counts departments, not internal 科室: an organisation's department is itself, or for a 科室 the
  body it belongs to. A task is 部门联合 when its departments include one outside the health system (其他部门),
  系统内联合 when ≥ 2 health-system departments (e.g. 卫生健康局 + 卫生监督所) and no other. 联合抽查任务占比
  = draws of 部门联合 tasks ÷ all draws (target ≥ 20 %, seed 003); 联合抽查对象占比 = their active targets ÷ all
  active targets (target ≥ 10 %). 系统内联合 is shown beside them, never added in.
* 信用风险分类抽查占比 = draws whose task is stratified by credit-risk class (风险 or 专业×风险) **and** whose
  rates actually differ between the classes present in the pool (within a 专业 for 专业×风险) ÷ all draws;
  target ≥ 80 % (seeds 000, 003). A task with the same rate for every class is a plain draw.
* 问题发现率 = results with a problem found ÷ results actually checked (categories F, 7, 9–12 — no
  activity, closed, deregistered… — are not counted as checks).
* 逾期未公示 = live results not yet published whose due date has passed; 逾期未检查 = active targets not checked
  after the task window; 逾期处置 = open 责令整改 past their deadline plus penalties not published by their due date.

检查类型 (issue #15 point 1): every random-check figure above counts 日常监督随机抽查, 重点/专项监督 and 上级下达 (the
upper level drew those units), never 非随机检查 (投诉举报、转办交办、上级督办). Figures about this platform's draws
(抽取次数, 联合抽查任务占比, 信用风险分类抽查占比) count only draws made here. 非随机检查 is shown separately.

Months: draws and their targets by 抽取时间, results by 检查日期, publication by 应公示日期 (unchecked targets by
the end of the task window).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Count, F, Min, Q
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from shuangsuiji.accounts.models import Organization
from shuangsuiji.core.querysets import user_scope_prefix
from shuangsuiji.directory.choices import CLOSED_STATUSES
from shuangsuiji.directory.models import RegulatedUnit
from shuangsuiji.draws.choices import DrawOrigin, DrawStatus, FileKind, TargetStatus
from shuangsuiji.draws.models import Draw, DrawFile, DrawPoolEntry, DrawTarget
from shuangsuiji.plans.choices import ALL_STRATUM, RANDOM_TYPES, InspectionType, StratifyBy
from shuangsuiji.plans.models import Task
from shuangsuiji.regions.models import Region

RISK_STRATIFICATIONS = (StratifyBy.RISK, StratifyBy.LINE_RISK)
NOT_CHECKED_CATEGORIES = ("F", "7", "9", "10", "11", "12")
CHECKED_STATUSES = ("submitted", "published")
UNPUBLISHED_STATUSES = ("pending", "draft", "submitted")

TARGETS = {
    "coverage": 3.0,
    "publication": 100.0,
    "joint_tasks": 20.0,
    "joint_units": 10.0,
    "risk_based": 80.0,
}

KPI_LABELS = [
    # key, label, unit, target key (None = no target), higher is better
    ("coverage", "抽查覆盖率", "%", "coverage"),
    ("planned_coverage", "计划覆盖率（已抽取对象）", "%", "coverage"),
    ("completion", "完成率", "%", None),
    ("publication", "结果公示率", "%", "publication"),
    ("timely", "按时公示率", "%", "publication"),
    ("joint_tasks", "联合抽查任务占比（部门联合）", "%", "joint_tasks"),
    ("joint_units", "联合抽查对象占比（部门联合）", "%", "joint_units"),
    ("system_joint_tasks", "系统内联合抽查任务占比", "%", None),
    ("risk_based", "信用风险分类抽查占比", "%", "risk_based"),
    ("problem_rate", "问题发现率", "%", None),
    ("overdue", "逾期未公示结果", "件", None),
    ("unchecked_overdue", "逾期未检查对象", "户", None),
    ("overdue_cases", "逾期后续处置", "件", None),
    ("non_random_checks", "非随机检查（单独统计）", "件", None),
    ("upper_targets", "上级下达任务检查对象", "户", None),
]


DEFINITIONS = {
    "coverage": "已检查（结果已提交或已公示）的检查对象（去重）÷ 在营检查对象总数；按计划年度统计，目标 ≥3%。",
    "planned_coverage": "已锁定抽取的在列抽中对象（去重）÷ 在营检查对象总数；按计划年度统计。",
    "completion": "实际检查的抽中对象（结果已提交或已公示，不含未发现经营活动、已关闭停业、注销、吊销、撤销、迁出）"
    "÷ 已锁定抽取的全部在列抽中对象。",
    "publication": "已公示结果 ÷ 应公示结果。应公示 = 应公示日期已到或已公示的结果，加上检查期限已过仍未检查的抽中对象"
    "（它们不可能按时公示）；目标 100%。",
    "timely": "在应公示日期当天或之前公示的结果 ÷ 同一应公示数。",
    "joint_tasks": "部门联合抽查的抽取次数 ÷ 全部抽取次数，目标 ≥20%。按部门计：科室/大队归入所属机构；"
    "参与部门含卫生健康系统以外的部门（其他部门）才算部门联合。",
    "joint_units": "部门联合抽查的在列抽中对象 ÷ 全部在列抽中对象，目标 ≥10%。",
    "system_joint_tasks": "系统内联合抽查（两个以上卫生健康系统内机构，无其他部门）的抽取次数 ÷ 全部抽取次数；"
    "单列，不计入部门联合。",
    "risk_based": "按信用风险分类（或专业×信用风险分类）分层、且号池中各风险类别的抽查比例确有不同的抽取次数 ÷ "
    "全部抽取次数，目标 ≥80%。各类别比例相同的任务视为未按风险分类抽查。",
    "problem_rate": "发现问题的结果 ÷ 实际检查的结果"
    "（不含“未发现开展相关经营活动、已关闭停业、注销、吊销、撤销、迁出”）。",
    "overdue": "应公示日期已过仍未公示的结果。",
    "unchecked_overdue": "任务检查期限已过仍未检查（未提交结果）的在列抽中对象。",
    "overdue_cases": "超过整改期限仍未完结的责令整改 + 超过公示期限未公示的行政处罚。",
    "non_random_checks": "投诉举报、转办交办、上级督办等非随机检查中实际检查的结果（已提交或已公示）；"
    "单独统计，不计入以上任何随机抽查指标。",
    "upper_targets": "上级下达任务（国家、省、市抽检或随机监督抽查，对象由上级抽取）的在列检查对象；"
    "计入覆盖率、完成率和公示率，不计入本级抽取次数。",
}


def pct(num: int, den: int) -> float | None:
    return round(num * 100.0 / den, 2) if den else None


@dataclass
class Buckets:
    """Counters keyed by (region bucket code, month 1–12)."""

    counts: dict = field(default_factory=lambda: defaultdict(Counter))

    def add(self, bucket: str, month: int | None, key: str, n: int = 1) -> None:
        self.counts[(bucket, month or 0)][key] += n

    def total(self, *, bucket: str | None = None, month: int | None = None, upto: int | None = None) -> Counter:
        out = Counter()
        for (b, m), c in self.counts.items():
            if bucket is not None and b != bucket:
                continue
            if month is not None and m != month:
                continue
            if upto is not None and m > upto:
                continue
            out.update(c)
        return out


def allowed_regions(user) -> list[Region]:
    """Regions the user may report on: their own scope region and everything below it."""
    prefix = user_scope_prefix(user)
    if prefix is None:
        return []
    qs = Region.objects.filter(valid=True)
    if prefix:
        qs = qs.filter(code__startswith=prefix)
    return list(qs.order_by("code"))


def default_region(user) -> Region | None:
    if user.is_superuser and not user.organization_id:
        return Region.objects.filter(level="province").order_by("code").first()
    return user.region


def may_report_on(user, region: Region) -> bool:
    prefix = user_scope_prefix(user)
    return prefix is not None and region.code.startswith(prefix)


def breakdown_regions(region: Region) -> list[Region]:
    """Rows of the per-region table: the direct children (province → cities, city → counties), or itself."""
    children = list(region.children.filter(valid=True).order_by("code"))
    return children or [region]


def _bucketer(region: Region, rows: list[Region]):
    prefixes = [(r.scope_prefix, r.code) for r in rows]

    def bucket(code: str) -> str:
        for prefix, target in prefixes:
            if code.startswith(prefix):
                return target
        return region.code  # rows of the region itself (e.g. a city-level plan)

    return bucket


@dataclass
class KpiReport:
    region: Region
    year: int
    rows: list[Region]
    data: Buckets
    units: dict  # bucket -> open units in scope
    first_checks: dict  # bucket -> Counter(month -> distinct units first checked that month)
    today: dt.date

    def values(self, *, bucket: str | None = None, month: int | None = None, upto: int | None = None) -> dict:
        c = self.data.total(bucket=bucket, month=month, upto=upto)
        units = self.units.get(bucket, 0) if bucket else sum(self.units.values())
        fc = self.first_checks.get(bucket, Counter()) if bucket else sum(self.first_checks.values(), Counter())
        checked_units = sum(n for m, n in fc.items() if (month is None or m == month) and (upto is None or m <= upto))
        return {
            "units": units,
            "checked_units": checked_units,
            "drawn_units": c["drawn_units"],
            "coverage": pct(checked_units, units),
            "planned_coverage": pct(c["drawn_units"], units),
            "draws": c["draws"],
            "joint_draws": c["joint_draws"],
            "risk_draws": c["risk_draws"],
            "targets": c["targets"],
            "joint_targets": c["joint_targets"],
            "system_joint_draws": c["system_joint_draws"],
            "system_joint_tasks": pct(c["system_joint_draws"], c["draws"]),
            "completed": c["completed"],
            "completion": pct(c["completed"], c["targets"]),
            "unchecked_overdue": c["unchecked_overdue"],
            "joint_tasks": pct(c["joint_draws"], c["draws"]),
            "joint_units": pct(c["joint_targets"], c["targets"]),
            "risk_based": pct(c["risk_draws"], c["draws"]),
            "checked": c["checked"],
            "problems": c["problems"],
            "problem_rate": pct(c["problems"], c["checked"]),
            "due": c["due"],
            "published": c["published"],
            "timely_published": c["timely"],
            "publication": pct(c["published"], c["due"]),
            "timely": pct(c["timely"], c["due"]),
            "overdue": c["overdue"],
            "overdue_cases": c["overdue_cases"],
            "non_random_checks": c["non_random_checks"],
            "non_random_problems": c["non_random_problems"],
            "upper_targets": c["upper_targets"],
        }

    def summary(self) -> list[dict]:
        v = self.values()
        out = []
        for key, label, unit, target_key in KPI_LABELS:
            value = v[key]
            target = TARGETS.get(target_key) if target_key else None
            if target is None:
                ok = None if key not in ("overdue", "overdue_cases", "unchecked_overdue") else value == 0
            else:
                ok = None if value is None else value >= target
            out.append({"key": key, "label": label, "value": value, "unit": unit, "target": target, "ok": ok,
                        "definition": DEFINITIONS.get(key, "")})  # fmt: skip
        return out

    def region_rows(self) -> list[dict]:
        rows = [{"region": r, **self.values(bucket=r.code)} for r in self.rows]
        if self.region.code not in {r.code for r in self.rows}:
            own = self.values(bucket=self.region.code)
            if own["draws"] or own["checked"] or own["due"]:
                rows.insert(0, {"region": self.region, "own_level": True, **own})
        return rows

    def month_rows(self) -> list[dict]:
        last = 12 if self.year != self.today.year else self.today.month
        return [{"month": m, **self.values(month=m), "cum": self.values(upto=m)} for m in range(1, last + 1)]


def kpi_report(user, *, region: Region, year: int, today: dt.date | None = None) -> KpiReport:
    today = today or timezone.localdate()
    rows = breakdown_regions(region)
    bucket = _bucketer(region, rows)
    prefix = region.scope_prefix
    data = Buckets()

    # Draws (locked = result published) of the plan year's tasks.
    draws = list(
        Draw.objects.restrict(user, "view")
        .filter(
            region__code__startswith=prefix, status=DrawStatus.LOCKED, task__plan__year=year, origin=DrawOrigin.DRAWN
        )
        .annotate(month=ExtractMonth("drawn_at"))
        .values("id", "region__code", "month", "task_id", "task__stratify_by")
    )
    joint = joint_kinds({d["task_id"] for d in draws})
    risk = risk_differentiated([d for d in draws if d["task__stratify_by"] in RISK_STRATIFICATIONS])
    for d in draws:
        b = bucket(d["region__code"])
        data.add(b, d["month"], "draws")
        if joint.get(d["task_id"]) == "department":
            data.add(b, d["month"], "joint_draws")
        elif joint.get(d["task_id"]) == "system":
            data.add(b, d["month"], "system_joint_draws")
        if d["id"] in risk:
            data.add(b, d["month"], "risk_draws")

    # Drawn targets still to be (or already) inspected, by the unit's own region.
    targets = (
        DrawTarget.objects.restrict(user, "view")
        .filter(draw__region__code__startswith=prefix, draw__status=DrawStatus.LOCKED, draw__task__plan__year=year,
                status=TargetStatus.ACTIVE, draw__task__inspection_type__in=RANDOM_TYPES)
        .annotate(month=ExtractMonth("draw__drawn_at"))
        .values("unit__region__code", "month", "draw__task_id", "draw__origin")
        .annotate(n=Count("id"), units=Count("unit", distinct=True),
                  completed=Count("id", filter=Q(result__status__in=CHECKED_STATUSES)
                                  & ~Q(result__category__in=NOT_CHECKED_CATEGORIES)))
    )  # fmt: skip
    for t in targets:
        b = bucket(t["unit__region__code"])
        data.add(b, t["month"], "targets", t["n"])
        data.add(b, t["month"], "drawn_units", t["units"])
        data.add(b, t["month"], "completed", t["completed"])
        if t["draw__origin"] == DrawOrigin.IMPORTED:
            data.add(b, t["month"], "upper_targets", t["n"])
        if joint.get(t["draw__task_id"]) == "department":
            data.add(b, t["month"], "joint_targets", t["n"])

    units = Counter()
    for row in (
        RegulatedUnit.objects.restrict(user, "view")
        .filter(region__code__startswith=prefix)
        .exclude(status__in=CLOSED_STATUSES)
        .values("region__code")
        .annotate(n=Count("id"))
    ):
        units[bucket(row["region__code"])] += row["n"]

    first_checks: dict[str, Counter] = defaultdict(Counter)
    _results(user, prefix, year, today, bucket, data, first_checks)
    _cases(user, prefix, year, today, bucket, data)
    return KpiReport(region, year, rows, data, dict(units), dict(first_checks), today)


def department_of(org: Organization) -> Organization:
    """The department an organisation belongs to: itself, or for an internal 科室 the body above it."""
    while org.kind == Organization.Kind.SECTION and org.parent_id:
        org = org.parent
    return org


def joint_kinds(task_ids) -> dict[int, str]:
    """task id → "department" (部门联合), "system" (系统内联合) or "" (one department), from the lead
    department and the departments of the task's items."""
    orgs = {o.pk: o for o in Organization.objects.select_related("parent__parent")}
    members = defaultdict(set)
    for task_id, org_id in Task.objects.filter(pk__in=task_ids).values_list("pk", "lead_organization_id"):
        members[task_id].add(org_id)
    for task_id, org_id in Task.objects.filter(pk__in=task_ids).values_list("pk", "items__organization_id"):
        if org_id:
            members[task_id].add(org_id)
    out = {}
    for task_id, org_ids in members.items():
        departments = {department_of(orgs[o]) for o in org_ids if o in orgs}
        if len(departments) < 2:
            out[task_id] = ""
        elif any(d.kind == Organization.Kind.OTHER_DEPT for d in departments):
            out[task_id] = "department"
        else:
            out[task_id] = "system"
    return out


def risk_differentiated(draws: list[dict]) -> set[int]:
    """Ids of risk-stratified draws whose rates differ between the risk classes in the pool (per 专业 for
    专业×风险). The rates are the ones the draw **committed to** (the plan inside its published commitment
    record: a stratum's own rule — 100 % when 全部检查 — else the default), so changing a task's ratios after
    its draw does not change what the draw was."""
    if not draws:
        return set()
    plans = committed_plans([d["id"] for d in draws])
    strata = defaultdict(set)
    for draw_id, stratum in (
        DrawPoolEntry.objects.filter(draw_id__in=[d["id"] for d in draws], excluded_reason="")
        .values_list("draw_id", "stratum").distinct()
    ):  # fmt: skip
        strata[draw_id].add(stratum)
    out = set()
    for d in draws:
        plan = plans.get(d["id"])
        if plan is None:
            continue
        groups = defaultdict(set)
        for stratum in strata[d["id"]]:
            if stratum == ALL_STRATUM:
                continue
            line = stratum.rpartition("|")[0]  # "" for 风险 alone
            groups[line].add(_committed_rate(plan, stratum))
        if any(len(rates) > 1 for rates in groups.values()):
            out.add(d["id"])
    return out


def committed_plans(draw_ids) -> dict[int, dict]:
    """The plan of each draw's published commitment record (the file's SHA-256 is checked on read)."""
    plans = {}
    for row in DrawFile.objects.filter(draw_id__in=list(draw_ids), kind=FileKind.COMMITMENT):
        plans[row.draw_id] = json.loads(row.read())["plan"]
    return plans


def _committed_rate(plan: dict, stratum: str) -> Fraction:
    rule = plan.get("strata", {}).get(stratum) or plan["default"]
    return Fraction(1) if rule.get("certainty") else Fraction(rule["rate"])


def _results(user, prefix, year, today, bucket, data: Buckets, first_checks) -> None:
    try:
        from shuangsuiji.inspections.models import InspectionResult
    except ImportError:  # pragma: no cover - results app not installed
        return
    every = InspectionResult.objects.restrict(user, "view").filter(
        region__code__startswith=prefix, draw__task__plan__year=year
    )
    for row in (
        every.filter(draw__task__inspection_type=InspectionType.NON_RANDOM, status__in=CHECKED_STATUSES,
                     checked_on__isnull=False)
        .annotate(month=ExtractMonth("checked_on"))
        .values("region__code", "month", "is_problem").annotate(n=Count("id"))
    ):  # fmt: skip
        data.add(bucket(row["region__code"]), row["month"], "non_random_checks", row["n"])
        if row["is_problem"]:
            data.add(bucket(row["region__code"]), row["month"], "non_random_problems", row["n"])
    base = every.filter(draw__task__inspection_type__in=RANDOM_TYPES)  # random checks only from here on
    checked = base.filter(status__in=CHECKED_STATUSES, checked_on__isnull=False)
    for row in (
        checked.exclude(category__in=NOT_CHECKED_CATEGORIES)
        .annotate(month=ExtractMonth("checked_on"))
        .values("region__code", "month", "is_problem")
        .annotate(n=Count("id"))
    ):
        b = bucket(row["region__code"])
        data.add(b, row["month"], "checked", row["n"])
        if row["is_problem"]:
            data.add(b, row["month"], "problems", row["n"])
    for row in checked.values("unit_id", "region__code").annotate(first=Min("checked_on")):
        first_checks[bucket(row["region__code"])][row["first"].month] += 1
    due = base.filter(publish_due__isnull=False).exclude(status__in=UNPUBLISHED_STATUSES, publish_due__gte=today)
    due = due.exclude(draw__status=DrawStatus.CANCELLED).exclude(
        target__status__in=(TargetStatus.REPLACED, TargetStatus.CANCELLED)
    )
    for row in (
        due.annotate(month=ExtractMonth("publish_due"))
        .values("region__code", "month", "status")
        .annotate(n=Count("id"))
    ):
        b = bucket(row["region__code"])
        data.add(b, row["month"], "due", row["n"])
        if row["status"] == "published":
            data.add(b, row["month"], "published", row["n"])
    timely = due.filter(status="published", published_at__date__lte=F("publish_due"))
    for row in (
        timely.annotate(month=ExtractMonth("publish_due")).values("region__code", "month").annotate(n=Count("id"))
    ):
        data.add(bucket(row["region__code"]), row["month"], "timely", row["n"])
    overdue = due.filter(status__in=UNPUBLISHED_STATUSES, publish_due__lt=today, draw__status=DrawStatus.LOCKED,
                         target__status=TargetStatus.ACTIVE)  # fmt: skip
    for row in (
        overdue.annotate(month=ExtractMonth("publish_due")).values("region__code", "month").annotate(n=Count("id"))
    ):
        data.add(bucket(row["region__code"]), row["month"], "overdue", row["n"])
    # Targets never checked although the task window has closed: due, unpublished, never on time.
    unchecked = base.filter(
        status__in=("pending", "draft"), publish_due__isnull=True, draw__status=DrawStatus.LOCKED,
        target__status=TargetStatus.ACTIVE, draw__task__window_end__lt=today,
    )  # fmt: skip
    for row in (
        unchecked.annotate(month=ExtractMonth("draw__task__window_end"))
        .values("region__code", "month").annotate(n=Count("id"))
    ):  # fmt: skip
        b = bucket(row["region__code"])
        data.add(b, row["month"], "due", row["n"])
        data.add(b, row["month"], "unchecked_overdue", row["n"])


def _cases(user, prefix, year, today, bucket, data: Buckets) -> None:
    try:
        from shuangsuiji.cases.models import FollowUpCase
    except ImportError:  # pragma: no cover
        return
    base = FollowUpCase.objects.restrict(user, "view").filter(
        region__code__startswith=prefix, result__draw__task__plan__year=year
    )
    rectify = base.filter(kind="rectify", status="open", deadline__lt=today)
    penalty = base.filter(kind="penalty", published_at__isnull=True, publish_due__lt=today)
    for qs, field_name in ((rectify, "deadline"), (penalty, "publish_due")):
        for row in qs.annotate(month=ExtractMonth(field_name)).values("region__code", "month").annotate(n=Count("id")):
            data.add(bucket(row["region__code"]), row["month"], "overdue_cases", row["n"])


# ----------------------------------------------------------------- ECharts options (option-ready dicts)


def charts(report: KpiReport) -> dict:
    regions = report.region_rows()
    months = report.month_rows()
    names = [r["region"].name for r in regions]
    month_labels = [f"{m['month']}月" for m in months]

    def series(rows, key):
        return [r[key] for r in rows]  # None → null: ECharts leaves a gap instead of a false 0

    target_line = {"silent": True, "symbol": "none", "lineStyle": {"type": "dashed", "color": "#c8161d"},
                   "label": {"position": "insideEndTop", "formatter": "目标 {c}%"}}  # fmt: skip
    return {
        "coverage": {
            "title": {"text": "各地区抽查覆盖率（%）", "left": "center", "textStyle": {"fontSize": 14}},
            "tooltip": {"trigger": "axis"},
            "legend": {"bottom": 0},
            "grid": {"left": 50, "right": 20, "top": 40, "bottom": 60},
            "xAxis": {
                "type": "category",
                "data": names,
                "axisLabel": {"interval": 0, "rotate": 30 if len(names) > 6 else 0},
            },
            "yAxis": {"type": "value", "name": "%"},
            "series": [
                {
                    "name": "实际覆盖率",
                    "type": "bar",
                    "data": series(regions, "coverage"),
                    "markLine": {**target_line, "data": [{"yAxis": TARGETS["coverage"]}]},
                },
                {"name": "计划覆盖率", "type": "bar", "data": series(regions, "planned_coverage")},
            ],
        },  # fmt: skip
        "rates": {
            "title": {"text": "逐月公示率与问题发现率（%）", "left": "center", "textStyle": {"fontSize": 14}},
            "tooltip": {"trigger": "axis"},
            "legend": {"bottom": 0},
            "grid": {"left": 50, "right": 20, "top": 40, "bottom": 50},
            "xAxis": {"type": "category", "data": month_labels},
            "yAxis": {"type": "value", "name": "%", "max": 100},
            "series": [
                {
                    "name": "结果公示率",
                    "type": "line",
                    "data": series(months, "publication"),
                    "markLine": {**target_line, "data": [{"yAxis": TARGETS["publication"]}]},
                },
                {"name": "按时公示率", "type": "line", "data": series(months, "timely")},
                {"name": "问题发现率", "type": "line", "data": series(months, "problem_rate")},
            ],
        },  # fmt: skip
        "draws": {
            "title": {"text": "逐月抽取次数与结构", "left": "center", "textStyle": {"fontSize": 14}},
            "tooltip": {"trigger": "axis"},
            "legend": {"bottom": 0},
            "grid": {"left": 50, "right": 50, "top": 40, "bottom": 50},
            "xAxis": {"type": "category", "data": month_labels},
            "yAxis": [{"type": "value", "name": "次"}, {"type": "value", "name": "%", "max": 100}],
            "series": [
                {
                    "name": "本部门抽查",
                    "type": "bar",
                    "stack": "draws",
                    "data": [m["draws"] - m["joint_draws"] - m["system_joint_draws"] for m in months],
                },
                {
                    "name": "系统内联合抽查",
                    "type": "bar",
                    "stack": "draws",
                    "data": [m["system_joint_draws"] for m in months],
                },
                {"name": "部门联合抽查", "type": "bar", "stack": "draws", "data": [m["joint_draws"] for m in months]},
                {
                    "name": "信用风险分类抽查占比（累计）",
                    "type": "line",
                    "yAxisIndex": 1,
                    "data": [m["cum"]["risk_based"] for m in months],
                    "markLine": {**target_line, "data": [{"yAxis": TARGETS["risk_based"]}]},
                },
            ],
        },  # fmt: skip
    }
