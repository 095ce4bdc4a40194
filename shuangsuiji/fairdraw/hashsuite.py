"""Hash suites (spec §2.3): the one hash function ``H`` every step of a draw uses.

A commitment record names its suite in its ``hash`` field: ``"sha256"`` (SHA-256, FIPS 180-4, the default)
or ``"sm3"`` (SM3, GB/T 32905-2016, 32-byte digest, for offices whose 密码应用安全性评估 requires 国密
algorithms).  Pool digest, Merkle tree, roster digest, commitment hash, seed, unit keys, every
``uniform_below`` draw, the allocation and assignment keys, pseudonyms and the commitment log entry all use
the commitment's suite; only drand's own hashes (randomness = SHA-256(signature), the BLS message) stay
SHA-256, because the drand network defines them.

SM3 comes from ``hashlib`` (OpenSSL 1.1.1+ / 3.x); a Python without it cannot compute an SM3 draw, and
``get_suite("sm3")`` then raises ``FairdrawError("HASH_UNAVAILABLE", …)`` with a Chinese explanation.
Standard library only.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from .errors import FairdrawError

DEFAULT_SUITE = "sha256"
SUITE_NAMES = ("sha256", "sm3")


@dataclass(frozen=True)
class HashSuite:
    name: str  # the commitment's ``hash`` value: "sha256" | "sm3"
    label: str  # how formulas name it: "SHA-256" | "SM3"
    label_zh: str  # plain Chinese for the public pages
    new: Callable  # new(data=b"") -> a hashlib object (update / copy / digest)

    def digest(self, data: bytes) -> bytes:
        return self.new(data).digest()

    def hexdigest(self, data: bytes) -> str:
        return self.new(data).hexdigest()


SHA256 = HashSuite("sha256", "SHA-256", "SHA-256", hashlib.sha256)


def _sm3_new(data: bytes = b"") -> object:
    return hashlib.new("sm3", data)


SM3 = HashSuite("sm3", "SM3", "SM3（国密）", _sm3_new)
_SUITES = {"sha256": SHA256, "sm3": SM3}
SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"  # GB/T 32905-2016 A.1


@functools.cache
def sm3_available() -> bool:
    """True when this Python's hashlib computes SM3 correctly (checked against the standard's example)."""
    try:
        return hashlib.new("sm3", b"abc").hexdigest() == SM3_ABC
    except ValueError:
        return False


def get_suite(name: object) -> HashSuite:
    """The suite named ``name`` (a commitment's ``hash`` value).  FairdrawError HASH_SUITE for an unknown
    name, HASH_UNAVAILABLE when this Python cannot compute it (SM3 without OpenSSL support)."""
    suite = _SUITES.get(name) if isinstance(name, str) else None
    if suite is None:
        raise FairdrawError("HASH_SUITE", f"哈希算法应为 {' 或 '.join(SUITE_NAMES)}：{name!r}")
    if suite is SM3 and not sm3_available():
        raise FairdrawError(
            "HASH_UNAVAILABLE",
            "该抽查使用国密 SM3 哈希算法，但本机 Python 的 hashlib 不支持 SM3（需要 OpenSSL 1.1.1 或 3.x 且启用 SM3）。"
            "输入本身没有问题：请换用支持 SM3 的 Python（例如 python.org 发布的 3.10 及以上版本）再验证",
        )
    return suite


def suite_of(record: object) -> HashSuite:
    """The suite of a commitment record (its ``hash`` field)."""
    return get_suite(record.get("hash") if hasattr(record, "get") else None)
