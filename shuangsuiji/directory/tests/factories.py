"""Test data builders: valid credit codes, real xlsx/xls/csv files, units and inspectors via services."""

import csv
import datetime as dt
import io

from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.core.validators import make_credit_code, org_code_check_char
from shuangsuiji.directory import services
from shuangsuiji.directory.models import BusinessLine
from shuangsuiji.imports.tests import helpers as imports_helpers

UNIT_HEADERS = [
    "统一社会信用代码",
    "单位名称",
    "地址",
    "行政区划",
    "专业类别",
    "信用风险分类",
    "风险分类日期",
    "投诉举报次数",
    "经营状态",
    "标签",
]
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit(n: int, region: str = "370322", kind: str = "91") -> str:
    """A valid 统一社会信用代码 (inner organisation-code check too) numbered n."""
    body, value = "", n
    for _ in range(8):
        body = ALPHABET[value % 31] + body
        value //= 31
    return make_credit_code(f"{kind}{region}{body}{org_code_check_char(body)}")


def unit_row(n: int, region: str = "370322", **overrides) -> list:
    row = {
        "统一社会信用代码": credit(n, region), "单位名称": f"测试单位{n}号", "地址": f"测试路{n}号",
        "行政区划": region, "专业类别": "公共场所", "信用风险分类": "B", "风险分类日期": "2026-01-15",
        "投诉举报次数": n % 3, "经营状态": "在营", "标签": "住宿",
    }  # fmt: skip
    row.update(overrides)
    return [row[h] for h in UNIT_HEADERS]


def xlsx_bytes(headers, rows) -> bytes:
    return imports_helpers.xlsx_bytes(headers, rows, sheet_name="检查对象")


def xls_bytes(headers, rows) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("检查对象")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for c, value in enumerate(headers):
        sheet.write(0, c, value)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write(r, c, value, date_style)
            else:
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers, rows, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def line(code: str) -> BusinessLine:
    return BusinessLine.objects.get(code=code)


def make_unit(regions, n: int, region: str = "370322", lines=("ggcs",), **data):
    fields = {"credit_code": credit(n, region), "name": f"单位{n}", "region": regions[region], **data}
    return services.unit_create(user=SYSTEM, data=fields, business_lines=[line(c) for c in lines])


def make_inspector(org, n: int, **data):
    fields = {
        "name": f"执法员{n}",
        "cert_no": f"SD{n:08d}",
        "cert_valid_to": dt.date(2030, 12, 31),
        "organization": org,
    }
    fields.update(data)
    return services.inspector_save(user=SYSTEM, data=fields, specialties=[line("ggcs")])
