import datetime as dt

import pytest
from django.utils import timezone

from shuangsuiji.plans.tests.fixtures import gq  # noqa: F401

LOCK_TIME = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))


@pytest.fixture(autouse=True)
def _media(media_root):
    """Draw files go to a per-test storage folder."""


@pytest.fixture
def locked(gq, approver_gq):  # noqa: F811
    """The 高青 task drawn and locked, results opened (PENDING); the first one checked with a problem."""
    from shuangsuiji.draws.testing import locked_draw
    from shuangsuiji.inspections import services
    from shuangsuiji.inspections.models import InspectionResult

    draw = locked_draw(gq["task"], approver_gq, now=LOCK_TIME)
    results = sorted(services.results_open_for_draw(draw=draw, user=approver_gq), key=lambda r: r.pk)
    InspectionResult.objects.filter(pk=results[0].pk).update(
        status="submitted", category="A", is_problem=True, checked_on=dt.date(2026, 3, 10),
        findings="从业人员健康合格证明过期 2 人", disposal="opinion", disposal_note="限期 10 日内改正",
    )  # fmt: skip
    results[0].refresh_from_db()
    return {**gq, "draw": draw, "results": results}
