"""Background jobs of the paperwork app: `paperwork.task_documents` (批量生成 the documents of one kind for a
task's targets, a file to download at the end) and `paperwork.sync_outbound` (立即上报 to the provincial
platform). `task_documents` / `job_for` are the plain `(task, user, progress=None) -> file` callables the
batch job runs."""

from __future__ import annotations

from functools import partial

from django.urls import reverse

from shuangsuiji.core import jobs as core_jobs

from . import services
from .choices import DocKind

SYNC_OUTBOUND = "paperwork.sync_outbound"
TASK_DOCUMENTS = "paperwork.task_documents"


def task_documents(task, user, progress=None, *, kind: str = DocKind.RECORD, fmt: str = "pdf"):
    """The batch of `kind` documents of one task (see services.batch_documents)."""
    return services.batch_documents(user=user, task=task, kind=kind, fmt=fmt, progress=progress)


def job_for(kind: str, fmt: str):
    """A `(task, user, progress=None) -> file` callable for one kind and format."""
    return partial(task_documents, kind=kind, fmt=fmt)


@core_jobs.register(TASK_DOCUMENTS, unit="份")
def task_documents_job(job, *, user, progress):
    """批量生成执法文书: every document of one kind for the task, one PDF or Word file to download.

    Not atomic: each number is issued in its own transaction (`services.document_issue`), so a long batch never
    holds the office's counter locked while WeasyPrint renders; a run that dies half-way leaves numbered
    documents without a print, and running it again reuses those numbers (a number is never issued twice)."""
    from django.core.exceptions import ValidationError

    from . import selectors

    kind, fmt = job.params.get("kind", ""), job.params.get("fmt", "")
    if kind not in DocKind.values or fmt not in ("pdf", "docx"):
        raise ValidationError("文书种类或格式不正确")
    task = selectors.tasks_with_draws(user).filter(pk=job.params.get("task")).first()
    if task is None:
        raise ValidationError("该抽查任务不存在、尚未锁定抽取结果，或不在您的辖区内")
    progress(0, None, phase="编发文号并生成文书")
    file = services.batch_documents(user=user, task=task, kind=kind, fmt=fmt, progress=progress)
    count = progress.total or progress.done
    return core_jobs.Outcome(
        url=reverse("paperwork:task_documents", args=[task.pk]), file_name=file.name, content=file.read(),
        text=f"已生成{DocKind(kind).label} {count} 份（{fmt.upper() if fmt == 'pdf' else 'Word'}）",
        data={"task": task.pk, "kind": kind, "fmt": fmt, "count": count},
    )  # fmt: skip


@core_jobs.register(SYNC_OUTBOUND, unit="条")
def sync_outbound(job, *, user, progress):
    """立即上报: the published results in the owner's scope that the provincial platform has not received.
    Not atomic: each delivered batch is a fact outside our database and is recorded as it happens."""
    out = services.sync_configured(user=user, progress=progress)
    text = f"送达 {out['delivered']} 条，发送失败 {out['failed']} 条" + ("（下次上报时重试）" if out["failed"] else "")
    return core_jobs.Outcome(url=reverse("paperwork:outbound"), text=text, data=out)
