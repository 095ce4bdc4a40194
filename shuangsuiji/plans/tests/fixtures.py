"""Shared fixtures for plan/draw tests (imported by the conftest of each test folder)."""

import datetime as dt

import pytest
from django.utils import timezone

from shuangsuiji.plans import testing


def gaoqing_world(regions, orgs, approver_gq, inspector_gq, **task_kw) -> dict:
    """高青: 40 units (A–D), 6 inspectors, one published item, a published plan with one task (`task_kw`: its
    fields, e.g. the 检查时间)."""
    region = regions["370322"]
    units = testing.make_units(region, 40)
    inspectors = testing.make_inspectors(orgs["gaoqing_agency"], 6)
    item = testing.make_item(region)
    plan, task = testing.published_plan_with_task(
        author=inspector_gq, approver=approver_gq, organization=orgs["gaoqing"], item=item, **task_kw
    )
    return {"region": region, "units": units, "inspectors": inspectors, "item": item, "plan": plan, "task": task}


@pytest.fixture
def gq(regions, orgs, admin_user_gq, approver_gq, inspector_gq):
    return gaoqing_world(regions, orgs, approver_gq, inspector_gq)


@pytest.fixture
def yy_units(regions):
    return testing.make_units(regions["370323"], 10)


def lottery_day(now=None) -> dt.date:
    """The next 快乐8 draw day whose 21:30 (Beijing) draw is still ahead."""
    local = timezone.localtime(now or timezone.now())
    return local.date() if local.hour < 21 else local.date() + dt.timedelta(days=1)


def lottery_input(now=None):
    """A 快乐8 issue drawn on `lottery_day`, announced now."""
    return {"game": "kl8", "issue": "2026321", "draw_date": lottery_day(now)}


KL8_NUMBERS = "01 05 09 12 17 23 28 31 36 40 44 47 52 56 61 66 70 73 77 80"


def after_draw_time(now=None):
    """A moment after that day's 21:30 draw."""
    day = lottery_day(now)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(22, 0)))
