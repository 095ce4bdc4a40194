from shuangsuiji.core.api.viewsets import ScopedReadOnlyViewSet

from ..filtersets import CaseFilterSet
from ..models import FollowUpCase
from .serializers import FollowUpCaseSerializer


class FollowUpCaseViewSet(ScopedReadOnlyViewSet):
    """后续处置（责令整改、立案处罚、移送、抄告）"""

    queryset = FollowUpCase.objects.select_related("unit", "region")
    serializer_class = FollowUpCaseSerializer
    filterset_class = CaseFilterSet
