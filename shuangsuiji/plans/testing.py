"""Builders for tests, the browser test and the demo: units, inspectors, a published plan with a task.

Direct ORM writes for directory rows (the directory app's own services are not needed to set up a
pool); plan/task rows go through services so their workflow and audit are exercised.

Every date is explicit (never today's): the plan year defaults to PLAN_YEAR and the task window to
1 June – 31 December of the plan year, so what a test builds (and so the draw's commitment, seed, drawn
units and inspector groups) is the same on every day the suite runs.
"""

from __future__ import annotations

import datetime as dt

from shuangsuiji.core.validators import make_credit_code, org_code_check_char
from shuangsuiji.directory.models import BusinessLine, InspectionItem, Inspector, RegulatedUnit

from . import services
from .choices import StratifyBy

PLAN_YEAR = 2026  # the year of the suite's frozen clock (conftest.FROZEN_AT)


def credit_code(region_code: str, serial: int) -> str:
    body = f"{serial:08d}"
    return make_credit_code(f"92{region_code}{body}{org_code_check_char(body)}")


def ensure_business_lines() -> None:
    """Migration 0002 seeds them; transactional tests flush tables, so re-create when missing."""
    from shuangsuiji.directory.business_lines import BUSINESS_LINES

    for order, (code, name, short) in enumerate(BUSINESS_LINES, start=1):
        BusinessLine.objects.get_or_create(code=code, defaults={"name": name, "short_name": short, "order": order})


def make_units(region, count: int, *, lines=("ggcs",), risks="ABCD", start: int = 1, name: str = "单位") -> list:
    ensure_business_lines()
    line_objs = {bl.code: bl for bl in BusinessLine.objects.filter(code__in=lines)}
    units = []
    for n in range(start, start + count):
        unit = RegulatedUnit.objects.create(
            credit_code=credit_code(region.code, n), name=f"{region.name}{name}{n:03d}", region=region,
            risk_level=risks[n % len(risks)] if risks else "",
        )  # fmt: skip
        unit.business_lines.set([line_objs[lines[n % len(lines)]]])
        units.append(unit)
    return units


def make_inspectors(organization, count: int, *, lines=("ggcs",), start: int = 1, valid_to=None) -> list:
    line_objs = list(BusinessLine.objects.filter(code__in=lines))
    out = []
    for n in range(start, start + count):
        inspector = Inspector.objects.create(
            name=f"执法{n:02d}", cert_no=f"{organization.region.code}{n:04d}", organization=organization,
            cert_valid_from=dt.date(2020, 1, 1), cert_valid_to=valid_to or dt.date(2030, 12, 31),
        )  # fmt: skip
        inspector.specialties.set(line_objs)
        out.append(inspector)
    return out


def make_item(region, *, code: str = "GQ-GGCS-01", line: str = "ggcs", name: str = "公共场所卫生监督抽查"):
    return InspectionItem.objects.create(
        code=code, business_line=BusinessLine.objects.get(code=line), name=name, target="公共场所经营单位",
        legal_basis="《公共场所卫生管理条例》", responsible_body="县卫生健康局", content="卫生许可、从业人员健康证明等",
        default_ratio=5, level="county", region=region, status="published",
    )  # fmt: skip


def task_data(plan, organization, **overrides) -> dict:
    year = plan.year
    data = {
        "name": "公共场所卫生双随机抽查",
        "lead_organization": organization,
        "stratify_by": StratifyBy.RISK,
        "default_rate": 20,
        "default_min": 1,
        "substitutes": 3,
        "window_start": dt.date(year, 6, 1),
        "window_end": dt.date(year, 12, 31),
        "group_size": 2,
        "business_lines": list(BusinessLine.objects.filter(code="ggcs")),
    }
    data.update(overrides)
    return data


def published_plan_with_task(*, author, approver, organization, item=None, year: int = PLAN_YEAR, **task_kw):
    """A plan taken through submit → approve → publish, with one task holding `item` (the approver opens the
    plan — 执法人员 may not create plans — and `author` drafts the task and submits)."""
    plan = services.plan_create(
        user=approver, year=year, title=f"{year}年度双随机抽查工作计划", organization=organization
    )
    task = services.task_create(user=author, plan=plan, **task_data(plan, organization, **task_kw))
    services.task_item_add(
        user=author, task=task, organization=organization, item=item, item_name="" if item else "公共场所卫生"
    )
    for user, action in ((author, "submit"), (approver, "approve"), (approver, "publish")):
        plan = services.plan_transition(user=user, plan=plan, action=action)
    task.refresh_from_db()
    return plan, task
