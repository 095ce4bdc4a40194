from django.db import IntegrityError
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import UnsupportedMediaType
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from shuangsuiji.core.api.exceptions import error_body
from shuangsuiji.core.api.serializers import ErrorSerializer
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
            value = "" if value is None else value
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

    @extend_schema(
        request={"application/json": UnitSyncSerializer},
        responses={200: UnitSyncResultSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
        description="全部记录通过校验才写入；任一记录有误时返回 400，errors 逐条指出记录序号（从 1 起）、字段和原因，什么也不写入。",
    )
    @action(detail=False, methods=["post"], parser_classes=[JSONParser])
    def sync(self, request):
        if request.content_type.split(";")[0].strip() != "application/json":
            # a form body read by a middleware would reach the parser empty: name the real problem
            raise UnsupportedMediaType(request.content_type)
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
                error_body("并发写入冲突：部分统一社会信用代码刚被其他请求登记，请重试", "conflict"),
                status.HTTP_409_CONFLICT,
            )
        if batch.status != ImportStatus.COMMITTED:
            errors = [{"record": row, "field": field, "message": message} for row, field, message in batch.errors]
            body = error_body(f"{len(errors)} 处错误，全部记录均未写入（导入批次 #{batch.pk}）", "invalid_records", errors)
            return Response({**body, "batch": batch.pk}, status=status.HTTP_400_BAD_REQUEST)
        body = {
            "batch": batch.pk,
            "status": batch.status,
            "created": batch.count_create,
            "updated": batch.count_update,
            "closed": batch.count_close,
            "unchanged": batch.count_unchanged,
            "changes": batch.report,
        }
        return Response(body, status=status.HTTP_200_OK)


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
