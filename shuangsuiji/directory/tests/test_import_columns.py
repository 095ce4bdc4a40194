"""The column-wise validation says exactly what the row form says row by row: same errors (row, column, words, order),
same warnings, same payload, for every register, on rows full of mistakes (create and update mode)."""

import pytest

from shuangsuiji.directory.importers import IMPORTERS
from shuangsuiji.imports import columns as engine
from shuangsuiji.imports.choices import ImportMode
from shuangsuiji.imports.schema import Importer
from shuangsuiji.imports.spreadsheets import Table

from .factories import UNIT_HEADERS, credit, make_inspector, make_unit, unit_row

pytestmark = pytest.mark.django_db

UNIT_BAD = [
    unit_row(1),
    unit_row(2, **{"统一社会信用代码": credit(2)[:17] + ("0" if credit(2)[17] != "0" else "1")}),
    unit_row(3, **{"行政区划": "999999", "专业类别": "兽医", "信用风险分类": "E"}),
    unit_row(4, **{"单位名称": "", "投诉举报次数": "三次", "风险分类日期": "2026-13-45"}),
    unit_row(5, **{"单位名称": "名" * 201, "地址": " 前后空格 ", "标签": "标" * 31}),
    unit_row(6, **{"风险分类日期": "", "经营状态": "倒闭"}),
    unit_row(7, **{"风险分类日期": "", "信用风险分类": ""}),
    unit_row(1, **{"单位名称": "重复的"}),
    unit_row(8, **{"投诉举报次数": -1, "地址": "地" * 301, "经营状态": "注销"}),
    unit_row(9, **{"统一社会信用代码": "123", "单位名称": "a\x00b"}),
    unit_row(10, **{"行政区划": "370323"}),  # outside the county user's scope
    unit_row(11, **{"风险分类日期": "2026/01/15", "标签": "住宿、 重点单位 ,住宿"}),
    unit_row(99),
    unit_row(12, **{"统一社会信用代码": f" {credit(12).lower()} "}),
]
INSPECTOR_HEADERS = [
    "姓名", "执法证号", "执法证有效期起", "执法证有效期至", "所属机构", "专业类别", "标签", "在岗状态", "职务",
]  # fmt: skip
INSPECTOR_BAD = [
    ["张三", "sd001", "2020-01-01", "2028-12-31", "高青县卫生监督所", "公共场所、学校", "a、b", "", ""],
    ["李四", "SD002", "2029-01-01", "2027-01-01", "高青县卫生监督所", "", "", "", ""],  # dates reversed
    ["", "SD003", "", "2027-13-01", "火星局", "兽医", "", "休假", "职" * 51],
    ["王五", "sd001", "", "2027-01-01", "高青县卫生监督所", "", "", "", ""],  # duplicate key
    ["赵六", "SD00000099", "", "", "高青县卫生监督所", "", "", "离岗", ""],  # existing record; blank 有效期至
    ["钱七", "", "", "2027-01-01", "", "", "", "", ""],
]


def _both(importer_cls, user, mode, headers, rows, monkeypatch):
    table = Table(headers=list(headers), rows=[(n, [str(c) for c in r]) for n, r in enumerate(rows, start=2)])
    fast = importer_cls(user=user, mode=mode)
    assert engine.RowFormColumns.supports(fast.form_class(data={}, ctx=fast.ctx))
    got = fast.validate(table)
    with monkeypatch.context() as patch:
        patch.setattr(engine.RowFormColumns, "supports", staticmethod(lambda form: False))
        patch.setattr(importer_cls, "payload_columns", Importer.payload_columns)  # payload() row by row
        patch.setattr(importer_cls, "column_warnings", Importer.column_warnings)  # row_warnings() row by row
        slow = importer_cls(user=user, mode=mode).validate(table)
    assert got.errors == slow.errors
    assert got.warnings == slow.warnings
    assert list(got.payload) == list(slow.payload)
    return got


@pytest.mark.parametrize("mode", [ImportMode.CREATE, ImportMode.UPDATE])
def test_units_column_wise_equals_row_form(regions, admin_user_gq, mode, monkeypatch):
    make_unit(regions, 99)
    result = _both(IMPORTERS["unit"], admin_user_gq, mode, UNIT_HEADERS, UNIT_BAD, monkeypatch)
    assert len({row for row, _, _ in result.errors}) >= 8 and len(result.payload) >= 2
    update = [[credit(99), "", "", "", "", "A", "", "", "", "新标签"], [credit(50), "新单位", "", "370322", "学校",
              "", "", "", "", ""]]  # fmt: skip
    _both(IMPORTERS["unit"], admin_user_gq, mode, UNIT_HEADERS, update, monkeypatch)


@pytest.mark.parametrize("mode", [ImportMode.CREATE, ImportMode.UPDATE])
def test_inspectors_column_wise_equals_row_form(orgs, admin_user_gq, mode, monkeypatch):
    make_inspector(orgs["gaoqing_agency"], 99)
    result = _both(IMPORTERS["inspector"], admin_user_gq, mode, INSPECTOR_HEADERS, INSPECTOR_BAD, monkeypatch)
    assert ("执法证有效期至", "执法证有效期至不能早于有效期起") in {(c, m) for _, c, m in result.errors}


def test_items_and_experts_column_wise_equal_row_form(orgs, admin_user_gq, monkeypatch):
    from .test_import_items_experts import EXPERT_HEADERS, ITEM_HEADERS, agency_row, expert_row, item_row

    items = [
        item_row(1), item_row(2, **{"默认抽查比例（%）": "101", "事项类别": "特别"}),
        item_row(3, **{"事项编码": "A B"}),
        item_row(4, **{"抽查依据": "", "专业类别": "公共场所、学校"}), item_row(1),
    ]  # fmt: skip
    _both(IMPORTERS["item"], admin_user_gq, ImportMode.CREATE, ITEM_HEADERS, items, monkeypatch)
    experts = [expert_row(1), expert_row(2, **{"类型": "神仙", "有效": "也许"}), agency_row(3),
               agency_row(4, **{"统一社会信用代码": "123"}), expert_row(5, **{"所属区划": "", "入库有效期至": "明年"}),
               expert_row(1)]  # fmt: skip
    _both(IMPORTERS["expert"], admin_user_gq, ImportMode.CREATE, EXPERT_HEADERS, experts, monkeypatch)


def test_progress_is_reported_while_preparing_and_committing(regions, admin_user_gq):
    from shuangsuiji.directory import services

    from .factories import xlsx_bytes

    calls = []
    data = xlsx_bytes(UNIT_HEADERS, [unit_row(i) for i in range(1, 8)])
    batch = services.import_prepare(
        user=admin_user_gq, kind="unit", mode="create", data=data, filename="u.xlsx",
        progress=lambda done, total: calls.append((done, total)),
    )  # fmt: skip
    assert calls[-1] == (1000, 1000)
    calls.clear()
    services.import_commit(user=admin_user_gq, batch=batch, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (1000, 1000) and len(calls) >= 2
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_credit_codes_taken_as_they_are_only_when_the_form_would_return_them(regions, admin_user_gq, monkeypatch):
    """A normalised valid code skips the form's steps (`column_test`); anything else goes through them, so every
    variant below is reported (or cleaned) exactly as the row form does."""
    changes = [
        lambda c: c,
        str.lower,
        lambda c: f" {c} ",
        lambda c: f"{c[:9]} {c[9:]}",
        lambda c: c + "\n",
        lambda c: c[:17] + ("0" if c[17] != "0" else "1"),
        lambda c: c[:17],
        lambda c: c + "0",
        lambda c: "９" + c[1:],
        lambda c: c[:5] + "\t" + c[6:],
        lambda c: c,
    ]  # a different code in each row (the same code twice is a duplicate key: never validated)
    rows = [unit_row(n, **{"统一社会信用代码": change(credit(n))}) for n, change in enumerate(changes, start=30)]
    result = _both(IMPORTERS["unit"], admin_user_gq, ImportMode.CREATE, UNIT_HEADERS, rows, monkeypatch)
    assert [row["credit_code"] for row in result.payload] == [credit(n) for n in (30, 31, 32, 33, 34, 40)]
    importer = IMPORTERS["unit"](user=admin_user_gq, mode=ImportMode.CREATE)
    form = importer.form_class(data={}, ctx=importer.ctx)
    assert engine._FieldColumn(form, "credit_code", 0).fast_valid is not None


def test_a_credit_code_field_with_stricter_validators_is_not_vouched_for():
    from django import forms

    from shuangsuiji.directory.forms import CreditCodeField

    assert CreditCodeField().column_test()(credit(1))
    assert CreditCodeField(max_length=18, min_length=18).column_test()(credit(1))
    assert CreditCodeField(max_length=17).column_test() is None
    assert CreditCodeField(validators=[lambda value: None]).column_test() is None
    assert not CreditCodeField().column_test()(credit(1).lower())

    class Stricter(CreditCodeField):
        def validate(self, value):
            super().validate(value)
            raise forms.ValidationError("不收")

    assert Stricter().column_test() is None
