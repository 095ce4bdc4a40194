from shuangsuiji.core.api.viewsets import ScopedReadOnlyViewSet
from shuangsuiji.regions.models import Region

from .serializers import RegionSerializer


class RegionViewSet(ScopedReadOnlyViewSet):
    """行政区划"""

    queryset = Region.objects.select_related("parent")
    serializer_class = RegionSerializer
    lookup_field = "code"
