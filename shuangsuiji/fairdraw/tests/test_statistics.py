"""Empirical inclusion frequencies over a fixed list of seeds match the stated
probabilities.

The seeds are fixed (seed_n(0..S-1)), so the test is deterministic, not
flaky.  Tolerance: every unit's binomial z-score |z| < 4.5; for the ~40
units tested, a correct sampler fails this with probability < 3·10⁻⁴
(Bonferroni).  A successive-sampling design such as numpy's
``choice(p=…, replace=False)`` or A-Res (research-algorithms §2.1) fails
the weighted test below by a wide margin (measured |z| ≈ 22 for the
weight-8 unit, and it misses the π = 1 unit in ~4% of draws).
"""

from fractions import Fraction
from math import sqrt

from shuangsuiji import fairdraw as fd

from ._helpers import seed_n

S = 4000
Z_MAX = 4.5


def _z(count: int, p: Fraction) -> float:
    if p in (0, 1):
        assert count == p * S
        return 0.0
    pf = p.numerator / p.denominator
    return (count - S * pf) / sqrt(S * pf * (1 - pf))


def test_srs_with_random_rounding_hits_the_rate():
    """Unconditional π = rate for every unit (randomised rounding of n_h)."""
    spec = {"x": (5, "1/3"), "y": (8, "1/4"), "z": (13, "3/10")}
    units = [fd.PoolUnit(f"{h}{i:02d}", h) for h, (n, _) in spec.items() for i in range(n)]
    units.append(fd.PoolUnit("x99", "x", excluded_reason="CLOSED"))
    plan = fd.DrawPlan(
        default=fd.StratumRule(), substitutes=0, strata={h: fd.StratumRule(rate=r) for h, (_, r) in spec.items()}
    )
    counts = fd.stratum_counts(units)
    pool = fd.canonical_pool_bytes(units)
    hits = {u.unit_id: 0 for u in units}
    sizes = {h: [] for h in spec}
    for i in range(S):
        seed = seed_n(i)
        alloc = fd.allocate(counts, plan, seed)
        res = fd.select(pool, alloc, seed, plan)
        for u in res.selected():
            hits[u] += 1
        for h in spec:
            sizes[h].append(alloc.strata[h].n)
    assert hits["x99"] == 0
    worst = 0.0
    for u in units:
        if u.excluded_reason:
            continue
        z = _z(hits[u.unit_id], fd.parse_rate(spec[u.stratum][1]))
        worst = max(worst, abs(z))
    assert worst < Z_MAX, worst
    # E[n_h] = rate·E_h: mean sample size, z-test on the Bernoulli rounding
    for h, (n, r) in spec.items():
        t = fd.parse_rate(r) * n
        up = sum(1 for k in sizes[h] if k > t // 1)
        assert set(sizes[h]) <= {t // 1, t // 1 + 1}
        assert abs(_z(up, t - t // 1)) < Z_MAX


def test_pivotal_hits_weighted_probabilities():
    w = [1, 1, 2, 2, 3, 4, 8, 1, 1, 2, 30, 5]
    units = [fd.PoolUnit(f"w{i:02d}", "h", weight_ppm=x * 250_000) for i, x in enumerate(w)]
    plan = fd.DrawPlan(default=fd.StratumRule(rate="1/3", method="pivotal"), substitutes=0)
    pool = fd.canonical_pool_bytes(units)
    counts = fd.stratum_counts(units)
    hits = [0] * len(units)
    st = None
    for i in range(S):
        seed = seed_n(10_000 + i)
        alloc = fd.allocate(counts, plan, seed)
        st = fd.select(pool, alloc, seed, plan).strata["h"]
        assert len(st.selected) == 4
        for u in st.selected:
            hits[int(u[1:])] += 1
    pis = [st.pi(u) for u in units]
    assert sum(pis) == 4 and pis[10] == 1
    worst = max(abs(_z(hits[j], pis[j])) for j in range(len(units)))
    assert worst < Z_MAX, worst
