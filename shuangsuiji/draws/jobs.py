"""Background work of the draws app (core/jobs.py): freezing the pool (T0) and re-verifying a draw."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from shuangsuiji.core import jobs
from shuangsuiji.plans.models import Task

from . import services
from .models import Draw

FREEZE = "draws.freeze"
VERIFY = "draws.verify"
RECORD_PDFS = "draws.record_pdfs"
MAX_RECORDS = 200


def freeze_params(task: Task, sources: list) -> dict:
    """JSON parameters of a freeze job: the task and the announced public sources."""
    return {"task": task.pk, "sources": [[kind, spec, at.isoformat()] for kind, spec, at in sources]}


@jobs.register(FREEZE, atomic=True, unit="步")
def freeze(job, *, user, progress):
    """冻结号池并公布抽取承诺: `services.draw_freeze` (one transaction: the draw, its files, the audit event
    and the job's outcome commit together)."""
    progress(0, 2, phase="读取任务与号池")
    task = Task.objects.get(pk=job.params["task"])
    sources = [(kind, spec, dt.datetime.fromisoformat(at)) for kind, spec, at in job.params["sources"]]
    draw = services.draw_freeze(user=user, task=task, sources=sources)
    progress(2, 2, phase="已冻结")
    text = f"号池已冻结（{draw.unit_total} 户，其中可抽 {draw.unit_eligible} 户），抽取承诺 {draw.code} 已公布"
    return jobs.Outcome(url=reverse("draws:draw_detail", args=[draw.pk]), text=text, data={"draw": draw.pk})


@jobs.register(VERIFY, unit="步")
def verify(job, *, user, progress):
    """复核抽取结果: re-run fairdraw on the stored files and store the outcome on the draw."""
    progress(0, 1, phase="重新计算抽取结果")
    draw = Draw.objects.get(pk=job.params["draw"])
    row = services.draw_reverify(user=user, draw=draw)
    progress(1, 1)
    url = reverse("draws:draw_detail", args=[draw.pk]) if not jobs.is_system(user) else ""
    text = (row.details or {}).get("display") or row.text  # the Chinese verdict, not the verifier's status word
    return jobs.Outcome(url=url, text=text, data={"status": row.status, "draw": draw.pk})


def records_queryset(user, filters: dict):
    """The draws of the list page with its filters (the batch prints what the user sees)."""
    from types import SimpleNamespace

    from django.http import QueryDict

    from . import selectors
    from .filtersets import DrawFilterSet

    query = QueryDict(mutable=True)
    for key, values in filters.items():
        query.setlist(key, values)
    qs = selectors.draw_list(user)
    return DrawFilterSet(query or None, queryset=qs, request=SimpleNamespace(user=user, GET=query)).qs


@jobs.register(RECORD_PDFS, unit="份")
def record_pdfs(job, *, user, progress):
    """抽取记录 PDF 批量: one PDF per draw of the filtered list, in one ZIP file."""
    import io
    import zipfile

    from django.core.exceptions import ValidationError
    from django.template.loader import render_to_string
    from django.utils import timezone

    from shuangsuiji.core.printing import render_pdf

    from .views import draw_context

    draws = list(records_queryset(user, job.params.get("filters", {})).order_by("pk")[: MAX_RECORDS + 1])
    if len(draws) > MAX_RECORDS:
        raise ValidationError(f"一次最多生成 {MAX_RECORDS} 份抽取记录，请缩小查询范围")
    if not draws:
        raise ValidationError("没有符合条件的抽取记录")
    progress(0, len(draws), phase="生成 PDF")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for done, draw in enumerate(draws, start=1):
            html = render_to_string(
                "draws/record.html", {**draw_context(draw), "printable": False, "printed_at": timezone.now()}
            )
            archive.writestr(f"{draw.code}-抽取记录.pdf", render_pdf(html))
            progress(done)
    name = f"抽取记录_{timezone.localdate():%Y%m%d}.zip"
    return jobs.Outcome(text=f"已生成 {len(draws)} 份抽取记录 PDF", file_name=name, content=buffer.getvalue())
