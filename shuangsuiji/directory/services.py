"""Writes for 一单两库. Every function is keyword-only, takes a required `user=` (a user or `SYSTEM`), checks it
first through `core.permissions.require`, and is atomic, validated and audited.

Import runs on `shuangsuiji.imports` (prepare = dry run and preview, commit = all-or-nothing, cancel, sync); this
module contributes the four registers' writers (`_write_units` … `_write_experts`) and the thin entry points
`import_prepare` / `import_commit` / `import_cancel` / `import_sync` that pick the register by `kind`.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from itertools import islice, repeat

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from shuangsuiji.accounts.roles import Role
from shuangsuiji.core import audit
from shuangsuiji.core.concurrency import lock_for_edit
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.permissions import is_system, require, require_model_perm
from shuangsuiji.imports import services as import_engine
from shuangsuiji.imports.bulk import (
    CHUNK_ROWS,
    RowMaker,
    allocate_ids,
    date_text,
    fast_snapshot,
    insert_links,
    insert_objects,
    parse_date,
    read_back_ids,
)
from shuangsuiji.imports.columns import Rows
from shuangsuiji.imports.spreadsheets import Table

from .choices import CLOSED_STATUSES, ImportKind, ItemLevel, ItemStatus
from .importers import CHUNK, IMPORTERS
from .models import (
    BusinessLine,
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

Action = ObjectChange.Action


# --- helpers -------------------------------------------------------------------------------------


def _is_inspector_role(user) -> bool:
    return not is_system(user) and not user.is_superuser and user.role == Role.INSPECTOR


def check_own_declarations(*, user, inspector: Inspector) -> None:
    """An 执法人员 maintains only their own leave and 回避 declarations (Inspector.user is their account).

    Also what the views ask before showing the leave/回避 forms and buttons."""
    require(user, None)
    if _is_inspector_role(user) and inspector.user_id != user.pk:
        raise PermissionDenied("执法人员只能登记或撤销本人的不可选派期间和回避申报")


def _user_region_code(user) -> str:
    region = getattr(user, "region", None) if user is not None else None
    return region.code if region is not None else ""


@transaction.atomic
def ensure_tags(*, user, names) -> dict[str, int]:
    """Tag ids by name, creating missing tags (the 标签字库 grows with imports and forms).

    Tags are a shared vocabulary, not region data: any user allowed to write a unit, inspector or expert may add
    one. New tags get one bulk audit entry each (`audit.append`), so the 标签字库 growth is on the chain."""
    require(user, None)
    names = sorted({name.strip() for name in names if name and name.strip()})
    if not names:
        return {}
    found: dict[str, int] = {}
    for start in range(0, len(names), CHUNK):
        found.update(Tag.objects.filter(name__in=names[start : start + CHUNK]).values_list("name", "pk"))
    missing = [name for name in names if name not in found]
    if missing:
        Tag.objects.bulk_create([Tag(name=name) for name in missing], ignore_conflicts=True, batch_size=CHUNK)
        created = []
        for start in range(0, len(missing), CHUNK):
            created += list(Tag.objects.filter(name__in=missing[start : start + CHUNK]))
        audit.append([audit.entry_for(tag, Action.CREATE, message="新增标签") for tag in created], user=user)
        found.update((tag.name, tag.pk) for tag in created)
    return found


def _save(obj, *, user, m2m: dict | None = None, message: str = ""):
    """full_clean + save + set m2m + audit (create or update, with the before-snapshot)."""
    creating = obj.pk is None
    before = None if creating else audit.snapshot(type(obj).objects.get(pk=obj.pk))
    if hasattr(obj, "check_invariants"):
        obj.check_invariants()
    obj.full_clean()
    obj.save()
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(values)
    audit.log_change(obj, Action.CREATE if creating else Action.UPDATE, user=user, before=before, message=message)
    return obj


def _assign(obj, data: dict, allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError(f"不可修改的字段：{', '.join(sorted(unknown))}")
    for name, value in data.items():
        setattr(obj, name, value)


# --- regulated units -----------------------------------------------------------------------------

UNIT_FIELDS = {
    "credit_code", "name", "address", "region", "township", "legal_rep", "contact_phone", "licence_no",
    "licence_valid_to", "complaint_count", "status", "note",
}  # fmt: skip


@transaction.atomic
def unit_create(*, user, data: dict, business_lines, tags=()) -> RegulatedUnit:
    require_model_perm(user, RegulatedUnit, "add")
    unit = RegulatedUnit()
    _assign(unit, data, UNIT_FIELDS)
    require(user, None, unit)
    if not business_lines:
        raise ValidationError({"business_lines": "请至少选择一个专业类别"})
    return _save(unit, user=user, m2m={"business_lines": business_lines, "tags": tags})


@transaction.atomic
def unit_update(
    *, user, unit: RegulatedUnit, data: dict, business_lines=None, tags=None, expected_version: int | None = None
) -> RegulatedUnit:
    """`expected_version`: the `lock_version` the form was loaded at (None = no check); a stale one raises
    `core.concurrency.EditConflict`."""
    require_model_perm(user, RegulatedUnit, "change")
    require(user, None, unit)
    unit = lock_for_edit(unit, expected_version)
    require(user, None, unit)
    old_status = unit.status
    _assign(unit, data, UNIT_FIELDS - {"credit_code"})
    require(user, None, unit)
    if unit.status != old_status:
        unit.status_changed_on = timezone.localdate()
    m2m = {name: value for name, value in (("business_lines", business_lines), ("tags", tags)) if value is not None}
    if "business_lines" in m2m and not m2m["business_lines"]:
        raise ValidationError({"business_lines": "请至少选择一个专业类别"})
    return _save(unit, user=user, m2m=m2m)


@transaction.atomic
def unit_set_risk(*, user, unit: RegulatedUnit, level: str, as_of: dt.date, source: str = "") -> RiskRating:
    """Record a credit-risk class; the latest (by date) becomes the unit's current class.

    Needs `add_riskrating` (not granted to 执法人员: the class moves draw probabilities)."""
    require_model_perm(user, RiskRating, "add")
    require(user, None, unit)
    rating = RiskRating(
        unit=unit, level=level, as_of=as_of, source=source, previous_level=unit.risk_level, created_by=_created_by(user)
    )
    rating.full_clean()
    rating.save()
    audit.log_change(rating, Action.CREATE, user=user)
    if unit.risk_as_of is None or as_of >= unit.risk_as_of:
        before = audit.snapshot(unit)
        unit.risk_level, unit.risk_as_of, unit.risk_source = level, as_of, source
        unit.save(update_fields=["risk_level", "risk_as_of", "risk_source", "updated_at"])
        audit.log_change(unit, Action.UPDATE, user=user, before=before, message="信用风险分类变更")
    return rating


@transaction.atomic
def violation_add(*, user, unit: RegulatedUnit, occurred_on: dt.date, description: str, document_no: str = ""):
    require_model_perm(user, RegulatedUnit, "change")
    require(user, None, unit)
    record = Violation(unit=unit, occurred_on=occurred_on, description=description, document_no=document_no)
    record.full_clean()
    record.save()
    RegulatedUnit.objects.filter(pk=unit.pk).update(violation_count=unit.violations.count())
    audit.log_change(record, Action.CREATE, user=user)
    return record


@transaction.atomic
def inspection_history_add(*, user, unit: RegulatedUnit, inspected_on: dt.date, item_name: str, result: str, source=""):
    require_model_perm(user, RegulatedUnit, "change")
    require(user, None, unit)
    record = InspectionHistory(unit=unit, inspected_on=inspected_on, item_name=item_name, result=result, source=source)
    record.full_clean()
    record.save()
    latest = unit.inspections.order_by("-inspected_on").values_list("inspected_on", flat=True).first()
    RegulatedUnit.objects.filter(pk=unit.pk).update(inspection_count=unit.inspections.count(), last_inspected_on=latest)
    audit.log_change(record, Action.CREATE, user=user)
    return record


# --- inspectors, leave, conflicts, experts ---------------------------------------------------------

INSPECTOR_FIELDS = {
    "name", "cert_no", "cert_valid_from", "cert_valid_to", "organization", "position", "phone", "user", "active",
    "assist_only",
}  # fmt: skip


@transaction.atomic
def inspector_save(
    *,
    user,
    inspector: Inspector | None = None,
    data: dict,
    specialties=None,
    tags=None,
    expected_version: int | None = None,
) -> Inspector:
    creating = inspector is None
    require_model_perm(user, Inspector, "add" if creating else "change")
    inspector = inspector or Inspector()
    if not creating:
        require(user, None, inspector)
        inspector = lock_for_edit(inspector, expected_version)
        require(user, None, inspector)
    _assign(inspector, data, INSPECTOR_FIELDS)
    require(user, None, inspector)
    m2m = {name: value for name, value in (("specialties", specialties), ("tags", tags)) if value is not None}
    return _save(inspector, user=user, m2m=m2m)


@transaction.atomic
def leave_add(*, user, inspector: Inspector, start: dt.date, end: dt.date, reason: str) -> LeavePeriod:
    require_model_perm(user, LeavePeriod, "add")
    require(user, None, inspector)
    check_own_declarations(user=user, inspector=inspector)
    leave = LeavePeriod(inspector=inspector, start=start, end=end, reason=reason)
    if end < start:
        raise ValidationError({"end": "结束日期不能早于开始日期"})
    return _save(leave, user=user)


@transaction.atomic
def leave_delete(*, user, leave: LeavePeriod) -> None:
    require_model_perm(user, LeavePeriod, "change")
    require(user, None, leave)
    check_own_declarations(user=user, inspector=leave.inspector)
    before = audit.snapshot(leave)
    audit.append([audit.entry_for(leave, Action.DELETE, before=before)], user=user)
    leave.delete()


@transaction.atomic
def conflict_add(*, user, inspector: Inspector, unit: RegulatedUnit, relation: str, start: dt.date, end=None, note=""):
    require_model_perm(user, ConflictDeclaration, "add")
    require(user, None, inspector)
    check_own_declarations(user=user, inspector=inspector)
    declaration = ConflictDeclaration(
        inspector=inspector, unit=unit, relation=relation, start=start, end=end, note=note
    )
    if end is not None and end < start:
        raise ValidationError({"end": "终止日期不能早于起始日期"})
    return _save(declaration, user=user, message=f"回避申报：{unit.name}")


@transaction.atomic
def conflict_delete(*, user, declaration: ConflictDeclaration) -> None:
    """Withdrawing a 回避 declaration needs the approver (科室负责人) or an administrator, even for one's own:
    the inspector asks, the approver removes it."""
    require(
        user, "directory.approve_conflictdeclaration", declaration,
        message="撤销回避申报须由科室负责人（审批人）或系统管理员操作",
    )  # fmt: skip
    before = audit.snapshot(declaration)
    audit.append([audit.entry_for(declaration, Action.DELETE, before=before)], user=user)
    declaration.delete()


EXPERT_FIELDS = {
    "kind", "name", "employer", "title", "qualification_no", "credit_code", "region", "phone", "valid_to", "active"
}  # fmt: skip


@transaction.atomic
def expert_save(
    *, user, expert: Expert | None = None, data: dict, specialties=None, tags=None, expected_version: int | None = None
) -> Expert:
    creating = expert is None
    require_model_perm(user, Expert, "add" if creating else "change")
    expert = expert or Expert()
    if not creating:
        require(user, None, expert)
        expert = lock_for_edit(expert, expected_version)
        require(user, None, expert)
    _assign(expert, data, EXPERT_FIELDS)
    require(user, None, expert)
    m2m = {name: value for name, value in (("specialties", specialties), ("tags", tags)) if value is not None}
    return _save(expert, user=user, m2m=m2m)


# --- business lines (专业类别) ----------------------------------------------------------------------

BUSINESS_LINE_FIELDS = {"code", "name", "short_name", "order", "active"}
BUSINESS_LINE_CODE = re.compile(r"^[a-z][a-z0-9_]{1,9}$")


@transaction.atomic
def business_line_save(*, user, line: BusinessLine | None = None, data: dict) -> BusinessLine:
    """Create or edit a 专业类别 (system administrators; audited). The code is fixed once created: units, items,
    inspectors, imported files and published draws refer to it. A line in use is switched off, never deleted."""
    creating = line is None
    require_model_perm(user, BusinessLine, "add" if creating else "change")
    line = line or BusinessLine()
    data = dict(data)
    if not creating and "code" in data and data["code"] != line.code:
        raise ValidationError({"code": "专业类别代码创建后不能修改（检查对象、抽查事项和已公布的抽取都引用它）"})
    code = (data.get("code", line.code) or "").strip()
    if creating and not BUSINESS_LINE_CODE.match(code):
        raise ValidationError({"code": "代码应为 2–10 位小写拉丁字母、数字或下划线，以字母开头"})
    data["code"] = code
    _assign(line, data, BUSINESS_LINE_FIELDS)
    return _save(line, user=user)


# --- inspection items ----------------------------------------------------------------------------

ITEM_FIELDS = {
    "code", "business_line", "name", "target", "legal_basis", "responsible_body", "content", "method",
    "default_ratio", "frequency", "category", "region",
}  # fmt: skip
LEVEL_OF_REGION = {"province": ItemLevel.PROVINCE, "city": ItemLevel.CITY, "county": ItemLevel.COUNTY}


def _item_region_check(user, item: InspectionItem) -> None:
    """The item's region in scope; a national item (no region) only for national scope (超级管理员)."""
    require(user, None, item, scope_message="只有超级管理员可以维护国家级抽查事项" if item.region is None else "")


@transaction.atomic
def item_create(*, user, data: dict) -> InspectionItem:
    require_model_perm(user, InspectionItem, "add")
    item = InspectionItem()
    data = dict(data)
    m2m = {"unit_lines": data.pop("unit_lines")} if "unit_lines" in data else None
    _assign(item, data, ITEM_FIELDS)
    item.level = LEVEL_OF_REGION[item.region.level] if item.region else ItemLevel.NATIONAL
    _item_region_check(user, item)
    if item.region is not None and InspectionItem.objects.filter(region=item.region, code=item.code).exists():
        raise ValidationError({"code": f"本区划已有事项编码 {item.code}，如需修改请创建新版本"})
    item.status = ItemStatus.DRAFT
    return _save(item, user=user, m2m=m2m)


@transaction.atomic
def item_update(*, user, item: InspectionItem, data: dict, expected_version: int | None = None) -> InspectionItem:
    """Only drafts can be edited: a published version is immutable (create a new version instead)."""
    require_model_perm(user, InspectionItem, "change")
    _item_region_check(user, item)
    item = lock_for_edit(item, expected_version)
    _item_region_check(user, item)
    if not item.is_editable:
        raise ValidationError("已发布的抽查事项不可修改，请创建新版本")
    data = dict(data)
    m2m = {"unit_lines": data.pop("unit_lines")} if "unit_lines" in data else None
    _assign(item, data, ITEM_FIELDS - {"code", "region"})
    return _save(item, user=user, m2m=m2m)


@transaction.atomic
def item_publish(*, user, item: InspectionItem) -> InspectionItem:
    require_model_perm(user, InspectionItem, "publish")
    _item_region_check(user, item)
    item = InspectionItem.objects.select_for_update().get(pk=item.pk)
    if item.status != ItemStatus.DRAFT:
        raise ValidationError("只有草稿状态的抽查事项可以发布")
    item.full_clean()
    previous = item.previous_version
    if previous is not None and previous.status == ItemStatus.PUBLISHED:
        previous.status = ItemStatus.SUPERSEDED
        previous.save(update_fields=["status", "updated_at"])
        audit.log_event(Action.WORKFLOW, obj=previous, user=user, message=f"被第{item.version}版替代")
    item.status, item.published_at = ItemStatus.PUBLISHED, timezone.now()
    item.save(update_fields=["status", "published_at", "updated_at"])
    audit.log_event(
        Action.WORKFLOW, obj=item, user=user, message=f"发布抽查事项第{item.version}版", data=audit.snapshot(item)
    )
    return item


def _copy_item(item: InspectionItem, **overrides) -> InspectionItem:
    fields = {name: getattr(item, name) for name in ITEM_FIELDS}
    return InspectionItem(**{**fields, "level": item.level, **overrides})


@transaction.atomic
def item_new_version(*, user, item: InspectionItem) -> InspectionItem:
    """Start version+1 as a draft copy of a published item (the published one stays untouched)."""
    require_model_perm(user, InspectionItem, "add")
    _item_region_check(user, item)
    if item.status != ItemStatus.PUBLISHED:
        raise ValidationError("只能基于已发布的版本创建新版本")
    if InspectionItem.objects.filter(previous_version=item).exists():
        raise ValidationError("该版本已有后续版本（草稿或已发布），请在其上修改")
    draft = _copy_item(item, version=item.version + 1, previous_version=item, claimed_from=item.claimed_from)
    return _save(
        draft, user=user, message=f"基于第{item.version}版创建新版本", m2m={"unit_lines": list(item.unit_lines.all())}
    )


@transaction.atomic
def item_claim(*, user, item: InspectionItem, region) -> InspectionItem:
    """认领: copy a published upper-level item into `region` (a lower level) as a draft to adapt and publish."""
    require_model_perm(user, InspectionItem, "add")
    require(user, None, region)
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
    claimed = _save(claimed, user=user, message=f"认领上级事项 {item}", m2m={"unit_lines": list(item.unit_lines.all())})
    audit.log_event(Action.WORKFLOW, obj=item, user=user, message=f"被 {region.name} 认领")
    return claimed


# --- import ----------------------------------------------------------------------------------------


def _register(kind: str):
    """The register (row schema) of an import kind."""
    try:
        return IMPORTERS[kind]
    except (KeyError, TypeError):
        raise ValidationError("未知的导入类型") from None


def import_prepare(*, user, kind: str, mode: str, data: bytes, filename: str, progress=None) -> ImportBatch:
    """Dry run of a file import (preview): `imports.services.prepare` with the register of `kind`.

    `progress(done, total)` (optional) is called every few thousand rows (a background task's status)."""
    require(user, None)
    return import_engine.prepare(
        user=user, register=_register(kind), mode=mode, data=data, filename=filename, progress=progress
    )


def import_commit(*, user, batch: ImportBatch, progress=None) -> ImportBatch:
    """Write a validated batch all-or-nothing (`imports.services.commit` with this register's writer).

    `progress(done, total)` (optional) is called every few thousand rows written."""
    require(user, None)
    return import_engine.commit(
        user=user, register=_register(batch.kind), batch=batch, writer=WRITERS[batch.kind], progress=progress
    )


def import_cancel(*, user, batch: ImportBatch) -> ImportBatch:
    require_model_perm(user, batch.target_model, "import")
    return import_engine.cancel(user=user, batch=batch)


def import_sync(*, user, kind: str, mode: str, table: Table, source: str, progress=None) -> ImportBatch:
    """审管联动 / API sync: validate and commit in one call (`imports.services.sync`)."""
    require(user, None)
    register = _register(kind)
    return import_engine.sync(user=user, register=register, mode=mode, table=table, source=source,
                              writer=WRITERS[kind], progress=progress)  # fmt: skip


def _created_by(user):
    return None if is_system(user) else user


UNIT_PAYLOAD_FIELDS = {
    "name": "name", "address": "address", "region_id": "region_id", "legal_rep": "legal_rep",
    "contact_phone": "contact_phone", "licence_no": "licence_no", "licence_valid_to": "licence_valid_to",
    "risk_level": "risk_level", "risk_as_of": "risk_as_of", "risk_source": "risk_source",
    "complaint_count": "complaint_count", "status": "status", "note": "note", "township_id": "township_id",
}  # fmt: skip
DATE_FIELDS = {"licence_valid_to", "risk_as_of", "cert_valid_from", "cert_valid_to"}


def _value(name: str, value):
    return parse_date(value) if name in DATE_FIELDS else value


def _column(payload, name: str) -> list:
    return payload.column(name) if isinstance(payload, Rows) else [row[name] for row in payload]


def _chunks(rows, size: int = CHUNK_ROWS):
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _created(payload, plan, names):
    """The payload rows the plan creates, as dicts of `names` (read from the columns, not whole rows)."""
    if not isinstance(payload, Rows):
        yield from (row for row, entry in zip(payload, plan, strict=True) if entry["action"] == "create")
        return
    columns = [(name, payload.column(name)) for name in names]
    for i, entry in enumerate(plan):
        if entry["action"] == "create":
            yield {name: column[i] for name, column in columns}


UNIT_CREATE_FIELDS = (
    "credit_code", "name", "address", "region_id", "township_id", "legal_rep", "contact_phone", "licence_no",
    "risk_level", "risk_source", "complaint_count", "status", "note",
)  # fmt: skip


def _write_units(*, user, importer, payload, plan, message: str, progress=None) -> None:
    """New units go in as raw rows (one COPY per table on PostgreSQL) with their links, risk ratings and audit
    entries; updated and closed units through the ORM (a handful per file, with their before-snapshots)."""
    regions = importer.ctx.regions_by_pk()
    for region_id in set(_column(payload, "region_id")):
        require(user, None, regions[region_id])
    tag_ids = ensure_tags(user=user, names={name for names in _column(payload, "tag_names") for name in names})
    existing = importer.load_existing({e["key"] for e in plan if e["action"] not in ("create", "unchanged")})
    now, today = timezone.now(), timezone.localdate().isoformat()
    units, ratings = RowMaker(RegulatedUnit, now), RowMaker(RiskRating, now)
    lines_through, tags_through = RegulatedUnit.business_lines.through, RegulatedUnit.tags.through
    created_by = None if is_system(user) else user.pk
    total = len(plan)
    report = (lambda share: progress(int(total * share), total)) if progress is not None else (lambda share: None)
    # New units, column by column in chunks of CHUNK_ROWS rows: the ids are taken beforehand (core.bulk.allocate_ids),
    # each table gets one write (one COPY on PostgreSQL) fed by a generator, so the database stores rows while the
    # next are made, and the audit snapshots are rendered from one template (audit.CanonicalTemplate).
    created = [i for i, entry in enumerate(plan) if entry["action"] == "create"]
    payload_columns = {name: _column(payload, name) for name in (*UNIT_CREATE_FIELDS, "licence_valid_to", "risk_as_of")}
    line_column, tag_column = _column(payload, "line_ids"), _column(payload, "tag_names")
    every_row = len(created) == len(plan)  # a plain create import: the chunks are slices of the columns

    def chunk_columns(start: int, stop: int) -> dict[str, list]:
        """Created rows [start, stop) column-wise, as the unit table and its audit snapshot take them."""
        if every_row:
            cols = {name: column[start:stop] for name, column in payload_columns.items()}
        else:
            rows = created[start:stop]
            cols = {name: [column[i] for i in rows] for name, column in payload_columns.items()}
        cols["licence_valid_to"] = [date_text(value) for value in cols["licence_valid_to"]]
        cols["risk_as_of"] = [date_text(value) for value in cols["risk_as_of"]]
        cols["status_changed_on"] = [today if status in CLOSED_STATUSES else None for status in cols["status"]]
        return cols

    def unit_rows(pks: list):
        for start in range(0, len(created), CHUNK_ROWS):
            yield from units.column_rows(pks[start : start + CHUNK_ROWS], chunk_columns(start, start + CHUNK_ROWS))

    ids = allocate_ids(RegulatedUnit, len(created))
    if ids is not None:
        units.insert(unit_rows(ids), with_pk=True)
    elif created:  # a database with neither way of taking ids beforehand: read them back
        units.insert(row[1:] for row in unit_rows([None] * len(created)))
        code_column = payload_columns["credit_code"]
        found = read_back_ids(RegulatedUnit, "credit_code", [code_column[i] for i in created])
        ids = [found[code_column[i]] for i in created]
        del found
    ids = ids or []
    report(0.2)
    new = list(zip(ids, created, strict=True))  # (unit id, payload row)
    lines = ((pk, line) for pk, i in new for line in line_column[i])
    insert_links(lines_through, "regulatedunit_id", "businessline_id", lines)
    insert_links(tags_through, "regulatedunit_id", "tag_id", ((pk, tag_ids[n]) for pk, i in new for n in tag_column[i]))
    levels, as_of, sources = (payload_columns[name] for name in ("risk_level", "risk_as_of", "risk_source"))
    rated = [(pk, i) for pk, i in new if levels[i]]
    ratings.insert(
        ratings.column_rows(None, {
            "unit_id": [pk for pk, _ in rated], "level": [levels[i] for _, i in rated],
            "as_of": [date_text(as_of[i]) for _, i in rated], "source": [sources[i] for _, i in rated],
            "created_by_id": repeat(created_by),
        })
    )  # fmt: skip
    del rated, new
    report(0.35)

    template = units.snapshot_template([*payload_columns, "status_changed_on", "business_lines", "tags"])
    region_codes = {pk: region.code for pk, region in regions.items()}

    def entries():
        for start in range(0, len(created), CHUNK_ROWS):
            rows, pks = created[start : start + CHUNK_ROWS], ids[start : start + CHUNK_ROWS]
            cols = chunk_columns(start, start + CHUNK_ROWS)
            cols[units.pk_name] = pks
            cols["business_lines"] = [sorted(line_column[i]) for i in rows]
            cols["tags"] = [sorted([tag_ids[name] for name in tag_column[i]]) for i in rows]
            texts = units.text_column(cols, len(rows))
            yield from map(audit.Rendered._make, zip(
                repeat(Action.CREATE), repeat("directory.regulatedunit"), map(str, pks), texts,
                map(region_codes.__getitem__, cols["region_id"]), repeat(message), repeat(None),
                template.render_columns(cols),
            ))  # fmt: skip

    share = 0.65 / max(len(created), 1)
    audit.append_many(entries(), user=user, progress=lambda written: report(0.35 + share * written), pure=True)

    new_lines, new_tags, ratings, entries = [], [], [], []
    changed, line_reset, tag_reset = [], [], []
    updated = [i for i, entry in enumerate(plan) if entry["action"] in ("update", "close")]
    county_of = _township_counties(existing, payload, updated)
    for i in updated:
        row = payload[i]  # only the changed rows are made into dicts (a first import has none)
        unit = existing[row["credit_code"]]
        old_tags = unit.tag_ids
        before = fast_snapshot(unit, {"business_lines": unit.line_ids, "tags": old_tags})
        present = set(row["present"])
        old_status, old_risk = unit.status, (unit.risk_level, unit.risk_as_of)
        for name, attr in UNIT_PAYLOAD_FIELDS.items():
            if name in present:
                setattr(unit, attr, _value(name, row[name]))
        if unit.township_id is not None and unit.region_id != county_of.get(unit.township_id):
            unit.township = None  # moved to another county without naming its township there: none
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
                    created_by=_created_by(user),
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
        unit.lock_version += 1  # the audit snapshot's version; the database row is raised below (F expression)
        changed.append(unit)
        after = fast_snapshot(unit, {"business_lines": line_ids, "tags": tags})
        entries.append(audit.entry_for(unit, Action.UPDATE, before=before, after=after, message=message))
    update_fields = [*UNIT_PAYLOAD_FIELDS.values(), "status_changed_on", "updated_at"]
    RegulatedUnit.objects.bulk_update(changed, update_fields, batch_size=500)
    changed_ids = [unit.pk for unit in changed]
    for start in range(0, len(changed_ids), CHUNK):  # an edit form opened before the import now sees a newer version
        bump = RegulatedUnit.objects.filter(pk__in=changed_ids[start : start + CHUNK])
        bump.update(lock_version=F("lock_version") + 1)
    for start in range(0, len(line_reset), CHUNK):
        lines_through.objects.filter(regulatedunit_id__in=line_reset[start : start + CHUNK]).delete()
    for start in range(0, len(tag_reset), CHUNK):
        tags_through.objects.filter(regulatedunit_id__in=tag_reset[start : start + CHUNK]).delete()
    insert_links(lines_through, "regulatedunit_id", "businessline_id", new_lines)
    insert_links(tags_through, "regulatedunit_id", "tag_id", new_tags)
    insert_objects(RiskRating, ratings)
    audit.append_many(entries, user=user)
    if progress is not None and changed:
        progress(total, total)


def _township_counties(existing: dict, payload, rows: list[int]) -> dict[int, int]:
    """township id → county id for the townships the updated units hold or are given (one query, not one per unit)."""
    from shuangsuiji.regions.models import Township

    townships = {unit.township_id for unit in existing.values() if unit.township_id is not None}
    if isinstance(payload, Rows):
        column = payload.column("township_id") if "township_id" in payload.columns else []
        townships |= {column[i] for i in rows if column and column[i]}
    else:
        townships |= {payload[i].get("township_id") for i in rows if payload[i].get("township_id")}
    return dict(Township.objects.filter(pk__in=townships).values_list("pk", "county_id")) if townships else {}


INSPECTOR_PAYLOAD_FIELDS = (
    "name", "cert_valid_from", "cert_valid_to", "organization_id", "position", "phone", "active"
)  # fmt: skip


def _write_inspectors(*, user, importer, payload, plan, message: str, progress=None) -> None:
    """New inspectors go in as raw rows CHUNK_ROWS at a time (like units); updates through the ORM."""
    tag_ids = ensure_tags(user=user, names={name for names in _column(payload, "tag_names") for name in names})
    existing = importer.load_existing({e["key"] for e in plan if e["action"] not in ("create", "unchanged")})
    organizations = {org.pk: org for org in importer.ctx.organizations.values()}
    for org_id in set(_column(payload, "organization_id")):
        require(user, None, organizations[org_id].region)
    inspectors = RowMaker(Inspector, timezone.now())
    specialties, tags_through = Inspector.specialties.through, Inspector.tags.through
    done, total = 0, len(plan)
    simple = ("name", "cert_no", "organization_id", "position", "phone", "active")
    needed = (*simple, "cert_valid_from", "cert_valid_to", "line_ids", "tag_names")
    for chunk in _chunks(_created(payload, plan, needed)):
        records = []
        for row in chunk:
            values = {name: row[name] for name in simple}
            values["cert_valid_from"] = date_text(row["cert_valid_from"])
            values["cert_valid_to"] = date_text(row["cert_valid_to"])
            records.append(values)
        inspectors.insert([inspectors.row(values) for values in records])
        pks = read_back_ids(Inspector, "cert_no", [values["cert_no"] for values in records])
        new_lines, new_tags, entries = [], [], []
        for row, values in zip(chunk, records, strict=True):
            pk = pks[values["cert_no"]]
            tags = [tag_ids[name] for name in row["tag_names"]]
            new_lines += [(pk, line_id) for line_id in row["line_ids"]]
            new_tags += [(pk, tag_id) for tag_id in tags]
            entries.append(audit.Entry(
                action=Action.CREATE, object_type="directory.inspector", object_id=str(pk),
                object_repr=inspectors.text(values), message=message,
                region_code=organizations[values["organization_id"]].region.code,
                postchange_data=inspectors.snapshot(pk, values, {"specialties": row["line_ids"], "tags": tags}),
                plain=True,
            ))  # fmt: skip
        insert_links(specialties, "inspector_id", "businessline_id", new_lines)
        insert_links(tags_through, "inspector_id", "tag_id", new_tags)
        audit.append_many(entries, user=user)
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    entries = []
    for row, entry in zip(payload, plan, strict=True):
        if entry["action"] in ("unchanged", "create"):
            continue
        inspector = existing[row["cert_no"]]
        before = audit.snapshot(inspector)
        present = set(row["present"])
        for name in INSPECTOR_PAYLOAD_FIELDS:
            if name in present:
                setattr(inspector, name, _value(name, row[name]))
        inspector.full_clean(validate_unique=False)
        inspector.save()
        if "line_ids" in present:
            inspector.specialties.set(row["line_ids"])
        if "tag_names" in present:
            inspector.tags.set([tag_ids[name] for name in row["tag_names"]])
        entries.append(audit.entry_for(inspector, Action.UPDATE, before=before, message=message))
    audit.append_many(entries, user=user)


ITEM_PAYLOAD_FIELDS = (
    "name", "target", "business_line_id", "category", "default_ratio", "frequency", "legal_basis", "content",
    "method", "responsible_body",
)  # fmt: skip


def _write_items(*, user, importer, payload, plan, message: str, progress=None) -> None:
    """New codes become version-1 drafts in the importer's region; drafts are updated; published versions are
    refused (the plan raises before this runs, and is_editable is checked again here)."""
    region = importer.region
    probe = InspectionItem(region=region)
    _item_region_check(user, probe)
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
    audit.append_many(entries, user=user)


EXPERT_PAYLOAD_FIELDS = (
    "kind", "name", "employer", "title", "qualification_no", "credit_code", "region_id", "phone", "valid_to", "active"
)  # fmt: skip


def _write_experts(*, user, importer, payload, plan, message: str, progress=None) -> None:
    tag_ids = ensure_tags(user=user, names=(name for row in payload for name in row["tag_names"]))
    existing = importer.load_existing({e["key"] for e in plan if e["action"] != "create"})
    regions = importer.ctx.regions_by_pk()
    entries = []
    for row, entry in zip(payload, plan, strict=True):
        if entry["action"] == "unchanged":
            continue
        expert = existing.get(row["key"]) or Expert()
        creating = expert.pk is None
        if not creating:
            require(user, None, expert)
        before = None if creating else audit.snapshot(expert)
        present = set(row["present"]) if not creating else set(EXPERT_PAYLOAD_FIELDS) | {"line_ids", "tag_names"}
        for name in EXPERT_PAYLOAD_FIELDS:
            if name in present:
                setattr(expert, name, parse_date(row[name]) if name == "valid_to" else row[name])
        if "region_id" in present:
            expert.region = regions[row["region_id"]]
        require(user, None, expert)
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
    audit.append_many(entries, user=user)


WRITERS = {
    ImportKind.UNIT: _write_units, ImportKind.INSPECTOR: _write_inspectors,
    ImportKind.ITEM: _write_items, ImportKind.EXPERT: _write_experts,
}  # fmt: skip


# --- export ---------------------------------------------------------------------------------------


def record_export(*, user, model, count: int, filters: dict) -> None:
    """导出留痕: who exported which list with which filters."""
    require_model_perm(user, model, "export")
    audit.log_event(
        Action.EXPORT, user=user, region_code=_user_region_code(user),
        message=f"导出{model._meta.verbose_name_plural} {count} 条",
        data={"model": model._meta.label_lower, "count": count, "filters": filters},
    )  # fmt: skip
