"""内勤 (issue #15 point 7): a clerk enters a result from the paper 现场检查记录 and records each officer's signature
with the scanned signature page, as an alternative to each officer signing online."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts.roles import Role
from shuangsuiji.accounts.tests.test_views import login
from shuangsuiji.core import audit
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.inspections import selectors, services
from shuangsuiji.inspections.choices import ResultStatus
from shuangsuiji.inspections.models import ResultAttachment, ResultSignature

pytestmark = pytest.mark.django_db

NO_PROBLEM = {"category": "1", "checked_on": dt.date(2026, 3, 2), "methods": ["onsite"], "findings": ""}
NOW = timezone.make_aware(dt.datetime(2026, 3, 5, 16, 30))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def clerk(make_user):
    return make_user("gq_clerk", Role.CLERK, org="gaoqing_agency")


def group(result):
    return [a.inspector for a in result.target.assignments.select_related("inspector").order_by("pk")]


def scan(name="签名页.pdf", content=PDF):
    return SimpleUploadedFile(name, content)


def test_clerk_enters_the_paper_record_and_both_signatures_submit_it(locked, clerk, approver_gq):
    result = sorted(locked["results"], key=lambda r: r.pk)[0]
    first, second = group(result)
    assert selectors.can_enter(clerk, result) and not clerk.has_perm("inspections.approve_inspectionresult")
    assert result in selectors.results_to_enter(clerk, today=dt.date(2026, 3, 5))
    result = services.result_save(user=clerk, result=result, data=NO_PROBLEM)
    result = services.result_sign_paper(user=clerk, result=result, inspector=first, signed_on=dt.date(2026, 3, 2),
                                        upload=scan(), now=NOW)  # fmt: skip
    assert result.status == ResultStatus.DRAFT  # one signature is not enough
    result = services.result_sign_paper(user=clerk, result=result, inspector=second, signed_on=dt.date(2026, 3, 2),
                                        upload=scan("第二页.jpg", JPEG), now=NOW)  # fmt: skip
    assert result.status == ResultStatus.SUBMITTED
    rows = list(result.signatures.order_by("pk"))
    assert [(s.inspector, s.method, s.user, s.signed_on) for s in rows] == [
        (first, "paper", clerk, dt.date(2026, 3, 2)), (second, "paper", clerk, dt.date(2026, 3, 2))]  # fmt: skip
    assert {s.content_hash for s in rows} == {services.content_hash(result)}
    scans = ResultAttachment.objects.filter(result=result).order_by("pk")
    assert [a.original_name for a in scans] == ["签名页.pdf", "第二页.jpg"] and rows[0].scan == scans[0]
    assert "纸质签名扫描件" in scans[0].description
    logged = ObjectChange.objects.filter(object_type="inspections.inspectionresult", message__contains="纸质签名")
    assert logged.count() == 2 and logged.order_by("pk").first().postchange_data["scan_sha256"] == scans[0].sha256
    assert audit.verify_chain()[1] == []
    [published] = services.result_publish(user=approver_gq, results=[result])
    assert published.status == ResultStatus.PUBLISHED


def test_paper_signatures_are_checked_like_online_ones(locked, clerk, inspector_gq, make_user):
    result = sorted(locked["results"], key=lambda r: r.pk)[0]
    first, second = group(result)
    # Any of the region's inspectors outside this group (another target's group may be the very same pair: the
    # draw's seed depends on the roster's random pseudonym salts).
    outsider = next(i for i in locked["inspectors"] if i not in (first, second))
    with pytest.raises(ValidationError, match="签名前|检查日期|抽查结果"):  # nothing entered yet
        services.result_sign_paper(user=clerk, result=services.result_save(user=clerk, result=result, data={}),
                                   inspector=first, signed_on=dt.date(2026, 3, 2), upload=scan(), now=NOW)  # fmt: skip
    result = services.result_save(user=clerk, result=result, data=NO_PROBLEM)
    cases = [
        ({"inspector": outsider}, "不在本对象的检查组中"),
        ({"signed_on": dt.date(2026, 3, 6)}, "不能晚于今天"),
        ({"signed_on": dt.date(2026, 3, 1)}, "不能早于检查日期 2026年3月2日"),
        ({"upload": scan("签名页.docx", b"PK\x03\x04")}, "只能是 PDF、JPG 或 PNG"),
        ({"upload": scan("签名页.pdf", b"not a pdf")}, "文件内容与扩展名不符"),
    ]
    for change, message in cases:
        kwargs = {"inspector": first, "signed_on": dt.date(2026, 3, 2), "upload": scan()} | change
        with pytest.raises(ValidationError, match=message):
            services.result_sign_paper(user=clerk, result=result, now=NOW, **kwargs)
    assert not ResultSignature.objects.exists() and not ResultAttachment.objects.exists()  # nothing half-saved
    services.result_sign_paper(user=clerk, result=result, inspector=first, signed_on=dt.date(2026, 3, 2),
                               upload=scan(), now=NOW)  # fmt: skip
    with pytest.raises(ValidationError, match="已签名确认，不能重复录入"):
        services.result_sign_paper(user=clerk, result=result, inspector=first, signed_on=dt.date(2026, 3, 2),
                                   upload=scan(), now=NOW)  # fmt: skip
    with pytest.raises(ValidationError, match="签名有效期间不能删除"):
        services.attachment_delete(user=clerk, attachment=ResultAttachment.objects.get())
    with pytest.raises(PermissionDenied):  # an 执法人员 signs only for themself, online
        services.result_sign_paper(user=inspector_gq, result=result, inspector=second,
                                   signed_on=dt.date(2026, 3, 2), upload=scan(), now=NOW)  # fmt: skip
    # Changing the content afterwards withdraws the paper signature like any other; the scan can then go.
    services.result_save(user=clerk, result=result, data=NO_PROBLEM | {"findings": "补充：现场已整改"})
    assert not ResultSignature.objects.exists()
    services.attachment_delete(user=clerk, attachment=ResultAttachment.objects.get())


def test_clerk_writes_nothing_but_results(clerk):
    assert clerk.has_perm("inspections.enter_inspectionresult")
    assert clerk.has_perm("inspections.transcribe_inspectionresult")
    assert clerk.has_perm("directory.view_regulatedunit") and clerk.has_perm("inspections.export_inspectionresult")
    for perm in ("directory.add_regulatedunit", "directory.change_inspector", "plans.add_annualplan",
                 "inspections.approve_inspectionresult", "inspections.publish_inspectionresult",
                 "draws.draw_draw", "core.view_objectchange", "accounts.view_user"):  # fmt: skip
        assert not clerk.has_perm(perm), perm


@time_machine.travel(NOW, tick=False)
def test_result_page_offers_the_paper_signature_form_and_keeps_input(client, locked, clerk, inspector_gq):
    result = sorted(locked["results"], key=lambda r: r.pk)[0]
    first, second = group(result)
    result = services.result_save(user=clerk, result=result, data=NO_PROBLEM)
    url = reverse("inspections:result_detail", args=[result.pk])
    login(client, inspector_gq)
    assert "录入纸质签名" not in client.get(url).content.decode()  # officers sign online themselves
    client.logout()
    login(client, clerk)
    page = client.get(url).content.decode()
    assert "录入纸质签名" in page and f"{first.name}（{first.cert_no}）" in page
    sign_url = reverse("inspections:result_sign_paper", args=[result.pk])
    response = client.post(sign_url, {"inspector": first.pk, "signed_on": "2026-03-09", "scan": scan()})
    page = response.content.decode()
    assert response.status_code == 400 and "签名日期不能晚于今天" in page
    assert 'value="2026-03-09"' in page and f'value="{first.pk}" selected' in page and "paper-signature\" open" in page
    response = client.post(sign_url, {"inspector": first.pk, "signed_on": "2026-03-02", "scan": scan()})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "纸质签名已录入，还需检查组其他成员的签名" in page
    assert "于 2026年3月2日 在纸质记录上签名，gq_clerk 于 2026年3月5日 16:30 录入" in page
    response = client.post(sign_url, {"inspector": second.pk, "signed_on": "2026-03-02", "scan": scan()})
    assert response.status_code == 302
    assert services.InspectionResult.objects.get(pk=result.pk).status == ResultStatus.SUBMITTED
