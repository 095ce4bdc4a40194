"""Benchmark of a whole draw on PostgreSQL: freeze → draw → lock at city scale.  Prints figures; asserts nothing.

    .venv/bin/python bench/bench_draw.py
    BENCH_DRAW_UNITS=100000 BENCH_DRAW_RATES=1,3,20 BENCH_DRAW_INSPECTORS=48 .venv/bin/python bench/bench_draw.py
    BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres   (or DATABASE_URL: a server to create a database on)

It creates a database with a unique name (bench_draw_<pid>_<time>) on that server and drops it at the end,
migrates, and loads N units (default 100,000) in the 8 counties of 淄博 with three business lines
(公共场所 60 %, 饮用水 25 %, 学校 15 %; 2 % closed, 1 % inspected lately) and M inspectors (default 48,
one or two specialties each).  A published task stratified by line × risk class is then drawn once per
rate (default 1 %, 3 %, 20 %; each draw is cancelled before the next): freeze (draws.services.draw_freeze),
the lottery value entered and confirmed, draw (draw_run: fairdraw selection + inspector assignment + pool
index + result rows), witness, lock, and the public verification page's first visit
(disclosure.verification.verify, cache empty).

Each figure is printed beside its floor, measured in the same run:

* freeze      — plain column queries for the units in scope and their business lines (values_list);
* selection   — a SHA-256 per unit of the pool (the per-unit key every draw must compute);
* assignment  — per target, against the same figure at the first (smallest) rate;
* verify page — the selection and assignment of the same draw (fairdraw.run_draw).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

N_UNITS = int(os.environ.get("BENCH_DRAW_UNITS", "100000"))
N_INSPECTORS = int(os.environ.get("BENCH_DRAW_INSPECTORS", "48"))
RATES = [int(r) for r in os.environ.get("BENCH_DRAW_RATES", "1,3,20").split(",") if r.strip()]
ADMIN_URL = (
    os.environ.get("BENCH_PG_URL") or os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
)
COUNTIES = ["370302", "370303", "370304", "370305", "370306", "370321", "370322", "370323"]
LINES = [("ggcs", 60), ("yys", 25), ("xxws", 15)]
NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def log(msg: str) -> None:
    print(msg, flush=True)


def pg_admin(sql: str) -> None:
    import psycopg

    url = ADMIN_URL.replace("postgresql://", "postgres://", 1)
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


def database_url(name: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def copy_rows(model, cols: list[str], rows) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        with cursor.cursor.copy(f'COPY "{model._meta.db_table}" ({", ".join(cols)}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)


def load() -> dict:
    """Regions, organisations, users, N units (COPY), M inspectors, a published plan with one task."""
    from django.utils import timezone

    from shuangsuiji.accounts.models import Organization, User
    from shuangsuiji.accounts.roles import Role
    from shuangsuiji.core.permissions import SYSTEM
    from shuangsuiji.core.validators import make_credit_code, org_code_check_char
    from shuangsuiji.directory.models import BusinessLine, Inspector, RegulatedUnit
    from shuangsuiji.plans import testing
    from shuangsuiji.plans.choices import StratifyBy
    from shuangsuiji.regions.models import Region
    from shuangsuiji.regions.services import regions_load_csv

    regions_load_csv(user=SYSTEM)
    testing.ensure_business_lines()
    city = Region.objects.get(code="370300")
    regions = {r.code: r for r in Region.objects.filter(code__in=COUNTIES)}
    bureau = Organization.objects.create(name="淄博市卫生健康委员会", kind=Organization.Kind.BUREAU, region=city)
    agency = Organization.objects.create(
        name="淄博市卫生健康综合监督执法局", kind=Organization.Kind.AGENCY, region=city
    )
    approver = User.objects.create(
        username="bench_approver", full_name="审批人", role=Role.APPROVER, organization=bureau
    )
    author = User.objects.create(username="bench_author", full_name="起草人", role=Role.INSPECTOR, organization=agency)
    lines = {bl.code: bl for bl in BusinessLine.objects.filter(code__in=[c for c, _ in LINES])}

    rng = random.Random(20261127)
    now = timezone.now()
    cols = ["credit_code", "name", "region_id", "risk_level", "status", "last_inspected_on", "created_at", "updated_at"]
    unit_fields = {f.column for f in RegulatedUnit._meta.concrete_fields if not f.primary_key}
    extra = sorted(unit_fields - set(cols))
    defaults = {f.column: f.get_default() for f in RegulatedUnit._meta.concrete_fields if f.column in extra}
    unit_lines = []

    def unit_rows():
        for i in range(N_UNITS):
            county = COUNTIES[i % len(COUNTIES)]
            body = f"{i:08d}"
            code = make_credit_code(f"92{county}{body}{org_code_check_char(body)}")
            m = rng.randrange(100)
            risk = "A" if m < 70 else "B" if m < 90 else "C" if m < 98 else "D"
            status = "closed" if rng.randrange(100) < 2 else "active"
            inspected = dt.date(2026, 3, 1) if rng.randrange(100) < 1 else None
            unit_lines.append(rng.choices([c for c, _ in LINES], [w for _, w in LINES])[0])
            yield [code, f"淄博基准单位{i:06d}", regions[county].pk, risk, status, inspected, now, now] + [
                defaults[c] for c in extra
            ]

    copy_rows(RegulatedUnit, cols + extra, unit_rows())
    through = RegulatedUnit.business_lines.through
    pks = RegulatedUnit.objects.order_by("pk").values_list("pk", flat=True)
    copy_rows(through, ["regulatedunit_id", "businessline_id"],
              ([pk, lines[line].pk] for pk, line in zip(pks, unit_lines, strict=True)))  # fmt: skip

    inspectors = []
    for n in range(N_INSPECTORS):
        inspector = Inspector.objects.create(
            name=f"执法{n:03d}", cert_no=f"370300{n:05d}", organization=agency,
            cert_valid_from=dt.date(2020, 1, 1), cert_valid_to=dt.date(2030, 12, 31),
        )  # fmt: skip
        own = [LINES[0][0]] * 5 + [LINES[1][0]] * 3 + [LINES[2][0]] * 2
        specs = {own[n % 10]} | ({rng.choice([c for c, _ in LINES])} if n % 4 == 0 else set())
        inspector.specialties.set([lines[c] for c in specs])
        inspectors.append(inspector)
    item = testing.make_item(city, code="ZB-GGCS-01")
    plan, task = testing.published_plan_with_task(
        author=author, approver=approver, organization=bureau, item=item,
        stratify_by=StratifyBy.LINE_RISK, default_rate=RATES[0], business_lines=list(lines.values()),
    )  # fmt: skip
    return {"task": task, "user": approver, "city": city}


def plain_query_floor(task) -> float:
    """The units in scope and their business lines as plain column queries (what a freeze must read)."""
    from shuangsuiji.directory.models import RegulatedUnit
    from shuangsuiji.plans import pool

    t = time.perf_counter()
    qs = pool.scope_units(task)
    units = list(qs.values_list("pk", "credit_code", "region__code", "risk_level", "status", "last_inspected_on"))
    through = RegulatedUnit.business_lines.through
    lines = list(
        through.objects.filter(regulatedunit__in=qs.values("pk")).values_list(
            "regulatedunit_id", "businessline__order", "businessline__code"
        )
    )
    took = time.perf_counter() - t
    assert units and lines
    return took


def hash_floor(pool_bytes: bytes, seed: bytes) -> float:
    """A SHA-256 per unit of the pool (unit ids split out beforehand, not timed)."""
    ids = [line.split(b"\t", 1)[0] for line in pool_bytes.split(b"\n")[1:-1]]
    base = hashlib.sha256(seed + b"\x00unit\x00")
    t = time.perf_counter()
    for uid in ids:
        h = base.copy()
        h.update(uid)
        h.digest()
    return time.perf_counter() - t


def ratio(x: float, floor: float) -> str:
    return f"{x / floor:6.1f}×" if floor > 0 else "   n/a"


def profiled(what: str, fn):
    """BENCH_DRAW_PROFILE=freeze,draw prints the top functions of those steps (cProfile)."""
    if what not in os.environ.get("BENCH_DRAW_PROFILE", "").split(","):
        return fn()
    import cProfile
    import pstats

    prof = cProfile.Profile()
    try:
        return prof.runcall(fn)
    finally:
        pstats.Stats(prof).sort_stats("cumtime").print_stats(25)


def one_draw(task, user, rate: int, issue: str) -> dict:
    from django.core.cache import cache
    from django.utils import timezone

    from shuangsuiji.disclosure import verification
    from shuangsuiji.draws import services
    from shuangsuiji.draws.choices import FileKind
    from shuangsuiji.draws.testing import KL8_NUMBERS, enter_and_confirm
    from shuangsuiji.fairdraw import manifest as fd_manifest
    from shuangsuiji.plans.models import Task

    Task.objects.filter(pk=task.pk).update(default_rate=rate)
    task.refresh_from_db()
    local = timezone.localtime(NOW)
    sources = services.build_sources(lottery={"game": "kl8", "issue": issue, "draw_date": local.date()})
    out: dict = {"rate": rate}
    t = time.perf_counter()
    draw = profiled("freeze", lambda: services.draw_freeze(user=user, task=task, sources=sources, now=NOW))
    out["freeze"] = time.perf_counter() - t
    after = timezone.make_aware(dt.datetime.combine(local.date(), dt.time(22, 0)))
    enter_and_confirm(draw, user, KL8_NUMBERS, now=after)

    timings = {"select": 0.0, "assign": 0.0}
    real_select, real_assign = fd_manifest.select, fd_manifest.assign_inspectors

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                timings[name] += time.perf_counter() - t0

        return wrapper

    fd_manifest.select, fd_manifest.assign_inspectors = timed("select", real_select), timed("assign", real_assign)
    try:
        t = time.perf_counter()
        draw = profiled("draw", lambda: services.draw_run(user=user, draw=draw, now=after))
        out["draw"] = time.perf_counter() - t
    finally:
        fd_manifest.select, fd_manifest.assign_inspectors = real_select, real_assign
    out.update(timings)
    services.witness_add(user=user, draw=draw, name="赵纪检", organization="市纪委监委派驻纪检组", role="discipline")
    t = time.perf_counter()
    draw = services.draw_lock(user=user, draw=draw, now=after)
    out["lock"] = time.perf_counter() - t
    out["targets"] = draw.targets.filter(role="selected").count()
    out["feasible"] = draw.assignment_feasible
    pool_bytes = draw.file_bytes(FileKind.POOL)
    out["units"] = pool_bytes.count(b"\n") - 1
    out["hash_floor"] = hash_floor(pool_bytes, bytes.fromhex(draw.seed))
    cache.clear()
    t = time.perf_counter()
    report = verification.verify(draw)
    out["verify_page"] = time.perf_counter() - t
    out["verified"] = report.status
    services.draw_cancel(user=user, draw=draw, reason="基准测试：换一个比例重新抽取")
    return out


def run() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="bench_draw_media_"))
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    world = load()
    log(f"  setup (migrate + {N_UNITS:,} units + {N_INSPECTORS} inspectors): {time.perf_counter() - t:6.1f} s")
    task, user = world["task"], world["user"]
    floor_q = min(plain_query_floor(task) for _ in range(3))
    results = []
    for n, rate in enumerate(RATES):
        r = one_draw(task, user, rate, issue=f"2026{321 + n}")
        results.append(r)
        log(f"\n  rate {rate}%: {r['units']:,} units in the pool, {r['targets']:,} targets, "
            f"assignment feasible: {r['feasible']}, verify page: {r['verified']}")  # fmt: skip
        log(f"    freeze (draw_freeze)            {r['freeze']:8.2f} s   floor {floor_q:6.2f} s (plain column "
            f"queries)  {ratio(r['freeze'], floor_q)}")  # fmt: skip
        log(f"    draw   (draw_run)               {r['draw']:8.2f} s")
        log(f"      selection (fairdraw.select)   {r['select']:8.2f} s   floor {r['hash_floor']:6.2f} s "
            f"(SHA-256 per unit)  {ratio(r['select'], r['hash_floor'])}")  # fmt: skip
        per = r["assign"] / max(1, r["targets"]) * 1000
        first = results[0]["assign"] / max(1, results[0]["targets"]) * 1000
        log(f"      assignment                    {r['assign']:8.2f} s   {per:6.3f} ms per target; at "
            f"{RATES[0]}%: {first:6.3f} ms  {ratio(per, first)}")  # fmt: skip
        log(f"      the rest (files, pool index, targets, audit)  {r['draw'] - r['select'] - r['assign']:6.2f} s")
        log(f"    lock   (draw_lock)              {r['lock']:8.2f} s")
        total = r["freeze"] + r["draw"] + r["lock"]
        log(f"    freeze → draw → lock            {total:8.2f} s")
        engine = r["select"] + r["assign"]
        log(f"    verify page, first visit        {r['verify_page']:8.2f} s   the draw's selection + assignment "
            f"{engine:6.2f} s  {ratio(r['verify_page'], engine)}")  # fmt: skip
    log(f"\n  peak RSS: {peak_rss_mib():,.0f} MiB")


def main() -> None:
    name = f"bench_draw_{os.getpid()}_{int(time.time())}"
    log(f"freeze → draw → lock benchmark — {N_UNITS:,} units, {N_INSPECTORS} inspectors, rates {RATES} %, "
        f"PostgreSQL database {name}")  # fmt: skip
    try:
        pg_admin(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # noqa: BLE001 - any connection problem means: skip
        log(f"  PostgreSQL unreachable at {ADMIN_URL} ({type(exc).__name__}): skipped")
        return
    os.environ["DATABASE_URL"] = database_url(name)
    os.environ.pop("TEST_DB_NAME", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    try:
        run()
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001, S110 - Django may not be set up
            pass
        pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
