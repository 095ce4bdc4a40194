"""Hostile workbooks (issue #11): a tiny xlsx declaring or spanning millions of cells, or a zip bomb, is refused
before the reader materialises it; the peak memory of a worker stays under 200 MB (measured in a subprocess)."""

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

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
