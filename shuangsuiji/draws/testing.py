"""Builders for tests and the demo: enter a lottery result and have a second login confirm it."""

from __future__ import annotations

import datetime as dt

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
