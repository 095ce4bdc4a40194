"""Reads for follow-up cases (scoped)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .choices import CaseKind, CaseStatus
from .models import FollowUpCase


def case_list(user, action: str = "view"):
    return FollowUpCase.objects.restrict(user, action).select_related("unit", "region", "result", "result__draw")


def overdue_rechecks(user, *, today: dt.date | None = None):
    """责令整改 past the deadline and not yet re-checked."""
    today = today or timezone.localdate()
    return case_list(user).filter(
        kind=CaseKind.RECTIFY, status=CaseStatus.OPEN, recheck_on__isnull=True, deadline__lt=today
    )


def penalties_to_publish(user):
    return case_list(user).filter(kind=CaseKind.PENALTY, decided_on__isnull=False, published_at__isnull=True)


def penalties_overdue(user, *, today: dt.date | None = None):
    today = today or timezone.localdate()
    return penalties_to_publish(user).filter(publish_due__lt=today)


def public_penalties():
    """Published penalty information for the public portal."""
    return (
        FollowUpCase.objects.filter(kind=CaseKind.PENALTY, published_at__isnull=False)
        .select_related("unit", "region", "result__draw__task")
        .order_by("-published_at")
    )
