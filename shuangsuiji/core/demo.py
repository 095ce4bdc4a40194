"""Demo: a clearly marked sample holiday calendar for the years around the day of loading that the holiday
package (chinesecalendar) does not cover, so the demo's deadlines (working days) can be computed in any year.

The sample holds only the holidays whose dates need no State Council notice to guess: 元旦, 清明 (a solar
term), 劳动节 1–5 May and 国庆节 1–7 October; 春节, 端午, 中秋 and every 调休 are left out. Each entry and
the year's `CalendarYear` say that it is a sample; the loader prints one line telling the admin to replace
it with the official schedule (节假日维护).
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar

from shuangsuiji.core.registry import demo_loader

from . import services
from .models import CalendarYear
from .permissions import SYSTEM
from .workdays import covered_years

SAMPLE = "演示示例"
SOURCE = f"{SAMPLE}（非正式安排，仅含元旦、清明、劳动节、国庆节）：正式使用前请按国务院办公厅通知重新录入并确认"


def sample_holidays(year: int) -> list[tuple[dt.date, str]]:
    terms = chinese_calendar.get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 10))
    qingming = next(day for day, name in terms if name == "清明")
    days = [(dt.date(year, 1, 1), "元旦"), (qingming, "清明节")]
    days += [(dt.date(year, 5, d), "劳动节") for d in range(1, 6)]
    days += [(dt.date(year, 10, d), "国庆节") for d in range(1, 8)]
    return days


def demo_years(today: dt.date) -> list[int]:
    """The years the demo's dates and deadlines reach: a month and a half back, two months ahead."""
    return list(range((today - dt.timedelta(days=45)).year, (today + dt.timedelta(days=60)).year + 1))


def enter_sample_calendar(year: int) -> CalendarYear:
    for day, name in sample_holidays(year):
        services.holiday_save(user=SYSTEM, date=day, is_workday=False, name=f"{name}（{SAMPLE}）", note=SOURCE)
    return services.calendar_year_confirm(user=SYSTEM, year=year, source=SOURCE)


@demo_loader(50, "工作日历")
def load_calendar(context, stdout):
    missing = [year for year in demo_years(context["today"]) if year not in covered_years()]
    for year in missing:
        enter_sample_calendar(year)
    if missing:
        years = "、".join(f"{year}年" for year in missing)
        stdout.write(
            f"  节假日库未覆盖 {years}，已录入{SAMPLE}节假日安排（仅含元旦、清明、劳动节、国庆节，"
            "不含春节、端午、中秋和调休）；正式使用前请系统管理员在“节假日维护”中按国务院办公厅通知录入该年度安排并确认"
        )
    else:
        stdout.write("  这些年度的节假日安排已有（节假日库或已维护年度），无需录入")
