import datetime as dt

import django_filters
from django import forms
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field

from .models import HolidayOverride, ObjectChange

NO_MATCH = object()


class _LenientModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            return NO_MATCH


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": 3660})
class DaysFilter(django_filters.NumberFilter):
    """A count of days (0–3660): an integer in forms and, with its bounds, in the API schema."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 3660)
        super().__init__(*args, **kwargs)


class CodeChoiceFilter(django_filters.ModelChoiceFilter):
    """A filter by a row's code (region code, business-line code, tag name). A code that names no row matches
    nothing — an empty page, not an error: "units in region 999999" are none (issue #18: a schema-valid
    request is answered, and the filter takes the codes the API returns, not database ids)."""

    field_class = _LenientModelChoiceField

    def filter(self, qs, value):
        if value is NO_MATCH:
            return qs.none()
        return super().filter(qs, value)


class ObjectChangeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="关键字", method="search")
    action = django_filters.ChoiceFilter(label="操作", choices=ObjectChange.Action.choices)
    object_type = django_filters.CharFilter(label="对象类型", lookup_expr="icontains")
    user_name = django_filters.CharFilter(label="用户", lookup_expr="icontains")
    # local days as a range on `time` (its index serves it; `time__date` casts every row's time first)
    time_after = django_filters.DateFilter(label="起始日期", method="from_day")
    time_before = django_filters.DateFilter(label="截止日期", method="to_day")
    request_id = django_filters.CharFilter(label="请求ID")

    class Meta:
        model = ObjectChange
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(object_repr__icontains=value) | queryset.filter(message__icontains=value)

    def from_day(self, queryset, name, value):
        return queryset if value <= EARLIEST_DAY else queryset.filter(time__gte=_day_start(value))

    def to_day(self, queryset, name, value):
        return queryset if value >= LATEST_DAY else queryset.filter(time__lt=_day_start(value + dt.timedelta(days=1)))


EARLIEST_DAY, LATEST_DAY = dt.date(1900, 1, 1), dt.date(9999, 1, 1)  # beyond: no bound (no instant overflows)


def _day_start(day: dt.date) -> dt.datetime:
    """The instant a local day begins (the server's time zone, as `time__date` reads it)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class HolidayFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(
        label="年度", field_name="date", lookup_expr="year", min_value=2000, max_value=2100, decimal_places=0
    )

    class Meta:
        model = HolidayOverride
        fields = []
