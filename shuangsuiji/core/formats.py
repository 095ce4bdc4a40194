"""How times read for people: ``2026年11月27日 23:33`` in the deployment's time zone (Beijing by default).

Templates use the same pattern through Django's ``date`` filter (``"Y年n月j日 H:i"``, also DATETIME_FORMAT);
Python code that writes a time into a message uses these helpers (strftime's ``%-m`` is not portable).
"""

import datetime as dt

from django.utils import timezone

DATETIME = "Y年n月j日 H:i"


def local_datetime(value: dt.datetime, *, seconds: bool = False) -> str:
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    clock = f"{local:%H:%M:%S}" if seconds else f"{local:%H:%M}"
    return f"{local.year}年{local.month}月{local.day}日 {clock}"


def local_date(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"
