"""印发存档 (issue #16 point 1): every printed numbered document is kept as handed out."""

import pytest

from shuangsuiji.paperwork import services

pytestmark = pytest.mark.django_db


def test_every_print_is_archived_and_a_changed_reprint_is_flagged(locked, approver_gq, client):
    """印发存档: the file handed out under a number is kept byte for byte; reprinting unchanged content is
    recorded as the same content, a reprint after a correction is flagged on the page and in the audit trail."""
    import hashlib

    from django.urls import reverse

    from shuangsuiji.accounts.tests.test_views import login
    from shuangsuiji.core.models import ObjectChange
    from shuangsuiji.paperwork.models import DocumentPrint

    locked_results = locked["results"]
    result = locked_results[0]
    first = services.document_file(user=approver_gq, kind="notice", result=result, fmt="docx").read()
    services.document_file(user=approver_gq, kind="notice", result=result, fmt="docx")
    prints = list(DocumentPrint.objects.order_by("pk"))
    assert len(prints) == 2 and prints[0].content_sha256 == prints[1].content_sha256
    assert prints[0].file_sha256 == hashlib.sha256(first).hexdigest() and prints[0].document.number
    login(client, approver_gq)
    stored = client.get(reverse("paperwork:print_download", args=[prints[0].pk]))
    assert stored.status_code == 200 and stored.content == first
    page = client.get(reverse("paperwork:task_documents", args=[result.draw.task_id])).content.decode()
    assert "已打印 2 次" in page and "各次打印内容不同" not in page

    result.unit.name = "高青县更名后的单位"
    result.unit.save()
    services.document_file(user=approver_gq, kind="notice", result=result, fmt="pdf")
    latest = DocumentPrint.objects.order_by("-pk").first()
    assert latest.content_sha256 != prints[0].content_sha256 and latest.fmt == "pdf"
    page = client.get(reverse("paperwork:task_documents", args=[result.draw.task_id])).content.decode()
    assert "已打印 3 次" in page and "各次打印内容不同" in page
    logged = ObjectChange.objects.filter(message__startswith="打印执法文书").order_by("pk")
    assert logged.count() == 3 and "内容与上次打印不同" in logged.last().message

    batch = services.batch_documents(user=approver_gq, task=result.draw.task, kind="notice", fmt="docx").read()
    rows = DocumentPrint.objects.filter(in_batch=True)
    assert rows.count() == len(locked_results) and {r.file_sha256 for r in rows} == {hashlib.sha256(batch).hexdigest()}
    assert len({r.file.name for r in rows}) == 1  # the batch file is stored once for all its documents
