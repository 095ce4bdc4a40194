from shuangsuiji.core.api.viewsets import ScopedReadOnlyViewSet

from ..filtersets import PlanFilterSet, TaskFilterSet
from ..models import AnnualPlan, Task
from .serializers import AnnualPlanSerializer, TaskSerializer


class AnnualPlanViewSet(ScopedReadOnlyViewSet):
    """年度抽查工作计划（含全部已公布版本）"""

    queryset = AnnualPlan.objects.select_related("region", "organization").prefetch_related("versions")
    serializer_class = AnnualPlanSerializer
    filterset_class = PlanFilterSet


class TaskViewSet(ScopedReadOnlyViewSet):
    """抽查任务（事项、范围、分层比例、检查期限）"""

    queryset = Task.objects.select_related("scope_region").prefetch_related(
        "business_lines", "items__organization", "items__item", "stratum_rules"
    )
    serializer_class = TaskSerializer
    filterset_class = TaskFilterSet
