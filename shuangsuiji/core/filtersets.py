import django_filters

from .models import HolidayOverride, ObjectChange


class ObjectChangeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="关键字", method="search")
    action = django_filters.ChoiceFilter(label="操作", choices=ObjectChange.Action.choices)
    object_type = django_filters.CharFilter(label="对象类型", lookup_expr="icontains")
    user_name = django_filters.CharFilter(label="用户", lookup_expr="icontains")
    time_after = django_filters.DateFilter(label="起始日期", field_name="time", lookup_expr="date__gte")
    time_before = django_filters.DateFilter(label="截止日期", field_name="time", lookup_expr="date__lte")
    request_id = django_filters.CharFilter(label="请求ID")

    class Meta:
        model = ObjectChange
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(object_repr__icontains=value) | queryset.filter(message__icontains=value)


class HolidayFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(
        label="年度", field_name="date", lookup_expr="year", min_value=2000, max_value=2100, decimal_places=0
    )

    class Meta:
        model = HolidayOverride
        fields = []
