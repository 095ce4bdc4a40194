"""Files for reporting upward and outward, in documented layouts (field mapping: docs/reporting-exports.md).

* 国家企业信用信息公示系统 — 双随机抽查结果信息 (official-formats §6.2, one row per 检查事项) and the 抽查检查结果
  columns (§6.1: 检查实施机关, 类型, 日期, 结果), keyed by 统一社会信用代码;
* 卫生健康监督信息报告系统 — the 案件查处 个案 card (卫统22表 family, §7.3): one row per penalty case, with
  报告单位 / 报告人 / 报告日期.

Only published results and published penalties leave the platform.
"""

from __future__ import annotations

import datetime as dt

from shuangsuiji.core.formats import local_date
from shuangsuiji.imports.spreadsheets import write_xlsx
from shuangsuiji.inspections.choices import ProblemReason
from shuangsuiji.inspections.models import InspectionResult
from shuangsuiji.plans.choices import InspectionType

GSXT_HEADERS = [
    "抽查计划编号", "抽查计划名称", "抽查任务编号", "抽查任务名称", "抽查类型", "抽查机关", "抽查完成日期",
    "企业名称", "统一社会信用代码", "检查事项", "检查结果", "结果代码", "公示日期",
]  # fmt: skip
CASE_CARD_HEADERS = [
    "被查处单位", "统一社会信用代码", "注册地址", "行政区划代码", "法定代表人（负责人）", "专业类别", "案件来源",
    "违法事实", "行政处罚决定书文号", "处罚决定日期", "处罚内容", "罚款金额（元）", "移送司法机关", "结案日期",
    "报告单位", "报告人", "报告日期",
]  # fmt: skip


def _result_text(r) -> str:
    text = r.get_category_display()
    if r.problem_reasons:
        text += "（" + "、".join(ProblemReason(c).label for c in r.problem_reasons) + "）"
    return text


def gsxt_rows(results) -> list[list]:
    """双随机抽查结果信息 rows: one per (result, 检查事项)."""
    rows = []
    for r in results.select_related("unit", "draw__task__plan", "draw__task__lead_organization__region__parent"):
        task, plan = r.draw.task, r.draw.task.plan
        items = [ti.item_name or (ti.item.name if ti.item_id else "") for ti in task.items.all()] or [task.name]
        for item in items:
            rows.append([
                f"{plan.region.code}-{plan.year}-{plan.pk}", plan.title, task.code, task.name, task.get_kind_display(),
                task.lead_organization.full_name, r.checked_on.isoformat() if r.checked_on else "",
                r.unit_name or r.unit.name, r.unit_code or r.unit.credit_code, item, _result_text(r), r.category,
                r.published_at.date().isoformat() if r.published_at else "",
            ])  # fmt: skip
    return rows


def gsxt_xlsx(results) -> bytes:
    # 双随机抽查结果 only: a 非随机检查 (投诉举报…) is never reported as a random check (issue #15 point 1)
    published = (
        results.filter(status="published")
        .exclude(draw__task__inspection_type=InspectionType.NON_RANDOM)
        .prefetch_related("draw__task__items__item")
    )
    return write_xlsx(GSXT_HEADERS, gsxt_rows(published), title="双随机抽查结果信息")


def case_card_rows(cases, *, reporter, today: dt.date) -> list[list]:
    rows = []
    organization = getattr(reporter, "organization", None)
    agency = organization.full_name if organization is not None else ""
    name = getattr(reporter, "full_name", "") or getattr(reporter, "username", "")
    for c in cases.select_related("unit__region", "result__draw__task").prefetch_related("unit__business_lines"):
        unit = c.unit
        transferred = c.result.cases.filter(kind="transfer", receiver_kind="judiciary").exists()
        rows.append([
            unit.name, unit.credit_code, unit.address, unit.region.code, unit.legal_rep,
            "、".join(b.name for b in unit.business_lines.all()), f"双随机抽查（{c.result.draw.task.code}）",
            c.result.findings, c.case_no, c.decided_on.isoformat() if c.decided_on else "", c.decision,
            c.penalty_amount if c.penalty_amount is not None else "", "是" if transferred else "否",
            c.closed_on.isoformat() if c.closed_on else "", agency, name, local_date(today),
        ])  # fmt: skip
    return rows


def case_card_xlsx(cases, *, reporter, today: dt.date) -> bytes:
    penalties = cases.filter(kind="penalty", decided_on__isnull=False)
    return write_xlsx(CASE_CARD_HEADERS, case_card_rows(penalties, reporter=reporter, today=today),
                      title="案件查处信息卡")  # fmt: skip


def result_record(r: InspectionResult) -> dict:
    """The JSON record of one published result for the provincial platform (same fields as the 公示系统 file)."""
    task = r.draw.task
    return {
        "task_code": task.code, "task_name": task.name, "kind": task.get_kind_display(),
        "agency": task.lead_organization.full_name, "unit_name": r.unit_name or r.unit.name,
        "credit_code": r.unit_code or r.unit.credit_code,
        "checked_on": r.checked_on.isoformat() if r.checked_on else "",
        "result": _result_text(r), "result_code": r.category, "findings": r.findings,
        "disposal": r.get_disposal_display() if r.disposal else "", "version": r.version,
        "published_on": r.published_at.date().isoformat() if r.published_at else "",
    }  # fmt: skip
