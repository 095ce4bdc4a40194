"""After the draw (spec §8.7, §8.8): replacing a group member by the next eligible inspector of the committed
random order, replaying published replacements, and the expert order."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji import fairdraw as fd
from shuangsuiji.fairdraw.replace import (
    choose_replacement,
    expert_key,
    expert_order,
    pair_key,
    replacement_order,
    replay_replacements,
)

from ._helpers import seed_n

OK_FROM, OK_TO = "2024-01-01", "2026-12-31"


def _ins(iid, region="R1", spec=("a",), to=OK_TO, max_load=None, conflicts=()):
    return fd.Inspector(iid, region, tuple(spec), OK_FROM, to, max_load, tuple(conflicts))


RULES = fd.AssignmentRules(inspection_date="2025-05-06")


def test_order_is_the_assignment_pair_key():
    roster = [_ins(f"I{j}") for j in range(8)]
    order = replacement_order(seed_n(1), "U1", roster)
    keys = [pair_key(seed_n(1), "U1", i.inspector_id) for i in order]
    assert keys == sorted(keys) and {i.inspector_id for i in order} == {i.inspector_id for i in roster}
    assert order == replacement_order(seed_n(1), "U1", list(reversed(roster)))


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 10_000), st.integers(3, 9), st.data())
def test_replacement_is_the_first_eligible_in_order(seed, n, data):
    roster = [
        _ins(f"I{j}", spec=data.draw(st.sampled_from([("a",), ()])),
             to=data.draw(st.sampled_from([OK_TO, "2025-01-01"])),
             conflicts=data.draw(st.sampled_from([(), ("U",)])))
        for j in range(n)
    ]  # fmt: skip
    unit = fd.PoolUnit("U", "s", region="R1", specialty="a")
    group = [roster[0].inspector_id, roster[1].inspector_id]
    skipped = data.draw(st.sets(st.sampled_from([i.inspector_id for i in roster])))
    order = replacement_order(seed_n(seed), "U", roster)
    try:
        r = choose_replacement(seed=seed_n(seed), unit=unit, group=group, out=group[0], roster=roster, rules=RULES,
                               skipped=skipped)  # fmt: skip
    except fd.FairdrawError as exc:
        assert exc.code == "NO_REPLACEMENT"
        return
    chosen = order[r.position - 1]
    assert chosen.inspector_id == r.inspector_id and r.inspector_id not in group and r.inspector_id not in skipped
    assert "U" not in chosen.conflict_units and chosen.cert_valid_to >= "2025-05-06"
    other = next(i for i in roster if i.inspector_id == group[1])
    if "a" not in other.specialties:
        assert "a" in chosen.specialties  # the group keeps a specialist
    assert [p[0] for p in r.passed] == [i.inspector_id for i in order[: r.position - 1]]
    # skipping the chosen one gives a later one (or none): the rule is monotone in the published order
    try:
        later = choose_replacement(seed=seed_n(seed), unit=unit, group=group, out=group[0], roster=roster,
                                   rules=RULES, skipped=skipped | {r.inspector_id})  # fmt: skip
    except fd.FairdrawError:
        return
    assert later.position > r.position


def test_load_cap_and_replay():
    roster = [_ins(f"I{j}", max_load=1) for j in range(5)]
    unit = fd.PoolUnit("U", "s", specialty="a")
    seed = seed_n(7)
    order = [i.inspector_id for i in replacement_order(seed, "U", roster)]
    group = sorted(order[:2])
    loads = {i: (1 if i in group else 0) for i in order}
    loads[order[2]] = 1  # at the cap: passed over
    r = choose_replacement(seed=seed, unit=unit, group=group, out=group[0], roster=roster, rules=RULES, loads=loads)
    assert r.inspector_id == order[3] and (order[2], "load") in r.passed
    change = {"unit_id": "U", "out": group[0], "in": r.inspector_id, "skipped": []}
    args = dict(seed=seed, units={"U": unit}, groups={"U": group}, loads=loads, roster=roster, rules=RULES)
    assert replay_replacements(changes=[change], **args) == []
    assert replay_replacements(changes=[{**change, "in": order[4]}], **args)[0].startswith("第 1 项替换：按规则应由")


def test_expert_order_uses_its_own_tag():
    ids = [f"E{j}" for j in range(6)]
    order = expert_order(seed_n(3), "U", ids)
    assert order == sorted(ids, key=lambda e: expert_key(seed_n(3), "U", e)) == expert_order(seed_n(3), "U", ids[::-1])
    assert expert_key(seed_n(3), "U", "E1") != pair_key(seed_n(3), "U", "E1")


def test_not_a_member():
    with pytest.raises(fd.FairdrawError):
        choose_replacement(seed=seed_n(0), unit=fd.PoolUnit("U", "s"), group=["A", "B"], out="C",
                           roster=[_ins("A"), _ins("B")], rules=RULES)  # fmt: skip


@settings(max_examples=120, deadline=None)
@given(st.integers(0, 10_000), st.data())
def test_replacements_and_substitutions_replay_in_the_published_order(seed, data):
    """Any sequence of replacements and 递补 (a group moves to the stratum's next unused substitute) made by the
    rule replays to no problem from the manifest's groups; dropping the moves breaks the replay exactly when a
    replacement was made on a substitute, and a 递补 out of the substitutes' order is reported."""
    roster = [_ins(f"I{j}", spec=data.draw(st.sampled_from([("a",), ()]))) for j in range(7)]
    units = {u: fd.PoolUnit(u, h, region="R1", specialty="a") for h in "ST" for u in (f"{h}{k}" for k in range(5))}
    selected = {"S": ["S0", "S1"], "T": ["T0"]}
    substitutes = {"S": ["S2", "S3", "S4"], "T": ["T1", "T2"]}
    groups = {"S0": ["I0", "I1"], "S1": ["I2", "I3"], "T0": ["I4", "I5"]}
    loads = {i.inspector_id: sum(i.inspector_id in g for g in groups.values()) for i in roster}
    state, cur_loads, used = {u: list(g) for u, g in groups.items()}, dict(loads), {"S": 0, "T": 0}
    changes, on_substitute = [], False
    for _ in range(data.draw(st.integers(1, 6))):
        uid = data.draw(st.sampled_from(sorted(state)))
        h = units[uid].stratum
        if data.draw(st.booleans()) and used[h] < len(substitutes[h]):
            to = substitutes[h][used[h]]
            used[h] += 1
            state[to] = state.pop(uid)
            changes.append({"kind": "substitute", "unit_id": uid, "to": to})
            continue
        out = data.draw(st.sampled_from(state[uid]))
        skipped = data.draw(st.sets(st.sampled_from([i.inspector_id for i in roster]), max_size=2))
        try:
            r = choose_replacement(seed=seed_n(seed), unit=units[uid], group=state[uid], out=out, roster=roster,
                                   rules=RULES, loads=cur_loads, skipped=skipped)  # fmt: skip
        except fd.FairdrawError:
            continue
        state[uid] = sorted([m for m in state[uid] if m != out] + [r.inspector_id])
        cur_loads[out] -= 1
        cur_loads[r.inspector_id] = cur_loads.get(r.inspector_id, 0) + 1
        changes.append({"unit_id": uid, "out": out, "in": r.inspector_id, "skipped": sorted(skipped)})
        on_substitute = on_substitute or uid not in selected[h]
    args = dict(seed=seed_n(seed), units=units, groups=groups, loads=loads, roster=roster, rules=RULES,
                substitutes=substitutes)  # fmt: skip
    assert replay_replacements(changes=changes, **args) == []
    bare = [c for c in changes if c.get("kind") != "substitute"]
    assert any("没有检查组" in p for p in replay_replacements(changes=bare, **args)) == on_substitute
    moves = [n for n, c in enumerate(changes) if c.get("kind") == "substitute"]
    if moves:
        n = data.draw(st.sampled_from(moves))
        h = units[changes[n]["unit_id"]].stratum
        wrong = next(u for u in substitutes[h] + [f"{h}0"] if u != changes[n]["to"])
        tampered = [dict(c) for c in changes]
        tampered[n]["to"] = wrong
        assert replay_replacements(changes=tampered, **args)
