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
        .prefetch_related("cases", Prefetch("documents", queryset=IssuedDocument.objects.order_by("kind", "pk")
                                            .prefetch_related("prints")))
        .order_by("target__stratum", "target__rank")
    )  # fmt: skip


def issued_documents(user):
    return IssuedDocument.objects.restrict(user, "view").select_related("organization", "result")


def outbound_status(user) -> dict:
    """省级平台上报 in the user's scope: deliveries by status, published results never sent (or whose newest
    version is not sent yet), and the latest failures."""
    from django.db.models import Count, Exists, OuterRef

    from .models import OutboundDelivery

    results = InspectionResult.objects.restrict(user, "view").filter(status="published")
    rows = OutboundDelivery.objects.filter(result__in=results)
    counts = dict(rows.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    sent = OutboundDelivery.objects.filter(
        result=OuterRef("pk"), version=OuterRef("version"), status=OutboundDelivery.Status.DELIVERED
    )
    return {
        "delivered": counts.get(OutboundDelivery.Status.DELIVERED, 0),
        "failed": counts.get(OutboundDelivery.Status.FAILED, 0),
        "unsent": results.exclude(Exists(sent)).count(),
        "failures": list(
            rows.filter(status=OutboundDelivery.Status.FAILED).select_related("result").order_by("-pk")[:50]
        ),
        "last_delivered": rows.filter(status=OutboundDelivery.Status.DELIVERED).order_by("-delivered_at").first(),
    }


def document_print(user, pk):
    """One archived print, if its document is in the user's scope (None otherwise)."""
    from .models import DocumentPrint

    return DocumentPrint.objects.filter(
        pk=pk, document__in=IssuedDocument.objects.restrict(user, "view")
    ).select_related("document").first()
