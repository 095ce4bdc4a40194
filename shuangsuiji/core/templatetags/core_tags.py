from django import template

from shuangsuiji.core.registry import menu_for

register = template.Library()


@register.inclusion_tag("core/_menu.html", takes_context=True)
def main_menu(context):
    request = context["request"]
    return {"sections": menu_for(request.user), "path": request.path}


@register.filter
def field_label(form, name):
    return form.fields[name].label if name in form.fields else name


@register.filter
def local_time(value) -> str:
    """A datetime or an ISO 8601 string (as stored in a draw's JSON files) as ``2026年11月27日 23:33``."""
    import datetime as dt

    from django.utils.dateparse import parse_datetime

    from shuangsuiji.core.formats import local_datetime

    if isinstance(value, str):
        parsed = parse_datetime(value)
        return local_datetime(parsed) if parsed else value
    if isinstance(value, dt.datetime):
        return local_datetime(value)
    return "" if value is None else str(value)


@register.filter
def local_day(value) -> str:
    """A date or an ISO date string (as kept in plan snapshots and a draw's JSON files) as ``2026年3月30日``."""
    import datetime as dt

    from django.utils.dateparse import parse_date

    from shuangsuiji.core.formats import local_date

    if isinstance(value, str):
        try:
            parsed = parse_date(value)
        except ValueError:
            parsed = None
        return local_date(parsed) if parsed else value
    if isinstance(value, dt.date):
        return local_date(value)
    return "" if value is None else str(value)
