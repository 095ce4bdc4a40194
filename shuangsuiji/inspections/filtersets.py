import django_filters
from django.utils import timezone

from shuangsuiji.plans.choices import InspectionType

from . import selectors
from .choices import ResultCategory, ResultStatus
from .models import InspectionResult

TODO_CHOICES = [
    ("mine", "我的检查对象"), ("enter", "待录入"), ("sign", "待我签名"), ("unchecked", "逾期未检查"),
    ("due", "3个工作日内到期"), ("overdue", "逾期未公示"), ("nodue", "期限无法计算"),
]  # fmt: skip


class ResultFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="单位名称/信用代码", method="search")
    status = django_filters.ChoiceFilter(label="状态", choices=ResultStatus.choices)
    category = django_filters.ChoiceFilter(label="抽查结果", choices=ResultCategory.choices)
    year = django_filters.NumberFilter(label="年度", field_name="draw__task__plan__year")
    task = django_filters.CharFilter(label="任务编号", field_name="draw__task__code")
    inspection_type = django_filters.ChoiceFilter(
        label="检查类型", field_name="draw__task__inspection_type", choices=InspectionType.choices
    )
    todo = django_filters.ChoiceFilter(label="待办", choices=TODO_CHOICES, method="filter_todo")

    class Meta:
        model = InspectionResult
        fields = []

    def search(self, queryset, name, value):
        return selectors.search(queryset, value)

    def filter_todo(self, queryset, name, value):
        user = self.request.user
        ids = {
            "mine": lambda: selectors.my_assigned(queryset, user),
            "enter": lambda: selectors.results_to_enter(user),
            "sign": lambda: selectors.results_to_sign(user),
            "unchecked": lambda: selectors.results_unchecked_overdue(user),
            "due": lambda: selectors.results_due_soon(user, today=timezone.localdate()),
            "overdue": lambda: selectors.results_overdue(user),
            "nodue": lambda: selectors.results_without_deadline(user),
        }[value]()
        return queryset.filter(pk__in=ids.values("pk"))
