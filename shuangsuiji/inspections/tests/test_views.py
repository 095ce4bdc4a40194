"""Pages: entry by the assigned team only, scope, attachments behind permission, exports, to-dos."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from shuangsuiji.accounts.tests.test_views import login
from shuangsuiji.inspections import services
from shuangsuiji.inspections.choices import ResultStatus
from shuangsuiji.inspections.models import InspectionResult

pytestmark = pytest.mark.django_db

NO_PROBLEM = {"category": "1", "checked_on": dt.date(2026, 3, 2), "methods": ["onsite"]}


def publish(team, approver, findings=""):
    result = services.result_save(user=team["first"], result=team["result"], data={**NO_PROBLEM, "findings": findings})
    services.result_sign(user=team["first"], result=result)
    services.result_sign(user=team["second"], result=result)
    return services.result_publish(user=approver, results=[result])[0]


def test_list_opens_pending_results_lazily_and_scope(client, gq, approver_gq, admin_yy):
    from shuangsuiji.inspections.testing import locked_draw
    from shuangsuiji.inspections.tests.fixtures import LOCK_TIME

    locked_draw(gq["task"], approver_gq, now=LOCK_TIME)
    assert InspectionResult.objects.count() == 0
    login(client, approver_gq)
    page = client.get(reverse("inspections:result_list"))
    assert page.status_code == 200
    assert InspectionResult.objects.filter(status=ResultStatus.PENDING).count() == 8
    assert "未检查" in page.content.decode()
    client.logout()
    login(client, admin_yy)
    page = client.get(reverse("inspections:result_list"))
    assert "高青县单位" not in page.content.decode()
    some = InspectionResult.objects.first()
    assert client.get(reverse("inspections:result_detail", args=[some.pk])).status_code == 404


def test_home_shows_result_todos(client, team):
    login(client, team["first"])
    page = client.get(reverse("core:home")).content.decode()
    assert "检查结果待录入" in page


def test_entry_form_only_for_assigned_team(client, team, make_user, locked):
    url = reverse("inspections:result_detail", args=[team["result"].pk])
    login(client, team["first"])
    assert 'id="result-form"' in client.get(url).content.decode()
    client.post(reverse("inspections:result_save", args=[team["result"].pk]), {
        "checked_on": "2026-03-02", "category": "1", "methods": ["onsite"], "findings": "",
    })  # fmt: skip
    team["result"].refresh_from_db()
    assert team["result"].status == ResultStatus.DRAFT and team["result"].category == "1"
    client.logout()

    outsider = make_user("gq_inspector3", org="gaoqing_agency")  # same county, not in the group
    login(client, outsider)
    assert 'id="result-form"' not in client.get(url).content.decode()
    client.post(
        reverse("inspections:result_save", args=[team["result"].pk]), {"checked_on": "2026-03-02", "category": "8"}
    )
    team["result"].refresh_from_db()
    assert team["result"].category == "1"
    client.post(reverse("inspections:result_sign", args=[team["result"].pk]))
    assert team["result"].signatures.count() == 0


def test_attachment_download_needs_permission(client, team, admin_yy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    login(client, team["first"])
    client.post(
        reverse("inspections:attachment_upload", args=[team["result"].pk]),
        {"file": SimpleUploadedFile("现场照片.png", b"\x89PNG\r\n\x1a\nxxxx"), "description": "门头"},
    )
    attachment = team["result"].attachments.get()
    response = client.get(reverse("inspections:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert "attachment" in response["Content-Disposition"]
    client.logout()
    assert client.get(reverse("inspections:attachment_download", args=[attachment.pk])).status_code == 302  # login
    login(client, admin_yy)
    assert client.get(reverse("inspections:attachment_download", args=[attachment.pk])).status_code == 404


def test_export_published_only_scoped_and_injection_safe(client, team, approver_gq, admin_yy, locked):
    publish(team, approver_gq, findings='=HYPERLINK("http://x")')
    InspectionResult.objects.filter(pk=team["result"].pk).update(unit_name="=cmd|' /C calc'!A0")
    login(client, approver_gq)
    response = client.get(reverse("inspections:result_export") + "?format=csv")
    assert response.status_code == 200
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:8] == [
        "企业名称",
        "统一社会信用代码",
        "抽查类型",
        "抽查机关",
        "抽查事项",
        "抽查日期",
        "抽查结果",
        "公示日期",
    ]
    assert len(rows) == 2  # only the published one of 8 results
    assert rows[1][0].startswith("'=") and rows[1][6] == "未发现问题" and rows[1][5] == "2026-03-02"
    assert rows[1][11] == '\'=HYPERLINK("http://x")'  # findings are exported, formula-safe

    response = client.get(reverse("inspections:result_export") + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "企业名称" and len(values) == 2 and values[1][0].startswith("'=")
    client.logout()
    login(client, admin_yy)
    rows = list(
        csv.reader(
            io.StringIO(client.get(reverse("inspections:result_export") + "?format=csv").content.decode("utf-8-sig"))
        )
    )
    assert len(rows) == 1  # header only: 沂源 never sees 高青 results


def test_export_carries_findings_and_disposal(client, team, approver_gq, locked):
    """The result list's export has 发现问题情况 and 处置情况 (the disposal with its note) in csv and xlsx."""
    from shuangsuiji.inspections.jobs import EXPORT_HEADERS

    result = publish(team, approver_gq, findings="公共用品用具未按规定清洗消毒")
    InspectionResult.objects.filter(pk=result.pk).update(disposal="opinion", disposal_note="限期 10 日内改正")
    login(client, approver_gq)
    rows = list(csv.reader(io.StringIO(
        client.get(reverse("inspections:result_export") + "?format=csv").content.decode("utf-8-sig"))))  # fmt: skip
    assert rows[0] == EXPORT_HEADERS and rows[0][-2:] == ["发现问题情况", "处置情况"]
    assert rows[1][-2:] == ["公共用品用具未按规定清洗消毒", "下达卫生监督意见书（责令整改）：限期 10 日内改正"]
    InspectionResult.objects.filter(pk=result.pk).update(disposal="none", disposal_note="")
    sheet = load_workbook(io.BytesIO(client.get(reverse("inspections:result_export") + "?format=xlsx").content)).active
    values = list(sheet.values)
    assert list(values[0][-2:]) == ["发现问题情况", "处置情况"]
    assert list(values[1][-2:]) == ["公共用品用具未按规定清洗消毒", "无需处置"]


def test_large_export_is_a_background_job_with_the_same_file(client, team, approver_gq, locked, settings):
    from shuangsuiji.core.testing import finished_job

    publish(team, approver_gq)
    login(client, approver_gq)
    inline = client.get(reverse("inspections:result_export") + "?format=csv").content
    settings.JOBS_INLINE_ROWS = 0  # one row is "large"
    job = finished_job(client.get(reverse("inspections:result_export") + "?format=csv"))
    assert job.status == "succeeded" and job.file_name.endswith(".csv"), job.error
    download = client.get(reverse("core:job_download", args=[job.pk]))
    assert b"".join(download.streaming_content) == inline


def test_batch_publish_page(client, team, approver_gq):
    result = services.result_save(user=team["first"], result=team["result"], data=NO_PROBLEM)
    services.result_sign(user=team["first"], result=result)
    services.result_sign(user=team["second"], result=result)
    login(client, approver_gq)
    assert "批量公示" in client.get(reverse("inspections:publish_queue")).content.decode()
    client.post(reverse("inspections:publish_queue"), {"ids": [result.pk]})
    result.refresh_from_db()
    assert result.status == ResultStatus.PUBLISHED


def test_inspector_cannot_publish_or_open_publish_queue(client, team):
    login(client, team["first"])
    assert client.get(reverse("inspections:publish_queue")).status_code == 403
    assert client.get(reverse("inspections:checklist_list")).status_code == 403  # 执法人员 do not maintain 检查表


def test_correction_page(client, team, approver_gq):
    result = publish(team, approver_gq)
    login(client, approver_gq)
    url = reverse("inspections:result_correct", args=[result.pk])
    response = client.post(
        url, {"reason": "录入错误需更正", "category": "F", "checked_on": "2026-03-02", "methods": ["onsite"]}
    )
    assert response.status_code == 302
    result.refresh_from_db()
    assert result.category == "F" and result.version == 2
    page = client.get(reverse("inspections:result_detail", args=[result.pk])).content.decode()
    assert "更正记录" in page and "录入错误需更正" in page


def test_case_pages(client, team, approver_gq):
    result = publish(team, approver_gq)
    login(client, approver_gq)
    response = client.post(
        reverse("cases:case_create", args=[result.pk]),
        {"kind": "transfer", "receiver": "高青县市场监督管理局", "sent_on": "2026-03-05"},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "高青县市场监督管理局" in page
    assert "高青县市场监督管理局" in client.get(reverse("cases:case_list")).content.decode()
