"""Task types on the pages and the API (issue #15 point 1): the upper-level task import page and endpoint, the
non-random entry form with the 高青 coverage warning, and the result list's 检查类型 filter."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shuangsuiji.accounts.tests.test_views import login
from shuangsuiji.accounts.tokens import token_issue
from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.inspections.models import InspectionResult
from shuangsuiji.inspections.testing import locked_draw
from shuangsuiji.plans.models import Task

from .fixtures import LOCK_TIME
from .test_task_types import xlsx

pytestmark = pytest.mark.django_db


def import_post(gq, rows, **extra):
    officers = gq["inspectors"]
    return {
        "plan": gq["plan"].pk,
        "name": "省级公共场所随机监督抽查",
        "upper_level": "province",
        "upper_authority": "山东省卫生健康委员会",
        "upper_task_no": "鲁卫监督〔2026〕12号",
        "lead_organization": gq["plan"].organization_id,
        "window_start": "2026-06-01",
        "window_end": "2026-11-30",
        "inspectors": [officers[0].pk, officers[1].pk],
        "file": SimpleUploadedFile("名单.xlsx", xlsx(rows)),
        **extra,
    }


def test_import_page_shows_row_errors_and_keeps_input(client, gq, approver_gq):
    login(client, approver_gq)
    url = reverse("inspections:upper_task_import")
    assert "下载导入模板" in client.get(url).content.decode()
    response = client.post(url, import_post(gq, [("92370322MA0000000X", "", "")]))
    page = response.content.decode()
    assert response.status_code == 400
    assert "第2行“统一社会信用代码”：“92370322MA0000000X”在本辖区检查对象名录库中不存在" in page
    assert "鲁卫监督〔2026〕12号" in page  # what was typed stays on the page
    assert not Task.objects.filter(inspection_type="upper").exists()
    template = client.get(reverse("inspections:upper_task_template"))
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")


def test_import_page_records_the_task_and_lists_it_by_type(client, gq, approver_gq):
    login(client, approver_gq)
    units = gq["units"]
    response = client.post(
        reverse("inspections:upper_task_import"),
        import_post(gq, [(units[0].credit_code, "", ""), ("", units[1].name, "")]),
    )
    assert response.status_code == 302
    task = Task.objects.get(inspection_type="upper")
    assert response["Location"].endswith(f"?task={task.code}")
    listing = client.get(reverse("inspections:result_list"), {"inspection_type": "upper"}).content.decode()
    assert units[0].name in listing and "山东省卫生健康委员会下达（鲁卫监督〔2026〕12号）" in listing
    assert units[2].name not in listing


def test_api_imports_an_upper_level_task(client, gq, approver_gq, inspector_gq):
    units, officers = gq["units"], gq["inspectors"]
    body = {
        "plan": gq["plan"].pk,
        "name": "国家随机监督抽查",
        "upper_level": "national",
        "upper_task_no": "国卫监督〔2026〕1号",
        "window_start": "2026-06-01",
        "window_end": "2026-11-30",
        "default_group": [officers[0].cert_no, officers[1].cert_no],
        "units": [
            {"credit_code": units[5].credit_code},
            {"name": units[6].name, "cert_nos": [officers[2].cert_no, officers[3].cert_no]},
        ],
    }
    url = reverse("uppertask-list")
    token = {"HTTP_AUTHORIZATION": f"Token {token_issue(user=SYSTEM, owner=inspector_gq, name='t')[1]}"}
    assert client.post(url, body, content_type="application/json", **token).status_code == 403
    token = {"HTTP_AUTHORIZATION": f"Token {token_issue(user=SYSTEM, owner=approver_gq, name='t')[1]}"}
    bad = client.post(
        url, {**body, "units": [{"credit_code": "92370322MA0000000X"}]}, content_type="application/json", **token
    )
    assert bad.status_code == 400
    assert "第1条“统一社会信用代码”：“92370322MA0000000X”在本辖区检查对象名录库中不存在" in bad.json()["detail"] + str(
        bad.json()
    )
    done = client.post(url, body, content_type="application/json", **token)
    assert done.status_code == 201, done.json()
    data = done.json()
    assert data["source"] == "国家下达（国卫监督〔2026〕1号）" and data["targets"] == 2
    assert [r["credit_code"] for r in data["results"]] == [units[5].credit_code, units[6].credit_code]
    assert InspectionResult.objects.filter(pk__in=[r["id"] for r in data["results"]], status="pending").count() == 2


def test_non_random_form_warns_about_a_covered_unit(client, gq, approver_gq, inspector_gq):
    draw = locked_draw(gq["task"], approver_gq, now=LOCK_TIME)
    unit = draw.targets.filter(status="active").first().unit
    login(client, inspector_gq)
    url = reverse("inspections:non_random_create")
    assert "除投诉举报外，原则上不再开展日常监督检查" in client.get(url).content.decode()
    post = {
        "plan": gq["plan"].pk,
        "check_reason": "referral",
        "check_source": "淄卫转〔2026〕3号",
        "unit": unit.credit_code,
        "lead_organization": gq["plan"].organization_id,
        "inspectors": [i.pk for i in gq["inspectors"][:2]],
        "window_start": "2026-06-15",
        "window_end": "2026-06-30",
    }
    response = client.post(url, post)
    page = response.content.decode()
    assert response.status_code == 400
    assert f"{unit.name}本年度已纳入随机抽查：日常监督随机抽查任务 {gq['task'].code}" in page
    assert "淄卫转〔2026〕3号" in page
    response = client.post(url, {**post, "confirm_covered": "on"})
    assert response.status_code == 302
    result = InspectionResult.objects.get(draw__task__inspection_type="nonrandom")
    assert response["Location"] == reverse("inspections:result_detail", args=[result.pk])
    detail = client.get(response["Location"]).content.decode()
    assert "本年度已纳入随机抽查" in detail  # the warning message follows to the result page
    bad = client.post(url, {**post, "unit": "不存在的单位"})
    assert bad.status_code == 400 and "“不存在的单位”在本辖区检查对象名录库中不存在" in bad.content.decode()
    assert dt.date(2026, 6, 15) == result.draw.task.window_start


def test_staff_pages_of_an_imported_record_render(client, gq, approver_gq):
    units, officers = gq["units"], gq["inspectors"]
    login(client, approver_gq)
    client.post(reverse("inspections:upper_task_import"), import_post(gq, [(units[0].credit_code, "", "")]))
    task = Task.objects.get(inspection_type="upper")
    draw = task.draws.get()
    for url in (
        reverse("draws:draw_detail", args=[draw.pk]),
        reverse("draws:draw_list"),
        reverse("plans:task_detail", args=[task.pk]),
        reverse("plans:task_list") + "?inspection_type=upper",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "上级下达" in client.get(reverse("plans:task_detail", args=[task.pk])).content.decode()
    assert officers  # the group came from the page
