from django.http import Http404, HttpResponse
from rest_framework.decorators import action

from shuangsuiji.core.api.viewsets import ScopedReadOnlyViewSet

from ..filtersets import DrawFilterSet
from ..models import Draw
from .serializers import DrawDetailSerializer, DrawSerializer

FILE_TYPES = {"manifest": "application/json", "commitment": "application/json", "roster": "application/json",
              "pool": "text/tab-separated-values"}  # fmt: skip


class DrawViewSet(ScopedReadOnlyViewSet):
    """抽取：承诺、公开随机值、结果、检查组；`files/<kind>/` 下载独立校验所需的原始文件（字节一致）"""

    queryset = Draw.objects.select_related("region", "task").prefetch_related("files")
    serializer_class = DrawSerializer
    filterset_class = DrawFilterSet

    def get_serializer_class(self):
        return DrawDetailSerializer if self.action == "retrieve" else DrawSerializer

    @action(detail=True, url_path=r"files/(?P<kind>pool|roster|commitment|manifest)")
    def files(self, request, pk=None, kind=None):
        data = self.get_object().file_bytes(kind)
        if data is None:
            raise Http404("该抽取没有此文件")
        response = HttpResponse(data, content_type=FILE_TYPES[kind])
        response["Content-Disposition"] = f'attachment; filename="{kind}.{"tsv" if kind == "pool" else "json"}"'
        return response
