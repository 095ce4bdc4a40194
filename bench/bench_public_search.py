"""Benchmark of the public results search (公示门户 /gs/results/). Prints figures; asserts nothing.

    .venv/bin/python bench/bench_public_search.py                      # PostgreSQL bench_portal + SQLite
    BENCH_BACKENDS=postgresql BENCH_RESULTS=1000000 .venv/bin/python bench/bench_public_search.py
    BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/bench_portal  (default; the database is dropped and re-created)
    BENCH_REUSE=1   keep an already loaded bench_portal with the same N (PostgreSQL only; loading 1M takes minutes)

For each backend it configures Django itself on a throwaway database (PostgreSQL `bench_portal`, or a
temporary SQLite file), migrates, and loads N published inspection results (default 1,000,000:
N/5 units × 5 draws, one DrawTarget + InspectionResult per unit and draw) with COPY on PostgreSQL
and executemany on SQLite. Then it times BENCH_QUERIES queries (default 200: half by unit-name
prefix, half by 统一社会信用代码) two ways:

* query — `disclosure.selectors.results(q=…)` paginated as the view does (COUNT + first 20 rows);
* page  — the whole GET /gs/results/?q=… through Django's test client (query + template).
"""

from __future__ import annotations

import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

N_RESULTS = int(os.environ.get("BENCH_RESULTS", "1000000"))
N_QUERIES = int(os.environ.get("BENCH_QUERIES", "200"))
DRAWS = 5
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/bench_portal")
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


def recreate_pg(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


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
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(f"  ANALYZE {time.perf_counter() - t0:.1f} s")
    return [(n, c) for c, n, _r in rng.sample(units, min(len(units), N_QUERIES))]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def run_queries(samples: list[tuple[str, str]]) -> None:
    from django.core.paginator import Paginator
    from django.test import Client

    from shuangsuiji.disclosure import selectors

    rng = random.Random(7)
    queries = []
    for i, (name, code) in enumerate(samples):
        if i % 2:
            queries.append(("credit code", code))
        else:
            queries.append(("name prefix", name[: rng.choice((3, 4, 5, 6))]))
    client = Client()
    client.get("/gs/results/?q=warmup")
    for label in ("name prefix", "credit code"):
        qs = [q for kind, q in queries if kind == label]
        query_ms, page_ms, hits = [], [], []
        for q in qs:
            t0 = time.perf_counter()
            page = Paginator(selectors.results(q=q).prefetch_related("cases"), 20).get_page(1)
            rows = list(page)
            query_ms.append((time.perf_counter() - t0) * 1000)
            hits.append(page.paginator.count)
            assert rows or not page.paginator.count
            t0 = time.perf_counter()
            response = client.get("/gs/results/", {"q": q})
            page_ms.append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                log(f"  !! {q}: HTTP {response.status_code}")
        log(f"  {label:11s} ({len(qs)} queries, median {statistics.median(hits):,.0f} matches, max {max(hits):,}): "
            f"query p50 {pct(query_ms, 50):7.1f} ms  p95 {pct(query_ms, 95):7.1f} ms | "
            f"page p50 {pct(page_ms, 50):7.1f} ms  p95 {pct(page_ms, 95):7.1f} ms")  # fmt: skip


def explain(samples) -> None:
    from django.db import connection

    from shuangsuiji.disclosure import selectors

    name, code = samples[0]
    for q in (name[:4], code):
        qs = selectors.results(q=q)[:20]
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cursor:
            prefix = "EXPLAIN " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
            cursor.execute(prefix + sql, params)
            plan = [" ".join(str(c) for c in row) for row in cursor.fetchall()]
        log(f"  plan for q={q!r}: " + " / ".join(p.strip() for p in plan[:4]))


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
    reuse = os.environ.get("BENCH_REUSE") == "1" and backend == "postgresql"
    if backend == "postgresql":
        if not reuse:
            recreate_pg(PG_URL)
        url = PG_URL
    else:
        tmp = tempfile.mkdtemp(prefix="bench_portal_")
        url = f"sqlite:///{tmp}/bench_portal.sqlite3"
    log(f"\n== {backend}: {url}  ({N_RESULTS:,} published results, {N_QUERIES} queries)")
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

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


def main() -> None:
    if len(BACKENDS) > 1:  # Django configures one database per process: run each backend in a child
        import subprocess

        for backend in BACKENDS:
            subprocess.run([sys.executable, __file__], env={**os.environ, "BENCH_BACKENDS": backend}, check=False)
        return
    bench(BACKENDS[0])


if __name__ == "__main__":
    main()
