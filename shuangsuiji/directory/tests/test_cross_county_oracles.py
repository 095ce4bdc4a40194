"""Cross-county oracles (issue #11): a 沂源 (370323) user guessing 高青 (370322) codes and certificate numbers
through every import kind and mode and through `POST /api/v1/units/sync/` learns nothing but the fixed sentence
“该信用代码/证号已在其他辖区登记，请联系上级管理员”: no name, no other code, no region — not in the response,
the preview page, the error workbook or the stored batch.
"""

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from shuangsuiji.accounts.tokens import token_issue
from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.directory import services
from shuangsuiji.directory.choices import ExpertKind, ImportKind, ImportMode, ImportStatus
from shuangsuiji.directory.models import ImportBatch, RegulatedUnit
from shuangsuiji.imports.schema import OTHER_REGION_MESSAGE

from .factories import credit, line, make_unit, xlsx_bytes

pytestmark = pytest.mark.django_db

N = 6  # records of each kind in 高青; the 沂源 user guesses the first N - 2 (the others must never show up)
GUESSED = range(N - 2)


@pytest.fixture
def gaoqing(regions, orgs):
    """高青 data with distinctive names and attributes, so any leak is recognisable."""
    units, inspectors, experts, agencies = [], [], [], []
    for n in range(N):
        units.append(
            make_unit(regions, 500 + n, name=f"高青秘密单位{n}", address=f"青城镇机密路{n}号", legal_rep=f"甲法人{n}")
        )
        inspectors.append(
            services.inspector_save(
                user=SYSTEM,
                specialties=[line("ggcs")],
                data={
                    "name": f"周明秘{n}",
                    "cert_no": f"37032202{n:03d}",
                    "cert_valid_to": dt.date(2030, 12, 31),
                    "organization": orgs["gaoqing_agency"],
                },
            )  # fmt: skip
        )
        experts.append(
            services.expert_save(
                user=SYSTEM,
                specialties=[line("ggcs")],
                data={
                    "kind": ExpertKind.EXPERT,
                    "name": f"秘密专家{n}",
                    "employer": f"机密医院{n}",
                    "qualification_no": f"ZJGQ{n:04d}",
                    "region": regions["370322"],
                },
            )  # fmt: skip
        )
        agencies.append(
            services.expert_save(
                user=SYSTEM,
                specialties=[line("ggcs")],
                data={
                    "kind": ExpertKind.AGENCY,
                    "name": f"秘密检测公司{n}",
                    "credit_code": credit(700 + n),
                    "region": regions["370322"],
                },
            )  # fmt: skip
        )
        services.item_create(
            user=SYSTEM,
            data={"code": f"GQ-SECRET-{n}", "business_line": line("ggcs"), "name": f"机密事项{n}", "target": "住宿",
                  "legal_basis": "依据", "responsible_body": "高青县卫生健康局", "content": "内容",
                  "method": "现场检查", "default_ratio": 5, "frequency": "每年1次", "region": regions["370322"]},
        )  # fmt: skip
    return {"units": units, "inspectors": inspectors, "experts": experts, "agencies": agencies}


def secrets(gq) -> list[str]:
    """What the 沂源 user must never see: every 高青 name and attribute, the region, and every code it did not type."""
    out = ["高青", "青城镇", "机密", "秘密", "周明", "甲法人"]
    out += [u.credit_code for u in gq["units"][N - 2 :]]
    out += [i.cert_no for i in gq["inspectors"][N - 2 :]]
    out += [e.qualification_no for e in gq["experts"][N - 2 :]]
    out += [a.credit_code for a in gq["agencies"][N - 2 :]]
    return out


def guessed_files(gq, mode: str) -> dict[str, tuple[list, list]]:
    """Per import kind: a 沂源 file naming 高青 keys (with 沂源's own region/organisation)."""
    units = [u.credit_code for u in gq["units"]]
    certs = [i.cert_no for i in gq["inspectors"]]
    quals = [e.qualification_no for e in gq["experts"]]
    agencies = [a.credit_code for a in gq["agencies"]]
    files = {
        ImportKind.UNIT: (
            ["统一社会信用代码", "单位名称", "行政区划", "专业类别", "经营状态"],
            [[units[n], f"沂源猜测{n}", "370323", "公共场所", "注销" if mode == ImportMode.UPDATE else "在营"]
             for n in GUESSED],
        ),
        ImportKind.INSPECTOR: (
            ["姓名", "执法证号", "执法证有效期至", "所属机构", "专业类别"],
            [[f"沂源员{n}", certs[n], "2030-12-31", "沂源县卫生健康局", "公共场所"] for n in GUESSED],
        ),
        ImportKind.EXPERT: (
            ["类型", "姓名/机构名称", "资质证书编号", "统一社会信用代码", "所属区划"],
            [["专家", f"沂源专家{n}", quals[n], "", "370323"] for n in GUESSED]
            + [["第三方机构", f"沂源机构{n}", "", agencies[n], "370323"] for n in GUESSED],
        ),
        ImportKind.ITEM: (  # item codes are per region: 高青's codes are free in 沂源, nothing to learn
            ["事项编码", "专业类别", "抽查事项", "检查对象", "默认抽查比例（%）", "抽查依据", "抽查内容", "抽查主体"],
            [[f"GQ-SECRET-{n}", "公共场所", f"沂源事项{n}", "住宿", "5", "依据", "内容", "沂源县卫生健康局"]
             for n in GUESSED],
        ),
    }  # fmt: skip
    return files


def workbook_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v)


def batch_text(batch: ImportBatch) -> str:
    batch.refresh_from_db()
    return json.dumps([batch.errors, batch.warnings, batch.report, batch.payload], ensure_ascii=False)


def leaks(text: str, gq) -> list[str]:
    return [s for s in secrets(gq) if s in text]


@pytest.mark.parametrize("mode", [ImportMode.CREATE, ImportMode.UPDATE])
def test_guessed_keys_in_every_import_kind_reveal_nothing(client, gaoqing, admin_yy, mode):
    client.force_login(admin_yy)
    url_names = {
        ImportKind.UNIT: "directory:unit_import", ImportKind.INSPECTOR: "directory:inspector_import",
        ImportKind.EXPERT: "directory:expert_import", ImportKind.ITEM: "directory:item_import",
    }  # fmt: skip
    for kind, (headers, rows) in guessed_files(gaoqing, mode).items():
        for name, data in ((f"{kind}.xlsx", xlsx_bytes(headers, rows)),):
            response = client.post(reverse(url_names[kind]), {"file": SimpleUploadedFile(name, data), "mode": mode})
            assert response.status_code == 302, (kind, response.status_code)
            batch = ImportBatch.objects.latest("pk")
            preview = client.get(response["Location"])
            assert preview.status_code == 200
            workbook = client.get(reverse("directory:import_errors", args=[batch.pk]))
            texts = {
                "preview": preview.text, "workbook": workbook_text(workbook.content), "batch": batch_text(batch),
            }  # fmt: skip
            for where, text in texts.items():
                assert not leaks(text, gaoqing), (kind, mode, where, leaks(text, gaoqing))
            if kind == ImportKind.ITEM:
                assert batch.status == ImportStatus.READY, batch.errors
                continue
            assert batch.status == ImportStatus.INVALID
            refused = [e for e in batch.errors if e[2] == OTHER_REGION_MESSAGE]
            assert len(refused) == len(rows), (kind, mode, batch.errors)
            assert OTHER_REGION_MESSAGE in preview.text and OTHER_REGION_MESSAGE in texts["workbook"]
    assert not RegulatedUnit.objects.filter(region__code="370323").exists()  # nothing was written


@pytest.mark.parametrize("mode", [ImportMode.CREATE, ImportMode.UPDATE])
def test_guessed_codes_through_the_sync_api_reveal_nothing(gaoqing, admin_yy, mode):
    api = Client(HTTP_AUTHORIZATION=f"Token {token_issue(user=SYSTEM, owner=admin_yy, name='oracle')[1]}")
    records = [
        {"credit_code": gaoqing["units"][n].credit_code, "name": f"沂源猜测{n}", "region": "370323",
         "business_lines": ["ggcs"], "status": "closed" if mode == ImportMode.UPDATE else ""}
        for n in GUESSED
    ]  # fmt: skip
    response = api.post(
        "/api/v1/units/sync/", json.dumps({"mode": mode, "source": "猜测", "units": records}),
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    body = response.content.decode()
    assert not leaks(body, gaoqing), leaks(body, gaoqing)
    errors = response.json()["errors"]
    assert [e["message"] for e in errors] == [OTHER_REGION_MESSAGE] * len(records)
    assert not leaks(batch_text(ImportBatch.objects.latest("pk")), gaoqing)
    for unit in gaoqing["units"]:
        unit.refresh_from_db()
        assert unit.region.code == "370322" and unit.is_open


def test_a_code_registered_elsewhere_after_the_preview_is_refused_without_detail(regions, admin_yy):
    """The commit re-plans against the database: a code 高青 registered meanwhile is refused with the same sentence."""
    code = credit(990)
    headers = ["统一社会信用代码", "单位名称", "行政区划", "专业类别"]
    batch = services.import_prepare(
        user=admin_yy, kind=ImportKind.UNIT, mode=ImportMode.UPDATE,
        data=xlsx_bytes(headers, [[code, "沂源新单位", "370323", "公共场所"]]), filename="late.xlsx",
    )  # fmt: skip
    assert batch.status == ImportStatus.READY
    make_unit(regions, 990, name="高青秘密单位990")
    with pytest.raises(ValidationError) as excinfo:
        services.import_commit(user=admin_yy, batch=batch)
    assert excinfo.value.messages == [f"第2行：{OTHER_REGION_MESSAGE}"]
    assert RegulatedUnit.objects.get(credit_code=code).region.code == "370322"


def test_own_region_duplicates_keep_the_helpful_message(regions, admin_user_gq):
    unit = make_unit(regions, 1, name="本县已有单位")
    headers = ["统一社会信用代码", "单位名称", "行政区划", "专业类别"]
    batch = services.import_prepare(
        user=admin_user_gq, kind=ImportKind.UNIT, mode=ImportMode.CREATE,
        data=xlsx_bytes(headers, [[unit.credit_code, "重复", "370322", "公共场所"]]), filename="dup.xlsx",
    )  # fmt: skip
    assert batch.errors == [[2, "统一社会信用代码", "已存在于名录库（本县已有单位），如需修改请选择“更新导入”"]]
