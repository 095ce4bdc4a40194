"""Background-job entry points: plain functions `(task, user, progress=None) -> file`."""

from __future__ import annotations

from functools import partial

from . import services
from .choices import DocKind


def task_documents(task, user, progress=None, *, kind: str = DocKind.RECORD, fmt: str = "pdf"):
    """The batch of `kind` documents of one task (see services.batch_documents)."""
    return services.batch_documents(user=user, task=task, kind=kind, fmt=fmt, progress=progress)


def job_for(kind: str, fmt: str):
    """A `(task, user, progress=None) -> file` callable for one kind and format."""
    return partial(task_documents, kind=kind, fmt=fmt)
