import datetime as dt

import pytest

from shuangsuiji.core import services
from shuangsuiji.core.models import CalendarYear, HolidayOverride
from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.core.workdays import CalendarNotCovered, add_workdays, is_workday, workdays_between

D = dt.date


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2025, 9, 26), 20, D(2025, 10, 30)),  # Fri before 国庆: check values from BR-59
        (D(2025, 9, 26), 7, D(2025, 10, 13)),
        (D(2026, 2, 13), 20, D(2026, 3, 19)),  # across 春节 2026 with make-up Saturdays
        (D(2025, 9, 27), 20, D(2025, 10, 30)),  # trigger on a rest day: no off-by-one (find_workday says 10-31)
        (D(2026, 9, 18), 1, D(2026, 9, 20)),  # Fri → the make-up Sunday
        (D(2026, 9, 19), 1, D(2026, 9, 20)),  # Sun 2026-09-20 is a 调休 working day
    ],
)
def test_add_workdays_follows_the_legal_count(start, n, expected):
    assert add_workdays(start, n) == expected


@pytest.mark.django_db
def test_workdays_between_counts_days_after_start():
    assert workdays_between(D(2025, 9, 26), D(2025, 10, 30)) == 20
    assert workdays_between(D(2025, 10, 30), D(2025, 9, 26)) == -20
    assert workdays_between(D(2025, 9, 26), D(2025, 9, 26)) == 0


@pytest.mark.django_db
def test_year_not_covered_raises_a_clear_error():
    with pytest.raises(CalendarNotCovered) as exc:
        add_workdays(D(2026, 12, 20), 20)  # runs into 2027
    assert exc.value.year == 2027
    assert "2027年" in str(exc.value) and "节假日维护" in str(exc.value)


@pytest.mark.django_db
def test_override_takes_precedence_over_package():
    assert is_workday(D(2026, 6, 1))
    services.holiday_save(user=SYSTEM, date=D(2026, 6, 1), is_workday=False, name="地方假日")
    assert not is_workday(D(2026, 6, 1))
    services.holiday_save(user=SYSTEM, date=D(2026, 6, 1), is_workday=True, name="改回")
    assert HolidayOverride.objects.count() == 1 and is_workday(D(2026, 6, 1))


@pytest.mark.django_db
def test_maintained_year_uses_weekdays_plus_overrides():
    services.holiday_save(user=SYSTEM, date=D(2027, 1, 1), is_workday=False, name="元旦")
    services.calendar_year_confirm(user=SYSTEM, year=2027, source="国务院办公厅通知")
    assert CalendarYear.objects.filter(year=2027).exists()
    assert not is_workday(D(2027, 1, 1))  # Friday, holiday by override
    assert not is_workday(D(2027, 1, 2))  # Saturday
    assert is_workday(D(2027, 1, 4))  # Monday
    assert add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 4)


@pytest.mark.django_db
def test_non_positive_day_count_rejected():
    with pytest.raises(ValueError):
        add_workdays(D(2026, 3, 2), 0)
