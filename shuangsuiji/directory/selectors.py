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
        units = RegulatedUnit.objects.filter(pk__in=chunk).select_related("region", "township").in_bulk()
        for pk in chunk:
            unit = units[pk]
            values = {
                **{name: getattr(unit, name, "") for name in fields if hasattr(unit, name)},
                "region": f"{unit.region.code} {unit.region.name}",
                "township": unit.township.name if unit.township_id else "",
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


# --- import templates (导入模板: drop-down lists and the example row) ---------------------------------------


def import_template_lists(kind: str, user) -> dict:
    """{field: imports.spreadsheets.Allowed} for one register's template, from what the user may enter now:
    the active 专业类别, the 标签 in use, the counties and organisations in the user's scope, the fixed choices."""
    from shuangsuiji.accounts.models import Organization
    from shuangsuiji.imports.spreadsheets import Allowed
    from shuangsuiji.regions.models import Region

    from .choices import ExpertKind, ItemCategory
    from .models import Tag

    lines = tuple(
        BusinessLine.objects.filter(active=True).order_by("order", "code").values_list("short_name", flat=True)
    )
    tags = tuple(Tag.objects.order_by("name").values_list("name", flat=True)[:500])
    prefix = user.scope_prefix if user is not None else ""
    counties = ()
    if prefix is not None:
        counties = tuple(
            f"{code} {name}"
            for code, name in Region.objects.filter(valid=True, level=Region.Level.COUNTY, code__startswith=prefix)
            .order_by("code").values_list("code", "name")
        )  # fmt: skip
    several_lines, several_tags = Allowed(lines, strict=False), Allowed(tags, strict=False)
    if kind == "unit":
        return {
            "region": Allowed(counties), "business_lines": several_lines, "tags": several_tags,
            "risk_level": Allowed(tuple(RiskLevel.values)), "status": Allowed(tuple(UnitStatus.labels)),
        }  # fmt: skip
    if kind == "inspector":
        orgs = (
            Organization.objects.in_scope(user).filter(active=True)
            if prefix is not None
            else Organization.objects.none()
        )
        return {
            "organization": Allowed(tuple(orgs.order_by("name").values_list("name", flat=True))),
            "specialties": several_lines, "tags": several_tags, "active": Allowed(("在岗", "离岗")),
        }  # fmt: skip
    if kind == "item":
        return {"business_line": Allowed(lines), "category": Allowed(tuple(ItemCategory.labels))}
    if kind == "expert":
        return {
            "kind": Allowed(tuple(ExpertKind.labels)), "region": Allowed(counties), "specialties": several_lines,
            "tags": several_tags, "active": Allowed(("有效", "无效")),
        }  # fmt: skip
    return {}


def import_template_example(kind: str, lists: dict) -> dict[str, str]:
    """The 示例 sheet's row: plausible values, taken from the lists where the register needs a known name."""

    def first(field: str, default: str) -> str:
        found = lists.get(field)
        return found.values[0] if found is not None and found.values else default

    if kind == "unit":
        return {
            "credit_code": "913703220000082U01", "name": "高青县示例宾馆有限公司", "address": "高青县田镇示例路1号",
            "region": first("region", "370322"), "business_lines": first("business_lines", "公共场所"),
            "legal_rep": "张三", "contact_phone": "0533-6960000", "licence_no": "鲁卫公证字[2024]第370322-0001号",
            "licence_valid_to": "2028-12-31", "tags": first("tags", ""), "risk_level": "B", "risk_as_of": "2026-01-15",
            "risk_source": "市场监管部门企业信用风险分类", "complaint_count": "0", "status": "在营", "note": "",
        }  # fmt: skip
    if kind == "inspector":
        return {
            "name": "李四", "cert_no": "37032200001", "cert_valid_from": "2024-01-01", "cert_valid_to": "2029-12-31",
            "organization": first("organization", "县卫生健康综合执法大队"), "position": "执法人员",
            "specialties": first("specialties", "公共场所"), "tags": first("tags", ""), "phone": "13800000000",
            "active": "在岗",
        }  # fmt: skip
    if kind == "item":
        return {
            "code": "SL-GGCS-001", "business_line": first("business_line", "公共场所"),
            "name": "公共场所卫生监督检查", "target": "住宿场所", "category": "一般", "default_ratio": "5",
            "frequency": "每年1次", "legal_basis": "《公共场所卫生管理条例》",
            "content": "卫生许可证、从业人员健康合格证明",
            "method": "双随机抽查，现场检查", "responsible_body": "县卫生健康局",
        }  # fmt: skip
    if kind == "expert":
        return {
            "kind": "专家", "name": "王五", "employer": "县人民医院", "title": "主任医师", "qualification_no": "",
            "credit_code": "", "region": first("region", "370322"), "specialties": first("specialties", "公共场所"),
            "tags": first("tags", ""), "phone": "13900000000", "valid_to": "2028-12-31", "active": "有效",
        }  # fmt: skip
    return {}
