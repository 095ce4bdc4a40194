"""执法文书: 文号 per (office, kind, year) never reused; real PDFs (pypdf) and real .docx (python-docx)."""

import datetime as dt
import io
import logging

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from shuangsuiji.cases.models import FollowUpCase
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.draws.tests.test_record_pdf import PRINT_FONT, dejavu_only, font_names, notdef_warnings  # noqa: F401
from shuangsuiji.paperwork import documents, jobs, services
from shuangsuiji.paperwork.choices import DocKind
from shuangsuiji.paperwork.models import DocumentCounter, IssuedDocument

pytestmark = pytest.mark.django_db
AGENCY = "山东省淄博市高青县卫生健康局"
NOW = timezone.make_aware(dt.datetime(2026, 3, 12, 9, 0))


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def docx_text(data: bytes) -> tuple[list[str], str]:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    paragraphs = [p.text for p in doc.paragraphs]
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    return headings, "\n".join(paragraphs + cells)


def test_numbers_follow_the_rule_per_office_kind_and_year_and_are_never_reused(
    locked, approver_gq, admin_user_gq, orgs
):
    r1, r2 = locked["results"][:2]
    services.numbering_rule_save(user=admin_user_gq, organization=orgs["gaoqing"], kind=DocKind.NOTICE,
                                 prefix="高卫公告", width=4)  # fmt: skip
    a = services.document_issue(user=approver_gq, kind=DocKind.NOTICE, result=r1, now=NOW)
    b = services.document_issue(user=approver_gq, kind=DocKind.NOTICE, result=r2, now=NOW)
    assert (a.number, b.number) == ("高卫公告〔2026〕0001号", "高卫公告〔2026〕0002号")
    # Printing again keeps the number; another kind has its own counter and default 编号 "年份—序号".
    assert services.document_issue(user=approver_gq, kind=DocKind.NOTICE, result=r1, now=NOW).pk == a.pk
    opinion = services.document_issue(user=approver_gq, kind=DocKind.OPINION, result=r1, now=NOW)
    assert opinion.number == "2026—001" and opinion.title == "卫生监督意见书"
    # A new year starts again at 1; the counter is one row per (office, kind, year).
    next_year = timezone.make_aware(dt.datetime(2027, 1, 4, 9, 0))
    c = services.document_issue(user=approver_gq, kind=DocKind.NOTICE, result=locked["results"][2], now=next_year)
    assert c.number == "高卫公告〔2027〕0001号"
    assert DocumentCounter.objects.get(organization=orgs["gaoqing"], kind="notice", year=2026).last == 2
    # Changing the rule afterwards never rewrites an issued number, and a duplicate number is refused.
    services.numbering_rule_save(user=admin_user_gq, organization=orgs["gaoqing"], kind=DocKind.NOTICE, prefix="高卫改")
    a.refresh_from_db()
    assert a.number == "高卫公告〔2026〕0001号"
    dup = IssuedDocument(organization=a.organization, kind="notice", year=2026, serial=9, number=a.number,
                         title="检查通知书", result=locked["results"][3], issued_at=NOW)  # fmt: skip
    with pytest.raises(ValidationError, match="文号不得重复"):
        dup.full_clean()
    # Audited.
    messages = list(
        ObjectChange.objects.filter(object_type="paperwork.issueddocument").values_list("message", flat=True)
    )
    assert "编发检查通知书：高卫公告〔2026〕0001号" in messages and len(messages) == 4


def test_bad_rule_and_missing_case_are_refused_in_chinese(locked, approver_gq, admin_user_gq, orgs, make_user):
    with pytest.raises(PermissionDenied):  # 文号规则 are for administrators
        services.numbering_rule_save(user=approver_gq, organization=orgs["gaoqing"], kind="notice", prefix="高")
    with pytest.raises(ValidationError, match="编号格式有误"):
        services.numbering_rule_save(user=admin_user_gq, organization=orgs["gaoqing"], kind="notice",
                                     prefix="高", pattern="{前缀}{nope}")  # fmt: skip
    with pytest.raises(ValidationError, match="需要一条“移送”后续处置记录"):
        services.document_issue(user=approver_gq, kind=DocKind.TRANSFER, result=locked["results"][0])
    yy = make_user("yy_inspector", org="yiyuan")
    with pytest.raises(PermissionDenied):
        services.document_issue(user=yy, kind=DocKind.RECORD, result=locked["results"][0])


@pytest.mark.usefixtures("dejavu_only")
def test_record_pdf_carries_agency_number_checklist_findings_and_signature_lines(locked, approver_gq, caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    result = locked["results"][0]
    file = services.document_file(user=approver_gq, kind=DocKind.RECORD, result=result, fmt="pdf", now=NOW)
    data = file.read()
    assert data.startswith(b"%PDF")
    assert notdef_warnings(caplog) == []  # every character has a glyph in the bundled font
    assert {n for n in font_names(data) if not n.startswith((PRINT_FONT, b"DejaVu"))} == set()
    text = pdf_text(data)
    for expected in (AGENCY, "现场检查记录表", "编号：2026—001", result.unit.name, result.unit.credit_code,
                     "检查内容及情况", "发现问题情况", "从业人员健康合格证明过期", "处置情况",
                     "执法人员（签名）", "被检查人（签名）", "以上记录属实", locked["task"].code):  # fmt: skip
        assert expected in text, expected


def test_opinion_notice_transfer_and_notify_as_word_and_pdf(locked, approver_gq):
    result = locked["results"][0]
    FollowUpCase.objects.create(result=result, unit=result.unit, region=result.region, kind="rectify",
                                description="依据《公共场所卫生管理条例》第七条，责令调离未取得健康合格证明的从业人员",
                                deadline=dt.date(2026, 3, 22))  # fmt: skip
    transfer = FollowUpCase.objects.create(result=result, unit=result.unit, region=result.region, kind="transfer",
                                           receiver="高青县公安局", receiver_kind="judiciary",
                                           description="涉嫌非法行医", sent_on=dt.date(2026, 3, 15))  # fmt: skip
    headings, text = docx_text(services.document_file(user=approver_gq, kind=DocKind.OPINION, result=result,
                                                      fmt="docx", now=NOW).read())  # fmt: skip
    assert headings[0] == "卫生监督意见书" and "监督意见：" in headings
    for expected in (AGENCY, "编号：2026—001", "被监督人", result.unit.name, "改正期限：请于2026年3月22日前改正完毕",
                     "被监督人签收", "卫生行政机关名称并盖章", "本意见书一式两联"):  # fmt: skip
        assert expected in text, expected
    headings, text = docx_text(services.document_file(user=approver_gq, kind=DocKind.NOTICE, result=result,
                                                      fmt="docx", now=NOW).read())  # fmt: skip
    assert headings[:4] == ["检查通知书", "一、抽查检查事项", "二、检查时间和检查方法", "三、需要准备的资料"]
    assert "文号：高卫监告〔2026〕001号" in text and "有权申请回避" in text and "2026年6月1日" in text
    text = pdf_text(services.document_file(user=approver_gq, kind=DocKind.TRANSFER, result=result, case=transfer,
                                           fmt="pdf", now=NOW).read())  # fmt: skip
    for expected in (AGENCY, "案件移送函", "高卫监移〔2026〕001号", "高青县公安局", "涉嫌非法行医", "接收回执"):
        assert expected in text, expected


def test_batch_per_task_is_a_plain_job_function_with_progress(locked, approver_gq):
    calls = []
    file = jobs.task_documents(locked["task"], approver_gq, lambda done, total: calls.append((done, total)))
    n = len(documents.task_results(locked["task"]))
    assert calls[-1] == (n, n) and len(calls) == n
    reader = PdfReader(io.BytesIO(file.read()))
    assert len(reader.pages) >= n
    assert IssuedDocument.objects.filter(kind="record").count() == n
    numbers = sorted(IssuedDocument.objects.filter(kind="record").values_list("serial", flat=True))
    assert numbers == list(range(1, n + 1))
    docx_file = jobs.job_for(DocKind.NOTICE, "docx")(locked["task"], SYSTEM)
    headings, _ = docx_text(docx_file.read())
    assert headings.count("检查通知书") == n


def test_pages_and_downloads(client, locked, approver_gq, oversight_gq):
    from shuangsuiji.accounts.tests.test_views import login

    login(client, approver_gq)
    page = client.get(reverse("paperwork:task_documents", args=[locked["task"].pk]))
    assert page.status_code == 200 and "生成文书" in page.content.decode()
    response = client.post(reverse("paperwork:result_document", args=[locked["results"][0].pk]),
                           {"kind": "record", "fmt": "pdf"})  # fmt: skip
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "现场检查记录表" in pdf_text(response.content)
    assert client.post(reverse("paperwork:result_document", args=[locked["results"][0].pk]),
                       {"kind": "nope", "fmt": "pdf"}).status_code == 400  # fmt: skip
    assert client.post(reverse("paperwork:task_batch", args=[locked["task"].pk]),
                       {"kind": "notice", "fmt": "xls"}).status_code == 400  # fmt: skip
    client.logout()
    login(client, oversight_gq)
    assert client.get(reverse("paperwork:task_documents", args=[locked["task"].pk])).status_code == 200
    assert client.post(reverse("paperwork:result_document", args=[locked["results"][0].pk]),
                       {"kind": "record", "fmt": "pdf"}).status_code == 403  # fmt: skip


def test_numbering_rule_page(client, locked, admin_user_gq, approver_gq):
    from shuangsuiji.accounts.tests.test_views import login

    login(client, approver_gq)
    page = client.get(reverse("paperwork:numbering_rules")).content.decode()
    assert "高卫监告〔2026〕001号" in page and "2026—001" in page  # defaults shown with an example
    assert (
        client.post(reverse("paperwork:numbering_rules"), {"kind": "notice", "prefix": "X", "width": 3}).status_code
        == 403
    )
    client.logout()
    login(client, admin_user_gq)
    response = client.post(reverse("paperwork:numbering_rules"), {"kind": "notice", "prefix": "高卫公告", "width": 4})
    assert response.status_code == 302
    assert "高卫公告〔2026〕0001号" in client.get(reverse("paperwork:numbering_rules")).content.decode()


def test_notify_letter_and_notice_are_headed_by_the_agency_in_pdf_and_word(locked, approver_gq):
    """抄告函 and 检查通知书 carry the issuing agency's full name on top, with the case's receiver and findings."""
    result = locked["results"][0]
    notify = FollowUpCase.objects.create(
        result=result, unit=result.unit, region=result.region, kind="notify", receiver="高青县市场监督管理局",
        receiver_kind="department", description="《食品安全法》第三十五条", sent_on=dt.date(2026, 3, 16),
    )  # fmt: skip
    pdf = pdf_text(services.document_file(user=approver_gq, kind=DocKind.NOTIFY, result=result, case=notify,
                                          fmt="pdf", now=NOW).read())  # fmt: skip
    assert f"{AGENCY}\n抄告函\n文号：高卫监抄〔2026〕001号" in pdf  # the agency heads the letter
    data = services.document_file(user=approver_gq, kind=DocKind.NOTIFY, result=result, case=notify, fmt="docx",
                                  now=NOW).read()  # fmt: skip
    headings, word = docx_text(data)
    assert headings[0] == "抄告函" and Document(io.BytesIO(data)).paragraphs[0].text == AGENCY
    for text in (pdf.replace("\n", ""), word):  # a PDF line may break inside a phrase
        for expected in (AGENCY, "抄告函", "高青县市场监督管理局：", "特此抄告", result.unit.name,
                         result.unit.credit_code, "从业人员健康合格证明过期 2 人", "《食品安全法》第三十五条",
                         "处理情况反馈"):  # fmt: skip
            assert expected in text, expected
    # One number for the letter, whatever the format.
    assert IssuedDocument.objects.filter(kind="notify").count() == 1
    notice = services.document_file(user=approver_gq, kind=DocKind.NOTICE, result=result, fmt="pdf", now=NOW)
    text = pdf_text(notice.read())
    assert f"{AGENCY}\n检查通知书\n文号：高卫监告〔2026〕001号" in text
    word = Document(io.BytesIO(services.document_file(user=approver_gq, kind=DocKind.NOTICE, result=result,
                                                      fmt="docx", now=NOW).read()))  # fmt: skip
    assert word.paragraphs[0].text == AGENCY


def test_record_prints_the_answered_checklist_and_both_officers_with_their_numbers(locked, approver_gq, regions):
    """现场检查记录表: each checklist question with its 依据 and the answer given, the findings, and both
    officers' names and 执法证号 (in the header and on their signature lines)."""
    from shuangsuiji.draws.models import InspectorAssignment
    from shuangsuiji.inspections.models import ChecklistTemplate
    from shuangsuiji.inspections.services import materialise_checklist

    result = locked["results"][0]
    template = ChecklistTemplate.objects.create(name="公共场所检查表", region=regions["370322"], item=locked["item"])
    template.questions.create(order=1, text="卫生许可证在有效期内", basis="《公共场所卫生管理条例》第八条")
    template.questions.create(order=2, text="从业人员持有效健康合格证明", basis="《公共场所卫生管理条例》第七条")
    template.questions.create(order=3, text="其他情况", kind="text", required=False)
    materialise_checklist(result)
    answers = list(result.answers.order_by("order"))
    answers[0].value, answers[1].value, answers[1].note = "yes", "no", "2 人证明过期"
    answers[2].note = "现场整洁"
    for a in answers:
        a.save()
    group = list(InspectorAssignment.objects.filter(target=result.target).order_by("inspector_code")
                 .values_list("inspector_name", "inspector_code"))  # fmt: skip
    assert len(group) == 2
    file = services.document_file(user=approver_gq, kind=DocKind.RECORD, result=result, fmt="docx", now=NOW)
    doc = Document(io.BytesIO(file.read()))
    rows = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    assert ["序号", "检查事项", "检查内容", "依据", "检查情况", "说明"] in rows
    item = locked["item"].name
    assert ["1", item, "卫生许可证在有效期内", "《公共场所卫生管理条例》第八条", "符合", ""] in rows
    assert ["2", item, "从业人员持有效健康合格证明", "《公共场所卫生管理条例》第七条", "不符合", "2 人证明过期"] in rows
    assert ["3", item, "其他情况", "", "", "现场整洁"] in rows
    (officers,) = [r for r in rows if r[0] == "执法人员及执法证号"]
    assert officers[1] == "；".join(f"{n}（{c}）" for n, c in group)
    signed = [r[1] for r in rows if r[0] == "执法人员（签名）"]
    assert [s.split("　")[0] for s in signed] == [n for n, _c in group]
    assert any(r[0] == "被检查人（签名）" for r in rows)
    text = pdf_text(services.document_file(user=approver_gq, kind=DocKind.RECORD, result=result, fmt="pdf",
                                           now=NOW).read())  # fmt: skip
    for expected in ("卫生许可证在有效期内", "不符合", *[n for n, _ in group], *[c for _, c in group],
                     "从业人员健康合格证明过期 2 人"):  # fmt: skip
        assert expected in text, expected


def test_batch_per_task_runs_as_a_background_job_with_progress_and_a_download(client, locked, approver_gq,
                                                                                oversight_gq):  # fmt: skip
    """批量生成 is not rendered in the request: the page starts a job, the job page shows its progress
    (one step per document) and offers the file; the numbers are issued by the job, as the owner."""
    from shuangsuiji.accounts.tests.test_views import login
    from shuangsuiji.core.models import BackgroundJob
    from shuangsuiji.core.testing import finished_job

    task = locked["task"]
    n = len(documents.task_results(task))
    login(client, approver_gq)
    response = client.post(reverse("paperwork:task_batch", args=[task.pk]), {"kind": "notice", "fmt": "docx"})
    assert IssuedDocument.objects.count() == 0  # nothing was made inside the request
    job = finished_job(response)
    assert job.kind == jobs.TASK_DOCUMENTS and job.title == f"批量生成检查通知书：{task.code}"
    assert job.status == "succeeded", job.error
    assert (job.done, job.total, job.unit) == (n, n, "份") and job.region_code == "370322"
    assert job.result["text"] == f"已生成检查通知书 {n} 份（Word）" and job.file_name == f"{task.code}-检查通知书.docx"
    assert job.result_url == reverse("paperwork:task_documents", args=[task.pk])
    issued = IssuedDocument.objects.filter(kind="notice")
    assert issued.count() == n and set(issued.values_list("issued_by", flat=True)) == {approver_gq.pk}
    download = client.get(reverse("core:job_download", args=[job.pk]))
    headings, _ = docx_text(b"".join(download.streaming_content))
    assert headings.count("检查通知书") == n
    page = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert f"已生成检查通知书 {n} 份" in page
    # A job that cannot do its work fails with a Chinese message and no file.
    response = client.post(reverse("paperwork:task_batch", args=[task.pk]), {"kind": "transfer", "fmt": "pdf"})
    job = finished_job(response)
    assert job.status == "failed" and "没有可生成案件移送函的检查对象" in job.error and not job.file_name
    # Who may not issue numbers may not start the job.
    client.logout()
    login(client, oversight_gq)
    assert (
        client.post(reverse("paperwork:task_batch", args=[task.pk]), {"kind": "notice", "fmt": "pdf"}).status_code
        == 403
    )
    assert BackgroundJob.objects.filter(kind=jobs.TASK_DOCUMENTS).count() == 2
