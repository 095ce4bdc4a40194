"""Reads of the paperwork pages (always scoped by `restrict()`)."""

from __future__ import annotations

from django.db.models import Prefetch

from shuangsuiji.draws.choices import DrawStatus
from shuangsuiji.inspections.models import InspectionResult
from shuangsuiji.plans.models import Task

from .models import IssuedDocument


def tasks_with_draws(user):
    """Tasks with a locked draw, newest plan year first."""
    return (
        Task.objects.restrict(user, "view").filter(draws__status=DrawStatus.LOCKED)
        .select_related("plan").distinct().order_by("-plan__year", "code")
    )  # fmt: skip


def task_results(user, task):
    """The task's results (active targets of the live draw) with their cases and documents."""
    return (
        InspectionResult.objects.restrict(user, "view")
        .filter(draw__task=task, target__status="active").exclude(draw__status=DrawStatus.CANCELLED)
        .select_related("unit", "target")
        .prefetch_related("cases", Prefetch("documents", queryset=IssuedDocument.objects.order_by("kind", "pk")))
        .order_by("target__stratum", "target__rank")
    )  # fmt: skip


def issued_documents(user):
    return IssuedDocument.objects.restrict(user, "view").select_related("organization", "result")
