"""The import machinery on its own, with a register made up for the test (no directory model): header matching,
every row through the row form with every error named by row and column, duplicates in the file, the plan, the
template, the error workbook and formula neutralisation."""

import io

import openpyxl
import pytest
from django import forms

from shuangsuiji.imports import columns as columns_module
from shuangsuiji.imports.choices import ImportMode
from shuangsuiji.imports.schema import Column, Importer, match_headers, normalise_header
from shuangsuiji.imports.spreadsheets import (
    SpreadsheetError,
    Table,
    errors_xlsx,
    read_table,
    safe_cell,
    template_xlsx,
    write_xlsx,
)

COLUMNS = (
    Column("编码", "code", True, ("代码",)),
    Column("名称", "name", True),
    Column("数量", "count", note="整数", choices=("1", "2")),
    Column("只导出", "export_only", importable=False),
)


class RowForm(forms.Form):
    code = forms.CharField(error_messages={"required": "不能为空（必填）"})
    name = forms.CharField(error_messages={"required": "不能为空（必填）"})
    count = forms.IntegerField(required=False, error_messages={"invalid": "应为整数"})

    def __init__(self, *args, ctx=None, **kwargs):
        super().__init__(*args, **kwargs)

    def rebind(self, data):
        """Reuse one form for every row (the machinery's protocol): new data, errors recomputed."""
        self.data, self.is_bound, self._errors = data, True, None
        return self


class ThingImporter(Importer):
    kind = "thing"
    columns = COLUMNS
    key_field = "code"
    form_class = RowForm
    compare_fields = ("name", "count")
    existing: dict = {}

    def load_existing(self, keys):
        return {key: obj for key, obj in self.existing.items() if key in keys}

    def payload(self, row, data, present):
        return {"row": row, "code": data["code"].upper(), "name": data["name"], "count": data["count"],
                "present": present}  # fmt: skip


def table(*rows, headers=("编码*", "名称", "数量")):
    return Table(headers=list(headers), rows=[(n, list(cells)) for n, cells in enumerate(rows, start=2)])


def test_headers_match_by_alias_and_required_marks_and_problems_are_named():
    assert normalise_header(" 名 称（必填）") == "名称"
    mapping, warnings = match_headers(["代码*", "名称", "备注"], COLUMNS)
    assert mapping == {"code": 0, "name": 1} and warnings == ["忽略无法识别的列：备注"]
    with pytest.raises(SpreadsheetError, match="缺少必填列：名称"):
        match_headers(["编码"], COLUMNS)
    with pytest.raises(SpreadsheetError, match="表头重复：“代码”与第1列重复"):
        match_headers(["编码", "代码", "名称"], COLUMNS)
    with pytest.raises(SpreadsheetError, match="表头无法识别"):
        match_headers(["姓名"], COLUMNS)
    assert match_headers(["编码"], COLUMNS, only_required="code")[0] == {"code": 0}


def test_every_bad_row_and_duplicate_is_named_and_good_rows_are_planned():
    importer = ThingImporter(user=None, mode=ImportMode.CREATE)
    result = importer.validate(table(["a1", "甲", "1"], ["a2", "", "x"], ["A1", "乙", ""], ["a3", "丙", ""]))
    assert result.rows_total == 4
    assert result.errors == [
        [3, "名称", "不能为空（必填）"],
        [3, "数量", "应为整数"],
        [4, "编码", "与第2行重复：A1"],
    ]
    assert [row["code"] for row in result.payload] == ["A1", "A3"]
    plan = importer.plan(result.payload)
    assert [(entry["row"], entry["action"]) for entry in plan] == [(2, "create"), (5, "create")]


def test_nobody_sees_an_existing_record_outside_their_scope():
    """With no user in scope, a matched record gets the one fixed sentence (no name, code or region)."""

    class Existing:
        pk = 7

    class Scoped(ThingImporter):
        existing = {"A1": Existing()}

        def _scope_map(self, existing):
            return dict.fromkeys(existing, False)

    result = Scoped(user=None, mode=ImportMode.UPDATE).validate(table(["a1", "甲", ""]))
    assert result.errors == [[2, "编码", "该信用代码/证号已在其他辖区登记，请联系上级管理员"]]


def test_template_has_marked_headers_dropdowns_and_notes():
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx(COLUMNS, title="事物")))
    assert [cell.value for cell in book["事物"][1]] == ["编码*", "名称*", "数量"]
    assert book["事物"].data_validations.dataValidation
    notes = [[cell.value for cell in row] for row in book["填写说明"].iter_rows(min_row=2, max_row=4)]
    assert notes[2] == ["数量", "选填", "整数；可选：1、2"]


def test_error_workbook_lists_the_bad_rows_as_uploaded_with_reasons():
    uploaded = table(["a1", "甲"], ["a2", ""], headers=("编码", "名称"))
    book = openpyxl.load_workbook(io.BytesIO(errors_xlsx(uploaded, [[3, "名称", "不能为空（必填）"], [0, "", "整体"]])))
    rows = [[cell.value for cell in row] for row in book.active.iter_rows()]
    assert rows[0] == ["原行号", "编码", "名称", "错误原因"]
    assert rows[1][-1] == "整体" and rows[2] == [3, "a2", None, "【名称】不能为空（必填）"]


def test_csv_in_gbk_and_corrupt_files():
    assert read_table("编码,名称\r\na1,甲\r\n".encode("gb18030"), "x.csv").rows == [(2, ["a1", "甲"])]
    with pytest.raises(SpreadsheetError, match="不是有效的 Excel 文件"):
        read_table(b"not a spreadsheet", "x.ods")


def test_formula_injection_is_neutralised():
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert [safe_cell(v) for v in ("+1", "-1", "@SUM(A1)", "正常", 5)] == ["'+1", "'-1", "'@SUM(A1)", "正常", 5]
    book = openpyxl.load_workbook(io.BytesIO(write_xlsx(["名称"], [["=1+1"]])))
    assert book.active["A2"].value == "'=1+1" and book.active["A2"].data_type == "s"


def test_read_columns_reads_ragged_rows():
    """Short rows read "" for their missing cells, cells right of the mapped columns are ignored, and repeated
    values share one object in the columns that repeat."""
    rows = [(n + 2, [f"k{n}", "县", "xx", *["far"] * 5 * (n % 2)][: 1 + n % 3 + 5 * (n % 3 == 2)]) for n in range(10)]
    rownos, found = columns_module.read_columns(iter(rows), {"key": 0, "region": 1, "note": 2, "far": 4})
    assert rownos == list(range(2, 12))
    assert found["key"] == [f"k{n}" for n in range(10)]
    assert found["region"] == ["" if n % 3 == 0 else "县" for n in range(10)]
    assert found["note"] == [("x" * 2 if n % 3 == 2 else "") for n in range(10)]
    assert found["far"] == ["far" if n == 5 else "" for n in range(10)]
    assert len({id(value) for value in found["region"]}) == 2
    assert columns_module.read_columns(iter([]), {"key": 0}) == ([], {"key": []})


def test_present_masks_mark_the_filled_cells_of_the_valid_rows():
    from shuangsuiji.imports.schema import _present_masks

    columns = [["a", "", "c", ""], ["", "", "z", 0], ["x", "y", "", None]]
    assert _present_masks(columns, [0, 1, 2, 3], 4) == [0b101, 0b100, 0b011, 0b110]
    assert _present_masks(columns, [1, 3], 4) == [0b100, 0b110]
    assert _present_masks(columns, [], 4) == []
    assert _present_masks([], [0, 2], 4) == [0, 0]
    wide = [[""], *[["v"]] * 70]  # more columns than a machine word
    assert _present_masks(wide, [0], 1) == [(1 << 71) - 2]
