"""Hypothesis property tests of the whole draw."""

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangsuiji import fairdraw as fd

from ._helpers import commit, ref_key, ref_order

ID_CHARS = st.sampled_from(list("AB019xyz-卫生监督"))
# derandomize + no example database: reproducible runs, no .hypothesis/ directory.
SETTINGS = settings(
    max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def draws(draw):
    ids = draw(st.lists(st.text(ID_CHARS, min_size=1, max_size=6), min_size=1, max_size=40, unique=True))
    strata = draw(st.lists(st.sampled_from(["h1", "h2", "风险C"]), min_size=len(ids), max_size=len(ids)))
    units = []
    for uid, h in zip(ids, strata, strict=True):
        units.append(
            fd.PoolUnit(
                uid,
                h,
                weight_ppm=draw(st.integers(1, 5)) * 100_000,
                excluded_reason=draw(st.sampled_from(["", "", "", "CLOSED", "RECENTLY_INSPECTED"])),
            )
        )
    rate = st.builds(lambda p, q: f"{min(p, q)}/{q}", st.integers(0, 10), st.integers(1, 10))
    rules = {
        h: fd.StratumRule(
            rate=draw(rate),
            min_n=draw(st.integers(0, 2)),
            certainty=draw(st.booleans()) and draw(st.booleans()),
            method=draw(st.sampled_from(["srs", "pivotal"])),
        )
        for h in ("h1", "h2", "风险C")
    }
    plan = fd.DrawPlan(default=fd.StratumRule(), strata=rules, substitutes=draw(st.integers(0, 3)))
    values = draw(st.lists(st.text(st.sampled_from("0123456789,+ab"), min_size=1, max_size=8), min_size=1, max_size=2))
    return units, plan, values


@SETTINGS
@given(draws(), st.randoms(use_true_random=False))
def test_draw_properties(d, rnd):
    units, plan, values = d
    pool, rec = commit(units, plan, values=values)
    out = fd.run_draw(pool, rec, values)
    # same inputs → same result, whatever the input order of units
    shuffled = list(units)
    rnd.shuffle(shuffled)
    assert fd.canonical_pool_bytes(shuffled) == pool
    assert fd.run_draw(pool, rec, values).manifest == out.manifest
    alloc = fd.allocate(fd.stratum_counts(units), plan, out.seed)
    assert fd.select(shuffled, alloc, out.seed, plan) == out.result
    excluded = {u.unit_id for u in units if u.excluded_reason}
    for h, s in out.result.strata.items():
        n = out.allocation.strata[h].n
        order = ref_order(out.seed, units, h)
        assert len(s.selected) == n
        # excluded never selected nor substitutes
        assert not (set(s.selected) | set(s.substitutes)) & excluded
        # selected listed in key order; substitutes are the next non-selected units in key order
        assert list(s.selected) == [u for u in order if u in s.selected]
        assert list(s.substitutes) == [u for u in order if u not in s.selected][: plan.substitutes]
        if s.method == "srs":
            assert list(s.selected) == order[:n]
            if n:
                assert s.threshold_key == format(ref_key(out.seed, order[n - 1]), "064x")
    assert fd.verify_manifest(fd.manifest_bytes(out.manifest), pool).ok


@SETTINGS
@given(draws(), st.data())
def test_any_change_changes_commitment_or_seed(d, data):
    units, plan, values = d
    pool, rec = commit(units, plan, values=values)
    h0 = fd.commitment_hash(rec)
    # change one unit's field
    i = data.draw(st.integers(0, len(units) - 1))
    field = data.draw(st.sampled_from(["stratum", "weight_ppm", "excluded_reason", "region", "specialty"]))
    u = units[i]
    new = {
        "stratum": u.stratum + "x",
        "weight_ppm": u.weight_ppm + 1,
        "excluded_reason": "" if u.excluded_reason else "CLOSED",
        "region": u.region + "R",
        "specialty": u.specialty + "S",
    }[field]
    changed = list(units)
    changed[i] = dataclasses.replace(u, **{field: new})
    pool2, rec2 = commit(changed, plan, values=values)
    assert fd.pool_digest(pool2) != fd.pool_digest(pool)
    assert fd.commitment_hash(rec2) != h0
    # drop a unit
    if len(units) > 1:
        _, rec3 = commit(units[:i] + units[i + 1 :], plan, values=values)
        assert fd.commitment_hash(rec3) != h0
    # change the plan
    plan2 = dataclasses.replace(plan, substitutes=plan.substitutes + 1)
    assert fd.commitment_hash(commit(units, plan2, values=values)[1]) != h0
    # change a public value → different seed
    s0 = fd.derive_seed(h0, values)
    assert fd.derive_seed(h0, [values[0] + "0"] + values[1:]) != s0
    assert fd.derive_seed(h0, values + ["1"]) != s0
