import django_filters

from .models import Region


class RegionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="名称/代码", method="search")
    level = django_filters.ChoiceFilter(label="级别", choices=Region.Level.choices)

    class Meta:
        model = Region
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(name__icontains=value) | queryset.filter(code__startswith=value)
