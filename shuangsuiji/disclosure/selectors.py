"""Public (portal) reads: only published data, never a user's scope (there is no user).

Everything here goes through the owning app's public selector (`published_items`, `public_plans`,
`public_draws`, `public_results`) and then narrows it; nothing reads drafts. Plans and tasks are
shown from the immutable published version snapshots, never from the live (possibly draft) rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Q
from django.utils import timezone

from shuangsuiji.core.validators import region_scope_prefix
from shuangsuiji.directory.selectors import published_items
from shuangsuiji.draws.choices import DrawStatus
from shuangsuiji.draws.selectors import public_draw_rows, public_draws, public_targets
from shuangsuiji.inspections.selectors import outcome_summary, public_results
from shuangsuiji.plans.models import AnnualPlan
from shuangsuiji.plans.selectors import plan_id_of_task, public_plans
from shuangsuiji.regions.models import Region

from . import search

CREDIT_CODE_LEN = 18


def items(*, q: str = "", region: str = "", line: str = ""):
    qs = published_items()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(target__icontains=q))
    if region:
        # an item applies to its region and below; national items (no region) apply everywhere
        qs = qs.filter(Q(region__isnull=True) | Q(region__code__in=_ancestors(region)))
    if line:
        qs = qs.filter(business_line__code=line)
    return qs.order_by("business_line__order", "code")


def _ancestors(code: str) -> list[str]:
    """A region code and its parents: 370322 → [370322, 370300, 370000]."""
    code = code.ljust(6, "0")[:6]
    return sorted({code, code[:4] + "00", code[:2] + "0000"})


def _in_region(code: str, region: str) -> bool:
    if not region:
        return True
    return (code or "").startswith(_prefix(region))


@dataclass
class PublicPlan:
    plan: AnnualPlan
    versions: list = field(default_factory=list)  # AnnualPlanVersion, newest first

    @property
    def latest(self):
        return self.versions[0]

    @property
    def snapshot(self) -> dict:
        return self.latest.snapshot


def plans(*, year: int | None = None, region: str = "") -> list[PublicPlan]:
    """Every plan with at least one published version, each with all its versions (newest first)."""
    out: dict[int, PublicPlan] = {}
    qs = public_plans()
    if year:
        qs = qs.filter(plan__year=year)
    for version in qs:
        if not _in_region(version.plan.region.code, region):
            continue
        out.setdefault(version.plan_id, PublicPlan(version.plan)).versions.append(version)
    for p in out.values():
        p.versions.sort(key=lambda v: -v.version)
    return sorted(out.values(), key=lambda p: (-p.plan.year, p.plan.region.code, p.plan.pk))


def plan(pk: int) -> PublicPlan | None:
    versions = list(public_plans().filter(plan_id=pk))
    if not versions:
        return None
    versions.sort(key=lambda v: -v.version)
    return PublicPlan(versions[0].plan, versions)


@dataclass
class PublicTask:
    data: dict  # the task as published in the plan snapshot
    plan: PublicPlan
    version: int

    @property
    def code(self) -> str:
        return self.data.get("code", "")


def tasks(*, year: int | None = None, region: str = "", q: str = "", kind: str = "") -> list[PublicTask]:
    """Tasks as they stand in each plan's latest published version."""
    out = []
    for p in plans(year=year, region=region):
        for t in p.snapshot.get("tasks", []):
            if kind and t.get("kind") != kind:
                continue
            if q and q not in t.get("name", "") and q not in t.get("code", ""):
                continue
            out.append(PublicTask(t, p, p.latest.version))
    return out


def task(code: str) -> PublicTask | None:
    """The latest published version of a task (looked up through the plan that owns the live row)."""
    plan_id = plan_id_of_task(code)
    if plan_id is None:
        return None
    p = plan(plan_id)
    if p is None:
        return None
    for v in p.versions:  # newest first; a task removed later still shows as it was published
        for t in v.snapshot.get("tasks", []):
            if t.get("code") == code:
                return PublicTask(t, p, v.version)
    return None


def draws(*, year: int | None = None, region: str = "", q: str = "", status: str = ""):
    qs = public_draws()
    if year:
        start = dt.datetime(year, 1, 1, tzinfo=dt.UTC) - dt.timedelta(hours=8)
        qs = qs.filter(published_at__gte=start, published_at__lt=start.replace(year=year + 1))
    if region:
        qs = qs.filter(region__code__startswith=_prefix(region))
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(task__name__icontains=q))
    if status:
        qs = qs.filter(status=status)
    return qs


def _public_draw_rows():
    """The rows of `public_draws()` without its per-draw target count (a join over every DrawTarget)."""
    return public_draw_rows()


def draw_count() -> int:
    return _public_draw_rows().count()


def draw(code: str):
    return public_draws().filter(code=code).first()


def result_is_public(d) -> bool:
    """The outcome (targets, manifest, pool snapshot) is public once locked, or if a cancelled draw had run —
    unless the task withholds its targets until the inspection window opens (the commitment is public anyway)."""
    if targets_withheld_until(d):
        return False
    return d.status == DrawStatus.LOCKED or (d.status == DrawStatus.CANCELLED and d.drawn_at is not None)


def targets_withheld_until(d):
    """The window's first day while the task withholds its target list from the portal (issue #14 e), else None."""
    task = d.task
    if task.withhold_targets and timezone.localdate() < task.window_start:
        return task.window_start
    return None


def draw_targets(d):
    return public_targets(d)


def _prefix(region: str) -> str:
    try:
        return region_scope_prefix(region)
    except (KeyError, ValueError):
        return region


def regions_with_public_data() -> list[Region]:
    codes = set(_public_draw_rows().values_list("region__code", flat=True).distinct())
    codes |= set(public_plans().values_list("plan__region__code", flat=True))
    parents = {c[:2] + "0000" for c in codes} | {c[:4] + "00" for c in codes}
    return list(Region.objects.filter(code__in=codes | parents).order_by("code"))


def results_available() -> bool:
    return apps.is_installed("shuangsuiji.inspections")


def is_name_query(q: str) -> bool:
    """A search is by name unless it is an 18-character 统一社会信用代码."""
    q = (q or "").strip()
    return bool(q) and not (len(q) == CREDIT_CODE_LEN and q.isalnum())


def results(*, q: str = "", region: str = "", year: int | None = None, category: str = ""):
    """Published inspection results, searched by 统一社会信用代码 (exact) or any part of the unit name
    (`disclosure.search`: trigram index on PostgreSQL, FTS5 trigram on SQLite)."""
    qs = public_results()
    q = (q or "").strip()
    if q:
        if is_name_query(q):
            qs = search.name_contains(qs, q)
        else:
            qs = qs.filter(unit_code=q.upper())
    if region:
        qs = qs.filter(region__code__startswith=_prefix(region))
    if year:
        qs = qs.filter(checked_on__year=year)
    if category:
        qs = qs.filter(category=category)
    return qs


def task_outcomes(code: str) -> dict | None:
    """汇总分析 of a public task: drawn targets of its locked draw, and what the published results say (checked,
    problems, dispositions). Only published results are counted; nothing of unpublished work is shown."""
    results = public_results().filter(draw__task__code=code, draw__status=DrawStatus.LOCKED,
                                      target__status="active").order_by()  # fmt: skip
    summary = outcome_summary(results)
    locked = [d for d in public_draws().filter(task__code=code, status=DrawStatus.LOCKED)]
    if not locked:
        return None
    summary["targets"] = sum(d.targets.filter(status="active").count() for d in locked)
    summary["pending"] = max(summary["targets"] - summary["published"], 0)
    return summary


def penalties():
    """行政处罚信息 for the portal: published, within the publicity period, not withdrawn (cases selector)."""
    from shuangsuiji.cases.selectors import public_penalties

    return public_penalties().select_related("result__draw__task__lead_organization__region__parent__parent")
