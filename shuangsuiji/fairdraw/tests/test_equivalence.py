"""The fast assignment and selection give the same results as the reference implementations they replaced
(``_reference_assign.py``, ``_reference_select.py``: the code of the published vectors, kept verbatim)."""

import hashlib
import importlib
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangsuiji import fairdraw as fd
from shuangsuiji.fairdraw.snapshot import POOL_HEADER

from . import _reference_assign as ref_assign
from . import _reference_select as ref_select
from ._helpers import seed_n


def _json(result) -> bytes:
    return fd.canonical_json(result.to_dict())


OK_FROM, OK_TO = "2024-01-01", "2026-12-31"
REGIONS = ["", "R1", "R2", "R3"]
SPECS = ["", "a", "b", "c"]


@st.composite
def assign_instances(draw):
    n_t = draw(st.integers(0, 40))
    n_i = draw(st.integers(1, 10))
    targets = [
        fd.PoolUnit(
            f"T{t:03d}",
            "s",
            region=draw(st.sampled_from(REGIONS)),
            specialty=draw(st.sampled_from(SPECS + ["a", "a"])),
        )
        for t in range(n_t)
    ]
    ids = [u.unit_id for u in targets] or ["T000"]
    roster = [
        fd.Inspector(
            f"I{j:02d}",
            draw(st.sampled_from(REGIONS[1:])),
            tuple(draw(st.sets(st.sampled_from(SPECS[1:]), max_size=2))),
            draw(st.sampled_from([OK_FROM, OK_FROM, OK_FROM, ""])),
            draw(st.sampled_from([OK_TO, OK_TO, OK_TO, "2025-01-01"])),
            draw(st.sampled_from([None, None, None, 0, 1, 3, 8])),
            tuple(draw(st.sets(st.sampled_from(ids), max_size=3))),
        )
        for j in range(n_i)
    ]
    rules = fd.AssignmentRules(
        inspection_date="2025-05-06",
        group_size=draw(st.sampled_from([2, 2, 2, 3])),
        region_rule=draw(st.sampled_from(["any", "any", "same", "different"])),
        max_load=draw(st.sampled_from([None, None, None, 4, 10])),
        require_specialist=draw(st.booleans()),
        balance=draw(st.sampled_from([True, True, True, False])),
    )
    return targets, roster, rules, draw(st.integers(0, 10**6))


@settings(
    max_examples=200, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(assign_instances())
def test_assignment_equals_reference(inst):
    targets, roster, rules, s = inst
    new = fd.assign_inspectors(targets, roster, rules, seed_n(s))
    assert _json(new) == _json(ref_assign.assign_inspectors(targets, roster, rules, seed_n(s)))


def _random_instance(rnd: random.Random, n_t: int, n_i: int):
    lines = ["ggcs", "shys", "fsws", "xxws"]
    regions = [f"3703{r:02d}" for r in range(1, 5)]
    targets = [
        fd.PoolUnit(f"9137{t:014d}", "s", region=rnd.choice(regions), specialty=rnd.choices(lines, [6, 2, 1, 1])[0])
        for t in range(n_t)
    ]
    roster = [
        fd.Inspector(
            f"J{j:04d}",
            rnd.choice(regions),
            tuple({rnd.choice(lines), lines[j % 4]}),
            OK_FROM,
            OK_TO,
            rnd.choice([None] * 6 + [0, n_t // 4]),
            tuple(u.unit_id for u in rnd.sample(targets, 2)),
        )
        for j in range(n_i)
    ]
    return targets, roster


def test_assignment_equals_reference_on_larger_instances():
    """Skewed specialties (swaps and several probes), region rules, a tight plan cap (CAPACITY problems)."""
    rnd = random.Random(13)
    codes = set()
    for case in range(8):
        targets, roster = _random_instance(rnd, rnd.choice([150, 300]), rnd.choice([8, 12, 20]))
        rules = fd.AssignmentRules(
            inspection_date="2025-05-06",
            region_rule=["any", "same", "different", "any"][case % 4],
            max_load=[None, None, None, 2 * len(targets) // len(roster) - 2][case % 4],
        )
        seed = hashlib.sha256(b"equivalence%d" % case).digest()
        new = fd.assign_inspectors(targets, roster, rules, seed)
        codes.update(p.code for p in new.problems)
        assert _json(new) == _json(ref_assign.assign_inspectors(targets, roster, rules, seed)), case
    assert codes == {"CAPACITY", "NO_SPECIALIST", "TOO_FEW_ELIGIBLE"}


# ---- selection ------------------------------------------------------------------------


@st.composite
def select_instances(draw):
    n = draw(st.integers(0, 120))
    ids = draw(st.lists(st.text("0123456789ABZ", min_size=1, max_size=6), min_size=n, max_size=n, unique=True))
    strata = ["A", "B", "C|x"]
    units = []
    for uid in ids:
        excluded = draw(st.sampled_from(["", "", "", "", "CLOSED"]))
        w = draw(st.sampled_from([1_000_000, 1_000_000, 1, 250_000, 7_777_777, 10**12] + ([0] if excluded else [])))
        units.append(
            fd.PoolUnit(
                uid,
                draw(st.sampled_from(strata)),
                w,
                excluded,
                draw(st.sampled_from(["", "R1", "淄博"])),
                draw(st.sampled_from(["ggcs", "公共场所卫生"])),
            )
        )
    plan = fd.DrawPlan(
        default=fd.StratumRule(rate=draw(st.sampled_from(["0", "1/10", "1/2", "1"])), min_n=draw(st.integers(0, 3))),
        strata={
            "C|x": fd.StratumRule(
                rate=draw(st.sampled_from(["1/3", "0"])), method=draw(st.sampled_from(["srs", "pivotal"]))
            )
        },
        substitutes=draw(st.integers(0, 4)),
    )
    return units, plan, draw(st.integers(0, 10**6))


def _selection_json(result) -> bytes:
    return fd.canonical_json({"selection": result.to_dict(), "excluded": [list(x) for x in result.excluded]})


@settings(
    max_examples=300, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(select_instances())
def test_selection_equals_reference(inst):
    units, plan, s = inst
    seed = seed_n(s)
    pool = fd.canonical_pool_bytes(units)
    alloc = fd.allocate(fd.stratum_counts(units), plan, seed)
    new = fd.select(pool, alloc, seed, plan)
    old = ref_select.select(pool, alloc, seed, plan)
    assert _selection_json(new) == _selection_json(old)
    assert new.units == old.units
    assert _selection_json(fd.select(list(reversed(units)), alloc, seed, plan)) == _selection_json(old)


def test_selection_equals_reference_with_large_heaps():
    """Strata large enough for the candidate buffer to be pruned many times (srs at 1 %, 30 %, 100 %)."""
    units = [
        fd.PoolUnit(f"U{i:06d}", "ABC"[i % 3], excluded_reason="CLOSED" if i % 97 == 0 else "") for i in range(30_000)
    ]
    plan = fd.DrawPlan(
        default=fd.StratumRule(rate="1/100"),
        strata={"B": fd.StratumRule(rate="3/10"), "C": fd.StratumRule(certainty=True)},
        substitutes=7,
    )
    pool = fd.canonical_pool_bytes(units)
    for s in range(3):
        seed = seed_n(s)
        alloc = fd.allocate(fd.stratum_counts(units), plan, seed)
        assert _selection_json(fd.select(pool, alloc, seed, plan)) == _selection_json(
            ref_select.select(pool, alloc, seed, plan)
        )


def _error(fn):
    try:
        fn()
    except fd.FairdrawError as e:
        return type(e).__name__, e.code, e.message_zh
    return None


GOOD = b"U1\tA\t1000000\t\t\t\nU2\tA\t1000000\t\t\t\nU3\tB\t5\tR\tx\tCLOSED\n"
BAD_BODIES = [
    GOOD.replace(b"U2\t", b"U0\t"),  # order
    GOOD.replace(b"U2\t", b"U1\t"),  # duplicate
    GOOD.replace(b"U2\tA\t", b"U2\t\t"),  # empty stratum
    GOOD.replace(b"U2\tA\t", b"U2\tZ\t"),  # stratum not committed
    GOOD.replace(b"U2\tA\t1000000", b"U2\tZ\t01"),  # both: the line check comes first
    GOOD.replace(b"U2\tA\t1000000", b"U2\tA\t0"),  # zero weight, not excluded
    GOOD.replace(b"\t5\t", b"\t0\t"),  # zero weight, excluded: fine
    GOOD.replace(b"\t5\t", b"\t1000000000001\t"),
    GOOD.replace(b"\t5\t", b"\t-5\t"),
    GOOD.replace(b"U2\tA\t1000000\t\t", b"U2\tA\t1000000\t"),  # 5 fields
    GOOD.replace(b"U2\tA\t1000000\t\t", b"U2\tA\t1000000\t\t\t"),  # 7 fields
    GOOD.replace(b"\tx\t", b"\t" + b"x" * 257 + b"\t"),  # field too long
    GOOD.replace(b"\tx\t", b"\t" + b"x" * 256 + b"\t"),  # long line, fields fine
    GOOD.replace(b"U3", b"U3\x01"),  # control character
    GOOD.replace(b"\tx\t", "\t\u212b\t".encode()),  # not NFC
    GOOD.replace(b"\tx\t", b"\t\xff\t"),  # not UTF-8
    GOOD.replace(b"U3", "U\u212b".encode()),  # unit id not NFC
    GOOD.replace(b"U3", b"U\xe5\x85"),  # unit id not UTF-8
    GOOD.replace(b"U2\tA\t", b"U0\tA\t").replace(b"\tx\t", b"\t\xff\t"),  # not UTF-8 after a bad order
    GOOD.replace(b"U2\tA\t", b"U2\tZ\t").replace(b"\tx\t", "\t\u212b\t".encode()),  # not NFC after a bad stratum
    GOOD.replace(b"\tx\t", "\t公共场所\t".encode()),  # valid non-ASCII
    GOOD[:-1],  # no final LF
    GOOD.replace(b"U3\tB", b"U3\tA"),  # counts differ from the commitment
    b"",
]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_selection_errors_equal_reference(body, monkeypatch):
    units = fd.read_units(POOL_HEADER + GOOD)
    plan = fd.DrawPlan(default=fd.StratumRule(rate="1/2"), strata={"B": fd.StratumRule(method="pivotal")})
    alloc = fd.allocate(fd.stratum_counts(units), plan, seed_n(1))
    pool = POOL_HEADER + body
    expected = _error(lambda: ref_select.select(pool, alloc, seed_n(1), plan))
    assert _error(lambda: fd.select(pool, alloc, seed_n(1), plan)) == expected
    assert _error(lambda: list(fd.snapshot.iter_rows(pool))) == _error(lambda: list(ref_select.iter_rows(pool)))
    # the same lines after good ones, in other chunks (other line numbers)
    monkeypatch.setattr(fd.snapshot, "CHUNK_BYTES", 50)
    monkeypatch.setattr(importlib.import_module("shuangsuiji.fairdraw.select"), "_TAIL_CACHE", 1)
    filler = b"".join(b"0%07d\tA\t1000000\t\t\t\n" % i for i in range(200))
    big_units = fd.read_units(POOL_HEADER + filler + GOOD)
    big_alloc = fd.allocate(fd.stratum_counts(big_units), plan, seed_n(1))
    big = POOL_HEADER + filler + body
    expected = _error(lambda: ref_select.select(big, big_alloc, seed_n(1), plan))
    assert _error(lambda: fd.select(big, big_alloc, seed_n(1), plan)) == expected
