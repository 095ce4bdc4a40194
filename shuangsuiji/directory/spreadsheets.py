"""Reading uploaded tables (xlsx/xls/xlsb/ods via python-calamine, csv in UTF-8 or GBK) and writing xlsx.

Everything returned by `read_table` is plain text (dates as YYYY-MM-DD), so row forms see the same
input whatever the file format was. Writers neutralise formula injection.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import python_calamine
from django.conf import settings
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
CSV_SUFFIXES = (".csv",)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def max_bytes() -> int:
    return getattr(settings, "DIRECTORY_IMPORT_MAX_BYTES", 20 * 1024 * 1024)


def max_rows() -> int:
    return getattr(settings, "DIRECTORY_IMPORT_MAX_ROWS", 200_000)


class SpreadsheetError(Exception):
    """The file as a whole cannot be used (format, size, header); the message is shown to the user."""


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as shown in Excel, cells as text)


def cell_text(value) -> str:
    """One cell as text: integers without '.0', dates as YYYY-MM-DD, strings trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value).strip()


def _read_excel(data: bytes) -> list[list]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not workbook.sheet_names:
            raise SpreadsheetError("文件中没有工作表")
        sheet = workbook.get_sheet_by_index(0)
        if sheet.total_height > max_rows() + 1:
            raise SpreadsheetError(
                f"数据行数超过上限 {max_rows():,} 行（文件约 {sheet.total_height - 1:,} 行），请拆分后分批导入"
            )
        return sheet.to_python(skip_empty_area=False)
    except SpreadsheetError:
        raise
    except Exception as exc:  # calamine raises several error types for corrupt or foreign files
        raise SpreadsheetError(f"无法读取文件：不是有效的 Excel 文件或文件已损坏（{type(exc).__name__}）") from exc


def _read_csv(data: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost anything
        raise SpreadsheetError("无法识别 CSV 文件的编码（支持 UTF-8 和 GBK）")
    if "\x00" in text:
        raise SpreadsheetError("CSV 文件含有二进制内容，请确认文件格式")
    rows = []
    for row in csv.reader(io.StringIO(text, newline="")):
        rows.append(row)
        if len(rows) > max_rows() + 1:
            raise SpreadsheetError(f"数据行数超过上限 {max_rows():,} 行，请拆分后分批导入")
    return rows


def read_table(data: bytes, filename: str) -> Table:
    """Parse the first sheet: row 1 is the header; fully empty rows are skipped (numbers kept)."""
    name = (filename or "").lower()
    if not data:
        raise SpreadsheetError("文件为空")
    if len(data) > max_bytes():
        raise SpreadsheetError(f"文件过大（{len(data) / 1048576:.1f} MB），上限为 {max_bytes() / 1048576:.0f} MB")
    if name.endswith(EXCEL_SUFFIXES):
        raw = _read_excel(data)
    elif name.endswith(CSV_SUFFIXES):
        raw = _read_csv(data)
    else:
        raise SpreadsheetError("不支持的文件类型：请上传 .xlsx、.xls、.ods 或 .csv 文件")
    if not raw or not any(cell_text(v) for v in raw[0]):
        raise SpreadsheetError("文件为空：第1行应为表头")
    headers = [cell_text(v) for v in raw[0]]
    rows = []
    for index, values in enumerate(raw[1:], start=2):
        cells = [cell_text(v) for v in values]
        if any(cells):
            rows.append((index, cells))
    if len(rows) > max_rows():
        raise SpreadsheetError(f"数据行数超过上限 {max_rows():,} 行（实际 {len(rows):,} 行），请拆分后分批导入")
    if not rows:
        raise SpreadsheetError("文件中没有数据行（只有表头）")
    return Table(headers=headers, rows=rows)


def safe_cell(value):
    """Neutralise spreadsheet formula injection: text starting with = + - @ (or tab/CR) gets a leading '."""
    if value is None:
        return ""
    if isinstance(value, (int, float, dt.date)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


HEADER_FONT = Font(bold=True)
REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")


def write_xlsx(
    headers: Sequence[str],
    rows: Iterable[Sequence],
    *,
    title: str = "数据",
    widths: Sequence[int] | None = None,
) -> bytes:
    """A write-only workbook (streams, so big exports stay cheap in memory)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for index, width in enumerate(widths or [16] * len(headers), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append(list(headers))
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_xlsx(columns, *, title: str) -> bytes:
    """导入模板: Chinese headers (required ones marked * and shaded), dropdowns for enums, and a 填写说明 sheet."""
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    columns = [c for c in columns if c.importable]
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header + ("*" if column.required else ""))
        cell.font = HEADER_FONT
        if column.required:
            cell.fill = REQUIRED_FILL
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.choices:
            validation = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True)
            validation.error, validation.errorTitle = f"请从下拉列表中选择{column.header}", "输入无效"
            validation.add(f"{letter}2:{letter}200001")
            sheet.add_data_validation(validation)
        sheet.cell(row=2, column=index).number_format = "@"  # text: keeps leading zeros of codes
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("填写说明")
    notes.append(["列名", "是否必填", "说明"])
    for column in columns:
        options = f"可选：{'、'.join(column.choices)}" if column.choices else ""
        notes.append(
            [column.header, "必填" if column.required else "选填", "；".join(filter(None, [column.note, options]))]
        )
    notes.append([])
    notes.append(["提示", "", "第1行为表头，请勿修改；带 * 的列为必填；日期格式 YYYY-MM-DD；多个值用“、”分隔。"])
    for letter, width in (("A", 20), ("B", 10), ("C", 60)):
        notes.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def errors_xlsx(table: Table | None, errors: list) -> bytes:
    """错误明细: every bad row as uploaded, with its Excel row number and an 错误原因 column."""
    reasons: dict[int, list[str]] = {}
    for row, header, message in errors:
        reasons.setdefault(row, []).append(f"【{header}】{message}" if header else message)
    headers = ["原行号", *(table.headers if table else []), "错误原因"]
    rows = []
    if 0 in reasons:
        rows.append(["", *([""] * (len(headers) - 2)), "；".join(reasons[0])])
    if table is not None:
        for rowno, cells in table.rows:
            if rowno in reasons:
                padded = (cells + [""] * len(table.headers))[: len(table.headers)]
                rows.append([rowno, *padded, "；".join(reasons[rowno])])
    return write_xlsx(headers, rows, title="错误明细", widths=[8, *([16] * (len(headers) - 2)), 60])
