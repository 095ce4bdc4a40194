"""The fast assignment and selection give the same results as the reference implementations they replaced
(``_reference_assign.py``, ``_reference_select.py``: the code of the published vectors, kept verbatim)."""

import hashlib
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangsuiji import fairdraw as fd

from . import _reference_assign as ref_assign
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
