"""A real task worker (`manage.py db_worker`, django-tasks-db) killed with SIGKILL in the middle of an import
commits nothing; the job is run again and the import is then complete exactly once (issue #13).

The worker holds inside the job's transaction once the rows are written (the test hook
`SHUANGSUIJI_JOB_HOLD_DIR` of core/jobs.py writes `<job>.held` and waits), so the kill lands after the writes
and before the commit, deterministically. Everything the worker sees goes through the database: on
PostgreSQL the test database of this run (transactional test), on SQLite a fresh file migrated for it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

# transactional: committed rows the worker processes can see (PostgreSQL), flushed afterwards
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parent.parent
ROWS = 400

SETUP = """
import json
from shuangsuiji.accounts.models import Organization, User
from shuangsuiji.core import jobs
from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.directory import services
from shuangsuiji.directory.tests.factories import UNIT_HEADERS, unit_row, xlsx_bytes
from shuangsuiji.regions.models import Region
from shuangsuiji.regions.services import regions_load_csv

from shuangsuiji.plans.testing import ensure_business_lines

if not Region.objects.exists():
    regions_load_csv(user=SYSTEM)
ensure_business_lines()  # migration data; a transactional test's flush removed it on PostgreSQL
org = Organization.objects.create(name="高青县卫生健康局", kind="bureau", region=Region.objects.get(code="370322"))
user = User.objects.create(username="worker_admin", full_name="管理员", role="admin", organization=org)
data = xlsx_bytes(UNIT_HEADERS, [unit_row(n) for n in range(1, %(rows)d + 1)])
batch = services.import_prepare(user=user, kind="unit", mode="create", data=data, filename="units.xlsx")
assert batch.status == "ready", batch.errors[:3]
job = jobs.start(user=user, kind="directory.import_commit", title="导入", params={"batch": batch.pk})
print(json.dumps({"job": str(job.pk), "batch": batch.pk}))
"""

STATE = """
import json
from django_tasks_db.models import DBTaskResult
from shuangsuiji.core.audit import check_chain
from shuangsuiji.core.models import BackgroundJob, ObjectChange
from shuangsuiji.directory.models import ImportBatch, RegulatedUnit

job = BackgroundJob.objects.get(pk="%(job)s")
print(json.dumps({
    "units": RegulatedUnit.objects.count(), "batch": ImportBatch.objects.get(pk=%(batch)d).status,
    "job": job.status, "attempt": job.attempt, "error": job.error,
    "queue": sorted(DBTaskResult.objects.values_list("status", flat=True)),
    "commits": ObjectChange.objects.filter(action="import", message__startswith="确认导入").count(),
    "unit_audit": ObjectChange.objects.filter(object_type="directory.regulatedunit").count(),
    "chain_ok": check_chain().ok,
}))
"""

RETRY = """
import datetime as dt
from shuangsuiji.accounts.models import User
from shuangsuiji.core import services
from shuangsuiji.core.models import BackgroundJob

job = BackgroundJob.objects.get(pk="%(job)s")
silent_since = job.heartbeat_at or job.started_at or job.created_at  # the killed worker's last sign of life
services.job_retry(user=User.objects.get(username="worker_admin"), job=job, now=silent_since + dt.timedelta(hours=1))
"""


def shell(env, code: str) -> dict | None:
    result = subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", code], cwd=REPO, env=env,
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else None


def worker(env, *extra) -> subprocess.Popen:
    args = [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay",
            "--interval", "0", *extra]  # fmt: skip
    return subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.fixture
def worker_env(request, tmp_path):
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
    env = {**keep, "DJANGO_SETTINGS_MODULE": "config.settings_test", "MEDIA_ROOT": str(tmp_path / "media"),
           "PYTHONDONTWRITEBYTECODE": "1"}  # fmt: skip
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        env["DATABASE_URL"] = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=REPO, env=env,
                       check=True)  # fmt: skip
    return env


def test_killed_worker_leaves_nothing_and_the_rerun_imports_once(worker_env, tmp_path):
    ids = shell(worker_env, SETUP % {"rows": ROWS})
    hold = tmp_path / "hold"
    hold.mkdir()
    process = worker({**worker_env, "SHUANGSUIJI_JOB_HOLD_DIR": str(hold)})
    marker = hold / f"{ids['job']}.held"
    deadline = time.monotonic() + 300  # a readiness wait, not a timing assertion
    while not marker.exists():
        assert process.poll() is None, process.stdout.read()
        assert time.monotonic() < deadline, "the worker never reached the end of the import"
        time.sleep(0.2)
    os.kill(process.pid, signal.SIGKILL)  # mid-task: rows written, transaction open
    process.wait()

    state = shell(worker_env, STATE % ids)
    assert state["units"] == 0 and state["unit_audit"] == 0 and state["commits"] == 0  # nothing half-written
    assert state["batch"] == "ready" and state["job"] == "running" and state["queue"] == ["RUNNING"]
    assert state["chain_ok"]

    shell(worker_env, RETRY % ids)  # the owner runs it again once the heartbeat is stale
    rerun = worker(worker_env)
    output, _ = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, output

    state = shell(worker_env, STATE % ids)
    assert state["job"] == "succeeded" and state["attempt"] == 2, state
    assert state["units"] == ROWS and state["unit_audit"] == ROWS and state["commits"] == 1  # exactly once
    assert state["batch"] == "committed" and state["chain_ok"]
    assert state["queue"] == ["FAILED", "SUCCESSFUL"]  # the lost run is closed, the re-run succeeded
