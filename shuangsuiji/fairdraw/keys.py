"""Seeded random numbers, integers only (spec §5).

All hashes are H of the draw's hash suite (``hashsuite``; SHA-256 by default).

* ``unit_key``      K_i = H(seed || 0x00 "unit" 0x00 || unit_id), a 256-bit integer.
* ``uniform_below`` an exactly uniform integer in [0, m) by rejection sampling.
* ``bernoulli``     True with probability exactly p (a Fraction).
* ``sub_seed``      H(LP("SRV1/" tag, seed)) for an independent stream.
"""

from __future__ import annotations

import hashlib
from fractions import Fraction

from .canon import lp
from .hashsuite import SHA256, HashSuite

UNIT_TAG = b"\x00unit\x00"
_TWO256 = 1 << 256


def unit_key_hasher(seed: bytes, suite: HashSuite = SHA256) -> hashlib._Hash:
    """A hash object (of the suite) already fed with ``seed || 0x00 "unit" 0x00``; copy() it per unit."""
    return suite.new(seed + UNIT_TAG)


def unit_key(seed: bytes, unit_id: str | bytes, suite: HashSuite = SHA256) -> int:
    uid = unit_id.encode() if isinstance(unit_id, str) else unit_id
    return int.from_bytes(suite.new(seed + UNIT_TAG + uid).digest(), "big")


def key_hex(k: int) -> str:
    return format(k, "064x")


def sub_seed(seed: bytes, tag: str, suite: HashSuite = SHA256) -> bytes:
    return suite.new(lp(b"SRV1/" + tag.encode(), seed)).digest()


def uniform_below(seed: bytes, tag: str, parts: tuple[bytes, ...], m: int, suite: HashSuite = SHA256) -> int:
    """Exactly uniform integer in [0, m).

    x_c = H(LP("SRV1/" tag, seed, *parts, uint32_be(c))) as a 256-bit
    integer for c = 0, 1, ...; the first x_c < floor(2^256 / m) * m gives x_c mod m.
    """
    if not 0 < m < (1 << 200):
        raise ValueError("m out of range")
    limit = (_TWO256 // m) * m
    head = lp(b"SRV1/" + tag.encode(), seed, *parts)
    new = suite.new
    c = 0
    while True:
        x = int.from_bytes(new(head + lp(c.to_bytes(4, "big"))).digest(), "big")
        if x < limit:
            return x % m
        c += 1


def bernoulli(seed: bytes, tag: str, parts: tuple[bytes, ...], p: Fraction, suite: HashSuite = SHA256) -> bool:
    """True with probability exactly p = a/b: uniform_below(b) < a."""
    if p <= 0:
        return False
    if p >= 1:
        return True
    return uniform_below(seed, tag, parts, p.denominator, suite) < p.numerator


PSEUDONYM_PREFIX = "ZF-"


def inspector_pseudonym(salt: bytes, cert_no: str, suite: HashSuite = SHA256) -> str:
    """Pseudonymous inspector id for the public roster (spec §4.2.1):
    "ZF-" + the first 24 hex digits of H(LP("SRV1/pseudonym", salt, utf8(cert_no))), H of ``suite``.

    The salt (16 random bytes per inspector) is given only to oversight (纪检) and to the inspector, who can
    recompute the pseudonym from the 执法证号; without it the pseudonym reveals nothing about the number."""
    if len(salt) < 16:
        raise ValueError("salt must have at least 16 bytes")
    return PSEUDONYM_PREFIX + suite.new(lp(b"SRV1/pseudonym", salt, cert_no.encode("utf-8"))).hexdigest()[:24]
