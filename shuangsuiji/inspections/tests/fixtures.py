"""Fixtures shared by result, follow-up and API tests: a locked 高青 draw with PENDING results."""

import datetime as dt

import pytest
from django.utils import timezone

from shuangsuiji.inspections.testing import link_users, locked_draw
from shuangsuiji.plans.tests.fixtures import gaoqing_world, yy_units  # noqa: F401

LOCK_TIME = timezone.make_aware(dt.datetime(2026, 3, 1, 10, 0))
WINDOW = {"window_start": dt.date(2026, 3, 1), "window_end": dt.date(2026, 12, 31)}  # checks from 2 March


@pytest.fixture
def gq(regions, orgs, admin_user_gq, approver_gq, inspector_gq):
    """高青 as in plans' fixture, but the task's 检查时间 starts on the lock day (results are checked in March)."""
    return gaoqing_world(regions, orgs, approver_gq, inspector_gq, **WINDOW)


@pytest.fixture
def locked(gq, approver_gq):  # noqa: F811
    """The 高青 task drawn and locked; PENDING results opened."""
    from shuangsuiji.inspections import services

    draw = locked_draw(gq["task"], approver_gq, now=LOCK_TIME)
    results = services.results_open_for_draw(draw=draw, user=approver_gq)
    return {**gq, "draw": draw, "results": results}


@pytest.fixture
def team(locked, make_user, inspector_gq):
    """The first result, with its two assigned inspectors linked to two inspector logins."""
    result = sorted(locked["results"], key=lambda r: r.pk)[0]
    second = make_user("gq_inspector2", org="gaoqing_agency")
    link_users(result.target, inspector_gq, second)
    return {"result": result, "first": inspector_gq, "second": second}
