"""Background-job entry points: plain functions `(task, user, progress=None) -> file` for document batches,
and the registered kind `paperwork.sync_outbound` (立即上报 to the provincial platform)."""

from __future__ import annotations

from functools import partial

from django.urls import reverse

from shuangsuiji.core import jobs as core_jobs

from . import services
from .choices import DocKind

SYNC_OUTBOUND = "paperwork.sync_outbound"


def task_documents(task, user, progress=None, *, kind: str = DocKind.RECORD, fmt: str = "pdf"):
    """The batch of `kind` documents of one task (see services.batch_documents)."""
    return services.batch_documents(user=user, task=task, kind=kind, fmt=fmt, progress=progress)


def job_for(kind: str, fmt: str):
    """A `(task, user, progress=None) -> file` callable for one kind and format."""
    return partial(task_documents, kind=kind, fmt=fmt)


@core_jobs.register(SYNC_OUTBOUND, unit="条")
def sync_outbound(job, *, user, progress):
    """立即上报: the published results in the owner's scope that the provincial platform has not received.
    Not atomic: each delivered batch is a fact outside our database and is recorded as it happens."""
    out = services.sync_configured(user=user, progress=progress)
    text = f"送达 {out['delivered']} 条，发送失败 {out['failed']} 条" + ("（下次上报时重试）" if out["failed"] else "")
    return core_jobs.Outcome(url=reverse("paperwork:outbound"), text=text, data=out)
