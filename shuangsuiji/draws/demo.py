"""Demo: the draws of the 高青 plan that the plans demo (order 200) hands over in context["demo_tasks"]: two
completed public draws, one draw waiting for tonight's lottery, and one task left ready for a demo user to draw.

Every date is relative to the day of loading (context["today"]): the completed draws took place 26 and 22 days
before it; in the first, a unit found closed at loading is replaced by its substitute, which takes over the group
(递补); then one member of that group is replaced by the random order (illness) and an expert is drawn for it.
They announce 快乐8 issues of those days and use **made-up numbers** (演示数据，开奖号码为虚构);
everything else goes through the real services and fairdraw, so the downloaded manifests verify with
`python -m shuangsuiji.fairdraw.verify`.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shuangsuiji.accounts.models import User
from shuangsuiji.core.registry import demo_loader

from . import services as draw_services
from .testing import enter_and_confirm, second_person

BEIJING = dt.timezone(dt.timedelta(hours=8))


def _issue(day: dt.date) -> str:
    """A 快乐8 issue number of that day (year + day of the year; the demo's numbers are made up anyway)."""
    return f"{day:%Y}{day:%j}"


def _numbers(rng) -> str:
    return " ".join(f"{n:02d}" for n in sorted(rng.sample(range(1, 81), 20)))


def _completed_draw(task, rng, *, leader, issue: str, day: dt.date, witness: str, substitute_at=None):
    t0 = dt.datetime.combine(day, dt.time(10, 0), tzinfo=BEIJING)
    sources = draw_services.build_sources(lottery={"game": "kl8", "issue": issue, "draw_date": day})
    draw = draw_services.draw_freeze(user=leader, task=task, sources=sources, now=t0)
    t1 = dt.datetime.combine(day, dt.time(21, 45), tzinfo=BEIJING)
    confirmer = User.objects.filter(username="admin").first() or second_person(leader)
    enter_and_confirm(draw, leader, _numbers(rng), confirmer=confirmer, now=t1,
                      ref=f"中国福利彩票官网（www.cwl.gov.cn）快乐8 第 {issue} 期开奖公告")  # fmt: skip
    draw = draw_services.draw_run(user=leader, draw=draw, now=t1)
    draw_services.witness_add(user=leader, draw=draw, name=witness, organization="县纪委监委派驻县卫生健康局纪检监察组",
                              role="discipline", note="现场监督抽取全过程")  # fmt: skip
    draw_services.witness_add(user=leader, draw=draw, name="孙法制", organization="县卫生健康局法规监督科",
                              role="legal")  # fmt: skip
    draw = draw_services.draw_lock(user=leader, draw=draw, now=t1 + dt.timedelta(minutes=20))
    if substitute_at is not None:  # the 递补 is recorded at the time of loading (its record time is the real one)
        target = draw.targets.filter(role="selected").order_by("stratum", "rank").first()
        draw_services.target_substitute(user=leader, target=target, reason="检查人员到场核实：该单位已停业（演示）")
        _after_draw(draw, leader, confirmer, substitute=draw.targets.get(replaces=target), now=substitute_at)
    return draw


def _after_draw(draw, leader, confirmer, *, substitute, now: dt.datetime) -> None:
    """Issue #15 point 6 on the 递补 unit: one member replaced by the next eligible inspector of its committed random
    order (re-checkable with replacements.json, spec §8.7, including the group's move by the 递补) and one expert
    drawn from the seed (§8.8)."""
    member = substitute.assignments.order_by("inspector_code").first()
    if member is None:
        return
    change = draw_services.inspector_replace(
        user=leader, target=substitute, inspector=member.inspector, reason_kind="illness",
        reason="因急性阑尾炎住院手术，检查期间无法到岗（演示）", now=now,
    )  # fmt: skip
    if change.status == "pending":  # beyond 15% of the groups: the approver signs off
        draw_services.inspector_change_decide(user=confirmer, change=change, approve=True, note="情况属实，同意更换",
                                              now=now)  # fmt: skip
    if draw_services.expert_candidates(draw, substitute).exists():
        draw_services.expert_draw(user=leader, target=substitute, now=now)


@demo_loader(250, "随机抽取")
def load_draws(context, stdout):
    tasks = context.get("demo_tasks")
    if not tasks:
        stdout.write("  年度计划演示数据已存在或未载入，跳过")
        return
    rng, today = context["rng"], context["today"]
    first_day, second_day = today - dt.timedelta(days=26), today - dt.timedelta(days=22)
    leader = User.objects.get(username="gq_leader")
    done = [
        _completed_draw(tasks["ggcs"], rng, leader=leader, issue=_issue(first_day), day=first_day, witness="赵纪检",
                        substitute_at=timezone.now()),
        _completed_draw(tasks["yys"], rng, leader=leader, issue=_issue(second_day), day=second_day, witness="赵纪检"),
    ]  # fmt: skip
    # One draw waiting for the next 快乐8 draw (enter the numbers after 21:30 Beijing time). It is frozen now,
    # at the real time of loading: its lottery draw must still be ahead.
    now = timezone.localtime()
    day = now.date() if now.hour < 21 else now.date() + dt.timedelta(days=1)
    sources = draw_services.build_sources(lottery={"game": "kl8", "issue": _issue(day), "draw_date": day})
    waiting = draw_services.draw_freeze(user=leader, task=tasks["yljg"], sources=sources)
    joint = tasks["joint"]
    stdout.write(
        "  已完成抽取 "
        + "、".join(f"{d.code}（抽中 {d.targets.filter(role='selected').count()} 户）" for d in done)
        + f"；{waiting.code} 待录入 {day.month}月{day.day}日 快乐8 开奖号码"
        + f"；待抽取：{joint.code} {joint.name}"
    )
