"""core.W001: from November on, next year's holidays must be maintained (dates passed explicitly)."""

import datetime as dt

import pytest

from shuangsuiji.core.checks import year_to_confirm
from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.core.services import calendar_year_confirm

pytestmark = pytest.mark.django_db


def test_asks_for_an_uncovered_next_year_only_from_november():
    assert year_to_confirm(dt.date(2040, 10, 31)) is None  # too early to ask
    assert year_to_confirm(dt.date(2040, 11, 1)) == 2041  # outside the holiday package, not maintained
    calendar_year_confirm(user=SYSTEM, year=2041, source="国务院办公厅通知（测试）")
    assert year_to_confirm(dt.date(2040, 11, 1)) is None
