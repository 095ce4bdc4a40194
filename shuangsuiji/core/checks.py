"""System checks: warn when the working-day calendar does not cover next year."""

import datetime as dt

from django.core.checks import Warning, register
from django.utils import timezone


def year_to_confirm(today: dt.date | None = None) -> int | None:
    """Next year, from November on, while its holidays are not maintained (what core.W001 asks the operator to do)."""
    from .workdays import covered_years

    today = today or timezone.localdate()
    nxt = today.year + 1
    return nxt if today.month >= 11 and nxt not in covered_years() else None


@register()
def calendar_covers_next_year(app_configs, **kwargs):
    from django.db import DatabaseError

    try:
        year = year_to_confirm()
    except DatabaseError:  # before migrations
        return []
    if year is not None:
        return [Warning(f"{year}年节假日安排尚未维护：跨年的工作日期限将无法计算。", id="core.W001")]
    return []
