"""Background work of 检查结果 (core/jobs.py): the 抽查检查结果 export (国家企业信用信息公示系统 layout).

An export of at most `settings.JOBS_INLINE_ROWS` rows is returned at once; a larger one is a job whose file
only its owner (or an administrator of the region) downloads from “我的任务”.
"""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone

from shuangsuiji.core import audit, jobs
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.imports.spreadsheets import safe_cell, write_xlsx

from . import selectors
from .choices import ProblemReason
from .filtersets import ResultFilterSet

EXPORT = "inspections.result_export"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def inline_rows() -> int:
    return getattr(settings, "JOBS_INLINE_ROWS", 2000)


EXPORT_HEADERS = [
    "企业名称", "统一社会信用代码", "抽查类型", "抽查机关", "抽查事项", "抽查日期", "抽查结果", "公示日期",
    "所属区划", "抽查任务编号", "结果代码", "发现问题情况", "处置情况",
]  # fmt: skip


def export_rows(qs):
    for r in qs:
        task = r.draw.task
        items = "；".join(i.name for i in task.items.all())
        result_text = r.get_category_display()
        if r.problem_reasons:
            result_text += "（" + "、".join(ProblemReason(c).label for c in r.problem_reasons) + "）"
        yield [
            r.unit_name, r.unit_code, task.get_kind_display(), task.lead_organization.name, items,
            r.checked_on, result_text, timezone.localdate(r.published_at), r.region.name, task.code, r.category,
            r.findings, disposal_text(r),
        ]  # fmt: skip


def disposal_text(result) -> str:
    """处置情况 of a result: the disposal and its note ("下达卫生监督意见书（责令整改）：限期 10 日内改正")."""
    label = result.get_disposal_display() if result.disposal else ""
    note = result.disposal_note.strip()
    return f"{label}：{note}" if label and note else label or note


def export_queryset(user, filters: dict):
    query = QueryDict(mutable=True)
    for key, values in filters.items():
        query.setlist(key, values)
    request = SimpleNamespace(user=user, GET=query)
    return ResultFilterSet(query or None, queryset=selectors.export_results(user), request=request).qs


def export_file(user, queryset, filters: dict, progress=None) -> tuple[str, bytes, str]:
    """(file name, bytes, content type); the export is recorded in the audit trail."""
    fmt = (filters.get("format") or ["xlsx"])[-1]
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    rows = []
    total = queryset.count() if progress is not None else 0
    for row in export_rows(queryset):
        rows.append(row)
        if progress is not None and len(rows) % 500 == 0:
            progress(len(rows), total)
    audit.log_event(
        ObjectChange.Action.EXPORT, user=user, message=f"导出抽查检查结果 {len(rows)} 条（{fmt}）",
        region_code=user.scope_prefix or "",
        data={"count": len(rows), "filters": {k: v[-1] for k, v in filters.items()}},
    )  # fmt: skip
    name = f"抽查检查结果_{stamp}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(EXPORT_HEADERS)
        for row in rows:
            writer.writerow([safe_cell(v.isoformat() if hasattr(v, "isoformat") else v) for v in row])
        return f"{name}.csv", ("\ufeff" + buffer.getvalue()).encode("utf-8"), "text/csv; charset=utf-8"
    widths = [30, 22, 14, 24, 30, 12, 30, 12, 12, 18, 8, 40, 40]
    data = write_xlsx(EXPORT_HEADERS, rows, title="抽查检查结果", widths=widths)
    return f"{name}.xlsx", data, XLSX


@jobs.register(EXPORT)
def result_export(job, *, user, progress):
    filters = job.params.get("filters", {})
    queryset = export_queryset(user, filters)
    name, data, _ = export_file(user, queryset, filters, progress=progress)
    progress(progress.total or progress.done, progress.total or progress.done)
    return jobs.Outcome(text="已导出抽查检查结果", file_name=name, content=data)
