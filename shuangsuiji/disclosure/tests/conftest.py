import datetime as dt

import pytest
from django.utils import timezone

from shuangsuiji.plans.tests.fixtures import gq, yy_units  # noqa: F401

LOCK_TIME = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))


@pytest.fixture
def locked(gq, approver_gq):  # noqa: F811
    """The 高青 task drawn and locked (with results opened as PENDING)."""
    from shuangsuiji.draws.testing import locked_draw
    from shuangsuiji.inspections import services

    draw = locked_draw(gq["task"], approver_gq, now=LOCK_TIME)
    results = services.results_open_for_draw(draw=draw, user=approver_gq)
    return {**gq, "draw": draw, "results": results}


def publish(results, *, category="1", problem=False, checked_on=dt.date(2026, 3, 10), due=dt.date(2026, 4, 8),
            published_at=None):  # fmt: skip
    """Mark results published (test set-up only; the app publishes through inspections.services)."""
    from shuangsuiji.inspections.models import InspectionResult

    for r in results:
        InspectionResult.objects.filter(pk=r.pk).update(
            status="published", category=category, is_problem=problem, checked_on=checked_on, publish_due=due,
            published_at=published_at or timezone.make_aware(dt.datetime(2026, 3, 20, 9, 0)),
            unit_name=r.target.unit_name, unit_code=r.target.unit_code,
        )  # fmt: skip


@pytest.fixture(autouse=True)
def _media(media_root):
    """Draw files go to a per-test storage folder."""
