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
    return jobs.Outcome(url=url, text=row.text, data={"status": row.status, "draw": draw.pk})
