from shuangsuiji.core.api.concurrency import VersionedUpdateMixin
from shuangsuiji.core.api.viewsets import ScopedReadOnlyViewSet
from shuangsuiji.core.viewhelpers import form_instance

from .. import services
from ..filtersets import PlanFilterSet, TaskFilterSet
from ..forms import PlanForm, TaskForm
from ..models import AnnualPlan, Task
from .serializers import AnnualPlanSerializer, TaskSerializer


class AnnualPlanViewSet(VersionedUpdateMixin, ScopedReadOnlyViewSet):
    """年度抽查工作计划（含全部已公布版本）；PATCH 修改草稿（If-Match 乐观锁）"""

    queryset = AnnualPlan.objects.select_related("region", "organization").prefetch_related("versions")
    serializer_class = AnnualPlanSerializer
    filterset_class = PlanFilterSet
    edit_form_class = PlanForm

    def perform_edit(self, obj, form, expected_version):
        return services.plan_update(
            user=self.request.user, plan=obj, expected_version=expected_version, **form.cleaned_data
        )


class TaskViewSet(VersionedUpdateMixin, ScopedReadOnlyViewSet):
    """抽查任务（事项、范围、分层比例、检查期限）；PATCH 修改草稿计划中的任务（If-Match 乐观锁）"""

    queryset = Task.objects.select_related("scope_region", "plan__region").prefetch_related(
        "business_lines", "items__organization", "items__item", "stratum_rules"
    )
    serializer_class = TaskSerializer
    filterset_class = TaskFilterSet
    edit_form_class = TaskForm
    api_lookups = {"scope_region": "code", "business_lines": "code", "tags": "name"}

    def edit_form_kwargs(self, obj) -> dict:
        return {"instance": form_instance(obj), "user": self.request.user, "plan": obj.plan}

    def perform_edit(self, obj, form, expected_version):
        return services.task_update(
            user=self.request.user, task=obj, expected_version=expected_version, **form.cleaned_data
        )
