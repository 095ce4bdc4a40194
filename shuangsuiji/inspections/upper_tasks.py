"""上级下达任务的检查对象名单 (issue #15 point 1): the units (and sometimes the officers) the upper level drew,
read from an Excel file or API records and matched to this region's directory.

A unit is found by 统一社会信用代码, or by its exact name when the code column is empty; officers by 执法证号
(several in one cell, separated by “、”). Every problem is reported with its row and column, in Chinese;
nothing is written while any row is wrong (`services.upper_task_import`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shuangsuiji.directory.models import Inspector, RegulatedUnit
from shuangsuiji.imports.schema import Column, match_headers
from shuangsuiji.imports.spreadsheets import SpreadsheetError, Table, template_xlsx

COLUMNS = [
    Column("统一社会信用代码", "credit_code", aliases=("信用代码", "社会信用代码"), width=24,
           note="与检查对象名录库中的代码一致；为空时按单位名称匹配"),
    Column("单位名称", "name", aliases=("检查对象", "被检查单位", "单位"), width=30,
           note="统一社会信用代码为空时须与名录库中的名称完全一致"),
    Column("执法证号", "cert_nos", aliases=("检查人员执法证号", "执法人员执法证号", "执法人员"), width=30,
           note="上级已选派执法人员时填写，多人用“、”分隔；不填则使用页面上选择的检查组"),
    Column("备注", "note", width=20, note="不导入，仅供核对"),
]  # fmt: skip
SEPARATORS = re.compile(r"[、,，;；\s]+")


EXAMPLE = {
    "credit_code": "913703220000082U01", "name": "高青县示例宾馆有限公司",
    "cert_nos": "37032200001、37032200002", "note": "市卫健委下达第1号任务第3户",
}  # fmt: skip


def template() -> bytes:
    """The import template: the 示例 sheet shows one filled-in row (the format of several 执法证号 in one cell)."""
    return template_xlsx(COLUMNS, title="上级下达任务检查对象", example=EXAMPLE)


@dataclass
class Parsed:
    rows: list = field(default_factory=list)  # [(unit, [inspector, ...])]
    errors: list = field(default_factory=list)  # [(row number, column header, message)]
    label: str = "行"  # 行 (a spreadsheet row) or 条 (an API record)

    def messages(self) -> list[str]:
        return [
            f"第{row}{self.label}{f'“{header}”' if header else ''}：{message}" for row, header, message in self.errors
        ]


MAX_ROWS = 2000


def parse(table: Table, *, region, default_group=(), label: str = "行") -> Parsed:
    """Match every row of `table` to a unit of `region` (and its officers); collect every error."""
    out = Parsed(label=label)
    try:
        mapping, _warnings = match_headers(table.headers, COLUMNS)
    except SpreadsheetError as exc:
        out.errors.append((1, "", str(exc)))
        return out
    if "credit_code" not in mapping and "name" not in mapping:
        out.errors.append((1, "", "缺少“统一社会信用代码”或“单位名称”列"))
        return out
    prefix = region.scope_prefix

    def cell(cells, name) -> str:
        index = mapping.get(name)
        return (cells[index] if index is not None and index < len(cells) else "").strip()

    rows = [(rowno, cell(c, "credit_code").upper(), cell(c, "name"), cell(c, "cert_nos")) for rowno, c in table.rows]
    if len(rows) > MAX_ROWS:
        # An upper-level task hands down tens to hundreds of units; the import runs in the request, so its size is
        # bounded (a register import of any size is a background job: directory imports).
        too_many = f"一个上级下达任务最多导入 {MAX_ROWS} {label}检查对象，本文件有 {len(rows)} {label}，请分批导入"
        out.errors.append((1, "", too_many))
        return out
    units = RegulatedUnit.objects.filter(region__code__startswith=prefix).select_related("region")
    by_code = {u.credit_code: u for u in units.filter(credit_code__in=[r[1] for r in rows if r[1]])}
    by_name: dict[str, list] = {}
    for u in units.filter(name__in=[r[2] for r in rows if not r[1] and r[2]]):
        by_name.setdefault(u.name, []).append(u)
    certs = {c for r in rows for c in SEPARATORS.split(r[3]) if c}
    officers = {
        i.cert_no: i for i in Inspector.objects.filter(organization__region__code__startswith=prefix, cert_no__in=certs)
    }
    seen: dict[int, int] = {}
    for rowno, code, name, cert_cell in rows:
        unit = None
        if code:
            unit = by_code.get(code)
            if unit is None:
                out.errors.append((rowno, "统一社会信用代码",
                                   f"“{code}”在本辖区检查对象名录库中不存在，请先在名录库登记该单位"))  # fmt: skip
        elif name:
            found = by_name.get(name, [])
            if not found:
                out.errors.append(
                    (rowno, "单位名称", f"“{name}”在本辖区检查对象名录库中不存在，请核对名称或填写统一社会信用代码")
                )
            elif len(found) > 1:
                out.errors.append(
                    (rowno, "单位名称", f"名录库中有 {len(found)} 个名为“{name}”的单位，请填写统一社会信用代码")
                )
            else:
                unit = found[0]
        else:
            out.errors.append((rowno, "统一社会信用代码", "统一社会信用代码和单位名称都为空"))
        if unit is not None and unit.pk in seen:
            out.errors.append((rowno, "统一社会信用代码", f"与第{seen[unit.pk]}{label}是同一检查对象（{unit.name}）"))
            unit = None
        group = []
        for cert in (c for c in SEPARATORS.split(cert_cell) if c):
            officer = officers.get(cert)
            if officer is None:
                out.errors.append((rowno, "执法证号", f"“{cert}”在本辖区执法人员名录库中不存在"))
            elif officer not in group:
                group.append(officer)
        if not cert_cell:
            group = list(default_group)
            if not group:
                out.errors.append((rowno, "执法证号", "未填写执法证号，页面上也没有选择检查组"))
        if unit is not None:
            seen[unit.pk] = rowno
            out.rows.append((unit, group))
    return out
