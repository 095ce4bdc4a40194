"""Benchmark of the public results search (公示门户 /gs/results/). Prints figures; asserts nothing.

    .venv/bin/python bench/bench_public_search.py                      # PostgreSQL + SQLite
    BENCH_BACKENDS=postgresql BENCH_RESULTS=1000000 .venv/bin/python bench/bench_public_search.py

PostgreSQL: the server comes from the environment — BENCH_PG_ADMIN_URL, else PG_ADMIN_URL, else a
postgres:// DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres — and that URL's database is
only used to CREATE/DROP the bench's own database, named BENCH_PG_DB (default `bench_portal_<8 hex of this
checkout's path>`, so two checkouts on one server never share one). It is dropped at the end unless
BENCH_KEEP=1; BENCH_REUSE=1 reuses a kept database holding the same N (loading 1M takes minutes). SQLite
uses a temporary file unless BENCH_SQLITE_PATH names one (then kept; with BENCH_REUSE=1 reused).

For each backend it configures Django itself on that database (or a temporary SQLite file), migrates,
and loads N published inspection results (default 1,000,000: N/5 units × 5 draws, one DrawTarget +
InspectionResult per unit and draw) with COPY on PostgreSQL and executemany on SQLite; the name index
(pg_trgm GIN / FTS5 trigram, disclosure/search.py) is built once after the load. Then it times
BENCH_QUERIES queries of each kind — a part of a unit name taken from the middle of the name (2
characters: the doubled-character trigram index on PostgreSQL, LIKE on SQLite; 3–5 characters: the trigram
index), a 统一社会信用代码 — two ways:

* query — `disclosure.selectors.results(q=…)` paginated as the view does (disclosure/paging.py: the newest
  10,000 rows matched first, the indexed query when they do not hold the page, a COUNT capped at 500);
* page  — the whole GET /gs/results/?q=… through Django's test client, page cache off (query + template);

each beside its floor measured in the same run: a primary-key fetch of one result (query) and GET
/favicon.ico (page: a trivial view through the same middleware), as a ratio of the p95s. The query's CPU time
of this process is printed too (on SQLite it includes the database's work; on a shared, busy machine it is the
steadier figure, since wall times then include waiting for a core). A cached page
(the same URL again, page cache on) is printed too.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import _pg  # bench/_pg.py (the bench folder is on sys.path when a bench runs)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

N_RESULTS = int(os.environ.get("BENCH_RESULTS", "1000000"))
N_QUERIES = int(os.environ.get("BENCH_QUERIES", "200"))
DRAWS = 5


PG_ADMIN_URL = _pg.admin_url("BENCH_PG_ADMIN_URL")
PG_DB = os.environ.get("BENCH_PG_DB") or f"bench_portal_{hashlib.sha256(str(ROOT).encode()).hexdigest()[:8]}"
PG_URL = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_DB
BACKENDS = os.environ.get("BENCH_BACKENDS", "postgresql,sqlite").split(",")

COUNTIES = ["370322", "370323", "370302", "370303", "370304", "370305", "370306", "370321"]
PLACES = ["高青县", "沂源县", "淄川区", "张店区", "博山区", "临淄区", "周村区", "桓台县"]
WORDS = [
    "华康",
    "金鼎",
    "瑞祥",
    "鑫源",
    "东方",
    "新世纪",
    "福瑞",
    "惠民",
    "康宁",
    "博雅",
    "泰和",
    "嘉禾",
    "明珠",
    "银座",
    "鲁中",
]
KINDS = [
    "宾馆",
    "大酒店",
    "洗浴中心",
    "理发店",
    "美容美发店",
    "游泳馆",
    "诊所",
    "卫生院",
    "口腔门诊部",
    "学校",
    "幼儿园",
    "供水站",
]


def log(msg: str) -> None:
    print(msg, flush=True)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def pg_admin(*statements: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)


def recreate_pg() -> None:
    pg_admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)', f'CREATE DATABASE "{PG_DB}"')


def pg_exists() -> bool:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_DB]).fetchone() is not None


def drop_pg() -> None:
    from django.db import connections

    connections.close_all()
    pg_admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')


def fixed_rows():
    """Regions, one organisation, a published plan, a task and DRAWS locked draws (ORM, small)."""
    import datetime as dt

    from django.utils import timezone

    from shuangsuiji.accounts.models import Organization
    from shuangsuiji.core.permissions import SYSTEM
    from shuangsuiji.draws.models import Draw
    from shuangsuiji.plans.models import AnnualPlan, Task
    from shuangsuiji.regions.models import Region
    from shuangsuiji.regions.services import regions_load_csv

    regions_load_csv(user=SYSTEM)
    regions = {r.code: r for r in Region.objects.filter(code__in=COUNTIES)}
    city = Region.objects.get(code="370300")
    org = Organization.objects.create(name="淄博市卫生健康委员会", kind="bureau", region=city)
    now = timezone.now()
    plan = AnnualPlan.objects.create(year=2026, title="2026年度双随机抽查工作计划", organization=org, region=city,
                                     status="published", published_at=now, first_published_at=now)  # fmt: skip
    draws = []
    for i in range(DRAWS):
        task = Task.objects.create(plan=plan, code=f"2026-370300-{i + 1:02d}", name=f"公共场所卫生监督抽查{i + 1}",
                                   lead_organization=org, scope_region=city, default_rate=5,
                                   window_start=dt.date(2026, 3, 1), window_end=dt.date(2026, 11, 30))  # fmt: skip
        draws.append(Draw.objects.create(
            task=task, region=city, attempt=1, code=f"{task.code}-1", status="locked", published_at=now,
            commitment_hash="0" * 64, pool_digest="0" * 64, roster_digest="0" * 64, drawn_at=now, locked_at=now,
        ))  # fmt: skip
    return regions, draws


def row_values(model, values: dict) -> list:
    """Values for every concrete column (defaults for the ones not given), in _meta order."""
    out = []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.attname in values:
            v = values[f.attname]
        elif f.has_default():
            v = f.get_default()
        elif f.null:
            v = None
        elif f.empty_strings_allowed and f.blank:
            v = ""
        else:
            raise RuntimeError(f"bench: no value for {model.__name__}.{f.attname}")
        if isinstance(v, (list, dict)):
            v = json.dumps(v)
        out.append(v)
    return out


def columns(model) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if not f.primary_key]


def bulk(model, rows, vendor: str) -> None:
    from django.db import connection

    table = model._meta.db_table
    cols = columns(model)
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            sql = f'COPY "{table}" ({", ".join(cols)}) FROM STDIN'
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            import datetime as dt

            sql = f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES ({", ".join(["%s"] * len(cols))})'
            adapt = connection.ops.adapt_datetimefield_value
            batch = []
            for row in rows:
                batch.append([adapt(v) if isinstance(v, dt.datetime) else v.isoformat() if isinstance(v, dt.date) else v
                              for v in row])  # fmt: skip
                if len(batch) == 20000:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)


def name_index(vendor: str, *, drop: bool) -> None:
    """The bulk load goes faster without the name index; it is built once afterwards, as migration
    disclosure.0002 would build it on an existing table."""
    import importlib

    from django.db import connection

    from shuangsuiji.disclosure import search

    migrations = [importlib.import_module(f"shuangsuiji.disclosure.migrations.{name}")
                  for name in ("0002_result_name_search", "0003_result_name_pairs")]  # fmt: skip
    window = importlib.import_module("shuangsuiji.disclosure.migrations.0004_result_newest_window")
    with connection.cursor() as cursor:
        forward = window.PG_FORWARD if vendor == "postgresql" else window.SQLITE_FORWARD
        cursor.execute(window.BACKWARD if drop else forward)
        if vendor == "postgresql":
            for migration in migrations:
                cursor.execute(migration.PG_BACKWARD if drop else migration.PG_FORWARD)
        elif drop:
            for name in search.SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    if vendor == "sqlite" and not drop:
        search.ensure_sqlite_index()  # re-creates the triggers and rebuilds the FTS5 index from the table


def load(vendor: str) -> list[tuple[str, str]]:
    """Generate units, targets and results; return (name, code) samples for the queries."""
    import datetime as dt

    from django.db import connection, transaction
    from django.utils import timezone

    from shuangsuiji.core.validators import make_credit_code, org_code_check_char
    from shuangsuiji.directory.models import RegulatedUnit
    from shuangsuiji.draws.models import DrawTarget
    from shuangsuiji.inspections.models import InspectionResult

    rng = random.Random(6)
    regions, draws = fixed_rows()
    name_index(vendor, drop=True)
    n_units = N_RESULTS // DRAWS
    now = timezone.now()
    units = []
    for i in range(n_units):
        county = rng.randrange(len(COUNTIES))
        body = f"{i:08d}"
        code = make_credit_code(f"92{COUNTIES[county]}{body}{org_code_check_char(body)}")
        name = f"{PLACES[county]}{rng.choice(WORDS)}{rng.choice(KINDS)}{i % 997:03d}"
        units.append((code, name, regions[COUNTIES[county]].pk))
    t0 = time.perf_counter()
    with transaction.atomic():
        bulk(RegulatedUnit, (row_values(RegulatedUnit, {
            "credit_code": c, "name": n, "region_id": r, "status": "active", "risk_level": "ABCD"[i % 4],
            "created_at": now, "updated_at": now,
        }) for i, (c, n, r) in enumerate(units)), vendor)  # fmt: skip
    ids = dict(RegulatedUnit.objects.values_list("credit_code", "pk"))
    log(f"  units: {n_units:,} in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    with transaction.atomic():
        bulk(DrawTarget, (row_values(DrawTarget, {
            "draw_id": d.pk, "unit_id": ids[c], "unit_code": c, "unit_name": n, "stratum": "ALL", "role": "selected",
            "rank": i + 1, "specialty": "", "status": "active", "replaces_id": None,
        }) for d in draws for i, (c, n, _r) in enumerate(units)), vendor)  # fmt: skip
    targets = {
        (d, u): pk for pk, d, u in DrawTarget.objects.values_list("pk", "draw_id", "unit_id").iterator(chunk_size=50000)
    }
    log(f"  draw targets: {len(targets):,} in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    categories = ["1"] * 7 + ["E", "E", "A"]
    with transaction.atomic():

        def results():
            for k, d in enumerate(draws):
                for i, (c, n, r) in enumerate(units):
                    checked = dt.date(2022 + k, 1 + (i % 11), 1 + (i % 27))
                    cat = categories[(i + k) % 10]
                    published = timezone.make_aware(dt.datetime.combine(checked + dt.timedelta(days=10), dt.time(9)))
                    yield row_values(InspectionResult, {
                        "target_id": targets[(d.pk, ids[c])], "unit_id": ids[c], "region_id": r, "draw_id": d.pk,
                        "status": "published", "category": cat, "checked_on": checked, "is_problem": cat != "1",
                        "publish_due": checked + dt.timedelta(days=28), "published_at": published,
                        "submitted_at": published, "entered_at": published, "unit_name": n, "unit_code": c,
                        "created_at": now, "updated_at": now,
                    })  # fmt: skip

        bulk(InspectionResult, results(), vendor)
    log(f"  published results: {InspectionResult.objects.count():,} in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    name_index(vendor, drop=False)
    log(f"  name index (trigram) built in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vendor == "postgresql" else "ANALYZE")  # autovacuum's work, done now
    log(f"  VACUUM ANALYZE {time.perf_counter() - t0:.1f} s")
    return [(n, c) for c, n, _r in rng.sample(units, min(len(units), N_QUERIES))]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def cpu_timed(fn) -> float:
    """CPU time of this process: on SQLite that is the database's work too, and it stays meaningful when other
    processes share the machine (wall times then include waiting for a core)."""
    t0 = time.process_time()
    fn()
    return (time.process_time() - t0) * 1000


def name_part(name: str, length: int, rng: random.Random) -> str:
    """A part of the name from its middle (never its first character): what a visitor remembers."""
    start = rng.randrange(1, max(2, len(name) - length))
    return name[start : start + length]


def run_queries(samples: list[tuple[str, str]]) -> None:
    from django.test import Client, override_settings

    from shuangsuiji.disclosure import selectors
    from shuangsuiji.disclosure.paging import CappedPaginator
    from shuangsuiji.inspections.models import InspectionResult

    rng = random.Random(7)
    kinds = {
        "name, 2 chars": [name_part(n, 2, rng) for n, _c in samples],
        "name, 3-5 chars": [name_part(n, rng.choice((3, 4, 5)), rng) for n, _c in samples],
        "credit code": [c for _n, c in samples],
    }
    client = Client()
    ids = list(InspectionResult.objects.order_by("?").values_list("pk", flat=True)[: len(samples)])
    with override_settings(PORTAL_CACHE_SECONDS=0):
        client.get("/gs/results/?q=warmup")
        floor_query = [timed(lambda pk=pk: InspectionResult.objects.filter(pk=pk).first()) for pk in ids]
        floor_cpu = [cpu_timed(lambda pk=pk: InspectionResult.objects.filter(pk=pk).first()) for pk in ids]
        floor_page = [timed(lambda: client.get("/favicon.ico")) for _ in ids]
    fq, fp, fq_cpu = pct(floor_query, 95), pct(floor_page, 95), max(pct(floor_cpu, 95), 0.001)
    log(f"  floor: primary-key fetch p95 {fq:.2f} ms (CPU of this process {fq_cpu:.2f} ms); "
        f"GET /favicon.ico (trivial view) p95 {fp:.2f} ms")
    for label, qs in kinds.items():
        query_ms, query_cpu, page_ms, hits = [], [], [], []
        for q in qs:
            t0, c0 = time.perf_counter(), time.process_time()
            page = CappedPaginator(
                selectors.results(q=q).prefetch_related("cases"), 20,
                newest=selectors.results() if selectors.is_name_query(q) else None, match=q,
            ).get_page(1)  # fmt: skip
            rows = list(page)
            query_ms.append((time.perf_counter() - t0) * 1000)
            query_cpu.append((time.process_time() - c0) * 1000)
            hits.append(page.paginator.count)
            assert rows or not page.paginator.count
            with override_settings(PORTAL_CACHE_SECONDS=0):
                t0 = time.perf_counter()
                response = client.get("/gs/results/", {"q": q})
                page_ms.append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                log(f"  !! {q}: HTTP {response.status_code}")
        q95, p95 = pct(query_ms, 95), pct(page_ms, 95)
        log(f"  {label:15s} ({len(qs)} queries, median {statistics.median(hits):,.0f} matches, max {max(hits):,}): "
            f"query p50 {pct(query_ms, 50):6.1f} p95 {q95:6.1f} ms ({q95 / fq:5.0f}× floor) | "
            f"page p50 {pct(page_ms, 50):6.1f} p95 {p95:6.1f} ms ({p95 / fp:4.0f}× floor) | "
            f"query CPU p95 {pct(query_cpu, 95):6.1f} ms ({pct(query_cpu, 95) / fq_cpu:4.0f}× floor)")  # fmt: skip
    q = kinds["name, 3-5 chars"][0]
    client.get("/gs/results/", {"q": q})
    cached = [timed(lambda: client.get("/gs/results/", {"q": q})) for _ in range(50)]
    c95 = pct(cached, 95)
    log(f"  cached page (same URL again, page cache on): p95 {c95:.2f} ms ({c95 / fp:.1f}× floor)")


def explain(samples) -> None:
    from django.db import connection

    from shuangsuiji.disclosure import selectors

    name, code = samples[0]
    for q in (name[2:4], name[3:7], code):
        qs = selectors.results(q=q)[:20]
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cursor:
            prefix = "EXPLAIN " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
            cursor.execute(prefix + sql, params)
            plan = [" ".join(str(c) for c in row) for row in cursor.fetchall()]
        scans = [p.strip() for p in plan if "inspectionresult" in p or "fts" in p or "trgm" in p or "Cond" in p]
        log(f"  plan for q={q!r}: " + " / ".join(scans[:4]))


def reuse_samples() -> list[tuple[str, str]] | None:
    """BENCH_REUSE=1: keep an already loaded bench_portal (same N) and sample its units."""
    from shuangsuiji.directory.models import RegulatedUnit
    from shuangsuiji.inspections.models import InspectionResult

    try:
        if InspectionResult.objects.count() != N_RESULTS:
            return None
    except Exception:  # noqa: BLE001 - not migrated yet
        return None
    rows = list(RegulatedUnit.objects.values_list("name", "credit_code"))
    return random.Random(6).sample(rows, min(len(rows), N_QUERIES))


def bench(backend: str) -> None:
    reuse = os.environ.get("BENCH_REUSE") == "1"
    sqlite_path = os.environ.get("BENCH_SQLITE_PATH")  # a kept SQLite file (BENCH_KEEP=1 / BENCH_REUSE=1)
    if backend == "postgresql":
        if not reuse or not pg_exists():
            reuse = False
            recreate_pg()
        url = PG_URL
    elif sqlite_path:
        tmp = None
        reuse = reuse and Path(sqlite_path).exists()
        url = f"sqlite:///{sqlite_path}"
    else:
        reuse, tmp = False, tempfile.mkdtemp(prefix="bench_portal_")
        url = f"sqlite:///{tmp}/bench_portal.sqlite3"
    log(f"\n== {backend}: {url}  ({N_RESULTS:,} published results, {N_QUERIES} queries of each kind)")
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    try:
        samples = reuse_samples() if reuse else None
        if samples is None:
            t0 = time.perf_counter()
            call_command("migrate", verbosity=0, stdout=io.StringIO())
            log(f"  migrate {time.perf_counter() - t0:.1f} s")
            samples = load(connection.vendor)
        else:
            log("  reusing the loaded database (BENCH_REUSE=1)")
        explain(samples)
        run_queries(samples)
    finally:
        if backend == "sqlite" and tmp is None:
            log(f"  kept {sqlite_path} (BENCH_SQLITE_PATH)")
        elif backend == "sqlite":
            import shutil

            connection.close()
            shutil.rmtree(tmp, ignore_errors=True)
        elif os.environ.get("BENCH_KEEP") != "1":
            drop_pg()
        elif backend == "postgresql":
            log(f"  kept {PG_DB} (BENCH_KEEP=1)")


def main() -> None:
    if len(BACKENDS) > 1:  # Django configures one database per process: run each backend in a child
        import subprocess

        for backend in BACKENDS:
            subprocess.run([sys.executable, __file__], env={**os.environ, "BENCH_BACKENDS": backend}, check=False)
        return
    bench(BACKENDS[0])


if __name__ == "__main__":
    main()
