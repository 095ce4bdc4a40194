"""Builders for tests and the demo: enter a lottery result and have a second login confirm it; a locked draw."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shuangsuiji.accounts.models import User

from . import services
from .choices import SourceKind
from .models import Draw


def second_person(user) -> User:
    """A second approver of the same organisation (created once), to confirm what `user` entered."""
    other, created = User.objects.get_or_create(
        username=f"{user.username}-fh",
        defaults={"full_name": f"{user.full_name or user.username}（复核）", "role": user.role,
                  "organization": user.organization},
    )  # fmt: skip
    if created:
        other.set_unusable_password()
        other.save(update_fields=["password"])
    return other


def enter_and_confirm(
    draw: Draw, user, numbers: str, *, confirmer=None, now: dt.datetime | None = None, ref: str = ""
) -> Draw:
    """Enter `numbers` for every lottery source of `draw` as `user`, confirmed by `confirmer`."""
    confirmer = confirmer or second_person(user)
    for source in draw.sources.filter(kind=SourceKind.LOTTERY):
        issue = source.spec.get("issue", "")
        services.source_enter(user=user, source=source, raw_value=numbers, now=now,
                              announcement_ref=ref or f"中国福利彩票官网 开奖公告 第 {issue} 期")  # fmt: skip
        services.source_confirm(user=confirmer, source=source, raw_value=numbers, now=now)
    return draw


KL8_NUMBERS = "01 05 09 12 17 23 28 31 36 40 44 47 52 56 61 66 70 73 77 80"


def locked_draw(task, user, *, now: dt.datetime, issue: str = "2026321") -> Draw:
    """Freeze at `now` (explicit: the draw's commitment and seed depend on it) → enter the 快乐8 result of
    that evening → witness → lock after the lottery draw."""
    local = timezone.localtime(now)
    day = local.date() if local.hour < 21 else local.date() + dt.timedelta(days=1)
    sources = services.build_sources(lottery={"game": "kl8", "issue": issue, "draw_date": day})
    draw = services.draw_freeze(user=user, task=task, sources=sources, now=now)
    after = timezone.make_aware(dt.datetime.combine(day, dt.time(22, 0)))
    enter_and_confirm(draw, user, KL8_NUMBERS, now=after)
    draw = services.draw_run(user=user, draw=draw, now=after)
    services.witness_add(user=user, draw=draw, name="赵纪检", organization="县纪委监委派驻纪检组", role="discipline")
    return services.draw_lock(user=user, draw=draw, now=after)
