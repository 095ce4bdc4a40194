"""The draw pages through the test client, the downloads and the stand-alone verifier."""

import io
import re
import subprocess
import sys
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shuangsuiji.accounts.tests.test_views import login
from shuangsuiji.core.testing import finished_job
from shuangsuiji.draws import services
from shuangsuiji.draws.choices import DrawStatus
from shuangsuiji.draws.models import Draw
from shuangsuiji.draws.testing import enter_and_confirm
from shuangsuiji.plans.tests.fixtures import KL8_NUMBERS, after_draw_time, lottery_day

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> bytes:
    """Raw PDF bytes plus every inflated stream (font names live in compressed object streams)."""
    out = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        try:
            out.append(zlib.decompressobj().decompress(data[match.end() : match.end() + 2_000_000]))
        except zlib.error:
            continue
    return b"".join(out)


def freeze_via_view(client, task):
    day = lottery_day()
    return client.post(
        reverse("draws:draw_start", args=[task.pk]),
        {"lottery_game": "kl8", "lottery_issue": "2026321", "lottery_date": day.isoformat()},
    )


def test_whole_path_through_views_and_verifier(client, gq, approver_gq, admin_user_gq, tmp_path, time_machine,
                                              settings):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path / "media"
    login(client, approver_gq)
    task = gq["task"]
    response = client.get(reverse("draws:draw_start", args=[task.pk]))
    assert response.status_code == 200 and "冻结号池并公布承诺" in response.text
    job = finished_job(freeze_via_view(client, task))  # the freeze runs as a background job
    draw = Draw.objects.get(task=task)
    assert job.status == "succeeded" and job.result_url == reverse("draws:draw_detail", args=[draw.pk])
    assert "号池已冻结" in client.get(job.get_absolute_url()).text
    page = client.get(job.result_url).text
    assert draw.commitment_hash in page and "每户被抽中概率" in page and "<strong>1/5</strong>" in page

    time_machine.move_to(after_draw_time())
    client.logout()  # the idle timeout would end the session while "waiting" for the lottery
    login(client, approver_gq)
    source = draw.sources.get()
    url = reverse("draws:draw_values", args=[draw.pk])
    # the lottery result: entered by one login with the announcement, confirmed by another
    response = client.post(reverse("draws:source_enter", args=[source.pk]), {"numbers": KL8_NUMBERS},
                           follow=True)  # fmt: skip
    assert "开奖公告出处" in response.text and not draw.sources.get().value
    png = SimpleUploadedFile("kl8.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32, content_type="image/png")
    response = client.post(reverse("draws:source_enter", args=[source.pk]),
                           {"numbers": KL8_NUMBERS, "announcement_ref": "快乐8 第 2026321 期开奖公告",
                            "announcement_file": png}, follow=True)  # fmt: skip
    assert "请另一名工作人员登录后复核确认" in response.text and "待复核" in response.text
    assert "您是录入人，须由其他工作人员登录后复核" in response.text
    download = client.get(reverse("draws:source_announcement", args=[source.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"\x89PNG")
    response = client.post(url, {}, follow=True)
    assert "尚未经第二名工作人员复核确认" in response.text
    response = client.post(reverse("draws:source_confirm", args=[source.pk]), {"numbers": KL8_NUMBERS}, follow=True)
    assert "录入人本人不能复核" in response.text
    client.logout()
    login(client, admin_user_gq)
    page = client.get(reverse("draws:draw_detail", args=[draw.pk])).text
    assert "复核前不显示号码" in page and "01,05,09,12" not in page  # the confirmer types blind
    response = client.post(reverse("draws:source_confirm", args=[source.pk]), {"numbers": KL8_NUMBERS}, follow=True)
    assert "已复核确认" in response.text
    client.logout()
    login(client, approver_gq)
    confirm = client.post(url, {})
    assert confirm.status_code == 200 and "01,05,09,12,17,23" in confirm.text and "复核一致" in confirm.text
    response = client.post(url, {"confirm": "1"})
    draw.refresh_from_db()
    assert draw.status == DrawStatus.DRAWN
    client.post(reverse("draws:draw_witness", args=[draw.pk]),
                {"name": "赵纪检", "organization": "派驻纪检组", "role": "discipline"})  # fmt: skip
    client.post(reverse("draws:draw_lock", args=[draw.pk]))
    draw.refresh_from_db()
    assert draw.status == DrawStatus.LOCKED

    paths = {}
    for kind in ("manifest", "pool", "roster", "commitment"):
        response = client.get(reverse("draws:draw_file", args=[draw.pk, kind]))
        assert response.status_code == 200
        body = response.getvalue()  # streamed (FileResponse)
        assert body == draw.file_bytes(kind)  # byte-exact
        assert draw.code in response["Content-Disposition"]
        paths[kind] = tmp_path / kind
        paths[kind].write_bytes(body)
    result = subprocess.run(
        [sys.executable, "-m", "shuangsuiji.fairdraw.verify", str(paths["manifest"]), str(paths["pool"]),
         "--roster", str(paths["roster"])],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("VERIFIED")

    # a tampered pool is caught by the verifier
    paths["pool"].write_bytes(paths["pool"].read_bytes().replace(b"\tA\t", b"\tB\t", 1))
    result = subprocess.run(
        [sys.executable, "-m", "shuangsuiji.fairdraw.verify", str(paths["manifest"]), str(paths["pool"]),
         "--roster", str(paths["roster"])], capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0 and "VERIFIED" not in result.stdout.split()[0]

    job = finished_job(client.post(reverse("draws:draw_verify", args=[draw.pk])))  # re-verification job
    page = client.get(job.get_absolute_url()).text
    assert job.result["status"] == "VERIFIED" and "核验通过" in page and "VERIFIED" not in page
    assert "最近复核" in client.get(reverse("draws:draw_detail", args=[draw.pk])).text  # stored on the draw

    record = client.get(reverse("draws:draw_record", args=[draw.pk]))
    assert record.status_code == 200 and "抽取记录" in record.text and draw.seed in record.text
    assert f"录入：{approver_gq.full_name}" in record.text and f"复核确认：{admin_user_gq.full_name}" in record.text
    assert "群众自行核对：打开中国福利彩票官网" in record.text and "快乐8 第 2026321 期开奖公告" in record.text
    assert "style=" not in record.text  # CSP: no inline style attributes
    pdf = client.get(reverse("draws:draw_record_pdf", args=[draw.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and b"Noto-Sans-SC-Print" in pdf_text(pdf.content)  # the shipped CJK font
    # 批量: the records of the filtered list as one ZIP, made by a background job
    assert "批量生成抽取记录 PDF" in client.get(reverse("draws:draw_list")).text
    job = finished_job(client.post(reverse("draws:record_pdf_batch") + f"?q={draw.code}"))
    assert job.status == "succeeded" and (job.done, job.total) == (1, 1), job.error
    download = client.get(reverse("core:job_download", args=[job.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert archive.namelist() == [f"{draw.code}-抽取记录.pdf"]
    assert archive.read(archive.namelist()[0]).startswith(b"%PDF")


def test_substitution_is_public_on_the_record(client, gq, approver_gq, time_machine):
    draw = services.draw_freeze(user=approver_gq, task=gq["task"], sources=services.build_sources(
        lottery={"game": "kl8", "issue": "2026321", "draw_date": lottery_day()}))  # fmt: skip
    enter_and_confirm(draw, approver_gq, KL8_NUMBERS, now=after_draw_time())
    draw = services.draw_run(user=approver_gq, draw=draw, now=after_draw_time())
    target = draw.targets.filter(role="selected").first()
    login(client, approver_gq)
    response = client.post(reverse("draws:target_substitute", args=[target.pk]), {"reason": ""}, follow=True)
    assert "理由" in response.text
    response = client.post(
        reverse("draws:target_substitute", args=[target.pk]), {"reason": "经核实该单位已注销"}, follow=True
    )
    assert "候补第 1 位" in response.text
    record = client.get(reverse("draws:draw_record", args=[draw.pk])).text
    assert "经核实该单位已注销" in record and "递补" in record


def test_scope_and_roles(client, gq, approver_gq, inspector_gq, oversight_gq, admin_yy):
    draw = services.draw_freeze(user=approver_gq, task=gq["task"], sources=services.build_sources(
        lottery={"game": "kl8", "issue": "2026321", "draw_date": lottery_day()}))  # fmt: skip
    detail = reverse("draws:draw_detail", args=[draw.pk])
    # 沂源 cannot see or draw a 高青 task
    login(client, admin_yy)
    assert client.get(detail).status_code == 404
    assert client.get(reverse("draws:draw_file", args=[draw.pk, "pool"])).status_code == 404
    assert client.get(reverse("draws:draw_start", args=[gq["task"].pk])).status_code == 404
    assert draw.code not in client.get(reverse("draws:draw_list")).text
    # inspector can view but not draw
    client.logout()
    login(client, inspector_gq)
    assert client.get(detail).status_code == 200
    assert client.get(reverse("draws:draw_start", args=[gq["task"].pk])).status_code == 403
    assert client.post(reverse("draws:draw_cancel", args=[draw.pk]), {"reason": "随便作废一下"}).status_code == 403
    # oversight is read-only but may download and re-verify
    client.logout()
    login(client, oversight_gq)
    page = client.get(detail)
    assert page.status_code == 200 and "values-form" not in page.text
    assert client.get(reverse("draws:draw_file", args=[draw.pk, "commitment"])).status_code == 200
    assert client.post(reverse("draws:draw_lock", args=[draw.pk])).status_code == 403
    draw.refresh_from_db()
    assert draw.status == DrawStatus.COMMITTED
