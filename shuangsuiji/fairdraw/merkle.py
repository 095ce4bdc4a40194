"""Merkle tree over the pool snapshot's rows (spec §3.1), RFC 6962 / RFC 9162 hashing.

Leaves are the snapshot's data lines, in file order (= ascending unit id), each **without** its LF:

    leaf(d)      = H(0x00 ‖ d)
    node(l, r)   = H(0x01 ‖ l ‖ r)
    MTH({})      = H("")

with H the commitment's hash suite (SHA-256 by default, SM3 for a ``"hash": "sm3"`` commitment).
    MTH(D[0:n])  = node(MTH(D[0:k]), MTH(D[k:n])), k = the largest power of two < n

An inclusion proof of one unit is the RFC 6962 audit path: O(log N) hashes, checked against the committed
``pool_merkle_root`` without the rest of the pool (``verify_inclusion``, the algorithm of RFC 9162 §2.1.3.2).
Standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping

from .canon import load_json_bytes
from .errors import FairdrawError, MalformedInput
from .hashsuite import SHA256, HashSuite, get_suite
from .snapshot import POOL_HEADER, iter_rows

PROOF_FORMAT = "fairdraw-proof/1"
PROOF_KEYS = ("format", "draw_id", "unit_id", "row", "index", "size", "path", "root")
# An SM3 proof also has "hash": "sm3"; a SHA-256 proof has no "hash" key (spec §3.1).
PROOF_KEYS_SM3 = (*PROOF_KEYS, "hash")


def leaf_hash(row: bytes, suite: HashSuite = SHA256) -> bytes:
    return suite.new(b"\x00" + row).digest()


def node_hash(left: bytes, right: bytes, suite: HashSuite = SHA256) -> bytes:
    return suite.new(b"\x01" + left + right).digest()


def pool_leaves(pool_bytes: bytes) -> list[bytes]:
    """The rows of a (strictly validated) snapshot, without LF, in file order."""
    for _ in iter_rows(pool_bytes):  # validates the whole file first
        pass
    body = bytes(pool_bytes)[len(POOL_HEADER) :]
    return body.split(b"\n")[:-1] if body else []


def _levels(leaves: list[bytes], suite: HashSuite = SHA256) -> list[list[bytes]]:
    """Bottom-up levels of the RFC 6962 tree: an odd last node is carried up unchanged (same root as the
    recursive definition, since k is the largest power of two below n)."""
    level = [leaf_hash(d, suite) for d in leaves]
    levels = [level]
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1], suite) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        levels.append(nxt)
        level = nxt
    return levels


def merkle_root(pool_bytes: bytes, suite: HashSuite = SHA256) -> str:
    leaves = pool_leaves(pool_bytes)
    if not leaves:
        return suite.hexdigest(b"")
    return _levels(leaves, suite)[-1][0].hex()


def _path(levels: list[list[bytes]], index: int) -> list[bytes]:
    path = []
    for level in levels[:-1]:
        sibling = index ^ 1
        if sibling < len(level):
            path.append(level[sibling])
        index //= 2
    return path


def inclusion_proof(pool_bytes: bytes, unit_id: str, draw_id: str = "", suite: HashSuite = SHA256) -> dict:
    """The proof that ``unit_id``'s row is in the snapshot (FairdrawError UNIT_NOT_IN_POOL if it is not)."""
    leaves = pool_leaves(pool_bytes)
    key = unit_id.encode("utf-8") + b"\t"
    lo, hi = 0, len(leaves)
    while lo < hi:  # rows are sorted by unit id (bytewise)
        mid = (lo + hi) // 2
        if leaves[mid].split(b"\t", 1)[0] < unit_id.encode("utf-8"):
            lo = mid + 1
        else:
            hi = mid
    if lo == len(leaves) or not leaves[lo].startswith(key):
        raise FairdrawError("UNIT_NOT_IN_POOL", f"检查对象 {unit_id} 不在号池快照中")
    levels = _levels(leaves, suite)
    proof = {
        "format": PROOF_FORMAT,
        "draw_id": draw_id,
        "unit_id": unit_id,
        "row": leaves[lo].decode("utf-8"),
        "index": lo,
        "size": len(leaves),
        "path": [h.hex() for h in _path(levels, lo)],
        "root": levels[-1][0].hex(),
    }
    if suite is not SHA256:
        proof["hash"] = suite.name
    return proof


def root_from_path(row: bytes, index: int, size: int, path: list[bytes], suite: HashSuite = SHA256) -> bytes:
    """RFC 9162 §2.1.3.2: the root implied by a leaf, its index, the tree size and the audit path."""
    if not 0 <= index < size:
        raise ValueError("index out of range")
    fn, sn = index, size - 1
    r = leaf_hash(row, suite)
    for p in path:
        if sn == 0:
            raise ValueError("path too long")
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r, suite)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p, suite)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ValueError("path too short")
    return r


def verify_inclusion(proof: Mapping | bytes, root: str | None = None, hash_name: str | None = None) -> dict:
    """Check a proof (dict or JSON bytes) against ``root`` (the committed ``pool_merkle_root``; default the
    proof's own).  ``hash_name``: the commitment's ``hash`` when known; the proof must name the same suite.
    Returns the unit's fields; MalformedInput for a broken proof, FairdrawError PROOF_INVALID
    when the path does not lead to the root (HASH_UNAVAILABLE when SM3 cannot be computed here)."""
    p = load_json_bytes(proof, "包含证明") if isinstance(proof, (bytes, bytearray)) else proof
    keys = PROOF_KEYS_SM3 if isinstance(p, Mapping) and "hash" in p else PROOF_KEYS
    if (
        not isinstance(p, Mapping)
        or set(p) != set(keys)
        or p["format"] != PROOF_FORMAT
        or (keys is PROOF_KEYS_SM3 and p["hash"] != "sm3")
    ):
        raise MalformedInput(
            "PROOF_FORMAT",
            f'包含证明的格式应为 {PROOF_FORMAT}，字段为 {list(PROOF_KEYS)}（SM3 证明另有 "hash": "sm3"）',
        )
    name = p.get("hash", "sha256")
    if hash_name is not None and hash_name != name:
        raise MalformedInput("PROOF_HASH", f"包含证明使用的哈希算法（{name}）与承诺记录的（{hash_name}）不同")
    suite = get_suite(name)
    try:
        row = p["row"].encode("utf-8")
        fields = row.split(b"\t")
        if len(fields) != 6 or fields[0].decode() != p["unit_id"] or b"\n" in row:
            raise ValueError("row")
        path = [bytes.fromhex(h) for h in p["path"]]
        if any(len(h) != 32 for h in path) or isinstance(p["index"], bool) or isinstance(p["size"], bool):
            raise ValueError("path")
        got = root_from_path(row, p["index"], p["size"], path, suite).hex()
    except (AttributeError, TypeError, ValueError) as e:
        raise MalformedInput("PROOF_FORMAT", f"包含证明无效：{e}") from e
    want = (root or p["root"]).lower()
    if got != want:
        raise FairdrawError("PROOF_INVALID", f"包含证明不成立：由证明算出的根 {got} 不是承诺的根 {want}")
    uid, stratum, weight, region, specialty, reason = (f.decode("utf-8") for f in fields)
    return {"unit_id": uid, "stratum": stratum, "weight_ppm": weight, "region": region, "specialty": specialty,
            "excluded_reason": reason, "index": p["index"], "size": p["size"], "root": got,
            "hash": name}  # fmt: skip
