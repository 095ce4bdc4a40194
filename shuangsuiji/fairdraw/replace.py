"""After the draw (spec §8.7, §8.8): replacing a member of an inspector group by the next eligible inspector in
the draw's committed random order, and drawing experts from the same seed under their own tag.

Both are deterministic functions of public data (seed, committed pool row, committed roster, plan), so anyone can
recompute them; the only input that is not committed at T0 is the list of inspectors *skipped* as unavailable
since the draw (leave, a 回避 declared later), which is published with each change together with the reasons.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .assign import Inspector, _region_fails
from .canon import lp
from .errors import FairdrawError
from .keys import sub_seed
from .plan import AssignmentRules
from .snapshot import PoolUnit

# Why an inspector in the order is passed over (first rule that applies, in this order).
PASS_REASONS = {
    "member": "已在本检查组",
    "certificate": "执法证在检查期间无效",
    "conflict": "名录中申报回避",
    "region": "不符合地区规则",
    "load": "已达工作量上限",
    "specialty": "检查组需要本专业人员",
    "skipped": "抽取后无法参加（理由见变更记录）",
}


def pair_key(seed: bytes, unit_id: str, inspector_id: str) -> bytes:
    """c(u, i) of spec §8.2 as 32 bytes (bytes order = integer order)."""
    seed_a = sub_seed(seed, "assign")
    return hashlib.sha256(
        seed_a + b"\x00pair\x00" + unit_id.encode("utf-8") + b"\x00" + inspector_id.encode("utf-8")
    ).digest()


def replacement_order(seed: bytes, unit_id: str, roster: Iterable[Inspector]) -> list[Inspector]:
    """Every roster inspector in ascending (c(u, i), inspector id): the committed random order of unit u."""
    return sorted(roster, key=lambda i: (pair_key(seed, unit_id, i.inspector_id), i.inspector_id.encode()))


def _cap(inspector: Inspector, rules: AssignmentRules) -> int | None:
    caps = [c for c in (inspector.max_load, rules.max_load) if c is not None]
    return min(caps) if caps else None


def _is_specialist(inspector: Inspector, unit: PoolUnit, rules: AssignmentRules) -> bool:
    return not rules.require_specialist or not unit.specialty or unit.specialty in inspector.specialties


@dataclass(frozen=True)
class Replacement:
    inspector_id: str  # the new member
    position: int  # 1-based position in the unit's random order
    passed: tuple[tuple[str, str], ...] = field(default=())  # (inspector id, PASS_REASONS key) before it

    def to_dict(self) -> dict:
        return {"in": self.inspector_id, "position": self.position, "passed": [list(p) for p in self.passed]}


def choose_replacement(
    *,
    seed: bytes,
    unit: PoolUnit,
    group: Sequence[str],
    out: str,
    roster: Iterable[Inspector],
    rules: AssignmentRules,
    loads: Mapping[str, int] | None = None,
    skipped: Iterable[str] = (),
) -> Replacement:
    """The member who replaces `out` in `group` (spec §8.7): the first inspector of the unit's random order who is
    not in the group, passes rules 1–3 of §8.1 (certificate, conflict, region) on the committed roster, is below
    their cap (min of personal and plan max_load) given `loads`, is a specialist when the group would otherwise
    have none, and is not in `skipped`. Raises FairdrawError NO_REPLACEMENT when nobody qualifies."""
    roster = list(roster)
    by_id = {i.inspector_id: i for i in roster}
    if out not in group:
        raise FairdrawError("NOT_A_MEMBER", f"{out} 不是该检查组的成员")
    remaining = [m for m in group if m != out]
    need_specialist = not any(m in by_id and _is_specialist(by_id[m], unit, rules) for m in remaining)
    loads = loads or {}
    skipped = set(skipped)
    start, end = rules.inspection_date, rules.window_end
    passed = []
    for position, i in enumerate(replacement_order(seed, unit.unit_id, roster), start=1):
        cap = _cap(i, rules)
        if i.inspector_id in group:
            why = "member"
        elif not (i.cert_valid_from and i.cert_valid_from <= start and end <= i.cert_valid_to):
            why = "certificate"
        elif unit.unit_id in i.conflict_units:
            why = "conflict"
        elif _region_fails(rules.region_rule, i.region, unit.region):
            why = "region"
        elif cap is not None and loads.get(i.inspector_id, 0) >= cap:
            why = "load"
        elif need_specialist and not _is_specialist(i, unit, rules):
            why = "specialty"
        elif i.inspector_id in skipped:
            why = "skipped"
        else:
            return Replacement(i.inspector_id, position, tuple(passed))
        passed.append((i.inspector_id, why))
    raise FairdrawError("NO_REPLACEMENT", f"检查对象 {unit.unit_id}：名录中没有可以替换的执法人员")


def _move_group(
    n: int,
    c: Mapping,
    units: Mapping[str, PoolUnit],
    groups: dict[str, list[str]],
    substitutes: Mapping[str, Sequence[str]] | None,
    used: dict[str, set[str]],
    gone: set[str],
) -> str | None:
    """Apply a published 递补 {"kind": "substitute", "unit_id", "to"}: the group of `unit_id` moves to its substitute
    `to` (spec §7.4, §8.7). With `substitutes` (stratum → the manifest's substitutes in order) `to` must be the first
    substitute of the unit's stratum not used by an earlier 递补. Returns a problem in Chinese or None; the move is
    applied even when its order is wrong, so that later replacements are checked on the groups as they were."""
    uid, to = c["unit_id"], c["to"]
    if uid not in units or to not in units:
        return f"第 {n} 项递补：号池快照中没有检查对象 {uid if uid not in units else to}"
    problem = None
    if uid in gone:
        problem = f"第 {n} 项递补：检查对象 {uid} 已被递补，不能再次递补"
    elif to in groups or to in gone or to == uid:
        problem = f"第 {n} 项递补：检查对象 {to} 已在检查之列，不能作为候补递补"
    elif units[to].stratum != units[uid].stratum:
        problem = f"第 {n} 项递补：{to} 与 {uid} 不在同一分层"
    elif substitutes is not None:
        h = units[uid].stratum
        spare = [s for s in substitutes.get(h, ()) if s not in used.setdefault(h, set())]
        if not spare:
            problem = f"第 {n} 项递补：分层 {h} 公布的候补对象已用完"
        elif spare[0] != to:
            problem = f"第 {n} 项递补：按候补顺序应由 {spare[0]} 递补 {uid}，公布的是 {to}"
    used.setdefault(units[uid].stratum, set()).add(to)
    gone.add(uid)
    if uid in groups:
        groups[to] = groups.pop(uid)
    return problem


def replay_replacements(
    *,
    seed: bytes,
    units: Mapping[str, PoolUnit],
    groups: Mapping[str, Sequence[str]],
    loads: Mapping[str, int],
    roster: Iterable[Inspector],
    rules: AssignmentRules,
    changes: Iterable[Mapping],
    substitutes: Mapping[str, Sequence[str]] | None = None,
) -> list[str]:
    """Check published changes in order (spec §8.7). A replacement {"unit_id", "out", "in", "skipped"} (no "kind",
    or "kind": "replace") must be what `choose_replacement` gives on the groups and loads of the manifest as changed
    by the earlier entries; a 递补 {"kind": "substitute", "unit_id", "to"} moves the unit's group to its substitute
    (loads unchanged) and, with `substitutes` (stratum → the manifest's substitutes in order), must take the next
    unused one. Returns the problems in Chinese (empty = every change follows the rule)."""
    roster = list(roster)
    groups = {u: list(g) for u, g in groups.items()}
    loads = dict(loads)
    used: dict[str, set[str]] = {}
    gone: set[str] = set()
    problems = []
    for n, c in enumerate(changes, start=1):
        kind = c.get("kind", "replace")
        if kind == "substitute":
            problem = _move_group(n, c, units, groups, substitutes, used, gone)
            if problem:
                problems.append(problem)
            continue
        if kind != "replace":
            problems.append(f"第 {n} 项：不认识的变更类型 {kind}")
            continue
        uid = c["unit_id"]
        if uid not in groups or uid not in units:
            problems.append(f"第 {n} 项替换：检查对象 {uid} 没有检查组")
            continue
        try:
            r = choose_replacement(
                seed=seed, unit=units[uid], group=groups[uid], out=c["out"], roster=roster, rules=rules,
                loads=loads, skipped=c.get("skipped", ()),
            )  # fmt: skip
        except FairdrawError as exc:
            problems.append(f"第 {n} 项替换：{exc.message_zh}")
            continue
        if r.inspector_id != c["in"]:
            problems.append(f"第 {n} 项替换：按规则应由 {r.inspector_id} 替换 {c['out']}，公布的是 {c['in']}")
            continue
        groups[uid] = sorted([m for m in groups[uid] if m != c["out"]] + [r.inspector_id], key=str.encode)
        loads[c["out"]] = loads.get(c["out"], 0) - 1
        loads[r.inspector_id] = loads.get(r.inspector_id, 0) + 1
    return problems


def expert_key(seed: bytes, unit_id: str, expert_id: str) -> bytes:
    """The random key of an expert (or testing agency) for a unit: SHA-256(LP("SRV1/expert", seed, u, e))."""
    return hashlib.sha256(lp(b"SRV1/expert", seed, unit_id.encode("utf-8"), expert_id.encode("utf-8"))).digest()


def expert_order(seed: bytes, unit_id: str, expert_ids: Iterable[str]) -> list[str]:
    """Candidate experts in ascending (expert key, id): the first is drawn, the next ones replace in order."""
    return sorted(set(expert_ids), key=lambda e: (expert_key(seed, unit_id, e), e.encode()))


REPLACEMENTS_FORMAT = "fairdraw-replacements/1"


def check_file(manifest_bytes: bytes, pool_bytes: bytes, roster_bytes: bytes, replacements_bytes: bytes) -> list[str]:
    """Re-check a published `fairdraw-replacements/1` file against the draw's manifest, pool and roster:
    {"format", "draw_id", "changes": [{"unit_id", "out", "in", "skipped": [ids], …} | {"kind": "substitute",
    "unit_id", "to", …}, …]} in the order applied; a 递补 must take the manifest's next unused substitute."""
    import json

    from .assign import parse_roster
    from .plan import DrawPlan
    from .snapshot import read_units

    manifest = json.loads(manifest_bytes)
    data = json.loads(replacements_bytes)
    if data.get("format") != REPLACEMENTS_FORMAT:
        raise FairdrawError("REPLACEMENTS_FORMAT", f"更换记录文件的格式应为 {REPLACEMENTS_FORMAT}")
    if data.get("draw_id") != manifest["commitment"]["draw_id"]:
        raise FairdrawError("REPLACEMENTS_DRAW", "更换记录文件与结果清单不是同一次抽取")
    assignment = manifest.get("assignment") or {}
    return replay_replacements(
        seed=bytes.fromhex(manifest["seed"]), units={u.unit_id: u for u in read_units(pool_bytes)},
        groups=assignment.get("groups", {}), loads=assignment.get("loads", {}), roster=parse_roster(roster_bytes),
        rules=DrawPlan.from_dict(manifest["commitment"]["plan"]).assignment, changes=data.get("changes", []),
        substitutes={h: sel.get("substitutes", []) for h, sel in (manifest.get("selection") or {}).items()},
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """python -m shuangsuiji.fairdraw.replace MANIFEST POOL ROSTER REPLACEMENTS: 0 when every published replacement
    follows spec §8.7, 1 with the problems otherwise, 2 for unreadable input."""
    import argparse
    import sys
    from pathlib import Path

    ap = argparse.ArgumentParser(
        prog="python -m shuangsuiji.fairdraw.replace", description="复核抽取后更换执法人员是否按随机顺序进行"
    )
    ap.add_argument("manifest", help="结果清单 manifest.json")
    ap.add_argument("pool", help="号池快照 pool.tsv")
    ap.add_argument("roster", help="执法人员名录 roster.json")
    ap.add_argument("replacements", help="更换记录 replacements.json")
    args = ap.parse_args(argv)
    try:
        files = [Path(p).read_bytes() for p in (args.manifest, args.pool, args.roster, args.replacements)]
        problems = check_file(*files)
    except (OSError, ValueError, KeyError, FairdrawError) as exc:
        print(f"MALFORMED 输入格式错误：{getattr(exc, 'message_zh', exc)}")
        return 2
    if problems:
        print("DIFFERENT 不一致：")
        for p in problems:
            print(p)
        return 1
    print(
        "VERIFIED 验证通过：每一项更换都是该检查对象执法人员随机顺序中第一名符合条件的人员，每一项递补都按候补顺序进行"
    )
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
