"""月报表: “双随机、一公开”监管工作月报表 as xlsx (seed 003: reported monthly, before the 20th).

One sheet, one row per region (plus 合计), columns for the month and for the year to date.
"""

from __future__ import annotations

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from shuangsuiji.imports.spreadsheets import safe_cell

from .kpis import TARGETS, KpiReport

# (header, key, is_percentage)
COLUMNS = [
    ("抽查任务数", "draws", False),
    ("联合抽查任务数", "joint_draws", False),
    ("联合抽查任务占比(%)", "joint_tasks", True),
    ("系统内联合抽查任务数", "system_joint_draws", False),
    ("抽查对象数", "targets", False),
    ("已完成检查对象数", "completed", False),
    ("完成率(%)", "completion", True),
    ("联合抽查对象数", "joint_targets", False),
    ("联合抽查对象占比(%)", "joint_units", True),
    ("信用风险分类抽查任务数", "risk_draws", False),
    ("信用风险分类抽查占比(%)", "risk_based", True),
    ("已检查户数", "checked", False),
    ("发现问题户数", "problems", False),
    ("问题发现率(%)", "problem_rate", True),
    ("应公示结果数", "due", False),
    ("已公示结果数", "published", False),
    ("结果公示率(%)", "publication", True),
    ("逾期未公示数", "overdue", False),
    ("逾期未检查对象数", "unchecked_overdue", False),
    ("逾期后续处置数", "overdue_cases", False),
]
YEAR_ONLY = [
    ("检查对象总数", "units", False),
    ("已检查对象数（去重）", "checked_units", False),
    ("抽查覆盖率(%)", "coverage", True),
]

THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="F7ECEC")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _cell(value, percentage: bool):
    if value is None:
        return "—"
    return round(value, 2) if percentage else value


def monthly_xlsx(report: KpiReport, *, month: int, user=None, reporter: str | None = None, reviewer: str = "") -> bytes:
    """The month's sheet; 填报单位 is the reporting agency (the user's organisation), not the region. 填报人 is
    `reporter` (default: the user), 审核人 is `reviewer` or a blank line to sign, both beside the 填报日期."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"{report.year}年{month}月"
    title = f"{report.region.full_name}“双随机、一公开”监管工作月报表（{report.year}年{month}月）"
    width = 1 + len(COLUMNS) * 2 + len(YEAR_ONLY)
    ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(row=1, column=1).alignment = CENTER
    organization = getattr(user, "organization", None)
    agency = organization.full_name if organization is not None else report.region.full_name
    if reporter is None:
        reporter = (getattr(user, "full_name", "") or getattr(user, "username", "")) if user is not None else ""
    today = timezone.localdate()
    reviewer = safe_cell(reviewer) or "＿＿＿＿"
    ws.cell(row=2, column=1, value=(
        f"填报单位：{safe_cell(agency)}　　填报人：{safe_cell(reporter)}　　审核人：{reviewer}　　"
        f"填报日期：{today.year}年{today.month}月{today.day}日　　统计口径：按计划年度　　"
        f"目标：覆盖率≥{TARGETS['coverage']:g}%，公示率{TARGETS['publication']:g}%，联合抽查任务占比≥{TARGETS['joint_tasks']:g}%、"
        f"对象占比≥{TARGETS['joint_units']:g}%，信用风险分类抽查占比≥{TARGETS['risk_based']:g}%"
    ))  # fmt: skip
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    # two header rows: group (本月 / 本年累计) and column
    ws.cell(row=3, column=1, value="地区")
    ws.merge_cells(start_row=3, start_column=1, end_row=4, end_column=1)
    groups = [("本月", 2, COLUMNS), ("本年累计", 2 + len(COLUMNS), COLUMNS + YEAR_ONLY)]
    for label, start, cols in groups:
        ws.cell(row=3, column=start, value=label)
        ws.merge_cells(start_row=3, start_column=start, end_row=3, end_column=start + len(cols) - 1)
        for i, (header, _key, _pct) in enumerate(cols):
            ws.cell(row=4, column=start + i, value=header)
    for row in ws.iter_rows(min_row=3, max_row=4, max_col=width):
        for c in row:
            c.font, c.fill, c.alignment, c.border = Font(bold=True), HEAD_FILL, CENTER, BORDER

    def line(name, bucket):
        month_values = report.values(bucket=bucket, month=month)
        year_values = report.values(bucket=bucket, upto=month)
        cells = [safe_cell(name)]
        cells += [_cell(month_values[k], p) for _h, k, p in COLUMNS]
        cells += [_cell(year_values[k], p) for _h, k, p in COLUMNS + YEAR_ONLY]
        return cells

    rows = [
        (r["region"].name + ("（本级）" if r.get("own_level") else ""), r["region"].code) for r in report.region_rows()
    ]
    rows.append(("合计", None))
    for r, (name, bucket) in enumerate(rows, start=5):
        for c, value in enumerate(line(name, bucket), start=1):
            cell = ws.cell(row=r, column=c, value=value)
            cell.border = BORDER
            if c > 1:
                cell.alignment = Alignment(horizontal="right")
        if bucket is None:
            for c in range(1, width + 1):
                ws.cell(row=r, column=c).font = Font(bold=True)
    ws.column_dimensions["A"].width = 16
    for c in range(2, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = 11
    ws.row_dimensions[4].height = 48
    ws.freeze_panes = "B5"
    note = len(rows) + 6
    ws.cell(row=note, column=1, value=(
        "口径：抽查任务按抽取时间统计（仅已锁定公示的抽取）；已检查按检查日期；应公示按应公示日期（已到期或已公示）；"
        "问题发现率的分母不含“未发现开展相关经营活动、已关闭停业、注销、吊销、撤销、迁出”；"
        "覆盖率 = 已检查对象（去重）÷ 在营检查对象总数。"
    ))  # fmt: skip
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
