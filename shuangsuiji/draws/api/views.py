from django.db.models import Prefetch
from rest_framework.decorators import action

from shuangsuiji.core.api.viewsets import ScopedReadOnlyViewSet

from ..downloads import draw_file_response
from ..filtersets import DrawFilterSet
from ..models import Draw, DrawFile, DrawTarget, InspectorAssignment
from .serializers import DrawDetailSerializer, DrawSerializer


class DrawViewSet(ScopedReadOnlyViewSet):
    """抽取：承诺、公开随机值、结果、检查组；`files/<kind>/` 下载独立校验所需的原始文件（字节一致）"""

    # File rows carry only their kind here: a list never touches the files themselves.
    queryset = Draw.objects.select_related("region", "task").prefetch_related(
        Prefetch("files", queryset=DrawFile.objects.only("id", "draw_id", "kind").order_by("id"))
    )
    serializer_class = DrawSerializer
    filterset_class = DrawFilterSet

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                Prefetch(
                    "targets",
                    queryset=DrawTarget.objects.prefetch_related(
                        Prefetch("assignments", queryset=InspectorAssignment.objects.order_by("inspector_code"))
                    ),
                )
            )
        return qs

    def get_serializer_class(self):
        return DrawDetailSerializer if self.action == "retrieve" else DrawSerializer

    @action(detail=True, url_path=r"files/(?P<kind>pool|roster|commitment|manifest)")
    def files(self, request, pk=None, kind=None):
        return draw_file_response(self.get_object(), kind)
