"""Chinese working days (工作日): HolidayOverride table first, then the chinesecalendar package.

Counting rule (民法典 §201, 行政处罚法 §85): a period of N working days starts the day *after*
the trigger and ends on the N-th working day. Unlike `chinese_calendar.find_workday`, this is
right when the trigger itself is a rest day (research-regulatory.md BR-59).

A year that neither the package nor a maintained `CalendarYear` covers raises
`CalendarNotCovered` instead of guessing.
"""

import datetime as dt
from functools import lru_cache

import chinese_calendar

from .models import CalendarYear, HolidayOverride


class CalendarNotCovered(Exception):
    def __init__(self, year: int):
        self.year = year
        super().__init__(
            f"{year}年的法定节假日安排尚未维护，无法计算工作日。请系统管理员在“节假日维护”中录入该年度安排并确认。"
        )


@lru_cache(maxsize=1)
def package_years() -> tuple[int, int]:
    years = sorted({d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays})
    return years[0], years[-1]


def covered_years() -> set[int]:
    first, last = package_years()
    return set(range(first, last + 1)) | set(CalendarYear.objects.values_list("year", flat=True))


class WorkCalendar:
    """Loads overrides once; use for many lookups (e.g. a deadline list)."""

    def __init__(self):
        self.overrides = dict(HolidayOverride.objects.values_list("date", "is_workday"))
        self.years = covered_years()

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year not in self.years:
            raise CalendarNotCovered(day.year)
        first, last = package_years()
        if first <= day.year <= last:
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` (n ≥ 1)."""
        if n < 1:
            raise ValueError("工作日数须为正整数")
        day, counted = start, 0
        while counted < n:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]: how many working days have passed since `start` by `end`."""
        if end <= start:
            return -self.workdays_between(end, start) if end < start else 0
        return sum(1 for i in range(1, (end - start).days + 1) if self.is_workday(start + dt.timedelta(days=i)))


def is_workday(day: dt.date) -> bool:
    return WorkCalendar().is_workday(day)


def add_workdays(start: dt.date, n: int) -> dt.date:
    return WorkCalendar().add_workdays(start, n)


def workdays_between(start: dt.date, end: dt.date) -> int:
    return WorkCalendar().workdays_between(start, end)
