"""Reads for 一单两库: scoped querysets, export rows, history, claimable items."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.selectors import changes_for_people

from .choices import ItemStatus, RiskLevel, UnitStatus
from .importers import INSPECTOR_COLUMNS, UNIT_COLUMNS
from .models import (
    BusinessLine,
    Expert,
    InspectionItem,
    Inspector,
    RegulatedUnit,
)

CHUNK = 2000


def unit_list(user, action: str = "view"):
    return RegulatedUnit.objects.restrict(user, action).select_related("region")


def inspector_list(user, action: str = "view"):
    return Inspector.objects.restrict(user, action).select_related("organization__region")


def expert_list(user, action: str = "view"):
    return Expert.objects.restrict(user, action).select_related("region")


def item_list(user, action: str = "view"):
    return InspectionItem.objects.restrict(user, action).select_related("business_line", "region", "claimed_from")


def published_items(*, region_code: str | None = None):
    """The current published list (for the public portal, issue #8): no drafts, no superseded versions."""
    qs = InspectionItem.objects.filter(status=ItemStatus.PUBLISHED).select_related("business_line", "region")
    return qs.filter(region__code=region_code) if region_code else qs


def claimable_items(user):
    """Published items of the levels above the user's region (national, province, city) not yet claimed here."""
    region = getattr(user, "region", None)
    if region is None:
        return InspectionItem.objects.none()
    ancestors, node = [], region.parent
    while node is not None:
        ancestors.append(node.pk)
        node = node.parent
    claimed_here = InspectionItem.objects.filter(region=region, code=OuterRef("code"))
    return (
        InspectionItem.objects.filter(Q(region__isnull=True) | Q(region__in=ancestors), status=ItemStatus.PUBLISHED)
        .annotate(already=Exists(claimed_here))
        .select_related("business_line", "region")
    )


# --- history ---------------------------------------------------------------------------------------


def history(obj) -> list[dict]:
    """变更记录: the object's audit rows, newest first, each with a labelled field diff."""
    rows = ObjectChange.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("-id")
    result = []
    for change in rows:
        ignored = {key: None for key in ("updated_at", "created_at", "id")}
        before = {**(change.prechange_data or {}), **ignored}
        after = {**(change.postchange_data or {}), **ignored}
        created = change.action == ObjectChange.Action.CREATE
        diff = [] if created else changes_for_people(change.object_type, before, after)
        result.append({"change": change, "diff": diff})
    return result


# --- export rows (same columns as the import template, so an export can be edited and re-imported) ---


def _links(through, left: str, right: str, ids: list[int], value: str | None = None) -> dict[int, list]:
    found: dict[int, list] = defaultdict(list)
    target = value or right
    for start in range(0, len(ids), CHUNK):
        for key, item in through.objects.filter(**{f"{left}__in": ids[start : start + CHUNK]}).values_list(
            left, target
        ):
            found[key].append(item)
    return found


def unit_export_rows(queryset):
    """Rows in UNIT_COLUMNS order, streamed in chunks with three queries per chunk."""
    line_names = dict(BusinessLine.objects.values_list("pk", "short_name"))
    statuses, risks = dict(UnitStatus.choices), dict(RiskLevel.choices)
    fields = [c.field for c in UNIT_COLUMNS]
    ids = list(queryset.values_list("pk", flat=True))
    lines_through, tags_through = RegulatedUnit.business_lines.through, RegulatedUnit.tags.through
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        lines = _links(lines_through, "regulatedunit_id", "businessline_id", chunk)
        tags = _links(tags_through, "regulatedunit_id", "tag_id", chunk, "tag__name")
        units = RegulatedUnit.objects.filter(pk__in=chunk).select_related("region").in_bulk()
        for pk in chunk:
            unit = units[pk]
            values = {
                **{name: getattr(unit, name, "") for name in fields if hasattr(unit, name)},
                "region": f"{unit.region.code} {unit.region.name}",
                "business_lines": "、".join(line_names[i] for i in sorted(lines[pk])),
                "tags": "、".join(sorted(tags[pk])),
                "risk_level": unit.risk_level and risks[unit.risk_level].split()[0],
                "status": statuses[unit.status],
            }
            yield [values.get(name, "") for name in fields]


def inspector_export_rows(queryset):
    fields = [c.field for c in INSPECTOR_COLUMNS]
    for inspector in queryset.prefetch_related("specialties", "tags").iterator(chunk_size=CHUNK):
        values = {
            **{
                name: getattr(inspector, name)
                for name in fields
                if name not in ("organization", "specialties", "tags", "active")
            },
            "organization": inspector.organization.name,
            "specialties": "、".join(line.short_name for line in inspector.specialties.all()),
            "tags": "、".join(tag.name for tag in inspector.tags.all()),
            "active": "在岗" if inspector.active else "离岗",
        }
        yield [values.get(name) for name in fields]


ITEM_EXPORT = [
    ("事项编码", "code"), ("专业类别", "business_line"), ("抽查事项", "name"), ("检查对象", "target"),
    ("事项类别", "get_category_display"), ("抽查依据", "legal_basis"), ("抽查主体", "responsible_body"),
    ("抽查内容", "content"), ("抽查方式", "method"), ("默认抽查比例（%）", "default_ratio"), ("抽查频次", "frequency"),
    ("事项层级", "get_level_display"), ("所属区划", "region"), ("版本", "version"), ("状态", "get_status_display"),
    ("认领自", "claimed_from"),
]  # fmt: skip

EXPERT_EXPORT = [
    ("类型", "get_kind_display"), ("姓名/机构名称", "name"), ("工作单位", "employer"), ("职称/资质", "title"),
    ("资质证书编号", "qualification_no"), ("统一社会信用代码", "credit_code"), ("所属区划", "region"),
    ("专业类别", "specialties"), ("联系电话", "phone"), ("入库有效期至", "valid_to"), ("有效", "active"),
]  # fmt: skip


def _attr_value(obj, attr: str):
    if attr in ("specialties", "tags"):
        return "、".join(str(getattr(x, "short_name", x)) for x in getattr(obj, attr).all())
    value = getattr(obj, attr)
    if callable(value):
        value = value()
    if isinstance(value, bool):
        return "是" if value else "否"
    if hasattr(value, "_meta"):
        return str(value)
    return float(value) if attr == "default_ratio" else value


def simple_export_rows(queryset, spec):
    for obj in queryset.iterator(chunk_size=CHUNK) if not queryset._prefetch_related_lookups else queryset:
        yield [_attr_value(obj, attr) for _, attr in spec]


def expiring_certificates(user, *, within_days: int = 30, today: dt.date | None = None):
    today = today or timezone.localdate()
    return Inspector.objects.restrict(user, "view").filter(
        active=True, cert_valid_to__gte=today, cert_valid_to__lte=today + dt.timedelta(days=within_days)
    )
