"""Allocation and selection: exactness (by exhaustive enumeration) and structure."""

from fractions import Fraction
from math import floor

import pytest

from shuangsuiji import fairdraw as fd
from shuangsuiji.fairdraw.allocate import pivotal_round
from shuangsuiji.fairdraw.select import ordered_pivotal, pivotal_probabilities

from ._helpers import enumerate_exact, ref_key, ref_order, seed_n


@pytest.mark.parametrize(
    "fracs",
    [
        {"a": Fraction(1, 3), "b": Fraction(2, 3)},
        {"a": Fraction(1, 3), "b": Fraction(1, 2), "c": Fraction(5, 6), "d": Fraction(1, 7)},
        {"a": Fraction(9, 10), "b": Fraction(9, 10), "c": Fraction(1, 5)},
        {"a": Fraction(1, 2)},
    ],
)
@pytest.mark.parametrize("seed_i", [0, 1, 2])
def test_pivotal_rounding_is_exact(fracs, seed_i):
    """P(round up) = fractional part exactly; the total is floor or ceil of the sum."""
    seed = seed_n(seed_i)
    up = {h: Fraction(0) for h in fracs}
    total = sum(fracs.values())
    for p, res in enumerate_exact(lambda d: pivotal_round(seed, fracs, lambda tag, parts, q: d(q))):
        for h, b in res.items():
            up[h] += p * b
        assert sum(res.values()) in (floor(total), -(-total // 1))
    assert up == fracs


@pytest.mark.parametrize(
    "masses, D",
    [([3, 5, 2, 7, 4, 9], 10), ([1, 1, 1, 1], 2), ([5, 5, 5, 5, 5, 5], 10), ([9, 1, 9, 1], 10), ([6, 6, 6], 9)],
)
def test_ordered_pivotal_is_exact(masses, D):
    n = sum(masses) // D
    pi = [Fraction(0)] * len(masses)
    for p, flags in enumerate_exact(lambda d: ordered_pivotal(masses, D, lambda j, a, b: d(Fraction(a, b)))):
        assert sum(flags) == n
        for j, f in enumerate(flags):
            pi[j] += p * f
    assert pi == [Fraction(m, D) for m in masses]


def test_pivotal_capping():
    certain, nf, W = pivotal_probabilities([1, 1, 1, 40, 2], 3)
    assert certain == [False, False, False, True, False] and (nf, W) == (2, 5)
    assert pivotal_probabilities([5, 5], 2) == ([True, True], 0, 0)


def _plan(**kw):
    return fd.DrawPlan(**kw)


def test_allocation_rates_clamps_certainty():
    plan = _plan(
        default=fd.StratumRule(rate="1/10", min_n=1, max_n=3),
        strata={"D": fd.StratumRule(certainty=True), "big": fd.StratumRule(rate="1/2", max_n=4)},
    )
    a = fd.allocate({"small": 4, "mid": 20, "D": 3, "big": 30, "none": 0}, plan, seed_n(0))
    s = a.strata
    assert (s["small"].target, s["small"].n, s["small"].clamp) == (Fraction(2, 5), 1, "min")
    assert (s["mid"].target, s["mid"].n) == (Fraction(2), 2)
    assert (s["D"].n, s["D"].clamp, s["D"].probability) == (3, "certainty", "3/3")
    assert (s["big"].n, s["big"].clamp) == (4, "max")
    assert s["none"].n == 0
    assert a.total_n == 10


def _units(spec):
    """spec: {stratum: (count, excluded_count)} → units with ids like 'h-07'."""
    out = []
    for h, (n, x) in spec.items():
        for i in range(n):
            out.append(fd.PoolUnit(f"{h}-{i:02d}", h, excluded_reason="CLOSED" if i < x else ""))
    return out


def test_srs_selects_smallest_keys_and_next_substitutes():
    units = _units({"a": (30, 4), "b": (9, 0)})
    plan = _plan(default=fd.StratumRule(rate="1/4"), substitutes=3)
    for i in range(5):
        seed = seed_n(i)
        alloc = fd.allocate(fd.stratum_counts(units), plan, seed)
        res = fd.select(fd.canonical_pool_bytes(units), alloc, seed, plan)
        for h in ("a", "b"):
            order = ref_order(seed, units, h)
            n = alloc.strata[h].n
            st = res.strata[h]
            assert list(st.selected) == order[:n]
            assert list(st.substitutes) == order[n : n + 3]
            assert st.threshold_key == format(ref_key(seed, order[n - 1]), "064x")
            assert st.probability == f"{n}/{len(order)}"
        assert not set(res.selected()) & {u.unit_id for u in units if u.excluded_reason}
        assert [x[0] for x in res.excluded] == sorted(u.unit_id for u in units if u.excluded_reason)
        # input order does not matter
        assert fd.select(list(reversed(units)), alloc, seed, plan) == res
        # the full random order continues the published substitutes
        full = fd.random_order(fd.canonical_pool_bytes(units), seed, "a")
        assert full == ref_order(seed, units, "a")
        n = alloc.strata["a"].n
        assert full[:n] == list(res.strata["a"].selected) and full[n : n + 3] == list(res.strata["a"].substitutes)


def test_pivotal_selection_structure():
    w = [1, 1, 1, 2, 2, 3, 40, 1]
    units = [fd.PoolUnit(f"p{i}", "h", weight_ppm=x * 1000) for i, x in enumerate(w)]
    plan = _plan(default=fd.StratumRule(rate="3/8", method="pivotal"), substitutes=2)
    for i in range(10):
        seed = seed_n(i)
        alloc = fd.allocate(fd.stratum_counts(units), plan, seed)
        st = fd.select(units, alloc, seed, plan).strata["h"]
        assert len(st.selected) == 3 and "p6" in st.selected and st.certain == ("p6",)
        order = ref_order(seed, units, "h")
        assert list(st.selected) == [u for u in order if u in st.selected]
        assert list(st.substitutes) == [u for u in order if u not in st.selected][:2]
        assert st.pi(units[6]) == 1 and st.pi(units[3]) == Fraction(2 * 2000, 11000)


def test_pool_must_match_allocation():
    units = _units({"a": (5, 0)})
    plan = _plan(default=fd.StratumRule(rate="1/2"))
    alloc = fd.allocate({"a": 6}, plan, seed_n(0))
    with pytest.raises(fd.FairdrawError, match="POOL_MISMATCH"):
        fd.select(units, alloc, seed_n(0), plan)


def test_ratio_tables():
    t = fd.GAOQING_2020
    assert t.rate_for(20) == Fraction(1, 2)
    assert (t.rate_for(21), t.rate_for(50, "high")) == (Fraction(3, 10), Fraction(2, 5))
    assert (t.rate_for(51), t.rate_for(100, "high")) == (Fraction(1, 5), Fraction(3, 10))
    assert (t.rate_for(101), t.rate_for(200, "high")) == (Fraction(1, 10), Fraction(3, 20))
    assert (t.rate_for(201), t.rate_for(500, "mid")) == (Fraction(1, 20), Fraction(3, 40))
    assert (t.rate_for(501), t.rate_for(10**7, "high")) == (Fraction(3, 100), Fraction(1, 20))
    r = fd.risk_class_rates(pick="high")
    assert r == {"A": Fraction(1, 20), "B": Fraction(1, 5), "C": Fraction(3, 5), "D": Fraction(1)}
    rates = fd.rates_for_strata({"x|A": 10, "x|D": 3}, class_of=lambda h: h[-1], class_rates=r)
    assert rates == {"x|A": Fraction(1, 20), "x|D": Fraction(1)}
    assert fd.rates_for_strata({"a": 30, "b": 30}) == {"a": Fraction(1, 5), "b": Fraction(1, 5)}
    with pytest.raises(fd.FairdrawError, match="RISK_CLASS_UNKNOWN"):
        fd.rates_for_strata({"x|E": 1}, class_of=lambda h: h[-1], class_rates=r)
    custom = fd.RatioTable.from_dict(
        {
            "name": "t",
            "bands": [
                {"min_units": 0, "max_units": 9, "low": "1/1", "high": "1/1"},
                {"min_units": 10, "max_units": None, "low": "1/2", "high": "1/2"},
            ],
        }
    )
    assert custom.rate_for(10) == Fraction(1, 2)
