"""System checks: warn when the working-day calendar does not cover next year."""

import datetime as dt

from django.core.checks import Warning, register


@register()
def calendar_covers_next_year(app_configs, **kwargs):
    from django.db import DatabaseError

    from .workdays import covered_years

    try:
        years = covered_years()
    except DatabaseError:  # before migrations
        return []
    nxt = dt.date.today().year + 1
    if dt.date.today().month >= 11 and nxt not in years:
        return [Warning(f"{nxt}年节假日安排尚未维护：跨年的工作日期限将无法计算。", id="core.W001")]
    return []
