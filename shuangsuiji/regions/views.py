from shuangsuiji.core.listing import ScopedListView

from .filtersets import RegionFilterSet
from .models import Region
from .tables import RegionTable


class RegionListView(ScopedListView):
    model = Region
    filterset_class = RegionFilterSet
    table_class = RegionTable
    title = "行政区划"
    per_page = 50
