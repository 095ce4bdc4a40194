"""A streaming read-only replica for the portal and the dashboards (issue #13, `DATABASE_REPLICA_URL`,
shuangsuiji/core/replica.py).

The router's rules are tested in process; the whole path — settings, middleware, router, Django's connections —
in a subprocess against two real SQLite files: a migrated primary and a snapshot of it standing in for the
replica (SQLite's online backup copies the primary as a streaming replica would, at one moment). The replica
lags until the next snapshot, so what a page shows tells which database it read.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.db import transaction
from django.test import RequestFactory
from django_tasks_db.models import DBTaskResult

from shuangsuiji.accounts.models import User
from shuangsuiji.core import replica
from shuangsuiji.core.models import BackgroundJob, ObjectChange
from shuangsuiji.directory.models import InspectionItem, RegulatedUnit
from shuangsuiji.disclosure.models import PortalState
from shuangsuiji.draws.models import DrawVerification

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr(replica, "replica_configured", lambda: True)


def test_marked_reads_of_domain_data_go_to_the_replica_all_else_to_the_primary(with_replica, transactional_db):
    router = replica.ReplicaRouter()
    assert router.db_for_read(RegulatedUnit) == "default"  # not a marked request
    with replica.replica_reads():
        assert router.db_for_read(RegulatedUnit) == "replica"
        assert router.db_for_read(InspectionItem) == "replica"
        assert router.db_for_read(PortalState) == "replica"  # the page cache's version, with the page's data
        # a login, a role change, a login lockout, a queued job, the audit chain and a stored re-verification (a
        # portal visit that finds none starts one) are read where they were written
        for model in (User, Session, ObjectChange, BackgroundJob, DBTaskResult, AccessAttempt, DrawVerification):
            assert router.db_for_read(model) == "default", model
        assert router.db_for_write(RegulatedUnit) == "default"
        with transaction.atomic():  # read-your-writes inside a transaction on the primary
            assert router.db_for_read(RegulatedUnit) == "default"
    assert router.db_for_read(RegulatedUnit) == "default"
    assert router.allow_migrate("default", "directory") and not router.allow_migrate("replica", "directory")


def test_no_replica_configured_means_the_primary_even_in_a_marked_request(db):
    with replica.replica_reads():
        assert replica.ReplicaRouter().db_for_read(RegulatedUnit) == "default"


@pytest.mark.parametrize(
    ("method", "path", "marked"),
    [
        ("GET", "/gs/draws/", True),
        ("HEAD", "/gs/", True),
        ("GET", "/dashboards/", True),
        ("POST", "/gs/results/1/objection/", False),  # a 异议 is written and read back on the primary
        ("GET", "/plans/", False),
        ("GET", "/api/v1/units/", False),
        ("GET", "/gsx/", False),
    ],
)
def test_the_middleware_marks_get_requests_of_the_portal_and_the_dashboards(with_replica, method, path, marked):
    seen = []
    middleware = replica.ReplicaReadsMiddleware(lambda request: seen.append(replica._replica_reads.get()))
    middleware(RequestFactory().generic(method, path))
    assert seen == [marked] and replica._replica_reads.get() is False  # reset after the response


SCRIPT = r"""
import json, os, sqlite3, sys
import django
django.setup()
from collections import Counter
from django.db import connections
from django.test import Client
from shuangsuiji.accounts.models import Organization, User
from shuangsuiji.accounts.roles import Role
from shuangsuiji.directory.models import BusinessLine, InspectionItem
from shuangsuiji.regions.models import Region

primary, copy = sys.argv[1], sys.argv[2]
counts = Counter()
def counting(alias):
    def wrapper(execute, sql, params, many, context):
        counts[alias] += 1
        return execute(sql, params, many, context)
    return wrapper
for alias in ("default", "replica"):
    connections[alias].execute_wrappers.append(counting(alias))

def snapshot():  # the replica catches up
    connections["replica"].close()
    with sqlite3.connect(primary) as source, sqlite3.connect(copy) as target:
        source.backup(target)

def get(client, path):
    counts.clear()
    response = client.get(path)
    return {"status": response.status_code, "text": response.text, **counts}

# written on the primary only: the replica has not caught up yet
region = Region.objects.get(code="370322")
org = Organization.objects.create(name="副本测试卫生健康局", region=region, kind="bureau")
user = User.objects.create_user("replica_leader", password="x", role=Role.APPROVER, organization=org)
InspectionItem.objects.create(
    code="REPLICA-001", business_line=BusinessLine.objects.first(), name="副本滞后核对事项", target="住宿场所",
    responsible_body="县卫生健康局", level="county", region=region, status="published", default_ratio=5,
)
public, staff = Client(), Client()
staff.force_login(user)  # the session is written on the primary
out = {"portal_before": get(public, "/gs/items/"), "dashboard": get(staff, "/dashboards/"),
       "staff_page": get(staff, "/directory/items/")}
snapshot()
out["portal_after"] = get(public, "/gs/items/")
for value in out.values():
    value["has_item"] = "副本滞后核对事项" in value.pop("text")
print(json.dumps(out))
"""


@pytest.mark.slow
def test_portal_and_dashboards_read_the_replica_through_the_real_settings(tmp_path):
    primary, copy = tmp_path / "primary.sqlite3", tmp_path / "replica.sqlite3"
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
    env = {**keep, "DJANGO_SETTINGS_MODULE": "config.settings_test", "DATABASE_URL": f"sqlite:///{primary}",
           "MEDIA_ROOT": str(tmp_path / "media"), "PORTAL_CACHE_SECONDS": "300"}  # the page cache on  # fmt: skip
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=REPO, env=env, check=True)
    with sqlite3.connect(primary) as source, sqlite3.connect(copy) as target:
        source.backup(target)  # the replica as of now
    env["DATABASE_REPLICA_URL"] = f"sqlite:///{copy}"
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(primary), str(copy)], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])

    before, after = out["portal_before"], out["portal_after"]
    assert before["status"] == after["status"] == 200
    # the portal read the replica only — its page-cache version too: the item written on the primary appears once
    # the replica caught up, not after the cache of the stale page expires (it was kept under the replica's version)
    assert not before["has_item"] and before.get("replica", 0) > 0 and before.get("default", 0) == 0
    assert after["has_item"] and after.get("default", 0) == 0
    # the dashboard: the login (session, user) from the primary — the replica has never seen this user — and
    # the figures from the replica
    dashboard = out["dashboard"]
    assert dashboard["status"] == 200 and dashboard.get("default", 0) > 0 and dashboard.get("replica", 0) > 0
    # a staff page outside the portal and the dashboards reads the primary only, and sees the new item at once
    staff = out["staff_page"]
    assert staff["status"] == 200 and staff["has_item"] and staff.get("replica", 0) == 0
