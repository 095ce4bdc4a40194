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


def test_mistaken_import_is_cancelled_from_its_page_and_imported_again(client, gq, approver_gq, inspector_gq):
    """Point 1: a wrong 上级下达 import is cancelled (作废, with a reason, audited) from its record page by whoever may
    import; its results leave the lists, and the same 上级任务编号 can then be imported again."""
    from django.core.exceptions import ValidationError

    from shuangsuiji.core.models import ObjectChange
    from shuangsuiji.draws import services as draw_services

    units = gq["units"]
    login(client, approver_gq)
    url = reverse("inspections:upper_task_import")
    assert client.post(url, import_post(gq, [(units[0].credit_code, "", "")])).status_code == 302
    draw = Task.objects.get(inspection_type="upper").draws.get()
    again = client.post(url, import_post(gq, [(units[1].credit_code, "", "")]))
    assert again.status_code == 400 and "已导入" in again.content.decode()
    page_url = reverse("draws:draw_detail", args=[draw.pk])
    cancel_url = reverse("inspections:record_cancel", args=[draw.pk])
    assert 'id="record-cancel"' in client.get(page_url).content.decode()
    with pytest.raises(ValidationError, match="检查对象登记页作废登记"):  # not the random draw's 作废
        draw_services.draw_cancel(user=approver_gq, draw=draw, reason="导入的检查对象有误")
    # an 执法人员 neither sees the action nor may post it
    client.logout()
    login(client, inspector_gq)
    assert 'id="record-cancel"' not in client.get(page_url).content.decode()
    assert client.post(cancel_url, {"reason": "导入的检查对象有误"}).status_code == 403
    client.logout()
    login(client, approver_gq)
    short = client.post(cancel_url, {"reason": "错"}, follow=True).content.decode()
    assert "作废失败：作废理由：请写明作废登记的理由（不少于 4 个字）" in short
    draw.refresh_from_db()
    assert draw.status == "locked"
    done = client.post(cancel_url, {"reason": "导入的检查对象有误，重新导入"}, follow=True).content.decode()
    assert "该登记已作废。如需重新导入，可再次导入上级任务编号“鲁卫监督〔2026〕12号”" in done
    assert 'id="record-cancelled"' in done and "导入的检查对象有误，重新导入" in done
    assert 'id="record-cancel"' not in done
    draw.refresh_from_db()
    assert (draw.status, draw.cancelled_by_id, draw.cancel_reason) == (
        "cancelled",
        approver_gq.pk,
        "导入的检查对象有误，重新导入",
    )
    log = ObjectChange.objects.filter(object_type="draws.draw", object_id=str(draw.pk)).order_by("-id").first()
    source = "山东省卫生健康委员会下达（鲁卫监督〔2026〕12号）"
    assert log.message == f"作废上级下达登记 {draw.code}（{source}）：导入的检查对象有误，重新导入"
    listing = client.get(reverse("inspections:result_list"), {"inspection_type": "upper"}).content.decode()
    assert units[0].name not in listing  # the cancelled record's empty 未检查 results are removed
    assert not InspectionResult.objects.filter(draw=draw).exists()
    # the same number imports again
    assert client.post(url, import_post(gq, [(units[1].credit_code, "", "")])).status_code == 302
    redone = Task.objects.filter(inspection_type="upper", upper_task_no="鲁卫监督〔2026〕12号").exclude(pk=draw.task_id)
    assert redone.get().draws.get().status == "locked"
    listing = client.get(reverse("inspections:result_list"), {"inspection_type": "upper"}).content.decode()
    assert units[1].name in listing and units[0].name not in listing


def test_non_random_record_cancel_refused_once_a_result_is_signed(client, gq, approver_gq, inspector_gq, make_user):
    """A 非随机检查 record is cancelled by a 科室负责人, not by the 执法人员 who recorded it, and only while no result
    is signed: a signed result is the record of a check that took place."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from shuangsuiji.inspections import services
    from shuangsuiji.inspections.testing import link_users

    def record(unit):
        return services.non_random_check_record(
            user=inspector_gq, plan=gq["plan"], unit=unit, check_reason="complaint", check_source="12345-2026-0601",
            inspectors=gq["inspectors"][:2], window_start=dt.date(2026, 6, 10), window_end=dt.date(2026, 6, 30),
            lead_organization=gq["plan"].organization,
        )[0]  # fmt: skip

    result = record(gq["units"][0])
    with pytest.raises(PermissionDenied):
        services.external_record_cancel(user=inspector_gq, draw=result.draw, reason="登记错了单位")
    link_users(result.target, inspector_gq, make_user("gq_inspector2", org="gaoqing_agency"))
    data = {"category": "1", "checked_on": dt.date(2026, 6, 12), "methods": ["onsite"], "findings": ""}
    services.result_save(user=inspector_gq, result=result, data=data)
    services.result_sign(user=inspector_gq, result=result)
    login(client, approver_gq)
    page = client.post(
        reverse("inspections:record_cancel", args=[result.draw_id]), {"reason": "登记错了单位"}, follow=True
    ).content.decode()
    assert f"作废失败：以下检查对象的检查结果已签名、提交或公示，不能作废登记：{gq['units'][0].name}" in page
    result.draw.refresh_from_db()
    assert result.draw.status == "locked"
    other = record(gq["units"][1])
    cancelled = services.external_record_cancel(user=approver_gq, draw=other.draw, reason="登记错了单位")
    assert cancelled.status == "cancelled" and not InspectionResult.objects.filter(pk=other.pk).exists()
    with pytest.raises(ValidationError, match="该登记已作废"):
        services.external_record_cancel(user=approver_gq, draw=other.draw, reason="登记错了单位")


def test_cancelled_record_results_opened_or_typed(client, gq, approver_gq, inspector_gq, make_user):
    """Cancelling a record removes a result whose page was only opened (blank checklist answers count as nothing)
    and keeps one with typed content, which then takes no more entries, signatures or publication."""
    from django.core.exceptions import ValidationError

    from shuangsuiji.inspections import services
    from shuangsuiji.inspections.models import ChecklistAnswer, ChecklistQuestion, ChecklistTemplate
    from shuangsuiji.inspections.testing import link_users

    template = ChecklistTemplate.objects.create(name="公共场所卫生检查表", region=gq["region"], item=gq["item"])
    ChecklistQuestion.objects.create(template=template, order=0, text="卫生许可证在有效期内", kind="check")

    def record(unit):
        return services.non_random_check_record(
            user=inspector_gq, plan=gq["plan"], unit=unit, check_reason="complaint", check_source="12345-2026-0601",
            inspectors=gq["inspectors"][:2], window_start=dt.date(2026, 6, 10), window_end=dt.date(2026, 6, 30),
            lead_organization=gq["plan"].organization, items=[gq["item"]],
        )[0]  # fmt: skip

    opened = record(gq["units"][0])
    services.materialise_checklist(opened)  # what opening its page does
    assert ChecklistAnswer.objects.filter(result=opened, value="").exists()
    services.external_record_cancel(user=approver_gq, draw=opened.draw, reason="登记错了单位")
    assert not InspectionResult.objects.filter(pk=opened.pk).exists()

    typed = record(gq["units"][1])
    link_users(typed.target, inspector_gq, make_user("gq_inspector2", org="gaoqing_agency"))
    data = {"category": "1", "checked_on": dt.date(2026, 6, 12), "methods": ["onsite"], "findings": "现场记录"}
    typed = services.result_save(user=inspector_gq, result=typed, data=data)
    services.external_record_cancel(user=approver_gq, draw=typed.draw, reason="登记错了单位")
    typed.refresh_from_db()
    assert typed.findings == "现场记录"  # what was typed is kept
    for attempt in (
        lambda: services.result_save(user=inspector_gq, result=typed, data=data),
        lambda: services.result_sign(user=inspector_gq, result=typed),
    ):
        with pytest.raises(ValidationError, match=f"所属的抽取或登记 {typed.draw.code} 已作废"):
            attempt()
    assert not typed.signatures.exists()
