"""Writes for the working-day calendar (节假日维护)."""

from django.db import transaction

from . import audit
from .models import CalendarYear, HolidayOverride, ObjectChange
from .permissions import require, stored_user

PERM_CALENDAR = "core.manage_holidayoverride"
CALENDAR_MANAGERS_ONLY = "只有系统管理员可以维护节假日"


@transaction.atomic
def holiday_save(*, user, date, is_workday: bool, name: str = "", note: str = "") -> HolidayOverride:
    """Create or replace the override for `date`."""
    require(user, PERM_CALENDAR, message=CALENDAR_MANAGERS_ONLY)
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
    require(user, PERM_CALENDAR, message=CALENDAR_MANAGERS_ONLY)
    before = audit.snapshot(holiday)
    audit.log_change(holiday, ObjectChange.Action.DELETE, user=user, before=before)
    holiday.delete()


@transaction.atomic
def calendar_year_confirm(*, user, year: int, source: str) -> CalendarYear:
    require(user, PERM_CALENDAR, message=CALENDAR_MANAGERS_ONLY)
    obj, created = CalendarYear.objects.update_or_create(
        year=year, defaults={"source": source, "confirmed_by": stored_user(user)}
    )
    audit.log_change(obj, ObjectChange.Action.CREATE if created else ObjectChange.Action.UPDATE, user=user,
                     message=f"确认 {year} 年节假日安排已维护")  # fmt: skip
    return obj
