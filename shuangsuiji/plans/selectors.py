"""Reads for plans and tasks (always scoped through `restrict()`)."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from shuangsuiji.core.formats import local_date, local_datetime
from shuangsuiji.directory.models import InspectionItem

from .choices import DRAWN_HERE, RANDOM_TYPES, PlanStatus
from .models import AnnualPlan, AnnualPlanVersion, Task


def plan_list(user, action: str = "view"):
    return (
        AnnualPlan.objects.restrict(user, action)
        .select_related("organization", "region")
        .annotate(task_count=Count("tasks"))
    )


def task_list(user, action: str = "view"):
    return Task.objects.restrict(user, action).select_related("plan", "plan__region", "lead_organization")


def tasks_ready_to_draw(user):
    """Tasks of published plans without a live (non-cancelled) draw — what a 科室负责人 can draw now."""
    return (
        task_list(user, "view")
        .filter(plan__status=PlanStatus.PUBLISHED, inspection_type__in=DRAWN_HERE)
        .exclude(Exists(Task.live_draws().filter(task=OuterRef("pk"))))
        .distinct()
    )


def enclosing_region_codes(code: str) -> list[str]:
    """The GB/T 2260 codes of `code`'s province, city and itself (the regions whose rows apply to it)."""
    return sorted({code[:2] + "0000", code[:4] + "00", code})


def items_for_region(region, line_ids=None):
    """The published 抽查事项 a task of `region` may hold, each 事项 once.

    Items of the region and the levels above it (and national items) are candidates; when one 事项 exists at
    several levels (a province item and the county's claimed copy share the code), only the most local one is
    offered. With `line_ids`, only items applicable to units of those business lines (`unit_lines`, else the
    item's own line) remain.
    """
    codes = enclosing_region_codes(region.code)
    qs = InspectionItem.objects.filter(
        Q(region__isnull=True) | Q(region__code__in=codes), status="published"
    ).select_related("business_line", "region")
    best: dict[str, InspectionItem] = {}
    for item in qs:
        rank = (len(item.region.scope_prefix) if item.region_id else 0, item.version)
        current = best.get(item.code)
        if current is None or rank > (len(current.region.scope_prefix) if current.region_id else 0, current.version):
            best[item.code] = item
    chosen = InspectionItem.objects.filter(pk__in=[i.pk for i in best.values()])
    if line_ids:
        line_ids = list(line_ids)
        chosen = chosen.filter(
            Q(unit_lines__in=line_ids) | Q(unit_lines__isnull=True, business_line__in=line_ids)
        ).distinct()
    return (
        chosen.select_related("business_line", "region")
        .prefetch_related("unit_lines")
        .order_by("business_line__order", "code")
    )


def items_without_checklist(task) -> list:
    """The task's 抽查事项 (from the list) that have no active 检查表 of their own in the task's region.

    A 检查表 belongs to an item's lineage (`InspectionItem.lineage()`), reached through the reverse relation
    `checklists` (inspections sits above plans and is never imported here). Free-text items of other
    departments are not listed: their 检查表 is the other department's.
    """
    regions = enclosing_region_codes(task.plan.region.code)
    missing = []
    for task_item in task.items.select_related("item").order_by("order", "id"):
        if not task_item.item_id:
            continue
        lineage = task_item.item.lineage()
        if not lineage.filter(checklists__active=True, checklists__region__code__in=regions).exists():
            missing.append(task_item)
    return missing


def plan_id_of_task(code: str) -> int | None:
    """The plan that owns the live task row `code` (the portal then shows the task from published versions)."""
    return Task.objects.filter(code=code).values_list("plan_id", flat=True).first()


def plans_awaiting(user, status: str):
    return AnnualPlan.objects.restrict(user, "view").filter(status=status)


def public_plans():
    """Published plans for the public portal (issue #6): the latest published version of each plan."""
    return AnnualPlanVersion.objects.select_related("plan", "plan__region", "plan__organization").order_by(
        "plan_id", "-version"
    )


def business_line_names() -> dict[str, str]:
    """Business-line code → name, for stratum labels."""
    from shuangsuiji.directory.models import BusinessLine

    return dict(BusinessLine.objects.values_list("code", "name"))


# Through the reverse relation `draws` (draws sits above plans): a target is covered while it is active
# ("active" = draws.choices.TargetStatus.ACTIVE) in a live draw (committed, drawn or locked).
ACTIVE_TARGET = "active"


def random_coverage(unit_ids, year: int, *, exclude_task=None) -> dict[int, list[dict]]:
    """高青: “已纳入随机抽查的单位，除投诉举报外，原则上不再开展日常监督检查”.

    unit id → the random checks of `year` that already cover it (task code, name, 检查类型, since when), for the
    pool preview and the non-random entry form. 非随机检查 never covers a unit."""
    if not isinstance(unit_ids, QuerySet):
        unit_ids = list(unit_ids)
        if not unit_ids:
            return {}
    rows = (
        Task.objects.filter(
            plan__year=year, inspection_type__in=RANDOM_TYPES, draws__in=Task.live_draws(),
            draws__targets__unit__in=unit_ids, draws__targets__status=ACTIVE_TARGET,
        )
        .values_list("draws__targets__unit_id", "pk", "code", "name", "inspection_type", "draws__drawn_at",
                     "draws__published_at", "window_start", "window_end")
        .order_by("draws__published_at", "code")
    )  # fmt: skip
    if exclude_task is not None:
        rows = rows.exclude(pk=getattr(exclude_task, "pk", exclude_task))
    seen = set()
    labels = dict(Task._meta.get_field("inspection_type").choices)
    out: dict[int, list[dict]] = {}
    for unit_id, pk, code, name, kind, drawn_at, published_at, start, end in rows:
        if (unit_id, pk) in seen:  # a task with two live attempts cannot exist; guard joins anyway
            continue
        seen.add((unit_id, pk))
        out.setdefault(unit_id, []).append({
            "task_id": pk, "code": code, "name": name, "type": labels.get(kind, kind),
            "since": drawn_at or published_at, "window_start": start, "window_end": end,
        })  # fmt: skip
    return out


def coverage_reason(entries: list[dict]) -> str:
    """Why a unit counts as covered, in one Chinese sentence naming each task and when it was drawn."""
    parts = [
        f"{e['type']}任务 {e['code']}“{e['name']}”（{local_datetime(e['since'])}纳入，检查时间 "
        f"{local_date(e['window_start'])}至{local_date(e['window_end'])}）"
        for e in entries
    ]
    return "本年度已纳入随机抽查：" + "；".join(parts)
