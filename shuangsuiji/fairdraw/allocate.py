"""Sample sizes per stratum (spec §6).

target_h = rate_h · E_h (E_h = eligible units of stratum h; certainty strata: E_h).
n_h      = floor(target_h) + B_h, where the B_h come from *seeded pivotal
           rounding* of the fractional parts, so P(B_h = 1) = frac(target_h)
           exactly, hence E[n_h] = rate_h · E_h exactly, and Σ n_h equals
           Σ target_h whenever that sum is an integer.
then     n_h = clamp(n_h, min(min_h, E_h), min(max_h, E_h)).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from math import floor

from .canon import format_fraction
from .hashsuite import SHA256, HashSuite
from .keys import bernoulli
from .plan import DrawPlan

ALLOC_TAG = b"\x00alloc\x00"


@dataclass(frozen=True)
class StratumAllocation:
    stratum: str
    total: int
    eligible: int
    excluded: int
    method: str
    certainty: bool
    rate: Fraction
    target: Fraction  # expected sample size before clamps
    rounded: int  # after seeded rounding
    n: int  # final sample size
    clamp: str  # "" | "min" | "max" | "certainty"

    @property
    def probability(self) -> str:
        """Inclusion probability of each eligible unit given n (srs strata), as "n/E"."""
        return f"{self.n}/{self.eligible}"

    def to_dict(self) -> dict:
        return {
            "total": self.total,
            "eligible": self.eligible,
            "excluded": self.excluded,
            "method": self.method,
            "certainty": self.certainty,
            "rate": format_fraction(self.rate),
            "target": format_fraction(self.target),
            "rounded": self.rounded,
            "n": self.n,
            "clamp": self.clamp,
        }


@dataclass(frozen=True)
class Allocation:
    strata: dict[str, StratumAllocation]

    @property
    def total_n(self) -> int:
        return sum(a.n for a in self.strata.values())

    def to_dict(self) -> dict:
        return {h: a.to_dict() for h, a in sorted(self.strata.items())}


def rounding_order(seed: bytes, strata: list[str], suite: HashSuite = SHA256) -> list[str]:
    """Strata sorted by (H(seed || 0x00 "alloc" 0x00 || stratum), stratum bytes)."""

    def key(h: str) -> tuple[bytes, bytes]:
        b = h.encode()
        return suite.new(seed + ALLOC_TAG + b).digest(), b

    return sorted(strata, key=key)


def pivotal_round(seed: bytes, fracs: Mapping[str, Fraction], decide=None, suite: HashSuite = SHA256) -> dict[str, int]:
    """Ordered pivotal rounding of fractional parts in [0, 1); returns 0/1 per stratum.

    ``decide(tag, parts, p)`` returns True with probability p (default: the
    seeded ``bernoulli``); tests replace it to enumerate all outcomes exactly.
    """
    if decide is None:

        def decide(tag: str, parts: tuple[bytes, ...], p: Fraction) -> bool:
            return bernoulli(seed, tag, parts, p, suite)

    out: dict[str, int] = {}
    carry: tuple[str, Fraction] | None = None
    for h in rounding_order(seed, [h for h, f in fracs.items() if f > 0], suite):
        a = fracs[h]
        if carry is None:
            carry = (h, a)
            continue
        c, ac = carry
        s = ac + a
        parts = (c.encode(), h.encode())
        if s < 1:
            if decide("alloc", parts, ac / s):  # open stratum keeps s
                out[h], carry = 0, (c, s)
            else:
                out[c], carry = 0, (h, s)
        else:
            if decide("alloc", parts, (1 - a) / (2 - s)):  # open stratum rounds up
                out[c], carry = 1, (h, s - 1)
            else:
                out[h], carry = 1, (c, s - 1)
            if carry[1] == 0:
                out[carry[0]], carry = 0, None
    if carry is not None:
        c, ac = carry
        out[c] = int(decide("alloc-final", (c.encode(),), ac))
    return out


def allocate(
    strata: Mapping[str, Mapping[str, int] | int], plan: DrawPlan, seed: bytes, suite: HashSuite = SHA256
) -> Allocation:
    """Sample size per stratum.

    ``strata`` is the commitment's ``{"h": {"total", "eligible", "excluded"}}``
    (or simply ``{"h": eligible_count}``).
    """
    counts = {}
    for h, c in strata.items():
        counts[h] = (c, c, 0) if isinstance(c, int) else (c["total"], c["eligible"], c["excluded"])
    targets: dict[str, Fraction] = {}
    for h, (_, e, _) in counts.items():
        r = plan.rule_for(h)
        targets[h] = Fraction(e) if r.certainty else r.rate * e
    rounding = pivotal_round(seed, {h: t - floor(t) for h, t in targets.items()}, suite=suite)
    out = {}
    for h in sorted(counts):
        total, e, x = counts[h]
        r = plan.rule_for(h)
        t = targets[h]
        rounded = floor(t) + rounding.get(h, 0)
        n, clamp = rounded, "certainty" if r.certainty else ""
        if not r.certainty:
            lo = min(r.min_n, e)
            hi = e if r.max_n is None else min(r.max_n, e)
            if n < lo:
                n, clamp = lo, "min"
            elif n > hi:
                n, clamp = hi, "max"
        out[h] = StratumAllocation(h, total, e, x, r.method, r.certainty, r.rate, t, rounded, n, clamp)
    return Allocation(out)
