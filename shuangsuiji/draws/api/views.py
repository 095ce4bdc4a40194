from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound

from shuangsuiji.core.api.viewsets import ScopedReadOnlyViewSet

from ..choices import FILE_NAMES, FileKind
from ..downloads import draw_file_response
from ..filtersets import DrawFilterSet, ExpertAttachmentFilterSet, InspectorChangeFilterSet
from ..models import Draw, DrawFile, DrawTarget, ExpertAttachment, InspectorAssignment, InspectorChange
from .serializers import DrawDetailSerializer, DrawSerializer, ExpertAttachmentSerializer, InspectorChangeSerializer


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

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "kind", str, OpenApiParameter.PATH, enum=[k.value for k in FileKind],
                description="pool（号池，TSV）、roster（执法人员名录快照）、commitment（承诺）、manifest（结果清单）",
            )
        ],
        responses={
            (200, "text/tab-separated-values"): OpenApiResponse(OpenApiTypes.STR, description="号池快照（pool）"),
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="roster / commitment / manifest"
            ),
        },
        description="原始文件逐字节下载（响应头 X-Content-SHA256 为文件的 SHA-256）；尚未生成的文件返回 404。",
    )  # fmt: skip
    @action(detail=True, url_path=r"files/(?P<kind>[^/.]+)")
    def files(self, request, pk=None, kind=None):
        if kind not in FILE_NAMES or kind == FileKind.CONFLICT_KEY:  # the 回避 key: staff pages only (§4.2.2)
            raise NotFound(f"没有这种文件：{kind[:30]}（可用：{'、'.join(k.value for k in FileKind)}）")
        return draw_file_response(self.get_object(), kind)


class InspectorChangeViewSet(ScopedReadOnlyViewSet):
    """更换执法人员（只读）：抽取后按该检查对象的执法人员随机顺序更换的记录，含依次跳过的人员和原因、待签批和未同意的申请；
    按 `seq` 顺序可用结果清单、号池和名录复算（抽取算法公开规范第 8.7 节）"""

    queryset = InspectorChange.objects.select_related("draw", "target").order_by("draw", "seq", "pk")
    serializer_class = InspectorChangeSerializer
    filterset_class = InspectorChangeFilterSet


class ExpertAttachmentViewSet(ScopedReadOnlyViewSet):
    """专家、检测机构参加检查（只读）：随机抽取的（候选编号按随机顺序、抽中者的位次）或指定的（写明理由）
    （抽取算法公开规范第 8.8 节）"""

    queryset = ExpertAttachment.objects.select_related("target", "target__draw").order_by(
        "target__draw", "target", "pk"
    )
    serializer_class = ExpertAttachmentSerializer
    filterset_class = ExpertAttachmentFilterSet
