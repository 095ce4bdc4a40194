"""Demo: 高青县 annual plan of the current year (published) with four tasks; plus a 沂源 draft plan.
The draws of those tasks are the draws app's demo (draws/demo.py, which gets the tasks in context["demo_tasks"]).

Every date is relative to the day of loading (context["today"]), so the demo loads in any year: the tasks of
the completed draws start 25 and 21 days before it, the open tasks run from a few days after it to the end
of the year. The 医疗机构 task is targeted (weight formula: complaints/violations ×2, 重点单位 ×3).
"""

from __future__ import annotations

import datetime as dt

from shuangsuiji.accounts.models import User
from shuangsuiji.core.registry import demo_loader
from shuangsuiji.directory.models import BusinessLine, InspectionItem, RegulatedUnit
from shuangsuiji.regions.models import Region

from . import services, testing
from .choices import RegionRule, StratifyBy, TaskKind, WeightFormula
from .models import AnnualPlan


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


@demo_loader(200, "年度计划")
def load_plans(context, stdout):
    orgs, today = context["orgs"], context["today"]
    year = today.year
    first_day, second_day = today - dt.timedelta(days=26), today - dt.timedelta(days=22)  # the completed draws
    if AnnualPlan.objects.filter(organization=orgs["gq_bureau"], year=year).exists():
        stdout.write("  年度计划演示数据已存在，跳过")
        return
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
    # 学校卫生监督检查 covers the schools' 传染病防控 (晨检、因病缺勤追查、复课证明); the 传染病防治 item applies to
    # 医疗机构 and may not be put on a school task (issue #15 point 3)
    _add_items(joint, author, bureau, [("xxws", "学校卫生监督抽查")])
    _add_items(joint, author, market, [("", "学校食堂食品安全监督检查"), ("", "校园周边食品经营者监督检查")])
    # targeted (issue #15 point 2): units with complaints or violations twice, 重点单位 three times as likely; the
    # portal and the draw's commitment say so in a plain sentence
    yljg = services.task_create(
        user=author, plan=plan, name="医疗机构依法执业双随机抽查", stratify_by=StratifyBy.RISK, default_rate=5,
        weight_formula=WeightFormula.FLAGGED_2_KEY_3, **_window(today + dt.timedelta(days=4), 366, year),
        business_lines=BusinessLine.objects.filter(code="yljg"), **common,
    )  # fmt: skip
    _add_items(yljg, author, bureau, [("yljg", "医疗机构依法执业监督抽查")])
    services.task_apply_suggestion(user=author, task=yljg, source="risk")
    services.plan_transition(user=author, plan=plan, action="submit")
    services.plan_transition(user=leader, plan=plan, action="approve", text="同意，按计划组织实施")
    services.plan_transition(user=leader, plan=plan, action="publish")

    context["demo_tasks"] = {"ggcs": ggcs, "yys": yys, "joint": joint, "yljg": yljg}  # drawn by draws/demo.py

    # 沂源: a draft plan, invisible to 高青 users.
    yy_author = User.objects.filter(username="yy_leader").first()
    yy_plan = services.plan_create(user=yy_author, year=year, title=f"沂源县卫生健康局{year}年度抽查工作计划（草稿）",
                                   organization=orgs["yy_bureau"])  # fmt: skip
    services.task_create(
        user=yy_author, plan=yy_plan, name="公共场所卫生双随机抽查", stratify_by=StratifyBy.RISK, default_rate=5,
        **_window(today + dt.timedelta(days=4), 366, year), lead_organization=orgs["yy_bureau"],
    )  # fmt: skip
    stdout.write(f"  {plan.title}：{plan.tasks.count()} 项任务；{yy_plan.title}")
