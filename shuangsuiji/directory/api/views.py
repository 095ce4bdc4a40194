from django.db import IntegrityError
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import UnsupportedMediaType
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from shuangsuiji.core.api.concurrency import VersionedUpdateMixin
from shuangsuiji.core.api.exceptions import error_body
from shuangsuiji.core.api.serializers import ErrorSerializer
from shuangsuiji.core.api.viewsets import ScopedReadOnlyViewSet
from shuangsuiji.imports.spreadsheets import Table

from .. import services
from ..choices import ImportKind, ImportStatus
from ..filtersets import ExpertFilterSet, InspectorFilterSet, ItemFilterSet, UnitFilterSet
from ..forms import ExpertEditForm, InspectionItemEditForm, InspectorEditForm, UnitEditForm
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


def _split(form, *m2m: str) -> tuple[dict, list]:
    data = {k: v for k, v in form.cleaned_data.items() if k not in m2m}
    return data, [form.cleaned_data.get(name) for name in m2m]


class RegulatedUnitViewSet(VersionedUpdateMixin, ScopedReadOnlyViewSet):
    """检查对象名录库；`sync/` 供审管联动批量新增/修改/注销（按统一社会信用代码，全部成功或全部不写入）；
    PATCH 修改单个对象（If-Match 乐观锁）"""

    queryset = RegulatedUnit.objects.select_related("region", "township")
    slug_lists = {"business_lines": "code", "tags": "name"}  # one query each per page (SlugListField)
    serializer_class = RegulatedUnitSerializer
    filterset_class = UnitFilterSet
    lookup_field = "credit_code"
    action_perms = {"sync": "import"}
    edit_form_class = UnitEditForm
    api_lookups = {"region": "code", "township": "code", "business_lines": "code", "tags": "name"}
    locked_fields = ("credit_code",)

    def perform_edit(self, obj, form, expected_version):
        data, (lines, tags) = _split(form, "business_lines", "tags")
        data.pop("credit_code", None)
        return services.unit_update(
            user=self.request.user, unit=obj, data=data, business_lines=lines, tags=tags,
            expected_version=expected_version,
        )  # fmt: skip

    @extend_schema(
        request={"application/json": UnitSyncSerializer},
        responses={200: UnitSyncResultSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
        description=(
            "全部记录通过校验才写入；任一记录有误时返回 400，errors 逐条指出记录序号（从 1 起）、字段和原因，"
            "什么也不写入。"
        ),
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
            body = error_body(
                f"{len(errors)} 处错误，全部记录均未写入（导入批次 #{batch.pk}）", "invalid_records", errors
            )
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


class InspectorViewSet(VersionedUpdateMixin, ScopedReadOnlyViewSet):
    """执法检查人员名录库；PATCH 修改（If-Match 乐观锁；所属机构按 id）"""

    queryset = Inspector.objects.select_related("organization")
    slug_lists = {"specialties": "code", "tags": "name"}  # one query each per page (SlugListField)
    serializer_class = InspectorSerializer
    filterset_class = InspectorFilterSet
    edit_form_class = InspectorEditForm
    api_lookups = {"specialties": "code", "tags": "name"}

    def perform_edit(self, obj, form, expected_version):
        data, (specialties, tags) = _split(form, "specialties", "tags")
        return services.inspector_save(
            user=self.request.user, inspector=obj, data=data, specialties=specialties, tags=tags,
            expected_version=expected_version,
        )  # fmt: skip


class ExpertViewSet(VersionedUpdateMixin, ScopedReadOnlyViewSet):
    """专家库（专家、第三方机构）；PATCH 修改（If-Match 乐观锁）"""

    queryset = Expert.objects.select_related("region").prefetch_related("specialties")
    serializer_class = ExpertSerializer
    filterset_class = ExpertFilterSet
    edit_form_class = ExpertEditForm
    api_lookups = {"region": "code", "specialties": "code", "tags": "name"}

    def perform_edit(self, obj, form, expected_version):
        data, (specialties, tags) = _split(form, "specialties", "tags")
        return services.expert_save(
            user=self.request.user, expert=obj, data=data, specialties=specialties, tags=tags,
            expected_version=expected_version,
        )  # fmt: skip


class InspectionItemViewSet(VersionedUpdateMixin, ScopedReadOnlyViewSet):
    """抽查事项清单；PATCH 修改草稿（If-Match 乐观锁；已发布的版本不可修改）"""

    queryset = InspectionItem.objects.select_related("business_line", "region")
    serializer_class = InspectionItemSerializer
    filterset_class = ItemFilterSet
    edit_form_class = InspectionItemEditForm
    api_lookups = {"business_line": "code", "region": "code"}

    def perform_edit(self, obj, form, expected_version):
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("code", "region")}
        return services.item_update(user=self.request.user, item=obj, data=data, expected_version=expected_version)
