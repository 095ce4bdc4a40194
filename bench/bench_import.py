"""Import speed of the 检查对象名录库: a 100,000-row xlsx end to end, beside its floor, on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_import.py                 # SQLite and PostgreSQL
    .venv/bin/python bench/bench_import.py --rows 20000    # smaller run
    .venv/bin/python bench/bench_import.py --only postgres

PostgreSQL: the server is an administrator's URL from the environment (BENCH_PG_URL, else PG_ADMIN_URL, else
DATABASE_URL when it names PostgreSQL, else the local trust server; see bench/_pg.py). The bench creates its own
uniquely named database there, migrates it and drops it afterwards; an unreachable server is skipped with a note.

Per database, in fresh subprocesses (config.settings_test; two throwaway databases migrated first, one for the
floor and one for the end-to-end import, so neither runs on the other's leftovers):
  end to end   import_prepare (parse, validate column by column, plan, store the batch) + import_commit (units,
               business lines, tags, risk ratings and one hash-chained audit row per unit, all-or-nothing),
               with the peak RSS of the process that ran it (nothing else ran in it)
  units only   calamine parse of the same file (rows to Python) + a bare bulk insert of as many rows into the
               same table (COPY on PostgreSQL, multi-row INSERT on SQLite), committed as the import's rows are
               (a rollback would skip the commit's WAL flush and PostgreSQL's deferred foreign-key checks)
  floor        parse + a bare insert of every row the import writes, made beforehand (units with their ids, the
               business-line and tag links, the risk ratings, the hashed audit rows), committed: the physical floor
               of writing what the import must write. The units-only figure above is printed beside it for
               reference: it leaves out four of the five rows the import writes per unit, so it is no lower bound
  audit        audit.append_many of 100,000 unit entries made as the import makes them (column-wise, snapshots
               rendered from one template; chain, hash, insert; rolled back) beside a bare
               multi-row insert of the same, already hashed rows into the same table (rolled back); the chaining
               alone (entries, canonical JSON, SHA-256; no database) is printed too: append_many streams the rows
               into the write as they are hashed, so the two overlap
Each figure is printed beside its floor as a ratio; nothing is asserted.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import _pg  # bench/_pg.py (the bench folder is on sys.path when a bench runs)

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = _pg.admin_url("BENCH_PG_URL")
FILE_VERSION = 1  # bump when the generated rows change


def _setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()


def _make_file(rows: int) -> Path:
    """The xlsx every run imports (cached in the temp folder: openpyxl needs ~20 s for 100,000 rows)."""
    path = Path(tempfile.gettempdir()) / f"shuangsuiji_bench_import_{rows}_v{FILE_VERSION}.xlsx"
    if not path.exists():
        _setup()
        from shuangsuiji.directory.tests.factories import UNIT_HEADERS, unit_row, xlsx_bytes

        data_rows = [unit_row(i, **{"标签": "住宿" if i % 2 else "美容美发"}) for i in range(rows)]
        partial = path.with_suffix(".part")
        partial.write_bytes(xlsx_bytes(UNIT_HEADERS, data_rows))
        partial.rename(path)
    return path


def _world():
    from shuangsuiji.accounts.models import Organization, User
    from shuangsuiji.accounts.roles import Role
    from shuangsuiji.core.permissions import SYSTEM
    from shuangsuiji.regions.models import Region
    from shuangsuiji.regions.services import regions_load_csv

    regions_load_csv(user=SYSTEM)
    region = Region.objects.get(code="370322")
    org, _ = Organization.objects.get_or_create(name="基准测试卫生健康局", region=region, defaults={"kind": "bureau"})
    return User.objects.get_or_create(username="bench", defaults={"role": Role.ADMIN, "organization": org})[0]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Rollback(Exception):
    pass


def _worker_import(path: Path) -> dict:
    """End to end, alone in its process (so the peak RSS is the import's)."""
    _setup()
    from django.conf import settings

    from shuangsuiji.directory import services

    settings.MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="bench_media_"))
    user = _world()
    data = path.read_bytes()
    before = _peak_mb()
    started = time.perf_counter()
    batch = services.import_prepare(user=user, kind="unit", mode="create", data=data, filename=path.name)
    prepared = time.perf_counter()
    rss_prepare = _peak_mb()
    assert batch.status == "ready", batch.errors[:5]
    services.import_commit(user=user, batch=batch)
    done = time.perf_counter()
    return {
        "prepare": prepared - started, "commit": done - prepared, "rss_before": before, "rss_prepare": rss_prepare,
        "rss_peak": _peak_mb(),
    }  # fmt: skip


def _worker_floor(path: Path, audit_rows: int) -> dict:
    _setup()
    import python_calamine
    from django.db import connection, transaction
    from django.utils import timezone

    from shuangsuiji.core import audit
    from shuangsuiji.core.bulk import insert_rows
    from shuangsuiji.core.models import ObjectChange
    from shuangsuiji.directory.models import RegulatedUnit
    from shuangsuiji.imports.bulk import RowMaker
    from shuangsuiji.regions.models import Region

    user = _world()
    region_id = Region.objects.get(code="370322").pk
    data = path.read_bytes()
    result = {}

    started = time.perf_counter()
    sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    rows = list(sheet.iter_rows())[1:]
    result["parse"] = time.perf_counter() - started

    # every column of the table, defaults prepared once (as the import's writer does), the cells set per row
    maker = RowMaker(RegulatedUnit, timezone.now())
    day = connection.ops.adapt_datefield_value(timezone.localdate())
    at = maker.position
    table = RegulatedUnit._meta.db_table
    # committed, as the import's rows are (a rolled-back insert skips the commit's work: the WAL flush, and on
    # PostgreSQL the deferred foreign-key checks); the rows are deleted again afterwards, outside the timing
    base = list(maker.base)
    base[at["region_id"]], base[at["risk_as_of"]] = region_id, day
    picks = [(at["credit_code"], 0), (at["name"], 1), (at["address"], 2), (at["risk_level"], 5)]

    def row(cells):
        values = base.copy()
        for position, index in picks:
            values[position] = cells[index]
        values[at["complaint_count"]] = int(cells[7] or 0)
        return tuple(values)

    units = [row(r) for r in rows]
    started = time.perf_counter()
    with transaction.atomic():
        insert_rows(table, maker.columns, units)
    result["insert"] = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")

    del rows, sheet  # `units` stays for the last figure

    # the entries as the unit import makes them (directory.services._write_units): column-wise chunks, snapshots
    # rendered from one template, `audit.Rendered` entries
    from itertools import repeat

    from shuangsuiji.directory.services import UNIT_CREATE_FIELDS

    variable = [*UNIT_CREATE_FIELDS, "licence_valid_to", "risk_as_of", "status_changed_on", "business_lines", "tags"]
    template = maker.snapshot_template(variable)

    def entries():
        for start in range(0, audit_rows, 5000):
            numbers = range(start, min(start + 5000, audit_rows))
            cols = {name: [""] * len(numbers) for name in variable}
            cols.update(
                id=[i + 1 for i in numbers], credit_code=[f"91370322MA{i:08d}" for i in numbers],
                name=[f"测试单位{i}号" for i in numbers], address=[f"测试路{i}号" for i in numbers],
                region_id=[region_id] * len(numbers), risk_level=["B"] * len(numbers),
                risk_as_of=["2026-01-15"] * len(numbers), complaint_count=[i % 3 for i in numbers],
                status=["active"] * len(numbers), licence_valid_to=[None] * len(numbers),
                status_changed_on=[None] * len(numbers), business_lines=[[1]] * len(numbers), tags=[[2]] * len(numbers),
            )  # fmt: skip
            texts = [f"测试单位{i}号（91370322MA{i:08d}）" for i in numbers]
            yield from map(audit.Rendered._make, zip(
                repeat("create"), repeat("directory.regulatedunit"), map(str, cols["id"]), texts, repeat("370322"),
                repeat("导入批次 #1"), repeat(None), template.render_columns(cols),
            ))  # fmt: skip

    started = time.perf_counter()
    try:
        with transaction.atomic():
            audit.append_many(entries(), user=user, pure=True)  # as the unit import calls it
            raise Rollback
    except Rollback:
        pass
    result["audit"] = time.perf_counter() - started
    started = time.perf_counter()
    chained = list(audit._chain(entries(), user=user, prev="0" * 64, now=timezone.now()))
    result["audit_chain"] = time.perf_counter() - started  # making the entries + canonical JSON + SHA-256, no database
    started = time.perf_counter()
    try:
        with transaction.atomic():
            insert_rows(ObjectChange._meta.db_table, list(audit.ROW_COLUMNS), chained)
            raise Rollback
    except Rollback:
        pass
    result["audit_floor"] = time.perf_counter() - started

    # Everything the import writes, as bare rows made beforehand: the units (with their ids), one business-line
    # and one tag link each, one risk rating each and the 100,000 hashed audit rows, in one committed
    # transaction. Last in this throwaway database: nothing is deleted afterwards.
    from shuangsuiji.directory.models import BusinessLine, RiskRating, Tag

    count = len(units)
    line_id = BusinessLine.objects.order_by("pk").values_list("pk", flat=True).first()
    tag_id = Tag.objects.get_or_create(name="住宿")[0].pk
    pks = range(1, count + 1)
    unit_rows = [(pk, *values) for pk, values in zip(pks, units, strict=True)]
    line_rows, tag_rows = [(pk, line_id) for pk in pks], [(pk, tag_id) for pk in pks]
    ratings = RowMaker(RiskRating, timezone.now())
    rating_rows = list(ratings.column_rows(None, {
        "unit_id": pks, "level": ["B"] * count, "as_of": [day] * count, "source": [""] * count,
        "created_by_id": [user.pk] * count,
    }))  # fmt: skip
    through = RegulatedUnit.business_lines.through, RegulatedUnit.tags.through
    started = time.perf_counter()
    with transaction.atomic():
        insert_rows(table, [RegulatedUnit._meta.pk.column, *maker.columns], unit_rows)
        insert_rows(through[0]._meta.db_table, ["regulatedunit_id", "businessline_id"], line_rows)
        insert_rows(through[1]._meta.db_table, ["regulatedunit_id", "tag_id"], tag_rows)
        insert_rows(RiskRating._meta.db_table, ratings.columns, rating_rows)
        insert_rows(ObjectChange._meta.db_table, list(audit.ROW_COLUMNS), chained[:count])
    result["all_rows"] = time.perf_counter() - started
    return result


def _subprocess(database_url: str, *args: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    env.pop("TEST_DB_NAME", None)
    out = subprocess.run([sys.executable, __file__, *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def _migrate(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    env.pop("TEST_DB_NAME", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], env=env, cwd=ROOT, check=True)


def _run(label: str, urls: tuple[str, str], path: Path, rows: int, audit_rows: int) -> None:
    """`urls`: two fresh databases, one for the floor and one for the import, so neither runs on what the other
    left behind (PostgreSQL keeps the floor's 100,000 deleted units and rolled-back audit rows as dead tuples
    until a vacuum: an import after them paid for them)."""
    floor_url, import_url = urls
    for url in urls:
        _migrate(url)
    floor = _subprocess(floor_url, "--worker", "floor", "--file", str(path), "--audit-rows", str(audit_rows))
    e2e = _subprocess(import_url, "--worker", "import", "--file", str(path))
    total = e2e["prepare"] + e2e["commit"]
    bare = floor["parse"] + floor["insert"]
    every = floor["parse"] + floor["all_rows"]
    print(
        f"{label:10s} xlsx {rows:>7,} 行  端到端 {total:6.1f} s = {rows / total:7,.0f} 行/秒"
        f"（预览 {e2e['prepare']:.1f} s + 提交 {e2e['commit']:.1f} s）"
        f" | 峰值内存 {e2e['rss_peak']:5.0f} MB"
        f"（导入前 {e2e['rss_before']:.0f} MB，预览后 {e2e['rss_prepare']:.0f} MB）"
    )
    # The physical floor of this import is writing what it must write: the units AND their links, risk ratings
    # and one audit row each (the issue asks for per-unit audit rows). The units-only insert is printed beside it:
    # it is not a lower bound of this work (the import cannot write 500,000 rows in the time of 100,000).
    print(
        f"{'':10s} 下限 {every:5.1f} s（calamine 解析 {floor['parse']:.1f} s"
        f" + 导入必须写入的全部行预先生成后裸插入并提交 {floor['all_rows']:.1f} s，"
        f"{'COPY' if label == 'postgresql' else '多行 INSERT'}：单位、业务类别与标签关联、风险等级、"
        f"审计日志各 {rows:,} 行）| 倍数 {total / every:4.1f}×"
    )
    print(
        f"{'':10s} 参考：只插单位表 {bare:5.1f} s（calamine 解析 {floor['parse']:.1f} s"
        f" + 单位行裸插入并提交 {floor['insert']:.1f} s；不含导入必须写入的关联、风险等级和审计行，"
        f"不是本导入的下限）| 倍数 {total / bare:4.1f}×"
    )
    print(
        f"{'':10s} 审计追加 {audit_rows:,} 行 {audit_rows / floor['audit']:7,.0f} 行/秒"
        f" | 下限（同表裸多行插入）{audit_rows / floor['audit_floor']:7,.0f} 行/秒"
        f" | 倍数 {floor['audit'] / floor['audit_floor']:4.1f}×"
        f"（单独成链：生成记录+规范化 JSON+SHA-256 {audit_rows / floor['audit_chain']:7,.0f} 行/秒，与写入重叠进行）"
    )


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
        conn.execute(sql)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--audit-rows", type=int, default=100_000)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--worker", choices=["import", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        path = Path(args.file)
        result = _worker_import(path) if args.worker == "import" else _worker_floor(path, args.audit_rows)
        print(json.dumps(result))
        return
    path = _make_file(args.rows)
    print(f"检查对象导入基准：{args.rows:,} 行 xlsx（解析+逐列校验+预览+一次性提交+审计），下限与倍数同次测得")
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory(prefix="bench_import_") as folder:
            urls = (f"sqlite:///{folder}/floor.sqlite3", f"sqlite:///{folder}/import.sqlite3")
            _run("sqlite", urls, path, args.rows, args.audit_rows)
    if args.only in (None, "postgres"):
        stem = f"bench_import_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        names = (f"{stem}_floor", f"{stem}_import")
        created = []
        try:
            for name in names:
                _pg_admin(f'CREATE DATABASE "{name}"')
                created.append(name)
        except Exception as exc:  # noqa: BLE001 - any connection problem means: skip
            print(f"postgresql 跳过：无法连接 PostgreSQL 管理员连接串（{type(exc).__name__}）")
        else:
            base = PG_ADMIN_URL.rsplit("/", 1)[0]
            _run("postgresql", tuple(f"{base}/{name}" for name in names), path, args.rows, args.audit_rows)
        finally:
            for name in created:
                _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
