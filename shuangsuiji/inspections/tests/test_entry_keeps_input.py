"""Result entry keeps what was typed (issue #15 point 8): a refused save re-renders the page with every field,
checklist answer and upload kept, the error beside its field and summed up at the top."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shuangsuiji.accounts.tests.test_views import login
from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.inspections import services
from shuangsuiji.inspections.choices import ResultStatus
from shuangsuiji.inspections.models import ChecklistTemplate

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


@pytest.fixture
def checklist(locked, regions):
    template = ChecklistTemplate(name="公共场所检查表", region=regions["370322"], item=locked["item"])
    questions = [{"text": "卫生许可证在有效期内"}, {"text": "从业人员健康合格证明"}]
    services.checklist_save(user=SYSTEM, template=template, questions=questions)
    return template


def test_refused_save_keeps_fields_answers_and_files(client, team, checklist):
    result = team["result"]
    login(client, team["first"])
    url = reverse("inspections:result_detail", args=[result.pk])
    client.get(url)  # materialises the checklist
    first, second = list(result.answers.order_by("order"))
    data = {
        "checked_on": "2026-01-15",  # before the draw was locked and outside the task window: refused
        "category": "1", "methods": ["onsite", "document"], "findings": "现场记录文字",
        "disposal_note": "处置说明文字",
        f"answer-{first.pk}-value": "yes", f"answer-{first.pk}-note": "许可证号 鲁卫公证字（2025）第001号",
        f"answer-{second.pk}-value": "no", f"answer-{second.pk}-note": "2人未体检",
        "files": [SimpleUploadedFile("现场照片.png", PNG, "image/png"), SimpleUploadedFile("说明.exe", b"MZ", "x")],
    }  # fmt: skip
    response = client.post(reverse("inspections:result_save", args=[result.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "data-error-summary" in page and "未保存，请修改以下内容" in page
    assert "检查日期" in page.split("data-error-summary")[1].split("</div>")[0]
    assert 'aria-invalid="true"' in page and "invalid-feedback" in page
    assert "现场记录文字" in page and "处置说明文字" in page and 'value="2026-01-15"' in page
    assert "许可证号 鲁卫公证字（2025）第001号" in page and "2人未体检" in page
    assert '<option value="no" selected>不符合</option>' in page
    assert page.count('name="methods" value="document"') == 1 and 'value="document" class=' not in page
    document_box = page.split('value="document"')[1].split(">")[0]
    assert "checked" in document_box
    # the valid file was kept as an attachment; the invalid one is named next to the field
    assert list(result.attachments.values_list("original_name", flat=True)) == ["现场照片.png"]
    assert "已保存为本结果的附件" in page and "说明.exe" in page and "不支持的文件类型" in page
    result.refresh_from_db()
    assert result.status == ResultStatus.PENDING and result.findings == ""  # nothing half-saved
    assert not result.answers.exclude(value="").exists()

    data.pop("files")
    data["checked_on"] = "2026-03-02"
    response = client.post(reverse("inspections:result_save", args=[result.pk]), data)
    assert response.status_code == 302
    result.refresh_from_db()
    assert result.status == ResultStatus.DRAFT and result.findings == "现场记录文字"
    answers = dict(result.answers.values_list("text", "value"))
    assert answers == {"卫生许可证在有效期内": "yes", "从业人员健康合格证明": "no"}
