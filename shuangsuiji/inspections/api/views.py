from shuangsuiji.core.api.concurrency import VersionedUpdateMixin
from shuangsuiji.core.api.viewsets import ScopedReadOnlyViewSet

from .. import services
from ..filtersets import ResultFilterSet
from ..forms import ResultEditForm
from ..models import InspectionResult
from .serializers import InspectionResultSerializer


class InspectionResultViewSet(VersionedUpdateMixin, ScopedReadOnlyViewSet):
    """检查结果（签名、公示在界面完成）；PATCH 录入结果内容（If-Match 乐观锁；检查表逐项填写在界面完成；
    内容确有变化时撤销已有签名，与界面相同）"""

    queryset = InspectionResult.objects.select_related("unit", "region", "draw")
    serializer_class = InspectionResultSerializer
    filterset_class = ResultFilterSet
    edit_form_class = ResultEditForm
    action_perms = {"partial_update": "enter"}

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "list":  # of the related rows, only what a list shows (no JSON of 50 copies of one draw)
            own = [f.attname for f in InspectionResult._meta.concrete_fields]
            qs = qs.only(*own, "unit__credit_code", "unit__name", "region__code", "draw__code")
        return qs

    def edit_form_kwargs(self, obj) -> dict:
        return {"initial": {name: getattr(obj, name) for name in services.CONTENT_FIELDS}}

    def perform_edit(self, obj, form, expected_version):
        return services.result_save(
            user=self.request.user, result=obj, data=form.content(), expected_version=expected_version
        )
