import django_filters
from django.db.models import Q

from .choices import DrawStatus, ExpertMode, InspectorChangeStatus
from .models import Draw, ExpertAttachment, InspectorChange


class DrawFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="抽取编号/任务", method="search")
    status = django_filters.ChoiceFilter(label="状态", choices=DrawStatus.choices)
    year = django_filters.NumberFilter(label="年度", field_name="task__plan__year")

    class Meta:
        model = Draw
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(task__name__icontains=value))


class InspectorChangeFilterSet(django_filters.FilterSet):
    """API filters of 更换执法人员: by draw (id or 抽取编号) and status."""

    draw = django_filters.NumberFilter(label="抽取", field_name="draw")
    draw_code = django_filters.CharFilter(label="抽取编号", field_name="draw__code")
    status = django_filters.ChoiceFilter(label="状态", choices=InspectorChangeStatus.choices)

    class Meta:
        model = InspectorChange
        fields = []


class ExpertAttachmentFilterSet(django_filters.FilterSet):
    """API filters of 专家/检测机构参加检查: by draw (id or 抽取编号), target and how the expert was chosen."""

    draw = django_filters.NumberFilter(label="抽取", field_name="target__draw")
    draw_code = django_filters.CharFilter(label="抽取编号", field_name="target__draw__code")
    target = django_filters.NumberFilter(label="检查对象", field_name="target")
    mode = django_filters.ChoiceFilter(label="方式", choices=ExpertMode.choices)

    class Meta:
        model = ExpertAttachment
        fields = []
