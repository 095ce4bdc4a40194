from shuangsuiji.core.api.viewsets import ScopedReadOnlyViewSet

from ..filtersets import ResultFilterSet
from ..models import InspectionResult
from .serializers import InspectionResultSerializer


class InspectionResultViewSet(ScopedReadOnlyViewSet):
    """检查结果（录入、签名、公示在界面完成；接口只读）"""

    queryset = InspectionResult.objects.select_related("unit", "region", "draw")
    serializer_class = InspectionResultSerializer
    filterset_class = ResultFilterSet
