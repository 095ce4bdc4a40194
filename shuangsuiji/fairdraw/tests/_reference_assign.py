"""Random inspector assignment (随机选派执法检查人员), spec §8.

A deterministic, solver-free algorithm that the verifier simply re-executes:

* seed_a = SHA-256(LP("SRV1/assign", seed)).
* Tasks (selected units) are processed in ascending
  SHA-256(seed_a || 0x00 "task" 0x00 || unit_id); each needs ``group_size``
  distinct inspectors who are eligible (certificate valid for the whole
  inspection window, no declared conflict with the unit, region rule, cap > 0),
  at least one of them holding the unit's specialty.
* Each seat is one unit of flow in the network
  s →(k) T_t →(k-1) N_t → non-specialist i ;  T_t → specialist i ;  i →(cap_i) sink.
  A seat is filled by the least-loaded free eligible inspector (ties by the
  pair key SHA-256(seed_a || 0x00 "pair" 0x00 || unit_id || 0x00 || inspector_id));
  if none is free, by a breadth-first augmenting path (swapping inspectors
  between already formed groups).  This is Ford–Fulkerson, so a request is
  reported infeasible only if no valid assignment exists.
* Balance: the smallest uniform cap C for which all tasks can be served is
  found by bisection (each probe is a full deterministic run); the result of
  the run with C is published, so the maximum load is the minimum possible.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from shuangsuiji.fairdraw.canon import canonical_json, check_text, load_json_bytes, sha256_hex
from shuangsuiji.fairdraw.errors import FairdrawError, MalformedInput
from shuangsuiji.fairdraw.keys import sub_seed
from shuangsuiji.fairdraw.plan import AssignmentRules, _date
from shuangsuiji.fairdraw.snapshot import PoolUnit

ROSTER_FORMAT = "fairdraw-roster/1"
_INF = 1 << 62


@dataclass(frozen=True)
class Inspector:
    """One enforcement officer (执法检查人员) of the roster."""

    inspector_id: str
    region: str = ""
    specialties: tuple[str, ...] = ()
    cert_valid_from: str = ""  # YYYY-MM-DD, 执法证有效期起
    cert_valid_to: str = ""  # YYYY-MM-DD, 执法证有效期止 (inclusive)
    max_load: int | None = None  # personal cap (None = none)
    conflict_units: tuple[str, ...] = ()  # declared 回避: unit ids this officer must not inspect

    def to_dict(self) -> dict:
        return {
            "inspector_id": self.inspector_id,
            "region": self.region,
            "specialties": sorted(set(self.specialties), key=str.encode),
            "cert_valid_from": self.cert_valid_from,
            "cert_valid_to": self.cert_valid_to,
            "max_load": self.max_load,
            "conflict_units": sorted(set(self.conflict_units), key=str.encode),
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> Inspector:
        keys = {
            "inspector_id",
            "region",
            "specialties",
            "cert_valid_from",
            "cert_valid_to",
            "max_load",
            "conflict_units",
        }
        if not isinstance(d, Mapping) or set(d) != keys:
            raise MalformedInput("ROSTER_FIELDS", f"执法人员记录的字段应为 {sorted(keys)}")
        return cls(
            d["inspector_id"],
            d["region"],
            tuple(d["specialties"]),
            d["cert_valid_from"],
            d["cert_valid_to"],
            d["max_load"],
            tuple(d["conflict_units"]),
        )

    def validate(self) -> None:
        iid = check_text(self.inspector_id, "执法人员编号 inspector_id")
        check_text(self.region, f"执法人员 {iid} 的 region", allow_empty=True)
        for s in self.specialties:
            check_text(s, f"执法人员 {iid} 的专业")
        for u in self.conflict_units:
            check_text(u, f"执法人员 {iid} 的回避对象")
        for v in (self.cert_valid_from, self.cert_valid_to):
            _date(v, f"执法人员 {iid} 的执法证有效期", allow_empty=True)
        m = self.max_load
        if m is not None and (isinstance(m, bool) or not isinstance(m, int) or m < 0):
            raise FairdrawError("ROSTER_MAX_LOAD", f"执法人员 {iid} 的 max_load 必须是非负整数")


def roster_dict(inspectors: Iterable[Inspector]) -> dict:
    items = sorted(inspectors, key=lambda i: i.inspector_id.encode())
    for i in items:
        i.validate()
    for a, b in zip(items, items[1:], strict=False):
        if a.inspector_id == b.inspector_id:
            raise FairdrawError("ROSTER_DUPLICATE", f"执法人员名录中编号重复：{a.inspector_id}")
    return {"format": ROSTER_FORMAT, "inspectors": [i.to_dict() for i in items]}


def canonical_roster_bytes(inspectors: Iterable[Inspector]) -> bytes:
    """Canonical JSON of the roster (inspectors sorted by id, lists sorted)."""
    return canonical_json(roster_dict(inspectors))


def roster_digest(roster_bytes: bytes) -> str:
    return sha256_hex(roster_bytes)


def parse_roster(data: bytes | Mapping) -> list[Inspector]:
    """Roster from canonical bytes or an already-parsed dict; must be canonical."""
    d = load_json_bytes(data, "执法人员名录") if isinstance(data, (bytes, bytearray)) else data
    if not isinstance(d, Mapping) or d.get("format") != ROSTER_FORMAT or set(d) != {"format", "inspectors"}:
        raise MalformedInput("ROSTER_FORMAT", f"执法人员名录格式应为 {ROSTER_FORMAT}")
    if not isinstance(d["inspectors"], list):
        raise MalformedInput("ROSTER_FORMAT", "inspectors 必须是列表")
    try:
        out = [Inspector.from_dict(x) for x in d["inspectors"]]
        if roster_dict(out) != d:
            raise MalformedInput("ROSTER_NOT_CANONICAL", "执法人员名录不是规范形式（须按编号排序、列表排序去重）")
    except MalformedInput:
        raise
    except (FairdrawError, TypeError) as e:
        raise MalformedInput("ROSTER_INVALID", f"执法人员名录无效：{e}") from e
    return out


@dataclass(frozen=True)
class Problem:
    code: str  # TOO_FEW_ELIGIBLE | NO_SPECIALIST | CAPACITY
    unit_id: str
    message_zh: str
    detail: dict

    def to_dict(self) -> dict:
        return {"code": self.code, "unit_id": self.unit_id, "message": self.message_zh, "detail": self.detail}


@dataclass(frozen=True)
class AssignmentResult:
    feasible: bool
    groups: dict[str, tuple[str, ...]]  # unit_id -> inspector ids (sorted bytewise)
    loads: dict[str, int]  # every inspector of the roster
    cap: int | None  # uniform cap C used by the balancing step
    problems: tuple[Problem, ...]

    def to_dict(self) -> dict:
        return {
            "feasible": self.feasible,
            "groups": {u: list(g) for u, g in sorted(self.groups.items())},
            "loads": dict(sorted(self.loads.items())),
            "cap": self.cap,
            "problems": [p.to_dict() for p in self.problems],
        }


def _h(seed_a: bytes, tag: bytes, *parts: bytes) -> int:
    return int.from_bytes(hashlib.sha256(seed_a + b"\x00" + tag + b"\x00" + b"\x00".join(parts)).digest(), "big")


class _Net:
    """Residual state of the assignment flow for one run."""

    def __init__(
        self, elig: list[list[tuple[int, int, bool]]], spec: list[dict[int, bool]], caps: list[int], k: int
    ) -> None:
        self.elig, self.spec, self.caps, self.k = elig, spec, caps, k
        self.members: list[dict[int, bool]] = [dict() for _ in elig]  # t -> {i: is_spec}
        self.nonspec = [0] * len(elig)
        self.tasks_of: list[set[int]] = [set() for _ in caps]
        self.load = [0] * len(caps)

    def add(self, t: int, i: int) -> None:
        s = self.spec[t][i]
        self.members[t][i] = s
        self.nonspec[t] += not s
        self.tasks_of[i].add(t)
        self.load[i] += 1

    def remove(self, t: int, i: int) -> None:
        s = self.members[t].pop(i)
        self.nonspec[t] -= not s
        self.tasks_of[i].discard(t)
        self.load[i] -= 1

    def greedy(self, t: int) -> bool:
        best = None
        m, load, caps = self.members[t], self.load, self.caps
        allow_non = self.nonspec[t] < self.k - 1
        for key, i, s in self.elig[t]:
            if i in m or load[i] >= caps[i] or not (s or allow_non):
                continue
            c = (load[i], key)
            if best is None or c < best[0]:
                best = (c, i)
        if best is None:
            return False
        self.add(t, best[1])
        return True

    def augment(self, t0: int) -> tuple[bool, set[int], set[int]]:
        """BFS for an augmenting path from task t0.  Returns (found, reached tasks, reached inspectors)."""
        nt = len(self.elig)
        # node ids: T(t) = t, N(t) = nt + t, I(i) = 2nt + i
        parent: dict[int, int] = {t0: -1}
        q = deque([t0])
        end = -1
        while q and end < 0:
            u = q.popleft()
            if u < 2 * nt:
                t, is_n = (u, False) if u < nt else (u - nt, True)
                m = self.members[t]
                nbrs = [2 * nt + i for _, i, s in self.elig[t] if s != is_n and i not in m]
                if not is_n and self.nonspec[t] < self.k - 1:
                    nbrs.append(nt + t)
                if is_n and self.nonspec[t] > 0:
                    nbrs.append(t)
            else:
                i = u - 2 * nt
                if self.load[i] < self.caps[i]:
                    end = u
                    break
                nbrs = [t if self.members[t][i] else nt + t for t in sorted(self.tasks_of[i])]
            for v in nbrs:
                if v not in parent:
                    parent[v] = u
                    q.append(v)
        if end < 0:
            ts = {u if u < nt else u - nt for u in parent if u < 2 * nt}
            return False, ts, {u - 2 * nt for u in parent if u >= 2 * nt}
        v = end
        while parent[v] >= 0:
            u = parent[v]
            if v >= 2 * nt and u < 2 * nt:  # T/N -> I : add
                self.add(u if u < nt else u - nt, v - 2 * nt)
            elif u >= 2 * nt:  # I -> T/N : remove
                self.remove(v if v < nt else v - nt, u - 2 * nt)
            v = u
        return True, set(), set()


def assign_inspectors(
    targets: Iterable[PoolUnit], roster: Iterable[Inspector], rules: AssignmentRules, seed: bytes
) -> AssignmentResult:
    """Assign a group of ``rules.group_size`` inspectors to every target unit."""
    seed_a = sub_seed(seed, "assign")
    ins = sorted(roster, key=lambda i: i.inspector_id.encode())
    roster_dict(ins)  # validates, rejects duplicates
    units = sorted(targets, key=lambda u: (_h(seed_a, b"task", u.unit_id.encode()), u.unit_id.encode()))
    k = rules.group_size
    start, end = rules.inspection_date, rules.window_end
    plan_cap = _INF if rules.max_load is None else rules.max_load
    caps = [min(plan_cap, _INF if i.max_load is None else i.max_load) for i in ins]
    problems: list[Problem] = []
    elig: list[list[tuple[int, int, bool]]] = []
    tasks: list[PoolUnit] = []
    for u in units:
        why = {"certificate": 0, "conflict": 0, "region": 0, "no_capacity": 0}
        lst = []
        spec_total = 0
        need_spec = rules.require_specialist and bool(u.specialty)
        for idx, i in enumerate(ins):
            has_spec = (not need_spec) or u.specialty in i.specialties
            spec_total += need_spec and has_spec
            if not (i.cert_valid_from and i.cert_valid_from <= start and end <= i.cert_valid_to):
                why["certificate"] += 1
            elif u.unit_id in i.conflict_units:
                why["conflict"] += 1
            elif u.region and (
                (rules.region_rule == "same" and i.region != u.region)
                or (rules.region_rule == "different" and i.region == u.region)
            ):
                why["region"] += 1
            elif caps[idx] <= 0:
                why["no_capacity"] += 1
            else:
                key = _h(seed_a, b"pair", u.unit_id.encode(), i.inspector_id.encode())
                lst.append((key, idx, has_spec))
        lst.sort()
        detail = {"required": k, "eligible": len(lst), "roster": len(ins), "excluded": why}
        if len(lst) < k:
            problems.append(
                Problem(
                    "TOO_FEW_ELIGIBLE",
                    u.unit_id,
                    f"检查对象 {u.unit_id}：检查组需要 {k} 名执法人员，但符合条件的只有 {len(lst)} 名"
                    f"（名录共 {len(ins)} 名；执法证在检查期间无效 {why['certificate']} 名，"
                    f"申报回避 {why['conflict']} 名，"
                    f"不符合地区规则 {why['region']} 名，工作量上限为 0 的 {why['no_capacity']} 名）。",
                    detail,
                )
            )
        elif not any(s for _, _, s in lst):
            detail["specialty"] = u.specialty
            detail["specialists_in_roster"] = spec_total
            why_zh = (
                f"名录中该专业共 {spec_total} 名，均因执法证无效、回避、地区规则或工作量上限被排除"
                if spec_total
                else "名录中没有该专业的执法人员"
            )
            problems.append(
                Problem(
                    "NO_SPECIALIST",
                    u.unit_id,
                    f"检查对象 {u.unit_id}：检查组至少需要 1 名“{u.specialty}”专业的执法人员，"
                    f"但符合条件的执法人员中没有该专业人员（{why_zh}）。",
                    detail,
                )
            )
        else:
            tasks.append(u)
            elig.append(lst)
    spec = [{i: s for _, i, s in lst} for lst in elig]

    def run(cap: int | None) -> tuple[_Net, list[Problem]]:
        c = caps if cap is None else [min(x, cap) for x in caps]
        net = _Net(elig, spec, c, k)
        fails = []
        for t, u in enumerate(tasks):
            for _ in range(k):
                if net.greedy(t):
                    continue
                ok, ts, isp = net.augment(t)
                if not ok:
                    for i in list(net.members[t]):
                        net.remove(t, i)
                    need = k * len(ts)
                    capsum = sum(c[i] for i in isp)
                    fails.append(
                        Problem(
                            "CAPACITY",
                            u.unit_id,
                            f"检查对象 {u.unit_id}：无法组成 {k} 人检查组——其可调配的 {len(isp)} 名执法人员"
                            f"（含通过与其他检查组调换可腾出的人员）已全部达到工作量上限（合计 {capsum} 人次），"
                            f"而相关的 {len(ts)} 个检查对象共需 {need} 人次。"
                            "请增加执法人员、提高工作量上限或调整地区规则。",
                            {
                                "required": k,
                                "tasks_involved": len(ts),
                                "inspectors_involved": len(isp),
                                "capacity_involved": capsum,
                                "inspectors": sorted((ins[i].inspector_id for i in isp), key=str.encode),
                            },
                        )
                    )
                    break
        return net, fails

    net, fails = run(None)
    cap_used = None
    if not fails and rules.balance and tasks:
        lo = max(1, -(-k * len(tasks) // max(1, len({i for lst in elig for _, i, _ in lst}))))
        hi = max(net.load)
        best = net
        while lo < hi:
            mid = (lo + hi) // 2
            probe, pf = run(mid)
            if pf:
                lo = mid + 1
            else:
                hi, best = mid, probe
        if best is net:
            best, _ = run(hi)
        net, cap_used = best, hi
    problems += fails
    groups = {}
    for t, u in enumerate(tasks):
        if len(net.members[t]) == k:
            groups[u.unit_id] = tuple(sorted((ins[i].inspector_id for i in net.members[t]), key=str.encode))
    loads = {i.inspector_id: net.load[idx] for idx, i in enumerate(ins)}
    return AssignmentResult(not problems, groups, loads, cap_used, tuple(problems))
