"""Builders for tests, the browser test and the demo: a locked draw of a task, inspectors linked to users."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shuangsuiji.directory.models import Inspector
from shuangsuiji.draws import services as draw_services
from shuangsuiji.draws.models import Draw, InspectorAssignment
from shuangsuiji.draws.testing import enter_and_confirm

KL8_NUMBERS = "01 05 09 12 17 23 28 31 36 40 44 47 52 56 61 66 70 73 77 80"


def locked_draw(task, user, *, now: dt.datetime, issue: str = "2026321") -> Draw:
    """Freeze at `now` (explicit: the draw's commitment and seed depend on it) → enter the 快乐8 result of
    that evening → witness → lock after the lottery draw."""
    local = timezone.localtime(now)
    day = local.date() if local.hour < 21 else local.date() + dt.timedelta(days=1)
    sources = draw_services.build_sources(lottery={"game": "kl8", "issue": issue, "draw_date": day})
    draw = draw_services.draw_freeze(user=user, task=task, sources=sources, now=now)
    after = timezone.make_aware(dt.datetime.combine(day, dt.time(22, 0)))
    enter_and_confirm(draw, user, KL8_NUMBERS, now=after)
    draw = draw_services.draw_run(user=user, draw=draw, now=after)
    draw_services.witness_add(
        user=user, draw=draw, name="赵纪检", organization="县纪委监委派驻纪检组", role="discipline"
    )
    return draw_services.draw_lock(user=user, draw=draw, now=after)


def link_users(target, *users) -> list:
    """Link each user to one inspector of the target's group (the `Inspector.user` match)."""
    inspectors = []
    for assignment, user in zip(
        InspectorAssignment.objects.filter(target=target).select_related("inspector"), users, strict=False
    ):
        inspector = assignment.inspector
        Inspector.objects.filter(user=user).exclude(pk=inspector.pk).update(user=None)
        inspector.user = user
        inspector.save(update_fields=["user"])
        inspectors.append(inspector)
    return inspectors
