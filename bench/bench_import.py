"""Import speed of the 检查对象名录库: 100,000 units from xlsx and from csv, on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_import.py                 # both databases, 100,000 rows
    .venv/bin/python bench/bench_import.py --rows 20000    # smaller run
    BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_import.py

Each database runs in its own subprocess with config.settings_test and a throwaway database:
SQLite in a temporary file, PostgreSQL in a database named `bench_import` created (and dropped
afterwards) through BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres). Migrations
run first. The figures cover the whole pipeline — parse, validate every row with the row form,
plan, store the batch (prepare) and the all-or-nothing write with bulk audit entries (commit).
Figures are printed, never asserted; PostgreSQL is skipped with a note when unreachable.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "bench_import"


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
        conn.execute(sql)


def _worker(rows: int) -> None:
    """Runs inside the subprocess: DATABASE_URL is already set."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="bench_media_"))
    call_command("migrate", verbosity=0)

    from shuangsuiji.accounts.models import Organization, User
    from shuangsuiji.accounts.roles import Role
    from shuangsuiji.core.permissions import SYSTEM
    from shuangsuiji.directory import services
    from shuangsuiji.directory.tests.factories import UNIT_HEADERS, csv_bytes, unit_row, xlsx_bytes
    from shuangsuiji.regions.models import Region
    from shuangsuiji.regions.services import regions_load_csv

    regions_load_csv(user=SYSTEM)
    org = Organization.objects.create(
        name="基准测试卫生健康局", kind="bureau", region=Region.objects.get(code="370322")
    )
    user = User.objects.create(username="bench", role=Role.ADMIN, organization=org)
    vendor = django.db.connection.vendor
    for fmt, offset in (("xlsx", 0), ("csv", rows)):
        data_rows = [unit_row(i, **{"标签": "住宿" if i % 2 else "美容美发"}) for i in range(offset, offset + rows)]
        build = xlsx_bytes if fmt == "xlsx" else csv_bytes
        data = build(UNIT_HEADERS, data_rows)
        started = time.perf_counter()
        batch = services.import_prepare(user=user, kind="unit", mode="create", data=data, filename=f"bench.{fmt}")
        prepared = time.perf_counter()
        assert batch.status == "ready", batch.errors[:5]
        services.import_commit(user=user, batch=batch)
        done = time.perf_counter()
        total = done - started
        print(
            f"{vendor:10s} {fmt:4s} {rows:>7,} rows  {len(data) / 1048576:5.1f} MB  "
            f"prepare {prepared - started:6.1f}s  commit {done - prepared:6.1f}s  "
            f"total {total:6.1f}s  = {rows / total:7,.0f} rows/s"
        )


def _run(database_url: str, rows: int) -> int:
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("TEST_DB_NAME", None)
    return subprocess.call([sys.executable, __file__, "--worker", "--rows", str(rows)], env=env, cwd=ROOT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    if args.worker:
        _worker(args.rows)
        return
    print(f"检查对象导入基准：{args.rows:,} 行（解析+逐行校验+预览+一次性提交+审计）")
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory(prefix="bench_import_") as folder:
            _run(f"sqlite:///{folder}/bench.sqlite3", args.rows)
    if args.only in (None, "postgres"):
        try:
            _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
            _pg_admin(f"CREATE DATABASE {PG_DB}")
        except Exception as exc:  # noqa: BLE001 - any connection problem means: skip
            print(f"postgresql 跳过：无法连接 {PG_ADMIN_URL}（{type(exc).__name__}）")
            return
        try:
            _run(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_DB}", args.rows)
        finally:
            _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")


if __name__ == "__main__":
    main()
