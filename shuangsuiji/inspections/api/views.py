from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from shuangsuiji.accounts.models import Organization
from shuangsuiji.core.api.concurrency import VersionedUpdateMixin
from shuangsuiji.core.api.permissions import RolePermission
from shuangsuiji.core.api.serializers import ErrorSerializer
from shuangsuiji.core.api.viewsets import ScopedReadOnlyViewSet
from shuangsuiji.directory.models import InspectionItem, Inspector
from shuangsuiji.draws.models import Draw
from shuangsuiji.plans.choices import UpperLevel
from shuangsuiji.plans.models import AnnualPlan

from .. import services
from ..filtersets import ResultFilterSet
from ..forms import ResultEditForm
from ..models import InspectionResult
from .serializers import InspectionResultSerializer


class InspectionResultViewSet(VersionedUpdateMixin, ScopedReadOnlyViewSet):
    """检查结果（签名、公示在界面完成）；PATCH 录入结果内容（If-Match 乐观锁；检查表逐项填写在界面完成；
    内容确有变化时撤销已有签名，与界面相同）"""

    queryset = InspectionResult.objects.select_related("unit", "region", "draw")
    serializer_class = InspectionResultSerializer
    filterset_class = ResultFilterSet
    edit_form_class = ResultEditForm
    action_perms = {"partial_update": "enter"}

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "list":  # of the related rows, only what a list shows (no JSON of 50 copies of one draw)
            own = [f.attname for f in InspectionResult._meta.concrete_fields]
            qs = qs.only(*own, "unit__credit_code", "unit__name", "region__code", "draw__code")
        return qs

    def edit_form_kwargs(self, obj) -> dict:
        return {"initial": {name: getattr(obj, name) for name in services.CONTENT_FIELDS}}

    def perform_edit(self, obj, form, expected_version):
        return services.result_save(
            user=self.request.user, result=obj, data=form.content(), expected_version=expected_version
        )


class UpperTaskImportSerializer(serializers.Serializer):
    plan = serializers.IntegerField(help_text="年度计划 id（任务登记在该计划下）")
    name = serializers.CharField(max_length=200, help_text="任务名称")
    upper_level = serializers.ChoiceField(
        choices=UpperLevel.choices, help_text="下达级别：national 国家、province 省级、city 市级"
    )
    upper_authority = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="下达机关"
    )
    upper_task_no = serializers.CharField(max_length=100, help_text="上级任务编号")
    window_start = serializers.DateField(help_text="检查开始日期")
    window_end = serializers.DateField(help_text="检查结束日期")
    lead_organization = serializers.IntegerField(required=False, help_text="实施机构 id；默认为计划的编制单位")
    items = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, help_text="抽查事项 id"
    )
    default_group = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, default=list,
        help_text="默认检查组的执法证号（名单中未填执法证号的对象使用）",
    )  # fmt: skip
    units = serializers.ListField(
        child=serializers.DictField(), allow_empty=False, min_length=1,
        help_text="检查对象：[{\"credit_code\": 统一社会信用代码, \"name\": 单位名称, \"cert_nos\": [执法证号, …]}]",
    )  # fmt: skip


class UpperTaskImportViewSet(viewsets.GenericViewSet):
    """上级下达任务导入：任务（上级任务编号、下达级别/机关）与上级抽取的检查对象名单（可含执法人员），不在本级抽取；
    全部记录通过校验才写入，否则返回 400 并逐条指出记录序号与原因"""

    permission_classes = [RolePermission]
    queryset = Draw.objects.none()
    action_perms = {"create": "import"}
    serializer_class = UpperTaskImportSerializer

    @extend_schema(request=UpperTaskImportSerializer, responses={201: OpenApiTypes.OBJECT, 400: ErrorSerializer})
    def create(self, request):
        incoming = UpperTaskImportSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        user = request.user
        plan = AnnualPlan.objects.restrict(user, "view").filter(pk=data["plan"]).first()
        if plan is None:
            raise NotFound("未找到该年度计划（或不在您的管辖范围内）")
        lead = plan.organization
        if data.get("lead_organization"):
            lead = Organization.objects.in_scope(user).filter(pk=data["lead_organization"]).first()
            if lead is None:
                raise NotFound("未找到该实施机构（或不在您的管辖范围内）")
        items = list(InspectionItem.objects.filter(pk__in=data["items"], status="published"))
        group = list(Inspector.objects.restrict(user, "view").filter(cert_no__in=data["default_group"]))
        missing = sorted(set(data["default_group"]) - {i.cert_no for i in group})
        if missing:
            raise ValidationError({"default_group": f"执法证号 {'、'.join(missing)} 在本辖区执法人员名录库中不存在"})
        task_data = {k: data[k] for k in ("name", "upper_level", "upper_authority", "upper_task_no", "window_start",
                                          "window_end")}  # fmt: skip
        task, draw = services.upper_task_import(
            user=user, plan=plan, task_data={**task_data, "lead_organization": lead}, records=data["units"],
            items=items, default_group=group,
        )  # fmt: skip
        results = list(draw.results.order_by("target__rank").values_list("pk", "unit_code", "target__unit_code"))
        return Response({
            "task": task.code, "inspection_type": task.inspection_type, "source": task.source_label, "draw": draw.code,
            "targets": len(results), "results": [{"id": pk, "credit_code": code} for pk, _c, code in results],
        }, status=status.HTTP_201_CREATED)  # fmt: skip
