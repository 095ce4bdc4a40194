"""Background jobs (后台任务): long work runs in a task worker, the user watches it on “我的任务”.

    job = jobs.start(user=request.user, kind="directory.import_commit", title="导入检查对象 #12",
                     params={"batch": 12}, region=batch.region_code)
    return redirect(job)                      # the job page polls its progress (htmx)

A *kind* is registered by the app that owns the work, in its `jobs.py` (imported from `AppConfig.ready`):

    @jobs.register("directory.import_commit", atomic=True)
    def import_commit(job, *, user, progress):
        batch = ...                            # re-read everything from job.params
        services.import_commit(user=user, batch=batch)      # the ordinary service, with the re-loaded user
        return jobs.Outcome(url=reverse(...), text="新增 10 条")

How it runs. `start` records a `core.BackgroundJob` and enqueues `core.tasks.run_job(job_id, attempt)` on the
django.tasks backend (`settings.TASKS`: the database backend of django-tasks-db, so the queue is a table of
the same database and enqueueing commits with the caller's transaction). `manage.py db_worker` picks it up
and calls `execute`: it re-loads the job and its owner, marks it running, runs the handler and records the
outcome (result link, file in default storage, or a Chinese error).

Nothing half-written. For an `atomic=True` kind the handler's writes *and* the job's “已完成” are one
transaction: a worker killed at any instant leaves either both or neither. The run that may record an
outcome is the latest one (`attempt`); an older run (a worker presumed dead that was only slow) finds its
attempt superseded and rolls back. A killed run leaves the job “进行中” with a heartbeat that stops; after
`JOBS_STALE_SECONDS` its owner may run it again (`core.services.job_retry`): the new run re-reads the
database, so it does the work exactly once (the services refuse to do it twice anyway: an import batch is
committed once, a task has one live draw). Read-only kinds (exports, verification, reports) write only their
file and the job row; re-running one makes a fresh file.

A deadlock victim or serialization failure (PostgreSQL) is rolled back and run again, up to three times.

Progress. The handler calls `progress(done, total, phase=...)`; a heartbeat thread with its own database
connection writes it (and the heartbeat) once a second, so the page moves while the handler's transaction
is still open (PostgreSQL). SQLite has one writer: while the handler holds its write transaction the
thread waits, and the page shows the last step written before it.
"""

from __future__ import annotations

import contextvars
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone

from .models import BackgroundJob
from .permissions import SYSTEM, is_system, region_code_of, require, stored_user

logger = logging.getLogger(__name__)
Status = BackgroundJob.Status

# Test hook for the kill test (tests/test_jobs_worker.py): when set to a directory, an atomic job writes
# `<job id>.held` there once its work is done but not committed, and waits to be killed.
HOLD_ENV = "SHUANGSUIJI_JOB_HOLD_DIR"
INLINE = threading.local()  # run_queued: progress written inline, no heartbeat thread
_CURRENT: contextvars.ContextVar[Progress | None] = contextvars.ContextVar("current_job_progress", default=None)


def report(done: int | None = None, total: int | None = None, *, phase: str | None = None) -> None:
    """Progress of the job running in this context, from code that does not know about jobs (a service's
    bulk-write loop may call it after each chunk); does nothing outside a job."""
    progress = _CURRENT.get()
    if progress is not None:
        progress(done, total, phase=phase)


INTERNAL_ERROR = "任务执行时发生内部错误，未写入任何数据；请稍后重试，或将任务编号告知系统管理员"


@dataclass(frozen=True)
class Outcome:
    """What a handler returns: a link to the result, a summary line, data for the job page, a file."""

    url: str = ""
    text: str = ""
    data: dict = field(default_factory=dict)
    file_name: str = ""  # shown and used for the download (Chinese names are fine)
    content: bytes | None = None


@dataclass(frozen=True)
class Kind:
    name: str
    handler: Callable
    atomic: bool
    unit: str


KINDS: dict[str, Kind] = {}


def register(name: str, *, atomic: bool = False, unit: str = "行") -> Callable:
    """Register `handler(job, *, user, progress) -> Outcome` for a kind. `atomic`: the handler writes data
    (its writes and the job's success commit together)."""

    def decorator(handler: Callable) -> Callable:
        KINDS[name] = Kind(name=name, handler=handler, atomic=atomic, unit=unit)
        return handler

    return decorator


class Superseded(Exception):
    """A newer run of the job was started (this run was presumed dead): this run's work is rolled back."""


class WorkerLost(Exception):
    """Recorded on the queue row of a run whose worker died (the job was run again)."""


# ---------------------------------------------------------------- starting


def _enqueue(job: BackgroundJob) -> None:
    """Save the job with its next attempt, then enqueue that attempt (the row exists first, so a backend that
    runs tasks at once — ImmediateBackend — finds it too)."""
    from .tasks import run_job

    job.attempt += 1
    job.save()
    result = run_job.enqueue(str(job.pk), job.attempt)
    job.task_result_id = str(result.id)
    job.save(update_fields=["task_result_id"])


@transaction.atomic
def start(*, user, kind: str, title: str, params: dict | None = None, region=None) -> BackgroundJob:
    """Record a job for `user` and enqueue it. The caller has checked the permission for the work itself;
    the handler runs the service with the same user again, which checks it once more."""
    require(user, None)
    if kind not in KINDS:
        raise ValidationError(f"未知的任务类型：{kind}")
    code = region_code_of(region) if region is not None else getattr(getattr(user, "region", None), "code", "")
    job = BackgroundJob(
        kind=kind, title=title[:200], owner=stored_user(user), owner_name=str(getattr(user, "full_name", "") or user),
        region_code=code or "", params=params or {}, unit=KINDS[kind].unit,
    )  # fmt: skip
    _enqueue(job)
    return job


def start_once(*, user, kind: str, title: str, params: dict, region=None) -> BackgroundJob:
    """`start`, unless the same kind with the same parameters is already waiting or running (not stale):
    then that job. For work anyone may trigger (the public re-verification of a draw)."""
    pending = BackgroundJob.objects.filter(kind=kind, params=params, status__in=(Status.QUEUED, Status.RUNNING))
    for job in pending.order_by("-created_at")[:5]:
        if not is_stale(job):
            return job
    return start(user=user, kind=kind, title=title, params=params, region=region)


def is_stale(job: BackgroundJob, *, now=None) -> bool:
    """A running job whose worker stopped writing its heartbeat (killed, machine lost)."""
    if job.status != Status.RUNNING:
        return False
    seen = job.heartbeat_at or job.started_at or job.created_at
    return ((now or timezone.now()) - seen).total_seconds() > settings.JOBS_STALE_SECONDS


def can_run_again(job: BackgroundJob, *, now=None) -> bool:
    """Failed, or its worker died, or a read-only job whose result file was cleaned up (`jobs_prune`)."""
    pruned = job.status == Status.SUCCEEDED and job.file_name and not job.stored_file
    return job.status == Status.FAILED or is_stale(job, now=now) or bool(pruned and not _atomic(job.kind))


def _atomic(kind: str) -> bool:
    return KINDS[kind].atomic if kind in KINDS else True


def run_again(job: BackgroundJob, *, now=None) -> BackgroundJob:
    """Enqueue a new run of a failed or stale job (`core.services.job_retry` checks who may)."""
    with transaction.atomic():
        job = BackgroundJob.objects.select_for_update().get(pk=job.pk)
        if not can_run_again(job, now=now):
            raise ValidationError("该任务正在运行或已完成，不能重新运行")
        _mark_lost(job.task_result_id)
        job.status, job.phase, job.done, job.error = Status.QUEUED, "", 0, ""
        job.result, job.result_url, job.started_at, job.finished_at, job.heartbeat_at = {}, "", None, None, None
        _enqueue(job)
    return job


def _mark_lost(task_result_id: str) -> None:
    """The queue row of a run whose worker died stays “RUNNING” in django-tasks-db: close it."""
    from django_tasks_db.models import DBTaskResult

    if task_result_id:
        DBTaskResult.objects.filter(id=task_result_id, status="RUNNING").update(
            status="FAILED", finished_at=timezone.now(),
            exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
            traceback="执行该任务的进程已停止（被终止或机器失联），任务已重新排队",
        )  # fmt: skip


# ---------------------------------------------------------------- progress and heartbeat


class Progress:
    """What the handler reports; written by the heartbeat thread (or at once, inline)."""

    def __init__(self, job: BackgroundJob, attempt: int, *, inline: bool):
        self.job_id, self.attempt, self.inline = job.pk, attempt, inline
        self.done, self.total, self.phase = 0, job.total, ""
        self.version, self.written = 0, -1
        self.lock = threading.Lock()
        self.in_write_transaction = False  # SQLite: the handler holds the only write lock

    def __call__(self, done: int | None = None, total: int | None = None, *, phase: str | None = None) -> None:
        with self.lock:
            if done is not None:
                self.done = max(0, int(done))
            if total is not None:
                self.total = max(0, int(total))
            if phase is not None:
                self.phase = phase[:100]
            self.version += 1
        if self.inline:
            self.flush()

    def add(self, n: int) -> None:
        self(self.done + n)

    def flush(self, *, heartbeat: bool = False) -> None:
        with self.lock:
            if self.version == self.written and not heartbeat:
                return
            values = {"done": self.done, "total": self.total, "phase": self.phase}
            version = self.version
        if heartbeat or not self.inline:
            values["heartbeat_at"] = timezone.now()
        BackgroundJob.objects.filter(pk=self.job_id, attempt=self.attempt, status=Status.RUNNING).update(**values)
        self.written = version


class Heartbeat(threading.Thread):
    """Writes progress every second and the heartbeat every few seconds, on its own connection."""

    def __init__(self, progress: Progress, *, interval: float = 1.0, beat_every: float = 10.0):
        super().__init__(name=f"job-heartbeat-{progress.job_id}", daemon=True)
        self.progress, self.interval, self.beat_every = progress, interval, beat_every
        self.stopped = threading.Event()

    def run(self) -> None:
        last_beat = time.monotonic()
        try:
            while not self.stopped.wait(self.interval):
                if connection.vendor == "sqlite" and self.progress.in_write_transaction:
                    continue
                beat = time.monotonic() - last_beat >= self.beat_every
                try:
                    self.progress.flush(heartbeat=beat)
                    if beat:
                        last_beat = time.monotonic()
                except Exception:  # a busy database must not kill the job; the next beat tries again
                    logger.warning("job %s: heartbeat not written", self.progress.job_id, exc_info=True)
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.stopped.set()
        self.join()


# ---------------------------------------------------------------- running


def _owner(job: BackgroundJob):
    if job.owner_id is None:
        return SYSTEM
    user = get_user_model().objects.select_related("organization__region").get(pk=job.owner_id)
    if not user.is_active:
        raise PermissionDenied("发起该任务的账号已停用")
    return user


def _hold(job: BackgroundJob) -> None:
    hold_dir = os.environ.get(HOLD_ENV)
    if hold_dir:
        Path(hold_dir, f"{job.pk}.held").write_text(str(os.getpid()))
        while True:  # until the test kills this process
            time.sleep(1)


def _save_file(job: BackgroundJob, attempt: int, outcome: Outcome) -> dict:
    import hashlib

    digest = hashlib.sha256(outcome.content).hexdigest()
    suffix = Path(outcome.file_name).suffix.lower()[:8]
    name = default_storage.save(f"jobs/{job.pk}/{attempt}-{digest[:16]}{suffix}", ContentFile(outcome.content))
    return {
        "stored_file": name, "file_name": outcome.file_name[:255], "file_size": len(outcome.content),
        "file_sha256": digest,
    }  # fmt: skip


def _record_success(job: BackgroundJob, attempt: int, outcome: Outcome, progress: Progress) -> None:
    values = {
        "status": Status.SUCCEEDED, "finished_at": timezone.now(), "result_url": outcome.url[:300],
        "result": {"text": outcome.text, **outcome.data}, "error": "", "phase": "",
        "done": max(progress.done, progress.total), "total": progress.total,
    }  # fmt: skip
    if outcome.content is not None:
        values.update(_save_file(job, attempt, outcome))
    if not BackgroundJob.objects.filter(pk=job.pk, attempt=attempt).update(**values):
        raise Superseded(job.pk)


def _record_failure(job_id, attempt: int, message: str) -> None:
    BackgroundJob.objects.filter(pk=job_id, attempt=attempt).update(
        status=Status.FAILED, finished_at=timezone.now(), error=message, phase=""
    )


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc) or "您没有此操作的权限"


TRANSIENT_SQLSTATES = {"40P01", "40001"}  # deadlock detected, serialization failure (PostgreSQL)
TRANSIENT_TRIES = 3


def _transient(exc: OperationalError) -> bool:
    return getattr(exc.__cause__, "sqlstate", None) in TRANSIENT_SQLSTATES


def _run(job: BackgroundJob, kind: Kind, attempt: int, *, user, progress: Progress) -> None:
    if kind.atomic:
        with transaction.atomic():
            progress.in_write_transaction = True
            outcome = kind.handler(job, user=user, progress=progress)
            _hold(job)
            _record_success(job, attempt, outcome, progress)
        progress.in_write_transaction = False
    else:
        outcome = kind.handler(job, user=user, progress=progress)
        _record_success(job, attempt, outcome, progress)


def execute(job_id: str, attempt: int, *, inline: bool = False) -> dict:
    """Run one attempt of a job (called by the task worker through `core.tasks.run_job`).

    `inline`: write progress on this connection instead of a heartbeat thread (in-process test runs)."""
    claimed = BackgroundJob.objects.filter(pk=job_id, attempt=attempt, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now(),
        worker=f"{socket.gethostname()}:{os.getpid()}"[:200],
    )  # fmt: skip
    if not claimed:  # a newer attempt exists, or this one already ran (the queue delivered it twice)
        return {"skipped": True}
    job = BackgroundJob.objects.get(pk=job_id)
    kind = KINDS.get(job.kind)
    progress = Progress(job, attempt, inline=inline)
    beat = None if inline else Heartbeat(progress)
    if beat:
        beat.start()
    token = _CURRENT.set(progress)
    try:
        if kind is None:
            raise ValidationError(f"未知的任务类型：{job.kind}")
        user = _owner(job)
        for round_ in range(1, TRANSIENT_TRIES + 1):
            try:
                _run(job, kind, attempt, user=user, progress=progress)
                break
            except OperationalError as exc:  # deadlock victim / serialization failure: rolled back, run again
                if round_ == TRANSIENT_TRIES or not _transient(exc):
                    raise
                logger.warning("job %s: transient database error, running it again (%s)", job_id, exc)
                time.sleep(0.2 * round_)
    except Superseded:
        return {"superseded": True}
    except (ValidationError, PermissionDenied) as exc:
        _record_failure(job_id, attempt, _message(exc))
        return {"failed": _message(exc)}
    except Exception:
        logger.exception("job %s (%s) failed", job_id, job.kind)
        _record_failure(job_id, attempt, f"{INTERNAL_ERROR}（任务编号 {job_id}）")
        raise
    finally:
        _CURRENT.reset(token)
        progress.in_write_transaction = False
        if beat:
            beat.stop()
    return {"succeeded": True}


def run_queued(*, limit: int = 100) -> int:
    """Run the queued tasks in this process, the way `db_worker` does (tests, `make` targets without a
    worker). Returns how many ran."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False, max_tasks=None,
        worker_id="inline", excluded_queue_names=[],
    )  # fmt: skip
    ran = 0
    INLINE.on = True
    try:
        ran = _run_batch(worker, DBTaskResult, limit)
    finally:
        INLINE.on = False
    return ran


def _run_batch(worker, DBTaskResult, limit: int) -> int:
    ran = 0
    while ran < limit:
        db_result = (
            DBTaskResult.objects.ready()
            .filter(backend_name="default")
            .order_by("-priority", "run_after", "enqueued_at")
            .first()
        )
        if db_result is None:
            break
        db_result.claim(worker.worker_id)
        worker.run_task(db_result)
        ran += 1
    return ran


def prune_files(*, older_than, now=None) -> int:
    """Delete result files of jobs finished before now − older_than (`manage.py jobs_prune`); the rows stay."""
    cutoff = (now or timezone.now()) - older_than
    removed = 0
    for job in BackgroundJob.objects.filter(finished_at__lte=cutoff).exclude(stored_file=""):
        default_storage.delete(job.stored_file)
        BackgroundJob.objects.filter(pk=job.pk).update(stored_file="")
        removed += 1
    return removed


def visible_to(user):
    """Jobs a user may open: their own; a region administrator (`core.manage_backgroundjob`) also sees the
    jobs of their region scope."""
    from django.db.models import Q

    qs = BackgroundJob.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    mine = Q(owner_id=user.pk)
    if user.has_perm("core.manage_backgroundjob"):
        scoped = BackgroundJob.objects.in_scope(user).values("pk")
        return qs.filter(mine | Q(pk__in=scoped))
    return qs.filter(mine)


def is_system_job(job: BackgroundJob) -> bool:
    return job.owner_id is None


__all__ = [
    "KINDS", "Outcome", "Progress", "can_run_again", "execute", "is_stale", "is_system", "register", "run_again",
    "run_queued", "start", "start_once", "visible_to",
]  # fmt: skip
