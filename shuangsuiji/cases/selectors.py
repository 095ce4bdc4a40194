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


def transfers_feedback_overdue(user, *, today: dt.date | None = None):
    """移送/抄告 whose feedback date has passed without feedback."""
    today = today or timezone.localdate()
    return case_list(user).filter(kind__in=(CaseKind.TRANSFER, CaseKind.NOTIFY), feedback_due__lt=today,
                                  feedback_on__isnull=True)  # fmt: skip


def public_penalties(*, today: dt.date | None = None):
    """Published penalty information for the public portal: within its publicity period and not withdrawn."""
    today = today or timezone.localdate()
    return (
        FollowUpCase.objects.filter(kind=CaseKind.PENALTY, published_at__isnull=False, withdrawn_at__isnull=True)
        .exclude(publicity_until__lt=today)
        .select_related("unit", "region", "result__draw__task")
        .order_by("-published_at")
    )


def risk_proposals_pending(user):
    from .models import RiskProposal

    return RiskProposal.objects.restrict(user, "view").filter(status="pending").select_related("unit", "case")


def objections(user, *, open_only: bool = False):
    from .models import ResultObjection

    qs = ResultObjection.objects.restrict(user, "view").select_related("result__unit", "result__draw__task")
    return qs.filter(status="open") if open_only else qs
