"""我的任务: the user's background jobs, one job's page with its progress bar (htmx polls a fragment),
the result file download (owner, or an administrator of the job's region) and “重新运行”."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import jobs, services
from .models import BackgroundJob
from .viewhelpers import service_call

POLL_SECONDS = 2


def _job(request, pk) -> BackgroundJob:
    return get_object_or_404(jobs.visible_to(request.user), pk=pk)


def _context(request, job: BackgroundJob) -> dict:
    return {
        "job": job,
        "stale": jobs.is_stale(job),
        "can_retry": jobs.can_run_again(job) and (job.owner_id == request.user.pk
                                                  or request.user.has_perm("core.manage_backgroundjob")),
        "poll_seconds": POLL_SECONDS,
    }  # fmt: skip


@login_required
def job_list(request):
    """我的任务 (an administrator also sees the jobs of the region with `?all=1`)."""
    everyone = request.GET.get("all") == "1" and request.user.has_perm("core.manage_backgroundjob")
    qs = jobs.visible_to(request.user) if everyone else BackgroundJob.objects.filter(owner_id=request.user.pk)
    page = Paginator(qs.order_by("-created_at"), 30).get_page(request.GET.get("page"))
    running = any(not job.finished for job in page)
    context = {
        "page": page, "everyone": everyone, "running": running, "poll_seconds": POLL_SECONDS,
        "can_see_all": request.user.has_perm("core.manage_backgroundjob"), "title": "我的任务",
    }  # fmt: skip
    template = "core/_job_rows.html" if request.htmx else "core/job_list.html"
    return render(request, template, context)


@login_required
def job_detail(request, pk):
    job = _job(request, pk)
    return render(request, "core/job_detail.html", {**_context(request, job), "title": job.title})


@login_required
def job_progress(request, pk):
    """The fragment the job page polls (stops polling when the job has finished)."""
    job = _job(request, pk)
    response = render(request, "core/_job_progress.html", _context(request, job))
    if job.finished and request.htmx:
        response["HX-Refresh"] = "true"  # show the result block and messages of the full page
    return response


@login_required
def job_download(request, pk):
    job = _job(request, pk)
    if job.status != BackgroundJob.Status.SUCCEEDED or not job.file_name:
        raise Http404("该任务没有结果文件")
    if not job.stored_file:
        raise Http404("结果文件已被清理，请重新运行该任务")
    if not default_storage.exists(job.stored_file):
        raise Http404("结果文件已被清理，请重新运行该任务")
    return FileResponse(default_storage.open(job.stored_file), as_attachment=True, filename=job.file_name)


@login_required
@require_POST
def job_retry(request, pk):
    job = _job(request, pk)
    if service_call(request, lambda: services.job_retry(user=request.user, job=job), prefix="不能重新运行："):
        messages.info(request, "任务已重新排队")
    return redirect("core:job_detail", pk=job.pk)
