"""Writes for the working-day calendar (节假日维护).

The calendar is national data: every county's legal deadlines follow it. Only a province-level administrator
(organisation region of province level) or a superuser changes it; county and city administrators propose a
change (`proposal_create`), which a province-level administrator accepts (applying it) or rejects.
`user=SYSTEM` is the system (demo loader, management commands); `None` is refused.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from . import audit
from .formats import local_date
from .models import CalendarProposal, CalendarYear, HolidayOverride, ObjectChange
from .permissions import SYSTEM, require, stored_user

PERM_CALENDAR = "core.manage_holidayoverride"

EDITOR_ONLY = "节假日安排是全国统一的数据，只有省级系统管理员可以修改；县、市管理员请提交调整建议"


def can_edit_calendar(user) -> bool:
    if user is SYSTEM:
        return True
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    region = user.region
    return user.has_perm("core.manage_holidayoverride") and region is not None and region.level == "province"


def can_propose_calendar(user) -> bool:
    return user.has_perm("core.add_calendarproposal") and user.region is not None and not can_edit_calendar(user)


def check_calendar_editor(user) -> None:
    require(user, PERM_CALENDAR, message=EDITOR_ONLY)  # fails closed (None, anonymous, inactive)
    if not can_edit_calendar(user):
        raise PermissionDenied(EDITOR_ONLY)


@transaction.atomic
def holiday_save(*, user, date, is_workday: bool, name: str = "", note: str = "") -> HolidayOverride:
    """Create or replace the override for `date`."""
    check_calendar_editor(user)
    existing = HolidayOverride.objects.filter(date=date).first()
    before = audit.snapshot(existing) if existing else None
    obj = existing or HolidayOverride(date=date)
    obj.is_workday, obj.name, obj.note = is_workday, name, note
    obj.full_clean()
    obj.save()
    audit.log_change(
        obj, ObjectChange.Action.UPDATE if existing else ObjectChange.Action.CREATE, user=user, before=before
    )
    return obj


@transaction.atomic
def holiday_delete(*, user, holiday: HolidayOverride) -> None:
    check_calendar_editor(user)
    before = audit.snapshot(holiday)
    audit.log_change(holiday, ObjectChange.Action.DELETE, user=user, before=before)
    holiday.delete()


@transaction.atomic
def calendar_year_confirm(*, user, year: int, source: str) -> CalendarYear:
    check_calendar_editor(user)
    obj, created = CalendarYear.objects.update_or_create(
        year=year, defaults={"source": source, "confirmed_by": stored_user(user)}
    )
    audit.log_change(obj, ObjectChange.Action.CREATE if created else ObjectChange.Action.UPDATE, user=user,
                     message=f"确认 {year} 年节假日安排已维护")  # fmt: skip
    return obj


# --- proposals from counties and cities ----------------------------------------------------------------------


@transaction.atomic
def proposal_create(
    *, user, kind: str, reason: str, source: str, date=None, is_workday: bool = False, name: str = "", year=None
) -> CalendarProposal:
    """A county or city administrator proposes a calendar change; nothing changes until a province admin accepts."""
    require(user, "core.add_calendarproposal", message="只有系统管理员可以提出节假日调整建议")
    if user.region is None:
        raise PermissionDenied("只有系统管理员可以提出节假日调整建议")
    proposal = CalendarProposal(
        kind=kind, reason=(reason or "").strip(), source=(source or "").strip(), date=date, is_workday=is_workday,
        name=name, year=year, region_code=user.region.code, proposed_by=stored_user(user),
    )  # fmt: skip
    if kind in (CalendarProposal.Kind.SET_DAY, CalendarProposal.Kind.DELETE_DAY) and date is None:
        raise ValidationError({"date": "请填写日期"})
    if kind == CalendarProposal.Kind.DELETE_DAY and not HolidayOverride.objects.filter(date=date).exists():
        raise ValidationError({"date": f"{local_date(date)} 没有本系统维护的调整，无需删除"})
    if kind == CalendarProposal.Kind.CONFIRM_YEAR and year is None:
        raise ValidationError({"year": "请填写年度"})
    proposal.full_clean()
    proposal.save()
    audit.log_change(proposal, ObjectChange.Action.CREATE, user=user, message=f"提出节假日调整建议：{proposal.summary}")
    return proposal


@transaction.atomic
def proposal_decide(*, user, proposal: CalendarProposal, accept: bool, note: str = "") -> CalendarProposal:
    """A province-level administrator accepts (the change is applied in the same transaction) or rejects."""
    check_calendar_editor(user)
    proposal = CalendarProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != CalendarProposal.Status.PENDING:
        raise ValidationError(f"该建议已{proposal.get_status_display()}，不能重复处理")
    if not accept and not (note or "").strip():
        raise ValidationError({"decision_note": "不采纳时请填写审核意见"})
    before = audit.snapshot(proposal)
    if accept:
        if proposal.kind == CalendarProposal.Kind.SET_DAY:
            holiday_save(user=user, date=proposal.date, is_workday=proposal.is_workday, name=proposal.name,
                         note=f"采纳 {proposal.region_code} 的建议：{proposal.source}"[:200])  # fmt: skip
        elif proposal.kind == CalendarProposal.Kind.DELETE_DAY:
            holiday = HolidayOverride.objects.filter(date=proposal.date).first()
            if holiday is not None:
                holiday_delete(user=user, holiday=holiday)
        else:
            calendar_year_confirm(user=user, year=proposal.year, source=proposal.source)
    proposal.status = CalendarProposal.Status.ACCEPTED if accept else CalendarProposal.Status.REJECTED
    proposal.decided_by, proposal.decided_at, proposal.decision_note = (
        stored_user(user),
        timezone.now(),
        (note or "").strip(),
    )
    proposal.save()
    audit.log_change(
        proposal, ObjectChange.Action.UPDATE, user=user, before=before,
        message=f"{'采纳' if accept else '不采纳'}节假日调整建议：{proposal.summary}",
    )  # fmt: skip
    return proposal


# ---------------------------------------------------------------- background jobs


def job_retry(*, user, job, now=None):
    """Run a failed job, or one whose worker died (heartbeat stopped), again. Its owner may, and an
    administrator of its region (`core.manage_backgroundjob`)."""
    from . import jobs

    require(user, None)
    if user is not SYSTEM and job.owner_id != user.pk:
        require(user, "core.manage_backgroundjob", job, message="只能重新运行本人发起的任务")
    job = jobs.run_again(job, now=now)
    audit.log_event(
        ObjectChange.Action.WORKFLOW, obj=job, user=user,
        message=f"重新运行后台任务：{job.title}（第 {job.attempt} 次）",
        data={"kind": job.kind, "attempt": job.attempt},
    )  # fmt: skip
    return job
