"""Background work of 一单两库 (core/jobs.py): parsing an uploaded import file, committing a batch, exports.

Work that fits in a request stays in the request (`settings.JOBS_INLINE_ROWS`: a batch of at most that many
rows is committed at once, an export of at most that many rows is returned at once, an upload of at most
`JOBS_INLINE_UPLOAD_BYTES` is parsed at once); anything larger is a job with a progress bar on “我的任务”.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath
from types import SimpleNamespace

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.core import jobs
from shuangsuiji.imports.spreadsheets import write_xlsx

from . import selectors, services
from .choices import ImportKind
from .filtersets import ExpertFilterSet, InspectorFilterSet, ItemFilterSet, UnitFilterSet
from .importers import COLUMNS
from .models import Expert, ImportBatch, InspectionItem, Inspector, RegulatedUnit

IMPORT_PREPARE = "directory.import_prepare"
IMPORT_COMMIT = "directory.import_commit"
EXPORT = "directory.export"


def inline_rows() -> int:
    return getattr(settings, "JOBS_INLINE_ROWS", 2000)


def inline_upload_bytes() -> int:
    return getattr(settings, "JOBS_INLINE_UPLOAD_BYTES", 512 * 1024)


# ---------------------------------------------------------------- imports


def stash_upload(data: bytes, filename: str) -> str:
    """Keep an uploaded file in default storage for the parsing job (content-addressed)."""
    digest = hashlib.sha256(data).hexdigest()
    suffix = PurePath(filename).suffix.lower()[:8]
    return default_storage.save(f"jobs/uploads/{digest[:2]}/{digest}{suffix}", ContentFile(data))


@jobs.register(IMPORT_PREPARE)
def import_prepare(job, *, user, progress):
    """预览: parse and validate the uploaded file (`services.import_prepare`), store the batch."""
    params = job.params
    progress(0, 1, phase="读取并校验文件")
    with default_storage.open(params["stored"]) as handle:
        data = handle.read()
    batch = services.import_prepare(
        user=user, kind=params["kind"], mode=params["mode"], data=data, filename=params["filename"]
    )
    progress(batch.rows_total, batch.rows_total)
    text = f"已读取 {batch.rows_total} 行，{batch.count_error} 行有错误" + ("" if batch.count_error else "，请确认导入")
    return jobs.Outcome(url=reverse("directory:import_detail", args=[batch.pk]), text=text, data={"batch": batch.pk})


@jobs.register(IMPORT_COMMIT, atomic=True)
def import_commit(job, *, user, progress):
    """确认导入: `services.import_commit` (all-or-nothing; the batch, the register rows, the audit entries and
    the job's outcome commit in one transaction, so a killed worker leaves the batch ready to import)."""
    batch = ImportBatch.objects.get(pk=job.params["batch"])
    progress(0, batch.rows_total, phase=f"写入 {batch.rows_total} 行")
    batch = services.import_commit(user=user, batch=batch)
    progress(batch.rows_total, batch.rows_total)
    text = (
        f"导入完成：新增 {batch.count_create}，更新 {batch.count_update}，"
        f"注销/停业 {batch.count_close}，无变化 {batch.count_unchanged}"
    )
    return jobs.Outcome(url=reverse("directory:import_detail", args=[batch.pk]), text=text, data={"batch": batch.pk})


# ---------------------------------------------------------------- exports


@dataclass(frozen=True)
class ExportSpec:
    model: type
    filterset_class: type
    queryset: object  # (user) -> queryset
    rows_fn: object  # (queryset) -> rows
    headers: list
    filename: str
    widths: list | None = None


def _headers(kind) -> list:
    return [c.header for c in COLUMNS[kind]]


def _widths(kind) -> list:
    return [c.width for c in COLUMNS[kind]]


EXPORTS: dict[str, ExportSpec] = {
    "unit": ExportSpec(
        RegulatedUnit, UnitFilterSet, lambda user: selectors.unit_list(user, "export"), selectors.unit_export_rows,
        _headers(ImportKind.UNIT), "检查对象名录", _widths(ImportKind.UNIT),
    ),
    "inspector": ExportSpec(
        Inspector, InspectorFilterSet, lambda user: selectors.inspector_list(user, "export"),
        selectors.inspector_export_rows, _headers(ImportKind.INSPECTOR), "执法检查人员名录",
        _widths(ImportKind.INSPECTOR),
    ),
    "expert": ExportSpec(
        Expert, ExpertFilterSet, lambda user: selectors.expert_list(user, "export").prefetch_related("specialties"),
        lambda qs: selectors.simple_export_rows(qs, selectors.EXPERT_EXPORT),
        [h for h, _ in selectors.EXPERT_EXPORT], "专家库",
    ),
    "item": ExportSpec(
        InspectionItem, ItemFilterSet, lambda user: selectors.item_list(user, "export"),
        lambda qs: selectors.simple_export_rows(qs, selectors.ITEM_EXPORT),
        [h for h, _ in selectors.ITEM_EXPORT], "抽查事项清单",
    ),
}  # fmt: skip


def filters_of(query: QueryDict) -> dict:
    return {key: values for key, values in query.lists()}


def export_queryset(spec: ExportSpec, user, filters: dict):
    query = QueryDict(mutable=True)
    for key, values in filters.items():
        query.setlist(key, values)
    request = SimpleNamespace(user=user, GET=query)
    return spec.filterset_class(query or None, queryset=spec.queryset(user), request=request).qs


def export_file(spec: ExportSpec, *, user, queryset, filters: dict, progress=None) -> tuple[str, bytes]:
    """(file name, xlsx bytes), with the export recorded in the audit trail."""
    count = queryset.count()
    services.record_export(user=user, model=spec.model, count=count, filters={k: v[-1] for k, v in filters.items()})
    rows = spec.rows_fn(queryset)
    if progress is not None:
        progress(0, count, phase="生成表格")
        rows = _counted(rows, progress)
    content = write_xlsx(spec.headers, rows, title=spec.filename[:31], widths=spec.widths)
    return f"{spec.filename}_{timezone.localdate():%Y%m%d}.xlsx", content


def _counted(rows, progress, every: int = 500):
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % every == 0:
            progress(done)
    progress(done)


@jobs.register(EXPORT)
def export(job, *, user, progress):
    spec = EXPORTS[job.params["export"]]
    filters = job.params.get("filters", {})
    name, content = export_file(spec, user=user, queryset=export_queryset(spec, user, filters), filters=filters,
                                progress=progress)  # fmt: skip
    return jobs.Outcome(text=f"已导出 {progress.done} 条", file_name=name, content=content)
