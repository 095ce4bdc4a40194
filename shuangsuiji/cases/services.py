"""Writes for follow-up cases (后续处置). Keyword-only, atomic, validated, audited.

Outcomes feed the unit's record through the directory app's services:
* every opened case and every re-check / penalty decision adds an InspectionHistory row;
* a penalty decision adds a Violation record, which recomputes `violation_count` (credit-risk input).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shuangsuiji.core import audit
from shuangsuiji.core.concurrency import check_version
from shuangsuiji.core.formats import local_date
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.permissions import is_system, require, stored_user
from shuangsuiji.directory import services as directory_services
from shuangsuiji.inspections.choices import ResultStatus
from shuangsuiji.inspections.models import InspectionResult
from shuangsuiji.inspections.services import due_date

from .choices import CaseKind, CaseStatus, ReceiverKind, RecheckResult
from .models import FollowUpCase, ResultObjection, RiskProposal

Action = ObjectChange.Action

PERM_ADD = "cases.add_followupcase"
PERM_CHANGE = "cases.change_followupcase"
PERM_PUBLISH = "cases.publish_followupcase"
PENALTY_PUBLISH_WORKDAYS = getattr(settings, "PENALTY_PUBLISH_WORKDAYS", 7)
# Publicity period of penalty information (official-formats §6.7: "generally 1 year"), counted from the decision.
PENALTY_PUBLICITY_DAYS = getattr(settings, "PENALTY_PUBLICITY_DAYS", 365)


def _history(user, case: FollowUpCase, on: dt.date, text: str) -> None:
    directory_services.inspection_history_add(
        user=user,
        unit=case.unit,
        inspected_on=on,
        item_name=f"后续处置：{case.get_kind_display()}",
        result=text[:100],
        source=f"双随机抽查 {case.result.draw.code}"[:100],
    )


def _locked(case: FollowUpCase, expected_version: int | None = None) -> FollowUpCase:
    """The locked row; a stale `expected_version` (the form's lock_version) raises EditConflict."""
    locked = FollowUpCase.objects.select_for_update().select_related("region", "unit", "result__draw").get(pk=case.pk)
    check_version(locked, expected_version)
    return locked


def _save(case: FollowUpCase, *, user, before, message: str) -> FollowUpCase:
    case.full_clean()
    case.save()
    audit.log_change(
        case, Action.CREATE if before is None else Action.UPDATE, user=user, before=before, message=message
    )
    return case


def _text(value, label: str, minimum: int = 1) -> str:
    value = (value or "").strip()
    if len(value) < minimum:
        raise ValidationError({"__all__": f"请填写{label}"})
    return value


@transaction.atomic
def case_open(*, user, result: InspectionResult, kind: str, data: dict) -> FollowUpCase:
    """Register a follow-up of a submitted or published result.

    rectify: deadline (and description/document_no) · penalty: case_no (decision later) ·
    transfer/notify: receiver, receiver_kind, sent_on.
    """
    require(user, PERM_ADD, result)
    result = InspectionResult.objects.select_related("region", "unit", "draw").get(pk=result.pk)
    if result.status not in (ResultStatus.SUBMITTED, ResultStatus.PUBLISHED):
        raise ValidationError("检查结果提交后才能登记后续处置")
    if kind not in CaseKind.values:
        raise ValidationError("无效的处置方式")
    allowed = {"description", "document_no", "deadline", "case_no", "receiver", "receiver_kind", "sent_on"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError(f"不可填写的字段：{', '.join(sorted(unknown))}")
    case = FollowUpCase(
        result=result, unit=result.unit, region=result.region, kind=kind, created_by=stored_user(user), **data
    )
    if kind == CaseKind.RECTIFY:
        if not case.deadline:
            raise ValidationError({"deadline": "责令整改须填写整改期限"})
        if result.checked_on and case.deadline < result.checked_on:
            raise ValidationError({"deadline": "整改期限不能早于检查日期"})
        text = f"责令整改，期限至 {local_date(case.deadline)}"
    elif kind == CaseKind.PENALTY:
        case.case_no = _text(case.case_no, "案件编号")
        text = f"立案查处，案件编号 {case.case_no}"
    else:
        case.receiver = _text(case.receiver, "接收单位")
        if not case.sent_on:
            raise ValidationError({"sent_on": "请填写移送/抄告日期"})
        if kind == CaseKind.TRANSFER and not case.receiver_kind:
            case.receiver_kind = ReceiverKind.DEPARTMENT
        text = f"{case.get_kind_display()}至 {case.receiver}"
    _save(case, user=user, before=None, message=f"登记后续处置：{text}")
    _history(user, case, case.sent_on or timezone.localdate(), text)
    return case


@transaction.atomic
def case_recheck(
    *,
    user,
    case: FollowUpCase,
    recheck_on: dt.date,
    recheck_result: str,
    note: str = "",
    expected_version: int | None = None,
) -> FollowUpCase:
    """复查 of a 责令整改: rectified closes the case; otherwise it stays open (e.g. to open a penalty case)."""
    require(user, PERM_CHANGE, case)
    case = _locked(case, expected_version)
    if case.kind != CaseKind.RECTIFY or case.status != CaseStatus.OPEN:
        raise ValidationError("只有未完结的责令整改可以复查")
    if recheck_result not in RecheckResult.values:
        raise ValidationError({"recheck_result": "请选择复查结果"})
    if not recheck_on or recheck_on > timezone.localdate():
        raise ValidationError({"recheck_on": "复查日期不能为空或晚于今天"})
    before = audit.snapshot(case)
    case.recheck_on, case.recheck_result, case.recheck_note = recheck_on, recheck_result, (note or "").strip()
    if recheck_result == RecheckResult.RECTIFIED:
        case.status, case.closed_on = CaseStatus.CLOSED, recheck_on
    _save(case, user=user, before=before, message=f"复查：{case.get_recheck_result_display()}")
    _history(user, case, recheck_on, f"复查：{case.get_recheck_result_display()}")
    return case


@transaction.atomic
def case_decide(
    *,
    user,
    case: FollowUpCase,
    decision: str,
    decided_on: dt.date,
    penalty_amount: Decimal | None = None,
    case_no: str = "",
    expected_version: int | None = None,
) -> FollowUpCase:
    """处罚决定: publication due within 7 working days; adds a Violation (violation_count +1)."""
    require(user, PERM_CHANGE, case)
    case = _locked(case, expected_version)
    if case.kind != CaseKind.PENALTY:
        raise ValidationError("只有立案处罚可以登记处罚决定")
    if case.decided_on:
        raise ValidationError("处罚决定已登记；决定变更请登记新的案件并说明")
    if not decided_on or decided_on > timezone.localdate():
        raise ValidationError({"decided_on": "决定日期不能为空或晚于今天"})
    if penalty_amount is not None and penalty_amount < 0:
        raise ValidationError({"penalty_amount": "罚款金额不能为负数"})
    before = audit.snapshot(case)
    case.decision = _text(decision, "处罚决定")
    case.case_no = (case_no or case.case_no).strip()
    case.decided_on, case.penalty_amount = decided_on, penalty_amount
    case.publish_due, case.publish_due_error = due_date(decided_on, PENALTY_PUBLISH_WORKDAYS)
    _save(case, user=user, before=before, message=f"登记处罚决定（{case.case_no}），应于 {case.deadline_text} 前公示")
    old_count = case.unit.violation_count
    directory_services.violation_add(
        user=user,
        unit=case.unit,
        occurred_on=decided_on,
        description=f"双随机抽查立案处罚：{case.decision}"[:300],
        document_no=case.case_no[:100],
    )
    case.unit.refresh_from_db(fields=["violation_count"])
    audit.log_event(
        Action.WORKFLOW,
        obj=case.unit,
        user=user,
        message="处罚决定计入信用风险：违法违规次数更新",
        data={
            "violation_count_before": old_count,
            "violation_count_after": case.unit.violation_count,
            "case": case.case_no,
        },
    )
    _history(user, case, decided_on, f"作出处罚决定 {case.case_no}")
    _propose_risk(user, case)
    return case


WORSE = {"A": "B", "B": "C", "C": "D", "D": "D", "": "C"}


def _propose_risk(user, case: FollowUpCase) -> RiskProposal | None:
    """A penalty proposes one class worse (unrated → C) for a reviewer; nothing changes until it is accepted."""
    current = case.unit.risk_level or ""
    proposed = WORSE.get(current, "C")
    if proposed == current:
        return None
    proposal = RiskProposal(
        case=case, unit=case.unit, region=case.region, current_level=current, proposed_level=proposed,
        reason=f"处罚决定 {case.case_no or ''}：建议信用风险分类由 {current or '未分类'} 调整为 {proposed}"[:300],
    )  # fmt: skip
    proposal.full_clean()
    proposal.save()
    audit.log_change(proposal, Action.CREATE, user=user, message=proposal.reason)
    return proposal


@transaction.atomic
def risk_proposal_review(*, user, proposal: RiskProposal, accept: bool, note: str = "",
                         today: dt.date | None = None) -> RiskProposal:  # fmt: skip
    """The reviewer accepts (the unit's class changes through directory.unit_set_risk) or rejects, with a note."""
    require(user, "cases.approve_followupcase", proposal)
    proposal = RiskProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != RiskProposal.Status.PENDING:
        raise ValidationError("该建议已审核")
    if not accept and not (note or "").strip():
        raise ValidationError({"note": "不予采纳须填写理由"})
    before = audit.snapshot(proposal)
    proposal.status = RiskProposal.Status.ACCEPTED if accept else RiskProposal.Status.REJECTED
    proposal.reviewed_by, proposal.reviewed_at, proposal.review_note = stored_user(user), timezone.now(), note.strip()
    proposal.save()
    audit.log_change(proposal, Action.UPDATE, user=user, before=before,
                     message=f"信用风险分类调整建议{proposal.get_status_display()}")  # fmt: skip
    if accept:
        directory_services.unit_set_risk(
            user=user, unit=proposal.unit, level=proposal.proposed_level, as_of=today or timezone.localdate(),
            source=f"处罚决定 {proposal.case.case_no}"[:100],
        )  # fmt: skip
    return proposal


MAX_OPEN_OBJECTIONS = 3


@transaction.atomic
def objection_lodge(*, user, result: InspectionResult, credit_code: str, contact_name: str, contact_phone: str,
                    reason: str) -> ResultObjection:  # fmt: skip
    """异议 from the portal (the portal acts as `SYSTEM`): only on a published result, by its 统一社会信用代码."""
    require(user, None, result)
    if result.status != ResultStatus.PUBLISHED:
        raise ValidationError("只能对已公示的检查结果提出异议")
    if (credit_code or "").strip().upper() != (result.unit_code or result.unit.credit_code).upper():
        raise ValidationError({"credit_code": "统一社会信用代码与该检查结果不符"})
    if result.objections.filter(status=ResultObjection.Status.OPEN).count() >= MAX_OPEN_OBJECTIONS:
        raise ValidationError("该检查结果已有待处理的异议，请等待处理结果")
    objection = ResultObjection(
        result=result, region=result.region, contact_name=_text(contact_name, "联系人"),
        contact_phone=_text(contact_phone, "联系电话", 5), reason=_text(reason, "异议内容", 10),
    )  # fmt: skip
    objection.full_clean()
    objection.save()
    audit.log_change(objection, Action.CREATE, user=user, message="当事人对公示的检查结果提出异议")
    return objection


@transaction.atomic
def objection_answer(*, user, objection: ResultObjection, status: str, answer: str) -> ResultObjection:
    """Answer an objection: 已更正 needs a 更正 of the result recorded after the objection; 不予更正 needs reasons."""
    require(user, "inspections.publish_inspectionresult", objection)
    objection = ResultObjection.objects.select_for_update().get(pk=objection.pk)
    if objection.status != ResultObjection.Status.OPEN:
        raise ValidationError("该异议已处理")
    if status not in (ResultObjection.Status.CORRECTED, ResultObjection.Status.REJECTED):
        raise ValidationError({"status": "请选择处理结果"})
    result = objection.result
    if status == ResultObjection.Status.CORRECTED and not (
        result.corrected_at and result.corrected_at >= objection.created_at
    ):
        raise ValidationError("请先在检查结果页面完成更正，再登记“已更正”")
    before = audit.snapshot(objection)
    objection.status, objection.answer = status, _text(answer, "处理意见")
    objection.answered_by, objection.answered_at = stored_user(user), timezone.now()
    objection.save()
    audit.log_change(objection, Action.UPDATE, user=user, before=before,
                     message=f"答复结果异议：{objection.get_status_display()}")  # fmt: skip
    return objection


@transaction.atomic
def case_publish_penalty(*, user, case: FollowUpCase, now: dt.datetime | None = None) -> FollowUpCase:
    require(user, PERM_PUBLISH, case)
    case = _locked(case)
    if case.kind != CaseKind.PENALTY or not case.decided_on:
        raise ValidationError("只有已作出处罚决定的案件可以公示处罚信息")
    if case.published_at:
        raise ValidationError("处罚信息已公示")
    before = audit.snapshot(case)
    case.published_at = now or timezone.now()
    case.publicity_until = case.decided_on + dt.timedelta(days=PENALTY_PUBLICITY_DAYS)
    return _save(case, user=user, before=before,
                 message=f"公示行政处罚信息，公示至 {case.publicity_until.year}年{case.publicity_until.month}月"
                         f"{case.publicity_until.day}日")  # fmt: skip


@transaction.atomic
def penalties_withdraw_expired(*, user, today: dt.date | None = None, now: dt.datetime | None = None) -> int:
    """Withdraw penalty information whose publicity period has ended; each withdrawal is an audit row."""
    require(user, PERM_PUBLISH)
    today = today or timezone.localdate()
    now = now or timezone.now()
    cases = FollowUpCase.objects if is_system(user) else FollowUpCase.objects.restrict(user, "publish")
    expired = list(
        cases.select_for_update().filter(
            kind=CaseKind.PENALTY, published_at__isnull=False, withdrawn_at__isnull=True, publicity_until__lt=today
        )  # fmt: skip
    )
    for case in expired:
        before = audit.snapshot(case)
        case.withdrawn_at = now
        _save(case, user=user, before=before, message="公示期满，撤下行政处罚信息公示")
    return len(expired)


@transaction.atomic
def case_transfer_receipt(*, user, case: FollowUpCase, receipt_on: dt.date, feedback_due: dt.date,
                          note: str = "") -> FollowUpCase:  # fmt: skip
    """移送回执: the receiver signed for the materials; the feedback is due by `feedback_due`."""
    require(user, PERM_CHANGE, case)
    case = _locked(case)
    if case.kind not in (CaseKind.TRANSFER, CaseKind.NOTIFY):
        raise ValidationError("只有移送、抄告可以登记回执")
    if case.sent_on and receipt_on < case.sent_on:
        raise ValidationError({"receipt_on": "回执日期不能早于移送日期"})
    if feedback_due < receipt_on:
        raise ValidationError({"feedback_due": "反馈期限不能早于回执日期"})
    before = audit.snapshot(case)
    case.receipt_on, case.feedback_due = receipt_on, feedback_due
    if note:
        case.feedback_note = note.strip()
    _save(case, user=user, before=before, message=f"登记移送回执，反馈期限 {feedback_due:%Y-%m-%d}")
    return case


@transaction.atomic
def case_transfer_feedback(*, user, case: FollowUpCase, feedback_on: dt.date, note: str) -> FollowUpCase:
    """The receiver's feedback (处理结果) on a transfer or notification."""
    require(user, PERM_CHANGE, case)
    case = _locked(case)
    if case.kind not in (CaseKind.TRANSFER, CaseKind.NOTIFY):
        raise ValidationError("只有移送、抄告可以登记反馈")
    before = audit.snapshot(case)
    case.feedback_on, case.feedback_note = feedback_on, _text(note, "反馈情况")
    _save(case, user=user, before=before, message="登记接收单位反馈")
    return case


@transaction.atomic
def case_close(
    *, user, case: FollowUpCase, closed_on: dt.date, note: str = "", expected_version: int | None = None
) -> FollowUpCase:
    require(user, PERM_CHANGE, case)
    case = _locked(case, expected_version)
    if case.status != CaseStatus.OPEN:
        raise ValidationError("该处置已完结")
    if case.kind == CaseKind.PENALTY and not case.decided_on:
        raise ValidationError("立案处罚须先登记处罚决定（或不予处罚决定）才能结案")
    if case.kind == CaseKind.RECTIFY and not case.recheck_on:
        raise ValidationError("责令整改须先复查才能完结")
    if not closed_on or closed_on > timezone.localdate():
        raise ValidationError({"closed_on": "完结日期不能为空或晚于今天"})
    before = audit.snapshot(case)
    case.status, case.closed_on = CaseStatus.CLOSED, closed_on
    if note:
        case.description = (case.description + "\n" if case.description else "") + f"完结说明：{note.strip()}"
    return _save(case, user=user, before=before, message="处置完结")
