from django.db import IntegrityError
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from shuangsuiji.core.api.viewsets import ScopedReadOnlyViewSet
from shuangsuiji.imports.spreadsheets import Table

from .. import services
from ..choices import ImportKind, ImportStatus
from ..filtersets import ExpertFilterSet, InspectorFilterSet, ItemFilterSet, UnitFilterSet
from ..importers import UNIT_COLUMNS
from ..models import Expert, InspectionItem, Inspector, RegulatedUnit
from .serializers import (
    ExpertSerializer,
    InspectionItemSerializer,
    InspectorSerializer,
    RegulatedUnitSerializer,
    UnitSyncResultSerializer,
    UnitSyncSerializer,
)

LIST_SEPARATOR = "、"


def records_to_table(records: list[dict]) -> Table:
    """JSON records → the table the Excel importer validates (Chinese headers; lists joined with 、)."""
    columns = [c for c in UNIT_COLUMNS if c.importable]
    rows = []
    for index, record in enumerate(records, start=1):
        cells = []
        for column in columns:
            value = record.get(column.field, "")
            cells.append(LIST_SEPARATOR.join(value) if isinstance(value, list) else str(value).strip())
        rows.append((index, cells))
    return Table(headers=[c.header for c in columns], rows=rows)


class RegulatedUnitViewSet(ScopedReadOnlyViewSet):
    """检查对象名录库；`sync/` 供审管联动批量新增/修改/注销（按统一社会信用代码，全部成功或全部不写入）"""

    queryset = RegulatedUnit.objects.select_related("region").prefetch_related("business_lines", "tags")
    serializer_class = RegulatedUnitSerializer
    filterset_class = UnitFilterSet
    lookup_field = "credit_code"
    action_perms = {"sync": "import"}

    @extend_schema(request=UnitSyncSerializer, responses={200: UnitSyncResultSerializer, 400: UnitSyncResultSerializer})
    @action(detail=False, methods=["post"])
    def sync(self, request):
        incoming = UnitSyncSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        table = records_to_table(request.data.get("units", []))
        try:
            batch = services.import_sync(
                user=request.user, kind=ImportKind.UNIT, mode=data["mode"], table=table, source=data["source"]
            )
        except IntegrityError:
            return Response(
                {"detail": "并发写入冲突：部分统一社会信用代码刚被其他请求登记，请重试"}, status.HTTP_409_CONFLICT
            )
        body = {
            "batch": batch.pk,
            "status": batch.status,
            "created": batch.count_create,
            "updated": batch.count_update,
            "closed": batch.count_close,
            "unchanged": batch.count_unchanged,
            "errors": [{"record": row, "field": field, "message": message} for row, field, message in batch.errors],
            "changes": batch.report,
        }
        ok = batch.status == ImportStatus.COMMITTED
        return Response(body, status=status.HTTP_200_OK if ok else status.HTTP_400_BAD_REQUEST)


class InspectorViewSet(ScopedReadOnlyViewSet):
    """执法检查人员名录库"""

    queryset = Inspector.objects.select_related("organization").prefetch_related("specialties", "tags")
    serializer_class = InspectorSerializer
    filterset_class = InspectorFilterSet


class ExpertViewSet(ScopedReadOnlyViewSet):
    """专家库（专家、第三方机构）"""

    queryset = Expert.objects.select_related("region").prefetch_related("specialties")
    serializer_class = ExpertSerializer
    filterset_class = ExpertFilterSet


class InspectionItemViewSet(ScopedReadOnlyViewSet):
    """抽查事项清单"""

    queryset = InspectionItem.objects.select_related("business_line", "region")
    serializer_class = InspectionItemSerializer
    filterset_class = ItemFilterSet
