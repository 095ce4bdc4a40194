import datetime as dt
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.directory import services
from shuangsuiji.directory.choices import ImportStatus
from shuangsuiji.directory.models import ImportBatch, InspectionItem, RegulatedUnit

from .factories import UNIT_HEADERS, credit, line, make_inspector, make_unit, unit_row, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(client):
    def do(user):
        client.force_login(user)
        return client

    return do


def unit_rows(page) -> list[str]:
    """Unit names listed in a rendered table (each row links the code and the name to the detail page)."""
    return re.findall(r'<a href="/directory/units/\d+/">([^<]+)</a></td>', page.text)[1::2]


def upload(client, data, name="units.xlsx", mode="create", url="directory:unit_import"):
    return client.post(reverse(url), {"file": SimpleUploadedFile(name, data), "mode": mode})


def test_unit_list_filters_pages_and_sorts(regions, admin_user_gq, login):
    for n in range(25):
        make_unit(regions, n, lines=("ggcs",) if n % 2 else ("xxws",), name=f"单位{n:02d}")
    services.unit_update(user=SYSTEM, unit=RegulatedUnit.objects.get(name="单位03"), data={"complaint_count": 2})
    client = login(admin_user_gq)
    page = client.get(reverse("directory:unit_list"))
    assert page.status_code == 200
    assert unit_rows(page) == [f"单位{n:02d}" for n in range(20)]  # 20 per page, ordered by name
    assert "查询" in page.text and "重置" in page.text and "下载模板" in page.text and "导入" in page.text
    page2 = client.get(reverse("directory:unit_list"), {"page": 2})
    assert unit_rows(page2) == [f"单位{n:02d}" for n in range(20, 25)]
    lines = client.get(reverse("directory:unit_list"), {"business_line": "xxws"})
    assert unit_rows(lines) == [f"单位{n:02d}" for n in range(0, 25, 2)]
    sorted_desc = client.get(reverse("directory:unit_list"), {"sort": "-name"})
    assert unit_rows(sorted_desc)[:2] == ["单位24", "单位23"]
    complaints = client.get(reverse("directory:unit_list"), {"complaints": "true"})
    assert unit_rows(complaints) == ["单位03"]
    search = client.get(reverse("directory:unit_list"), {"q": credit(7)})
    assert unit_rows(search) == ["单位07"]
    partial = client.get(reverse("directory:unit_list"), {"page": 2}, headers={"HX-Request": "true"})
    assert "<html" not in partial.text and 'id="results"' in partial.text


def test_yiyuan_user_cannot_see_gaoqing_units(regions, admin_yy, login):
    gq = make_unit(regions, 1, "370322", name="高青的单位")
    make_unit(regions, 2, "370323", name="沂源的单位")
    client = login(admin_yy)
    page = client.get(reverse("directory:unit_list"))
    assert unit_rows(page) == ["沂源的单位"]
    assert client.get(reverse("directory:unit_detail", args=[gq.pk])).status_code == 404
    assert client.get(reverse("directory:unit_edit", args=[gq.pk])).status_code == 404
    export = client.get(reverse("directory:unit_export"))
    rows = list(openpyxl.load_workbook(io.BytesIO(export.content)).active.values)
    assert [r[1] for r in rows[1:]] == ["沂源的单位"]


def test_yiyuan_user_cannot_import_gaoqing_units(regions, admin_yy, login):
    client = login(admin_yy)
    response = upload(client, xlsx_bytes(UNIT_HEADERS, [unit_row(1, "370322")]))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.status == ImportStatus.INVALID
    preview = client.get(reverse("directory:import_detail", args=[batch.pk]))
    assert "无权导入本辖区以外的数据：370322" in preview.text
    assert client.post(reverse("directory:import_commit", args=[batch.pk])).status_code == 302
    assert not RegulatedUnit.objects.exists()


def test_yiyuan_user_cannot_open_gaoqing_import_batch(regions, admin_user_gq, admin_yy, client):
    client.force_login(admin_user_gq)
    upload(client, xlsx_bytes(UNIT_HEADERS, [unit_row(1)]))
    batch = ImportBatch.objects.get()
    client.force_login(admin_yy)
    assert client.get(reverse("directory:import_detail", args=[batch.pk])).status_code == 404
    assert client.post(reverse("directory:import_commit", args=[batch.pk])).status_code == 404
    assert not RegulatedUnit.objects.exists()


def test_oversight_sees_import_batches_but_cannot_commit(regions, admin_user_gq, oversight_gq, login, client):
    login(admin_user_gq)
    upload(client, xlsx_bytes(UNIT_HEADERS, [unit_row(1)]))
    batch = ImportBatch.objects.get()
    login(oversight_gq)
    page = client.get(reverse("directory:import_detail", args=[batch.pk]))
    assert page.status_code == 200 and "确认导入" not in page.text
    assert client.post(reverse("directory:import_commit", args=[batch.pk])).status_code == 403
    assert client.post(reverse("directory:import_cancel", args=[batch.pk])).status_code == 403
    assert not RegulatedUnit.objects.exists()


def test_inspector_cannot_import(regions, inspector_gq, login):
    client = login(inspector_gq)
    assert client.get(reverse("directory:unit_import")).status_code == 403
    assert upload(client, xlsx_bytes(UNIT_HEADERS, [unit_row(1)])).status_code == 403
    assert upload(client, b"x", url="directory:inspector_import").status_code == 403
    assert not ImportBatch.objects.exists()
    page = client.get(reverse("directory:unit_list"))
    assert page.status_code == 200 and "导入</a>" not in page.text  # no button either


def test_upload_preview_commit_flow(regions, admin_user_gq, login):
    client = login(admin_user_gq)
    form = client.get(reverse("directory:unit_import"))
    assert "更新导入（审管联动）" in form.text
    response = upload(client, xlsx_bytes(UNIT_HEADERS, [unit_row(1), unit_row(2)]))
    batch = ImportBatch.objects.get()
    assert response.url == reverse("directory:import_detail", args=[batch.pk])
    preview = client.get(response.url)
    assert "确认导入" in preview.text and "校验全部通过" in preview.text
    assert not RegulatedUnit.objects.exists()
    done = client.post(reverse("directory:import_commit", args=[batch.pk]), follow=True)
    assert "导入完成：新增 2" in done.text
    assert RegulatedUnit.objects.count() == 2
    home = client.get(reverse("core:home"))
    assert "导入批次待确认" not in home.text


def test_preview_names_bad_cells_and_offers_error_workbook(regions, admin_user_gq, login):
    client = login(admin_user_gq)
    upload(client, xlsx_bytes(UNIT_HEADERS, [unit_row(1), unit_row(2, **{"行政区划": "未知县"})]))
    batch = ImportBatch.objects.get()
    preview = client.get(reverse("directory:import_detail", args=[batch.pk]))
    assert "第3行" in preview.text and "未知的行政区划：未知县" in preview.text and "确认导入" not in preview.text
    errors = client.get(reverse("directory:import_errors", args=[batch.pk]))
    rows = list(openpyxl.load_workbook(io.BytesIO(errors.content))["错误明细"].values)
    assert rows[1][0] == 3 and "未知的行政区划" in rows[1][-1]


def test_oversized_upload_is_refused_before_reading(regions, admin_user_gq, login, settings):
    settings.DIRECTORY_IMPORT_MAX_BYTES = 1000
    client = login(admin_user_gq)
    response = upload(client, b"x" * 2000)
    assert response.status_code == 200 and "文件过大" in response.text
    assert not ImportBatch.objects.exists()


def test_template_download(regions, oversight_gq, login):
    client = login(oversight_gq)
    response = client.get(reverse("directory:unit_template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    headers = [c.value for c in openpyxl.load_workbook(io.BytesIO(response.content)).active[1]]
    assert headers[0] == "统一社会信用代码*"
    response = client.get(reverse("directory:inspector_template"))
    assert [c.value for c in openpyxl.load_workbook(io.BytesIO(response.content)).active[1]][:2] == [
        "姓名*",
        "执法证号*",
    ]


def test_export_of_filtered_list_is_audited_and_reimportable(regions, admin_user_gq, login):
    make_unit(regions, 1, name="=cmd|' /C calc'!A0", lines=("ggcs", "yys"))
    make_unit(regions, 2, lines=("xxws",), name="学校甲")
    client = login(admin_user_gq)
    response = client.get(reverse("directory:unit_export"), {"business_line": "ggcs"})
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:5] == ("统一社会信用代码", "单位名称", "地址", "行政区划", "专业类别")
    assert len(rows) == 2 and rows[1][1] == "'=cmd|' /C calc'!A0" and rows[1][4] == "公共场所、饮用水"
    event = ObjectChange.objects.filter(action="export").get()
    assert event.postchange_data["count"] == 1 and event.region_code == "370322"
    reimport = upload(client, response.content, "export.xlsx", mode="update")
    batch = ImportBatch.objects.get()
    assert reimport.status_code == 302 and batch.status == ImportStatus.READY, batch.errors
    assert batch.count_update == 1  # only the neutralising quote differs in the name


def test_unit_detail_shows_change_history(regions, admin_user_gq, login):
    unit = make_unit(regions, 1, name="旧名称")
    client = login(admin_user_gq)
    response = client.post(
        reverse("directory:unit_edit", args=[unit.pk]),
        {"name": "新名称", "region": regions["370322"].pk, "business_lines": [line("ggcs").pk], "complaint_count": 1,
         "status": "active"},
    )  # fmt: skip
    assert response.status_code == 302
    detail = client.get(reverse("directory:unit_detail", args=[unit.pk]))
    assert "变更记录" in detail.text and "旧名称 → 新名称" in detail.text and "投诉举报次数" in detail.text
    risk = client.post(
        reverse("directory:unit_risk_add", args=[unit.pk]), {"level": "C", "as_of": "2026-02-01", "source": "市场监管"}
    )
    assert risk.status_code == 302
    assert "C 信用风险较高" in client.get(reverse("directory:unit_detail", args=[unit.pk])).text


def test_unit_create_form_rejects_bad_credit_code(regions, admin_user_gq, login):
    client = login(admin_user_gq)
    response = client.post(
        reverse("directory:unit_create"),
        {"credit_code": "91370322MA0000000X", "name": "甲", "region": regions["370322"].pk,
         "business_lines": [line("ggcs").pk], "complaint_count": 0, "status": "active"},
    )  # fmt: skip
    assert response.status_code == 200 and "校验位错误" in response.text
    ok = client.post(
        reverse("directory:unit_create"),
        {"credit_code": credit(1), "name": "甲", "region": regions["370322"].pk,
         "business_lines": [line("ggcs").pk], "complaint_count": 0, "status": "active"},
    )  # fmt: skip
    assert ok.status_code == 302 and RegulatedUnit.objects.get().name == "甲"


def test_inspector_pages_leave_and_conflict(regions, orgs, admin_user_gq, login):
    unit = make_unit(regions, 1, name="某宾馆")
    inspector = make_inspector(orgs["gaoqing_agency"], 1, cert_valid_to=dt.date(2026, 6, 25))
    client = login(admin_user_gq)
    assert "执法员1" in client.get(reverse("directory:inspector_list")).text
    assert (
        client.post(
            reverse("directory:leave_add", args=[inspector.pk]),
            {"start": "2026-05-01", "end": "2026-04-01", "reason": "x"},
        ).status_code
        == 200
    )  # end before start: form error
    client.post(
        reverse("directory:leave_add", args=[inspector.pk]),
        {"start": "2026-05-01", "end": "2026-05-03", "reason": "年休假"},
    )
    bad = client.post(
        reverse("directory:conflict_add", args=[inspector.pk]),
        {"unit_code": credit(2), "relation": "relative", "start": "2026-01-01"},
    )  # fmt: skip
    assert "名录库中没有该统一社会信用代码的单位" in bad.text
    client.post(
        reverse("directory:conflict_add", args=[inspector.pk]),
        {"unit_code": credit(1), "relation": "relative", "start": "2026-01-01"},
    )  # fmt: skip
    detail = client.get(reverse("directory:inspector_detail", args=[inspector.pk]))
    assert "年休假" in detail.text and "某宾馆" in detail.text
    assert "执法员1" in client.get(reverse("directory:unit_detail", args=[unit.pk])).text
    home = client.get(reverse("core:home"))
    assert "执法证30天内到期" in home.text


def test_item_pages_publish_and_claim(regions, city_approver, approver_gq, client):
    client.force_login(city_approver)
    data = {
        "code": "SJ-GGCS-01", "business_line": line("ggcs").pk, "name": "住宿场所卫生监督检查", "target": "住宿场所",
        "category": "general", "legal_basis": "《公共场所卫生管理条例》", "responsible_body": "淄博市卫生健康委员会",
        "content": "卫生许可", "method": "现场检查", "default_ratio": "5", "frequency": "每年1次",
        "region": regions["370300"].pk,
    }  # fmt: skip
    assert client.post(reverse("directory:item_create"), data).status_code == 302
    item = InspectionItem.objects.get()
    client.post(reverse("directory:item_publish", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == "published"
    assert client.get(reverse("directory:item_edit", args=[item.pk])).status_code == 302  # immutable
    client.force_login(approver_gq)
    claim_page = client.get(reverse("directory:item_claim_list"))
    assert "住宿场所卫生监督检查" in claim_page.text
    response = client.post(reverse("directory:item_claim", args=[item.pk]))
    claimed = InspectionItem.objects.get(region=regions["370322"])
    assert response.url == reverse("directory:item_detail", args=[claimed.pk])
    edit = client.post(reverse("directory:item_edit", args=[claimed.pk]), {**data, "default_ratio": "10"})
    assert edit.status_code == 302
    claimed.refresh_from_db()
    assert claimed.default_ratio == Decimal("10") and claimed.claimed_from_id == item.pk
    assert "已认领" in client.get(reverse("directory:item_claim_list")).text
    listing = client.get(reverse("directory:item_list"))
    assert "SJ-GGCS-01" in listing.text and "认领上级事项" in listing.text


def test_menu_shows_directory_section(regions, oversight_gq, login):
    page = login(oversight_gq).get(reverse("core:home"))
    for label in ("一单两库", "抽查事项清单", "检查对象名录库", "执法检查人员名录库", "专家库"):
        assert label in page.text


def test_expert_library(regions, admin_user_gq, login):
    client = login(admin_user_gq)
    response = client.post(
        reverse("directory:expert_create"),
        {"kind": "agency", "name": "山东某检测技术有限公司", "region": regions["370322"].pk, "credit_code": "bad",
         "specialties": [line("ggcs").pk], "active": "on"},
    )  # fmt: skip
    assert "统一社会信用代码应为18位" in response.text
    response = client.post(
        reverse("directory:expert_create"),
        {"kind": "agency", "name": "山东某检测技术有限公司", "region": regions["370322"].pk, "credit_code": credit(5),
         "specialties": [line("ggcs").pk], "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    assert "山东某检测技术有限公司" in client.get(reverse("directory:expert_list")).text
    export = client.get(reverse("directory:expert_export"))
    rows = list(openpyxl.load_workbook(io.BytesIO(export.content)).active.values)
    assert rows[1][:2] == ("第三方机构", "山东某检测技术有限公司")


def test_expiring_certificate_todo_opens_exactly_the_people_it_counts(regions, orgs, admin_user_gq, login):
    """The home page's “执法证30天内到期” links to a list filtered to those inspectors (issue #17); the clock is
    frozen at 2026-06-15."""
    from shuangsuiji.core.registry import todos_for

    agency = orgs["gaoqing_agency"]
    soon = make_inspector(agency, 1, cert_valid_to=dt.date(2026, 7, 1))
    make_inspector(agency, 2, cert_valid_to=dt.date(2026, 9, 1))  # later than 30 days
    make_inspector(agency, 3, cert_valid_to=dt.date(2026, 6, 1), cert_valid_from=dt.date(2020, 1, 1))  # expired
    todo = next(t for t in todos_for(admin_user_gq) if t.label == "执法证30天内到期")
    assert todo.count == 1
    page = login(admin_user_gq).get(todo.url).text
    assert soon.cert_no in page and "SD00000002" not in page and "SD00000003" not in page
