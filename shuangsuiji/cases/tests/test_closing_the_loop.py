"""Closing the follow-up loop (issue #16.6): penalty publicity period and withdrawal, 移送 receipt and feedback."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shuangsuiji.cases import selectors, services
from shuangsuiji.cases.tests.test_services import submitted  # noqa: F401
from shuangsuiji.core import audit
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.core.registry import todos_for

pytestmark = pytest.mark.django_db


def test_penalty_is_public_for_its_period_then_withdrawn_with_an_audit_row(submitted, approver_gq):  # noqa: F811
    case = services.case_open(user=approver_gq, result=submitted, kind="penalty", data={"case_no": "高卫罚〔2026〕1号"})
    case = services.case_decide(user=approver_gq, case=case, decision="警告并处罚款2000元",
                                decided_on=dt.date(2026, 3, 20), penalty_amount=Decimal("2000"))  # fmt: skip
    case = services.case_publish_penalty(user=approver_gq, case=case)
    assert case.publicity_until == dt.date(2027, 3, 20)  # 365 days after the decision
    assert list(selectors.public_penalties(today=dt.date(2027, 3, 20))) == [case]
    assert list(selectors.public_penalties(today=dt.date(2027, 3, 21))) == []  # never shown past the period
    assert services.penalties_withdraw_expired(user=SYSTEM, today=dt.date(2027, 3, 20)) == 0
    assert services.penalties_withdraw_expired(user=SYSTEM, today=dt.date(2027, 3, 21)) == 1
    case.refresh_from_db()
    assert case.withdrawn_at is not None
    assert ObjectChange.objects.filter(object_type="cases.followupcase", object_id=str(case.pk),
                                       message="公示期满，撤下行政处罚信息公示").exists()  # fmt: skip
    assert list(selectors.public_penalties(today=dt.date(2026, 6, 15))) == []  # withdrawn stays withdrawn
    assert services.penalties_withdraw_expired(user=SYSTEM, today=dt.date(2027, 3, 22)) == 0
    assert audit.verify_chain()[1] == []


def test_public_penalty_page(client, submitted, approver_gq):  # noqa: F811
    from django.urls import reverse

    case = services.case_open(user=approver_gq, result=submitted, kind="penalty", data={"case_no": "高卫罚〔2026〕7号"})
    services.case_decide(user=approver_gq, case=case, decision="警告", decided_on=dt.date(2026, 6, 1))
    services.case_publish_penalty(user=approver_gq, case=case)
    body = client.get(reverse("disclosure:penalty_list")).content.decode()
    assert "行政处罚信息公示" in body and "高卫罚〔2026〕7号" in body and "2027年6月1日" in body
    assert "山东省淄博市高青县卫生健康局" in body


def test_transfer_receipt_feedback_and_overdue_todo(submitted, approver_gq):  # noqa: F811
    case = services.case_open(
        user=approver_gq, result=submitted, kind="transfer",
        data={"receiver": "高青县公安局", "receiver_kind": "judiciary", "sent_on": dt.date(2026, 3, 5)},
    )  # fmt: skip
    with pytest.raises(ValidationError, match="回执日期不能早于移送日期"):
        services.case_transfer_receipt(user=approver_gq, case=case, receipt_on=dt.date(2026, 3, 4),
                                       feedback_due=dt.date(2026, 4, 5))  # fmt: skip
    case = services.case_transfer_receipt(user=approver_gq, case=case, receipt_on=dt.date(2026, 3, 6),
                                          feedback_due=dt.date(2026, 4, 5))  # fmt: skip
    assert list(selectors.transfers_feedback_overdue(approver_gq, today=dt.date(2026, 4, 6))) == [case]
    assert not selectors.transfers_feedback_overdue(approver_gq, today=dt.date(2026, 4, 5)).exists()
    labels = [t.label for t in todos_for(approver_gq)]  # the frozen clock: 2026-06-15, past the feedback date
    assert "移送/抄告逾期未反馈" in labels
    case = services.case_transfer_feedback(user=approver_gq, case=case, feedback_on=dt.date(2026, 4, 10),
                                           note="已立案侦查")  # fmt: skip
    assert not selectors.transfers_feedback_overdue(approver_gq, today=dt.date(2026, 6, 15)).exists()
    assert case.feedback_note == "已立案侦查" and timezone.localdate() == dt.date(2026, 6, 15)


def test_penalty_proposes_a_risk_class_for_a_reviewer(submitted, approver_gq, inspector_gq):  # noqa: F811
    from shuangsuiji.cases.models import RiskProposal

    unit = submitted.unit
    unit.risk_level = "B"
    unit.save(update_fields=["risk_level"])
    case = services.case_open(user=approver_gq, result=submitted, kind="penalty", data={"case_no": "高卫罚〔2026〕2号"})
    services.case_decide(user=approver_gq, case=case, decision="警告", decided_on=dt.date(2026, 6, 1))
    proposal = RiskProposal.objects.get(case=case)
    assert (proposal.current_level, proposal.proposed_level, proposal.status) == ("B", "C", "pending")
    unit.refresh_from_db()
    assert unit.risk_level == "B"  # nothing changes until a reviewer accepts
    assert "信用风险分类调整建议待审核" in [t.label for t in todos_for(approver_gq)]
    with pytest.raises(PermissionDenied):
        services.risk_proposal_review(user=inspector_gq, proposal=proposal, accept=True)
    with pytest.raises(ValidationError, match="理由"):
        services.risk_proposal_review(user=approver_gq, proposal=proposal, accept=False)
    services.risk_proposal_review(user=approver_gq, proposal=proposal, accept=True, today=dt.date(2026, 6, 2))
    unit.refresh_from_db()
    assert unit.risk_level == "C" and unit.risk_source == "处罚决定 高卫罚〔2026〕2号"
    with pytest.raises(ValidationError, match="已审核"):
        services.risk_proposal_review(user=approver_gq, proposal=proposal, accept=True)


def test_objection_on_the_portal_opens_the_correction_workflow(client, submitted, approver_gq):  # noqa: F811
    from django.urls import reverse

    from shuangsuiji.cases.models import ResultObjection
    from shuangsuiji.inspections import services as result_services

    result = result_services.result_publish(user=approver_gq, results=[submitted])[0]
    url = reverse("disclosure:result_objection", args=[result.pk])
    assert "提出异议" in client.get(url).content.decode()
    data = {"credit_code": "91370000000000000X", "contact_name": "张三", "contact_phone": "13800000000",
            "reason": "检查当日从业人员健康证明已办理，现场未能及时出示，请予核实。"}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 400 and "统一社会信用代码与该检查结果不符" in response.content.decode()
    response = client.post(url, {**data, "credit_code": result.unit_code.lower()})
    assert response.status_code == 200 and "异议已提交" in response.content.decode()
    objection = ResultObjection.objects.get(result=result)
    assert "结果异议待处理" in [t.label for t in todos_for(approver_gq)]
    with pytest.raises(ValidationError, match="先在检查结果页面完成更正"):
        services.objection_answer(user=approver_gq, objection=objection, status="corrected", answer="已核实")
    result_services.result_correct(user=approver_gq, result=result, reason="当事人异议成立",
                                   data={"category": "1", "findings": "", "disposal": "none"})  # fmt: skip
    objection = services.objection_answer(user=approver_gq, objection=objection, status="corrected",
                                          answer="经核实，已更正为未发现问题")  # fmt: skip
    assert objection.status == "corrected"
    assert ObjectChange.objects.filter(object_type="cases.resultobjection", message__contains="异议").count() == 2
    assert audit.verify_chain()[1] == []


def test_objections_are_rate_limited_per_visitor_address(client, submitted, approver_gq, settings):  # noqa: F811
    """The portal form is open to anyone: an address may lodge PORTAL_OBJECTION_RATE objections; the next one
    gets a 429 with a Chinese message and what was typed kept; another address is not affected."""
    from django.urls import reverse

    from shuangsuiji.cases.models import ResultObjection
    from shuangsuiji.inspections import services as result_services

    settings.PORTAL_OBJECTION_RATE = "2/h"
    result = result_services.result_publish(user=approver_gq, results=[submitted])[0]
    url = reverse("disclosure:result_objection", args=[result.pk])
    data = {"credit_code": result.unit_code, "contact_name": "张三", "contact_phone": "13800000000",
            "reason": "检查当日从业人员健康证明已办理，现场未能及时出示，请予核实。"}  # fmt: skip
    assert client.post(url, data, REMOTE_ADDR="10.0.0.1").status_code == 200
    assert client.post(url, data, REMOTE_ADDR="10.0.0.1").status_code == 200
    response = client.post(url, {**data, "reason": "第三次提交的理由原文"}, REMOTE_ADDR="10.0.0.1")
    page = response.content.decode()
    assert response.status_code == 429 and "提交过于频繁" in page and "每小时最多提交 2 次" in page
    assert "第三次提交的理由原文" in page
    assert ResultObjection.objects.filter(result=result).count() == 2
    assert client.post(url, data, REMOTE_ADDR="10.0.0.2").status_code == 200
    assert client.get(url, REMOTE_ADDR="10.0.0.1").status_code == 200  # reading the form is not counted


def test_withdraw_expired_penalties_command_withdraws_on_the_day_after_the_period(submitted, approver_gq, time_machine):  # noqa: F811
    """The daily cron command: nothing to do while the period runs; the day after, the item is withdrawn as
    the system (audited) and the command says how many."""
    import io

    from django.core.management import call_command

    case = services.case_open(user=approver_gq, result=submitted, kind="penalty", data={"case_no": "高卫罚〔2026〕3号"})
    case = services.case_decide(user=approver_gq, case=case, decision="警告", decided_on=dt.date(2026, 3, 20))
    case = services.case_publish_penalty(user=approver_gq, case=case)

    def run() -> str:
        out = io.StringIO()
        call_command("withdraw_expired_penalties", stdout=out)
        return out.getvalue().strip()

    time_machine.move_to(timezone.make_aware(dt.datetime(2027, 3, 20, 23, 0)), tick=False)
    assert run() == "已撤下公示期满的行政处罚信息 0 条"
    case.refresh_from_db()
    assert case.withdrawn_at is None
    time_machine.move_to(timezone.make_aware(dt.datetime(2027, 3, 21, 1, 0)), tick=False)
    assert run() == "已撤下公示期满的行政处罚信息 1 条"
    case.refresh_from_db()
    assert case.withdrawn_at is not None
    row = ObjectChange.objects.get(object_type="cases.followupcase", object_id=str(case.pk),
                                   message="公示期满，撤下行政处罚信息公示")  # fmt: skip
    assert row.user_id is None and row.user_name == "系统"
    assert run() == "已撤下公示期满的行政处罚信息 0 条"
