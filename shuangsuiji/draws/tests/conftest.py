import datetime as dt

import pytest
from django.utils import timezone

from shuangsuiji.draws.testing import locked_draw
from shuangsuiji.plans.tests.fixtures import gq, yy_units  # noqa: F401


@pytest.fixture(autouse=True)
def _media(media_root):
    """Draw files go to a per-test storage folder."""


LOCK_TIME = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))


@pytest.fixture
def locked(gq, approver_gq):  # noqa: F811
    """The 高青 task drawn and locked."""
    return {**gq, "draw": locked_draw(gq["task"], approver_gq, now=LOCK_TIME)}
