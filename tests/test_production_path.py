"""The documented production setup serves pages (issue #11): DEBUG off, the real settings module with the
manifest static storage (not settings_test), `collectstatic`, `check --deploy`, and gunicorn with
config/gunicorn.conf.py on a loopback port behind an emulated nginx (X-Forwarded-Proto/-For headers).

A fresh SQLite file is migrated for the server: the point is the production settings path, not the data.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def production_env(tmp: Path) -> dict:
    """The environment docs/production.md tells the operator to export (with a local database)."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "ALLOWED_HOSTS": f"ssj.example.gov.cn,{HOST}",
        "CSRF_TRUSTED_ORIGINS": "https://ssj.example.gov.cn",
        "BEHIND_HTTPS_PROXY": "1",
        "TRUSTED_PROXY_COUNT": "1",
        "MEDIA_ROOT": str(tmp / "media"),
        "STATIC_ROOT": str(tmp / "staticfiles"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get(port: int, path: str, host: str = "ssj.example.gov.cn") -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request("GET", path, headers={"Host": host, "X-Forwarded-Proto": "https",
                                           "X-Forwarded-For": "203.0.113.7"})  # fmt: skip
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def wait_until_listening(process: subprocess.Popen, port: int) -> None:
    """Poll until gunicorn accepts connections (a readiness wait, not a timing assertion)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited with {process.returncode}:\n{process.stdout.read()}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start listening")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("production")
    env = production_env(tmp)
    manage(env, "migrate", "--noinput")
    # What the operator does every November (docs/production.md, cron table): confirm next year's holidays,
    # the year core.W001 asks for (if any, on the server's own clock), so the check has nothing to say.
    manage(
        env,
        "shell",
        "-c",
        "from shuangsuiji.core.checks import year_to_confirm; "
        "from shuangsuiji.core.services import calendar_year_confirm; "
        "from shuangsuiji.core.permissions import SYSTEM; year = year_to_confirm(); "
        "year and calendar_year_confirm(user=SYSTEM, year=year, source='国务院办公厅通知（测试）')",
    )
    collected = manage(env, "collectstatic", "--noinput")
    assert "post-processed" in collected.stdout
    assert (tmp / "staticfiles" / "staticfiles.json").exists(), "no manifest written"
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py",
         "--bind", f"{HOST}:{port}", "--workers", "1"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        wait_until_listening(process, port)
        yield {"port": port, "env": env, "tmp": tmp}
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_check_deploy_is_clean_with_the_documented_environment(server):
    result = manage(server["env"], "check", "--deploy", "--fail-level", "WARNING")
    assert "no issues" in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize("path", ["/accounts/login/", "/gs/", "/api/v1/docs/"])
def test_pages_answer_200_through_gunicorn(server, path):
    status, headers, body = get(server["port"], path)
    assert status == 200, body[:2000]
    assert "strict-transport-security" in headers  # HSTS behind the HTTPS proxy
    if path != "/api/v1/docs/":
        assert "双随机" in body.decode() and 'lang="zh-CN"' in body.decode()


def test_hashed_static_assets_are_served_by_whitenoise(server):
    _status, _headers, body = get(server["port"], "/accounts/login/")
    match = re.search(r'href="(/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css)"', body.decode())
    assert match, "the login page does not link the hashed stylesheet"
    status, headers, css = get(server["port"], match.group(1))
    assert status == 200 and headers["content-type"].startswith("text/css")
    assert "max-age=315360000" in headers.get("cache-control", "")  # whitenoise: immutable hashed file
    assert b"Bootstrap" in css[:500]
    # the source map the minified file names is shipped and hashed too
    assert re.search(rb"sourceMappingURL=bootstrap\.min\.css\.[0-9a-f]{12}\.map", css)


def test_plain_http_is_redirected_to_https(server):
    conn = http.client.HTTPConnection(HOST, server["port"], timeout=60)
    try:
        conn.request("GET", "/gs/", headers={"Host": "ssj.example.gov.cn"})
        response = conn.getresponse()
        assert response.status == 301 and response.getheader("Location") == "https://ssj.example.gov.cn/gs/"
    finally:
        conn.close()
