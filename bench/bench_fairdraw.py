"""Benchmark of the fairdraw engine (issues #4, #13).  Prints figures; asserts nothing.

    .venv/bin/python bench/bench_fairdraw.py
    BENCH_FAIRDRAW_SIZES=100000,1000000 .venv/bin/python bench/bench_fairdraw.py

Each size N runs in its own process (so its peak RSS, from resource.getrusage, is its own).  It writes a
synthetic canonical pool to a temporary file (streamed, so generation needs O(1) memory), then times

* the floor             a SHA-256 per unit (base.copy(); update(unit id); digest()), the one step every
                        draw and every verification must do per unit; unit ids are read in chunks
                        beforehand (not timed), so the floor needs no memory of its own,
* the stratified draw   (allocate + select over the snapshot bytes), beside the floor,
* verification          (verify_manifest: digest + strict parse + re-run + compare), beside the floor,
* numpy, same strata    (Generator.choice per stratum without replacement, and
                         a weighted choice(p, replace=False) over the whole pool
                         — shown only for comparison; it is neither verifiable
                         nor does it give the stated inclusion probabilities).

Pool: 10 regions × risk classes A/B/C/D (70/20/8/2 %), 1 % excluded.
Rates: A 1 %, B 5 %, C 20 %, D 60 %; 5 substitutes per stratum.
"""

from __future__ import annotations

import hashlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shuangsuiji import fairdraw as fd  # noqa: E402
from shuangsuiji.fairdraw.snapshot import POOL_HEADER  # noqa: E402

REGIONS = [f"3703{r:02d}" for r in range(1, 11)]
RATES = {"A": "1/100", "B": "1/20", "C": "1/5", "D": "3/5"}


def risk_class(i: int) -> str:
    m = ((i // 10) * 7919) % 100
    return "A" if m < 70 else "B" if m < 90 else "C" if m < 98 else "D"


def write_pool(path: Path, n: int) -> tuple[str, dict]:
    """Stream a canonical pool of n units to ``path``; return (digest, counts)."""
    h = hashlib.sha256()
    counts: dict[str, list[int]] = {}
    with open(path, "wb") as f:
        f.write(POOL_HEADER)
        h.update(POOL_HEADER)
        buf = []
        for i in range(n):
            stratum = f"{REGIONS[i % 10]}|{risk_class(i)}"
            reason = "RECENTLY_INSPECTED" if i % 100 == 37 else ""
            # fixed-width ids, so numeric order = bytewise order
            buf.append(f"91{i:016d}\t{stratum}\t1000000\t{REGIONS[i % 10]}\t公共场所卫生\t{reason}\n")
            c = counts.setdefault(stratum, [0, 0])
            c[0] += 1
            c[1] += bool(reason)
            if len(buf) == 50_000:
                chunk = "".join(buf).encode()
                f.write(chunk)
                h.update(chunk)
                buf = []
        chunk = "".join(buf).encode()
        f.write(chunk)
        h.update(chunk)
    strata = {s: {"total": t, "eligible": t - x, "excluded": x} for s, (t, x) in sorted(counts.items())}
    return h.hexdigest(), strata


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_numpy(n: int, alloc: fd.Allocation) -> None:
    try:
        import numpy as np
    except ImportError:
        print("  numpy: not installed, skipped")
        return
    rng = np.random.default_rng(12345)
    t = time.perf_counter()
    for a in alloc.strata.values():
        rng.choice(a.eligible, size=a.n, replace=False)
    t_strat = time.perf_counter() - t
    # weighted draw over the whole pool with weights = stratum rates (the wrong-π method)
    i = np.arange(n, dtype=np.int64)
    m = ((i // 10) * 7919) % 100
    w = np.where(m < 70, 0.01, np.where(m < 90, 0.05, np.where(m < 98, 0.2, 0.6)))
    w[i % 100 == 37] = 0.0
    p = w / w.sum()
    total = alloc.total_n
    t = time.perf_counter()
    rng.choice(n, size=total, replace=False, p=p)
    t_w = time.perf_counter() - t
    print(f"  numpy choice per stratum (uniform, replace=False): {t_strat:8.3f} s")
    print(f"  numpy choice(p, replace=False), n={total:,}:        {t_w:8.3f} s   (not exact π, not verifiable)")


def clocks() -> tuple[float, float]:
    """(wall, CPU of this process): on a shared machine the CPU time is the steadier figure."""
    return time.perf_counter(), time.process_time()


def since(start: tuple[float, float]) -> tuple[float, float]:
    now = clocks()
    return now[0] - start[0], now[1] - start[1]


def fmt(took: tuple[float, float], floor: tuple[float, float] | None = None) -> str:
    out = f"{took[0]:8.3f} s (CPU {took[1]:7.3f} s)"
    if floor:
        out += f"  = {took[0] / floor[0]:4.1f}× the floor (CPU {took[1] / floor[1]:4.1f}×)"
    return out


def hash_floor(path: Path, seed: bytes) -> tuple[float, float]:
    """(wall, CPU) seconds for one SHA-256 per unit id of the pool; ids are split out in chunks (not timed)."""
    base = hashlib.sha256(seed + b"\x00unit\x00")
    took, cpu = 0.0, 0.0
    with open(path, "rb") as f:
        f.readline()
        while True:
            lines = f.readlines(1 << 23)
            if not lines:
                return took, cpu
            ids = [line[: line.index(b"\t")] for line in lines]
            del lines
            t, c = clocks()
            for uid in ids:
                h = base.copy()
                h.update(uid)
                h.digest()
            took += time.perf_counter() - t
            cpu += time.process_time() - c


def run(n: int, tmp: Path) -> None:
    print(f"\n== N = {n:,} candidates ==", flush=True)
    path = tmp / f"pool-{n}.tsv"
    t = time.perf_counter()
    digest, strata = write_pool(path, n)
    t_gen = time.perf_counter() - t
    plan = fd.DrawPlan(
        default=fd.StratumRule(rate="1/100"),
        substitutes=5,
        strata={h: fd.StratumRule(rate=RATES[h[-1]], min_n=1) for h in strata},
    )
    record = fd.build_commitment(
        draw_id=f"bench-{n}",
        plan=plan,
        pool_digest=digest,
        strata=strata,
        public_sources=[{"kind": "other", "name": "bench"}],
        published_at="2025-01-01T00:00:00+08:00",
    )
    values = ["01,02,03,04,05,06,07,08,09,10,11,12,13,14,15,16,17,18,19,20"]
    print(
        f"  generate + SHA-256 snapshot ({path.stat().st_size / 2**20:,.0f} MiB, streamed): {t_gen:8.3f} s", flush=True
    )

    floor = hash_floor(path, fd.derive_seed(fd.commitment_hash(record), values))
    print(f"  floor: SHA-256 per unit ({n:,} keys): {fmt(floor)}", flush=True)
    pool = path.read_bytes()
    t = clocks()
    seed = fd.derive_seed(fd.commitment_hash(record), values)
    alloc = fd.allocate(strata, plan, seed)
    result = fd.select(pool, alloc, seed, plan)
    t_draw = since(t)
    print(f"  draw (allocate + select), n={alloc.total_n:,} in {len(strata)} strata: {fmt(t_draw, floor)}")
    print(f"  peak RSS after the draw: {peak_rss_mib():,.0f} MiB", flush=True)

    manifest = fd.build_manifest(commitment=record, public_values=values, seed=seed, allocation=alloc, result=result)
    mb = fd.manifest_bytes(manifest)
    del result, manifest  # verification starts from the published bytes
    t = clocks()
    report = fd.verify_manifest(mb, pool)
    t_ver = since(t)
    print(f"  verify_manifest (digest + strict parse + re-run + compare): {fmt(t_ver, floor)}  → {report.status}")
    print(f"  manifest size: {len(mb) / 2**20:,.1f} MiB;  pool size: {len(pool) / 2**20:,.0f} MiB (held in memory)")
    print(f"  peak RSS after the verification: {peak_rss_mib():,.0f} MiB", flush=True)
    del pool, mb
    bench_numpy(n, alloc)
    path.unlink()


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--size":
        with tempfile.TemporaryDirectory(prefix="bench-fairdraw-") as d:
            run(int(sys.argv[2]), Path(d))
        return
    sizes = [int(s) for s in os.environ.get("BENCH_FAIRDRAW_SIZES", "1000000,10000000").split(",") if s.strip()]
    print(f"fairdraw benchmark — Python {sys.version.split()[0]}, {os.cpu_count()} CPUs", flush=True)
    for n in sizes:
        subprocess.run([sys.executable, __file__, "--size", str(n)], check=True)


if __name__ == "__main__":
    main()
