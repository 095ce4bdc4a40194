"""Reads for the framework layer."""

import datetime as dt

from .models import HolidayOverride, ObjectChange
from .workdays import CalendarNotCovered, WorkCalendar, covered_years


def audit_list(user):
    return ObjectChange.objects.restrict(user, "view")


WHOLE_CHAIN_ROLES = {"admin", "oversight"}
WHOLE_CHAIN_LEVELS = {"province", "city"}


def sees_whole_audit_chain(user) -> bool:
    """The chain's size and head are facts about every region's activity: only superusers and
    administrators or 纪检 of a province or city verify the whole chain and receive its signed heads."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    region = user.region
    return user.role in WHOLE_CHAIN_ROLES and region is not None and region.level in WHOLE_CHAIN_LEVELS


def year_calendar(year: int) -> dict:
    """Rest days and make-up working days of a year as the platform computes them."""
    cal = WorkCalendar()
    day, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rest_weekdays, work_weekends, workdays = [], [], 0
    try:
        while day <= end:
            work = cal.is_workday(day)
            workdays += work
            if day.weekday() < 5 and not work:
                rest_weekdays.append(day)
            elif day.weekday() >= 5 and work:
                work_weekends.append(day)
            day += dt.timedelta(days=1)
    except CalendarNotCovered as exc:
        return {"year": year, "covered": False, "error": str(exc)}
    overrides = set(HolidayOverride.objects.filter(date__year=year).values_list("date", flat=True))
    return {
        "year": year,
        "covered": True,
        "workdays": workdays,
        "rest_weekdays": [(d, d in overrides) for d in rest_weekdays],
        "work_weekends": [(d, d in overrides) for d in work_weekends],
    }


def uncovered_upcoming_years(today: dt.date | None = None) -> list[int]:
    today = today or dt.date.today()
    years = covered_years()
    return [y for y in (today.year, today.year + 1) if y not in years]
