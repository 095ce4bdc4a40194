"""Writes for 一单两库. Every function is keyword-only, atomic, validated and audited.

Import is two steps: `import_prepare` (parse + validate every row + plan, stores an ImportBatch;
writes no directory data) and `import_commit` (re-plans against the database and writes everything
in one transaction with bulk audit entries, or nothing).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from shuangsuiji.core import audit
from shuangsuiji.core.models import ObjectChange

from .choices import CLOSED_STATUSES, ImportKind, ImportMode, ImportStatus, ItemLevel, ItemStatus
from .importers import CHUNK, IMPORTERS, Importer
from .models import (
    ConflictDeclaration,
    Expert,
    ImportBatch,
    InspectionHistory,
    InspectionItem,
    Inspector,
    LeavePeriod,
    RegulatedUnit,
    RiskRating,
    Tag,
    Violation,
)
from .spreadsheets import SpreadsheetError, max_bytes, read_table

Action = ObjectChange.Action


# --- helpers -------------------------------------------------------------------------------------


def _check_region(actor, region_code: str) -> None:
    """Actors may only write inside their own region prefix (None = system/demo)."""
    if actor is None:
        return
    prefix = actor.scope_prefix
    if prefix is None or not (region_code or "").startswith(prefix):
        raise PermissionDenied("不能操作本辖区以外的数据")


def _require(actor, model, action: str) -> None:
    if actor is not None and not actor.has_perm(f"directory.{action}_{model._meta.model_name}"):
        raise PermissionDenied("您没有此操作的权限")


def is_inspector_role(actor) -> bool:
    from shuangsuiji.accounts.roles import Role

    return actor is not None and not actor.is_superuser and actor.role == Role.INSPECTOR


def check_own_declarations(actor, inspector: Inspector) -> None:
    """An 执法人员 maintains only their own leave and 回避 declarations (Inspector.user is their account)."""
    if is_inspector_role(actor) and inspector.user_id != actor.pk:
        raise PermissionDenied("执法人员只能登记或撤销本人的不可选派期间和回避申报")


def _actor_region_code(actor) -> str:
    region = getattr(actor, "region", None) if actor is not None else None
    return region.code if region is not None else ""


def ensure_tags(names) -> dict[str, int]:
    """Tag ids by name, creating missing tags (the 标签字库 grows with imports and forms)."""
    names = sorted({name.strip() for name in names if name and name.strip()})
    if not names:
        return {}
    Tag.objects.bulk_create([Tag(name=name) for name in names], ignore_conflicts=True, batch_size=CHUNK)
    found: dict[str, int] = {}
    for start in range(0, len(names), CHUNK):
        found.update(Tag.objects.filter(name__in=names[start : start + CHUNK]).values_list("name", "pk"))
    return found


def _save(obj, *, actor, m2m: dict | None = None, message: str = ""):
    """full_clean + save + set m2m + audit (create or update, with the before-snapshot)."""
    creating = obj.pk is None
    before = None if creating else audit.snapshot(type(obj).objects.get(pk=obj.pk))
    obj.full_clean()
    obj.save()
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(values)
    audit.log_change(obj, Action.CREATE if creating else Action.UPDATE, user=actor, before=before, message=message)
    return obj


def _assign(obj, data: dict, allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError(f"不可修改的字段：{', '.join(sorted(unknown))}")
    for name, value in data.items():
        setattr(obj, name, value)


# --- regulated units -----------------------------------------------------------------------------

UNIT_FIELDS = {
    "credit_code", "name", "address", "region", "legal_rep", "contact_phone", "licence_no", "licence_valid_to",
    "complaint_count", "status", "note",
}  # fmt: skip


@transaction.atomic
def unit_create(*, actor, data: dict, business_lines, tags=()) -> RegulatedUnit:
    _require(actor, RegulatedUnit, "add")
    unit = RegulatedUnit()
    _assign(unit, data, UNIT_FIELDS)
    _check_region(actor, unit.region.code)
    if not business_lines:
        raise ValidationError({"business_lines": "请至少选择一个专业类别"})
    return _save(unit, actor=actor, m2m={"business_lines": business_lines, "tags": tags})


@transaction.atomic
def unit_update(*, actor, unit: RegulatedUnit, data: dict, business_lines=None, tags=None) -> RegulatedUnit:
    _require(actor, RegulatedUnit, "change")
    _check_region(actor, unit.region.code)
    old_status = unit.status
    _assign(unit, data, UNIT_FIELDS - {"credit_code"})
    _check_region(actor, unit.region.code)
    if unit.status != old_status:
        unit.status_changed_on = timezone.localdate()
    m2m = {name: value for name, value in (("business_lines", business_lines), ("tags", tags)) if value is not None}
    if "business_lines" in m2m and not m2m["business_lines"]:
        raise ValidationError({"business_lines": "请至少选择一个专业类别"})
    return _save(unit, actor=actor, m2m=m2m)


@transaction.atomic
def unit_set_risk(*, actor, unit: RegulatedUnit, level: str, as_of: dt.date, source: str = "") -> RiskRating:
    """Record a credit-risk class; the latest (by date) becomes the unit's current class.

    Needs `add_riskrating` (not granted to 执法人员: the class moves draw probabilities)."""
    _require(actor, RiskRating, "add")
    _check_region(actor, unit.region.code)
    rating = RiskRating(
        unit=unit, level=level, as_of=as_of, source=source, previous_level=unit.risk_level, created_by=actor
    )
    rating.full_clean()
    rating.save()
    audit.log_change(rating, Action.CREATE, user=actor)
    if unit.risk_as_of is None or as_of >= unit.risk_as_of:
        before = audit.snapshot(unit)
        unit.risk_level, unit.risk_as_of, unit.risk_source = level, as_of, source
        unit.save(update_fields=["risk_level", "risk_as_of", "risk_source", "updated_at"])
        audit.log_change(unit, Action.UPDATE, user=actor, before=before, message="信用风险分类变更")
    return rating


@transaction.atomic
def violation_add(*, actor, unit: RegulatedUnit, occurred_on: dt.date, description: str, document_no: str = ""):
    _require(actor, RegulatedUnit, "change")
    _check_region(actor, unit.region.code)
    record = Violation(unit=unit, occurred_on=occurred_on, description=description, document_no=document_no)
    record.full_clean()
    record.save()
    RegulatedUnit.objects.filter(pk=unit.pk).update(violation_count=unit.violations.count())
    audit.log_change(record, Action.CREATE, user=actor)
    return record


@transaction.atomic
def inspection_history_add(
    *, actor, unit: RegulatedUnit, inspected_on: dt.date, item_name: str, result: str, source=""
):
    _require(actor, RegulatedUnit, "change")
    _check_region(actor, unit.region.code)
    record = InspectionHistory(unit=unit, inspected_on=inspected_on, item_name=item_name, result=result, source=source)
    record.full_clean()
    record.save()
    latest = unit.inspections.order_by("-inspected_on").values_list("inspected_on", flat=True).first()
    RegulatedUnit.objects.filter(pk=unit.pk).update(inspection_count=unit.inspections.count(), last_inspected_on=latest)
    audit.log_change(record, Action.CREATE, user=actor)
    return record


# --- inspectors, leave, conflicts, experts ---------------------------------------------------------

INSPECTOR_FIELDS = {
    "name", "cert_no", "cert_valid_from", "cert_valid_to", "organization", "position", "phone", "user", "active"
}  # fmt: skip


@transaction.atomic
def inspector_save(*, actor, inspector: Inspector | None = None, data: dict, specialties=None, tags=None) -> Inspector:
    creating = inspector is None
    _require(actor, Inspector, "add" if creating else "change")
    inspector = inspector or Inspector()
    if not creating:
        _check_region(actor, inspector.organization.region.code)
    _assign(inspector, data, INSPECTOR_FIELDS)
    _check_region(actor, inspector.organization.region.code)
    m2m = {name: value for name, value in (("specialties", specialties), ("tags", tags)) if value is not None}
    return _save(inspector, actor=actor, m2m=m2m)


@transaction.atomic
def leave_add(*, actor, inspector: Inspector, start: dt.date, end: dt.date, reason: str) -> LeavePeriod:
    _require(actor, LeavePeriod, "add")
    _check_region(actor, inspector.organization.region.code)
    check_own_declarations(actor, inspector)
    leave = LeavePeriod(inspector=inspector, start=start, end=end, reason=reason)
    if end < start:
        raise ValidationError({"end": "结束日期不能早于开始日期"})
    return _save(leave, actor=actor)


@transaction.atomic
def leave_delete(*, actor, leave: LeavePeriod) -> None:
    _require(actor, LeavePeriod, "change")
    _check_region(actor, leave.inspector.organization.region.code)
    check_own_declarations(actor, leave.inspector)
    before = audit.snapshot(leave)
    audit.append([audit.entry_for(leave, Action.DELETE, before=before)], user=actor)
    leave.delete()


@transaction.atomic
def conflict_add(*, actor, inspector: Inspector, unit: RegulatedUnit, relation: str, start: dt.date, end=None, note=""):
    _require(actor, ConflictDeclaration, "add")
    _check_region(actor, inspector.organization.region.code)
    check_own_declarations(actor, inspector)
    declaration = ConflictDeclaration(
        inspector=inspector, unit=unit, relation=relation, start=start, end=end, note=note
    )
    if end is not None and end < start:
        raise ValidationError({"end": "终止日期不能早于起始日期"})
    return _save(declaration, actor=actor, message=f"回避申报：{unit.name}")


@transaction.atomic
def conflict_delete(*, actor, declaration: ConflictDeclaration) -> None:
    """Withdrawing a 回避 declaration needs the approver (科室负责人) or an administrator, even for one's own:
    the inspector asks, the approver removes it."""
    if actor is not None and not actor.has_perm("directory.approve_conflictdeclaration"):
        raise PermissionDenied("撤销回避申报须由科室负责人（审批人）或系统管理员操作")
    _check_region(actor, declaration.inspector.organization.region.code)
    before = audit.snapshot(declaration)
    audit.append([audit.entry_for(declaration, Action.DELETE, before=before)], user=actor)
    declaration.delete()


EXPERT_FIELDS = {
    "kind", "name", "employer", "title", "qualification_no", "credit_code", "region", "phone", "valid_to", "active"
}  # fmt: skip


@transaction.atomic
def expert_save(*, actor, expert: Expert | None = None, data: dict, specialties=None, tags=None) -> Expert:
    creating = expert is None
    _require(actor, Expert, "add" if creating else "change")
    expert = expert or Expert()
    if not creating:
        _check_region(actor, expert.region.code)
    _assign(expert, data, EXPERT_FIELDS)
    _check_region(actor, expert.region.code)
    m2m = {name: value for name, value in (("specialties", specialties), ("tags", tags)) if value is not None}
    return _save(expert, actor=actor, m2m=m2m)


# --- inspection items ----------------------------------------------------------------------------

ITEM_FIELDS = {
    "code", "business_line", "name", "target", "legal_basis", "responsible_body", "content", "method",
    "default_ratio", "frequency", "category", "region",
}  # fmt: skip
LEVEL_OF_REGION = {"province": ItemLevel.PROVINCE, "city": ItemLevel.CITY, "county": ItemLevel.COUNTY}


def _item_region_check(actor, item: InspectionItem) -> None:
    if item.region is None:
        if actor is not None and not actor.is_superuser:
            raise PermissionDenied("只有超级管理员可以维护国家级抽查事项")
        return
    _check_region(actor, item.region.code)


@transaction.atomic
def item_create(*, actor, data: dict) -> InspectionItem:
    _require(actor, InspectionItem, "add")
    item = InspectionItem()
    _assign(item, data, ITEM_FIELDS)
    item.level = LEVEL_OF_REGION[item.region.level] if item.region else ItemLevel.NATIONAL
    _item_region_check(actor, item)
    if item.region is not None and InspectionItem.objects.filter(region=item.region, code=item.code).exists():
        raise ValidationError({"code": f"本区划已有事项编码 {item.code}，如需修改请创建新版本"})
    item.status = ItemStatus.DRAFT
    return _save(item, actor=actor)


@transaction.atomic
def item_update(*, actor, item: InspectionItem, data: dict) -> InspectionItem:
    """Only drafts can be edited: a published version is immutable (create a new version instead)."""
    _require(actor, InspectionItem, "change")
    _item_region_check(actor, item)
    if not item.is_editable:
        raise ValidationError("已发布的抽查事项不可修改，请创建新版本")
    _assign(item, data, ITEM_FIELDS - {"code", "region"})
    return _save(item, actor=actor)


@transaction.atomic
def item_publish(*, actor, item: InspectionItem) -> InspectionItem:
    _require(actor, InspectionItem, "publish")
    _item_region_check(actor, item)
    item = InspectionItem.objects.select_for_update().get(pk=item.pk)
    if item.status != ItemStatus.DRAFT:
        raise ValidationError("只有草稿状态的抽查事项可以发布")
    item.full_clean()
    previous = item.previous_version
    if previous is not None and previous.status == ItemStatus.PUBLISHED:
        previous.status = ItemStatus.SUPERSEDED
        previous.save(update_fields=["status", "updated_at"])
        audit.log_event(Action.WORKFLOW, obj=previous, user=actor, message=f"被第{item.version}版替代")
    item.status, item.published_at = ItemStatus.PUBLISHED, timezone.now()
    item.save(update_fields=["status", "published_at", "updated_at"])
    audit.log_event(
        Action.WORKFLOW, obj=item, user=actor, message=f"发布抽查事项第{item.version}版", data=audit.snapshot(item)
    )
    return item


def _copy_item(item: InspectionItem, **overrides) -> InspectionItem:
    fields = {name: getattr(item, name) for name in ITEM_FIELDS}
    return InspectionItem(**{**fields, "level": item.level, **overrides})


@transaction.atomic
def item_new_version(*, actor, item: InspectionItem) -> InspectionItem:
    """Start version+1 as a draft copy of a published item (the published one stays untouched)."""
    _require(actor, InspectionItem, "add")
    _item_region_check(actor, item)
    if item.status != ItemStatus.PUBLISHED:
        raise ValidationError("只能基于已发布的版本创建新版本")
    if InspectionItem.objects.filter(previous_version=item).exists():
        raise ValidationError("该版本已有后续版本（草稿或已发布），请在其上修改")
    draft = _copy_item(item, version=item.version + 1, previous_version=item, claimed_from=item.claimed_from)
    return _save(draft, actor=actor, message=f"基于第{item.version}版创建新版本")


@transaction.atomic
def item_claim(*, actor, item: InspectionItem, region) -> InspectionItem:
    """认领: copy a published upper-level item into `region` (a lower level) as a draft to adapt and publish."""
    _require(actor, InspectionItem, "add")
    _check_region(actor, region.code)
    if item.status != ItemStatus.PUBLISHED:
        raise ValidationError("只能认领已发布的抽查事项")
    if item.region is not None and (
        item.region_id == region.pk or not region.code.startswith(item.region.scope_prefix)
    ):
        raise ValidationError("只能认领上级区划发布的抽查事项")
    if InspectionItem.objects.filter(region=region, code=item.code).exists():
        raise ValidationError(f"本区划已认领或已有事项编码 {item.code}")
    claimed = _copy_item(item, region=region, level=LEVEL_OF_REGION[region.level], version=1, claimed_from=item)
    claimed.status = ItemStatus.DRAFT
    claimed = _save(claimed, actor=actor, message=f"认领上级事项 {item}")
    audit.log_event(Action.WORKFLOW, obj=item, user=actor, message=f"被 {region.name} 认领")
    return claimed


# --- import ----------------------------------------------------------------------------------------


def _pack(payload: list[dict]) -> dict:
    if not payload:
        return {"fields": [], "rows": []}
    fields = list(payload[0])
    return {"fields": fields, "rows": [[row[name] for name in fields] for row in payload]}


def _unpack(packed: dict) -> list[dict]:
    fields = packed.get("fields", [])
    return [dict(zip(fields, row, strict=True)) for row in packed.get("rows", [])]


def _counts(plan: list[dict]) -> dict[str, int]:
    counts = dict.fromkeys(("create", "update", "close", "unchanged"), 0)
    for entry in plan:
        counts[entry["action"]] += 1
    return counts


def _report(plan: list[dict], mode: str) -> list[dict]:
    """What the preview shows row by row: everything but unchanged rows (plain creates only in update mode)."""
    return [e for e in plan if e["action"] != "unchanged" and (mode == ImportMode.UPDATE or e["action"] != "create")]


def import_prepare(*, actor, kind: str, mode: str, data: bytes, filename: str) -> ImportBatch:
    """Dry run: parse and validate the whole file, plan the changes, store the batch. No directory writes."""
    model = IMPORTERS[kind].model
    _require(actor, model, "import")
    if mode not in ImportMode.values:
        raise ValidationError("未知的导入方式")
    digest = hashlib.sha256(data).hexdigest()
    batch = ImportBatch(
        kind=kind, mode=mode, region_code=_actor_region_code(actor), file_name=PurePath(filename).name[:255],
        file_sha256=digest, file_size=len(data), created_by=actor, status=ImportStatus.INVALID,
    )  # fmt: skip
    try:
        importer = IMPORTERS[kind](user=actor, mode=mode)
        result = importer.validate(read_table(data, filename))
    except SpreadsheetError as exc:
        batch.errors, batch.count_error = [[0, "", str(exc)]], 1
    else:
        batch.rows_total, batch.errors, batch.warnings = result.rows_total, result.errors, result.warnings
        batch.count_error = len({row for row, _, _ in result.errors})
        if not result.errors:
            plan = importer.plan(result.payload)
            _set_counts(batch, plan)
            batch.report = _report(plan, mode)
            batch.payload = _pack(result.payload)
            batch.status = ImportStatus.READY
    suffix = PurePath(filename).suffix.lower()[:8]
    with transaction.atomic():
        if data and len(data) <= max_bytes():  # keep the evidence; oversized uploads are refused unread
            batch.stored_file = default_storage.save(f"imports/{digest[:2]}/{digest}{suffix}", ContentFile(data))
        batch.full_clean()
        batch.save()
        audit.log_event(
            Action.IMPORT, obj=batch, user=actor,
            message=(
                f"上传{batch.get_kind_display()}导入文件 {batch.file_name}："
                f"{batch.rows_total} 行，{batch.count_error} 行有错误"
            ),
            data={"sha256": digest, "rows": batch.rows_total, "errors": batch.count_error, "mode": mode},
        )  # fmt: skip
    return batch


def _set_counts(batch: ImportBatch, plan: list[dict]) -> None:
    counts = _counts(plan)
    batch.count_create, batch.count_update = counts["create"], counts["update"]
    batch.count_close, batch.count_unchanged = counts["close"], counts["unchanged"]


def import_commit(*, actor, batch: ImportBatch) -> ImportBatch:
    """Write a validated batch all-or-nothing. The plan is recomputed against the database now."""
    importer: Importer = IMPORTERS[batch.kind](user=actor, mode=batch.mode)
    _require(actor, importer.model, "import")
    if actor is not None and batch.created_by_id != actor.pk:
        raise PermissionDenied("只能确认本人上传的导入批次")
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ImportStatus.READY:
            raise ValidationError(f"该批次当前状态为“{batch.get_status_display()}”，不能导入")
        payload = _unpack(batch.payload)
        plan = importer.plan(payload)
        if batch.mode == ImportMode.CREATE:
            taken = [e["key"] for e in plan if e["action"] != "create"]
            if taken:
                raise ValidationError(f"预览后以下记录已被登记，请重新上传：{'、'.join(taken[:20])}")
        writer = WRITERS[batch.kind]
        writer(actor=actor, importer=importer, payload=payload, plan=plan, message=f"导入批次 #{batch.pk}")
        _set_counts(batch, plan)
        batch.report = _report(plan, batch.mode)
        batch.status, batch.committed_at, batch.payload = ImportStatus.COMMITTED, timezone.now(), {}
        batch.save()
        audit.log_event(
            Action.IMPORT, obj=batch, user=actor,
            message=(
                f"确认导入 {batch.file_name}：新增 {batch.count_create}，更新 {batch.count_update}，"
                f"注销/停业 {batch.count_close}，无变化 {batch.count_unchanged}"
            ),
            data={"sha256": batch.file_sha256, **_counts(plan)},
        )  # fmt: skip
    return batch


@transaction.atomic
def import_cancel(*, actor, batch: ImportBatch) -> ImportBatch:
    if actor is not None and batch.created_by_id != actor.pk:
        raise PermissionDenied("只能取消本人上传的导入批次")
    if batch.status not in (ImportStatus.READY, ImportStatus.INVALID):
        raise ValidationError("该批次已导入或已取消")
    batch.status, batch.payload = ImportStatus.CANCELLED, {}
    batch.save(update_fields=["status", "payload", "updated_at"])
    audit.log_event(Action.IMPORT, obj=batch, user=actor, message=f"取消导入 {batch.file_name}")
    return batch


def _fast_snapshot(obj, m2m: dict[str, list[int]]) -> dict:
    """audit.snapshot() without one query per many-to-many field (ids come from the import)."""
    data = {f.attname: f.value_from_object(obj) for f in obj._meta.concrete_fields}
    data.update({name: sorted(ids) for name, ids in m2m.items()})
    return data


ROWS_PER_INSERT = 400  # x at most 23 columns stays far below SQLite's and PostgreSQL's parameter limits


def _insert_rows(table: str, columns: list[str], rows: list[tuple]) -> None:
    """Multi-row INSERT (one statement per ROWS_PER_INSERT rows), SQL text built once per size.

    Django's bulk_create compiles one placeholder per value through the field machinery, which
    dominates a 100,000-row import; here values are already prepared by the caller."""
    if not rows:
        return
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES "
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), ROWS_PER_INSERT):
            chunk = rows[start : start + ROWS_PER_INSERT]
            cursor.execute(head + ", ".join([one] * len(chunk)), [value for row in chunk for value in row])


def _insert_links(through, left: str, right: str, pairs: list[tuple[int, int]]) -> None:
    """Many-to-many link rows (unit id, line/tag id)."""
    _insert_rows(through._meta.db_table, [left, right], pairs)


def _insert_objects(model, objs: list) -> None:
    """INSERT unsaved instances; values are prepared by the fields themselves (defaults, auto_now_add,
    database adapters). Primary keys are not returned: callers read them back by natural key."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    rows = [tuple(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields) for obj in objs]
    _insert_rows(model._meta.db_table, [f.column for f in fields], rows)


def _parse_date(text: str):
    return dt.date.fromisoformat(text) if text else None


UNIT_PAYLOAD_FIELDS = {
    "name": "name", "address": "address", "region_id": "region_id", "legal_rep": "legal_rep",
    "contact_phone": "contact_phone", "licence_no": "licence_no", "licence_valid_to": "licence_valid_to",
    "risk_level": "risk_level", "risk_as_of": "risk_as_of", "risk_source": "risk_source",
    "complaint_count": "complaint_count", "status": "status", "note": "note",
}  # fmt: skip
DATE_FIELDS = {"licence_valid_to", "risk_as_of", "cert_valid_from", "cert_valid_to"}


def _value(name: str, value):
    return _parse_date(value) if name in DATE_FIELDS else value


def _write_units(*, actor, importer, payload, plan, message: str) -> None:
    regions = importer.ctx.regions_by_pk()
    for region_id in {row["region_id"] for row in payload}:
        _check_region(actor, regions[region_id].code)
    tag_ids = ensure_tags(name for row in payload for name in row["tag_names"])
    existing = importer.load_existing({e["key"] for e in plan if e["action"] != "create"})
    today = timezone.localdate()
    lines_through, tags_through = RegulatedUnit.business_lines.through, RegulatedUnit.tags.through
    new_units, new_lines, new_tags, ratings, entries = [], [], [], [], []
    for row, entry in zip(payload, plan, strict=True):
        if entry["action"] != "create":
            continue
        unit = RegulatedUnit(
            credit_code=row["credit_code"], region=regions[row["region_id"]],
            **{attr: _value(name, row[name]) for name, attr in UNIT_PAYLOAD_FIELDS.items() if name != "region_id"},
        )  # fmt: skip
        if unit.status in CLOSED_STATUSES:
            unit.status_changed_on = today
        new_units.append((unit, row))
    _insert_objects(RegulatedUnit, [unit for unit, _ in new_units])
    codes = [unit.credit_code for unit, _ in new_units]
    pks: dict[str, int] = {}
    for start in range(0, len(codes), CHUNK):
        pks.update(
            RegulatedUnit.objects.filter(credit_code__in=codes[start : start + CHUNK]).values_list("credit_code", "pk")
        )
    for unit, _ in new_units:
        unit.pk = pks[unit.credit_code]
        unit._state.adding = False
    for unit, row in new_units:
        tags = [tag_ids[name] for name in row["tag_names"]]
        new_lines += [(unit.pk, pk) for pk in row["line_ids"]]
        new_tags += [(unit.pk, pk) for pk in tags]
        if unit.risk_level:
            ratings.append(
                RiskRating(
                    unit_id=unit.pk,
                    level=unit.risk_level,
                    as_of=unit.risk_as_of,
                    source=unit.risk_source,
                    created_by=actor,
                )
            )
        after = _fast_snapshot(unit, {"business_lines": row["line_ids"], "tags": tags})
        entries.append(audit.entry_for(unit, Action.CREATE, after=after, message=message))

    changed, line_reset, tag_reset = [], [], []
    for row, entry in zip(payload, plan, strict=True):
        if entry["action"] not in ("update", "close"):
            continue
        unit = existing[row["credit_code"]]
        old_tags = unit.tag_ids
        before = _fast_snapshot(unit, {"business_lines": unit.line_ids, "tags": old_tags})
        present = set(row["present"])
        old_status, old_risk = unit.status, (unit.risk_level, unit.risk_as_of)
        for name, attr in UNIT_PAYLOAD_FIELDS.items():
            if name in present:
                setattr(unit, attr, _value(name, row[name]))
        unit.region = regions[unit.region_id]  # keeps the audit entry's region right when it moved
        if unit.status != old_status:
            unit.status_changed_on = today
        if unit.risk_level and (unit.risk_level, unit.risk_as_of) != old_risk:
            ratings.append(
                RiskRating(
                    unit=unit,
                    level=unit.risk_level,
                    as_of=unit.risk_as_of,
                    source=unit.risk_source,
                    previous_level=old_risk[0],
                    created_by=actor,
                )
            )
        line_ids, tags = unit.line_ids, old_tags
        if "line_ids" in present and sorted(row["line_ids"]) != sorted(unit.line_ids):
            line_ids = row["line_ids"]
            line_reset.append(unit.pk)
            new_lines += [(unit.pk, pk) for pk in line_ids]
        if "tag_names" in present and sorted(row["tag_names"]) != sorted(unit.tag_names):
            tags = [tag_ids[name] for name in row["tag_names"]]
            tag_reset.append(unit.pk)
            new_tags += [(unit.pk, pk) for pk in tags]
        unit.updated_at = timezone.now()
        changed.append(unit)
        after = _fast_snapshot(unit, {"business_lines": line_ids, "tags": tags})
        entries.append(audit.entry_for(unit, Action.UPDATE, before=before, after=after, message=message))
    update_fields = [*UNIT_PAYLOAD_FIELDS.values(), "status_changed_on", "updated_at"]
    RegulatedUnit.objects.bulk_update(changed, update_fields, batch_size=500)
    for start in range(0, len(line_reset), CHUNK):
        lines_through.objects.filter(regulatedunit_id__in=line_reset[start : start + CHUNK]).delete()
    for start in range(0, len(tag_reset), CHUNK):
        tags_through.objects.filter(regulatedunit_id__in=tag_reset[start : start + CHUNK]).delete()
    _insert_links(lines_through, "regulatedunit_id", "businessline_id", new_lines)
    _insert_links(tags_through, "regulatedunit_id", "tag_id", new_tags)
    _insert_objects(RiskRating, ratings)
    audit.append(entries, user=actor)


INSPECTOR_PAYLOAD_FIELDS = (
    "name", "cert_valid_from", "cert_valid_to", "organization_id", "position", "phone", "active"
)  # fmt: skip


def _write_inspectors(*, actor, importer, payload, plan, message: str) -> None:
    tag_ids = ensure_tags(name for row in payload for name in row["tag_names"])
    existing = importer.load_existing({e["key"] for e in plan if e["action"] != "create"})
    organizations = {org.pk: org for org in importer.ctx.organizations.values()}
    entries = []
    for row, entry in zip(payload, plan, strict=True):
        if entry["action"] == "unchanged":
            continue
        _check_region(actor, organizations[row["organization_id"]].region.code)
        inspector = existing.get(row["cert_no"]) or Inspector(cert_no=row["cert_no"])
        creating = inspector.pk is None
        before = None if creating else audit.snapshot(inspector)
        present = set(row["present"]) if not creating else set(INSPECTOR_PAYLOAD_FIELDS) | {"line_ids", "tag_names"}
        for name in INSPECTOR_PAYLOAD_FIELDS:
            if name in present:
                setattr(inspector, name, _value(name, row[name]))
        inspector.full_clean(validate_unique=False)
        inspector.save()
        if "line_ids" in present:
            inspector.specialties.set(row["line_ids"])
        if "tag_names" in present:
            inspector.tags.set([tag_ids[name] for name in row["tag_names"]])
        action = Action.CREATE if creating else Action.UPDATE
        entries.append(audit.entry_for(inspector, action, before=before, message=message))
    audit.append(entries, user=actor)


ITEM_PAYLOAD_FIELDS = (
    "name", "target", "business_line_id", "category", "default_ratio", "frequency", "legal_basis", "content",
    "method", "responsible_body",
)  # fmt: skip


def _write_items(*, actor, importer, payload, plan, message: str) -> None:
    """New codes become version-1 drafts in the importer's region; drafts are updated; published versions are
    refused (the plan raises before this runs, and is_editable is checked again here)."""
    region = importer.region
    probe = InspectionItem(region=region)
    _item_region_check(actor, probe)
    level = LEVEL_OF_REGION[region.level] if region is not None else ItemLevel.NATIONAL
    existing = importer.load_existing({e["key"] for e in plan if e["action"] != "create"})
    entries = []
    for row, entry in zip(payload, plan, strict=True):
        if entry["action"] == "unchanged":
            continue
        item = existing.get(row["code"])
        creating = item is None
        if creating:
            item = InspectionItem(code=row["code"], region=region, level=level, version=1, status=ItemStatus.DRAFT)
        elif not item.is_editable:
            raise ValidationError(f"第{row['row']}行：已发布的事项不能修改，请新建版本（{item}）")
        before = None if creating else audit.snapshot(item)
        present = set(ITEM_PAYLOAD_FIELDS) if creating else set(row["present"])
        for name in ITEM_PAYLOAD_FIELDS:
            if name in present:
                setattr(item, name, Decimal(row[name]) if name == "default_ratio" else row[name])
        item.full_clean()
        item.save()
        action = Action.CREATE if creating else Action.UPDATE
        entries.append(audit.entry_for(item, action, before=before, message=message))
    audit.append(entries, user=actor)


EXPERT_PAYLOAD_FIELDS = (
    "kind", "name", "employer", "title", "qualification_no", "credit_code", "region_id", "phone", "valid_to", "active"
)  # fmt: skip


def _write_experts(*, actor, importer, payload, plan, message: str) -> None:
    tag_ids = ensure_tags(name for row in payload for name in row["tag_names"])
    existing = importer.load_existing({e["key"] for e in plan if e["action"] != "create"})
    regions = importer.ctx.regions_by_pk()
    entries = []
    for row, entry in zip(payload, plan, strict=True):
        if entry["action"] == "unchanged":
            continue
        expert = existing.get(row["key"]) or Expert()
        creating = expert.pk is None
        if not creating:
            _check_region(actor, expert.region.code)
        before = None if creating else audit.snapshot(expert)
        present = set(row["present"]) if not creating else set(EXPERT_PAYLOAD_FIELDS) | {"line_ids", "tag_names"}
        for name in EXPERT_PAYLOAD_FIELDS:
            if name in present:
                setattr(expert, name, _parse_date(row[name]) if name == "valid_to" else row[name])
        if "region_id" in present:
            expert.region = regions[row["region_id"]]
        _check_region(actor, expert.region.code)
        try:
            expert.full_clean()
        except ValidationError as exc:
            raise ValidationError(f"第{row['row']}行：{'；'.join(exc.messages)}") from exc
        try:
            with transaction.atomic():
                expert.save()
        except IntegrityError as exc:  # a concurrent import or edit took the same number first
            raise ValidationError(
                f"第{row['row']}行：资质证书编号或统一社会信用代码刚被其他记录使用，请重新上传预览"
            ) from exc
        if "line_ids" in present:
            expert.specialties.set(row["line_ids"])
        if "tag_names" in present:
            expert.tags.set([tag_ids[name] for name in row["tag_names"]])
        action = Action.CREATE if creating else Action.UPDATE
        entries.append(audit.entry_for(expert, action, before=before, message=message))
    audit.append(entries, user=actor)


WRITERS = {
    ImportKind.UNIT: _write_units, ImportKind.INSPECTOR: _write_inspectors,
    ImportKind.ITEM: _write_items, ImportKind.EXPERT: _write_experts,
}  # fmt: skip


# --- export ---------------------------------------------------------------------------------------


def record_export(*, actor, model, count: int, filters: dict) -> None:
    """导出留痕: who exported which list with which filters."""
    _require(actor, model, "export")
    audit.log_event(
        Action.EXPORT, user=actor, region_code=_actor_region_code(actor),
        message=f"导出{model._meta.verbose_name_plural} {count} 条",
        data={"model": model._meta.label_lower, "count": count, "filters": filters},
    )  # fmt: skip


def import_sync(*, actor, kind: str, mode: str, table, source: str) -> ImportBatch:
    """审管联动 / API sync: validate and commit in one call, with the Excel import's rules and all-or-nothing write.

    `table` is a `spreadsheets.Table` built from JSON records. Invalid input writes nothing to the directory
    and returns an INVALID batch whose `errors` name the record (1-based) and field; the attempt is audited.
    """
    importer: Importer = IMPORTERS[kind](user=actor, mode=mode)
    _require(actor, importer.model, "import")
    if mode not in ImportMode.values:
        raise ValidationError("未知的导入方式")
    canonical = repr((table.headers, table.rows)).encode()
    batch = ImportBatch(
        kind=kind, mode=mode, region_code=_actor_region_code(actor), file_name=source[:255],
        file_sha256=hashlib.sha256(canonical).hexdigest(), file_size=len(canonical), created_by=actor,
        status=ImportStatus.INVALID,
    )  # fmt: skip
    with transaction.atomic():
        result = importer.validate(table)
        batch.rows_total, batch.errors, batch.warnings = result.rows_total, result.errors, result.warnings
        batch.count_error = len({row for row, _, _ in result.errors})
        if not result.errors:
            plan = importer.plan(result.payload)
            writer = WRITERS[kind]
            writer(actor=actor, importer=importer, payload=result.payload, plan=plan, message=f"接口同步：{source}")
            _set_counts(batch, plan)
            batch.report = _report(plan, mode)
            batch.status, batch.committed_at = ImportStatus.COMMITTED, timezone.now()
        batch.full_clean()
        batch.save()
        audit.log_event(
            Action.IMPORT, obj=batch, user=actor,
            message=(
                f"接口同步{batch.get_kind_display()}（{source}）：{batch.rows_total} 条，"
                + (f"{batch.count_error} 条有错误，未写入" if result.errors else
                   f"新增 {batch.count_create}，更新 {batch.count_update}，注销/停业 {batch.count_close}")
            ),
            data={"rows": batch.rows_total, "errors": batch.count_error, "mode": mode},
        )  # fmt: skip
    return batch
