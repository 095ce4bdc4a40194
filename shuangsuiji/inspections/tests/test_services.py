"""Result workflow on the real database: open → enter → two signatures → publish → correction."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from shuangsuiji.core import audit
from shuangsuiji.core.models import CalendarYear, ObjectChange
from shuangsuiji.core.workdays import add_workdays
from shuangsuiji.directory.models import InspectionHistory, Inspector
from shuangsuiji.draws import services as draw_services
from shuangsuiji.draws.models import InspectorAssignment
from shuangsuiji.inspections import selectors, services
from shuangsuiji.inspections.choices import ResultStatus
from shuangsuiji.inspections.models import ChecklistQuestion, ChecklistTemplate, InspectionResult
from shuangsuiji.inspections.testing import locked_draw

pytestmark = pytest.mark.django_db

NO_PROBLEM = {"category": "1", "checked_on": dt.date(2026, 3, 2), "methods": ["onsite"], "findings": ""}


def enter_and_sign(result, first, second, data=NO_PROBLEM):
    services.result_save(user=first, result=result, data=data)
    services.result_sign(user=first, result=result)
    return services.result_sign(user=second, result=result)


def test_results_open_pending_and_idempotent(locked, approver_gq):
    draw, results = locked["draw"], locked["results"]
    assert len(results) == draw.targets.filter(status="active").count() == 8
    assert {r.status for r in results} == {ResultStatus.PENDING}
    assert {r.category for r in results} == {""}  # 未检查, never a default "未发现问题"
    assert services.results_open_for_draw(draw=draw, user=approver_gq) == []
    assert InspectionResult.objects.count() == 8
    assert ObjectChange.objects.filter(object_type="inspections.inspectionresult", action="create").count() == 8


def test_unlocked_draw_opens_nothing_and_ensure_results_is_lazy(gq, approver_gq):
    draw = draw_services.draw_freeze(
        user=approver_gq,
        task=gq["task"],
        sources=draw_services.build_sources(
            lottery={"game": "kl8", "issue": "2026167", "draw_date": dt.date(2026, 6, 16)}  # after the frozen now
        ),
    )
    assert services.results_open_for_draw(draw=draw, user=approver_gq) == []
    assert services.ensure_results(user=approver_gq) == 0


def test_substituted_target_moves_pending_result(locked, approver_gq):
    result = locked["results"][0]
    draw_services.target_substitute(user=approver_gq, target=result.target, reason="经核实该单位已注销")
    services.results_open_for_draw(draw=locked["draw"], user=approver_gq)
    assert not InspectionResult.objects.filter(pk=result.pk).exists()
    assert InspectionResult.objects.filter(draw=locked["draw"]).count() == 8


def test_full_workflow_two_signatures_then_publish(team, approver_gq):
    result, first, second = team["result"], team["first"], team["second"]
    result = services.result_save(user=first, result=result, data=NO_PROBLEM)
    assert result.status == ResultStatus.DRAFT
    assert result.publish_due == add_workdays(dt.date(2026, 3, 2), 20) == dt.date(2026, 3, 30)
    result = services.result_sign(user=first, result=result)
    assert result.status == ResultStatus.DRAFT  # one signature is not enough
    with pytest.raises(ValidationError, match="已签名"):
        services.result_sign(user=first, result=result)
    result = services.result_sign(user=second, result=result)
    assert result.status == ResultStatus.SUBMITTED
    signatures = list(result.signatures.values_list("user__username", flat=True))
    assert signatures == ["gq_inspector", "gq_inspector2"]

    with pytest.raises(PermissionDenied):
        services.result_publish(user=first, results=[result])
    [published] = services.result_publish(user=approver_gq, results=[result])
    assert published.status == ResultStatus.PUBLISHED and published.published_at
    assert published.unit_name == result.unit.name and published.unit_code == result.unit.credit_code
    assert InspectionHistory.objects.filter(unit=result.unit, result="未发现问题").exists()
    result.unit.refresh_from_db()
    assert result.unit.last_inspected_on == dt.date(2026, 3, 2)
    assert list(selectors.public_results()) == [published]
    assert audit.verify_chain()[1] == []


def test_other_inspector_of_same_county_cannot_enter_or_sign(team, make_user):
    """An inspector of the same county who is in no group of this target may neither enter nor sign."""
    target = team["result"].target
    in_group = InspectorAssignment.objects.filter(target=target).values("inspector")
    inspector = (
        Inspector.objects.filter(organization__region=target.draw.region, user__isnull=True)
        .exclude(pk__in=in_group)
        .order_by("pk")
        .first()
    )
    assert inspector is not None, "the gq fixture has 6 inspectors and a group has 2"
    outsider = make_user("gq_inspector3", org="gaoqing_agency")
    inspector.user = outsider
    inspector.save(update_fields=["user"])
    assert not InspectorAssignment.objects.filter(target=target, inspector__user=outsider).exists()

    with pytest.raises(PermissionDenied):
        services.result_save(user=outsider, result=team["result"], data=NO_PROBLEM)
    services.result_save(user=team["first"], result=team["result"], data=NO_PROBLEM)
    with pytest.raises(PermissionDenied):
        services.result_sign(user=outsider, result=team["result"])
    assert not team["result"].signatures.exists()


def test_approver_may_enter_but_not_sign(team, approver_gq):
    services.result_save(user=approver_gq, result=team["result"], data=NO_PROBLEM)
    with pytest.raises(PermissionDenied, match="本人"):
        services.result_sign(user=approver_gq, result=team["result"])


def test_other_county_cannot_touch(team, admin_yy):
    with pytest.raises(PermissionDenied):
        services.result_save(user=admin_yy, result=team["result"], data=NO_PROBLEM)
    assert not selectors.result_list(admin_yy).exists()


def test_incomplete_result_cannot_be_signed(team):
    services.result_save(
        user=team["first"], result=team["result"], data={"category": "A", "checked_on": dt.date(2026, 3, 2)}
    )
    with pytest.raises(ValidationError) as exc:
        services.result_sign(user=team["first"], result=team["result"])
    text = "；".join(exc.value.messages)
    assert "问题类别" in text and "发现问题情况" in text and "处置情况" in text


def test_edit_after_signature_withdraws_it(team):
    services.result_save(user=team["first"], result=team["result"], data=NO_PROBLEM)
    services.result_sign(user=team["first"], result=team["result"])
    result = services.result_save(
        user=team["second"], result=team["result"], data={**NO_PROBLEM, "findings": "补充说明"}
    )
    assert result.signatures.count() == 0
    assert ObjectChange.objects.filter(message__contains="撤销签名").exists()


def test_published_result_is_immutable_and_corrected_with_history(team, approver_gq):
    result = enter_and_sign(team["result"], team["first"], team["second"])
    with pytest.raises(ValidationError):
        services.result_save(user=team["first"], result=result, data=NO_PROBLEM)
    services.result_publish(user=approver_gq, results=[result])
    with pytest.raises(ValidationError):
        services.result_save(user=approver_gq, result=result, data=NO_PROBLEM)
    with pytest.raises(ValidationError, match="理由"):
        services.result_correct(user=approver_gq, result=result, reason="", data={"category": "E"})
    correction = services.result_correct(
        user=approver_gq,
        result=result,
        reason="录入错误，经复核应为已责令改正",
        data={"category": "E", "findings": "从业人员健康证明过期，已当场责令改正", "disposal": "opinion"},
    )
    result.refresh_from_db()
    assert result.version == 2 and result.category == "E" and result.is_problem
    assert correction.before["category"] == "1" and correction.after["category"] == "E"
    assert result.status == ResultStatus.PUBLISHED


def test_return_withdraws_signatures(team, approver_gq):
    result = enter_and_sign(team["result"], team["first"], team["second"])
    result = services.result_return(user=approver_gq, result=result, reason="检查日期有误")
    assert result.status == ResultStatus.DRAFT and result.signatures.count() == 0


def test_batch_publish_is_all_or_nothing(locked, team, approver_gq):
    result = enter_and_sign(team["result"], team["first"], team["second"])
    pending = [r for r in locked["results"] if r.pk != result.pk][0]
    with pytest.raises(ValidationError, match="只有已提交"):
        services.result_publish(user=approver_gq, results=[result, pending])
    result.refresh_from_db()
    assert result.status == ResultStatus.SUBMITTED


def test_calendar_not_covered_is_recorded_not_raised():
    # 2026-12-20 + 20 working days reaches 2027, which chinesecalendar 1.11 does not cover.
    due, error = services.due_date(dt.date(2026, 12, 20), 20)
    assert due is None and "2027年" in error
    CalendarYear.objects.create(year=2027, source="测试")
    due, error = services.due_date(dt.date(2026, 12, 20), 20)
    assert due and not error


def test_checklist_materialised_and_required(team, regions, locked, admin_user_gq):
    base = ChecklistTemplate.objects.create(name="通用检查表", region=regions["370300"])  # the city's, applies here
    base.questions.create(order=1, text="亮证执法，告知权利义务")
    with pytest.raises(PermissionDenied):  # a county admin cannot edit the city's checklist
        services.checklist_save(user=admin_user_gq, template=base, questions=[])
    specific = ChecklistTemplate(name="公共场所", region=regions["370322"], item=locked["item"])
    services.checklist_save(
        user=admin_user_gq,
        template=specific,
        questions=[{"text": "卫生许可证有效"}, {"text": "备注", "kind": "text", "required": False}],
    )
    with pytest.raises(PermissionDenied):
        services.checklist_save(user=team["first"], template=base, questions=[])
    result = services.result_save(user=team["first"], result=team["result"], data=NO_PROBLEM)
    assert list(result.answers.values_list("section", "text")) == [
        ("通用检查表", "亮证执法，告知权利义务"),
        ("公共场所卫生监督抽查", "卫生许可证有效"),
        ("公共场所卫生监督抽查", "备注"),
    ]
    with pytest.raises(ValidationError, match="检查表还有 2 项"):
        services.result_sign(user=team["first"], result=result)
    answers = {a.pk: ("yes", "") for a in result.answers.filter(kind="check")}
    services.result_save(user=team["first"], result=result, data=NO_PROBLEM, answers=answers)
    services.result_sign(user=team["first"], result=result)
    # a later template edit does not rewrite the record
    ChecklistQuestion.objects.filter(text="卫生许可证有效").update(text="改过的问题")
    assert result.answers.filter(text="卫生许可证有效").exists()


def test_attachments_type_size_and_storage(team, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    result = team["result"]
    pdf = SimpleUploadedFile("笔录.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    attachment = services.attachment_add(user=team["first"], result=result, upload=pdf)
    assert (tmp_path / attachment.file.name).read_bytes() == b"%PDF-1.4 test"
    with pytest.raises(ValidationError, match="不支持"):
        services.attachment_add(user=team["first"], result=result, upload=SimpleUploadedFile("x.exe", b"MZ"))
    with pytest.raises(ValidationError, match="不符"):
        services.attachment_add(user=team["first"], result=result, upload=SimpleUploadedFile("fake.png", b"<html>"))
    settings.INSPECTION_ATTACHMENT_MAX_MB = 0
    with pytest.raises(ValidationError, match="上限"):
        services.attachment_add(user=team["first"], result=result, upload=SimpleUploadedFile("b.pdf", b"%PDF-big"))


def test_due_and_overdue_selectors(team, approver_gq):
    result = services.result_save(user=team["first"], result=team["result"], data=NO_PROBLEM)  # due 2026-03-30
    assert list(selectors.results_overdue(approver_gq, today=dt.date(2026, 3, 31))) == [result]
    assert list(selectors.results_due_soon(approver_gq, today=dt.date(2026, 3, 26))) == [result]
    assert not selectors.results_due_soon(approver_gq, today=dt.date(2026, 3, 20)).exists()
    mine = list(selectors.results_to_enter(team["first"]))
    assert result in mine and all(selectors.assigned_inspector(team["first"], r.target) for r in mine)
    assert selectors.results_to_enter(approver_gq).count() == 8


def test_second_draw_in_other_county_is_invisible(locked, admin_yy, regions, orgs, make_user):
    assert selectors.result_list(admin_yy).count() == 0
    assert locked_draw  # helper importable for other apps' tests
