"""Writes for inspection results: open (PENDING) → enter (DRAFT) → two signatures (SUBMITTED) →
publish (PUBLISHED) → correction (更正, keeps the old version). Every function is keyword-only,
atomic, validated and audited.

Who may enter: an inspector assigned to the target (matched through directory.Inspector.user),
or an approver/admin of the region (`inspections.approve_inspectionresult`). Only assigned
inspectors can sign, each with their own login.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from shuangsuiji.core import audit
from shuangsuiji.core.concurrency import check_version, lock_for_edit
from shuangsuiji.core.formats import local_date
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.permissions import require, stored_user
from shuangsuiji.core.workdays import CalendarNotCovered, WorkCalendar
from shuangsuiji.directory import services as directory_services
from shuangsuiji.draws import services as draws_services
from shuangsuiji.draws.choices import DrawStatus, TargetStatus
from shuangsuiji.draws.models import Draw, DrawTarget
from shuangsuiji.imports.spreadsheets import Table
from shuangsuiji.plans import selectors as plans_selectors
from shuangsuiji.plans import services as plans_services
from shuangsuiji.plans.choices import InspectionType, NonRandomReason
from shuangsuiji.plans.models import AnnualPlan, Task

from . import upper_tasks
from .choices import (
    EDITABLE_STATUSES,
    PROBLEM_CATEGORIES,
    RESULT_TRANSITIONS,
    AnswerValue,
    CheckMethod,
    Disposal,
    ProblemReason,
    QuestionKind,
    ResultCategory,
    ResultStatus,
)
from .models import (
    ChecklistAnswer,
    ChecklistQuestion,
    ChecklistTemplate,
    InspectionResult,
    ResultAttachment,
    ResultCorrection,
    ResultSignature,
)
from .selectors import PERM_APPROVE, PERM_ENTER, PERM_TRANSCRIBE, assigned_inspector

Action = ObjectChange.Action

PERM_PUBLISH = "inspections.publish_inspectionresult"
PERM_MANAGE_CHECKLIST = "inspections.manage_checklisttemplate"

RESULT_PUBLISH_WORKDAYS = getattr(settings, "RESULT_PUBLISH_WORKDAYS", 20)
MIN_SIGNATURES = 2

CONTENT_FIELDS = ("category", "problem_reasons", "methods", "checked_on", "findings", "disposal", "disposal_note")


# --- helpers -------------------------------------------------------------------------------------


def due_date(start: dt.date | None, workdays: int, calendar: WorkCalendar | None = None) -> tuple[dt.date | None, str]:
    """(deadline, "") or (None, reason) when the working-day calendar does not cover the period."""
    if start is None:
        return None, ""
    try:
        return (calendar or WorkCalendar()).add_workdays(start, workdays), ""
    except CalendarNotCovered as exc:
        return None, str(exc)


ENTER_REFUSED = "只有该对象的检查组成员或本辖区审批人可以录入检查结果"


def _require_enter(user, result: InspectionResult) -> None:
    """`require` plus membership: an approver of the region, or an inspector of the target's group."""
    require(user, PERM_ENTER, result, message=ENTER_REFUSED, scope_message=ENTER_REFUSED)
    if not (user.has_perm(PERM_APPROVE) or user.has_perm(PERM_TRANSCRIBE)
            or assigned_inspector(user, result.target) is not None):  # fmt: skip
        raise PermissionDenied(ENTER_REFUSED)


def _locked_result(result: InspectionResult) -> InspectionResult:
    """The result row locked for a write; refused when its draw or record was cancelled (a 作废 登记's results keep
    what was typed but take no more entries, signatures or publication; the cancel locks these rows too)."""
    locked = (
        InspectionResult.objects.select_for_update()
        .select_related("region", "target", "unit", "draw__task")
        .get(pk=result.pk)
    )
    if locked.draw.status == DrawStatus.CANCELLED:
        raise ValidationError(
            f"{locked.display_name}：所属的抽取或登记 {locked.draw.code} 已作废，不能再录入、签名或公示"
        )
    return locked


def _transition(result: InspectionResult, action: str) -> None:
    sources, target = RESULT_TRANSITIONS[action]
    if result.status not in sources:
        raise ValidationError(f"当前状态“{result.get_status_display()}”不能执行此操作")
    result.status = target


def content_hash(result: InspectionResult, *, answers: dict | None = None) -> str:
    """SHA-256 of what the inspectors sign: the result fields and every checklist answer.

    `answers` (ChecklistAnswer id → (value, note)) replaces the stored answers: the hash the content would have."""
    data = {name: getattr(result, name) for name in CONTENT_FIELDS}
    rows = result.answers.order_by("order", "id").values_list("pk", "text", "value", "note")
    data["answers"] = [
        [text, *((answers[pk][0] or "", answers[pk][1] or "") if pk in (answers or {}) else (value, note))]
        for pk, text, value, note in rows
    ]
    # The scans of paper signatures are evidence of the signatures, not part of what is signed.
    scans = ResultSignature.objects.filter(result=result, scan__isnull=False).values("scan_id")
    data["attachments"] = sorted(result.attachments.exclude(pk__in=scans).values_list("sha256", flat=True))
    return hashlib.sha256(audit.canonical_json(data).encode()).hexdigest()


def signatures_withdrawn_by(result: InspectionResult, *, data: dict, answers: dict | None = None) -> list[str]:
    """Names of the inspectors whose signatures saving `data`/`answers` onto `result` would withdraw: the signed
    content would really change (the same rule as `result_save`). Read-only; for the edit-conflict page."""
    signed = [s.inspector.name for s in result.signatures.select_related("inspector").order_by("signed_at", "id")]
    if not signed:
        return []
    try:
        data = _clean_content(dict(data), result)
    except ValidationError:
        return signed  # the save would not go through as typed; whatever is saved will differ
    proposed = copy.copy(result)
    for name, value in data.items():
        setattr(proposed, name, value)
    return signed if content_hash(proposed, answers=answers) != content_hash(result) else []


# --- opening results for a locked draw -------------------------------------------------------------


@transaction.atomic
def results_open_for_draw(*, user, draw: Draw) -> list[InspectionResult]:
    """Create a PENDING (未检查) result for every active target of a locked draw (idempotent).

    PENDING placeholders of targets that were since replaced or cancelled are removed (they hold no data).
    Any user who sees the draw may trigger it (it only materialises what the lock already decided).
    """
    require(user, None, draw)
    draw = Draw.objects.select_for_update().get(pk=draw.pk)
    if draw.status != DrawStatus.LOCKED:
        return []
    entries = []
    stale = InspectionResult.objects.filter(draw=draw, status=ResultStatus.PENDING).exclude(
        target__status=TargetStatus.ACTIVE
    )
    for result in stale.filter(answers__isnull=True, attachments__isnull=True):
        entries.append(
            audit.entry_for(
                result, Action.DELETE, before=audit.snapshot(result), message="对象已递补/取消，删除未检查记录"
            )
        )
        result.delete()
    missing = draw.targets.filter(status=TargetStatus.ACTIVE, result__isnull=True).select_related("unit")
    created = [
        InspectionResult(target=t, unit=t.unit, region_id=draw.region_id, draw=draw, status=ResultStatus.PENDING)
        for t in missing
    ]
    created = InspectionResult.objects.bulk_create(created)
    if not all(r.pk for r in created):  # backends without RETURNING ids
        created = list(InspectionResult.objects.filter(draw=draw, target__in=[r.target_id for r in created]))
    entries += [audit.entry_for(r, Action.CREATE, message=f"抽取 {draw.code} 已锁定，生成未检查记录") for r in created]
    if entries:
        audit.append(entries, user=user)
    return created


def ensure_results(*, user) -> int:
    """Open missing PENDING results for every locked draw in the user's scope (lazy hook; cheap when none)."""
    require(user, None)
    draw_ids = list(
        DrawTarget.objects.in_scope(user)
        .filter(draw__status=DrawStatus.LOCKED, status=TargetStatus.ACTIVE, result__isnull=True)
        .values_list("draw_id", flat=True)
        .distinct()
    )
    count = 0
    for draw in Draw.objects.filter(pk__in=draw_ids):
        count += len(results_open_for_draw(draw=draw, user=user))
    return count


# --- checklist -------------------------------------------------------------------------------------


def _checklist_templates(result: InspectionResult) -> list[ChecklistTemplate]:
    """Base templates first, then those of each check item of the task; only templates of enclosing regions.

    An item's templates are found through its lineage (every version and claimed copy of the same 事项), so a
    template written for the province's item applies to the county's claimed copy and to later versions.
    """
    code = result.region.code
    candidates = ChecklistTemplate.objects.filter(active=True).select_related("region", "item")
    base = [t for t in candidates.filter(item__isnull=True) if code.startswith(t.region.scope_prefix)]
    specific: list[ChecklistTemplate] = []
    for task_item in result.draw.task.items.select_related("item").order_by("order", "id"):
        if not task_item.item_id:
            continue
        found = candidates.filter(item__in=task_item.item.lineage()).order_by("region__code", "id")
        specific += [t for t in found if code.startswith(t.region.scope_prefix) and t not in specific]
    return base + specific


def materialise_checklist(result: InspectionResult) -> None:
    """Copy the applicable questions into answers once (texts are snapshotted)."""
    if result.answers.exists():
        return
    rows, order = [], 0
    for template in _checklist_templates(result):
        section = template.item.name if template.item_id else template.name
        for q in template.questions.all():
            order += 1
            rows.append(
                ChecklistAnswer(
                    result=result,
                    question=q,
                    section=section,
                    text=q.text,
                    kind=q.kind,
                    order=order,
                    basis=q.basis,
                    key_point=q.key_point,
                )  # fmt: skip
            )
    ChecklistAnswer.objects.bulk_create(rows)


# --- entry -----------------------------------------------------------------------------------------


def _clean_content(data: dict, result: InspectionResult) -> dict:
    errors = {}
    unknown = set(data) - set(CONTENT_FIELDS)
    if unknown:
        raise ValidationError(f"不可修改的字段：{', '.join(sorted(unknown))}")
    category = data.get("category", "")
    if category and category not in ResultCategory.values:
        errors["category"] = "无效的抽查结果"
    reasons = list(data.get("problem_reasons") or [])
    if any(r not in ProblemReason.values for r in reasons):
        errors["problem_reasons"] = "无效的问题类别"
    if category != ResultCategory.PROBLEM_PENDING:
        reasons = []
    methods = list(data.get("methods") or [])
    if any(m not in CheckMethod.values for m in methods):
        errors["methods"] = "无效的核查方式"
    checked_on = data.get("checked_on")
    if checked_on and checked_on > timezone.localdate():
        errors["checked_on"] = "检查日期不能晚于今天"
    # A drawn target is checked after its draw was locked; an upper-level or non-random check may have been made
    # before it was recorded here (paper first), within the task's window.
    drawn = result.draw.is_drawn_here
    locked_on = timezone.localdate(result.draw.locked_at) if result.draw.locked_at and drawn else None
    if checked_on and locked_on and checked_on < locked_on:
        errors["checked_on"] = f"检查日期不能早于抽取结果锁定日期（{local_date(locked_on)}）"
    task = result.draw.task
    if checked_on and not (task.window_start <= checked_on <= task.window_end):
        errors["checked_on"] = (
            f"检查日期 {local_date(checked_on)} 不在任务的检查时间内"
            f"（{local_date(task.window_start)}至{local_date(task.window_end)}）"
        )
    disposal = data.get("disposal", "")
    if disposal and disposal not in Disposal.values:
        errors["disposal"] = "无效的处置情况"
    if errors:
        raise ValidationError(errors)
    return {**data, "problem_reasons": reasons, "methods": methods}


def completeness_errors(result: InspectionResult) -> list[str]:
    """What must be filled before an inspector may sign."""
    errors = []
    if not result.category:
        errors.append("请选择抽查结果")
    if not result.checked_on:
        errors.append("请填写检查日期")
    if result.category == ResultCategory.PROBLEM_PENDING and not result.problem_reasons:
        errors.append("“发现问题待后续处理”须选择问题类别")
    if result.is_problem and not result.findings.strip():
        errors.append("发现问题时须填写发现问题情况")
    if result.is_problem and result.disposal in ("", Disposal.NONE):
        errors.append("发现问题时须选择处置情况")
    if result.category in (ResultCategory.NO_PROBLEM, ResultCategory.CORRECTED) and not result.methods:
        errors.append("请选择核查方式")
    missing = result.answers.filter(kind=QuestionKind.CHECK, value="", question__required=True).count()
    if missing:
        errors.append(f"检查表还有 {missing} 项未填写")
    return errors


@transaction.atomic
def result_save(
    *, user, result: InspectionResult, data: dict, answers: dict | None = None, expected_version: int | None = None
) -> InspectionResult:
    """Save the content (录入). `answers` maps ChecklistAnswer id → (value, note).

    Any change after a signature withdraws the signatures: they confirmed different content.
    `expected_version` is the `lock_version` the form was loaded at (None = no check): a save based on an older
    version raises `core.concurrency.EditConflict` instead of overwriting the other officer's entries.
    """
    _require_enter(user, result)
    result = _locked_result(result)
    check_version(result, expected_version)
    if result.status not in EDITABLE_STATUSES:
        raise ValidationError("结果已提交或已公示，不能修改（已公示的结果请走更正程序）")
    materialise_checklist(result)
    data = _clean_content(data, result)
    before = audit.snapshot(result)
    old_hash = content_hash(result)
    for name, value in data.items():
        setattr(result, name, value)
    result.is_problem = result.category in PROBLEM_CATEGORIES
    result.publish_due, result.publish_due_error = due_date(result.checked_on, RESULT_PUBLISH_WORKDAYS)
    _transition(result, "save")
    result.entered_by, result.entered_at = stored_user(user), timezone.now()
    for answer in result.answers.all():
        if answer.pk in (answers or {}):
            value, note = answers[answer.pk]
            if value not in ("", *AnswerValue.values):
                raise ValidationError(f"检查表第 {answer.order} 项的填写无效")
            answer.value, answer.note = value or "", note or ""
            answer.save(update_fields=["value", "note"])
    result.full_clean()
    result.save()
    withdrawn = []
    if content_hash(result) != old_hash and result.signatures.exists():
        withdrawn = [s.inspector.name for s in result.signatures.select_related("inspector")]
        result.signatures.all().delete()
    message = "录入检查结果" + (f"；内容变更，撤销签名：{'、'.join(withdrawn)}" if withdrawn else "")
    audit.log_change(result, Action.UPDATE, user=user, before=before, message=message)
    return result


@transaction.atomic
def result_sign(*, user, result: InspectionResult) -> InspectionResult:
    """签名确认 by an assigned inspector; the second distinct signature submits the result."""
    require(user, PERM_ENTER)
    result = _locked_result(result)
    inspector = assigned_inspector(user, result.target)
    if inspector is None:
        raise PermissionDenied("只有该对象检查组的执法人员本人可以签名确认")
    if result.status != ResultStatus.DRAFT:
        raise ValidationError("只有录入中的结果可以签名")
    errors = completeness_errors(result)
    if errors:
        raise ValidationError(errors)
    if result.signatures.filter(inspector=inspector).exists():
        raise ValidationError("您已签名确认，请等待检查组其他成员签名")
    signature = ResultSignature.objects.create(
        result=result, inspector=inspector, user=user, signed_at=timezone.now(), content_hash=content_hash(result)
    )
    result.save(update_fields=["updated_at"])  # a new lock_version: a form opened before the signature is stale
    audit.log_event(
        Action.WORKFLOW, obj=result, user=user, message=f"执法人员 {inspector.name}（{inspector.cert_no}）签名确认",
        data={"inspector": inspector.cert_no, "content_hash": signature.content_hash,
              "lock_version": result.lock_version},
    )  # fmt: skip
    return _submit_when_signed(result, user=user)


SCAN_TYPES = (".pdf", ".jpg", ".jpeg", ".png")


@transaction.atomic
def result_sign_paper(*, user, result: InspectionResult, inspector, signed_on: dt.date, upload,
                      now: dt.datetime | None = None) -> InspectionResult:  # fmt: skip
    """纸质签名: a 内勤 (or an approver) records that an officer of the target's group signed the paper 现场检查
    记录 on `signed_on`, attaching the scanned signature page. It counts like an online signature: the second
    distinct one submits the result; editing the content afterwards withdraws it like any signature."""
    require(user, PERM_TRANSCRIBE, result, message=ENTER_REFUSED, scope_message=ENTER_REFUSED)
    result = _locked_result(result)
    if result.status != ResultStatus.DRAFT:
        raise ValidationError("只有录入中的结果可以录入纸质签名")
    if not result.target.assignments.filter(inspector=inspector).exists():
        raise ValidationError({"inspector": "该执法人员不在本对象的检查组中"})
    if result.signatures.filter(inspector=inspector).exists():
        raise ValidationError({"inspector": f"{inspector.name} 已签名确认，不能重复录入"})
    today = timezone.localdate(now) if now else timezone.localdate()
    if signed_on > today:
        raise ValidationError({"signed_on": "签名日期不能晚于今天"})
    if result.checked_on and signed_on < result.checked_on:
        raise ValidationError({"signed_on": f"签名日期不能早于检查日期 {local_date(result.checked_on)}"})
    errors = completeness_errors(result)
    if errors:
        raise ValidationError(errors)
    if PurePath(getattr(upload, "name", "") or "").suffix.lower() not in SCAN_TYPES:
        raise ValidationError({"scan": "签名扫描件只能是 PDF、JPG 或 PNG 文件"})
    signed_hash = content_hash(result)  # before the scan is stored: it is evidence, not signed content
    description = f"{inspector.name} 纸质签名扫描件（签名日期 {local_date(signed_on)}）"
    scan = attachment_add(user=user, result=result, upload=upload, description=description)
    signature = ResultSignature.objects.create(
        result=result, inspector=inspector, user=user, signed_at=now or timezone.now(),
        content_hash=signed_hash, method=ResultSignature.Method.PAPER, signed_on=signed_on, scan=scan,
    )  # fmt: skip
    result.save(update_fields=["updated_at"])
    audit.log_event(
        Action.WORKFLOW, obj=result, user=user,
        message=f"录入执法人员 {inspector.name}（{inspector.cert_no}）纸质签名，签名日期 {local_date(signed_on)}，"
                f"扫描件 SHA-256 {scan.sha256[:16]}…",
        data={"inspector": inspector.cert_no, "content_hash": signature.content_hash, "method": "paper",
              "signed_on": signed_on.isoformat(), "scan_sha256": scan.sha256, "lock_version": result.lock_version},
    )  # fmt: skip
    return _submit_when_signed(result, user=user)


def _submit_when_signed(result: InspectionResult, *, user) -> InspectionResult:
    if result.signatures.count() >= MIN_SIGNATURES:
        before = audit.snapshot(result)
        _transition(result, "submit")
        result.submitted_at = timezone.now()
        result.save()
        audit.log_change(result, Action.UPDATE, user=user, before=before, message="检查组签名齐全，结果已提交")
    return result


@transaction.atomic
def result_return(*, user, result: InspectionResult, reason: str) -> InspectionResult:
    """退回修改: an approver sends a submitted result back; signatures are withdrawn."""
    require(user, PERM_APPROVE, result)
    result = _locked_result(result)
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError("退回须写明理由（不少于 4 个字）")
    before = audit.snapshot(result)
    _transition(result, "return")
    result.submitted_at = None
    result.signatures.all().delete()
    result.save()
    audit.log_change(result, Action.UPDATE, user=user, before=before, message=f"退回修改：{reason}")
    return result


# --- publication and correction ------------------------------------------------------------------


@transaction.atomic
def result_publish(*, user, results, now: dt.datetime | None = None) -> list[InspectionResult]:
    """公示 (one or a batch, all or nothing); feeds each unit's inspection history."""
    require(user, PERM_PUBLISH)
    now = now or timezone.now()
    ids = [r.pk for r in results]
    locked = list(
        InspectionResult.objects.select_for_update().filter(pk__in=ids).select_related("region", "unit", "draw__task")
    )
    if len(locked) != len(set(ids)) or not locked:
        raise ValidationError("未找到要公示的结果")
    problems = []
    for result in locked:
        require(user, PERM_PUBLISH, result)
        if result.draw.status == DrawStatus.CANCELLED:
            problems.append(f"{result.display_name}：所属的抽取或登记 {result.draw.code} 已作废，不能公示")
        elif result.status != ResultStatus.SUBMITTED:
            problems.append(f"{result.display_name}：状态为“{result.get_status_display()}”，只有已提交的结果可以公示")
    if problems:
        raise ValidationError(problems)
    entries = []
    for result in locked:
        before = audit.snapshot(result)
        _transition(result, "publish")
        result.published_at, result.published_by = now, stored_user(user)
        result.unit_name, result.unit_code = result.unit.name, result.unit.credit_code
        result.save()
        entries.append(audit.entry_for(result, Action.UPDATE, before=before, message="公示检查结果"))
    audit.append(entries, user=user)
    for result in locked:
        directory_services.inspection_history_add(
            user=user, unit=result.unit, inspected_on=result.checked_on,
            item_name=result.draw.task.name[:200], result=result.get_category_display()[:100],
            source=f"双随机抽查 {result.draw.code}"[:100],
        )  # fmt: skip
    return locked


CORRECTABLE_FIELDS = ("category", "problem_reasons", "findings", "disposal", "disposal_note", "checked_on", "methods")


@transaction.atomic
def result_correct(
    *, user, result: InspectionResult, reason: str, data: dict, expected_version: int | None = None
) -> ResultCorrection:
    """更正 of a published result: the previous version is kept in ResultCorrection.before.

    `expected_version`: the `lock_version` the correction form was loaded at (a stale one raises EditConflict)."""
    require(user, PERM_PUBLISH, result)
    result = _locked_result(result)
    check_version(result, expected_version)
    if result.status != ResultStatus.PUBLISHED:
        raise ValidationError("只有已公示的结果需要更正；未公示的结果请退回修改")
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError("更正须写明理由（不少于 4 个字）")
    data = _clean_content({k: v for k, v in data.items() if k in CORRECTABLE_FIELDS}, result)
    before = audit.snapshot(result)
    changed = {k: v for k, v in data.items() if getattr(result, k) != v}
    if not changed:
        raise ValidationError("更正内容与原结果相同")
    for name, value in changed.items():
        setattr(result, name, value)
    result.is_problem = result.category in PROBLEM_CATEGORIES
    if result.category == "":
        raise ValidationError("抽查结果不能为空")
    result.version += 1
    result.corrected_at = timezone.now()
    result.full_clean()
    result.save()
    correction = ResultCorrection.objects.create(
        result=result, version=result.version, reason=reason, before=before, after=audit.snapshot(result),
        corrected_by=stored_user(user), corrected_at=result.corrected_at,
    )  # fmt: skip
    audit.log_change(
        result, Action.UPDATE, user=user, before=before, message=f"更正检查结果（第{result.version}版）：{reason}"
    )
    return correction


# --- attachments -----------------------------------------------------------------------------------

# extension -> (content type, accepted leading bytes; () = any)
ATTACHMENT_TYPES = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".mp4": ("video/mp4", ()),
}


def _attachment_max_bytes() -> int:
    return int(getattr(settings, "INSPECTION_ATTACHMENT_MAX_MB", 20)) * 1024 * 1024


@transaction.atomic
def attachment_add(*, user, result: InspectionResult, upload, description: str = "") -> ResultAttachment:
    _require_enter(user, result)
    result = _locked_result(result)
    if result.status not in EDITABLE_STATUSES:
        raise ValidationError("结果已提交或已公示，不能再添加附件")
    name = PurePath(upload.name or "").name
    suffix = PurePath(name).suffix.lower()
    if suffix not in ATTACHMENT_TYPES:
        raise ValidationError(f"不支持的文件类型“{suffix or '无扩展名'}”，只能上传 PDF、JPG、PNG、DOCX、XLSX、MP4")
    if upload.size > _attachment_max_bytes():
        raise ValidationError(f"文件超过 {_attachment_max_bytes() // 1024 // 1024} MB 上限")
    if upload.size == 0:
        raise ValidationError("文件为空")
    content = upload.read()
    content_type, magics = ATTACHMENT_TYPES[suffix]
    if magics and not content.startswith(magics):
        raise ValidationError("文件内容与扩展名不符")
    digest = hashlib.sha256(content).hexdigest()
    attachment = ResultAttachment(
        result=result, original_name=name[:255], content_type=content_type, size=len(content), sha256=digest,
        description=description[:200], uploaded_by=stored_user(user),
    )  # fmt: skip
    attachment.file.save(name, ContentFile(content), save=False)
    attachment.save()
    audit.log_change(attachment, Action.CREATE, user=user, message=f"上传附件 {name}（SHA-256 {digest[:16]}…）")
    return attachment


@transaction.atomic
def attachment_delete(*, user, attachment: ResultAttachment) -> None:
    _require_enter(user, attachment.result)
    result = _locked_result(attachment.result)
    if result.status not in EDITABLE_STATUSES:
        raise ValidationError("结果已提交或已公示，附件不能删除")
    if ResultSignature.objects.filter(scan=attachment).exists():
        raise ValidationError("该附件是纸质签名的扫描件，签名有效期间不能删除")
    before = audit.snapshot(attachment)
    storage, path = attachment.file.storage, attachment.file.name
    audit.append(
        [audit.entry_for(attachment, Action.DELETE, before=before, message=f"删除附件 {attachment.original_name}")],
        user=user,
    )
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(path))


# --- checklist templates (科室负责人 and administrators) ---------------------------------------


@transaction.atomic
def checklist_save(
    *, user, template: ChecklistTemplate, questions: list[dict], expected_version: int | None = None
) -> ChecklistTemplate:
    """Create/update a checklist and replace its questions (answers already given keep their snapshot).

    `template` carries the new name/item/active; `expected_version` the `lock_version` the form was loaded at."""
    require(user, PERM_MANAGE_CHECKLIST, template)
    creating = template.pk is None
    before = None
    if not creating:
        current = lock_for_edit(template, expected_version)
        require(user, PERM_MANAGE_CHECKLIST, current)
        before = audit.snapshot(current) | {"questions": list(current.questions.values_list("order", "text", "kind"))}
        template.lock_version = current.lock_version
    template.full_clean()
    template.save()
    keep = []
    for order, q in enumerate(questions, start=1):
        text = (q.get("text") or "").strip()
        if not text:
            continue
        obj = template.questions.filter(pk=q.get("id")).first() if q.get("id") else None
        obj = obj or ChecklistQuestion(template=template)
        obj.order, obj.text = order, text
        obj.kind = q.get("kind") or QuestionKind.CHECK
        obj.basis, obj.required = (q.get("basis") or "").strip(), bool(q.get("required", True))
        obj.key_point = bool(q.get("key_point", False))
        obj.full_clean()
        obj.save()
        keep.append(obj.pk)
    template.questions.exclude(pk__in=keep).delete()
    rows = template.questions.values_list("order", "text", "kind", "basis", "key_point")
    after = audit.snapshot(template) | {"questions": [list(row) for row in rows]}
    audit.append(
        [audit.entry_for(template, Action.CREATE if creating else Action.UPDATE, before=before, after=after)], user=user
    )
    return template


# --- tasks not drawn here: 上级下达 and 非随机检查 (issue #15 point 1) ------------------------------------


def _upper_task_table(records: list[dict]) -> Table:
    """API records ({"credit_code", "name", "cert_nos"}) → the table the Excel import reads."""
    columns = upper_tasks.COLUMNS
    rows = []
    for index, record in enumerate(records, start=1):
        cells = []
        for column in columns:
            value = record.get(column.field, "") if isinstance(record, dict) else ""
            value = "" if value is None else value
            cells.append("、".join(map(str, value)) if isinstance(value, list) else str(value).strip())
        rows.append((index, cells))
    return Table(headers=[c.header for c in columns], rows=rows)


@transaction.atomic
def upper_task_import(
    *,
    user,
    plan: AnnualPlan,
    task_data: dict,
    table: Table | None = None,
    records: list[dict] | None = None,
    default_group=(),
    items=(),
    now: dt.datetime | None = None,
) -> tuple[Task, Draw]:
    """上级下达任务: record the task (上级任务编号, 下达级别/机关), and the units and officers the upper level drew
    (from an Excel table or API records) as its targets; no local draw. PENDING results are opened at once, so
    result entry, signatures and publication follow the same path as a drawn target. All or nothing."""
    require(user, draws_services.PERM_IMPORT, plan, scope_message="不能操作本辖区以外的计划或任务")
    number = (task_data.get("upper_task_no") or "").strip()
    existing = (
        Task.objects.filter(plan__region=plan.region, inspection_type=InspectionType.UPPER, upper_task_no=number)
        .exclude(draws__status=DrawStatus.CANCELLED)
        .first()
    )
    if number and existing is not None:
        raise ValidationError(
            {"upper_task_no": f"上级任务编号“{number}”已导入（本级任务 {existing.code}），不能重复导入"}
        )
    if table is None:
        table = _upper_task_table(records or [])
    parsed = upper_tasks.parse(table, region=plan.region, default_group=default_group,
                               label="行" if records is None else "条")  # fmt: skip
    if parsed.errors:
        raise ValidationError(parsed.messages())
    task = plans_services.task_record_external(
        user=user, plan=plan, inspection_type=InspectionType.UPPER, items=items, **task_data
    )
    draw = draws_services.draw_record_external(user=user, task=task, rows=parsed.rows, now=now)
    results_open_for_draw(user=user, draw=draw)
    return task, draw


@transaction.atomic
def external_record_cancel(*, user, draw: Draw, reason: str, now: dt.datetime | None = None) -> Draw:
    """作废 a mistaken 上级下达 import or 非随机检查 record (issue #15 point 1): the record is cancelled with its reason
    (draws, audited) and its 未检查 placeholders that hold nothing are removed, as for a cancelled target. A result
    already being entered stays (what was typed is never thrown away). The same 上级任务编号 imports again."""
    require(user, draws_services.record_cancel_perm(draw), draw, scope_message="不能操作本辖区以外的计划或任务")
    draw = draws_services.draw_record_cancel(user=user, draw=draw, reason=reason, now=now)
    entries = []
    empty = (  # nothing typed: a result page once opened holds blank checklist answers, which count as nothing
        InspectionResult.objects.filter(draw=draw, status=ResultStatus.PENDING, attachments__isnull=True)
        .exclude(answers__value__gt="")
        .exclude(answers__note__gt="")
        .distinct()
    )
    for result in empty:
        entries.append(
            audit.entry_for(
                result, Action.DELETE, before=audit.snapshot(result), message=f"登记 {draw.code} 已作废，删除未检查记录"
            )
        )
        result.delete()
    if entries:
        audit.append(entries, user=user)
    return draw


COVERED_RULE = "已纳入随机抽查的单位，除投诉举报外，原则上不再开展日常监督检查"


@transaction.atomic
def non_random_check_record(
    *,
    user,
    plan: AnnualPlan,
    unit,
    check_reason: str,
    check_source: str,
    inspectors,
    window_start,
    window_end,
    lead_organization,
    items=(),
    note: str = "",
    confirm_covered: bool = False,
    now: dt.datetime | None = None,
) -> tuple[InspectionResult, str]:
    """非随机检查 (投诉举报、转办交办、上级督办): one unit, recorded in the same ledger as the random checks (a task of
    type 非随机检查 with one target and its group, and a PENDING result), never counted as random.

    高青: a unit already covered by a random check this year is only checked again for a complaint; for any other
    reason the caller must confirm (`confirm_covered`) after reading why. Returns (result, coverage warning)."""
    require(user, draws_services.PERM_RECORD, plan, scope_message="不能操作本辖区以外的计划或任务")
    coverage = plans_selectors.random_coverage([unit.pk], plan.year).get(unit.pk)
    warning = plans_selectors.coverage_reason(coverage) if coverage else ""
    if coverage and check_reason != NonRandomReason.COMPLAINT and not confirm_covered:
        raise ValidationError(
            {"confirm_covered": f"{unit.name}{warning}。按“{COVERED_RULE}”，确需检查请勾选确认后再登记"}
        )
    reason = NonRandomReason(check_reason).label if check_reason in NonRandomReason.values else "非随机检查"
    task = plans_services.task_record_external(
        user=user, plan=plan, inspection_type=InspectionType.NON_RANDOM, name=f"{reason}检查：{unit.name}",
        lead_organization=lead_organization, window_start=window_start, window_end=window_end, items=items,
        note=note, check_reason=check_reason, check_source=check_source,
    )  # fmt: skip
    draw = draws_services.draw_record_external(user=user, task=task, rows=[(unit, list(inspectors))], now=now)
    if warning:
        audit.log_event(Action.WORKFLOW, obj=task, user=user, message=f"登记时提示：{warning}",
                        data={"covered_by": [e["code"] for e in coverage], "confirmed": confirm_covered})  # fmt: skip
    result = results_open_for_draw(user=user, draw=draw)[0]
    return result, warning
