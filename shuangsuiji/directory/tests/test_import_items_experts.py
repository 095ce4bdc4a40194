"""Import of the 抽查事项清单 (InspectionItem) and the 专家库 (Expert): same machinery as units/inspectors."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shuangsuiji.accounts.tests.test_views import login
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.directory import services
from shuangsuiji.directory.choices import ExpertKind, ImportKind, ImportStatus, ItemCategory, ItemLevel, ItemStatus
from shuangsuiji.directory.importers import EXPERT_COLUMNS, ITEM_COLUMNS
from shuangsuiji.directory.models import Expert, ImportBatch, InspectionItem
from shuangsuiji.imports.spreadsheets import template_xlsx

from .factories import credit, csv_bytes, line, xlsx_bytes

pytestmark = pytest.mark.django_db

ITEM_HEADERS = [
    "事项编码", "专业类别", "抽查事项", "检查对象", "事项类别", "默认抽查比例（%）", "抽查频次", "抽查依据",
    "抽查内容", "抽查方式", "抽查主体",
]  # fmt: skip
EXPERT_HEADERS = [
    "类型", "姓名/机构名称", "工作单位", "职称/资质", "资质证书编号", "统一社会信用代码", "所属区划", "专业类别",
    "标签", "联系电话", "入库有效期至", "有效",
]  # fmt: skip


def item_row(n: int, **overrides) -> list:
    row = {
        "事项编码": f"GQ-{n:03d}", "专业类别": "公共场所", "抽查事项": f"抽查事项{n}", "检查对象": "住宿场所",
        "事项类别": "一般", "默认抽查比例（%）": "5", "抽查频次": "每年1次", "抽查依据": "《公共场所卫生管理条例》",
        "抽查内容": "卫生许可、从业人员健康检查", "抽查方式": "双随机抽查，现场检查", "抽查主体": "高青县卫生健康局",
    }  # fmt: skip
    row.update(overrides)
    return [row[h] for h in ITEM_HEADERS]


def expert_row(n: int, **overrides) -> list:
    row = {
        "类型": "专家", "姓名/机构名称": f"专家{n}", "工作单位": "高青县人民医院", "职称/资质": "主任医师",
        "资质证书编号": f"ZJ{n:05d}", "统一社会信用代码": "", "所属区划": "370322", "专业类别": "公共场所、学校",
        "标签": "评审专家", "联系电话": "13800000000", "入库有效期至": "2028-12-31", "有效": "有效",
    }  # fmt: skip
    row.update(overrides)
    return [row[h] for h in EXPERT_HEADERS]


def agency_row(n: int, region: str = "370322", **overrides) -> list:
    fields = {
        "类型": "第三方机构", "姓名/机构名称": f"检测公司{n}", "工作单位": "", "职称/资质": "CMA",
        "资质证书编号": "", "统一社会信用代码": credit(n, region), "所属区划": region, "专业类别": "饮用水",
        "标签": "", "联系电话": "", "入库有效期至": "", "有效": "",
    }  # fmt: skip
    return expert_row(n, **{**fields, **overrides})


def prepare(user, data, kind, filename="import.xlsx", mode="create"):
    return services.import_prepare(user=user, kind=kind, mode=mode, data=data, filename=filename)


def by_row(batch) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    for row, column, message in batch.errors:
        found.setdefault(row, []).append((column, message))
    return found


def make_item(regions, code, region="370322", publish=False, **data):
    fields = {
        "code": code, "business_line": line("ggcs"), "name": f"事项{code}", "target": "住宿场所",
        "legal_basis": "依据", "responsible_body": "卫生健康局", "content": "内容", "method": "现场检查",
        "default_ratio": Decimal("5"), "frequency": "每年1次", "category": ItemCategory.GENERAL,
        "region": regions[region], **data,
    }  # fmt: skip
    item = services.item_create(user=SYSTEM, data=fields)
    return services.item_publish(user=SYSTEM, item=item) if publish else item


def make_expert(regions, name, region="370322", **data):
    fields = {"kind": ExpertKind.EXPERT, "name": name, "region": regions[region], **data}
    return services.expert_save(user=SYSTEM, data=fields, specialties=[line("ggcs")])


# --- 抽查事项清单 --------------------------------------------------------------------------------------


def test_item_xlsx_preview_then_commit_creates_drafts_with_audit(regions, admin_user_gq):
    rows = [item_row(1), item_row(2, **{"事项类别": "重点", "默认抽查比例（%）": "12.5%", "专业类别": "xxws"})]
    batch = prepare(admin_user_gq, xlsx_bytes(ITEM_HEADERS, rows), ImportKind.ITEM)
    assert (batch.status, batch.rows_total, batch.count_create, batch.errors) == (ImportStatus.READY, 2, 2, [])
    assert not InspectionItem.objects.exists()  # dry run
    services.import_commit(user=admin_user_gq, batch=batch)
    item = InspectionItem.objects.get(code="GQ-002")
    assert (item.status, item.version, item.level) == (ItemStatus.DRAFT, 1, ItemLevel.COUNTY)
    assert item.region.code == "370322"
    assert (item.category, item.default_ratio, item.business_line.code) == (ItemCategory.KEY, Decimal("12.5"), "xxws")
    created = ObjectChange.objects.filter(object_type="directory.inspectionitem", action="create")
    assert created.count() == 2
    assert created.get(object_id=str(item.pk)).postchange_data["code"] == "GQ-002"
    assert ObjectChange.objects.filter(action="import", object_type="directory.importbatch").count() == 2


def test_item_csv_with_blank_optional_columns_gets_defaults(regions, admin_user_gq):
    row = item_row(1, **{"事项类别": "", "抽查频次": "", "抽查方式": ""})
    batch = prepare(admin_user_gq, csv_bytes(ITEM_HEADERS, [row], "gbk"), ImportKind.ITEM, "items.csv")
    assert batch.status == ImportStatus.READY, batch.errors
    services.import_commit(user=admin_user_gq, batch=batch)
    item = InspectionItem.objects.get()
    assert (item.category, item.frequency, item.method) == (ItemCategory.GENERAL, "每年1次", "双随机抽查，现场检查")


def test_item_bad_rows_are_each_named_and_nothing_is_written(regions, admin_user_gq):
    make_item(regions, "GQ-900")  # a draft already in the list
    make_item(regions, "GQ-901", publish=True)
    rows = [
        item_row(1),
        item_row(2, **{"抽查事项": ""}),
        item_row(3, **{"专业类别": "兽医"}),
        item_row(4, **{"默认抽查比例（%）": "150"}),
        item_row(5, **{"默认抽查比例（%）": "五"}),
        item_row(1, **{"抽查事项": "重复编码"}),
        item_row(900),
        item_row(901),
        item_row(6, **{"事项类别": "特别"}),
        item_row(7, **{"专业类别": "公共场所、学校"}),
        item_row(8, **{"抽查依据": ""}),
    ]
    batch = prepare(admin_user_gq, xlsx_bytes(ITEM_HEADERS, rows), ImportKind.ITEM)
    assert batch.status == ImportStatus.INVALID
    errors = by_row(batch)
    assert 2 not in errors
    assert errors[3] == [("抽查事项", "不能为空（必填）")]
    assert errors[4][0][0] == "专业类别" and "未知的专业类别：兽医" in errors[4][0][1]
    ratio = "应为0到100之间的数字（百分比，如 5 表示 5％，最多两位小数）"
    assert errors[5] == [("默认抽查比例（%）", ratio)]
    assert errors[6] == [("默认抽查比例（%）", ratio)]
    assert errors[7] == [("事项编码", "与第2行重复：GQ-001")]
    assert errors[8][0][0] == "事项编码" and "已存在于名录库" in errors[8][0][1]
    assert errors[9] == [("事项编码", "已发布的事项不能修改，请新建版本")]
    assert errors[10] == [("事项类别", "无效的事项类别：特别（可选：一般、重点）")]
    assert errors[11] == [("专业类别", "只能填写一个专业类别（当前为 2 个）")]
    assert errors[12] == [("抽查依据", "不能为空（必填）")]
    assert batch.count_error == 10
    assert InspectionItem.objects.count() == 2  # nothing written
    with pytest.raises(ValidationError):
        services.import_commit(user=admin_user_gq, batch=batch)


def test_item_update_mode_updates_drafts_and_refuses_published_versions(regions, admin_user_gq):
    draft = make_item(regions, "GQ-001", name="旧名称")
    published = make_item(regions, "GQ-002", publish=True)
    headers = ["事项编码", "抽查事项", "默认抽查比例（%）"]
    batch = prepare(
        admin_user_gq, xlsx_bytes(headers, [["GQ-001", "新名称", ""], ["GQ-002", "", "8"]]), ImportKind.ITEM,
        mode="update",
    )  # fmt: skip
    assert batch.errors == [[3, "事项编码", "已发布的事项不能修改，请新建版本"]]
    batch = prepare(admin_user_gq, xlsx_bytes(headers, [["GQ-001", "新名称", ""]]), ImportKind.ITEM, mode="update")
    assert batch.status == ImportStatus.READY, batch.errors
    assert batch.report[0]["changes"] == [["抽查事项", "旧名称", "新名称"]]
    services.import_commit(user=admin_user_gq, batch=batch)
    draft.refresh_from_db()
    assert (draft.name, draft.default_ratio, draft.status, draft.version) == ("新名称", Decimal("5"), "draft", 1)
    change = ObjectChange.objects.get(object_type="directory.inspectionitem", object_id=str(draft.pk), action="update")
    assert change.prechange_data["name"] == "旧名称" and change.postchange_data["name"] == "新名称"
    # A new version of the published item is a draft and may then be updated by import.
    version2 = services.item_new_version(user=SYSTEM, item=published)
    batch = prepare(admin_user_gq, xlsx_bytes(headers, [["GQ-002", "", "8"]]), ImportKind.ITEM, mode="update")
    services.import_commit(user=admin_user_gq, batch=batch)
    version2.refresh_from_db()
    published.refresh_from_db()
    assert version2.default_ratio == Decimal("8") and published.default_ratio == Decimal("5")


def test_item_published_between_preview_and_commit_writes_nothing(regions, admin_user_gq):
    draft = make_item(regions, "GQ-001")
    headers = ["事项编码", "抽查事项"]
    rows = [["GQ-001", "新名称"], ["GQ-777", "新事项"]]
    batch = prepare(admin_user_gq, xlsx_bytes(headers, rows), ImportKind.ITEM, mode="update")
    assert batch.status == ImportStatus.INVALID  # a new code in update mode still needs its required cells
    rows = [["GQ-001", "新名称"]]
    batch = prepare(admin_user_gq, xlsx_bytes(headers, rows), ImportKind.ITEM, mode="update")
    services.item_publish(user=SYSTEM, item=draft)
    with pytest.raises(ValidationError, match="已发布的事项不能修改，请新建版本"):
        services.import_commit(user=admin_user_gq, batch=batch)
    draft.refresh_from_db()
    assert draft.name == "事项GQ-001"
    batch.refresh_from_db()
    assert batch.status == ImportStatus.READY


def test_item_codes_are_per_region(regions, admin_user_gq, admin_yy):
    make_item(regions, "GQ-001", publish=True)  # 高青's published item does not block 沂源
    batch = prepare(admin_yy, xlsx_bytes(ITEM_HEADERS, [item_row(1)]), ImportKind.ITEM)
    assert batch.status == ImportStatus.READY, batch.errors
    services.import_commit(user=admin_yy, batch=batch)
    assert sorted(InspectionItem.objects.values_list("region__code", "status")) == [
        ("370322", "published"), ("370323", "draft"),
    ]  # fmt: skip


def test_item_import_needs_the_import_permission(regions, inspector_gq, oversight_gq):
    for user in (inspector_gq, oversight_gq):
        with pytest.raises(PermissionDenied):
            prepare(user, xlsx_bytes(ITEM_HEADERS, [item_row(1)]), ImportKind.ITEM)
    assert not ImportBatch.objects.exists()
    assert inspector_gq.has_perm("directory.import_inspectionitem") is False


# --- 专家库 --------------------------------------------------------------------------------------------


def test_expert_xlsx_preview_then_commit(regions, approver_gq):
    assert approver_gq.has_perm("directory.import_expert")
    rows = [expert_row(1), expert_row(2, **{"有效": "无效", "资质证书编号": ""}), agency_row(3)]
    batch = prepare(approver_gq, xlsx_bytes(EXPERT_HEADERS, rows), ImportKind.EXPERT)
    assert (batch.status, batch.count_create) == (ImportStatus.READY, 3), batch.errors
    assert not Expert.objects.exists()
    services.import_commit(user=approver_gq, batch=batch)
    one = Expert.objects.get(qualification_no="ZJ00001")
    assert (one.kind, one.name, one.region.code, one.valid_to) == ("expert", "专家1", "370322", dt.date(2028, 12, 31))
    assert sorted(x.code for x in one.specialties.all()) == ["ggcs", "xxws"]
    assert [t.name for t in one.tags.all()] == ["评审专家"]
    assert not Expert.objects.get(name="专家2").active
    agency = Expert.objects.get(credit_code=credit(3))
    assert (agency.kind, agency.name) == ("agency", "检测公司3")
    assert ObjectChange.objects.filter(object_type="directory.expert", action="create").count() == 3


def test_expert_csv_is_read(regions, admin_user_gq):
    batch = prepare(admin_user_gq, csv_bytes(EXPERT_HEADERS, [expert_row(1)]), ImportKind.EXPERT, "experts.csv")
    assert batch.status == ImportStatus.READY, batch.errors
    services.import_commit(user=admin_user_gq, batch=batch)
    assert Expert.objects.get().qualification_no == "ZJ00001"


def test_expert_bad_rows_are_each_named_and_nothing_is_written(regions, admin_user_gq):
    make_expert(regions, "已有专家", qualification_no="ZJ00099")
    bad_check = credit(5)[:17] + ("0" if credit(5)[17] != "0" else "1")
    rows = [
        expert_row(1),
        expert_row(2, **{"姓名/机构名称": ""}),
        expert_row(3, **{"所属区划": ""}),
        agency_row(5, **{"统一社会信用代码": bad_check}),
        expert_row(6, **{"所属区划": "370323"}),  # 沂源: outside 高青's scope
        expert_row(7, **{"资质证书编号": "zj00001"}),  # same certificate as row 2 (case-insensitive)
        agency_row(8),
        agency_row(9, **{"统一社会信用代码": credit(8)}),
        expert_row(10, **{"资质证书编号": "", "姓名/机构名称": "张三"}),
        expert_row(11, **{"资质证书编号": "", "姓名/机构名称": "张三"}),
        expert_row(12, **{"专业类别": "兽医"}),
        expert_row(13, **{"类型": "顾问"}),
        expert_row(99),
        expert_row(14, **{"入库有效期至": "明年"}),
    ]
    batch = prepare(admin_user_gq, xlsx_bytes(EXPERT_HEADERS, rows), ImportKind.EXPERT)
    assert batch.status == ImportStatus.INVALID
    errors = by_row(batch)
    assert 2 not in errors and 8 not in errors and 10 not in errors
    assert errors[3] == [("姓名/机构名称", "不能为空（必填）")]
    assert errors[4] == [("所属区划", "不能为空（必填）")]
    assert errors[5] == [
        ("统一社会信用代码", f"统一社会信用代码校验位错误：第18位应为 {credit(5)[17]}，实际为 {bad_check[17]}")
    ]
    assert errors[6] == [("所属区划", "无权导入本辖区以外的数据：370323")]
    assert errors[7] == [("资质证书编号", "与第2行重复：资质证书编号：ZJ00001")]
    assert errors[9] == [("统一社会信用代码", f"与第8行重复：统一社会信用代码：{credit(8)}")]
    assert errors[11] == [("姓名/机构名称", "与第10行重复：姓名：张三／工作单位：高青县人民医院")]
    assert errors[12][0][0] == "专业类别" and "未知的专业类别：兽医" in errors[12][0][1]
    assert errors[13][0][0] == "类型" and "无效的类型：顾问" in errors[13][0][1]
    assert errors[14][0][0] == "资质证书编号" and "已存在于名录库（已有专家）" in errors[14][0][1]
    assert errors[15] == [("入库有效期至", "日期格式错误，应为 YYYY-MM-DD（如 2026-03-01）")]
    assert batch.count_error == 11
    assert Expert.objects.count() == 1  # nothing written
    with pytest.raises(ValidationError):
        services.import_commit(user=admin_user_gq, batch=batch)


def test_expert_update_mode_by_certificate_credit_code_and_name(regions, admin_user_gq):
    by_cert = make_expert(regions, "李四", qualification_no="ZJ00001", title="副主任医师")
    by_code = services.expert_save(
        user=SYSTEM, data={"kind": "agency", "name": "检测公司", "credit_code": credit(3), "region": regions["370322"]}
    )
    by_name = make_expert(regions, "王五", employer="高青县疾控中心")
    headers = ["资质证书编号", "统一社会信用代码", "姓名/机构名称", "工作单位", "职称/资质", "专业类别", "所属区划"]
    rows = [
        ["zj00001", "", "", "", "主任医师", "", ""],
        ["", credit(3), "", "", "CMA、CNAS", "", ""],
        ["", "", "王五", "高青县疾控中心", "", "饮用水", ""],
        ["", "", "赵六", "高青县人民医院", "主治医师", "", "高青县"],  # new
    ]
    batch = prepare(admin_user_gq, xlsx_bytes(headers, rows), ImportKind.EXPERT, mode="update")
    assert batch.status == ImportStatus.READY, batch.errors
    assert (batch.count_create, batch.count_update) == (1, 3)
    services.import_commit(user=admin_user_gq, batch=batch)
    for expert in (by_cert, by_code, by_name):
        expert.refresh_from_db()
    assert by_cert.title == "主任医师" and by_cert.name == "李四"
    assert by_code.title == "CMA、CNAS" and by_code.kind == "agency"
    assert [x.code for x in by_name.specialties.all()] == ["yys"]
    assert Expert.objects.get(name="赵六").region.code == "370322"
    assert ObjectChange.objects.filter(object_type="directory.expert", action="update").count() == 3


def test_yiyuan_user_cannot_touch_gaoqing_experts(regions, admin_yy):
    make_expert(regions, "李四", qualification_no="ZJ00001")
    headers = ["资质证书编号", "职称/资质"]
    batch = prepare(admin_yy, xlsx_bytes(headers, [["ZJ00001", "主任医师"]]), ImportKind.EXPERT, mode="update")
    assert batch.errors == [[2, "资质证书编号", "该信用代码/证号已在其他辖区登记，请联系上级管理员"]]
    batch = prepare(admin_yy, xlsx_bytes(EXPERT_HEADERS, [expert_row(2)]), ImportKind.EXPERT)
    assert batch.errors == [[2, "所属区划", "无权导入本辖区以外的数据：370322"]]
    # the same name and employer in another county is another expert (name keys match only in scope)
    make_expert(regions, "王五", employer="县人民医院")
    row = expert_row(3, **{"姓名/机构名称": "王五", "工作单位": "县人民医院", "资质证书编号": "", "所属区划": "沂源县"})
    batch = prepare(admin_yy, xlsx_bytes(EXPERT_HEADERS, [row]), ImportKind.EXPERT)
    assert batch.status == ImportStatus.READY, batch.errors
    services.import_commit(user=admin_yy, batch=batch)
    assert sorted(Expert.objects.filter(name="王五").values_list("region__code", flat=True)) == ["370322", "370323"]


def test_expert_import_needs_the_import_permission(regions, inspector_gq, oversight_gq):
    for user in (inspector_gq, oversight_gq):
        assert not user.has_perm("directory.import_expert")
        with pytest.raises(PermissionDenied):
            prepare(user, xlsx_bytes(EXPERT_HEADERS, [expert_row(1)]), ImportKind.EXPERT)
    assert not ImportBatch.objects.exists()


# --- pages -----------------------------------------------------------------------------------------------


def upload(client, url, data, name="import.xlsx", mode="create"):
    return client.post(reverse(url), {"file": SimpleUploadedFile(name, data), "mode": mode})


@pytest.mark.parametrize(
    "kind,url,headers,row,model",
    [
        ("item", "directory:item_import", ITEM_HEADERS, item_row(1), InspectionItem),
        ("expert", "directory:expert_import", EXPERT_HEADERS, expert_row(1), Expert),
    ],
)
def test_upload_preview_commit_pages(regions, admin_user_gq, client, kind, url, headers, row, model):
    login(client, admin_user_gq)
    list_page = client.get(reverse(f"directory:{kind}_list"))
    assert reverse(f"directory:{kind}_import") in list_page.text
    assert reverse(f"directory:{kind}_template") in list_page.text and "下载模板" in list_page.text
    form = client.get(reverse(url))
    assert form.status_code == 200 and "更新导入" in form.text
    response = upload(client, url, xlsx_bytes(headers, [row]))
    batch = ImportBatch.objects.get()
    assert batch.kind == kind and response.url == reverse("directory:import_detail", args=[batch.pk])
    preview = client.get(response.url)
    assert "确认导入" in preview.text and not model.objects.exists()
    done = client.post(reverse("directory:import_commit", args=[batch.pk]), follow=True)
    assert "导入完成：新增 1" in done.text
    assert model.objects.count() == 1
    assert client.get(reverse("directory:import_list"), {"kind": kind}).status_code == 200


def test_preview_page_names_bad_cells(regions, admin_user_gq, client):
    login(client, admin_user_gq)
    upload(client, "directory:item_import", xlsx_bytes(ITEM_HEADERS, [item_row(1, **{"默认抽查比例（%）": "-1"})]))
    batch = ImportBatch.objects.get()
    preview = client.get(reverse("directory:import_detail", args=[batch.pk]))
    assert "第2行" in preview.text and "默认抽查比例（%）" in preview.text and "确认导入" not in preview.text
    errors = client.get(reverse("directory:import_errors", args=[batch.pk]))
    rows = list(openpyxl.load_workbook(io.BytesIO(errors.content))["错误明细"].values)
    assert rows[1][0] == 2 and "应为0到100之间的数字" in rows[1][-1]


@pytest.mark.parametrize("url", ["directory:item_import", "directory:expert_import"])
def test_inspector_and_oversight_are_refused_the_import_pages(regions, inspector_gq, oversight_gq, client, url):
    for user in (inspector_gq, oversight_gq):
        login(client, user)
        assert client.get(reverse(url)).status_code == 403
        assert upload(client, url, b"x").status_code == 403
    assert not ImportBatch.objects.exists()
    login(client, inspector_gq)
    for name in ("item_list", "expert_list"):
        page = client.get(reverse(f"directory:{name}"))
        assert page.status_code == 200 and "导入</a>" not in page.text


def test_template_downloads_have_the_chinese_headers(regions, admin_user_gq, client):
    login(client, admin_user_gq)
    response = client.get(reverse("directory:item_template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book.active[1]] == [
        "事项编码*", "专业类别*", "抽查事项*", "检查对象*", "事项类别", "默认抽查比例（%）*", "抽查频次", "抽查依据*",
        "抽查内容*", "抽查方式", "抽查主体*",
    ]  # fmt: skip
    assert book["填写说明"]["A2"].value == "事项编码"
    response = client.get(reverse("directory:expert_template"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book.active[1]] == [
        "类型", "姓名/机构名称*", "工作单位", "职称/资质", "资质证书编号", "统一社会信用代码", "所属区划*", "专业类别",
        "标签", "联系电话", "入库有效期至", "有效",
    ]  # fmt: skip
    assert "专家库导入模板" in response["Content-Disposition"] or "%E4%B8%93" in response["Content-Disposition"]


@pytest.mark.parametrize(
    "columns,kind,row",
    [(ITEM_COLUMNS, ImportKind.ITEM, item_row(1)), (EXPERT_COLUMNS, ImportKind.EXPERT, expert_row(1))],
)
def test_templates_round_trip_through_import(regions, admin_user_gq, columns, kind, row):
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx(columns, title="导入")))
    book["导入"].append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    batch = prepare(admin_user_gq, buffer.getvalue(), kind)
    assert batch.status == ImportStatus.READY, batch.errors


def test_exported_lists_reimport_without_warnings(regions, admin_user_gq, client):
    make_item(regions, "GQ-001")
    make_expert(regions, "李四", qualification_no="ZJ00001")
    login(client, admin_user_gq)
    for kind, export in ((ImportKind.ITEM, "directory:item_export"), (ImportKind.EXPERT, "directory:expert_export")):
        data = client.get(reverse(export)).content
        batch = prepare(admin_user_gq, data, kind, mode="update")
        assert (batch.status, batch.warnings, batch.count_unchanged) == (ImportStatus.READY, [], 1), batch.errors
