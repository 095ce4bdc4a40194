"""Reading uploaded tables (xlsx/xls/xlsb/ods via python-calamine, csv in UTF-8 or GBK) and writing xlsx.

Everything returned by `read_table` is plain text (dates as YYYY-MM-DD), so row forms see the same
input whatever the file format was. Writers neutralise formula injection.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.etree import ElementTree

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


def max_cells() -> int:
    return getattr(settings, "IMPORT_MAX_CELLS", 6_000_000)


def max_uncompressed() -> int:
    return getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", 256 * 1024 * 1024)


class SpreadsheetError(Exception):
    """The file as a whole cannot be used (format, size, header); the message is shown to the user."""


# --- budget check before parsing (issue #11) ---------------------------------------------------------------
#
# The reader materialises the first sheet as a dense rows x columns grid, so one cell at XFD1048576 (or a huge
# <dimension>) costs gigabytes although the file is tiny. Before handing an xlsx to the reader, its zip members'
# unpacked sizes are checked and the first sheet's XML is streamed (a megabyte at a time, never held whole) to
# find the declared dimension and the real extent; anything over IMPORT_MAX_CELLS is refused unread.

SCAN_CHUNK = 1 << 20
MAX_ROW_BYTES = 16 << 20  # one <row> element larger than this is not a table a person filled in
_DIMENSION_RE = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*?\bref=\"([^\"]*)\"")
# Patterns start with a literal or a small class so the regex engine can skip ahead (a leading optional
# namespace prefix makes it try every "<" and is ten times slower).
_ROW_RE = re.compile(rb"[<:]row\b([^>]*)>")
_R_ATTR_RE = re.compile(rb"\br=\"(\d+)\"")
_CELL_REF_RE = re.compile(rb" r=\"([A-Za-z]{1,3})(\d+)\"")
_PREFIXED_CELL_RE = re.compile(rb"<[\w.-]+:c[\s/>]")
_MULTI_LETTER_REF_RE = re.compile(rb" r=\"([A-Za-z]{2,3})\d")
_SINGLE_LETTER_RE = re.compile(rb" r=\"([A-Za-z])\d")
_REF_DIGITS_RE = {n: re.compile(rb" r=\"[A-Za-z]{1,3}(\d{%d})\"" % n) for n in range(1, 8)}
_REF_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def too_big_message(cells: int | None = None) -> str:
    found = f"（本文件约 {cells:,} 个）" if cells else ""
    return f"文件过大：单元格数超过 {max_cells():,} 个上限{found}，请拆分后导入"


def _column_number(letters: bytes | str) -> int:
    number = 0
    for char in letters.upper() if isinstance(letters, str) else letters.decode().upper():
        number = number * 26 + ord(char) - 64
    return number


def _ref_position(ref: str) -> tuple[int, int]:
    match = _REF_RE.match(ref.strip())
    if not match:
        return 0, 0
    return int(match.group(2)), _column_number(match.group(1))


def _dimension_cells(ref: bytes) -> int:
    """Cells declared by <dimension ref="A1:T200000"> (0 when unreadable: the scan of the rows decides)."""
    parts = ref.decode("ascii", "replace").split(":")
    start = _ref_position(parts[0])
    end = _ref_position(parts[-1])
    if not all(start + end):
        return 0
    return (abs(end[0] - start[0]) + 1) * (abs(end[1] - start[1]) + 1)


def _first_sheet_member(archive: zipfile.ZipFile) -> str | None:
    """The part of the workbook's first sheet (the one the reader loads), from workbook.xml and its rels."""
    names = set(archive.namelist())
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    sheet = next((el for el in workbook.iter() if el.tag.endswith("}sheet")), None)
    if sheet is None or sheet.get(NS_REL) is None:
        return None
    for rel in rels.iter():
        if rel.get("Id") == sheet.get(NS_REL):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            return path if path in names else None
    return None


def _max_ref_column(region: bytes) -> int:
    """The widest column any cell reference in `region` names. Cells in a row are written left to right, so the
    last reference's column is the candidate; one search for a wider one confirms it (or all are parsed)."""
    multi = _MULTI_LETTER_REF_RE.findall(region)
    if multi:
        return max(_column_number(letters) for letters in set(multi))
    tail = _CELL_REF_RE.findall(region[-8192:])
    candidate = _column_number(tail[-1][0]) if tail else 0
    if candidate < 26 and _single_letter_above(candidate).search(region):
        return max(_column_number(letters) for letters in set(_SINGLE_LETTER_RE.findall(region)))
    return candidate


def _single_letter_above(column: int):
    first = column + 1
    return re.compile(f' r="[{chr(64 + first)}-Z{chr(96 + first)}-z]\\d'.encode())


def _ref_row_bound(region: bytes) -> tuple[int, int]:
    """(upper bound, digits) of the rows cell references in `region` name: 10**digits - 1 for the most digits any
    reference has (the last reference's digit count, confirmed by one search for longer ones)."""
    tail = _CELL_REF_RE.findall(region[-8192:])
    digits = len(tail[-1][1]) if tail else 1
    longer = next((n for n in range(7, digits, -1) if _REF_DIGITS_RE[n].search(region)), None)
    digits = longer or digits
    return 10**digits - 1, digits


def _letters_above(letter: str) -> bytes:
    """A character class of the letters after `letter` (either case; b"" after Z)."""
    upper = ord(letter.upper())
    return b"" if upper >= 90 else b"%c-Z%c-z" % (upper + 1, upper + 33)


def _beyond_re(letters: str, digits: int) -> re.Pattern:
    """A reference that may name a column right of `letters` (more letters, or as many and greater) or a row with
    more than `digits` digits. Over-inclusive on purpose: no match proves the tail's reference is the extent."""
    letters = letters.upper()
    alternatives = [b"[A-Za-z]{%d}" % (len(letters) + 1)] if len(letters) < 3 else []
    for position, letter in enumerate(letters):  # as many letters: equal up to `position`, greater there
        above = _letters_above(letter)
        if above:
            same = b"".join(b"[%c%c]" % (ord(c), ord(c) + 32) for c in letters[:position])
            alternatives.append(same + b"[" + above + b"]" + b"[A-Za-z]" * (len(letters) - position - 1))
    if digits < 7:
        alternatives.append(rb"[A-Za-z]{1,3}\d{%d}" % (digits + 1))
    return re.compile(rb' r="(?:' + b"|".join(alternatives) + b")")


def _ref_extent(region: bytes) -> tuple[int, tuple[int, int]]:
    """(`_max_ref_column(region)`, `_ref_row_bound(region)`) in one pass in the usual case: the last reference's
    column and digit count, when one search finds no reference that might exceed either (else both, exactly)."""
    tail = _CELL_REF_RE.findall(region[-8192:])
    if tail:
        letters, number = tail[-1][0].decode(), tail[-1][1]
        if _beyond_re(letters, len(number)).search(region) is None:
            return _column_number(letters), (10 ** len(number) - 1, len(number))
    return _max_ref_column(region), _ref_row_bound(region)


def _max_ref_row(region: bytes, digits: int) -> int:
    """The exact last row of the references with `digits` digits (parses only those)."""
    found = _REF_DIGITS_RE[digits].findall(region)
    return max(int(number) for number in set(found)) if found else 0


def _scan_sheet(stream, budget: int) -> None:
    """Stream one worksheet XML: refuse when the declared dimension, the grid the cells span (last row x widest
    column, cells without a reference placed after the previous one) or the cell count exceed `budget`."""
    buffer, started, max_row, max_width, row_no, cells, unpacked = b"", False, 0, 0, 0, 0, 0

    def count_cells(text: bytes) -> int:
        count = text.count(b"<c ")
        if text.count(b"<c") != count:  # some "<c" is not followed by a space: count <c> and <c/ too
            count += text.count(b"<c>") + text.count(b"<c/")
        return count + (len(_PREFIXED_CELL_RE.findall(text)) if b":" in text and b":c" in text else 0)

    def check() -> None:
        if cells > budget or max_row * max_width > budget:
            raise SpreadsheetError(too_big_message(max(cells, max_row * max_width)))

    def consume_row(segment: bytes, attrs: bytes) -> None:
        """Exact path for one row whose cells lack references (placed one after another)."""
        nonlocal max_row, max_width, row_no, cells
        found = _R_ATTR_RE.search(attrs)
        row_no = int(found.group(1)) if found else row_no + 1
        count = count_cells(segment)
        refs = _CELL_REF_RE.findall(segment)
        width = max((_column_number(letters) for letters in {ref[0] for ref in refs}), default=0) + count - len(refs)
        cells += count
        if count:
            row_no = max([row_no, *(int(ref[1]) for ref in refs)])
            max_row, max_width = max(max_row, row_no), max(max_width, width)
        check()

    def consume(region: bytes) -> None:
        """Complete rows. Fast path (every cell carries its reference, as Excel, WPS and openpyxl write them):
        a few substring counts over the whole region; otherwise row by row."""
        nonlocal max_row, max_width, row_no, cells
        count = count_cells(region)
        references = region.count(b' r="') - region.count(b'<row r="')
        if count != references or b":" in region and b":row" in region:
            rows = list(_ROW_RE.finditer(region))
            for this, after in zip(rows, [*rows[1:], None], strict=True):
                consume_row(region[this.end() : after.start() if after else len(region)], this.group(1))
            return
        cells += count
        if count:
            width, (bound, digits) = _ref_extent(region)
            max_width = max(max_width, width)
            if max(max_row, bound) * max_width > budget:  # the bound alone would refuse: find the real last row
                bound = _max_ref_row(region, digits)
            max_row = row_no = max(max_row, bound)
        check()

    def last_row_start(text: bytes) -> int:
        """The last of b"<row ", b"<row>", b":row ", b":row>": each later search only looks after the latest
        found (a marker absent from the chunk would otherwise be looked for through the whole of it)."""
        start = text.rfind(b"<row ")
        for marker in (b"<row>", b":row ", b":row>"):
            start = max(start, text.rfind(marker, start + 1))
        return start

    while True:
        chunk = stream.read(SCAN_CHUNK)
        unpacked += len(chunk)
        if unpacked > max_uncompressed():
            raise SpreadsheetError(f"文件解压后超过 {max_uncompressed() // 1048576} MB 上限，请拆分后导入")
        buffer += chunk
        if not started:
            dimension = _DIMENSION_RE.search(buffer)
            if dimension:
                declared = _dimension_cells(dimension.group(1))
                if declared > budget:
                    raise SpreadsheetError(too_big_message(declared))
            first = _ROW_RE.search(buffer)
            if first is None:
                buffer = buffer[-256:] if chunk else b""  # keep a tail: a tag may be split across chunks
                if not chunk:
                    return
                continue
            started, buffer = True, buffer[first.start() :]
        # the last row may continue in the next chunk: everything before it is complete
        end = len(buffer) if not chunk else last_row_start(buffer)
        if end > 0:
            consume(buffer[:end])
            buffer = buffer[end:]
        if not chunk:
            return
        if len(buffer) > MAX_ROW_BYTES:
            raise SpreadsheetError("文件格式异常：单行数据过大，请检查文件后重新导入")


def check_budget(data: bytes, name: str) -> None:
    """Refuse a zip-based workbook whose unpacked size or first-sheet grid exceeds the budget, before parsing."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return  # .xls (BIFF) and csv: bounded by the file size limit, the grid is checked after loading
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        if sum(info.file_size for info in infos) > max_uncompressed():
            raise SpreadsheetError(f"文件解压后超过 {max_uncompressed() // 1048576} MB 上限，请拆分后导入")
        if not name.endswith((".xlsx", ".xlsm")):
            return
        member = _first_sheet_member(archive)
        members = [member] if member else [i.filename for i in infos if i.filename.startswith("xl/worksheets/")]
        for part in members:
            with archive.open(part) as stream:
                _scan_sheet(stream, max_cells())
        # the declared sizes may lie: unpack the other parts too (streamed, counted, nothing kept)
        unpacked = sum(archive.getinfo(part).file_size for part in members)
        for info in infos:
            if info.filename in members or info.is_dir():
                continue
            with archive.open(info) as stream:
                while chunk := stream.read(SCAN_CHUNK):
                    unpacked += len(chunk)
                    if unpacked > max_uncompressed():
                        raise SpreadsheetError(f"文件解压后超过 {max_uncompressed() // 1048576} MB 上限，请拆分后导入")
    except SpreadsheetError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as exc:  # lying headers, bad CRC
        raise SpreadsheetError(f"无法读取文件：不是有效的 Excel 文件或文件已损坏（{type(exc).__name__}）") from exc


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


PROGRESS_EVERY = 5000  # rows between two progress(done, total) calls


def _texts(values, str=str, cell_text=cell_text) -> list[str]:  # noqa: A002 - local names: called per row
    """One row's cells as text, trailing empty cells dropped (most cells are strings: no call for those)."""
    cells = [v.strip() if type(v) is str else cell_text(v) for v in values]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _read_excel(data: bytes, name: str):
    """(rows expected, iterator of row cells as text): calamine's rows are turned into text one at a time."""
    check_budget(data, name)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not workbook.sheet_names:
            raise SpreadsheetError("文件中没有工作表")
        sheet = workbook.get_sheet_by_index(0)
        if sheet.total_height > max_rows() + 1:
            raise SpreadsheetError(
                f"数据行数超过上限 {max_rows():,} 行（文件约 {sheet.total_height - 1:,} 行），请拆分后分批导入"
            )
        if sheet.total_height * sheet.total_width > max_cells():
            raise SpreadsheetError(too_big_message(sheet.total_height * sheet.total_width))
        return sheet.total_height, _excel_rows(workbook, sheet)
    except SpreadsheetError:
        raise
    except Exception as exc:  # calamine raises several error types for corrupt or foreign files
        raise SpreadsheetError(f"无法读取文件：不是有效的 Excel 文件或文件已损坏（{type(exc).__name__}）") from exc


def _excel_rows(workbook, sheet):
    try:
        for values in sheet.iter_rows():
            yield _texts(values)
    except SpreadsheetError:
        raise
    except Exception as exc:  # noqa: BLE001 - as above, while streaming
        raise SpreadsheetError(f"无法读取文件：不是有效的 Excel 文件或文件已损坏（{type(exc).__name__}）") from exc
    finally:
        del sheet
        workbook.close()


def _read_csv(data: bytes):
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
    return text.count("\n") + 1, _csv_rows(text)


def _csv_rows(text: str):
    count = 0
    for row in csv.reader(io.StringIO(text, newline="")):
        count += 1
        if count > max_rows() + 1:
            raise SpreadsheetError(f"数据行数超过上限 {max_rows():,} 行，请拆分后分批导入")
        yield _texts(row)


def read_table(data: bytes, filename: str, *, stream: bool = False, progress=None) -> Table:
    """Parse the first sheet: row 1 is the header; fully empty rows are skipped (numbers kept).

    `stream=True`: `rows` is an iterator read once (an import holds its columns, not the rows too); the row
    limit and "no data rows" are then raised while it is read. `progress(done, total)` every few thousand rows."""
    name = (filename or "").lower()
    if not data:
        raise SpreadsheetError("文件为空")
    if len(data) > max_bytes():
        raise SpreadsheetError(f"文件过大（{len(data) / 1048576:.1f} MB），上限为 {max_bytes() / 1048576:.0f} MB")
    if name.endswith(EXCEL_SUFFIXES):
        expected, raw = _read_excel(data, name)
    elif name.endswith(CSV_SUFFIXES):
        expected, raw = _read_csv(data)
    else:
        raise SpreadsheetError("不支持的文件类型：请上传 .xlsx、.xls、.ods 或 .csv 文件")
    headers = next(raw, None)
    if not headers:
        raise SpreadsheetError("文件为空：第1行应为表头")
    rows = _data_rows(raw, expected, progress)
    return Table(headers=headers, rows=rows if stream else list(rows))


def _data_rows(raw, expected: int, progress):
    count, limit = 0, max_rows()
    for index, cells in enumerate(raw, start=2):
        if cells:  # trailing empty cells are dropped: an empty list is an empty row
            count += 1
            if count > limit:
                count += sum(1 for cells in raw if cells)
                raise SpreadsheetError(f"数据行数超过上限 {limit:,} 行（实际 {count:,} 行），请拆分后分批导入")
            yield index, cells
        if progress is not None and index % PROGRESS_EVERY == 0:
            progress(index, expected)
    if not count:
        raise SpreadsheetError("文件中没有数据行（只有表头）")


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


EXAMPLE_SHEET = "示例"
ALLOWED_SHEET = "可选值"
NOTES_SHEET = "填写说明"


@dataclass(frozen=True)
class Allowed:
    """The values a template column offers in its drop-down (listed on the 可选值 sheet). `strict`: Excel refuses
    anything else; otherwise (several values joined with “、”, or a new 标签) the list only helps."""

    values: Sequence[str]
    strict: bool = True


def template_xlsx(
    columns, *, title: str, allowed: dict[str, Allowed] | None = None, example: dict[str, str] | None = None
) -> bytes:
    """导入模板: the data sheet first (the only one an import reads): Chinese headers (required ones marked * and
    shaded) and drop-downs on enumerated columns, each referencing its list on the 可选值 sheet; a 示例 sheet
    with one filled-in row (never imported: only the first sheet is read), the 可选值 sheet, and 填写说明.

    `allowed` maps a column's field to its values (database lists such as 专业类别 and 标签); a column's own
    `choices` are used where `allowed` names none. `example` maps a field to the example row's text."""
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    columns = [c for c in columns if c.importable]
    lists: dict[str, Allowed] = {}
    for column in columns:
        found = (allowed or {}).get(column.field)
        if found is None and column.choices:
            found = Allowed(tuple(column.choices))
        if found is not None and found.values:
            lists[column.field] = found
    values_sheet = workbook.create_sheet(ALLOWED_SHEET, 1) if lists else None
    example_sheet = workbook.create_sheet(EXAMPLE_SHEET, 1) if example else None
    headers = [column.header + ("*" if column.required else "") for column in columns]
    list_column = 0
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=headers[index - 1])
        cell.font = HEADER_FONT
        if column.required:
            cell.fill = REQUIRED_FILL
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        found = lists.get(column.field)
        if found is not None:
            list_column += 1
            source = get_column_letter(list_column)
            values_sheet.cell(row=1, column=list_column, value=column.header).font = HEADER_FONT
            for offset, value in enumerate(found.values, start=2):
                values_sheet.cell(row=offset, column=list_column, value=safe_cell(value))
            values_sheet.column_dimensions[source].width = max(column.width, 16)
            end = len(found.values) + 1
            validation = DataValidation(
                type="list", formula1=f"'{ALLOWED_SHEET}'!${source}$2:${source}${end}", allow_blank=True,
                showErrorMessage=found.strict,
            )  # fmt: skip
            validation.error, validation.errorTitle = f"请从下拉列表中选择{column.header}", "输入无效"
            validation.prompt = (
                f"从下拉列表选择；可选值见“{ALLOWED_SHEET}”工作表"
                if found.strict
                else f"可从下拉列表选择，多个值用“、”分隔；可选值见“{ALLOWED_SHEET}”工作表"
            )
            validation.showInputMessage = True
            validation.add(f"{letter}2:{letter}200001")
            sheet.add_data_validation(validation)
        sheet.cell(row=2, column=index).number_format = "@"  # text: keeps leading zeros of codes
    sheet.freeze_panes = "A2"
    if example_sheet is not None:
        example_sheet.append(headers)
        example_sheet.append([safe_cell(example.get(column.field, "")) for column in columns])
        example_sheet.append([])
        example_sheet.append([f"本工作表仅为填写示例，导入时不读取；请在“{title}”工作表填写数据（可复制本行后修改）。"])
        for index, column in enumerate(columns, start=1):
            example_sheet.cell(row=1, column=index).font = HEADER_FONT
            example_sheet.column_dimensions[get_column_letter(index)].width = column.width
    notes = workbook.create_sheet(NOTES_SHEET)
    notes.append(["列名", "是否必填", "说明"])
    for column in columns:
        found = lists.get(column.field)
        options = ""
        if found is not None:
            options = (
                f"可选：{'、'.join(found.values)}"
                if len(found.values) <= 20
                else f"从下拉列表选择（见“{ALLOWED_SHEET}”工作表）"
            ) + ("" if found.strict else "（可填多个，用“、”分隔）")
        notes.append(
            [column.header, "必填" if column.required else "选填", "；".join(filter(None, [column.note, options]))]
        )
    notes.append([])
    notes.append(["提示", "", f"第1行为表头，请勿修改；带 * 的列为必填；日期格式 YYYY-MM-DD；多个值用“、”分隔；"
                             f"只导入第一个工作表（“{title}”），“{EXAMPLE_SHEET}”工作表不会导入。"])  # fmt: skip
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
