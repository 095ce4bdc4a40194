"""Import UX (issue #17): the template's 示例 and 可选值 sheets with drop-downs, the paged preview marking every
row 新增/变更/无变化, and re-uploading from the errors page with the chosen options kept."""

import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shuangsuiji.accounts.tests.test_views import login
from shuangsuiji.directory import services
from shuangsuiji.directory.choices import ImportStatus
from shuangsuiji.directory.models import ImportBatch, Tag

from .factories import UNIT_HEADERS, unit_row, xlsx_bytes

pytestmark = pytest.mark.django_db

KINDS = ["unit", "inspector", "item", "expert"]


def template(client, kind):
    response = client.get(reverse(f"directory:{kind}_template"))
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def validations(sheet) -> dict[str, object]:
    """{header: DataValidation} of the data sheet's columns."""
    headers = {cell.column_letter: cell.value.rstrip("*") for cell in sheet[1]}
    found = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            letter = cell_range.coord.split(":")[0].rstrip("0123456789")
            found[headers[letter]] = validation
    return found


def allowed_column(book, header) -> list[str]:
    sheet = book["可选值"]
    for column in sheet.iter_cols(values_only=True):
        if column[0] == header:
            return [value for value in column[1:] if value is not None]
    raise AssertionError(header)


def test_unit_template_has_example_allowed_values_and_dropdowns(regions, admin_user_gq, client):
    Tag.objects.create(name="学校周边")
    login(client, admin_user_gq)
    book = template(client, "unit")
    assert book.sheetnames == ["检查对象", "示例", "可选值", "填写说明"]
    data = book["检查对象"]
    assert data.max_row <= 2 and all(cell.value is None for cell in data[2])  # nothing to import by mistake
    example = book["示例"]
    assert [c.value for c in example[1]] == [c.value for c in data[1]]
    assert example["B2"].value == "高青县示例宾馆有限公司" and "不读取" in example["A4"].value
    lines = allowed_column(book, "专业类别")
    assert "公共场所" in lines and len(lines) >= 10
    assert allowed_column(book, "标签") == ["学校周边"]
    assert allowed_column(book, "信用风险分类") == ["A", "B", "C", "D"]
    assert allowed_column(book, "行政区划") == ["370322 高青县"]  # the user's county only
    found = validations(data)
    assert set(found) == {"行政区划", "专业类别", "标签", "信用风险分类", "经营状态"}
    line_column = next(c[0].column_letter for c in book["可选值"].iter_cols() if c[0].value == "专业类别")
    assert found["专业类别"].formula1 == f"'可选值'!${line_column}$2:${line_column}${len(lines) + 1}"
    assert found["专业类别"].showErrorMessage is False  # several values joined with 、 stay possible
    assert found["信用风险分类"].showErrorMessage is True and found["信用风险分类"].type == "list"
    assert "G2:G200001" in str(found["专业类别"].sqref) or found["专业类别"].sqref
    notes = {row[0]: row[2] for row in book["填写说明"].iter_rows(values_only=True)}
    assert "公共场所" in notes["专业类别"] and "“、”分隔" in notes["专业类别"] and "示例" in notes["提示"]


@pytest.mark.parametrize("kind", KINDS)
def test_each_template_example_row_imports_when_copied_and_is_ignored_when_left(regions, orgs, admin_user_gq, kind):
    from shuangsuiji.directory import selectors
    from shuangsuiji.directory.importers import COLUMNS
    from shuangsuiji.imports.spreadsheets import template_xlsx

    lists = selectors.import_template_lists(kind, admin_user_gq)
    content = template_xlsx(
        COLUMNS[kind], title="导入", allowed=lists, example=selectors.import_template_example(kind, lists)
    )
    untouched = services.import_prepare(user=admin_user_gq, kind=kind, mode="create", data=content, filename="t.xlsx")
    assert untouched.status == ImportStatus.INVALID and "没有数据行" in untouched.errors[0][2]
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert validations(book["导入"])  # every register has at least one drop-down
    book["导入"].append([cell.value for cell in book["示例"][2]])
    buffer = io.BytesIO()
    book.save(buffer)
    batch = services.import_prepare(user=admin_user_gq, kind=kind, mode="create", data=buffer.getvalue(),
                                    filename="t.xlsx")  # fmt: skip
    assert batch.status == ImportStatus.READY, batch.errors
    assert (batch.rows_total, batch.count_create) == (1, 1)


def upload(client, data, mode="create", kind="unit", name="units.xlsx"):
    return client.post(reverse(f"directory:{kind}_import"), {"file": SimpleUploadedFile(name, data), "mode": mode})


def test_counts_include_the_valid_rows_of_a_file_with_errors(regions, admin_user_gq, client):
    """The reported “新增 0” while 4 rows were valid: the valid rows of an invalid file are counted and listed."""
    rows = [unit_row(i) for i in range(1, 5)] + [unit_row(5, 行政区划="999999")]
    login(client, admin_user_gq)
    response = upload(client, xlsx_bytes(UNIT_HEADERS, rows))
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.count_create, batch.count_error) == (ImportStatus.INVALID, 4, 1)
    page = client.get(response.url).text
    assert "新增、更新、无变化只计无错误的 4 行" in page
    assert page.count('data-action="create"') == 4 and "第6行" in page  # the error row is named in the errors


def test_preview_lists_rows_marked_and_pages_fifty_at_a_time(regions, admin_user_gq, client):
    """120 rows: 2 changed, 1 unchanged, 117 new; every row listed once over the pages, marks and old → new."""
    first = xlsx_bytes(UNIT_HEADERS, [unit_row(n) for n in (1, 2, 3)])
    services.import_commit(user=admin_user_gq, batch=services.import_prepare(
        user=admin_user_gq, kind="unit", mode="create", data=first, filename="a.xlsx"))  # fmt: skip
    rows = [unit_row(1, 单位名称="测试单位1号（更名）"), unit_row(2, 投诉举报次数=9), unit_row(3)]
    rows += [unit_row(n) for n in range(4, 121)]
    login(client, admin_user_gq)
    response = upload(client, xlsx_bytes(UNIT_HEADERS, rows), mode="update")
    batch = ImportBatch.objects.latest("pk")
    assert (batch.status, batch.count_create, batch.count_update, batch.count_unchanged) == ("ready", 117, 2, 1)
    url = response.url
    first_page = client.get(url).text
    assert first_page.count("<tr data-row=") == 50 and "第 1 / 3 页（共 120 行）" in first_page
    assert (
        'data-row="2" data-action="update"' in first_page
        and "单位名称：测试单位1号 → 测试单位1号（更名）" in first_page
    )
    assert 'data-row="4" data-action="unchanged"' in first_page and "无变化</span>" in first_page
    assert "投诉举报次数：2 → 9" in first_page
    seen = []
    for number in (1, 2, 3):
        part = client.get(url, {"page": number}, headers={"HX-Request": "true", "HX-Target": "preview-rows"})
        assert part.status_code == 200 and "<html" not in part.text  # only the row list
        seen += [int(x) for x in re.findall(r'data-row="(\d+)"', part.text)]
    assert seen == list(range(2, 122))
    changed = client.get(url, {"action": "update"}).text
    assert changed.count("<tr data-row=") == 2 and 'aria-current="true" data-filter="update"' in changed
    assert client.get(url, {"page": "999"}).text.count("<tr data-row=") == 20  # past the end: the last page
    assert client.get(url, {"page": "x", "action": "nonsense"}).status_code == 200


def test_errors_page_offers_reupload_with_the_chosen_mode(regions, admin_user_gq, client):
    login(client, admin_user_gq)
    response = upload(client, xlsx_bytes(UNIT_HEADERS, [unit_row(1, 行政区划="999999")]), mode="update")
    page = client.get(response.url).text
    assert 'id="reupload-form"' in page and reverse("directory:unit_import") in page
    assert 'value="update" id="id_mode_1" checked' in page and 'type="file"' in page
    again = upload(client, xlsx_bytes(UNIT_HEADERS, [unit_row(1)]), mode="update")
    batch = ImportBatch.objects.latest("pk")
    assert again.url == reverse("directory:import_detail", args=[batch.pk])
    assert (batch.status, batch.mode, batch.count_create) == ("ready", "update", 1)
    assert 'id="reupload-form"' not in client.get(again.url).text


def test_radio_buttons_sit_beside_their_labels(regions, admin_user_gq, client):
    login(client, admin_user_gq)
    page = client.get(reverse("directory:unit_import")).text
    assert '<div class="form-check">\n    <input class="form-check-input" type="radio"' in page
    assert '<label class="form-check-label" for="id_mode_0">新增导入</label>' in page


def test_a_file_read_in_the_background_has_its_preview_pages_too(regions, admin_user_gq, client, settings):
    """Large uploads are parsed by a background job: the job's batch lists its rows a page at a time as well."""
    from shuangsuiji.core.testing import finished_job

    settings.JOBS_INLINE_UPLOAD_BYTES = 0
    login(client, admin_user_gq)
    response = upload(client, xlsx_bytes(UNIT_HEADERS, [unit_row(n) for n in range(1, 76)]))
    job = finished_job(response)
    batch = ImportBatch.objects.get()
    assert (job.status, batch.status, batch.count_create) == ("succeeded", "ready", 75)
    second = client.get(reverse("directory:import_detail", args=[batch.pk]), {"page": 2}).text
    assert second.count("<tr data-row=") == 25 and 'data-row="76" data-action="create"' in second
