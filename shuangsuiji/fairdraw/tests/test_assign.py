"""Inspector assignment: constraints, optimal max load, exact infeasibility, Chinese messages."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangsuiji import fairdraw as fd

from ._helpers import brute_min_max_load, check_assignment, seed_n

OK_FROM, OK_TO = "2024-01-01", "2026-12-31"


def _ins(iid, region="R1", spec=("a",), to=OK_TO, max_load=None, conflicts=()):
    return fd.Inspector(iid, region, tuple(spec), OK_FROM, to, max_load, tuple(conflicts))


def _rules(**kw):
    kw.setdefault("inspection_date", "2025-05-06")
    return fd.AssignmentRules(**kw)


def test_basic_assignment_is_balanced_and_valid():
    targets = [fd.PoolUnit(f"T{i}", "s", region="R1", specialty="a") for i in range(6)]
    roster = [_ins(f"I{j}", spec=("a",) if j < 2 else ("b",)) for j in range(4)]
    rules = _rules()
    res = fd.assign_inspectors(targets, roster, rules, seed_n(0))
    check_assignment(targets, roster, rules, res)
    assert res.feasible and res.cap == 3 and max(res.loads.values()) == 3
    assert res == fd.assign_inspectors(list(reversed(targets)), list(reversed(roster)), rules, seed_n(0))


def test_needs_swaps_to_be_feasible():
    """Greedy alone would give the only specialist to the first task; the
    augmenting step must move them so every task gets a specialist."""
    targets = [fd.PoolUnit("T1", "s", specialty=""), fd.PoolUnit("T2", "s", specialty="x")]
    roster = [_ins("I1", spec=("x",), max_load=1), _ins("I2", spec=()), _ins("I3", spec=())]
    for i in range(20):
        res = fd.assign_inspectors(targets, roster, _rules(), seed_n(i))
        check_assignment(targets, roster, _rules(), res)
        assert res.feasible and "I1" in res.groups["T2"]


def test_infeasible_explanations():
    targets = [
        fd.PoolUnit("T1", "s", region="R1", specialty="放射卫生"),
        fd.PoolUnit("T2", "s", region="R1", specialty="a"),
    ]
    roster = [_ins("I1", conflicts=("T2",)), _ins("I2", to="2025-01-01"), _ins("I3", region="R2")]
    res = fd.assign_inspectors(targets, roster, _rules(region_rule="same"), seed_n(0))
    codes = {p.unit_id: p.code for p in res.problems}
    assert not res.feasible and codes == {"T1": "TOO_FEW_ELIGIBLE", "T2": "TOO_FEW_ELIGIBLE"}
    msg = {p.unit_id: p.message_zh for p in res.problems}
    assert "执法证在检查期间无效 1 名" in msg["T2"] and "申报回避 1 名" in msg["T2"]
    assert "不符合地区规则 1 名" in msg["T2"]

    roster = [_ins("I1", spec=("a",)), _ins("I2", spec=("a",))]
    res = fd.assign_inspectors(targets, roster, _rules(), seed_n(0))
    p = res.problems[0]
    assert (p.code, p.unit_id) == ("NO_SPECIALIST", "T1") and "放射卫生" in p.message_zh
    assert res.groups == {"T2": ("I1", "I2")}

    targets = [fd.PoolUnit(f"T{i}", "s") for i in range(3)]
    res = fd.assign_inspectors(targets, roster + [_ins("I3")], _rules(max_load=1), seed_n(0))
    assert [p.code for p in res.problems] == ["CAPACITY", "CAPACITY"] and len(res.groups) == 1
    assert "工作量上限" in res.problems[0].message_zh and res.problems[0].detail["capacity_involved"] == 3


def test_region_rule_different_and_window():
    targets = [fd.PoolUnit("T1", "s", region="R1"), fd.PoolUnit("T2", "s", region="R2")]
    roster = [_ins("A", "R1"), _ins("B", "R1"), _ins("C", "R2"), _ins("D", "R2", to="2025-05-07")]
    rules = _rules(region_rule="different", inspection_end="2025-05-08")
    res = fd.assign_inspectors(targets, roster, rules, seed_n(3))
    assert res.feasible is False  # D's certificate ends inside the window
    rules = _rules(region_rule="different", inspection_end="2025-05-07")
    res = fd.assign_inspectors(targets, roster, rules, seed_n(3))
    check_assignment(targets, roster, rules, res)
    assert res.groups == {"T1": ("C", "D"), "T2": ("A", "B")}


# ---- property test against brute force ------------------------------------------


@st.composite
def instances(draw):
    n_t = draw(st.integers(1, 4))
    n_i = draw(st.integers(2, 5))
    k = draw(st.sampled_from([2, 2, 3]))
    targets = [
        fd.PoolUnit(
            f"T{t}",
            "s",
            region=draw(st.sampled_from(["", "R1", "R2"])),
            specialty=draw(st.sampled_from(["", "a", "b"])),
        )
        for t in range(n_t)
    ]
    roster = [
        fd.Inspector(
            f"I{j}",
            draw(st.sampled_from(["R1", "R2"])),
            tuple(draw(st.sets(st.sampled_from(["a", "b"])))),
            OK_FROM,
            draw(st.sampled_from([OK_TO, OK_TO, OK_TO, "2025-01-01"])),
            draw(st.sampled_from([None, None, 1, 2])),
            tuple(draw(st.sets(st.sampled_from([u.unit_id for u in targets]), max_size=1))),
        )
        for j in range(n_i)
    ]
    rules = _rules(
        group_size=k,
        region_rule=draw(st.sampled_from(["any", "any", "same", "different"])),
        max_load=draw(st.sampled_from([None, None, 2, 3])),
        require_specialist=draw(st.booleans()),
    )
    return targets, roster, rules, draw(st.integers(0, 10**6))


@settings(
    max_examples=150, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(instances())
def test_assignment_matches_brute_force(inst):
    targets, roster, rules, s = inst
    res = fd.assign_inspectors(targets, roster, rules, seed_n(s))
    check_assignment(targets, roster, rules, res)
    best = brute_min_max_load(targets, roster, rules)
    assert res.feasible == (best is not None)
    if res.feasible:
        assert max(res.loads.values()) == best == res.cap  # max load is the minimum possible
    assert res == fd.assign_inspectors(targets, roster, rules, seed_n(s))  # deterministic


def test_roster_canonical_and_digest():
    roster = [_ins("b", spec=("y", "x", "x")), _ins("a")]
    b = fd.canonical_roster_bytes(roster)
    assert fd.parse_roster(b)[0].inspector_id == "a"
    assert fd.canonical_roster_bytes(fd.parse_roster(b)) == b
    assert b.startswith(b'{"format":"fairdraw-roster/1","inspectors":[{"cert_valid_from"')
    with pytest.raises(fd.MalformedInput):
        fd.parse_roster(b.replace(b'"a"', b'"c"'))  # no longer sorted
    with pytest.raises(fd.FairdrawError):
        fd.canonical_roster_bytes([_ins("a"), _ins("a")])
