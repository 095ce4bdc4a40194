import django_filters
from django.db.models import Q

from .choices import InspectionType, PlanStatus, TaskKind
from .models import AnnualPlan, Task


class PlanFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="计划名称", field_name="title", lookup_expr="icontains")
    year = django_filters.NumberFilter(label="年度")
    status = django_filters.ChoiceFilter(label="状态", choices=PlanStatus.choices)

    class Meta:
        model = AnnualPlan
        fields = []


class TaskFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="任务编号/名称", method="search")
    year = django_filters.NumberFilter(label="年度", field_name="plan__year")
    kind = django_filters.ChoiceFilter(label="抽查类型", choices=TaskKind.choices)
    inspection_type = django_filters.ChoiceFilter(label="检查类型", choices=InspectionType.choices)

    class Meta:
        model = Task
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))
