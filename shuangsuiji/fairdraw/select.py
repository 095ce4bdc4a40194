"""Selection of units inside each stratum (spec §7).

Every eligible unit gets K_i = H(seed || 0x00 "unit" 0x00 || unit_id);
the stratum's random order is ascending (K_i, unit_id bytes).

* "srs"     - the n_h first units of that order are selected: inclusion
              probability exactly n_h/E_h.  The next ones are the substitutes.
              Memory is bounded: per stratum, O(n_h + substitutes) candidates.
* "pivotal" - ordered pivotal method (Deville–Tillé) on that order with
              π_i = n'·w_i / W (after iterative capping at 1), computed in
              integers: exact inclusion probabilities π_i, fixed size n_h.
              Substitutes are the next non-selected units of the order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from .allocate import Allocation
from .canon import MAX_TEXT_BYTES
from .errors import FairdrawError
from .hashsuite import SHA256, HashSuite
from .keys import uniform_below, unit_key_hasher
from .plan import DrawPlan
from .snapshot import (
    MAX_WEIGHT_PPM,
    PoolUnit,
    Row,
    check_line,
    check_pool_buffer,
    check_utf8_nfc,
    iter_rows,
    line_chunks,
    row_to_unit,
    text_ok,
    unit_to_row,
)


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
    units: Mapping[str, PoolUnit] = field(default_factory=dict, compare=False, repr=False)
    # ``units``: PoolUnit of every selected unit and substitute (for assignment).

    def selected(self) -> list[str]:
        """All selected unit ids, sorted bytewise."""
        return sorted((u for s in self.strata.values() for u in s.selected), key=str.encode)

    def targets(self) -> list[PoolUnit]:
        return [self.units[u] for u in self.selected()]

    def to_dict(self) -> dict:
        return {h: s.to_dict() for h, s in sorted(self.strata.items())}


class _Units(Mapping):
    """unit id -> PoolUnit of the kept units, built on first access (most draws never read them)."""

    __slots__ = ("_raw", "_done")

    def __init__(self) -> None:
        self._raw: dict[str, bytes | Row] = {}
        self._done: dict[str, PoolUnit] = {}

    def __getitem__(self, uid: str) -> PoolUnit:
        u = self._done.get(uid)
        if u is None:
            u = self._done[uid] = row_to_unit(_row(*self._raw[uid]))
        return u

    def __contains__(self, uid: object) -> bool:
        return uid in self._raw

    def __iter__(self):
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


class _Retry(Exception):
    """The fast scan met a line it does not handle; the exact checker names the problem."""


_TOP = b"\xff" * 33  # above every 32-byte key
_WEIGHT_CACHE = 4096


class _Stratum:
    """Per-stratum state during the single pass over the pool (a list, for speed):
    [eligible, excluded, top, buf, limit, cap].

    ``buf`` holds (key, unit id, line tail or row) of candidates: srs keeps only entries with a key
    ≤ ``top`` and, whenever ``limit`` entries have gathered, sorts them and keeps the ``cap``
    smallest (so ``top`` falls to the cap-th key; memory O(cap), not O(E_h)).  Pivotal strata keep
    every eligible unit (``limit`` = -1).  ``top`` None: nothing to keep (srs with cap 0), no key needed.
    """

    @staticmethod
    def new(pivotal: bool, cap: int) -> list:
        if pivotal:
            return [0, 0, _TOP, [], -1, -1]
        if cap == 0:
            return [0, 0, None, [], -1, 0]
        return [0, 0, _TOP, [], cap + max(cap // 2, 1024), cap]


def _prune(st: list) -> None:
    buf = st[3]
    buf.sort()
    del buf[st[5] :]
    st[2] = buf[-1][0]


def _scan_bytes(data: bytes, state: dict, base, excluded: list) -> None:
    """One pass over checked snapshot bytes, chunk by chunk: strict line checks, per-stratum
    counts, keys of eligible units.  Lines the fast path does not expect (an error, an unknown
    stratum, a field that is not UTF-8 and NFC) go through the exact checkers, so errors and their
    order are those of ``iter_rows`` followed by the stratum check.

    Each line is split once, into its unit id and the rest ("tail": stratum, weight, region,
    specialty, reason).  Tails repeat (a stratum, a region, a specialty), so each distinct tail is
    checked once and remembered with its stratum state."""
    good = {b"1000000"}
    tails: dict[bytes, tuple] = {}
    prev = b""
    copy = base.copy
    ascii_pool = data.isascii()
    for lineno, lines in line_chunks(data):
        last = prev
        long = max(map(len, lines), default=0) >= MAX_TEXT_BYTES  # a unit id may exceed the limit
        text = not ascii_pool and not b"".join(lines).isascii()  # fields to check for UTF-8 and NFC
        try:
            for line in lines:
                try:
                    uid, tail = line.split(b"\t", 1)
                except ValueError:
                    raise _Retry from None
                if uid <= prev:
                    raise _Retry
                prev = uid
                info = tails.get(tail)
                if info is None:
                    info = _tail(tail, state, good, text)
                    if len(tails) < _TAIL_CACHE:
                        tails[tail] = info
                if long and len(uid) > MAX_TEXT_BYTES:
                    raise _Retry
                if text and not uid.isascii() and not text_ok(uid):
                    raise _Retry
                st, stratum, reason, _ = info
                if reason:
                    st[1] += 1
                    excluded.append((uid, stratum, reason))
                    continue
                st[0] += 1
                top = st[2]
                if top is None:
                    continue
                h = copy()
                h.update(uid)
                k = h.digest()
                if k <= top:
                    buf = st[3]
                    buf.append((k, uid, info[3]))  # the shared tail: no memory per kept unit
                    if len(buf) == st[4]:
                        _prune(st)
        except _Retry:
            if not ascii_pool:
                check_utf8_nfc(data)  # the whole-buffer error comes first (spec §3)
            _explain(lines, lineno, last, state)
            raise AssertionError("fast scan refused a valid line") from None


_TAIL_CACHE = 1 << 16


def _tail(tail: bytes, state: dict, good: set, text: bool) -> tuple[list, bytes, bytes, bytes]:
    """(stratum state, stratum, reason, tail) of a line's tail, or _Retry when the line is not a
    valid line of a committed stratum."""
    f = tail.split(b"\t")
    if len(f) != 5:
        raise _Retry
    stratum, w, _region, _specialty, reason = f
    st = state.get(stratum)
    if st is None or (w not in good and not _unusual_weight(w, reason, good)):
        raise _Retry
    if max(map(len, f)) > MAX_TEXT_BYTES or (text and not all(map(text_ok, f))):
        raise _Retry
    return st, stratum, reason, tail


def _unusual_weight(w: bytes, reason: bytes, good: set) -> bool:
    """A weight other than the ones seen: canonical, and 0 only for an excluded unit."""
    if not w.isdigit() or (w[0] == 48 and len(w) > 1) or len(w) > 13 or int(w) > MAX_WEIGHT_PPM:
        return False
    if w == b"0":
        return bool(reason)
    if len(good) < _WEIGHT_CACHE:
        good.add(w)
    return True


def _explain(lines: list[bytes], lineno: int, prev: bytes, state: dict) -> None:
    """Re-check a chunk line by line with the exact checker and raise its first error."""
    for line in lines:
        row = check_line(line, lineno, prev)
        if row[1] not in state:
            raise FairdrawError("POOL_MISMATCH", f"号池中的分层 {row[1].decode()!r} 不在已承诺的分层中")
        prev = row[0]
        lineno += 1


def _scan_rows(rows: Iterable[Row], state: dict, base, excluded: list) -> None:
    """The same pass over rows (PoolUnit input, any order)."""
    for r in rows:
        st = state.get(r[1])
        if st is None:
            raise FairdrawError("POOL_MISMATCH", f"号池中的分层 {r[1].decode()!r} 不在已承诺的分层中")
        if r[5]:
            st[1] += 1
            excluded.append((r[0], r[1], r[5]))
            continue
        st[0] += 1
        if st[2] is None:
            continue
        h = base.copy()
        h.update(r[0])
        k = h.digest()
        if k <= st[2]:
            st[3].append((k, r[0], r))  # the row itself
            if len(st[3]) == st[4]:
                _prune(st)


def _rows(pool: bytes | Iterable[PoolUnit] | Iterable[Row]) -> Iterable[Row]:
    if isinstance(pool, (bytes, bytearray, memoryview)):
        return iter_rows(pool)
    return (unit_to_row(u) if isinstance(u, PoolUnit) else u for u in pool)


def _row(uid: bytes, item: bytes | Row) -> Row:
    """The row of a kept unit from its id and line tail (or the row itself)."""
    if isinstance(item, tuple):
        return item
    stratum, w, region, spec, reason = item.split(b"\t")
    return (uid, stratum, int(w), region, spec, reason)


def select(
    pool: bytes | Iterable[PoolUnit], allocation: Allocation, seed: bytes, plan: DrawPlan, suite: HashSuite = SHA256
) -> DrawResult:
    """Run the selection.  ``pool`` is the canonical snapshot bytes or any
    iterable of PoolUnit (order does not matter).  Its per-stratum counts must
    equal the allocation's (i.e. the commitment's)."""
    state: dict[bytes, list] = {}
    for h, a in allocation.strata.items():
        pivotal = a.method == "pivotal"
        state[h.encode()] = _Stratum.new(pivotal, -1 if pivotal else a.n + min(plan.substitutes, a.eligible - a.n))
    excluded: list[tuple[bytes, bytes, bytes]] = []
    base = unit_key_hasher(seed, suite)
    if isinstance(pool, (bytes, bytearray, memoryview)):
        _scan_bytes(check_pool_buffer(pool, text=False), state, base, excluded)
    else:
        _scan_rows((unit_to_row(u) if isinstance(u, PoolUnit) else u for u in pool), state, base, excluded)
    for h, a in allocation.strata.items():
        st = state[h.encode()]
        if (st[0], st[1]) != (a.eligible, a.excluded):
            raise FairdrawError(
                "POOL_MISMATCH",
                f"分层 {h} 的号池数量（可抽 {st[0]}，排除 {st[1]}）"
                f"与承诺（可抽 {a.eligible}，排除 {a.excluded}）不一致",
            )
    units = _Units()
    strata = {}
    for h in sorted(allocation.strata):
        a = allocation.strata[h]
        st = state[h.encode()]
        buf = st[3]
        buf.sort()
        if a.method != "pivotal":
            del buf[max(st[5], 0) :]
            strata[h] = _finish_srs(h, a.eligible, a.n, buf, units._raw)
        else:
            items = [(k, uid, _row(uid, x)) for k, uid, x in buf]
            strata[h] = _finish_pivotal(h, a.eligible, a.n, plan.substitutes, items, seed, units._raw, suite)
    excluded.sort()
    ex = tuple((u.decode(), h.decode(), why.decode()) for u, h, why in excluded)
    return DrawResult(seed.hex(), strata, ex, units)


def _finish_srs(h: str, eligible: int, n: int, order: list, units: dict) -> StratumSelection:
    """``order``: the kept (key, unit id, line or row) in ascending (key, unit id);
    ``units`` gets unit id -> (unit id bytes, line tail or row)."""
    ids = [uid.decode() for _, uid, _ in order]
    units.update(zip(ids, ((uid, x) for _, uid, x in order), strict=True))
    sel = tuple(ids[:n])
    subs = tuple(ids[n:])
    tk, tu = (order[n - 1][0].hex(), sel[-1]) if n else ("", "")
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
    h: str, eligible: int, n: int, n_subs: int, items: list, seed: bytes, units: dict, suite: HashSuite = SHA256
) -> StratumSelection:
    """``items``: every eligible (key, unit id, row) of the stratum in ascending (key, unit id)."""
    weights = [t[2][2] for t in items]
    certain, nf, W = pivotal_probabilities(weights, n)
    chosen = list(certain)
    if nf > 0:
        hb = h.encode()
        idx = [j for j in range(len(items)) if not certain[j]]

        def decide(p: int, num: int, den: int) -> bool:
            return uniform_below(seed, "pivot", (hb, items[idx[p]][1]), den, suite) < num

        flags = ordered_pivotal([nf * weights[j] for j in idx], W, decide)
        for p, j in enumerate(idx):
            chosen[j] = flags[p]
    sel = [j for j in range(len(items)) if chosen[j]]
    subs = [j for j in range(len(items)) if not chosen[j]][:n_subs]
    for j in sel + subs:
        units[items[j][1].decode()] = (items[j][1], items[j][2])
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


def random_order(pool: bytes | Iterable[PoolUnit], seed: bytes, stratum: str, suite: HashSuite = SHA256) -> list[str]:
    """All eligible unit ids of one stratum in the draw's random order
    (ascending (K_i, unit_id bytes)); O(E_h) memory.  Substitutes beyond the
    published list are taken from this order (spec §7.4)."""
    hb = stratum.encode()
    base = unit_key_hasher(seed, suite)
    keyed = []
    for r in _rows(pool):
        if r[1] == hb and not r[5]:
            hs = base.copy()
            hs.update(r[0])
            keyed.append((int.from_bytes(hs.digest(), "big"), r[0]))
    keyed.sort()
    return [uid.decode() for _, uid in keyed]
