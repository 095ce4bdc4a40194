"""Follow-up: 责令整改 + 复查, 立案处罚 (7 working days, violation_count), 移送."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shuangsuiji.cases import selectors, services
from shuangsuiji.cases.choices import CaseStatus
from shuangsuiji.core import audit
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.directory.models import InspectionHistory
from shuangsuiji.inspections import services as result_services

pytestmark = pytest.mark.django_db

PROBLEM = {
    "category": "A", "problem_reasons": ["H"], "checked_on": dt.date(2026, 3, 2), "methods": ["onsite"],
    "findings": "从业人员未取得健康合格证明", "disposal": "case",
}  # fmt: skip


@pytest.fixture
def submitted(team):
    result = result_services.result_save(user=team["first"], result=team["result"], data=PROBLEM)
    result_services.result_sign(user=team["first"], result=result)
    return result_services.result_sign(user=team["second"], result=result)


def test_pending_result_cannot_get_a_case(team, approver_gq):
    with pytest.raises(ValidationError, match="提交后"):
        services.case_open(
            user=approver_gq, result=team["result"], kind="rectify", data={"deadline": dt.date(2026, 4, 1)}
        )


def test_rectify_and_recheck(submitted, approver_gq):
    with pytest.raises(ValidationError, match="整改期限"):
        services.case_open(user=approver_gq, result=submitted, kind="rectify", data={})
    case = services.case_open(
        user=approver_gq, result=submitted, kind="rectify", data={"deadline": dt.date(2026, 3, 16)}
    )
    assert list(selectors.overdue_rechecks(approver_gq, today=dt.date(2026, 3, 17))) == [case]
    assert not selectors.overdue_rechecks(approver_gq, today=dt.date(2026, 3, 16)).exists()
    with pytest.raises(ValidationError, match="复查"):
        services.case_close(user=approver_gq, case=case, closed_on=dt.date(2026, 3, 17))
    case = services.case_recheck(
        user=approver_gq, case=case, recheck_on=dt.date(2026, 3, 17), recheck_result="rectified"
    )
    assert case.status == CaseStatus.CLOSED and case.closed_on == dt.date(2026, 3, 17)
    assert not selectors.overdue_rechecks(approver_gq, today=dt.date(2026, 4, 1)).exists()
    assert InspectionHistory.objects.filter(unit=submitted.unit, result="复查：已整改到位").exists()


def test_penalty_decision_due_in_7_workdays_and_violation_count(submitted, approver_gq):
    unit = submitted.unit
    before = unit.violation_count
    case = services.case_open(user=approver_gq, result=submitted, kind="penalty", data={"case_no": "高卫罚〔2026〕1号"})
    # Fri 2025-09-26 + 7 working days = 2025-10-13 (research-regulatory BR-59); here a 2026 decision:
    case = services.case_decide(
        user=approver_gq, case=case, decision="警告并处罚款2000元", decided_on=dt.date(2026, 3, 20),
        penalty_amount=Decimal("2000"),
    )  # fmt: skip
    assert case.publish_due == dt.date(2026, 3, 31)
    unit.refresh_from_db()
    assert unit.violation_count == before + 1
    assert ObjectChange.objects.filter(message__contains="计入信用风险").exists()
    assert list(selectors.penalties_overdue(approver_gq, today=dt.date(2026, 4, 1))) == [case]
    with pytest.raises(ValidationError, match="已登记"):
        services.case_decide(user=approver_gq, case=case, decision="x", decided_on=dt.date(2026, 3, 20))
    case = services.case_publish_penalty(user=approver_gq, case=case)
    assert case.published_at and list(selectors.public_penalties()) == [case]
    assert not selectors.penalties_to_publish(approver_gq).exists()
    assert audit.verify_chain()[1] == []


def test_transfer_requires_receiver_and_date(submitted, approver_gq):
    with pytest.raises(ValidationError, match="接收单位"):
        services.case_open(user=approver_gq, result=submitted, kind="transfer", data={})
    case = services.case_open(
        user=approver_gq, result=submitted, kind="transfer",
        data={"receiver": "高青县公安局", "receiver_kind": "judiciary", "sent_on": dt.date(2026, 3, 5)},
    )  # fmt: skip
    assert InspectionHistory.objects.filter(unit=submitted.unit, result="移送至 高青县公安局").exists()
    assert case.status == CaseStatus.OPEN


def test_other_county_and_oversight_cannot_write(submitted, admin_yy, oversight_gq):
    for user in (admin_yy, oversight_gq):
        with pytest.raises(PermissionDenied):
            services.case_open(user=user, result=submitted, kind="rectify", data={"deadline": dt.date(2026, 4, 1)})
    assert not selectors.case_list(admin_yy).exists()
