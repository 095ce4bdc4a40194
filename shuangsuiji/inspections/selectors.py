"""Reads for inspection results. Internal reads go through `restrict()`; `public_results()` is the
portal's (published rows only, no user)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from shuangsuiji.core.permissions import in_scope, is_system
from shuangsuiji.core.workdays import CalendarNotCovered, WorkCalendar
from shuangsuiji.directory.models import Inspector
from shuangsuiji.draws.choices import DrawStatus, TargetStatus

from .choices import ResultStatus
from .models import InspectionResult

UNPUBLISHED = (ResultStatus.PENDING, ResultStatus.DRAFT, ResultStatus.SUBMITTED)

PERM_ENTER = "inspections.enter_inspectionresult"
PERM_APPROVE = "inspections.approve_inspectionresult"
# 内勤 (and approvers/administrators) enter results from the paper record with scanned signatures
PERM_TRANSCRIBE = "inspections.transcribe_inspectionresult"


def assigned_inspector(user, target) -> Inspector | None:
    """The user's own Inspector record if it is in the target's inspector group."""
    if user is None or is_system(user) or not getattr(user, "is_authenticated", False):
        return None
    return Inspector.objects.filter(user=user, draw_assignments__target=target).first()


def can_enter(user, result: InspectionResult) -> bool:
    """May `user` enter (录入) this result: the target's inspector group, an approver of the region, or a 内勤
    transcribing the paper record."""
    if user is None or not user.has_perm(PERM_ENTER) or not in_scope(user, result):
        return False
    return (user.has_perm(PERM_APPROVE) or user.has_perm(PERM_TRANSCRIBE)
            or assigned_inspector(user, result.target) is not None)  # fmt: skip


def public_results():
    """PUBLISHED results for the public search (index (status, published_at); unit_name/unit_code indexed)."""
    return (
        InspectionResult.objects.filter(status=ResultStatus.PUBLISHED)
        .select_related("unit", "region", "draw", "draw__task", "draw__task__lead_organization")
        .order_by("-published_at", "-id")
    )


def result_list(user, action: str = "view"):
    return InspectionResult.objects.restrict(user, action).select_related(
        "unit", "region", "draw", "draw__task", "target"
    )


def live(qs):
    """Results still to be handled: the draw is locked and the target still active."""
    return qs.filter(draw__status=DrawStatus.LOCKED, target__status=TargetStatus.ACTIVE)


def my_assigned(qs, user):
    """Results whose target's inspector group contains the user's own Inspector record."""
    return qs.filter(target__assignments__inspector__user=user).distinct()


UNCHECKED = (ResultStatus.PENDING, ResultStatus.DRAFT)


def results_to_enter(user, *, today: dt.date | None = None):
    """Results to enter now: the task's inspection window has begun (next year's work is not a to-do yet)."""
    today = today or timezone.localdate()
    qs = live(result_list(user, "enter")).filter(status__in=UNCHECKED, draw__task__window_start__lte=today)
    if not (user.has_perm("inspections.approve_inspectionresult") or user.has_perm(PERM_TRANSCRIBE)):
        qs = my_assigned(qs, user)
    return qs


def results_to_sign(user):
    """待我签名: entered results of the user's own inspector groups that the user has not signed yet."""
    if user is None or is_system(user) or not getattr(user, "is_authenticated", False):
        return InspectionResult.objects.none()
    qs = my_assigned(live(result_list(user, "enter")).filter(status=ResultStatus.DRAFT), user)
    return qs.exclude(signatures__inspector__user=user)


def unchecked_overdue(qs, today: dt.date):
    """Targets still unchecked after their task's inspection window (检查结束日期) has passed."""
    return live(qs).filter(status__in=UNCHECKED, checked_on__isnull=True, draw__task__window_end__lt=today)


def results_unchecked_overdue(user, *, today: dt.date | None = None):
    return unchecked_overdue(result_list(user), today or timezone.localdate())


def results_due_soon(user, *, workdays: int = 3, today: dt.date | None = None):
    """Unpublished results whose deadline falls within the next `workdays` working days (inclusive)."""
    today = today or timezone.localdate()
    try:
        horizon = WorkCalendar().add_workdays(today, workdays)
    except CalendarNotCovered:
        horizon = today + dt.timedelta(days=workdays + 2)
    return live(result_list(user)).filter(status__in=UNPUBLISHED, publish_due__gte=today, publish_due__lte=horizon)


def results_overdue(user, *, today: dt.date | None = None):
    today = today or timezone.localdate()
    return live(result_list(user)).filter(status__in=UNPUBLISHED, publish_due__lt=today)


def results_without_deadline(user):
    return live(result_list(user)).filter(status__in=UNPUBLISHED).exclude(publish_due_error="")


def _completion_rows(rows, today: dt.date) -> list[dict]:
    for row in rows:
        row["completion"] = round(100 * row["checked"] / row["drawn"], 1) if row["drawn"] else None
        row["overdue_now"] = row.get("window_end") is not None and row["window_end"] < today and row["unchecked"] > 0
    return rows


def _progress_counts(today: dt.date) -> dict:
    return {
        "drawn": Count("id", distinct=True),
        "checked": Count("id", filter=Q(status__in=(ResultStatus.SUBMITTED, ResultStatus.PUBLISHED)), distinct=True),
        "published": Count("id", filter=Q(status=ResultStatus.PUBLISHED), distinct=True),
        "unchecked": Count("id", filter=Q(status__in=UNCHECKED), distinct=True),
        "overdue": Count(
            "id", filter=Q(status__in=UNCHECKED, checked_on__isnull=True, draw__task__window_end__lt=today),
            distinct=True,
        ),
    }  # fmt: skip


def progress_by_task(user, *, year: int, today: dt.date | None = None) -> list[dict]:
    """完成率 per task: drawn targets (of locked draws, still active), checked (submitted or published), overdue."""
    today = today or timezone.localdate()
    rows = (
        live(result_list(user)).filter(draw__task__plan__year=year)
        .values("draw__task_id", "draw__task__code", "draw__task__name", "draw__task__window_start",
                "draw__task__window_end")
        .annotate(**_progress_counts(today))
        .order_by("draw__task__window_end", "draw__task__code")
    )  # fmt: skip
    out = [
        {"task_id": r["draw__task_id"], "code": r["draw__task__code"], "name": r["draw__task__name"],
         "window_start": r["draw__task__window_start"], "window_end": r["draw__task__window_end"],
         **{k: r[k] for k in ("drawn", "checked", "published", "unchecked", "overdue")}}
        for r in rows
    ]  # fmt: skip
    return _completion_rows(out, today)


def progress_by_inspector(user, *, year: int, today: dt.date | None = None) -> list[dict]:
    """完成率 per inspector: the targets of the groups an inspector was assigned to."""
    today = today or timezone.localdate()
    rows = (
        live(result_list(user)).filter(draw__task__plan__year=year)
        .values("target__assignments__inspector_id", "target__assignments__inspector_name",
                "target__assignments__inspector_code")
        .exclude(target__assignments__inspector_code=None)
        .annotate(**_progress_counts(today))
        .order_by("target__assignments__inspector_name", "target__assignments__inspector_code")
    )  # fmt: skip
    out = [
        {"name": r["target__assignments__inspector_name"], "code": r["target__assignments__inspector_code"],
         **{k: r[k] for k in ("drawn", "checked", "published", "unchecked", "overdue")}}
        for r in rows
    ]  # fmt: skip
    return _completion_rows(out, today)


def results_to_publish(user):
    return result_list(user, "publish").filter(status=ResultStatus.SUBMITTED)


def export_results(user):
    """Only published results, scoped to the user (national publicity-system layout)."""
    return (
        InspectionResult.objects.restrict(user, "export")
        .filter(status=ResultStatus.PUBLISHED)
        .select_related("unit", "region", "draw__task__lead_organization")
        .prefetch_related("draw__task__items__item")
        .order_by("published_at", "id")
    )


def search(qs, text: str):
    text = (text or "").strip()
    if not text:
        return qs
    return qs.filter(
        Q(unit_name__contains=text) | Q(unit_code=text.upper()) | Q(target__unit_name__contains=text)
        | Q(target__unit_code=text.upper())
    )  # fmt: skip


NOT_CHECKED_CATEGORIES = ("F", "7", "9", "10", "11", "12")  # no activity, closed, deregistered… (not a check)


def outcome_summary(results) -> dict:
    """汇总分析 of a set of results: drawn, checked, closed/no activity, problems, dispositions, published.

    `results` is any InspectionResult queryset (the portal passes published results of live draws only)."""
    done = Q(status__in=(ResultStatus.SUBMITTED, ResultStatus.PUBLISHED))
    row = results.aggregate(
        targets=Count("id"),
        closed_out=Count("id", filter=done),
        not_operating=Count("id", filter=done & Q(category__in=NOT_CHECKED_CATEGORIES)),
        no_problem=Count("id", filter=done & Q(category="1")),
        problems=Count("id", filter=done & Q(is_problem=True)),
        opinion=Count("id", filter=done & Q(disposal="opinion")),
        case=Count("id", filter=done & Q(disposal="case")),
        transfer=Count("id", filter=done & Q(disposal="transfer")),
        notify=Count("id", filter=done & Q(disposal="notify")),
        published=Count("id", filter=Q(status=ResultStatus.PUBLISHED)),
    )
    row["checked"] = row["closed_out"] - row["not_operating"]
    return row
