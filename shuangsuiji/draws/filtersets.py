import django_filters
from django.db.models import Q

from .choices import DrawStatus
from .models import Draw


class DrawFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="抽取编号/任务", method="search")
    status = django_filters.ChoiceFilter(label="状态", choices=DrawStatus.choices)
    year = django_filters.NumberFilter(label="年度", field_name="task__plan__year")

    class Meta:
        model = Draw
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(task__name__icontains=value))
