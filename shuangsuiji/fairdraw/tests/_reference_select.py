"""Reference: the selection (and the pool parser) that produced the published vectors, kept verbatim for the
equivalence tests of the fast ``select``.  Selection of units inside each stratum (spec §7).

Every eligible unit gets K_i = SHA-256(seed || 0x00 "unit" 0x00 || unit_id);
the stratum's random order is ascending (K_i, unit_id bytes).

* "srs"     - the n_h first units of that order are selected: inclusion
              probability exactly n_h/E_h.  The next ones are the substitutes.
              Memory is bounded: one max-heap of n_h + substitutes per stratum.
* "pivotal" - ordered pivotal method (Deville–Tillé) on that order with
              π_i = n'·w_i / W (after iterative capping at 1), computed in
              integers: exact inclusion probabilities π_i, fixed size n_h.
              Substitutes are the next non-selected units of the order.
"""

from __future__ import annotations

import heapq
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction

from shuangsuiji.fairdraw.allocate import Allocation
from shuangsuiji.fairdraw.canon import MAX_TEXT_BYTES
from shuangsuiji.fairdraw.errors import FairdrawError, MalformedInput
from shuangsuiji.fairdraw.keys import key_hex, uniform_below, unit_key_hasher
from shuangsuiji.fairdraw.plan import DrawPlan
from shuangsuiji.fairdraw.snapshot import MAX_WEIGHT_PPM, POOL_HEADER, PoolUnit, Row, row_to_unit, unit_to_row

_CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]")


def _check_utf8_nfc(data: bytes) -> None:
    """Whole-buffer check that the text is UTF-8 and NFC.  Chunks end at LF;
    TAB and LF are stable code points, so the text is NFC iff every field is."""
    step = 1 << 23
    i = 0
    while i < len(data):
        j = data.find(b"\n", i + step)
        j = len(data) if j < 0 else j + 1
        try:
            text = data[i:j].decode("utf-8")
        except UnicodeDecodeError as e:
            line = data.count(b"\n", 0, i + e.start) + 1
            raise MalformedInput("POOL_UTF8", f"快照第 {line} 行不是有效的 UTF-8 文本") from e
        if not unicodedata.is_normalized("NFC", text):
            raise MalformedInput("POOL_TEXT", "快照含有不是 Unicode NFC 规范形式的文本")
        i = j


def _weight(w: bytes, lineno: int) -> int:
    if not w.isdigit() or (w[0] == 48 and len(w) > 1) or len(w) > 13 or int(w) > MAX_WEIGHT_PPM:
        raise MalformedInput("POOL_WEIGHT", f"快照第 {lineno} 行的 weight_ppm 不是 0 到 10^12 的规范整数：{w!r}")
    return int(w)


def iter_rows(pool_bytes: bytes) -> Iterator[Row]:
    """Parse and strictly validate canonical snapshot bytes (MalformedInput on error)."""
    if not isinstance(pool_bytes, (bytes, bytearray, memoryview)):
        raise MalformedInput("POOL_TYPE", "检查对象快照必须是字节串（bytes）")
    data = bytes(pool_bytes)
    if not data.startswith(POOL_HEADER):
        raise MalformedInput("POOL_HEADER", f"快照首行必须是 {POOL_HEADER.decode()!r}")
    m = _CONTROL.search(data)
    if m:
        line = data.count(b"\n", 0, m.start()) + 1
        raise MalformedInput("POOL_CONTROL_CHAR", f"快照第 {line} 行含有控制字符（不允许 CR、NUL 等）")
    if not data.endswith(b"\n"):
        raise MalformedInput("POOL_NO_FINAL_LF", "快照最后一行必须以换行符 LF 结尾")
    if not data.isascii():
        _check_utf8_nfc(data)
    stream = io.BytesIO(data)
    stream.readline()
    prev = b""
    lineno = 1
    wcache: dict[bytes, int] = {}
    for line in stream:
        lineno += 1
        f = line.split(b"\t")
        if len(f) != 6:
            raise MalformedInput("POOL_FIELDS", f"快照第 {lineno} 行应有 6 个字段，实际 {len(f)} 个")
        uid, stratum, w, region, spec, reason = f
        reason = reason[:-1]
        if uid <= prev:
            raise MalformedInput(
                "POOL_ORDER",
                f"快照第 {lineno} 行的 unit_id 为空、未按字节升序排列或有重复：{uid.decode(errors='replace')!r}",
            )
        prev = uid
        if not stratum:
            raise MalformedInput("POOL_EMPTY_FIELD", f"快照第 {lineno} 行的 stratum 为空")
        wi = wcache.get(w)
        if wi is None:
            wi = _weight(w, lineno)
            if len(wcache) < 4096:
                wcache[w] = wi
        if wi == 0 and not reason:
            raise MalformedInput("POOL_WEIGHT", f"快照第 {lineno} 行未被排除，weight_ppm 不能为 0")
        if len(line) > MAX_TEXT_BYTES and max(map(len, (uid, stratum, region, spec, reason))) > MAX_TEXT_BYTES:
            raise MalformedInput("POOL_TEXT", f"快照第 {lineno} 行有超过 {MAX_TEXT_BYTES} 字节的文本字段")
        yield (uid, stratum, wi, region, spec, reason)


@dataclass(frozen=True)
class StratumSelection:
    stratum: str
    method: str
    eligible: int
    n: int
    selected: tuple[str, ...]  # in ascending key order
    threshold_key: str  # srs: hex key of the last selected unit ("" if none / pivotal)
    threshold_unit: str  # srs: unit id of the last selected unit
    substitutes: tuple[str, ...]  # next units in key order, first substitute first
    probability: str  # srs: "n/E"; pivotal: "n'*w/W" (see certain)
    certain: tuple[str, ...] = ()  # pivotal: units capped at π = 1 (always selected)
    pi_factor: int = 0  # pivotal: n'  (π_i = n'·w_i / W for the others)
    pi_denominator: int = 0  # pivotal: W

    def pi(self, unit: PoolUnit) -> Fraction:
        """Exact inclusion probability of an eligible unit of this stratum."""
        if self.method == "srs":
            return Fraction(self.n, self.eligible) if self.eligible else Fraction(0)
        if unit.unit_id in self.certain:
            return Fraction(1)
        return Fraction(self.pi_factor * unit.weight_ppm, self.pi_denominator) if self.pi_denominator else Fraction(0)

    def to_dict(self) -> dict:
        d = {
            "method": self.method,
            "eligible": self.eligible,
            "n": self.n,
            "selected": list(self.selected),
            "substitutes": list(self.substitutes),
            "probability": self.probability,
            "threshold": {"key": self.threshold_key, "unit_id": self.threshold_unit},
        }
        if self.method == "pivotal":
            d["pivotal"] = {
                "certain": list(self.certain),
                "pi_factor": self.pi_factor,
                "pi_denominator": self.pi_denominator,
            }
        return d


@dataclass(frozen=True)
class DrawResult:
    seed: str  # hex
    strata: dict[str, StratumSelection]
    excluded: tuple[tuple[str, str, str], ...]  # (unit_id, stratum, reason), by unit_id
    units: dict[str, PoolUnit] = field(default_factory=dict, compare=False, repr=False)
    # ``units``: PoolUnit of every selected unit and substitute (for assignment).

    def selected(self) -> list[str]:
        """All selected unit ids, sorted bytewise."""
        return sorted((u for s in self.strata.values() for u in s.selected), key=str.encode)

    def targets(self) -> list[PoolUnit]:
        return [self.units[u] for u in self.selected()]

    def to_dict(self) -> dict:
        return {h: s.to_dict() for h, s in sorted(self.strata.items())}


def _inv(uid: bytes) -> bytes:
    # Reverses bytewise order for ids without control bytes (all bytes ≥ 0x20).
    return bytes(255 - b for b in uid) + b"\xff"


class _Stratum:
    """Per-stratum state during the single pass over the pool."""

    __slots__ = ("pivotal", "cap", "heap", "top", "items", "eligible", "excluded")

    def __init__(self, pivotal: bool, cap: int) -> None:
        self.pivotal = pivotal
        self.cap = cap  # srs: n + substitutes kept in the bounded heap
        self.heap: list = []  # srs: max-heap of (-key, inv(uid), uid, row)
        self.top = -1  # srs: largest key in a full heap (-1 = heap not full)
        self.items: list = []  # pivotal: every (key, uid, row)
        self.eligible = 0
        self.excluded = 0


def _rows(pool: bytes | Iterable[PoolUnit] | Iterable[Row]) -> Iterable[Row]:
    if isinstance(pool, (bytes, bytearray, memoryview)):
        return iter_rows(pool)
    return (unit_to_row(u) if isinstance(u, PoolUnit) else u for u in pool)


def select(pool: bytes | Iterable[PoolUnit], allocation: Allocation, seed: bytes, plan: DrawPlan) -> DrawResult:
    """Run the selection.  ``pool`` is the canonical snapshot bytes or any
    iterable of PoolUnit (order does not matter).  Its per-stratum counts must
    equal the allocation's (i.e. the commitment's)."""
    state: dict[bytes, _Stratum] = {}
    for h, a in allocation.strata.items():
        pivotal = a.method == "pivotal"
        state[h.encode()] = _Stratum(pivotal, -1 if pivotal else a.n + min(plan.substitutes, a.eligible - a.n))
    excluded: list[tuple[bytes, bytes, bytes]] = []
    base = unit_key_hasher(seed)
    fb = int.from_bytes
    push, replace = heapq.heappush, heapq.heapreplace
    for r in _rows(pool):
        st = state.get(r[1])
        if st is None:
            raise FairdrawError("POOL_MISMATCH", f"号池中的分层 {r[1].decode()!r} 不在已承诺的分层中")
        if r[5]:
            st.excluded += 1
            excluded.append((r[0], r[1], r[5]))
            continue
        st.eligible += 1
        if st.cap == 0:
            continue
        uid = r[0]
        hs = base.copy()
        hs.update(uid)
        k = fb(hs.digest(), "big")
        if st.pivotal:
            st.items.append((k, uid, r))
            continue
        if st.top < 0:
            push(st.heap, (-k, _inv(uid), uid, r))
            if len(st.heap) == st.cap:
                st.top = -st.heap[0][0]
        elif k < st.top or (k == st.top and uid < st.heap[0][2]):
            replace(st.heap, (-k, _inv(uid), uid, r))
            st.top = -st.heap[0][0]
    for h, a in allocation.strata.items():
        st = state[h.encode()]
        if (st.eligible, st.excluded) != (a.eligible, a.excluded):
            raise FairdrawError(
                "POOL_MISMATCH",
                f"分层 {h} 的号池数量（可抽 {st.eligible}，排除 {st.excluded}）"
                f"与承诺（可抽 {a.eligible}，排除 {a.excluded}）不一致",
            )
    units: dict[str, PoolUnit] = {}
    strata = {}
    for h in sorted(allocation.strata):
        a = allocation.strata[h]
        st = state[h.encode()]
        if not st.pivotal:
            strata[h] = _finish_srs(h, a.eligible, a.n, st, units)
        else:
            strata[h] = _finish_pivotal(h, a.eligible, a.n, plan.substitutes, st, seed, units)
    excluded.sort()
    ex = tuple((u.decode(), h.decode(), why.decode()) for u, h, why in excluded)
    return DrawResult(seed.hex(), strata, ex, units)


def _finish_srs(h: str, eligible: int, n: int, st: _Stratum, units: dict) -> StratumSelection:
    order = sorted((-nk, uid, r) for nk, _, uid, r in st.heap)
    for _, uid, r in order:
        units[uid.decode()] = row_to_unit(r)
    sel = tuple(uid.decode() for _, uid, _ in order[:n])
    subs = tuple(uid.decode() for _, uid, _ in order[n:])
    tk, tu = (key_hex(order[n - 1][0]), sel[-1]) if n else ("", "")
    return StratumSelection(h, "srs", eligible, n, sel, tk, tu, subs, f"{n}/{eligible}")


def pivotal_probabilities(weights: list[int], n: int) -> tuple[list[bool], int, int]:
    """Iterative capping: returns (certain flags, n', W) with π_i = n'·w_i/W < 1
    for the non-certain units and π_i = 1 for the certain ones."""
    certain = [False] * len(weights)
    while True:
        rest = [i for i, c in enumerate(certain) if not c]
        n_rest = n - (len(weights) - len(rest))
        W = sum(weights[i] for i in rest)
        if n_rest <= 0 or W == 0:
            return certain, max(n_rest, 0), W
        new = [i for i in rest if n_rest * weights[i] >= W]
        if not new:
            return certain, n_rest, W
        for i in new:
            certain[i] = True


def ordered_pivotal(masses: list[int], D: int, decide) -> list[bool]:
    """Ordered (sequential) pivotal method in integers.

    ``masses[j]`` = π_j·D with 0 < masses[j] < D, Σ masses = n·D; units are
    taken in list order.  ``decide(j, num, den)`` must return True with
    probability num/den; it is called once per duel, j being the incoming unit.
    Returns the selection flags (exactly n True, P(flag_j) = masses[j]/D).
    """
    chosen = [False] * len(masses)
    carry, cm = -1, 0
    for j, a in enumerate(masses):
        if carry < 0:
            carry, cm = j, a
            continue
        s = cm + a
        if s < D:
            # one unit takes the whole mass s, the other drops out
            if not decide(j, cm, s):  # the open unit keeps it with prob. cm/s
                carry = j
            cm = s
        else:
            # one unit is selected, the other keeps s − D
            if decide(j, D - a, 2 * D - s):  # the open unit is selected with prob. (D−a)/(2D−s)
                chosen[carry] = True
                carry = j
            else:
                chosen[j] = True
            cm = s - D
            if cm == 0:
                carry = -1
    if carry >= 0:
        raise FairdrawError("PIVOTAL_SUM", "pivotal：概率之和不是整数")
    return chosen


def _finish_pivotal(
    h: str, eligible: int, n: int, n_subs: int, st: _Stratum, seed: bytes, units: dict
) -> StratumSelection:
    items = sorted(st.items, key=lambda t: (t[0], t[1]))
    weights = [t[2][2] for t in items]
    certain, nf, W = pivotal_probabilities(weights, n)
    chosen = list(certain)
    if nf > 0:
        hb = h.encode()
        idx = [j for j in range(len(items)) if not certain[j]]

        def decide(p: int, num: int, den: int) -> bool:
            return uniform_below(seed, "pivot", (hb, items[idx[p]][1]), den) < num

        flags = ordered_pivotal([nf * weights[j] for j in idx], W, decide)
        for p, j in enumerate(idx):
            chosen[j] = flags[p]
    sel = [j for j in range(len(items)) if chosen[j]]
    subs = [j for j in range(len(items)) if not chosen[j]][:n_subs]
    for j in sel + subs:
        units[items[j][1].decode()] = row_to_unit(items[j][2])
    return StratumSelection(
        h,
        "pivotal",
        eligible,
        len(sel),
        tuple(items[j][1].decode() for j in sel),
        "",
        "",
        tuple(items[j][1].decode() for j in subs),
        f"{nf}*w/{W}",
        tuple(items[j][1].decode() for j in range(len(items)) if certain[j]),
        nf,
        W,
    )


def random_order(pool: bytes | Iterable[PoolUnit], seed: bytes, stratum: str) -> list[str]:
    """All eligible unit ids of one stratum in the draw's random order
    (ascending (K_i, unit_id bytes)); O(E_h) memory.  Substitutes beyond the
    published list are taken from this order (spec §7.4)."""
    hb = stratum.encode()
    base = unit_key_hasher(seed)
    keyed = []
    for r in _rows(pool):
        if r[1] == hb and not r[5]:
            hs = base.copy()
            hs.update(r[0])
            keyed.append((int.from_bytes(hs.digest(), "big"), r[0]))
    keyed.sort()
    return [uid.decode() for _, uid in keyed]
