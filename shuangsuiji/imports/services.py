"""Writes of the import machinery, for any register (an `schema.Importer` subclass with a `batch_model`).

Import is two steps: `prepare` (parse + validate every row + plan, stores a batch; writes no register data) and
`commit` (re-plans against the database and runs the register's writer in one transaction, or writes nothing).
`sync` (API, 审管联动) does both in one call. Every function checks `user` first (core.permissions.require) and
audits what it did. A writer is `writer(*, user, importer, payload, plan, message)`: it writes the rows with
their audit entries (and may raise ValidationError, which undoes the whole batch).
"""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from shuangsuiji.core import audit
from shuangsuiji.core.bulk import bulk_writes
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.permissions import is_system, require, require_model_perm

from . import preview
from .choices import ImportMode, ImportStatus
from .columns import PACK_FORMAT, Rows
from .spreadsheets import SpreadsheetError, max_bytes, read_table

Action = ObjectChange.Action
PROGRESS_TOTAL = 1000  # progress(done, total) reports thousandths of the whole call


def _region_code(user) -> str:
    region = getattr(user, "region", None)
    return region.code if region is not None else ""


def _created_by(user):
    return None if is_system(user) else user


def _pack(payload) -> dict:
    if isinstance(payload, Rows):
        return payload.pack()
    if not payload:
        return {"fields": [], "rows": []}
    fields = list(payload[0])
    return {"fields": fields, "rows": [[row[name] for name in fields] for row in payload]}


def _unpack(packed: dict):
    if packed.get("format") == PACK_FORMAT:
        return Rows.unpack(packed)
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


def _set_counts(batch, plan: list[dict]) -> None:
    counts = _counts(plan)
    batch.count_create, batch.count_update = counts["create"], counts["update"]
    batch.count_close, batch.count_unchanged = counts["close"], counts["unchanged"]


def _stage(progress, start: float, end: float):
    """A `progress(done, total)` for one stage, mapped onto [start, end) of the whole call's 0..1000 (None: none)."""
    if progress is None:
        return None

    def report(done: int, total: int) -> None:
        progress(int(start + (end - start) * done / max(total, 1)), PROGRESS_TOTAL)

    return report


def prepare(*, user, register, mode: str, data: bytes, filename: str, progress=None):
    """Dry run: parse and validate the whole file, plan the changes, store the batch. No register writes.

    `progress(done, total)` (optional, e.g. a background task's status) is called every few thousand rows."""
    require_model_perm(user, register.model, "import")
    if mode not in ImportMode.values:
        raise ValidationError("未知的导入方式")
    digest = hashlib.sha256(data).hexdigest()
    batch = register.batch_model(
        kind=register.kind, mode=mode, region_code=_region_code(user), file_name=PurePath(filename).name[:255],
        file_sha256=digest, file_size=len(data), created_by=_created_by(user), status=ImportStatus.INVALID,
    )  # fmt: skip
    plan: list[dict] = []
    try:
        importer = register(user=user, mode=mode)
        result = importer.validate(read_table(data, filename, stream=True, progress=_stage(progress, 0, 600)))
    except SpreadsheetError as exc:
        batch.errors, batch.count_error = [[0, "", str(exc)]], 1
    else:
        batch.rows_total, batch.errors, batch.warnings = result.rows_total, result.errors, result.warnings
        batch.count_error = len({row for row, _, _ in result.errors})
        # the valid rows are planned even when others have errors: the preview counts and lists them
        try:
            plan = importer.plan(result.payload) if len(result.payload) else []
        except ValidationError:
            if not result.errors:
                raise
            plan = []  # a valid row refused by the plan: the errors already say the file must change
        _set_counts(batch, plan)
        if not result.errors:
            batch.report = _report(plan, mode)
            batch.payload = _pack(result.payload)
            batch.status = ImportStatus.READY
    suffix = PurePath(filename).suffix.lower()[:8]
    with transaction.atomic():
        if data and len(data) <= max_bytes():  # keep the evidence; oversized uploads are refused unread
            batch.stored_file = default_storage.save(f"imports/{digest[:2]}/{digest}{suffix}", ContentFile(data))
        batch.full_clean(exclude=["payload"])  # built here from validated rows; checking it re-serialises ~20 MB
        batch.save()
        audit.log_event(
            Action.IMPORT, obj=batch, user=user,
            message=(
                f"上传{batch.get_kind_display()}导入文件 {batch.file_name}："
                f"{batch.rows_total} 行，{batch.count_error} 行有错误"
            ),
            data={"sha256": digest, "rows": batch.rows_total, "errors": batch.count_error, "mode": mode},
        )  # fmt: skip
    if plan:
        preview.store(batch, plan)
    if progress is not None:
        progress(PROGRESS_TOTAL, PROGRESS_TOTAL)
    return batch


def commit(*, user, register, batch, writer, progress=None):
    """Write a validated batch all-or-nothing. The plan is recomputed against the database now.

    `progress(done, total)` (optional) is called as the rows are written, every few thousand rows."""
    require_model_perm(user, register.model, "import", batch)
    if not is_system(user) and batch.created_by_id != user.pk:
        raise PermissionDenied("只能确认本人上传的导入批次")
    importer = register(user=user, mode=batch.mode)
    with transaction.atomic():
        batch = type(batch).objects.select_for_update().get(pk=batch.pk)
        if batch.status != ImportStatus.READY:
            raise ValidationError(f"该批次当前状态为“{batch.get_status_display()}”，不能导入")
        payload = _unpack(batch.payload)
        plan = importer.plan(payload)
        if batch.mode == ImportMode.CREATE:
            taken = [e["key"] for e in plan if e["action"] != "create"]
            if taken:
                raise ValidationError(f"预览后以下记录已被登记，请重新上传：{'、'.join(taken[:20])}")
        with bulk_writes():
            writer(
                user=user, importer=importer, payload=payload, plan=plan, message=f"导入批次 #{batch.pk}",
                progress=_stage(progress, 50, PROGRESS_TOTAL - 10),
            )  # fmt: skip
        _set_counts(batch, plan)
        batch.report = _report(plan, batch.mode)
        batch.status, batch.committed_at, batch.payload = ImportStatus.COMMITTED, timezone.now(), {}
        batch.save()
        audit.log_event(
            Action.IMPORT, obj=batch, user=user,
            message=(
                f"确认导入 {batch.file_name}：新增 {batch.count_create}，更新 {batch.count_update}，"
                f"注销/停业 {batch.count_close}，无变化 {batch.count_unchanged}"
            ),
            data={"sha256": batch.file_sha256, **_counts(plan)},
        )  # fmt: skip
    if progress is not None:
        progress(PROGRESS_TOTAL, PROGRESS_TOTAL)
    return batch


@transaction.atomic
def cancel(*, user, batch):
    """Cancel one's own batch that has not been written (a batch in another region is refused)."""
    require(user, None, batch)
    if not is_system(user) and batch.created_by_id != user.pk:
        raise PermissionDenied("只能取消本人上传的导入批次")
    if batch.status not in (ImportStatus.READY, ImportStatus.INVALID):
        raise ValidationError("该批次已导入或已取消")
    batch.status, batch.payload = ImportStatus.CANCELLED, {}
    batch.save(update_fields=["status", "payload", "updated_at"])
    audit.log_event(Action.IMPORT, obj=batch, user=user, message=f"取消导入 {batch.file_name}")
    return batch


def sync(*, user, register, mode: str, table, source: str, writer, progress=None):
    """审管联动 / API sync: validate and commit in one call, with the file import's rules and all-or-nothing write.

    `table` is a `spreadsheets.Table` built from JSON records. Invalid input writes nothing to the register
    and returns an INVALID batch whose `errors` name the record (1-based) and field; the attempt is audited.
    """
    require_model_perm(user, register.model, "import")
    if mode not in ImportMode.values:
        raise ValidationError("未知的导入方式")
    importer = register(user=user, mode=mode)
    canonical = repr((table.headers, table.rows)).encode()
    batch = register.batch_model(
        kind=register.kind, mode=mode, region_code=_region_code(user), file_name=source[:255],
        file_sha256=hashlib.sha256(canonical).hexdigest(), file_size=len(canonical), created_by=_created_by(user),
        status=ImportStatus.INVALID,
    )  # fmt: skip
    with transaction.atomic():
        result = importer.validate(table)
        batch.rows_total, batch.errors, batch.warnings = result.rows_total, result.errors, result.warnings
        batch.count_error = len({row for row, _, _ in result.errors})
        if not result.errors:
            plan = importer.plan(result.payload)
            with bulk_writes():
                writer(
                    user=user, importer=importer, payload=result.payload, plan=plan, message=f"接口同步：{source}",
                    progress=_stage(progress, 300, PROGRESS_TOTAL - 10),
                )  # fmt: skip
            _set_counts(batch, plan)
            batch.report = _report(plan, mode)
            batch.status, batch.committed_at = ImportStatus.COMMITTED, timezone.now()
        batch.full_clean()
        batch.save()
        audit.log_event(
            Action.IMPORT, obj=batch, user=user,
            message=(
                f"接口同步{batch.get_kind_display()}（{source}）：{batch.rows_total} 条，"
                + (f"{batch.count_error} 条有错误，未写入" if result.errors else
                   f"新增 {batch.count_create}，更新 {batch.count_update}，注销/停业 {batch.count_close}")
            ),
            data={"rows": batch.rows_total, "errors": batch.count_error, "mode": mode},
        )  # fmt: skip
    if progress is not None:
        progress(PROGRESS_TOTAL, PROGRESS_TOTAL)
    return batch
