"""Demo: 高青县 annual plan of the current year (published) with four tasks, two completed public draws,
one draw waiting for tonight's lottery, and one task left ready for a demo user to draw; plus a 沂源 draft plan.

Every date is relative to the day of loading (context["today"]), so the demo loads in any year: the
completed draws took place 26 and 22 days before it, the open tasks run from a few days after it to the end
of the year. The completed draws announce 快乐8 issues of those days and use **made-up numbers**
(演示数据，开奖号码为虚构); everything else goes through the real services and fairdraw, so the
downloaded manifests verify with `python -m shuangsuiji.fairdraw.verify`.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shuangsuiji.accounts.models import User
from shuangsuiji.demo.registry import demo_loader
from shuangsuiji.directory.models import BusinessLine, InspectionItem, RegulatedUnit
from shuangsuiji.draws import services as draw_services
from shuangsuiji.draws.testing import enter_and_confirm, second_person
from shuangsuiji.regions.models import Region

from . import services, testing
from .choices import RegionRule, StratifyBy, TaskKind
from .models import AnnualPlan

BEIJING = dt.timezone(dt.timedelta(hours=8))


def _issue(day: dt.date) -> str:
    """A 快乐8 issue number of that day (year + day of the year; the demo's numbers are made up anyway)."""
    return f"{day:%Y}{day:%j}"


def _in_year(day: dt.date, year: int) -> dt.date:
    return min(max(day, dt.date(year, 1, 1)), dt.date(year, 12, 31))


def _window(start: dt.date, days: int, year: int) -> dict:
    """A task's inspection window of about `days` days from `start`, kept inside the plan year."""
    first = _in_year(start, year)
    return {"window_start": first, "window_end": max(first, _in_year(start + dt.timedelta(days=days), year))}


def _item(line: str):
    return (
        InspectionItem.objects.filter(region__code="370322", status="published", business_line__code=line)
        .order_by("code")
        .first()
    )


def _numbers(rng) -> str:
    return " ".join(f"{n:02d}" for n in sorted(rng.sample(range(1, 81), 20)))


def _fallback_directory(orgs, stdout) -> None:
    """Only when the directory demo did not run: a small pool so plans and draws still work."""
    region = Region.objects.get(code="370322")
    testing.make_units(region, 120, lines=("ggcs", "yys", "xxws", "yljg"), name="演示单位")
    testing.make_inspectors(orgs["gq_agency"], 12, lines=("ggcs", "yys", "xxws", "yljg", "crb"))
    stdout.write("  未找到一单两库演示数据，已生成 120 个演示检查对象和 12 名执法人员")


def _add_items(task, author, org, entries) -> None:
    for line, fallback in entries:
        item = _item(line) if line else None
        services.task_item_add(user=author, task=task, organization=org, item=item, item_name="" if item else fallback)


def _completed_draw(task, rng, *, leader, issue: str, day: dt.date, witness: str, substitute: bool = False):
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
    if substitute:
        target = draw.targets.filter(role="selected").order_by("stratum", "rank").first()
        draw_services.target_substitute(user=leader, target=target, reason="检查人员到场核实：该单位已停业（演示）")
    return draw


@demo_loader(200, "年度计划与抽取")
def load_plans(context, stdout):
    orgs, today = context["orgs"], context["today"]
    year = today.year
    first_day, second_day = today - dt.timedelta(days=26), today - dt.timedelta(days=22)  # the completed draws
    if AnnualPlan.objects.filter(organization=orgs["gq_bureau"], year=year).exists():
        stdout.write("  年度计划演示数据已存在，跳过")
        return
    rng = context["rng"]
    if not RegulatedUnit.objects.filter(region__code="370322").exists():
        _fallback_directory(orgs, stdout)
    author = User.objects.get(username="gq_inspector")
    leader = User.objects.get(username="gq_leader")
    bureau, market = orgs["gq_bureau"], orgs["gq_market"]

    plan = services.plan_create(  # the 科室负责人 opens the plan; the 执法人员 drafts its tasks
        user=leader, year=year, title=f"高青县卫生健康局{year}年度“双随机、一公开”抽查工作计划", organization=bureau,
        description="依据《山东省卫生健康“双随机、一公开”监管工作实施方案》和国家随机监督抽查计划编制；"
                    "重点单位、投诉举报多、信用风险高的对象提高抽查比例；能联合的事项与市场监管部门联合开展，"
                    "做到“进一次门、查多项事”。",
    )  # fmt: skip
    common = {"lead_organization": bureau, "substitutes": 3, "default_min": 1, "group_size": 2,
              "region_rule": RegionRule.ANY}  # fmt: skip
    ggcs = services.task_create(
        user=author, plan=plan, name="公共场所卫生双随机抽查", stratify_by=StratifyBy.RISK, default_rate=3,
        **_window(first_day + dt.timedelta(days=1), 48, year),
        business_lines=BusinessLine.objects.filter(code="ggcs"), **common,
    )  # fmt: skip
    _add_items(ggcs, author, bureau, [("ggcs", "公共场所卫生监督抽查")])
    services.task_apply_suggestion(user=author, task=ggcs, source="gaoqing")
    yys = services.task_create(
        user=author, plan=plan, name="生活饮用水卫生双随机抽查", stratify_by=StratifyBy.NONE, default_rate=10,
        **_window(second_day + dt.timedelta(days=1), 49, year), exclude_inspected_days=180,
        business_lines=BusinessLine.objects.filter(code="yys"), **common,
    )  # fmt: skip
    _add_items(yys, author, bureau, [("yys", "生活饮用水卫生监督抽查")])
    services.task_apply_suggestion(user=author, task=yys, source="gaoqing")
    joint = services.task_create(
        user=author, plan=plan, name="学校卫生与学校食堂食品安全联合抽查", kind=TaskKind.JOINT,
        stratify_by=StratifyBy.NONE, default_rate=20, **_window(today + dt.timedelta(days=4), 366, year),
        business_lines=BusinessLine.objects.filter(code="xxws"),
        note="卫生健康部门发起，市场监管部门配合；每所学校一次入校完成全部事项。", **common,
    )  # fmt: skip
    _add_items(joint, author, bureau, [("xxws", "学校卫生监督抽查"), ("crb", "学校传染病防控抽查")])
    _add_items(joint, author, market, [("", "学校食堂食品安全监督检查"), ("", "校园周边食品经营者监督检查")])
    yljg = services.task_create(
        user=author, plan=plan, name="医疗机构依法执业双随机抽查", stratify_by=StratifyBy.RISK, default_rate=5,
        **_window(today + dt.timedelta(days=4), 366, year),
        business_lines=BusinessLine.objects.filter(code="yljg"), **common,
    )  # fmt: skip
    _add_items(yljg, author, bureau, [("yljg", "医疗机构依法执业监督抽查")])
    services.task_apply_suggestion(user=author, task=yljg, source="risk")
    services.plan_transition(user=author, plan=plan, action="submit")
    services.plan_transition(user=leader, plan=plan, action="approve", text="同意，按计划组织实施")
    services.plan_transition(user=leader, plan=plan, action="publish")

    done = [
        _completed_draw(ggcs, rng, leader=leader, issue=_issue(first_day), day=first_day, witness="赵纪检",
                        substitute=True),
        _completed_draw(yys, rng, leader=leader, issue=_issue(second_day), day=second_day, witness="赵纪检"),
    ]  # fmt: skip
    # One draw waiting for the next 快乐8 draw (enter the numbers after 21:30 Beijing time). It is frozen now,
    # at the real time of loading: its lottery draw must still be ahead.
    now = timezone.localtime()
    day = now.date() if now.hour < 21 else now.date() + dt.timedelta(days=1)
    sources = draw_services.build_sources(lottery={"game": "kl8", "issue": _issue(day), "draw_date": day})
    waiting = draw_services.draw_freeze(user=leader, task=yljg, sources=sources)

    # 沂源: a draft plan, invisible to 高青 users.
    yy_author = User.objects.filter(username="yy_leader").first()
    yy_plan = services.plan_create(user=yy_author, year=year, title=f"沂源县卫生健康局{year}年度抽查工作计划（草稿）",
                                   organization=orgs["yy_bureau"])  # fmt: skip
    services.task_create(
        user=yy_author, plan=yy_plan, name="公共场所卫生双随机抽查", stratify_by=StratifyBy.RISK, default_rate=5,
        **_window(today + dt.timedelta(days=4), 366, year), lead_organization=orgs["yy_bureau"],
    )  # fmt: skip
    stdout.write(
        f"  {plan.title}：{plan.tasks.count()} 项任务；已完成抽取 "
        + "、".join(f"{d.code}（抽中 {d.targets.filter(role='selected').count()} 户）" for d in done)
        + f"；{waiting.code} 待录入 {day:%m月%d日} 快乐8 开奖号码"
        + f"；待抽取：{joint.code} {joint.name}"
    )
