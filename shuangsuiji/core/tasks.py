"""The one django.tasks task: run an attempt of a `core.BackgroundJob` (see core/jobs.py).

Every kind of background work goes through it, so the queue holds only job ids; what to do, for whom and
with which parameters is read from the job row by the worker, and the handler is looked up in the
registry of kinds (never imported from a path stored in the database)."""

from django.tasks import task

from . import jobs


@task
def run_job(job_id: str, attempt: int) -> dict:
    return jobs.execute(job_id, attempt, inline=getattr(jobs.INLINE, "on", False))
