"""Shared helpers for the fairdraw tests (independent re-implementations where it matters)."""

from __future__ import annotations

import hashlib
import itertools
import struct
from fractions import Fraction

from shuangsuiji import fairdraw as fd

PUBLISHED_AT = "2025-03-31T10:00:00+08:00"
SOURCES = [{"kind": "lottery", "name": "测试", "issue": "1"}]


def seed_n(i: int) -> bytes:
    return hashlib.sha256(b"fairdraw-test-seed" + i.to_bytes(4, "big")).digest()


def ref_key(seed: bytes, uid: str) -> int:
    """Independent: K = SHA-256(seed || 0x00 'unit' 0x00 || uid)."""
    return int.from_bytes(hashlib.sha256(seed + b"\x00unit\x00" + uid.encode("utf-8")).digest(), "big")


def ref_seed(chash: str, values: list[str]) -> bytes:
    fields = [b"SRV1/seed", bytes.fromhex(chash)] + [v.encode("utf-8") for v in values]
    return hashlib.sha256(b"".join(struct.pack(">I", len(f)) + f for f in fields)).digest()


def ref_order(seed: bytes, units: list[fd.PoolUnit], stratum: str) -> list[str]:
    elig = [u.unit_id for u in units if u.stratum == stratum and not u.excluded_reason]
    return sorted(elig, key=lambda u: (ref_key(seed, u), u.encode()))


def commit(units, plan, roster_bytes=None, values=("1",), draw_id="T"):
    pool = fd.canonical_pool_bytes(units)
    sources = [{"kind": "other", "name": f"s{i}"} for i in range(len(values))]
    rec = fd.build_commitment(
        draw_id=draw_id,
        plan=plan,
        pool_digest=fd.pool_digest(pool),
        strata=fd.stratum_counts(units),
        public_sources=sources,
        published_at=PUBLISHED_AT,
        roster_digest=None if roster_bytes is None else fd.roster_digest(roster_bytes),
    )
    return pool, rec


class _More(Exception):
    pass


def enumerate_exact(run):
    """Enumerate every outcome of a procedure whose randomness is a sequence of
    Bernoulli decisions.  ``run(decide)`` calls ``decide(p) -> bool``; yields
    (probability, result) for every leaf of the decision tree."""
    stack: list[list[int]] = [[]]
    while stack:
        pre = stack.pop()
        prob = [Fraction(1)]
        step = [0]

        def decide(p: Fraction, pre=pre, step=step, prob=prob) -> bool:
            if step[0] >= len(pre):
                raise _More
            b = pre[step[0]]
            step[0] += 1
            prob[0] *= p if b else 1 - p
            return bool(b)

        try:
            res = run(decide)
        except _More:
            stack += [pre + [0], pre + [1]]
            continue
        if prob[0]:
            yield prob[0], res


# ---- assignment checks (independent of assign.py) ---------------------------------


def eligible(u: fd.PoolUnit, i: fd.Inspector, rules: fd.AssignmentRules) -> bool:
    end = rules.inspection_end or rules.inspection_date
    if not (i.cert_valid_from and i.cert_valid_from <= rules.inspection_date and end <= i.cert_valid_to):
        return False
    if u.unit_id in i.conflict_units:
        return False
    if u.region and rules.region_rule == "same" and i.region != u.region:
        return False
    if u.region and rules.region_rule == "different" and i.region == u.region:
        return False
    return True


def cap_of(i: fd.Inspector, rules: fd.AssignmentRules) -> int:
    caps = [c for c in (i.max_load, rules.max_load) if c is not None]
    return min(caps) if caps else 10**9


def check_assignment(targets, roster, rules, res) -> None:
    by_id = {i.inspector_id: i for i in roster}
    loads = {i: 0 for i in by_id}
    for u in targets:
        if u.unit_id not in res.groups:
            continue
        g = res.groups[u.unit_id]
        assert len(g) == rules.group_size and len(set(g)) == len(g), g
        for iid in g:
            assert eligible(u, by_id[iid], rules), (u, iid)
            loads[iid] += 1
        if rules.require_specialist and u.specialty:
            assert any(u.specialty in by_id[iid].specialties for iid in g), (u, g)
    assert loads == res.loads
    for iid, n in loads.items():
        assert n <= cap_of(by_id[iid], rules)
    if res.feasible:
        assert set(res.groups) == {u.unit_id for u in targets}
        assert not res.problems
    else:
        assert res.problems and all(p.message_zh and p.code for p in res.problems)


def brute_min_max_load(targets, roster, rules) -> int | None:
    """Smallest possible maximum load over all valid assignments (None = infeasible)."""
    k = rules.group_size
    options = []
    for u in targets:
        el = [i for i in roster if eligible(u, i, rules) and cap_of(i, rules) > 0]
        opts = [
            c
            for c in itertools.combinations(range(len(roster)), k)
            if all(roster[j] in el for j in c)
            and (not (rules.require_specialist and u.specialty) or any(u.specialty in roster[j].specialties for j in c))
        ]
        if not opts:
            return None
        options.append(opts)
    best = None
    caps = [cap_of(i, rules) for i in roster]
    for combo in itertools.product(*options):
        load = [0] * len(roster)
        for c in combo:
            for j in c:
                load[j] += 1
        if all(x <= c for x, c in zip(load, caps, strict=True)):
            m = max(load) if load else 0
            best = m if best is None else min(best, m)
    return best
