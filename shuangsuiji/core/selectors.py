"""Reads for the framework layer."""

import datetime as dt

from django.db import models
from django.utils.dateparse import parse_datetime

from .formats import local_datetime
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


# --- the audit trail for people: verbose names and Chinese labels, never raw field names or codes ------------


def object_type_label(object_type: str) -> str:
    """'inspections.inspectionresult' → '检查结果' (the model's verbose name); unknown types stay as stored."""
    from django.apps import apps

    if not object_type:
        return ""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def _field_for(model, key: str):
    for field in model._meta.get_fields():
        if getattr(field, "attname", None) == key or field.name == key:
            return field
    return None


def _display(field, value):
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if field is None:
        return value if not isinstance(value, (list, dict)) else json_text(value)
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        parsed = parse_datetime(value)
        return local_datetime(parsed) if parsed else value
    choices = getattr(field, "flatchoices", None)
    if choices:
        labels = {str(k): str(v) for k, v in choices}
        if isinstance(value, list):
            return "、".join(labels.get(str(v), str(v)) for v in value)
        return labels.get(str(value), value)
    related = getattr(field, "related_model", None)
    if related is not None and (field.many_to_one or field.one_to_one or field.many_to_many):
        ids = value if isinstance(value, list) else [value]
        names = {str(o.pk): str(o) for o in related._default_manager.filter(pk__in=ids)}
        return "、".join(names.get(str(i), f"#{i}") for i in ids)
    return value if not isinstance(value, (list, dict)) else json_text(value)


def json_text(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def changes_for_people(object_type: str, before: dict | None, after: dict | None) -> list[tuple[str, object, object]]:
    """(字段, 修改前, 修改后) with the model's field labels, choice labels, 是/否 and related objects' names."""
    from django.apps import apps

    from .audit import changed_fields

    rows = changed_fields(before, after)
    try:
        model = apps.get_model(object_type) if object_type else None
    except (LookupError, ValueError):
        model = None
    result = []
    for key, old, new in rows:
        field = _field_for(model, key) if model is not None else None
        label = str(getattr(field, "verbose_name", "") or key) if field is not None else key
        result.append((label, _display(field, old), _display(field, new)))
    return result
