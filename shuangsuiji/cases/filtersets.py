import django_filters

from . import selectors
from .choices import CaseKind, CaseStatus
from .models import FollowUpCase

TODO_CHOICES = [
    ("recheck", "逾期未复查"),
    ("penalty", "处罚待公示"),
    ("penalty_overdue", "处罚逾期未公示"),
    ("feedback_overdue", "移送/抄告逾期未反馈"),
]


class CaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="单位名称/案件编号", method="search")
    kind = django_filters.ChoiceFilter(label="处置方式", choices=CaseKind.choices)
    status = django_filters.ChoiceFilter(label="状态", choices=CaseStatus.choices)
    todo = django_filters.ChoiceFilter(label="待办", choices=TODO_CHOICES, method="filter_todo")

    class Meta:
        model = FollowUpCase
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(unit__name__icontains=value) | queryset.filter(case_no__icontains=value)

    def filter_todo(self, queryset, name, value):
        user = self.request.user
        qs = {
            "recheck": selectors.overdue_rechecks,
            "penalty": selectors.penalties_to_publish,
            "penalty_overdue": selectors.penalties_overdue,
            "feedback_overdue": selectors.transfers_feedback_overdue,
        }.get(value)
        if qs is None:  # risk proposals pending
            return queryset.filter(pk__in=selectors.risk_proposals_pending(user).values("case_id"))
        return queryset.filter(pk__in=qs(user).values("pk"))
