"""Demo: results for the completed 高青 draws of the draws demo (order 250).

Each assigned inspector gets a login (username zf_<inspector id>, demo password) so both signatures go
through the real service. Mix: most results published (未发现问题 majority, some 发现问题 to be ordered to
rectify, a few to be fined, one to be transferred), one submitted awaiting publication, one draft, the rest
未检查. Their follow-up (责令整改, 立案处罚, 移送) is the cases demo (cases/demo.py, order 350), which gets
those results in context["demo_followups"].
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shuangsuiji.accounts import services as account_services
from shuangsuiji.accounts.demo import DEMO_PASSWORD
from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.roles import Role
from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.core.registry import demo_loader
from shuangsuiji.directory.models import InspectionItem, Inspector, RegulatedUnit
from shuangsuiji.draws.models import Draw, InspectorAssignment
from shuangsuiji.plans.choices import InspectionType
from shuangsuiji.plans.models import AnnualPlan, Task
from shuangsuiji.plans.selectors import random_coverage
from shuangsuiji.regions.models import Region

from . import demo_checklists, services
from .choices import ResultStatus
from .models import ChecklistTemplate, InspectionResult

BASE_QUESTIONS = [
    {
        "text": "执法人员不少于两人，具有行政执法资格",
        "basis": "《中华人民共和国行政处罚法》第四十二条",
        "key_point": True,
    },
    {
        "text": "检查时主动出示执法证件，告知检查事项和当事人的权利义务",
        "basis": "《中华人民共和国行政处罚法》第五十五条",
    },
    {"text": "*现场检查其他情况", "kind": "text", "required": False},
]


def _checklists() -> None:
    """The city's 通用检查表, and one 检查表 per demo 抽查事项 kept at the item's own level (province or city):
    the counties' claimed copies and later versions find them through the item's lineage."""
    if ChecklistTemplate.objects.exists():
        return
    city = Region.objects.get(code="370300")
    base = ChecklistTemplate(name="双随机检查通用检查表", region=city)
    services.checklist_save(
        user=SYSTEM,
        template=base,
        questions=[{**q, "text": q["text"].lstrip("*")} for q in BASE_QUESTIONS],
    )
    items = InspectionItem.objects.filter(claimed_from__isnull=True, region__isnull=False, version=1)
    for item in items.select_related("region").order_by("code"):
        rows = demo_checklists.question_rows(item.code.removeprefix("SD-"))
        if rows:
            template = ChecklistTemplate(name=f"{item.name}检查表", region=item.region, item=item)
            services.checklist_save(user=SYSTEM, template=template, questions=rows)


def _login_for(inspector) -> User:
    if inspector.user_id:
        return inspector.user
    username = f"zf_{inspector.pk:03d}"
    user = User.objects.filter(username=username).first() or account_services.user_create(
        user=SYSTEM,
        username=username,
        password=DEMO_PASSWORD,
        full_name=inspector.name,
        role=Role.INSPECTOR,
        organization=inspector.organization,
    )
    inspector.user = user
    inspector.save(update_fields=["user"])
    return user


def _team(result) -> list[User]:
    assignments = InspectorAssignment.objects.filter(target=result.target).select_related("inspector__user")
    return [_login_for(a.inspector) for a in assignments][:2]


def _enter(result, day: dt.date, category: str, *, findings="", disposal="", reasons=(), sign=True):
    first, second = _team(result)
    services.materialise_checklist(result)
    answers = {
        a.pk: ("no" if category in "AE" and n == 2 else "yes", "")
        for n, a in enumerate(result.answers.all())
        if a.kind == "check"
    }
    data = {
        "category": category,
        "checked_on": day,
        "methods": ["onsite"],
        "findings": findings,
        "disposal": disposal or ("none" if category == "1" else ""),
        "problem_reasons": list(reasons),
    }
    result = services.result_save(user=first, result=result, data=data, answers=answers)
    if sign:
        services.result_sign(user=first, result=result)
        result = services.result_sign(user=second, result=result)
    return result


@demo_loader(300, "检查结果与后续处置")
def load_results(context, stdout):
    if InspectionResult.objects.exclude(status=ResultStatus.PENDING).exists():
        stdout.write("  检查结果演示数据已存在，跳过")
        return
    leader = User.objects.filter(username="gq_leader").first()
    draws = list(Draw.objects.filter(status="locked", region__code="370322").order_by("locked_at"))
    if leader is None or not draws:
        stdout.write("  没有已锁定的抽取（年度计划与抽取演示未运行），跳过")
        return
    _checklists()
    today = timezone.localdate()
    results = []
    for draw in draws:
        services.results_open_for_draw(draw=draw, user=leader)
        results += list(
            InspectionResult.objects.filter(draw=draw, target__status="active").select_related("draw").order_by("id")
        )

    def day_after(result, n):
        """A check date after the lock, inside the task's 检查时间 (the service refuses any other), not after today."""
        task = result.draw.task
        start = max(timezone.localdate(result.draw.locked_at), task.window_start)
        return min(start + dt.timedelta(days=n), today, task.window_end)

    n = len(results)
    plan = ["pending"] * n
    published_share = int(n * 0.7)
    for i in range(published_share):
        plan[i] = "1"
    if n >= 8:
        plan[1] = plan[4] = "E"
        plan[2] = "penalty"
        plan[3] = "transfer"
        plan[5] = "E_overdue"
        plan[6] = "penalty_overdue"
        plan[published_share] = "submitted"
        plan[published_share + 1] = "draft" if published_share + 1 < n else plan[published_share + 1]

    publish, later = [], []
    for i, (result, kind) in enumerate(zip(results, plan, strict=True)):
        day = day_after(result, 1 + i % 6)
        if kind == "pending":
            continue
        if kind == "draft":
            _enter(result, day, "1", sign=False)
        elif kind in ("1", "submitted"):
            result = _enter(result, day, "1")
            if kind == "1":
                publish.append(result)
        elif kind.startswith("E"):
            result = _enter(
                result, day, "E", findings="部分顾客用品用具未做到一客一换一消毒，已当场责令改正", disposal="opinion"
            )
            publish.append(result)
            later.append((kind, result, day))
        else:
            finding = "未取得有效卫生许可证擅自营业" if kind.startswith("penalty") else "发现涉嫌非法行医线索"
            result = _enter(
                result,
                day,
                "A",
                findings=finding,
                disposal="case" if kind.startswith("penalty") else "transfer",
                reasons=["H"],
            )
            publish.append(result)
            later.append((kind, result, day))
    if publish:
        services.result_publish(user=leader, results=publish)

    context["demo_followups"] = later  # (kind, result, day): the follow-up is the cases demo (cases/demo.py)
    counts = {s.label: InspectionResult.objects.filter(status=s).count() for s in ResultStatus}
    stdout.write("  检查结果：" + "，".join(f"{k} {v}" for k, v in counts.items()) + "；执法人员账号 zf_<编号>")


@demo_loader(310, "上级下达任务与非随机检查")
def load_task_types(context, stdout):
    """One 上级下达 task (the province drew three 高青 units; one result published) and two 非随机检查: a complaint
    about a unit already in a random check (allowed, with the 高青 warning) and a 转办交办 case (issue #15 point 1)."""
    if Task.objects.exclude(inspection_type__in=(InspectionType.DAILY_RANDOM, InspectionType.KEY)).exists():
        stdout.write("  上级下达任务与非随机检查演示数据已存在，跳过")
        return
    leader = User.objects.filter(username="gq_leader").first()
    plan = AnnualPlan.objects.filter(region__code="370322", status="published").order_by("-year").first()
    if leader is None or plan is None:
        stdout.write("  没有高青县已公布的年度计划，跳过")
        return
    today = context.get("today") or timezone.localdate()
    year = plan.year
    start = min(max(today - dt.timedelta(days=20), dt.date(year, 1, 1)), dt.date(year, 12, 31))
    end = dt.date(year, 12, 31)
    units = RegulatedUnit.objects.filter(region__code="370322", status="active").order_by("pk")
    covered = random_coverage(units.values("pk"), year)
    free = [u for u in units.filter(business_lines__code="ggcs").distinct() if u.pk not in covered]
    officers = list(
        Inspector.objects.filter(organization__region__code="370322", active=True, assist_only=False)
        .exclude(cert_no="").order_by("pk")
    )  # fmt: skip
    if len(free) < 5 or len(officers) < 4:
        stdout.write("  检查对象或执法人员不足，跳过")
        return
    item = InspectionItem.objects.filter(status="published", business_line__code="ggcs").order_by("-region_id").first()
    _task, draw = services.upper_task_import(
        user=leader, plan=plan, items=[item] if item else [], default_group=officers[2:4],
        task_data={
            "name": f"{year}年国家随机监督抽查（公共场所卫生）", "upper_level": "province",
            "upper_authority": "山东省卫生健康委员会", "upper_task_no": f"鲁卫监督抽〔{year}〕5号",
            "lead_organization": plan.organization, "window_start": start, "window_end": end,
        },
        records=[
            {"credit_code": free[0].credit_code, "cert_nos": [officers[0].cert_no, officers[1].cert_no]},
            {"credit_code": free[1].credit_code}, {"name": free[2].name},
        ],
    )  # fmt: skip
    first = InspectionResult.objects.filter(draw=draw).order_by("target__rank").first()
    published = _enter(first, min(today, end), "1")
    services.result_publish(user=leader, results=[published])
    window = {"window_start": min(max(today - dt.timedelta(days=5), start), end),
              "window_end": min(today + dt.timedelta(days=10), end)}  # fmt: skip
    complaint_unit = RegulatedUnit.objects.filter(pk__in=list(covered)).order_by("pk").first() or free[3]
    _result, warning = services.non_random_check_record(
        user=leader, plan=plan, unit=complaint_unit, check_reason="complaint", check_source=f"12345-{year}-0815",
        inspectors=officers[:2], lead_organization=plan.organization, note="群众反映该店毛巾未消毒", **window,
    )  # fmt: skip
    services.non_random_check_record(
        user=leader, plan=plan, unit=free[4], check_reason="referral", check_source=f"淄卫转〔{year}〕12号",
        inspectors=officers[2:4], lead_organization=plan.organization, note="市卫生健康委转办", **window,
    )  # fmt: skip
    note = "（其中 1 件单位已纳入随机抽查，已提示）" if warning else ""
    stdout.write(f"  上级下达任务 1 个（检查对象 3 户，公示 1 户）；非随机检查 2 件{note}")
