"""Several nodes, one PostgreSQL database (issue #13): two gunicorn nodes and two task workers (`db_worker`) on
loopback share the test database. Through both nodes at once, over HTTP with a session each: the commits of
four import batches and the pool freezes of four tasks, plus the freeze of one more task submitted on both
nodes at the same instant. Then:

* each job ran exactly once: one queue row per job, SUCCESSFUL, claimed by one worker; `attempt` 1;
* no write lost: every batch committed with all its rows and one “确认导入” audit event; one draw per task;
  the doubly submitted freeze produced one draw, its twin job failed with the Chinese reason;
* the audit trail is one chain: `check_chain()` finds no problem and every row lies on it.

Draws (T1) need a real lottery result after 21:30, which a test on the machine's clock cannot wait for; they
are covered in-process (draws tests) with explicit times. docs/production.md §3 describes this test.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

# transactional: committed rows the worker processes can see (PostgreSQL), flushed afterwards
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PASSWORD = "Test@2026!x"
BATCHES, TASKS, ROWS = 4, 4, 300

SETUP = """
import datetime as dt
import json
from django.utils import timezone
from shuangsuiji.accounts.models import Organization, User
from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.directory import services as directory
from shuangsuiji.directory.tests.factories import UNIT_HEADERS, unit_row, xlsx_bytes
from shuangsuiji.plans import services as plans, testing
from shuangsuiji.regions.models import Region
from shuangsuiji.regions.services import regions_load_csv

if not Region.objects.exists():
    regions_load_csv(user=SYSTEM)
region = Region.objects.get(code="370322")
bureau = Organization.objects.create(name="高青县卫生健康局", kind="bureau", region=region)
agency = Organization.objects.create(name="高青县卫生监督所", kind="agency", region=region)
users = {}
for name, role, org in (("mn_admin", "admin", bureau), ("mn_approver", "approver", bureau),
                        ("mn_inspector", "inspector", agency)):
    user = User(username=name, full_name=name, role=role, organization=org)
    user.set_password("%(password)s")
    user.save()
    users[name] = user
testing.ensure_business_lines()
testing.make_units(region, 40)
testing.make_inspectors(agency, 6)
item = testing.make_item(region)
year = timezone.localdate().year
plan = plans.plan_create(user=users["mn_approver"], year=year, title=f"{year}年度计划", organization=bureau)
tasks = []
for n in range(%(tasks)d + 1):
    task = plans.task_create(user=users["mn_inspector"], plan=plan,
                             **testing.task_data(plan, bureau, name=f"公共场所抽查{n}"))
    plans.task_item_add(user=users["mn_inspector"], task=task, organization=bureau, item=item, item_name="")
    tasks.append(task.pk)
for user, action in ((users["mn_inspector"], "submit"), (users["mn_approver"], "approve"),
                     (users["mn_approver"], "publish")):
    plan = plans.plan_transition(user=user, plan=plan, action=action)
batches = []
for b in range(%(batches)d):
    rows = [unit_row(10000 + b * %(rows)d + n) for n in range(%(rows)d)]
    batch = directory.import_prepare(user=users["mn_admin"], kind="unit", mode="create",
                                     data=xlsx_bytes(UNIT_HEADERS, rows), filename=f"batch{b}.xlsx")
    assert batch.status == "ready", batch.errors[:3]
    batches.append(batch.pk)
local = timezone.localtime()
day = local.date() if local.hour < 21 else local.date() + dt.timedelta(days=1)
print(json.dumps({"tasks": tasks, "batches": batches, "lottery_day": day.isoformat()}))
"""

STATE = """
import json
from django_tasks_db.models import DBTaskResult
from shuangsuiji.core.audit import check_chain
from shuangsuiji.core.models import BackgroundJob, ObjectChange
from shuangsuiji.directory.models import ImportBatch, RegulatedUnit
from shuangsuiji.draws.models import Draw

jobs = list(BackgroundJob.objects.values("pk", "kind", "status", "attempt", "error", "task_result_id", "params"))
queue = {str(r.id): (r.status, r.worker_ids) for r in DBTaskResult.objects.all()}
report = check_chain()
print(json.dumps({
    "jobs": [{**j, "pk": str(j["pk"]), "queue": queue.get(j["task_result_id"])} for j in jobs],
    "queue_rows": len(queue),
    "units": RegulatedUnit.objects.count(),
    "batches": list(ImportBatch.objects.values_list("status", flat=True)),
    "commit_events": ObjectChange.objects.filter(action="import", message__startswith="确认导入").count(),
    "draws": list(Draw.objects.values_list("task_id", flat=True)),
    "audit_rows": ObjectChange.objects.count(), "chain_rows": report.rows, "chain_length": report.length,
    "chain_problems": [str(p) for p in report.problems],
}))
"""


def shell(env, code: str) -> dict:
    result = subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", code], cwd=REPO, env=env,
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads([line for line in result.stdout.splitlines() if line.startswith("{")][-1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Node:
    """One gunicorn node and a logged-in session on it."""

    def __init__(self, env, tmp: Path, name: str):
        self.port = free_port()
        self.log = (tmp / f"{name}.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"{HOST}:{self.port}", "-w", "2",
             "--timeout", "120"], cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 120  # readiness wait, not a timing assertion
        while True:
            assert self.process.poll() is None, "gunicorn exited"
            try:
                with socket.create_connection((HOST, self.port), timeout=1):
                    return
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.3)

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def get(self, path: str):
        return self.opener.open(self.url(path), timeout=120)

    def post(self, path: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf()}).encode()
        request = urllib.request.Request(self.url(path), data=body, headers={"X-CSRFToken": self.csrf()})
        try:
            response = self.opener.open(request, timeout=120)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Location", "")
        return response.status, response.headers.get("Location", "")

    def login(self, username: str) -> None:
        self.get("/accounts/login/").read()
        status, location = self.post("/accounts/login/", {"username": username, "password": PASSWORD})
        assert status == 302 and "/accounts/login/" not in location, (status, location)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def shared_env(request, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("several nodes share one PostgreSQL database (set DATABASE_URL to a PostgreSQL server)")
    s = connection.settings_dict
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
    return {
        **keep, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST, "MANIFEST_STATIC": "0", "MEDIA_ROOT": str(tmp_path / "media"),
        "DATABASE_URL": f"postgres://{s['USER']}@{s['HOST'] or HOST}:{s['PORT'] or 5432}/{s['NAME']}",
        "JOBS_INLINE_ROWS": "-1", "PYTHONDONTWRITEBYTECODE": "1",
    }  # fmt: skip


def test_two_nodes_two_workers_one_database(shared_env, tmp_path):
    from django.urls import reverse

    ids = shell(shared_env, SETUP % {"password": PASSWORD, "tasks": TASKS, "batches": BATCHES, "rows": ROWS})
    workers = [
        subprocess.Popen([sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2",
                          "--worker-id", f"node-{n}"], cwd=REPO, env=shared_env,
                         stdout=(tmp_path / f"worker{n}.log").open("w"), stderr=subprocess.STDOUT)
        for n in (1, 2)
    ]  # fmt: skip
    nodes = [Node(shared_env, tmp_path, f"node{n}") for n in (1, 2)]
    try:
        for node in nodes:
            node.wait_ready()
        nodes[0].login("mn_admin")
        nodes[1].login("mn_admin")
        # the nodes run on the machine's clock (this test process's clock is frozen): SETUP chose the lottery day
        freeze = {"lottery_game": "kl8", "lottery_issue": "2026321", "lottery_date": ids["lottery_day"]}
        commit, start = "directory:import_commit", "draws:draw_start"
        requests = [(nodes[i % 2], reverse(commit, args=[pk]), {}) for i, pk in enumerate(ids["batches"])]
        twin, *tasks = ids["tasks"]
        requests += [(nodes[i % 2], reverse(start, args=[pk]), freeze) for i, pk in enumerate(tasks)]
        requests += [(node, reverse(start, args=[twin]), freeze) for node in nodes]  # one task on both nodes
        barrier, answers = threading.Barrier(len(requests)), []

        def submit(node, path, data):
            barrier.wait()
            answers.append(node.post(path, data))

        threads = [threading.Thread(target=submit, args=r) for r in requests]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert all(status == 302 and "/jobs/" in location for status, location in answers), answers

        deadline = time.monotonic() + 600  # readiness wait for the workers, not a timing assertion
        while True:
            state = shell(shared_env, STATE)
            if all(j["status"] in ("succeeded", "failed") for j in state["jobs"]):
                break
            assert time.monotonic() < deadline, state["jobs"]
            time.sleep(1)
    finally:
        for node in nodes:
            node.stop()
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=60)

    jobs = state["jobs"]
    assert len(jobs) == len(requests) == state["queue_rows"]
    for job in jobs:  # each job ran exactly once, by one worker
        assert job["attempt"] == 1 and job["queue"][0] == "SUCCESSFUL" and len(job["queue"][1]) == 1, job
    twins = [j for j in jobs if j["kind"] == "draws.freeze" and j["params"]["task"] == twin]
    assert sorted(j["status"] for j in twins) == ["failed", "succeeded"]
    assert "已有进行中" in next(j["error"] for j in twins if j["status"] == "failed")
    others = [j for j in jobs if j not in twins]
    assert all(j["status"] == "succeeded" for j in others), [j["error"] for j in others]
    # no write lost
    assert state["units"] == 40 + BATCHES * ROWS
    assert state["batches"] == ["committed"] * BATCHES and state["commit_events"] == BATCHES
    assert sorted(state["draws"]) == sorted(ids["tasks"])  # one draw per task, the twin included
    # one audit chain
    assert state["chain_problems"] == [] and state["chain_rows"] == state["chain_length"] == state["audit_rows"]
    print(f"\n{len(jobs)} jobs on 2 nodes / 2 workers; worker share:",
          {w: sum(j["queue"][1] == [w] for j in jobs) for w in ("node-1", "node-2")})
