"""Bounded load test of the public portal and the API (loopback only), printing requests/s and p95.

Steps: a throwaway PostgreSQL database (dropped afterwards) → migrate → demo data →
an API token → gunicorn on 127.0.0.1:<free port> → locust headless for LOAD_SECONDS (default 30) with LOAD_USERS
(default 20) → figures. Correctness is checked, speed is only printed: the run fails if any request failed or if the
number of units written through the sync endpoint differs from the number of successful sync responses (no lost
write). Every endpoint's p95 is printed beside the p95 of a trivial view (GET /favicon.ico: a redirect through the
same middleware, no database) measured in the same run, as a ratio.

PostgreSQL server: LOAD_PG_ADMIN_URL, else PG_ADMIN_URL, else a postgres:// DATABASE_URL, else
postgres://postgres@127.0.0.1:5432/postgres. That URL's database is only used to CREATE/DROP the run's own database,
LOAD_PG_DB (default `bench_load_<8 hex of this checkout's path>`). LOAD_DATABASE_URL=sqlite:////tmp/x.sqlite3 runs
on SQLite instead.
"""

import csv
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import _pg  # bench/_pg.py (the bench folder is on sys.path when a bench runs)

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


PG_ADMIN_URL = _pg.admin_url("LOAD_PG_ADMIN_URL")
PG_DB = os.environ.get("LOAD_PG_DB") or f"bench_load_{hashlib.sha256(str(ROOT).encode()).hexdigest()[:8]}"


TRIVIAL = "/favicon.ico (trivial view)"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env, *args, capture=False):
    return subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True,
                          capture_output=capture)  # fmt: skip


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def django_value(env, code: str) -> str:
    out = subprocess.run([PY, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True, text=True,
                         capture_output=True)  # fmt: skip
    return out.stdout.strip().splitlines()[-1]


def unit_count(env, lookup: str) -> int:
    code = f"from shuangsuiji.directory.models import RegulatedUnit as U; print(U.objects.filter({lookup}).count())"
    return int(django_value(env, code))


def main() -> int:
    seconds = int(os.environ.get("LOAD_SECONDS", "30"))
    users = int(os.environ.get("LOAD_USERS", "20"))
    db_url = os.environ.get("LOAD_DATABASE_URL") or PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_DB
    use_pg = db_url.startswith("postgres")
    env = {**os.environ, "DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0",
           "SECRET_KEY": "bench-load-only", "ALLOWED_HOSTS": "127.0.0.1", "MANIFEST_STATIC": "0",
           "API_USER_RATE": "100000000/hour", "API_ANON_RATE": "100000000/hour", "AXES_FAILURE_LIMIT": "1000000",
           "MEDIA_ROOT": tempfile.mkdtemp(prefix="bench_load_media_")}  # fmt: skip
    if use_pg:
        pg_admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        pg_admin(f'CREATE DATABASE "{PG_DB}"')
    server = None
    scratch = [Path(env["MEDIA_ROOT"])]
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "load_demo", capture=True)
        token = manage(env, "create_api_token", "admin", "--name", "压测", capture=True).stdout
        token = token.split("Token ")[-1].strip()
        draw_code = django_value(env, "from shuangsuiji.draws.selectors import public_draws; "
                                      "print(public_draws().filter(locked_at__isnull=False).first().code)")  # fmt: skip
        unit_code = django_value(env, "from shuangsuiji.inspections.selectors import public_results; "
                                      "print(public_results().first().unit_code)")  # fmt: skip
        unit_name = django_value(env, "from shuangsuiji.inspections.selectors import public_results; "
                                      "print(public_results().first().unit_name)")  # fmt: skip
        before = unit_count(env, "name__startswith='压测单位'")
        port = free_port()
        server = subprocess.Popen(
            [PY, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "3",
             "--threads", "2", "--log-level", "warning"],
            cwd=ROOT, env={**env, "PYTHONWARNINGS": "ignore::UserWarning"},
        )  # fmt: skip
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/gs/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        out = Path(tempfile.mkdtemp(prefix="bench_load_"))
        scratch.append(out)
        ack_file = out / "acknowledged.txt"
        load_env = {**env, "LOAD_API_TOKEN": token, "LOAD_DRAW_CODE": draw_code, "LOAD_UNIT_CODE": unit_code,
                    "LOAD_NAME_PART": unit_name[len(unit_name) // 2 - 1 : len(unit_name) // 2 + 2],
                    "LOAD_ACK_FILE": str(ack_file)}  # fmt: skip
        subprocess.run(
            [PY, "-m", "locust", "-f", str(ROOT / "tests/load/locustfile.py"), "--headless", "-u", str(users),
             "-r", str(max(1, users // 2)), "-t", f"{seconds}s", "--host", f"http://127.0.0.1:{port}",
             "--csv", str(out / "load"), "--only-summary", "--stop-timeout", "10"],
            cwd=ROOT, env=load_env, check=False, capture_output=True,
        )  # fmt: skip
        rows = list(csv.DictReader(open(out / "load_stats.csv", encoding="utf-8")))
        engine = "PostgreSQL" if use_pg else "SQLite"
        print(f"load test: {users} users, {seconds} s, gunicorn 3×2 on 127.0.0.1, database {engine}")
        floor = next((float(r["95%"]) for r in rows if r["Name"] == TRIVIAL), 0.0)
        print(f"{'endpoint':32s} {'requests':>9s} {'failures':>9s} {'req/s':>8s} {'p50 ms':>8s} {'p95 ms':>8s} "
              f"{'p95/floor':>9s}")  # fmt: skip
        for row in rows:
            ratio = f"{float(row['95%']) / floor:8.1f}×" if floor else "       —"
            print(f"{row['Name']:32s} {row['Request Count']:>9s} {row['Failure Count']:>9s} "
                  f"{float(row['Requests/s']):8.1f} {row['50%']:>8s} {row['95%']:>8s} {ratio}")  # fmt: skip
        print(f"floor: {TRIVIAL}, same server and run: p95 {floor:.0f} ms")
        total = next(r for r in rows if r["Name"] == "Aggregated")
        acknowledged = ack_file.read_text().split() if ack_file.exists() else []
        found = unit_count(env, f"credit_code__in={acknowledged!r}")
        after = unit_count(env, "name__startswith='压测单位'")
        lost = len(acknowledged) - found
        print(
            f"writes acknowledged: {len(acknowledged)}, all found in the database: {lost == 0} "
            f"({after - before - found} more committed while the run was stopping)"
        )
        audit = subprocess.run([PY, "manage.py", "audit_verify"], cwd=ROOT, env=env, text=True, capture_output=True)
        print(audit.stdout.strip() or audit.stderr.strip())
        failures = int(total["Failure Count"])
        if failures or lost or audit.returncode:
            print(f"LOAD TEST FAILED: {failures} failed requests, {lost} lost writes")
            if failures:
                print(open(out / "load_failures.csv", encoding="utf-8").read()[:2000])
            return 1
        return 0
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        if use_pg:
            pg_admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        for path in scratch:
            shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
