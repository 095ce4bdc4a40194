"""Committed 回避 declarations (spec §4.2.2): the public roster shows only salted hashes of the (inspector,
unit) pairs; the manifest reveals the pairs touching selected units and substitutes; oversight's key opens all."""

import hashlib
import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji import fairdraw as fd
from shuangsuiji.fairdraw import conflicts

from ._helpers import PUBLISHED_AT


def _salts(tag: str):
    n = itertools.count()
    return lambda k: hashlib.sha256(f"{tag}/{next(n)}".encode()).digest()[:k]


def _world(n_units: int, n_ins: int, links: list[tuple[int, int]], group: int = 2):
    units = [fd.PoolUnit(f"U{k:02d}", "s" if k % 2 else "t", region="R") for k in range(n_units)]
    ins = [
        fd.Inspector(f"I{j}", region="R", cert_valid_from="2024-01-01", cert_valid_to="2030-01-01",
                     conflict_units=tuple(sorted({units[k % n_units].unit_id for jj, k in links if jj % n_ins == j})))
        for j in range(n_ins)
    ]  # fmt: skip
    rules = fd.AssignmentRules(inspection_date="2025-06-01", group_size=group, require_specialist=False)
    plan = fd.DrawPlan(default=fd.StratumRule(rate="1/3"), substitutes=1, assignment=rules)
    return units, ins, plan


def _commit(units, plan, roster_b, suite=fd.SHA256):
    pool = fd.canonical_pool_bytes(units)
    rec = fd.build_commitment(
        draw_id="C", plan=plan, pool_digest=fd.pool_digest(pool, suite), strata=fd.stratum_counts(units),
        public_sources=[{"kind": "other"}], published_at=PUBLISHED_AT,
        roster_digest=fd.roster_digest(roster_b, suite), hash_suite=suite.name,
    )  # fmt: skip
    return pool, rec


def test_public_roster_names_no_unit():
    units, ins, _plan = _world(8, 3, [(0, 1), (1, 1), (2, 5)])
    roster, key = conflicts.commit_roster(ins, fd.SHA256, _salts("t"))
    d = json.loads(roster)
    assert d["format"] == "fairdraw-roster/2" and len(d["conflicts"]) == 3
    assert not any(u.unit_id.encode() in roster for u in units)
    assert all("conflict_units" not in i for i in d["inspectors"])
    # the key opens each commitment: H(LP("SRV1/conflict", salt, inspector_id, unit_id))
    for p in key["pairs"]:
        fields = [b"SRV1/conflict", bytes.fromhex(p["salt"]), p["inspector_id"].encode(), p["unit_id"].encode()]
        raw = b"".join(len(f).to_bytes(4, "big") + f for f in fields)
        assert hashlib.sha256(raw).hexdigest() in d["conflicts"]
    assert key["roster_digest"] == fd.roster_digest(roster)
    assert fd.parse_roster(roster)[0].conflict_units == ()  # the app reads ids and specialties as before


@settings(max_examples=30, deadline=None)
@given(
    n_units=st.integers(3, 14), n_ins=st.integers(2, 6),
    links=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 13)), max_size=20),
    value=st.text(alphabet="0123456789", min_size=1, max_size=6), sm3=st.booleans(),
)  # fmt: skip
def test_committing_conflicts_changes_nothing_but_what_is_public(n_units, n_ins, links, value, sm3):
    """Same groups as with the 回避 declarations in the clear; exactly the pairs touching drawn units revealed;
    the public check and oversight's check pass; withholding any revealed pair fails oversight's check only."""
    suite = fd.SM3 if sm3 else fd.SHA256
    units, ins, plan = _world(n_units, n_ins, links)
    clear_b = fd.canonical_roster_bytes(ins)
    pool, rec1 = _commit(units, plan, clear_b, suite)
    clear = fd.run_draw(pool, rec1, [value], roster=clear_b)
    roster_b, key = conflicts.commit_roster(ins, suite, _salts(value))
    pool, rec2 = _commit(units, plan, roster_b, suite)
    out = fd.run_draw(pool, rec2, [value], roster=roster_b, conflict_key=key)
    m = out.manifest
    assert m["format"] == "fairdraw-manifest/4"
    # the seed differs (another commitment), so compare with the clear roster under the same seed
    same = fd.assign_inspectors(out.result.targets(), ins, plan.assignment, out.seed, suite)
    assert out.assignment.groups == same.groups and out.assignment.problems == same.problems
    assert clear.manifest["format"] == fd.MANIFEST_FORMAT
    drawn = {u for s in m["selection"].values() for u in (*s["selected"], *s["substitutes"])}
    want = sorted(((p["unit_id"], p["inspector_id"]) for p in key["pairs"] if p["unit_id"] in drawn),
                  key=lambda t: (t[0].encode(), t[1].encode()))  # fmt: skip
    assert [(p["unit_id"], p["inspector_id"]) for p in m["conflicts"]] == want
    mb = fd.manifest_bytes(m)
    assert fd.verify_manifest(mb, pool, roster_b).ok
    assert fd.verify_manifest(mb, pool, roster_b, conflict_key=fd.canonical_json(key)).ok
    targets = {u for s in m["selection"].values() for u in s["selected"]}
    for hidden in [p for p in m["conflicts"] if p["unit_id"] in targets][:2]:
        kept = [p for p in key["pairs"] if p != hidden]
        forged = fd.run_draw(pool, rec2, [value], roster=roster_b, conflict_key=kept).manifest
        assert fd.verify_manifest(forged, pool, roster_b).ok  # the public cannot see it …
        rep = fd.verify_manifest(forged, pool, roster_b, conflict_key=fd.canonical_json(key))
        assert rep.status == "DIFFERENT" and rep.path.startswith("conflicts"), rep.text()  # … oversight can


def test_keys_must_open_everything_and_match_the_roster():
    units, ins, plan = _world(9, 3, [(0, 1), (1, 2), (2, 3)])
    roster_b, key = conflicts.commit_roster(ins, fd.SHA256, _salts("k"))
    pool, rec = _commit(units, plan, roster_b)
    with pytest.raises(fd.FairdrawError) as e:
        fd.run_draw(pool, rec, ["1"], roster=roster_b, conflict_key=dict(key, pairs=key["pairs"][1:]))
    assert e.value.code == "CONFLICT_KEY_INCOMPLETE"
    with pytest.raises(fd.FairdrawError) as e:
        fd.run_draw(pool, rec, ["1"], roster=roster_b)
    assert e.value.code == "CONFLICT_KEY_MISSING"
    with pytest.raises(fd.MalformedInput):
        fd.run_draw(pool, rec, ["1"], roster=roster_b, conflict_key=dict(key, roster_digest="0" * 64))
    forged = [dict(key["pairs"][0], salt="11" * 16)]  # a salt that opens nothing
    with pytest.raises(fd.FairdrawError) as e:
        fd.run_draw(pool, rec, ["1"], roster=roster_b, conflict_key=forged)
    assert e.value.code == "CONFLICT_NOT_COMMITTED"
    unsorted = list(reversed(key["pairs"]))
    with pytest.raises(fd.MalformedInput):
        fd.run_draw(pool, rec, ["1"], roster=roster_b, conflict_key=unsorted)


def test_a_format_4_manifest_needs_a_roster_2():
    units, ins, plan = _world(9, 3, [(0, 1)])
    roster_b, key = conflicts.commit_roster(ins, fd.SHA256, _salts("f"))
    pool, rec = _commit(units, plan, roster_b)
    m = fd.run_draw(pool, rec, ["7"], roster=roster_b, conflict_key=key).manifest
    m3 = dict(m, format=fd.MANIFEST_FORMAT)
    del m3["conflicts"]
    rep = fd.verify_manifest(m3, pool, roster_b)
    assert rep.status == "MALFORMED" and rep.code == "ROSTER_FORMAT"
