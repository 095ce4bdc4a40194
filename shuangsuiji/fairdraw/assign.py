"""Random inspector assignment (随机选派执法检查人员), spec §8.

A deterministic, solver-free algorithm that the verifier simply re-executes:

All hashes H are of the draw's hash suite (SHA-256 by default, spec §2.3).

* seed_a = H(LP("SRV1/assign", seed)).
* Tasks (selected units) are processed in ascending
  H(seed_a || 0x00 "task" 0x00 || unit_id); each needs ``group_size``
  distinct inspectors who are eligible (certificate valid for the whole
  inspection window, no declared conflict with the unit, region rule, cap > 0),
  at least one of them holding the unit's specialty.
* Each seat is one unit of flow in the network
  s →(k) T_t →(k-1) N_t → non-specialist i ;  T_t → specialist i ;  i →(cap_i) sink.
  A seat is filled by the least-loaded free eligible inspector (ties by the
  pair key H(seed_a || 0x00 "pair" 0x00 || unit_id || 0x00 || inspector_id));
  if none is free, by a breadth-first augmenting path (swapping inspectors
  between already formed groups).  This is Ford–Fulkerson, so a request is
  reported infeasible only if no valid assignment exists.
* Balance: the smallest uniform cap C for which all tasks can be served is
  found by bisection (each probe is a full deterministic run); the result of
  the run with C is published, so the maximum load is the minimum possible.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .canon import canonical_json, check_text, load_json_bytes
from .conflicts import ROSTER_FORMAT_V2, parse_roster_v2
from .errors import FairdrawError, MalformedInput
from .hashsuite import SHA256, HashSuite
from .keys import sub_seed
from .plan import AssignmentRules, _date
from .snapshot import PoolUnit

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


def roster_digest(roster_bytes: bytes, suite: HashSuite = SHA256) -> str:
    """hex(H(canonical roster bytes)), H of the commitment's hash suite."""
    return suite.hexdigest(roster_bytes)


def parse_roster(data: bytes | Mapping) -> list[Inspector]:
    """Roster from canonical bytes or an already-parsed dict; must be canonical.  A ``fairdraw-roster/2``
    gives its inspectors without ``conflict_units`` (they are committed, spec §4.2.2: ``conflicts``)."""
    d = load_json_bytes(data, "执法人员名录") if isinstance(data, (bytes, bytearray)) else data
    if isinstance(d, Mapping) and d.get("format") == ROSTER_FORMAT_V2:
        return parse_roster_v2(d)[0]
    if not isinstance(d, Mapping) or d.get("format") != ROSTER_FORMAT or set(d) != {"format", "inspectors"}:
        raise MalformedInput("ROSTER_FORMAT", f"执法人员名录格式应为 {ROSTER_FORMAT} 或 {ROSTER_FORMAT_V2}")
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


class _Run:
    """One deterministic run of spec §8.4 with a cap vector.

    The state is the residual flow: ``members[t]`` ({inspector: is_specialist}), ``nonspec[t]``,
    ``load[i]`` and, per inspector, its tasks in task order (``tasks_of``) with the flow node each
    of them is reached by (``nodes_of``: T_t for a specialist member, N_t otherwise).  ``eff[i]``
    is load[i] while i is below its cap and ``_INF`` at the cap, so the greedy seat is one
    C-level ``min`` over the task's inspectors in pair-key order.
    """

    __slots__ = ("allk", "specl", "nonl", "spec", "caps", "k", "nt", "members", "nonspec", "load", "eff",
                 "tasks_of", "nodes_of")  # fmt: skip

    def __init__(self, allk: list, specl: list, nonl: list, spec: list, caps: list[int], k: int) -> None:
        self.allk, self.specl, self.nonl, self.spec, self.caps, self.k = allk, specl, nonl, spec, caps, k
        nt = self.nt = len(allk)
        self.members: list[dict[int, bool]] = [{} for _ in range(nt)]
        self.nonspec = [0] * nt
        self.load = [0] * len(caps)
        self.eff = [0 if c > 0 else _INF for c in caps]
        self.tasks_of: list[list[int]] = [[] for _ in caps]
        self.nodes_of: list[list[int]] = [[] for _ in caps]

    def add(self, t: int, i: int) -> None:
        s = self.spec[t][i]
        self.members[t][i] = s
        self.nonspec[t] += not s
        tl = self.tasks_of[i]
        pos = bisect_left(tl, t)
        tl.insert(pos, t)
        self.nodes_of[i].insert(pos, t if s else self.nt + t)
        n = self.load[i] = self.load[i] + 1
        self.eff[i] = n if n < self.caps[i] else _INF

    def remove(self, t: int, i: int) -> None:
        s = self.members[t].pop(i)
        self.nonspec[t] -= not s
        tl = self.tasks_of[i]
        pos = bisect_left(tl, t)
        del tl[pos]
        del self.nodes_of[i][pos]
        n = self.load[i] = self.load[i] - 1
        self.eff[i] = n if n < self.caps[i] else _INF

    def greedy(self, t: int) -> bool:
        """Seat the least-loaded free eligible inspector (ties: pair key order)."""
        m, eff = self.members[t], self.eff
        lst = self.allk[t] if self.nonspec[t] < self.k - 1 else self.specl[t]
        if m:
            saved = [(i, eff[i]) for i in m]
            for i in m:
                eff[i] = _INF
            best = min(lst, key=eff.__getitem__)
            ok = eff[best] < _INF
            for i, e in saved:
                eff[i] = e
        else:
            best = min(lst, key=eff.__getitem__)
            ok = eff[best] < _INF
        if ok:
            self.add(t, best)
        return ok

    def augment(self, t0: int) -> tuple[bool, dict[int, int]]:
        """Breadth-first augmenting path from T_t0 (spec §8.4); returns (found, parent map).

        The search of the spec ends when the first inspector below its cap is dequeued.  Nodes
        leave a FIFO queue in the order they entered it, and loads do not change during the search,
        so that inspector is the first one below its cap to be *discovered*: stopping there gives
        the same path without expanding the rest of the frontier.
        """
        nt, k = self.nt, self.k
        n2 = 2 * nt
        members, nonspec, load, caps = self.members, self.nonspec, self.load, self.caps
        parent: dict[int, int] = {t0: -1}
        q = deque((t0,))
        pop, push = q.popleft, q.append
        end = -1
        while q:
            u = pop()
            if u >= n2:  # I_i at its cap: the tasks it is in, in task order
                new = [v for v in self.nodes_of[u - n2] if v not in parent]
                parent.update(dict.fromkeys(new, u))
                q.extend(new)
                continue
            if u < nt:
                t, lst, back = u, self.specl[u], (nt + u if nonspec[u] < k - 1 else -1)
            else:
                t = u - nt
                lst, back = self.nonl[t], (t if nonspec[t] > 0 else -1)
            m = members[t]
            for i in lst:
                if i in m:
                    continue
                v = n2 + i
                if v in parent:
                    continue
                parent[v] = u
                if load[i] < caps[i]:
                    end = v
                    break
                push(v)
            if end >= 0:
                break
            if back >= 0 and back not in parent:
                parent[back] = u
                push(back)
        if end < 0:
            return False, parent
        v = end
        while (u := parent[v]) >= 0:
            if v >= n2 and u < n2:  # T/N -> I : add
                self.add(u if u < nt else u - nt, v - n2)
            elif u >= n2:  # I -> T/N : remove
                self.remove(v if v < nt else v - nt, u - n2)
            v = u
        return True, parent

    def seat_all(self, t: int) -> tuple[bool, dict[int, int] | None]:
        for _ in range(self.k):
            if self.greedy(t):
                continue
            ok, parent = self.augment(t)
            if not ok:
                for i in list(self.members[t]):
                    self.remove(t, i)
                return False, parent
        return True, None


def _region_fails(rule: str, inspector_region: str, unit_region: str) -> bool:
    return bool(unit_region) and (
        (rule == "same" and inspector_region != unit_region)
        or (rule == "different" and inspector_region == unit_region)
    )


def _eligibility(
    units: list[PoolUnit],
    ins: list[Inspector],
    caps: list[int],
    rules: AssignmentRules,
    seed_a: bytes,
    suite: HashSuite,
):
    """Per unit (in task order): (eligible [(pair key, inspector index, is specialist)] sorted, reason counts,
    specialists in the roster).  Spec §8.1–8.2; pair keys are digests (bytes order = integer order)."""
    start, end = rules.inspection_date, rules.window_end
    rule = rules.region_rule
    ids = [i.inspector_id.encode() for i in ins]
    cert_ok = [bool(i.cert_valid_from and i.cert_valid_from <= start and end <= i.cert_valid_to) for i in ins]
    n_cert_bad = cert_ok.count(False)
    conflicts: dict[str, set[int]] = {}
    for idx, i in enumerate(ins):
        if cert_ok[idx]:
            for u in i.conflict_units:
                conflicts.setdefault(u, set()).add(idx)
    specs: dict[str, set[int]] = {}
    for idx, i in enumerate(ins):
        for s in set(i.specialties):
            specs.setdefault(s, set()).add(idx)
    by_region: dict[str, tuple[list[int], int, int]] = {}  # region -> (passing with cap, region fails, cap-0)

    def region_pass(region: str) -> tuple[list[int], int, int]:
        got = by_region.get(region)
        if got is None:
            ok, fails, zero = [], 0, 0
            for idx, i in enumerate(ins):
                if not cert_ok[idx]:
                    continue
                if _region_fails(rule, i.region, region):
                    fails += 1
                elif caps[idx] <= 0:
                    zero += 1
                else:
                    ok.append(idx)
            got = by_region[region] = (ok, fails, zero)
        return got

    pair = suite.new(seed_a + b"\x00pair\x00")
    out = []
    for u in units:
        need_spec = rules.require_specialist and bool(u.specialty)
        spec_set = specs.get(u.specialty, set()) if need_spec else None
        ok, fails, zero = region_pass(u.region)
        why = {"certificate": n_cert_bad, "conflict": 0, "region": fails, "no_capacity": zero}
        cf = conflicts.get(u.unit_id)
        if cf:  # recount in the order of spec §8.1 (conflict before region and capacity)
            why["conflict"] = len(cf)
            for idx in cf:
                i = ins[idx]
                if _region_fails(rule, i.region, u.region):
                    why["region"] -= 1
                elif caps[idx] <= 0:
                    why["no_capacity"] -= 1
            ok = [idx for idx in ok if idx not in cf]
        hb = pair.copy()
        hb.update(u.unit_id.encode() + b"\x00")
        lst = []
        for idx in ok:
            h = hb.copy()
            h.update(ids[idx])
            lst.append((h.digest(), idx, spec_set is None or idx in spec_set))
        lst.sort()
        out.append((lst, why, len(spec_set) if need_spec else 0))
    return out


def _lower_bound(tasks: list[PoolUnit], allk: list, specl: list, k: int, rules: AssignmentRules) -> int:
    """A lower bound of the smallest feasible uniform cap C (only used to start the search nearer to C):
    the tasks of one specialty (and region, under a region rule) need k seats from the union of their
    eligible inspectors and one seat from the union of their eligible specialists."""
    groups: dict[tuple[str, str], tuple[list[int], set[int], set[int]]] = {}
    by_region = rules.region_rule != "any"
    for t, u in enumerate(tasks):
        g = groups.get(key := (u.specialty, u.region if by_region else ""))
        if g is None:
            g = groups[key] = ([0], set(), set())
        g[0][0] += 1
        g[1].update(allk[t])
        g[2].update(specl[t])
    best = 1
    for n, every, spec in groups.values():
        best = max(best, -(-k * n[0] // len(every)), -(-n[0] // len(spec)))
    return best


def assign_inspectors(
    targets: Iterable[PoolUnit],
    roster: Iterable[Inspector],
    rules: AssignmentRules,
    seed: bytes,
    suite: HashSuite = SHA256,
) -> AssignmentResult:
    """Assign a group of ``rules.group_size`` inspectors to every target unit (hashes of ``suite``)."""
    seed_a = sub_seed(seed, "assign", suite)
    ins = sorted(roster, key=lambda i: i.inspector_id.encode())
    roster_dict(ins)  # validates, rejects duplicates
    task_h = suite.new(seed_a + b"\x00task\x00")

    def task_key(u: PoolUnit) -> tuple[bytes, bytes]:
        h = task_h.copy()
        b = u.unit_id.encode()
        h.update(b)
        return h.digest(), b

    units = sorted(targets, key=task_key)
    k = rules.group_size
    plan_cap = _INF if rules.max_load is None else rules.max_load
    caps = [min(plan_cap, _INF if i.max_load is None else i.max_load) for i in ins]
    problems: list[Problem] = []
    elig: list[list[tuple[bytes, int, bool]]] = []
    tasks: list[PoolUnit] = []
    for u, (lst, why, spec_total) in zip(units, _eligibility(units, ins, caps, rules, seed_a, suite), strict=True):
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
    allk = [[i for _, i, _ in lst] for lst in elig]
    specl = [[i for _, i, s in lst if s] for lst in elig]
    nonl = [[i for _, i, s in lst if not s] for lst in elig]
    spec = [{i: s for _, i, s in lst} for lst in elig]
    del elig
    nt = len(tasks)

    def new_run(cap: int | None) -> _Run:
        return _Run(allk, specl, nonl, spec, caps if cap is None else [min(x, cap) for x in caps], k)

    def probe(cap: int | None) -> _Run | None:
        """The run with ``cap``, or None as soon as one task cannot be served (infeasible)."""
        run = new_run(cap)
        for t in range(nt):
            if not run.seat_all(t)[0]:
                return None
        return run

    def full_run() -> tuple[_Run, list[Problem]]:
        run = new_run(None)
        fails = []
        for t, u in enumerate(tasks):
            ok, parent = run.seat_all(t)
            if ok:
                continue
            ts = {v if v < nt else v - nt for v in parent if v < 2 * nt}
            isp = {v - 2 * nt for v in parent if v >= 2 * nt}
            need = k * len(ts)
            capsum = sum(run.caps[i] for i in isp)
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
        return run, fails

    # Spec §8.5: publish run(min(cap_i, C)) for the smallest feasible uniform cap C, or run(cap_i) when it
    # fails, balance is off or there are no tasks.  Feasibility is exact and monotone in C, so any search
    # finds the same C; each probe stops at its first unserved task.  C is usually the lower bound itself.
    net: _Run | None = None
    cap_used = None
    fails: list[Problem] = []
    if rules.balance and tasks:
        lo = max(1, -(-k * nt // max(1, len({i for lst in allk for i in lst}))))  # the spec's lower bound
        lo = max(lo, _lower_bound(tasks, allk, specl, k, rules))
        net = probe(lo)
        if net is not None:
            cap_used = lo
        else:
            uncapped, fails = full_run()  # run(cap_i): published as it is if it fails
            if fails:
                net = uncapped
            else:
                hi = max(uncapped.load)
                del uncapped
                best: _Run | None = None
                step = 1
                while lo + step < hi:  # gallop up from the failed lower bound: C is usually close to it
                    run = probe(lo + step)
                    if run is not None:
                        hi, best = lo + step, run
                        break
                    lo, step = lo + step, step * 2
                lo += 1
                while lo < hi:
                    mid = (lo + hi) // 2
                    run = probe(mid)
                    if run is None:
                        lo = mid + 1
                    else:
                        hi, best = mid, run
                net = best if best is not None else probe(hi)  # best is the run at hi
                cap_used = hi
    if net is None:
        net, fails = full_run()
    problems += fails
    groups = {}
    for t, u in enumerate(tasks):
        if len(net.members[t]) == k:
            groups[u.unit_id] = tuple(sorted((ins[i].inspector_id for i in net.members[t]), key=str.encode))
    loads = {i.inspector_id: net.load[idx] for idx, i in enumerate(ins)}
    return AssignmentResult(not problems, groups, loads, cap_used, tuple(problems))
