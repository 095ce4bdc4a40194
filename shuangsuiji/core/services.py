"""Writes for the working-day calendar (节假日维护)."""

from django.db import transaction

from . import audit
from .models import CalendarYear, HolidayOverride, ObjectChange


@transaction.atomic
def holiday_save(*, user, date, is_workday: bool, name: str = "", note: str = "") -> HolidayOverride:
    """Create or replace the override for `date`."""
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
    before = audit.snapshot(holiday)
    audit.log_change(holiday, ObjectChange.Action.DELETE, user=user, before=before)
    holiday.delete()


@transaction.atomic
def calendar_year_confirm(*, user, year: int, source: str) -> CalendarYear:
    obj, created = CalendarYear.objects.update_or_create(year=year, defaults={"source": source, "confirmed_by": user})
    audit.log_change(obj, ObjectChange.Action.CREATE if created else ObjectChange.Action.UPDATE, user=user,
                     message=f"确认 {year} 年节假日安排已维护")  # fmt: skip
    return obj
