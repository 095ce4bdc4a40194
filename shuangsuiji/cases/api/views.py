from shuangsuiji.core.api.concurrency import VersionedReadMixin
from shuangsuiji.core.api.viewsets import ScopedReadOnlyViewSet

from ..filtersets import CaseFilterSet
from ..models import FollowUpCase
from .serializers import FollowUpCaseSerializer


class FollowUpCaseViewSet(VersionedReadMixin, ScopedReadOnlyViewSet):
    """后续处置（责令整改、立案处罚、移送、抄告；复查、处罚决定、完结在界面完成，详情带 ETag）"""

    queryset = FollowUpCase.objects.select_related("unit", "region")
    serializer_class = FollowUpCaseSerializer
    filterset_class = CaseFilterSet
