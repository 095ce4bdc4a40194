"""Test helpers for background jobs: run what the views enqueued, in this process, the way the worker does."""

from __future__ import annotations

from django.urls import resolve

from . import jobs
from .models import BackgroundJob


def run_jobs() -> int:
    """Run every queued task through the django-tasks-db worker code (no worker process)."""
    return jobs.run_queued()


def finished_job(response) -> BackgroundJob:
    """The job a view redirected to (`/jobs/<id>/`), after running the queue."""
    assert response.status_code == 302, response.status_code
    match = resolve(response["Location"])
    assert match.url_name == "job_detail", response["Location"]
    run_jobs()
    return BackgroundJob.objects.get(pk=match.kwargs["pk"])
