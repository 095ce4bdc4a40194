"""Hostile workbooks (issue #11): a tiny xlsx declaring or spanning millions of cells, or a zip bomb, is refused
before the reader materialises it; the peak memory of a worker stays under 200 MB (measured in a subprocess)."""

import io
import json
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from shuangsuiji.imports import spreadsheets
from shuangsuiji.imports.spreadsheets import SpreadsheetError, check_budget, read_table

from .helpers import xlsx_bytes

ROOT = Path(__file__).resolve().parents[3]
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>统一社会信用代码</t></is></c></row>'


def workbook(sheet_data: str = HEADER_ROW, dimension: str = "A1", extra_parts: dict | None = None) -> bytes:
    """A minimal, valid xlsx written part by part (what an attacker would craft by hand)."""
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
            'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats'
            '-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="{rel}"><sheets>'
            '<sheet name="检查对象" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}"><dimension ref="{dimension}"/>'
            f"<sheetData>{sheet_data}</sheetData></worksheet>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        for name, (chunk, times) in (extra_parts or {}).items():
            with archive.open(name, "w", force_zip64=True) as member:  # streamed: the test stays small too
                for _ in range(times):
                    member.write(chunk)
    return buffer.getvalue()


HOSTILE = {
    # ~20M cells declared by the dimension alone
    "dimension": lambda: workbook(dimension="A1:T1000000"),
    # one value at the last cell Excel allows: the reader would build a 17-billion-cell grid
    "last_cell": lambda: workbook(HEADER_ROW + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'),
    # one value at T1000000: a 20M-cell grid (the reader alone grew by >600 MB on this file before the check)
    "far_cell": lambda: workbook(HEADER_ROW + '<row r="1000000"><c r="T1000000"><v>1</v></c></row>'),
    # cells without references are placed one after another: a 20,000-wide row, then row 1000
    "unreferenced": lambda: workbook(
        HEADER_ROW + '<row r="2">' + "<c><v>1</v></c>" * 20000 + '</row><row r="1000"><c><v>1</v></c></row>'
    ),
    # a zip bomb: 64 MB of shared strings in a few kilobytes (the subprocess allows 32 MB unpacked)
    "zip_bomb": lambda: workbook(extra_parts={"xl/sharedStrings.xml": (b" " * (1 << 20), 64)}),
}

PROBE = """
import json, resource, sys
from django.conf import settings
settings.configure(IMPORT_MAX_UNCOMPRESSED_BYTES=32 * 1024 * 1024)
from shuangsuiji.imports.spreadsheets import SpreadsheetError, read_table
data = open(sys.argv[1], "rb").read()
try:
    read_table(data, "hostile.xlsx")
    outcome = "accepted"
except SpreadsheetError as exc:
    outcome = str(exc)
try:  # this process's own high-water mark (ru_maxrss would include the parent's RSS at fork time)
    peak_kb = int(next(line for line in open("/proc/self/status") if line.startswith("VmHWM")).split()[1])
except OSError:
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"outcome": outcome, "peak_mb": peak_kb / 1024}))
"""


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_workbook_is_refused_with_little_memory(tmp_path, name):
    data = HOSTILE[name]()
    assert len(data) < 200_000  # small files: the danger is what they declare, not their size
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout)
    assert result["outcome"].startswith("文件"), result
    assert "上限" in result["outcome"] and "请拆分后导入" in result["outcome"]
    assert result["peak_mb"] < 200, result


def test_the_budget_counts_real_cells_and_is_configurable(settings):
    data = xlsx_bytes(
        [f"列{c}" for c in range(10)], [[f"{n}-{c}" for c in range(10)] for n in range(1, 101)]
    )  # 101 rows x 10 columns
    assert len(read_table(data, "units.xlsx").rows) == 100
    settings.IMPORT_MAX_CELLS = 1000
    with pytest.raises(SpreadsheetError) as excinfo:
        check_budget(data, "units.xlsx")
    assert str(excinfo.value) == "文件过大：单元格数超过 1,000 个上限（本文件约 1,010 个），请拆分后导入"


def test_rows_and_cells_without_references_are_measured(settings):
    plain = workbook(HEADER_ROW + "".join(f"<row>{'<c><v>1</v></c>' * 3}</row>" for _ in range(5)))
    check_budget(plain, "ok.xlsx")  # 6 rows x 3 columns: fine
    assert len(read_table(plain, "ok.xlsx").rows) == 5
    settings.IMPORT_MAX_CELLS = 17
    with pytest.raises(SpreadsheetError, match="本文件约 18 个"):
        check_budget(plain, "ok.xlsx")


# --- the sheet scan measures exactly (issue #11): the widest column and the last row wherever they are ----------


def _measured(xml: str, chunk: int, monkeypatch) -> int:
    """The smallest cell budget `_scan_sheet` accepts for a sheet (the grid or cell count it measured), read
    `chunk` bytes at a time."""
    monkeypatch.setattr(spreadsheets, "SCAN_CHUNK", chunk)
    data = f'<worksheet xmlns="{NS}"><sheetData>{xml}</sheetData></worksheet>'.encode()

    def accepted(budget: int) -> bool:
        try:
            spreadsheets._scan_sheet(io.BytesIO(data), budget)
        except SpreadsheetError:
            return False
        return True

    low, high = 0, 1 << 40
    while low < high:
        middle = (low + high) // 2
        low, high = (low, middle) if accepted(middle) else (middle + 1, high)
    return low


def _rows(count: int, letters: str = "ABCDEFGHIJ", extra: dict | None = None, tag: str = "row", cell: str = "c") -> str:
    """`count` rows of referenced cells; `extra` adds references to some rows ({row number: [ref, ...]})."""
    out = []
    for number in range(1, count + 1):
        refs = [f"{letter}{number}" for letter in letters] + (extra or {}).get(number, [])
        out.append(f'<{tag} r="{number}">' + "".join(f'<{cell} r="{ref}"><v>1</v></{cell}>' for ref in refs))
        out.append(f"</{tag}>")
    return "".join(out)


MEASURED = {
    "plain": (_rows(60), 600),
    # in several chunks, an earlier region's row bound (99: two digits) stays once the width grows: a little early
    "widest column in the middle": (_rows(60, extra={30: ["T30"]}), (60 * 20, 99 * 20)),
    "lower case reference": (_rows(60, extra={30: ["t30"]}), (60 * 20, 99 * 20)),
    "two letters in the middle": (_rows(60, extra={30: ["AB30"]}), (60 * 28, 99 * 28)),
    "wide sheet": (_rows(60, letters=["A", "Z", "AA", "AB"]), 60 * 28),
    "wider in the middle of a wide sheet": (_rows(60, letters=["A", "Z", "AA", "AB"], extra={9: ["BA9"]}), 60 * 53),
    "lower case wide sheet": (_rows(60, letters=["a", "ab"], extra={9: ["Ac9"]}), 60 * 29),
    "longer row number in the middle": (_rows(60, extra={30: ["C7000"]}), 7000 * 10),
    "row number out of order": (_rows(60).replace('r="J30"', 'r="J999999"'), 999999 * 10),
    "empty self-closing cells": (_rows(20).replace("</row>", "<c/><c/></row>", 1), 20 * 12),
    "cells without references": (_rows(20).replace("</row>", "<c><v>1</v></c></row>"), 20 * 11),
    "prefixed elements": (_rows(20, tag="x:row", cell="x:c"), 200),
    "rows without attributes": (_rows(20).replace('<row r="7">', "<row>"), 200),
}


@pytest.mark.parametrize("name", sorted(MEASURED))
def test_the_scan_measures_the_widest_column_and_last_row_wherever_they_are(name, monkeypatch):
    xml, cells = MEASURED[name]
    whole, split = cells if isinstance(cells, tuple) else (cells, cells)
    assert _measured(xml, 1 << 20, monkeypatch) == whole
    for chunk in (4096, 300, 64):  # a region per chunk: the extreme falls in any of them
        assert _measured(xml, chunk, monkeypatch) == split, chunk


def test_one_search_for_the_extent_agrees_with_the_exact_passes():
    """`_ref_extent` (the last reference, confirmed by one search) equals the exact per-region passes on regions of
    every kind of reference: lower case, one to three letters, one to eight digits, in and out of order."""
    rng = random.Random(11)
    columns = ["A", "B", "J", "K", "Y", "Z", "a", "k", "z", "AA", "AB", "Ab", "AC", "AZ", "BA", "ZZ", "AAA", "XFD"]
    fast = 0
    for _ in range(3000):
        width, height = rng.randint(1, 8), rng.randint(1, 9)
        chosen = sorted(rng.sample(columns, width), key=lambda c: spreadsheets._column_number(c))
        start = rng.choice([1, 9, 99, 999, 99990, 999990, 9999990])
        rows = [[f"{c}{start + n}" for c in chosen] for n in range(height)]
        for _ in range(rng.randint(0, 2)):  # an odd reference anywhere
            rows[rng.randrange(height)].insert(0, f"{rng.choice(columns)}{rng.choice([5, 70, 123456, 12345678])}")
        region = "".join(
            f'<row r="{n}">' + "".join(f'<c r="{ref}" t="n"><v>1</v></c>' for ref in refs) + "</row>"
            for n, refs in enumerate(rows, start=1)
        ).encode()
        exact = (spreadsheets._max_ref_column(region), spreadsheets._ref_row_bound(region))
        assert spreadsheets._ref_extent(region) == exact, region
        tail = spreadsheets._CELL_REF_RE.findall(region)[-1]
        fast += spreadsheets._beyond_re(tail[0].decode(), len(tail[1])).search(region) is None
    assert 500 < fast < 2900  # both ways were taken
