"""Reports for people: the per-round 问题及处理结果 of a task (what the 承担单位 sends to the 综合监督科), the
quarterly/annual 工作总结 statistics by 专业 (official-formats §8, §9), and the follow-up ledger — all by plan year,
all from `restrict()`-ed querysets, each exportable to xlsx.

Columns (official-formats §8; the 延安 figures fit 完成率 = actually inspected ÷ assigned and 完结率 = closed out,
closed units included, ÷ assigned):

* 任务数 = active drawn targets of locked draws; 已完结 = results submitted or published; 关闭/无经营活动 = those
  whose result is no activity, closed, deregistered, revoked or moved out; 已检查 = 已完结 − 关闭/无经营活动;
* 完成率 = 已检查 ÷ 任务数; 完结率 = 已完结 ÷ 任务数; 公示率 = 已公示 ÷ 已完结;
* 下达意见书 / 立案 / 移送 / 抄告 = results with that disposition.

A quarter report is cumulative to the quarter's end (targets drawn, results checked and published by that day).
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict

from django.db.models import Q
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from shuangsuiji.cases.models import FollowUpCase
from shuangsuiji.core.formats import local_date, local_datetime
from shuangsuiji.directory.models import BusinessLine
from shuangsuiji.draws.choices import DrawStatus, TargetStatus
from shuangsuiji.imports.spreadsheets import safe_cell
from shuangsuiji.inspections.models import InspectionResult
from shuangsuiji.inspections.selectors import outcome_summary

from .kpis import pct

SUMMARY_COLUMNS = [
    ("targets", "任务数（户）"), ("checked", "已检查"), ("not_operating", "关闭/无经营活动"),
    ("completion", "完成率(%)"), ("closed_out", "已完结"), ("closure", "完结率(%)"),
    ("no_problem", "未发现问题"), ("problems", "发现问题"), ("opinion", "下达卫生监督意见书"),
    ("case", "立案查处"), ("transfer", "移送"), ("notify", "抄告"), ("published", "已公示"),
    ("publication", "公示率(%)"),
]  # fmt: skip
DEFINITIONS = [
    "任务数：已锁定抽取中仍在列的抽中对象；已完结：检查结果已提交或已公示。",
    "关闭/无经营活动：结果为“未发现开展本次抽查涉及的经营活动”“已关闭停业或正在组织清算”、注销、吊销、撤销或迁出。",
    "已检查 = 已完结 − 关闭/无经营活动；完成率 = 已检查 ÷ 任务数；完结率 = 已完结 ÷ 任务数；公示率 = 已公示 ÷ 已完结。",
    "全部按计划年度统计；季度报表为截至该季度末的累计数。",
]


def quarter_end(year: int, quarter: int | None) -> dt.date | None:
    if not quarter:
        return None
    month = quarter * 3
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _rates(row: dict) -> dict:
    row["completion"] = pct(row["checked"], row["targets"])
    row["closure"] = pct(row["closed_out"], row["targets"])
    row["publication"] = pct(row["published"], row["closed_out"])
    return row


def scoped_results(user, *, region, year: int, until: dt.date | None = None):
    qs = InspectionResult.objects.restrict(user, "view").filter(
        region__code__startswith=region.scope_prefix, draw__task__plan__year=year, draw__status=DrawStatus.LOCKED,
        target__status=TargetStatus.ACTIVE,
    )  # fmt: skip
    if until is not None:
        qs = qs.filter(draw__drawn_at__date__lte=until)
    return qs


def work_summary(user, *, region, year: int, quarter: int | None = None) -> dict:
    """Rows by 专业 (the unit's first business line within the task's lines) plus 合计."""
    until = quarter_end(year, quarter)
    results = scoped_results(user, region=region, year=year, until=until)
    if until is not None:  # what was checked or published after the quarter's end is not yet counted
        late = Q(checked_on__gt=until) | Q(checked_on__isnull=True, submitted_at__date__gt=until)
        results_done = results.exclude(late)
    else:
        results_done = results
    lines = list(BusinessLine.objects.order_by("order"))
    names = {b.code: b.name for b in lines}
    order = {b.code: n for n, b in enumerate(lines)}
    task_lines = defaultdict(set)
    for task_id, code in results.values_list("draw__task_id", "draw__task__business_lines__code").distinct():
        if code:
            task_lines[task_id].add(code)
    unit_lines = defaultdict(list)
    for unit_id, code in results.values_list("unit_id", "unit__business_lines__code").distinct():
        if code:
            unit_lines[unit_id].append(code)
    line_of = {}
    for pk, task_id, unit_id in results.values_list("pk", "draw__task_id", "unit_id"):
        own = sorted(unit_lines.get(unit_id, []), key=lambda c: order.get(c, 99))
        inside = [c for c in own if not task_lines[task_id] or c in task_lines[task_id]]
        line_of[pk] = (inside or own or ["none"])[0]
    rows = {}
    for code in sorted(set(line_of.values()), key=lambda c: order.get(c, 99)):
        ids = [pk for pk, c in line_of.items() if c == code]
        row = outcome_summary(results.filter(pk__in=ids))
        done = outcome_summary(results_done.filter(pk__in=ids))
        row.update({k: done[k] for k in row if k != "targets"})
        if until is not None:
            row["published"] = results_done.filter(pk__in=ids, published_at__date__lte=until).count()
        rows[code] = _rates({"label": names.get(code, "未分专业"), **row})
    total = {k: sum(r[k] for r in rows.values()) for k, _ in SUMMARY_COLUMNS if k not in
             ("completion", "closure", "publication")}  # fmt: skip
    return {
        "year": year, "quarter": quarter, "until": until, "rows": list(rows.values()),
        "total": _rates({"label": "合计", **total}) if rows else None,
    }  # fmt: skip


def summary_chart(summary: dict) -> dict:
    rows = summary["rows"]
    return {
        "title": {"text": "各专业任务完成与问题发现情况", "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 50, "right": 20, "top": 40, "bottom": 60},
        "xAxis": {"type": "category", "data": [r["label"] for r in rows], "axisLabel": {"interval": 0}},
        "yAxis": {"type": "value", "name": "户"},
        "series": [
            {"name": "任务数", "type": "bar", "data": [r["targets"] for r in rows]},
            {"name": "已检查", "type": "bar", "data": [r["checked"] for r in rows]},
            {"name": "发现问题", "type": "bar", "data": [r["problems"] for r in rows]},
        ],
    }


def task_round_rows(user, task) -> list[dict]:
    """The 问题及处理结果 of one task: every drawn target with its result, findings and dispositions."""
    results = (
        InspectionResult.objects.restrict(user, "view")
        .filter(draw__task=task, target__status=TargetStatus.ACTIVE).exclude(draw__status=DrawStatus.CANCELLED)
        .select_related("unit", "target").prefetch_related("cases").order_by("target__stratum", "target__rank")
    )  # fmt: skip
    out = []
    for r in results:
        cases = "；".join(
            f"{c.get_kind_display()}（{c.get_status_display()}{'，' + c.description if c.description else ''}）"
            for c in r.cases.all()
        )
        out.append({
            "unit": r.unit.name, "code": r.unit.credit_code, "status": r.get_status_display(),
            "checked_on": local_date(r.checked_on) if r.checked_on else "",
            "category": r.get_category_display() if r.category else "未检查",
            "findings": r.findings, "disposal": r.get_disposal_display() if r.disposal else "",
            "disposal_note": r.disposal_note, "cases": cases,
            "published": local_datetime(r.published_at) if r.published_at else "",
        })  # fmt: skip
    return out


ROUND_HEADERS = [
    ("unit", "单位名称"), ("code", "统一社会信用代码"), ("status", "状态"), ("checked_on", "检查日期"),
    ("category", "检查结果"), ("findings", "发现问题情况"), ("disposal", "处置情况"), ("disposal_note", "处置说明"),
    ("cases", "后续处置"), ("published", "公示时间"),
]  # fmt: skip


def ledger_rows(user, *, region, year: int) -> list[dict]:
    """后续处置台账: every follow-up case of the plan year's results."""
    cases = (
        FollowUpCase.objects.restrict(user, "view")
        .filter(region__code__startswith=region.scope_prefix, result__draw__task__plan__year=year)
        .select_related("unit", "result__draw__task").order_by("created_at", "pk")
    )  # fmt: skip
    out = []
    for c in cases:
        out.append({
            "task": c.result.draw.task.code, "unit": c.unit.name, "code": c.unit.credit_code,
            "findings": c.result.findings, "kind": c.get_kind_display(), "description": c.description,
            "document": c.document_no or c.case_no, "deadline": local_date(c.deadline) if c.deadline else "",
            "recheck": f"{c.get_recheck_result_display()} {c.recheck_note}".strip() if c.recheck_result else "",
            "receiver": c.receiver, "status": c.get_status_display(),
            "closed_on": local_date(c.closed_on) if c.closed_on else "",
        })  # fmt: skip
    return out


LEDGER_HEADERS = [
    ("task", "抽查任务编号"), ("unit", "单位名称"), ("code", "统一社会信用代码"), ("findings", "发现问题情况"),
    ("kind", "处置方式"), ("description", "处置内容"), ("document", "文书/案件编号"), ("deadline", "整改期限"),
    ("recheck", "复查结果"), ("receiver", "接收单位"), ("status", "状态"), ("closed_on", "完结日期"),
]  # fmt: skip


def xlsx(title: str, head_lines: list[str], headers: list[tuple[str, str]], rows: list[dict],
         notes: list[str] = ()) -> bytes:  # fmt: skip
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append([safe_cell(title)])
    ws["A1"].font = Font(bold=True, size=14)
    for line in head_lines:
        ws.append([safe_cell(line)])
    ws.append([label for _k, label in headers])
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font, cell.alignment = Font(bold=True), Alignment(wrap_text=True, horizontal="center")
    for row in rows:
        ws.append([safe_cell("—" if row.get(k) is None else row.get(k)) for k, _ in headers])
    for note in notes:
        ws.append([safe_cell(note)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
