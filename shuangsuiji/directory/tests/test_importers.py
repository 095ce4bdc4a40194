import datetime as dt
import io
import time

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shuangsuiji.core.models import ObjectChange
from shuangsuiji.directory import services
from shuangsuiji.directory.choices import ImportStatus, UnitStatus
from shuangsuiji.directory.importers import UNIT_COLUMNS
from shuangsuiji.directory.models import ImportBatch, Inspector, RegulatedUnit, RiskRating
from shuangsuiji.imports.spreadsheets import (
    errors_xlsx,
    read_table,
    template_xlsx,
)

from .factories import UNIT_HEADERS, credit, csv_bytes, make_unit, unit_row, xls_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db


def prepare(user, data, filename="units.xlsx", mode="create", kind="unit"):
    return services.import_prepare(user=user, kind=kind, mode=mode, data=data, filename=filename)


def errors_of(batch):
    return [tuple(e) for e in batch.errors]


# --- happy paths, every format -------------------------------------------------------------------


def test_xlsx_preview_writes_nothing_then_commit_writes_all(regions, admin_user_gq):
    batch = prepare(admin_user_gq, xlsx_bytes(UNIT_HEADERS, [unit_row(i) for i in range(1, 6)]))
    assert (batch.status, batch.rows_total, batch.count_create, batch.errors) == (ImportStatus.READY, 5, 5, [])
    assert not RegulatedUnit.objects.exists()  # dry run
    services.import_commit(user=admin_user_gq, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED and batch.payload == {}
    unit = RegulatedUnit.objects.get(credit_code=credit(2))
    assert (unit.name, unit.region.code, unit.risk_level, unit.risk_as_of, unit.complaint_count) == (
        "测试单位2号", "370322", "B", dt.date(2026, 1, 15), 2,
    )  # fmt: skip
    assert [line.code for line in unit.business_lines.all()] == ["ggcs"]
    assert [tag.name for tag in unit.tags.all()] == ["住宿"]
    assert RiskRating.objects.filter(unit=unit, level="B").exists()
    created = ObjectChange.objects.filter(object_type="directory.regulatedunit", action="create")
    assert created.count() == 5
    assert created.get(object_id=str(unit.pk)).postchange_data["business_lines"] == [unit.business_lines.get().pk]
    assert ObjectChange.objects.filter(action="import", object_type="directory.importbatch").count() == 2


def test_each_new_unit_is_audited_with_the_snapshot_of_the_stored_row(regions, admin_user_gq):
    """The import renders its 100,000 audit snapshots from one template: each must be exactly what
    `audit.snapshot()` reads back from the stored unit (every column, links, dates, a closed unit's date)."""
    from shuangsuiji.core import audit

    headers = [*UNIT_HEADERS, "法定代表人/负责人", "联系电话", "卫生许可证号", "许可证有效期至", "备注"]
    rows = [
        unit_row(1) + ["张三", "0533-1234567", "鲁卫公证字〔2025〕第0001号", "2027-12-31", '含 % 与 "引号"'],
        unit_row(2, 专业类别="公共场所、饮用水", 标签="", 经营状态="注销") + ["", "", "", "", ""],
        unit_row(3, 信用风险分类="", 风险分类日期="", 投诉举报次数=0, 标签="住宿、美容美发") + ["李四", "", "", "", ""],
    ]
    batch = prepare(admin_user_gq, xlsx_bytes(headers, rows))
    assert batch.status == ImportStatus.READY, batch.errors
    services.import_commit(user=admin_user_gq, batch=batch)
    for n in (1, 2, 3):
        unit = RegulatedUnit.objects.get(credit_code=credit(n))
        change = ObjectChange.objects.get(object_type="directory.regulatedunit", object_id=str(unit.pk))
        assert change.postchange_data == audit.snapshot(unit), n
        assert change.object_repr == str(unit) and change.region_code == "370322" and change.prechange_data is None
    assert RegulatedUnit.objects.get(credit_code=credit(2)).status_changed_on is not None
    assert audit.verify_chain()[1] == []


def test_imported_units_never_take_the_id_of_a_deleted_unit(regions, admin_user_gq):
    """The import takes its ids before inserting (core.bulk.allocate_ids): after the largest id ever given, as
    the database itself would (SQLite AUTOINCREMENT, a PostgreSQL sequence), so history rows keep their unit."""
    from shuangsuiji.core.bulk import allocate_ids

    gone = make_unit(regions, 90, name="已删除单位")
    gone_id = gone.pk
    gone.delete()
    batch = prepare(admin_user_gq, xlsx_bytes(UNIT_HEADERS, [unit_row(i) for i in range(1, 4)]))
    services.import_commit(user=admin_user_gq, batch=batch)
    ids = sorted(RegulatedUnit.objects.values_list("pk", flat=True))
    assert len(ids) == 3 and ids[0] > gone_id
    assert allocate_ids(RegulatedUnit, 2)[0] > ids[-1]
    later = make_unit(regions, 91, name="之后登记的单位")  # the database's own counter moved past the import's ids
    assert later.pk > ids[-1]


def test_committing_twice_is_refused(regions, admin_user_gq):
    batch = prepare(admin_user_gq, xlsx_bytes(UNIT_HEADERS, [unit_row(1)]))
    services.import_commit(user=admin_user_gq, batch=batch)
    with pytest.raises(ValidationError, match="已导入"):
        services.import_commit(user=admin_user_gq, batch=batch)
    assert RegulatedUnit.objects.count() == 1


def test_legacy_xls_with_date_cells_is_read(regions, admin_user_gq):
    row = unit_row(1, **{"风险分类日期": dt.date(2025, 12, 1)})
    batch = prepare(admin_user_gq, xls_bytes(UNIT_HEADERS, [row]), "旧系统导出.xls")
    assert batch.status == ImportStatus.READY, batch.errors
    services.import_commit(user=admin_user_gq, batch=batch)
    assert RegulatedUnit.objects.get().risk_as_of == dt.date(2025, 12, 1)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_utf8_and_gbk(regions, admin_user_gq, encoding):
    batch = prepare(admin_user_gq, csv_bytes(UNIT_HEADERS, [unit_row(1), unit_row(2)], encoding), "units.csv")
    assert batch.status == ImportStatus.READY, batch.errors
    services.import_commit(user=admin_user_gq, batch=batch)
    assert RegulatedUnit.objects.get(credit_code=credit(1)).name == "测试单位1号"


def test_headers_with_required_marks_and_aliases_are_accepted(regions, admin_user_gq):
    headers = ["统一社会信用代码*", "企业名称", "区划代码", "专业（必填）", "备注说明"]
    rows = [[credit(1), "甲", "370322 高青县", "公共场所、饮用水", "x"]]
    batch = prepare(admin_user_gq, xlsx_bytes(headers, rows))
    assert batch.status == ImportStatus.READY, batch.errors
    assert batch.warnings == ["忽略无法识别的列：备注说明"]


# --- malformed files ------------------------------------------------------------------------------------


def test_wrong_headers_are_rejected_with_a_clear_message(regions, admin_user_gq):
    batch = prepare(admin_user_gq, xlsx_bytes(["姓名", "年龄"], [["张三", 30]]))
    assert batch.status == ImportStatus.INVALID
    assert "表头无法识别" in batch.errors[0][2]


def test_missing_required_column_is_named(regions, admin_user_gq):
    batch = prepare(admin_user_gq, xlsx_bytes(["统一社会信用代码", "单位名称"], [[credit(1), "甲"]]))
    assert batch.errors == [[0, "", "缺少必填列：行政区划、专业类别"]]


def test_duplicate_header_is_rejected(regions, admin_user_gq):
    headers = [*UNIT_HEADERS, "单位名称"]
    batch = prepare(admin_user_gq, xlsx_bytes(headers, [[*unit_row(1), "又一个名称"]]))
    assert "表头重复" in batch.errors[0][2]


@pytest.mark.parametrize(
    "data,filename,message",
    [
        (b"", "empty.xlsx", "文件为空"),
        (csv_bytes(UNIT_HEADERS, []), "header_only.csv", "没有数据行"),
        (b"PK\x03\x04 broken zip", "broken.xlsx", "不是有效的 Excel 文件"),
        (b"%PDF-1.4", "report.pdf", "不支持的文件类型"),
        (b"\r\n\r\n", "blank.csv", "文件为空"),
    ],
)
def test_unusable_files(regions, admin_user_gq, data, filename, message):
    batch = prepare(admin_user_gq, data, filename)
    assert batch.status == ImportStatus.INVALID
    assert message in batch.errors[0][2]
    assert not RegulatedUnit.objects.exists()


def test_empty_xlsx_workbook(regions, admin_user_gq):
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    batch = prepare(admin_user_gq, buffer.getvalue())
    assert "文件为空" in batch.errors[0][2]


def test_too_many_rows_is_refused(regions, admin_user_gq, settings):
    settings.DIRECTORY_IMPORT_MAX_ROWS = 1000
    rows = [unit_row(i) for i in range(1001)]
    for data, name in ((csv_bytes(UNIT_HEADERS, rows), "big.csv"), (xlsx_bytes(UNIT_HEADERS, rows), "big.xlsx")):
        batch = prepare(admin_user_gq, data, name)
        assert "超过上限 1,000 行" in batch.errors[0][2]


def test_default_limits_refuse_200001_rows_and_over_20mb(regions, admin_user_gq):
    line = "91370322MA00000000,单位,地址,370322,公共场所\n"
    huge_rows = ("统一社会信用代码,单位名称,地址,行政区划,专业类别\n" + line * 200_001).encode()
    batch = prepare(admin_user_gq, huge_rows, "huge.csv")
    assert "超过上限 200,000 行" in batch.errors[0][2]
    batch = prepare(admin_user_gq, b"x" * (20 * 1024 * 1024 + 1), "huge.xlsx")
    assert "文件过大" in batch.errors[0][2]
    assert batch.stored_file == ""


def test_every_bad_row_and_cell_is_named_in_chinese(regions, admin_user_gq):
    make_unit(regions, 99)  # already in the directory
    bad_check = credit(2)[:17] + ("0" if credit(2)[17] != "0" else "1")
    rows = [
        unit_row(1),
        unit_row(2, **{"统一社会信用代码": bad_check}),
        unit_row(3, **{"行政区划": "999999"}),
        unit_row(4, **{"单位名称": ""}),
        unit_row(5, **{"投诉举报次数": "三次"}),
        unit_row(6, **{"风险分类日期": "2026-13-45"}),
        unit_row(7, **{"专业类别": "兽医"}),
        unit_row(8, **{"信用风险分类": "E"}),
        unit_row(1, **{"单位名称": "重复的"}),
        unit_row(99),
        unit_row(9, **{"经营状态": "倒闭"}),
        unit_row(10, **{"投诉举报次数": -1}),
        unit_row(11, **{"统一社会信用代码": "123"}),
        unit_row(12, **{"风险分类日期": ""}),
    ]
    batch = prepare(admin_user_gq, xlsx_bytes(UNIT_HEADERS, rows))
    assert batch.status == ImportStatus.INVALID
    by_row = {}
    for row, column, message in batch.errors:
        by_row.setdefault(row, []).append((column, message))
    assert by_row[3] == [
        ("统一社会信用代码", f"统一社会信用代码校验位错误：第18位应为 {credit(2)[17]}，实际为 {bad_check[17]}")
    ]
    assert by_row[4] == [("行政区划", "未知的行政区划：999999（请填写本辖区县级行政区划的6位代码或名称）")]
    assert by_row[5] == [("单位名称", "不能为空（必填）")]
    assert by_row[6] == [("投诉举报次数", "应为不小于0的整数")]
    assert by_row[7] == [("风险分类日期", "日期格式错误，应为 YYYY-MM-DD（如 2026-03-01）")]
    assert by_row[8][0][0] == "专业类别" and "未知的专业类别：兽医" in by_row[8][0][1]
    assert by_row[9][0][0] == "信用风险分类" and "无效的信用风险分类：E" in by_row[9][0][1]
    assert by_row[10] == [("统一社会信用代码", f"与第2行重复：{credit(1)}")]
    assert by_row[11][0][0] == "统一社会信用代码" and "已存在于名录库" in by_row[11][0][1]
    assert by_row[12][0][0] == "经营状态" and "无效的经营状态：倒闭" in by_row[12][0][1]
    assert by_row[13] == [("投诉举报次数", "应为不小于0的整数")]
    assert by_row[14] == [("统一社会信用代码", "统一社会信用代码应为18位（当前3位）")]
    assert by_row[15] == [("风险分类日期", "填写了信用风险分类时，风险分类日期不能为空")]
    assert 2 not in by_row
    assert batch.count_error == 13
    assert RegulatedUnit.objects.count() == 1  # nothing written
    with pytest.raises(ValidationError):
        services.import_commit(user=admin_user_gq, batch=batch)


def test_error_workbook_lists_bad_rows_with_reason(regions, admin_user_gq):
    rows = [unit_row(1), unit_row(2, **{"行政区划": "火星"})]
    data = xlsx_bytes(UNIT_HEADERS, rows)
    batch = prepare(admin_user_gq, data)
    book = openpyxl.load_workbook(io.BytesIO(errors_xlsx(read_table(data, "a.xlsx"), batch.errors)))
    sheet = book["错误明细"]
    values = list(sheet.values)
    assert values[0][0] == "原行号" and values[0][-1] == "错误原因"
    assert len(values) == 2 and values[1][0] == 3
    assert values[1][-1].startswith("【行政区划】未知的行政区划：火星")


def test_county_user_cannot_import_units_of_another_county(regions, admin_yy):
    batch = prepare(admin_yy, xlsx_bytes(UNIT_HEADERS, [unit_row(1, "370322"), unit_row(2, "370323")]))
    assert batch.status == ImportStatus.INVALID
    assert batch.errors == [[2, "行政区划", "无权导入本辖区以外的数据：370322"]]


def test_inspector_role_cannot_import(regions, inspector_gq):
    with pytest.raises(PermissionDenied):
        prepare(inspector_gq, xlsx_bytes(UNIT_HEADERS, [unit_row(1)]))
    assert not ImportBatch.objects.exists()


def test_commit_is_all_or_nothing_when_database_changed_after_preview(regions, admin_user_gq):
    batch = prepare(admin_user_gq, xlsx_bytes(UNIT_HEADERS, [unit_row(1), unit_row(2)]))
    make_unit(regions, 2)  # registered by someone else in between
    with pytest.raises(ValidationError, match=credit(2)):
        services.import_commit(user=admin_user_gq, batch=batch)
    assert list(RegulatedUnit.objects.values_list("credit_code", flat=True)) == [credit(2)]
    batch.refresh_from_db()
    assert batch.status == ImportStatus.READY


def test_only_the_uploader_commits(regions, admin_user_gq, approver_gq):
    batch = prepare(admin_user_gq, xlsx_bytes(UNIT_HEADERS, [unit_row(1)]))
    with pytest.raises(PermissionDenied):
        services.import_commit(user=approver_gq, batch=batch)


# --- 审管联动 update mode ----------------------------------------------------------------------------


def test_update_mode_changes_closes_and_adds_with_report(regions, admin_user_gq):
    base = prepare(admin_user_gq, xlsx_bytes(UNIT_HEADERS, [unit_row(i) for i in range(1, 5)]))
    services.import_commit(user=admin_user_gq, batch=base)
    headers = ["统一社会信用代码", "单位名称", "经营状态", "专业类别", "标签", "信用风险分类", "风险分类日期"]
    rows = [
        [credit(1), "测试单位1号（更名）", "", "", "", "", ""],  # rename only; blanks keep old values
        [credit(2), "", "注销", "", "", "", ""],  # closed by the registration authority
        [credit(3), "", "", "公共场所、饮用水", "住宿、重点单位", "D", "2026-06-01"],
        [credit(4), "测试单位4号", "", "", "", "", ""],  # unchanged
        [credit(50), "新开业单位", "", "学校", "", "", ""],  # new: needs 行政区划
        [credit(51), "另一新单位", "", "学校", "", "", ""],
    ]
    batch = prepare(admin_user_gq, xlsx_bytes(headers, rows), mode="update")
    assert batch.status == ImportStatus.INVALID  # new units miss 行政区划
    assert {tuple(e) for e in batch.errors} == {
        (6, "行政区划", "不能为空（必填）"),
        (7, "行政区划", "不能为空（必填）"),
    }
    headers.append("行政区划")
    rows = [[*row, "高青县" if i >= 4 else ""] for i, row in enumerate(rows)]
    batch = prepare(admin_user_gq, xlsx_bytes(headers, rows), mode="update")
    assert batch.status == ImportStatus.READY, batch.errors
    assert (batch.count_create, batch.count_update, batch.count_close, batch.count_unchanged) == (2, 2, 1, 1)
    report = {entry["key"]: entry for entry in batch.report}
    assert report[credit(1)]["changes"] == [["单位名称", "测试单位1号", "测试单位1号（更名）"]]
    assert report[credit(2)]["action"] == "close"
    assert report[credit(2)]["changes"] == [["经营状态", "在营", "注销"]]
    changes3 = {label: (old, new) for label, old, new in report[credit(3)]["changes"]}
    assert changes3["专业类别"] == ("公共场所", "公共场所、饮用水")
    assert changes3["信用风险分类"] == ("B", "D")
    assert report[credit(50)]["action"] == "create"
    assert credit(4) not in report

    services.import_commit(user=admin_user_gq, batch=batch)
    u1, u2, u3 = (RegulatedUnit.objects.get(credit_code=credit(i)) for i in (1, 2, 3))
    assert (
        u1.name == "测试单位1号（更名）" and u1.risk_level == "B" and u1.complaint_count == 1
    )  # untouched fields kept
    assert u2.status == UnitStatus.CLOSED and u2.status_changed_on is not None and not u2.is_open
    assert sorted(line.code for line in u3.business_lines.all()) == ["ggcs", "yys"]
    assert sorted(tag.name for tag in u3.tags.all()) == ["住宿", "重点单位"]
    assert u3.risk_level == "D" and u3.ratings.count() == 2
    assert RegulatedUnit.objects.count() == 6
    update = ObjectChange.objects.filter(
        object_type="directory.regulatedunit", object_id=str(u2.pk), action="update"
    ).get()
    assert update.prechange_data["status"] == "active" and update.postchange_data["status"] == "closed"


def test_update_mode_refuses_units_registered_in_another_county(regions, admin_user_gq, admin_yy):
    make_unit(regions, 1, "370322")
    headers = ["统一社会信用代码", "经营状态"]
    batch = prepare(admin_yy, xlsx_bytes(headers, [[credit(1), "注销"]]), mode="update")
    assert batch.errors == [[2, "统一社会信用代码", "该信用代码/证号已在其他辖区登记，请联系上级管理员"]]


def test_inspector_import_and_update(regions, orgs, admin_user_gq):
    headers = ["姓名", "执法证号", "执法证有效期至", "所属机构", "专业类别", "在岗状态"]
    rows = [
        ["张三", "sd001", "2028-12-31", "高青县卫生监督所", "公共场所、学校", ""],
        ["李四", "SD002", "2027-01-01", "沂源县卫生健康局", "", ""],
        ["王五", "SD003", "20270101", "高青县卫生监督所", "", "休假"],
    ]
    batch = prepare(admin_user_gq, xlsx_bytes(headers, rows), kind="inspector")
    assert {(r, c) for r, c, _ in batch.errors} == {(3, "所属机构"), (4, "在岗状态")}
    rows = [rows[0], ["王五", "SD003", "20270101", "高青县卫生监督所", "", "离岗"]]
    batch = prepare(admin_user_gq, xlsx_bytes(headers, rows), kind="inspector")
    services.import_commit(user=admin_user_gq, batch=batch)
    zhang = Inspector.objects.get(cert_no="SD001")
    assert sorted(line.code for line in zhang.specialties.all()) == ["ggcs", "xxws"]
    assert not Inspector.objects.get(cert_no="SD003").active
    update = prepare(
        admin_user_gq, xlsx_bytes(["执法证号", "职务"], [["SD001", "副队长"]]), kind="inspector", mode="update"
    )
    assert update.count_update == 1, update.errors
    services.import_commit(user=admin_user_gq, batch=update)
    zhang.refresh_from_db()
    assert zhang.position == "副队长" and zhang.specialties.count() == 2


# --- template and export helpers -----------------------------------------------------------------------


def test_template_has_chinese_headers_required_marks_and_notes():
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx(UNIT_COLUMNS, title="检查对象")))
    headers = [cell.value for cell in book["检查对象"][1]]
    assert headers[:5] == ["统一社会信用代码*", "单位名称*", "地址", "行政区划*", "专业类别*"]
    assert "违法违规次数" not in headers  # export-only column
    assert book["填写说明"]["A2"].value == "统一社会信用代码"
    assert book["检查对象"].data_validations.dataValidation  # dropdowns for enums


def test_template_round_trips_through_import(regions, admin_user_gq):
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx(UNIT_COLUMNS, title="检查对象")))
    sheet = book["检查对象"]
    sheet.append([credit(1), "甲", "", "370322", "学校"])
    buffer = io.BytesIO()
    book.save(buffer)
    batch = prepare(admin_user_gq, buffer.getvalue())
    assert batch.status == ImportStatus.READY, batch.errors


# --- scale -------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_import_100000_rows(regions, admin_user_gq):
    rows = [unit_row(i, **{"标签": "住宿" if i % 2 else "美容美发"}) for i in range(100_000)]
    data = csv_bytes(UNIT_HEADERS, rows)
    started = time.perf_counter()
    batch = prepare(admin_user_gq, data, "100k.csv")
    assert batch.status == ImportStatus.READY and batch.count_create == 100_000
    services.import_commit(user=admin_user_gq, batch=batch)
    elapsed = time.perf_counter() - started
    assert RegulatedUnit.objects.count() == 100_000
    assert RegulatedUnit.business_lines.through.objects.count() == 100_000
    assert ObjectChange.objects.filter(object_type="directory.regulatedunit").count() == 100_000
    print(f"\n100,000-row import: {elapsed:.1f}s ({100_000 / elapsed:,.0f} rows/s)")


def test_a_credit_code_with_a_nul_byte_is_a_row_error_on_every_database(regions, admin_user_gq):
    """A NUL byte can come in through the API (JSON "\\u0000"; a CSV with one is refused whole): the key lookup
    against a register that has units skips keys no database stores (PostgreSQL refuses NUL in text), so the
    record is reported, never a server error."""
    from shuangsuiji.imports.spreadsheets import Table

    make_unit(regions, 70)
    bad = credit(71)[:5] + "\x00" + credit(71)[6:]
    table = Table(headers=UNIT_HEADERS, rows=[(2, unit_row(72)), (3, unit_row(71, 统一社会信用代码=bad))])
    batch = services.import_sync(user=admin_user_gq, kind="unit", mode="create", table=table, source="接口测试")
    assert batch.status == ImportStatus.INVALID and batch.count_error == 1
    assert [(row, column) for row, column, _ in batch.errors] == [(3, "统一社会信用代码")]
    assert not RegulatedUnit.objects.filter(credit_code=credit(72)).exists()
