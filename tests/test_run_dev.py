"""`make run` = scripts/run-dev: the development server and one task worker start together, the worker runs a
queued job, and SIGINT (Ctrl-C) to the script stops both (issue #13)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"

ENQUEUE = """
from shuangsuiji.core import jobs
from shuangsuiji.core.permissions import SYSTEM
print("JOB", jobs.start(user=SYSTEM, kind="core.audit_verify", title="审计链全链校验").pk)
"""
STATUS = 'from shuangsuiji.core.models import BackgroundJob as J; print("STATUS", J.objects.get(pk="%s").status)'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def listening(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1):
            return True
    except OSError:
        return False


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def shell(env, code: str) -> str:
    out = subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", code], cwd=REPO, env=env,
                         capture_output=True, text=True, check=True)  # fmt: skip
    return out.stdout


def test_run_dev_starts_server_and_worker_and_ctrl_c_stops_both(tmp_path):
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
    env = {**keep, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "MEDIA_ROOT": str(tmp_path / "media"), "PY": sys.executable, "PYTHONUNBUFFERED": "1"}  # fmt: skip
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=REPO, env=env, check=True)
    job_id = re.search(r"JOB (\S+)", shell(env, ENQUEUE)).group(1)
    port = free_port()
    log = (tmp_path / "run-dev.log").open("w+")
    script = subprocess.Popen([str(REPO / "scripts" / "run-dev"), f"{HOST}:{port}"], cwd=REPO, env=env,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 120  # readiness waits, not timing assertions
        while not (listening(port) and "STATUS succeeded" in shell(env, STATUS % job_id)):
            assert script.poll() is None, (tmp_path / "run-dev.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "run-dev.log").read_text()
            time.sleep(0.5)
        pids = [int(p) for p in re.search(r"任务进程 PID (\d+)，开发服务器 PID (\d+)",
                                          (tmp_path / "run-dev.log").read_text()).groups()]  # fmt: skip
        os.kill(script.pid, signal.SIGINT)  # Ctrl-C
        assert script.wait(timeout=60) == 0
        deadline = time.monotonic() + 30
        while any(alive(pid) for pid in pids) or listening(port):
            assert time.monotonic() < deadline, "server or worker still running after Ctrl-C"
            time.sleep(0.2)
        assert "已停止开发服务器和任务进程" in (tmp_path / "run-dev.log").read_text()
    finally:
        if script.poll() is None:
            os.killpg(script.pid, signal.SIGKILL)
