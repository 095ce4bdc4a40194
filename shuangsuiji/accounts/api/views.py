from shuangsuiji.accounts.models import Organization
from shuangsuiji.core.api.viewsets import ScopedReadOnlyViewSet

from .serializers import OrganizationSerializer


class OrganizationViewSet(ScopedReadOnlyViewSet):
    """机构"""

    queryset = Organization.objects.select_related("region")
    serializer_class = OrganizationSerializer
