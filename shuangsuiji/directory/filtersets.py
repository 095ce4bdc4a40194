"""Filters for list pages and exports (the export of a list uses the same filter on the same query string)."""

import datetime as dt

import django_filters
from django.db.models import Q
from django.utils import timezone

from shuangsuiji.accounts.models import Organization
from shuangsuiji.core.filtersets import CodeChoiceFilter, DaysFilter
from shuangsuiji.regions.models import Region

from .choices import ExpertKind, ImportKind, ImportStatus, ItemCategory, ItemLevel, ItemStatus, RiskLevel, UnitStatus
from .models import BusinessLine, Expert, ImportBatch, InspectionItem, Inspector, RegulatedUnit, Tag


def _regions(request):
    return (
        Region.objects.restrict(request.user, "view").filter(level=Region.Level.COUNTY)
        if request
        else Region.objects.none()
    )


def _orgs(request):
    return Organization.objects.restrict(request.user, "view") if request else Organization.objects.none()


class UnitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="名称/信用代码", method="search")
    region = CodeChoiceFilter(label="所属区划", queryset=_regions, to_field_name="code")
    business_line = CodeChoiceFilter(
        label="专业类别", field_name="business_lines", queryset=BusinessLine.objects.all(), to_field_name="code"
    )
    risk_level = django_filters.ChoiceFilter(label="信用风险", choices=RiskLevel.choices)
    status = django_filters.ChoiceFilter(label="经营状态", choices=UnitStatus.choices)
    tag = CodeChoiceFilter(label="标签", field_name="tags", queryset=Tag.objects.all(), to_field_name="name")
    complaints = django_filters.BooleanFilter(label="有投诉举报", method="has_complaints")

    class Meta:
        model = RegulatedUnit
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(credit_code__startswith=value.upper()))

    def has_complaints(self, queryset, name, value):
        return queryset.filter(complaint_count__gt=0) if value else queryset.filter(complaint_count=0)


class InspectorFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="姓名/执法证号", method="search")
    organization = CodeChoiceFilter(label="所属机构", queryset=_orgs)
    specialty = CodeChoiceFilter(
        label="专业类别", field_name="specialties", queryset=BusinessLine.objects.all(), to_field_name="code"
    )
    tag = CodeChoiceFilter(label="标签", field_name="tags", queryset=Tag.objects.all(), to_field_name="name")
    active = django_filters.BooleanFilter(label="在岗")
    cert_no = django_filters.CharFilter(label="执法证号（精确）", field_name="cert_no", lookup_expr="iexact")
    cert_expiring = DaysFilter(
        label="执法证到期（天内）", method="expiring",
        help_text="只看执法证在今后若干天内到期的人员（已过期的不含在内；0–3660 天）",
    )  # fmt: skip

    class Meta:
        model = Inspector
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value.strip()) | Q(cert_no__icontains=value.strip()))

    def expiring(self, queryset, name, value):
        today = timezone.localdate()
        days = min(max(int(value), 0), 3660)  # any number is answered; beyond ten years means "all valid ones"
        return queryset.filter(cert_valid_to__gte=today, cert_valid_to__lte=today + dt.timedelta(days=days))


class ExpertFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="名称/单位", method="search")
    kind = django_filters.ChoiceFilter(label="类型", choices=ExpertKind.choices)
    specialty = CodeChoiceFilter(
        label="专业类别", field_name="specialties", queryset=BusinessLine.objects.all(), to_field_name="code"
    )

    class Meta:
        model = Expert
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value.strip()) | Q(employer__icontains=value.strip()))


class ItemFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="事项/编码", method="search")
    business_line = CodeChoiceFilter(label="专业类别", queryset=BusinessLine.objects.all(), to_field_name="code")
    category = django_filters.ChoiceFilter(label="事项类别", choices=ItemCategory.choices)
    level = django_filters.ChoiceFilter(label="层级", choices=ItemLevel.choices)
    status = django_filters.ChoiceFilter(label="状态", choices=ItemStatus.choices)

    class Meta:
        model = InspectionItem
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value.strip()) | Q(code__icontains=value.strip()))


class ImportBatchFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label="导入类型", choices=ImportKind.choices)
    status = django_filters.ChoiceFilter(label="状态", choices=ImportStatus.choices)

    class Meta:
        model = ImportBatch
        fields = []
