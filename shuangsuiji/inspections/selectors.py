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


def assigned_inspector(user, target) -> Inspector | None:
    """The user's own Inspector record if it is in the target's inspector group."""
    if user is None or is_system(user) or not getattr(user, "is_authenticated", False):
        return None
    return Inspector.objects.filter(user=user, draw_assignments__target=target).first()


def can_enter(user, result: InspectionResult) -> bool:
    """May `user` enter (录入) this result: the target's inspector group, or an approver of the region."""
    if user is None or not user.has_perm(PERM_ENTER) or not in_scope(user, result):
        return False
    return user.has_perm(PERM_APPROVE) or assigned_inspector(user, result.target) is not None


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


def results_to_enter(user):
    qs = live(result_list(user, "enter")).filter(status__in=(ResultStatus.PENDING, ResultStatus.DRAFT))
    if not user.has_perm("inspections.approve_inspectionresult"):
        qs = my_assigned(qs, user)
    return qs


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
