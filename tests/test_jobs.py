"""Background jobs (core/jobs.py) through the pages, with the django-tasks-db queue run in this process by the
worker's own code (`core.testing.run_jobs`): upload → parse job → preview → commit job, exports as files only
their owner downloads, progress fragment, 我的任务, a stale run re-run exactly once, a superseded run rolled back.
The real worker process killed mid-task is tests/test_jobs_worker.py."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from shuangsuiji.core import jobs
from shuangsuiji.core import services as core_services
from shuangsuiji.core.audit import check_chain
from shuangsuiji.core.models import BackgroundJob, ObjectChange
from shuangsuiji.core.testing import finished_job, run_jobs
from shuangsuiji.directory.models import ImportBatch, RegulatedUnit
from shuangsuiji.directory.tests.factories import UNIT_HEADERS, unit_row, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def background(settings):
    """Everything to the background, however small."""
    settings.JOBS_INLINE_ROWS = -1
    settings.JOBS_INLINE_UPLOAD_BYTES = -1


def upload(client, rows):
    data = xlsx_bytes(UNIT_HEADERS, [unit_row(n) for n in rows])
    form = {"file": SimpleUploadedFile("单位.xlsx", data), "mode": "create"}
    return client.post(reverse("directory:unit_import"), form)


def test_import_runs_as_two_jobs_with_progress_and_result_links(client, regions, admin_user_gq, background):
    client.force_login(admin_user_gq)
    response = upload(client, range(1, 6))
    job = BackgroundJob.objects.get()
    assert job.status == "queued" and job.owner == admin_user_gq and job.region_code == "370322"
    page = client.get(response["Location"]).text
    assert "排队中" in page and 'hx-get="' in page  # the page polls while the job is not finished
    job = finished_job(response)
    batch = ImportBatch.objects.get()
    assert job.status == "succeeded" and job.result_url == reverse("directory:import_detail", args=[batch.pk])
    assert (job.done, job.total, job.percent) == (5, 5, 100) and not RegulatedUnit.objects.exists()
    fragment = client.get(reverse("core:job_progress", args=[job.pk]), headers={"HX-Request": "true"})
    assert "100%" in fragment.text and "已处理 5 / 5 行" in fragment.text and "hx-get" not in fragment.text

    commit = finished_job(client.post(reverse("directory:import_commit", args=[batch.pk])))
    assert commit.status == "succeeded" and "导入完成：新增 5" in commit.result["text"]
    assert RegulatedUnit.objects.count() == 5
    assert "导入完成：新增 5" in client.get(commit.get_absolute_url()).text
    mine = client.get(reverse("core:job_list")).text
    assert commit.title in mine and job.title in mine and "已完成" in mine
    # the same batch again: the service refuses, the job fails with the Chinese reason, nothing is written twice
    again = jobs.start(user=admin_user_gq, kind="directory.import_commit", title="再次导入", params={"batch": batch.pk})
    run_jobs()
    again.refresh_from_db()
    assert again.status == "failed" and "已导入" in again.error and RegulatedUnit.objects.count() == 5
    assert "任务失败：" in client.get(again.get_absolute_url()).text
    assert check_chain().ok


def test_export_job_file_is_downloaded_by_its_owner_only(client, regions, admin_user_gq, admin_yy, make_user,
                                                           background):  # fmt: skip
    from shuangsuiji.accounts.roles import Role

    client.force_login(admin_user_gq)
    finished_job(client.post(reverse("directory:import_commit", args=[_batch(client)])))
    job = finished_job(client.get(reverse("directory:unit_export"), {"name": "测试单位"}))
    assert job.status == "succeeded" and job.file_name.endswith(".xlsx") and job.done == 3
    response = client.get(reverse("core:job_download", args=[job.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 4 and sheet.cell(1, 1).value == UNIT_HEADERS[0]
    assert ObjectChange.objects.filter(action="export", message__contains="3 条").exists()
    colleague = make_user("gq_approver2", Role.APPROVER)  # same county, not the owner, not an administrator
    for other in (admin_yy, colleague):
        client.force_login(other)
        assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 404
        assert client.get(reverse("core:job_detail", args=[job.pk])).status_code == 404
        assert job.title not in client.get(reverse("core:job_list")).text
    other_admin = make_user("gq_admin2", Role.ADMIN)  # an administrator of the job's county sees it
    client.force_login(other_admin)
    assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 200
    assert job.title in client.get(reverse("core:job_list"), {"all": "1"}).text


def _batch(client) -> int:
    upload_response = upload(client, range(1, 4))
    finished_job(upload_response)
    return ImportBatch.objects.get().pk


def test_stale_run_is_run_again_exactly_once(regions, admin_user_gq, background, client):
    """A worker that died mid-commit: its transaction never committed (nothing written), the queue row and the
    job stay “running”; once the heartbeat is stale the owner runs the job again and it commits once."""
    client.force_login(admin_user_gq)
    batch = _batch(client)
    response = client.post(reverse("directory:import_commit", args=[batch]))
    job = BackgroundJob.objects.get(kind="directory.import_commit")
    # what a killed worker leaves: claimed queue row, job running, no data
    DBTaskResult.objects.filter(id=job.task_result_id).update(status="RUNNING")
    BackgroundJob.objects.filter(pk=job.pk).update(status="running", started_at=job.created_at,
                                                   heartbeat_at=job.created_at)  # fmt: skip
    job.refresh_from_db()
    with pytest.raises(Exception, match="正在运行或已完成"):
        core_services.job_retry(user=admin_user_gq, job=job)  # not stale yet
    later = job.created_at + dt.timedelta(minutes=10)
    assert jobs.is_stale(job, now=later)
    job = core_services.job_retry(user=admin_user_gq, job=job, now=later)
    assert job.attempt == 2 and job.status == "queued"
    assert response.status_code == 302 and DBTaskResult.objects.get(id=job.task_result_id).status == "READY"
    assert DBTaskResult.objects.filter(status="FAILED", exception_class_path__endswith="WorkerLost").count() == 1
    run_jobs()
    job.refresh_from_db()
    assert job.status == "succeeded" and RegulatedUnit.objects.count() == 3
    commits = ObjectChange.objects.filter(action="import", message__startswith="确认导入")
    assert commits.count() == 1 and check_chain().ok


def test_superseded_run_is_rolled_back(regions, admin_user_gq, background, client):
    """A run presumed dead that was only slow must not record an outcome or keep its writes."""
    client.force_login(admin_user_gq)
    batch = _batch(client)
    client.post(reverse("directory:import_commit", args=[batch]))
    job = BackgroundJob.objects.get(kind="directory.import_commit")
    BackgroundJob.objects.filter(pk=job.pk).update(status="running")
    slow = jobs.Progress(job, 1, inline=True)
    BackgroundJob.objects.filter(pk=job.pk).update(attempt=2)  # someone re-ran it meanwhile
    with pytest.raises(jobs.Superseded):
        from django.db import transaction

        with transaction.atomic():
            jobs.KINDS[job.kind].handler(job, user=admin_user_gq, progress=slow)
            jobs._record_success(job, 1, jobs.Outcome(), slow)
    assert not RegulatedUnit.objects.exists()
    assert jobs.execute(str(job.pk), 1, inline=True) == {"skipped": True}  # the old attempt never claims


def test_job_pages_refuse_anonymous_and_unknown(client, regions, admin_user_gq):
    import uuid

    assert client.get(reverse("core:job_list")).status_code == 302
    client.force_login(admin_user_gq)
    assert client.get(reverse("core:job_detail", args=[uuid.uuid4()])).status_code == 404
    assert "暂无任务" in client.get(reverse("core:job_list")).text


_FLAKY = {"calls": 0}


@jobs.register("test.flaky_write", atomic=True)
def _flaky_write(job, *, user, progress):
    """Writes an audit event, then loses a deadlock the first time (what PostgreSQL does to a victim)."""
    from django.db import OperationalError

    from shuangsuiji.core import audit

    _FLAKY["calls"] += 1
    audit.log_event(ObjectChange.Action.WORKFLOW, user=user, message=f"试写 {_FLAKY['calls']}")
    if _FLAKY["calls"] == 1:
        cause = type("DeadlockDetected", (Exception,), {"sqlstate": "40P01"})()
        raise OperationalError("deadlock detected") from cause
    return jobs.Outcome(text="完成")


def test_deadlock_victim_is_rolled_back_and_run_again(regions, admin_user_gq):
    _FLAKY["calls"] = 0
    job = jobs.start(user=admin_user_gq, kind="test.flaky_write", title="试写")
    run_jobs()
    job.refresh_from_db()
    assert job.status == "succeeded" and _FLAKY["calls"] == 2
    assert list(ObjectChange.objects.filter(message__startswith="试写").values_list("message", flat=True)) == ["试写 2"]


@jobs.register("test.reports", unit="条")
def _reports(job, *, user, progress):
    jobs.report(3, 7, phase="第一步")  # from code that only knows core.jobs
    assert (progress.done, progress.total, progress.phase) == (3, 7, "第一步")
    return jobs.Outcome(text="完成")


def test_code_without_the_progress_object_reports_through_the_context(regions, admin_user_gq, client):
    job = jobs.start(user=admin_user_gq, kind="test.reports", title="试报进度")
    jobs.report(1, 1)  # outside a job: nothing happens
    run_jobs()
    job.refresh_from_db()
    assert job.status == "succeeded" and (job.done, job.total, job.unit) == (7, 7, "条")
    client.force_login(admin_user_gq)
    assert "已处理 7 / 7 条" in client.get(job.get_absolute_url()).text


def test_jobs_also_run_on_the_immediate_backend(regions, admin_user_gq, settings):
    """Any django.tasks backend works: with ImmediateBackend the job has run when `start` returns."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    job = jobs.start(user=admin_user_gq, kind="test.reports", title="立即执行")
    job.refresh_from_db()
    assert job.status == "succeeded" and job.task_result_id


def test_pruned_result_file_can_be_made_again(client, regions, admin_user_gq, background):
    from django.core.management import call_command

    client.force_login(admin_user_gq)
    job = finished_job(client.get(reverse("directory:unit_export")))
    assert job.stored_file and not jobs.can_run_again(job)
    call_command("jobs_prune", days=0)  # the frozen clock: finished "now", so --days 0 removes it
    job.refresh_from_db()
    assert not job.stored_file and jobs.can_run_again(job)
    assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 404
    assert "结果文件已被清理" in client.get(job.get_absolute_url()).text
    client.post(reverse("core:job_retry", args=[job.pk]))
    run_jobs()
    job.refresh_from_db()
    assert job.status == "succeeded" and job.stored_file and job.attempt == 2
    assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 200
