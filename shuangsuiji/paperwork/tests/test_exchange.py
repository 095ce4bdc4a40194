"""Reporting upward and outward (issue #16.5): 公示系统 and 个案 card files; outbound sync through a file drop and
HTTP JSON with retries and idempotency keys, against a local fake receiver that is down and comes back."""

import datetime as dt
import io
import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from shuangsuiji.cases.models import FollowUpCase
from shuangsuiji.inspections.models import InspectionResult
from shuangsuiji.paperwork import exports, services
from shuangsuiji.paperwork.models import OutboundDelivery
from shuangsuiji.paperwork.outbound import FileDropAdapter, HttpJsonAdapter

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(locked):
    rows = locked["results"][:3]
    for n, r in enumerate(rows):
        InspectionResult.objects.filter(pk=r.pk).update(
            status="published", category="A" if n == 0 else "1", is_problem=n == 0, checked_on=dt.date(2026, 3, 10),
            problem_reasons=["H"] if n == 0 else [], published_at=timezone.make_aware(dt.datetime(2026, 3, 20, 9)),
            unit_name=r.target.unit_name, unit_code=r.target.unit_code,
        )  # fmt: skip
    return {**locked, "published": [InspectionResult.objects.get(pk=r.pk) for r in rows]}


def sheet(data: bytes):
    ws = load_workbook(io.BytesIO(data)).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_gsxt_file_has_the_documented_columns_and_only_published_results(published):
    rows = sheet(exports.gsxt_xlsx(InspectionResult.objects.all()))
    assert rows[0] == exports.GSXT_HEADERS
    assert len(rows) == 1 + 3  # one 检查事项 per task here, 3 published results
    first = next(r for r in rows[1:] if r[11] == "A")
    assert first[2] == published["task"].code and first[5] == "山东省淄博市高青县卫生健康局"
    assert first[10] == "发现问题待后续处理（违反卫生健康管理相关规定）" and first[6] == "2026-03-10"


def test_case_card_rows(published, approver_gq):
    r = published["published"][0]
    FollowUpCase.objects.create(result=r, unit=r.unit, region=r.region, kind="penalty", case_no="高卫罚〔2026〕3号",
                                decision="警告并处罚款2000元", decided_on=dt.date(2026, 3, 25),
                                penalty_amount=Decimal("2000"))  # fmt: skip
    rows = sheet(exports.case_card_xlsx(FollowUpCase.objects.all(), reporter=approver_gq, today=dt.date(2026, 6, 15)))
    assert rows[0] == exports.CASE_CARD_HEADERS and len(rows) == 2
    card = dict(zip(rows[0], rows[1], strict=True))
    assert card["行政处罚决定书文号"] == "高卫罚〔2026〕3号" and card["移送司法机关"] == "否"
    assert card["报告单位"] == "山东省淄博市高青县卫生健康局" and card["报告日期"] == "2026年6月15日"
    assert card["行政区划代码"] == "370322"


class Receiver:
    """A local fake provincial platform: stores records by their idempotency key; can fail the next N calls."""

    def __init__(self, port=0):
        self.records, self.calls, self.fail_next = {}, 0, 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                outer.calls += 1
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                assert self.headers["Idempotency-Key"]
                if outer.fail_next:
                    outer.fail_next -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                for record in body["records"]:
                    outer.records.setdefault(record["idempotency_key"], record)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def test_http_sync_survives_the_receiver_being_down_and_coming_back(published, approver_gq):
    receiver = Receiver()
    port = receiver.port
    receiver.stop()  # the platform is down
    sleeps = []
    adapter = HttpJsonAdapter(f"http://127.0.0.1:{port}/records", retries=2, backoff=0.5, sleep=sleeps.append)
    out = services.sync_results(user=approver_gq, adapter=adapter, results=InspectionResult.objects.all())
    assert out == {"delivered": 0, "failed": 3} and sleeps == [0.5, 1.0]  # 3 attempts, exponential back-off
    assert set(OutboundDelivery.objects.values_list("status", flat=True)) == {"failed"}
    assert "连接失败" in OutboundDelivery.objects.first().last_error

    receiver = Receiver(port)  # back
    try:
        receiver.fail_next = 1  # one 503 first: retried within the same run
        out = services.sync_results(user=approver_gq, adapter=adapter, results=InspectionResult.objects.all())
        assert out == {"delivered": 3, "failed": 0} and receiver.calls == 2
        assert len(receiver.records) == 3
        assert {r["credit_code"] for r in receiver.records.values()} == {r.unit_code for r in published["published"]}
        # Nothing is sent twice; a correction (new version) is a new record with a new key.
        assert services.sync_results(user=approver_gq, adapter=adapter, results=InspectionResult.objects.all()) == {
            "delivered": 0, "failed": 0}  # fmt: skip
        InspectionResult.objects.filter(pk=published["published"][0].pk).update(version=2)
        assert services.sync_results(user=approver_gq, adapter=adapter, results=InspectionResult.objects.all()) == {
            "delivered": 1, "failed": 0}  # fmt: skip
        assert len(receiver.records) == 4
        assert set(OutboundDelivery.objects.values_list("attempts", flat=True)) == {1, 2}
    finally:
        receiver.stop()


def test_file_drop_adapter_writes_whole_files(published, approver_gq, tmp_path):
    out = services.sync_results(user=approver_gq, adapter=FileDropAdapter(tmp_path / "drop"),
                                results=InspectionResult.objects.all())  # fmt: skip
    assert out["delivered"] == 3
    (file,) = list((tmp_path / "drop").iterdir())
    data = json.loads(file.read_text(encoding="utf-8"))
    assert file.name == f"{data['idempotency_key']}.json" and len(data["records"]) == 3
    blocked = tmp_path / "blocked"
    blocked.write_text("not a folder")
    InspectionResult.objects.filter(pk=published["published"][1].pk).update(version=5)
    out = services.sync_results(
        user=approver_gq, adapter=FileDropAdapter(blocked), results=InspectionResult.objects.all()
    )
    assert out == {"delivered": 0, "failed": 1}
    assert "写入交换目录失败" in OutboundDelivery.objects.get(status="failed").last_error


def test_sync_needs_publish_rights(published, inspector_gq):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.sync_results(user=inspector_gq, adapter=FileDropAdapter("/nonexistent"),
                              results=InspectionResult.objects.all())  # fmt: skip


def test_export_downloads(client, published, approver_gq, admin_yy):
    from django.urls import reverse

    from shuangsuiji.accounts.tests.test_views import login

    login(client, approver_gq)
    rows = sheet(client.get(reverse("paperwork:gsxt_export")).content)
    assert rows[0] == exports.GSXT_HEADERS and len(rows) == 4
    rows = sheet(client.get(reverse("paperwork:case_card_export")).content)
    assert rows[0] == exports.CASE_CARD_HEADERS
    client.logout()
    login(client, admin_yy)
    assert len(sheet(client.get(reverse("paperwork:gsxt_export")).content)) == 1  # 沂源 sees no 高青 row


def test_configured_channel_syncs_from_the_command_and_the_page(published, approver_gq, client, tmp_path, settings):
    """The deployment's channel (OUTBOUND_SYNC_DIR here) is used by `manage.py sync_outbound` (cron) and by
    省级平台上报 → 立即上报 (a background job); the page shows what was delivered and what is left."""
    from django.core.management import CommandError, call_command
    from django.urls import reverse

    from shuangsuiji.accounts.tests.test_views import login
    from shuangsuiji.core.testing import finished_job

    login(client, approver_gq)
    settings.OUTBOUND_SYNC_URL, settings.OUTBOUND_SYNC_DIR = "", ""
    with pytest.raises(CommandError, match="尚未配置省级平台上报通道"):
        call_command("sync_outbound")
    page = client.get(reverse("paperwork:outbound")).content.decode()
    assert "尚未配置" in page and "立即上报</button>" not in page
    assert '尚未送达的已公示结果</dt><dd class="col-sm-9">3 条' in page
    response = client.post(reverse("paperwork:outbound"), follow=True)
    assert "尚未配置省级平台上报通道，无法上报" in response.content.decode()

    settings.OUTBOUND_SYNC_DIR = str(tmp_path / "drop")
    InspectionResult.objects.filter(pk=published["published"][2].pk).update(status="submitted")
    out = io.StringIO()
    call_command("sync_outbound", stdout=out)
    assert "送达 2 条，发送失败 0 条" in out.getvalue()
    assert len(list((tmp_path / "drop").iterdir())) == 1

    InspectionResult.objects.filter(pk=published["published"][2].pk).update(status="published")
    job = finished_job(client.post(reverse("paperwork:outbound")))
    assert job.status == "succeeded" and "送达 1 条，发送失败 0 条" in job.result["text"]
    page = client.get(reverse("paperwork:outbound")).content.decode()
    assert "交换目录（文件）" in page and '已送达</dt><dd class="col-sm-9">3 条' in page
    assert '尚未送达的已公示结果</dt><dd class="col-sm-9">0 条' in page and "没有发送失败的记录" in page


def test_outbound_page_is_for_publishers(published, inspector_gq, client):
    from django.urls import reverse

    from shuangsuiji.accounts.tests.test_views import login

    login(client, inspector_gq)
    assert client.get(reverse("paperwork:outbound")).status_code == 403


def test_gsxt_file_leaves_out_non_random_checks(client, published, approver_gq, inspector_gq, make_user):
    """A published 非随机检查 (投诉举报) is never reported to the 公示系统 as a 双随机 result (issue #15 point 1);
    the random results beside it still are, in the file and in the page's download."""
    from django.urls import reverse

    from shuangsuiji.accounts.tests.test_views import login
    from shuangsuiji.inspections import services as inspection_services
    from shuangsuiji.inspections.testing import link_users

    targeted = set(published["draw"].targets.values_list("unit_id", flat=True))
    unit = next(u for u in published["units"] if u.pk not in targeted)
    result, _warning = inspection_services.non_random_check_record(
        user=inspector_gq, plan=published["plan"], unit=unit, check_reason="complaint", check_source="12345-2026-0601",
        inspectors=published["inspectors"][:2], window_start=dt.date(2026, 6, 10), window_end=dt.date(2026, 6, 30),
        lead_organization=published["plan"].organization,
    )  # fmt: skip
    link_users(result.target, inspector_gq, make_user("gq_inspector2", org="gaoqing_agency"))
    second = result.target.assignments.exclude(inspector__user=inspector_gq).get().inspector.user
    data = {"category": "1", "checked_on": dt.date(2026, 6, 12), "methods": ["onsite"], "findings": ""}
    inspection_services.result_save(user=inspector_gq, result=result, data=data)
    inspection_services.result_sign(user=inspector_gq, result=result)
    inspection_services.result_sign(user=second, result=result)
    inspection_services.result_publish(user=approver_gq, results=[result])
    assert InspectionResult.objects.filter(status="published").count() == 4
    rows = sheet(exports.gsxt_xlsx(InspectionResult.objects.all()))
    assert len(rows) == 1 + 3 and unit.credit_code not in {r[8] for r in rows[1:]}
    assert {r[2] for r in rows[1:]} == {published["task"].code}
    login(client, approver_gq)
    rows = sheet(client.get(reverse("paperwork:gsxt_export")).content)
    assert len(rows) == 1 + 3 and unit.credit_code not in {r[8] for r in rows[1:]}
