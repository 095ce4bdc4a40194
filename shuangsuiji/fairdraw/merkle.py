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

import json
import re
import struct
from collections.abc import Mapping
from fractions import Fraction
from typing import BinaryIO

from .canon import format_fraction, load_json_bytes
from .errors import FairdrawError, MalformedInput
from .hashsuite import SHA256, HashSuite, get_suite
from .keys import key_hex, unit_key
from .seed import derive_seed
from .snapshot import POOL_HEADER, iter_rows

PROOF_FORMAT = "fairdraw-proof/1"  # the unit's row only
PROOF_FORMAT_2 = "fairdraw-proof/2"  # the row and the unit's outcome in the draw (spec §3.1)
PROOF_FORMATS = (PROOF_FORMAT, PROOF_FORMAT_2)
PROOF_KEYS = ("format", "draw_id", "unit_id", "row", "index", "size", "path", "root")
# fairdraw-proof/2 adds what a unit needs to see why it was (or was not) selected, without the pool:
OUTCOME_KEYS = (
    "commitment_hash", "public_values", "seed", "key", "method", "probability", "threshold", "selected",
    "substitute_rank", "manifest_sha256",
)  # fmt: skip
# An SM3 proof also has "hash": "sm3"; a SHA-256 proof has no "hash" key (spec §3.1).
PROOF_KEYS_SM3 = (*PROOF_KEYS, "hash")
_HEX64 = re.compile(r"[0-9a-f]{64}")
NO_THRESHOLD = {"key": "", "unit_id": ""}  # the manifest's threshold when there is none (n = 0, pivotal; spec §7)


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


def unit_probability(selection: Mapping, unit_id: str, weight_ppm: int) -> Fraction:
    """The unit's exact inclusion probability from its stratum's manifest ``selection`` (spec §7.2, §7.3): ``n/E``
    for srs; 1 for a capped pivotal unit, else n′·w/W (0 when W = 0)."""
    prob = selection["probability"]
    if "*w/" in prob:
        if unit_id in (selection.get("pivotal") or {}).get("certain", ()):
            return Fraction(1)
        factor, denominator = (int(x) for x in prob.split("*w/"))
        return Fraction(factor * weight_ppm, denominator) if denominator else Fraction(0)
    n, _, e = prob.partition("/")
    return Fraction(int(n), int(e)) if int(e) else Fraction(0)


def unit_outcome(manifest: Mapping, row: bytes, manifest_sha256: str) -> dict:
    """The `fairdraw-proof/2` keys of one unit (its row as in the snapshot) taken from the draw's manifest."""
    uid, stratum, weight, _region, _specialty, reason = row.decode("utf-8").split("\t")
    suite = get_suite(manifest["commitment"].get("hash"))
    seed = bytes.fromhex(manifest["seed"])
    sel = manifest["selection"].get(stratum) or {"method": "srs", "probability": "0/0"}
    substitutes = list(sel.get("substitutes", ()))
    excluded = bool(reason)
    return {
        "commitment_hash": manifest["commitment_hash"],
        "public_values": list(manifest["public_values"]),
        "seed": manifest["seed"],
        "key": key_hex(unit_key(seed, uid, suite)),
        "method": sel["method"],
        "probability": format_fraction(Fraction(0) if excluded else unit_probability(sel, uid, int(weight))),
        "threshold": dict(sel.get("threshold") or NO_THRESHOLD),
        "selected": uid in sel.get("selected", ()),
        "substitute_rank": substitutes.index(uid) + 1 if uid in substitutes else None,
        "manifest_sha256": manifest_sha256,
    }


def inclusion_proof(
    pool_bytes: bytes,
    unit_id: str,
    draw_id: str = "",
    suite: HashSuite = SHA256,
    *,
    manifest: Mapping | None = None,
    manifest_sha256: str = "",
) -> dict:
    """The proof that ``unit_id``'s row is in the snapshot (FairdrawError UNIT_NOT_IN_POOL if it is not). With the
    draw's ``manifest`` (and the SHA-256 of its published bytes): a `fairdraw-proof/2` that also carries the unit's
    key, probability and outcome; without it the row-only `fairdraw-proof/1`."""
    leaves = pool_leaves(pool_bytes)
    index = _find(leaves.__getitem__, len(leaves), unit_id)
    levels = _levels(leaves, suite)
    return _proof(
        unit_id, leaves[index], index, len(leaves), _path(levels, index), levels[-1][0], draw_id, suite,
        manifest, manifest_sha256,
    )  # fmt: skip


def _find(row_at, size: int, unit_id: str) -> int:
    """The index of ``unit_id``'s row (rows are sorted by unit id, bytewise): a binary search, O(log N) rows read."""
    wanted = unit_id.encode("utf-8")
    lo, hi = 0, size
    while lo < hi:
        mid = (lo + hi) // 2
        if row_at(mid).split(b"\t", 1)[0] < wanted:
            lo = mid + 1
        else:
            hi = mid
    if lo == size or not row_at(lo).startswith(wanted + b"\t"):
        raise FairdrawError("UNIT_NOT_IN_POOL", f"检查对象 {unit_id} 不在号池快照中")
    return lo


def _proof(unit_id, row: bytes, index: int, size: int, path, root: bytes, draw_id, suite, manifest, manifest_sha256):
    proof = {
        "format": PROOF_FORMAT,
        "draw_id": draw_id,
        "unit_id": unit_id,
        "row": row.decode("utf-8"),
        "index": index,
        "size": size,
        "path": [h.hex() for h in path],
        "root": root.hex(),
    }
    if suite is not SHA256:
        proof["hash"] = suite.name
    if manifest is not None:
        proof["format"] = PROOF_FORMAT_2
        proof.update(unit_outcome(manifest, row, manifest_sha256))
    return proof


# --- a tree file: proofs served in O(log N) reads -------------------------------------------------------------
#
# Building a proof from the snapshot hashes all N leaves. A server answering many units of one large draw writes
# the whole tree once (`write_tree`) and answers each unit from it (`TreeFile.proof`) with O(log N) reads: a binary
# search over the rows and one node per level. The file is derived data, not part of the spec: a proof served
# from a damaged file fails `verify_inclusion` against the committed root like any other wrong proof.
#
#   TREE_MAGIC, then one line of JSON {"size": N, "levels": [nodes per level, leaves first], "digest_size": d,
#   "hash": suite}, then N+1 big-endian u64 offsets of the rows within the rows block, the rows block (the data
#   lines, each with its LF), and the levels' nodes, level by level, d bytes each.

TREE_MAGIC = b"fairdraw-merkle-tree/1\n"


def write_tree(pool_bytes: bytes, out: BinaryIO, suite: HashSuite = SHA256) -> str:
    """Write the tree file of a snapshot to ``out``; returns the root (hex)."""
    leaves = pool_leaves(pool_bytes)
    levels = _levels(leaves, suite) if leaves else [[suite.new(b"").digest()]]
    header = {"size": len(leaves), "levels": [len(level) for level in levels], "digest_size": len(levels[-1][0]),
              "hash": suite.name}  # fmt: skip
    out.write(TREE_MAGIC + json.dumps(header, sort_keys=True).encode("ascii") + b"\n")
    offset, offsets = 0, [0]
    for row in leaves:
        offset += len(row) + 1
        offsets.append(offset)
    out.write(struct.pack(f">{len(offsets)}Q", *offsets))
    for row in leaves:
        out.write(row + b"\n")
    for level in levels:
        out.write(b"".join(level))
    return levels[-1][0].hex()


class TreeFile:
    """Reads a tree file (``write_tree``) from a seekable binary file: each proof costs O(log N) reads."""

    def __init__(self, f: BinaryIO):
        self.f = f
        if f.read(len(TREE_MAGIC)) != TREE_MAGIC:
            raise FairdrawError("TREE_FILE", "默克尔树文件格式不符")
        try:
            header = json.loads(f.readline())
            self.size, self.digest_size = int(header["size"]), int(header["digest_size"])
            self.suite, self.level_sizes = get_suite(header["hash"]), [int(n) for n in header["levels"]]
        except (ValueError, KeyError, TypeError, FairdrawError):
            raise FairdrawError("TREE_FILE", "默克尔树文件格式不符") from None
        self.offsets_at = f.tell()
        self.rows_at = self.offsets_at + 8 * (self.size + 1)
        rows_length = self._offset(self.size)
        self.level_at, at = [], self.rows_at + rows_length
        for count in self.level_sizes:
            self.level_at.append(at)
            at += count * self.digest_size

    def _read(self, at: int, length: int) -> bytes:
        self.f.seek(at)
        data = self.f.read(length)
        if len(data) != length:
            raise FairdrawError("TREE_FILE", "默克尔树文件不完整")
        return data

    def _offset(self, i: int) -> int:
        return struct.unpack(">Q", self._read(self.offsets_at + 8 * i, 8))[0]

    def row(self, i: int) -> bytes:
        start, end = struct.unpack(">QQ", self._read(self.offsets_at + 8 * i, 16))
        return self._read(self.rows_at + start, end - start - 1)

    def node(self, level: int, i: int) -> bytes:
        return self._read(self.level_at[level] + i * self.digest_size, self.digest_size)

    def root(self) -> bytes:
        return self.node(len(self.level_sizes) - 1, 0)

    def path(self, index: int) -> list[bytes]:
        path = []
        for level, count in enumerate(self.level_sizes[:-1]):
            if (index ^ 1) < count:
                path.append(self.node(level, index ^ 1))
            index //= 2
        return path

    def proof(self, unit_id: str, draw_id: str = "", *, manifest: Mapping | None = None,
              manifest_sha256: str = "") -> dict:  # fmt: skip
        """``inclusion_proof`` of the snapshot the file was written from (same dict), in O(log N) reads."""
        index = _find(self.row, self.size, unit_id)
        return _proof(
            unit_id, self.row(index), index, self.size, self.path(index), self.root(), draw_id, self.suite,
            manifest, manifest_sha256,
        )  # fmt: skip


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


def verify_inclusion(
    proof: Mapping | bytes, root: str | None = None, hash_name: str | None = None, commitment_hash: str | None = None
) -> dict:
    """Check a proof (dict or JSON bytes) against ``root`` (the committed ``pool_merkle_root``; default the
    proof's own).  ``hash_name``: the commitment's ``hash`` when known; the proof must name the same suite.
    ``commitment_hash``: the commitment's hash when known; a `fairdraw-proof/2` must name it (PROOF_OUTCOME).
    Returns the unit's fields; MalformedInput for a broken proof, FairdrawError PROOF_INVALID
    when the path does not lead to the root (HASH_UNAVAILABLE when SM3 cannot be computed here)."""
    p = load_json_bytes(proof, "包含证明") if isinstance(proof, (bytes, bytearray)) else proof
    keys = PROOF_KEYS_SM3 if isinstance(p, Mapping) and "hash" in p else PROOF_KEYS
    second = isinstance(p, Mapping) and p.get("format") == PROOF_FORMAT_2
    if (
        not isinstance(p, Mapping)
        or set(p) != set(keys) | (set(OUTCOME_KEYS) if second else set())
        or p["format"] not in PROOF_FORMATS
        or (keys is PROOF_KEYS_SM3 and p["hash"] != "sm3")
    ):
        raise MalformedInput(
            "PROOF_FORMAT",
            f"包含证明的格式应为 {PROOF_FORMAT}（字段 {list(PROOF_KEYS)}）或 {PROOF_FORMAT_2}（另有 "
            f'{list(OUTCOME_KEYS)}）；SM3 证明另有 "hash": "sm3"',
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
    unit = {"unit_id": uid, "stratum": stratum, "weight_ppm": weight, "region": region, "specialty": specialty,
            "excluded_reason": reason, "index": p["index"], "size": p["size"], "root": got,
            "hash": name}  # fmt: skip
    if second:
        unit["outcome"] = check_outcome(p, suite, commitment_hash)
    return unit


def _outcome_malformed(field: str, what: str) -> MalformedInput:
    return MalformedInput("PROOF_FORMAT", f"包含证明的 {field} 应为{what}")


def check_outcome(p: Mapping, suite: HashSuite, commitment_hash: str | None = None) -> dict:
    """Check the `fairdraw-proof/2` outcome keys (spec §3.1): the seed is the one derived from the commitment hash
    and the public values, the key is the unit's key under that seed, and (srs) the selected flag agrees with the
    key and the threshold. FairdrawError PROOF_OUTCOME (with ``detail["path"]``) when they disagree."""
    for field in ("commitment_hash", "seed", "key", "manifest_sha256"):
        if not isinstance(p[field], str) or not _HEX64.fullmatch(p[field]):
            raise _outcome_malformed(field, " 64 位小写十六进制")
    if not isinstance(p["public_values"], list) or not all(isinstance(v, str) for v in p["public_values"]):
        raise _outcome_malformed("public_values", "字符串列表")
    if p["method"] not in ("srs", "pivotal"):
        raise _outcome_malformed("method", " srs 或 pivotal")
    prob = p["probability"]
    m = re.fullmatch(r"(0|[1-9][0-9]*)/([1-9][0-9]*)", prob) if isinstance(prob, str) else None
    if not m or Fraction(int(m[1]), int(m[2])) > 1 or format_fraction(Fraction(int(m[1]), int(m[2]))) != prob:
        raise _outcome_malformed("probability", "不大于 1 的最简分数，如 13/270")
    thr = p["threshold"]
    if (
        not isinstance(thr, Mapping)
        or set(thr) != {"key", "unit_id"}
        or not isinstance(thr["key"], str)
        or not isinstance(thr["unit_id"], str)
        or (thr["key"] == "") != (thr["unit_id"] == "")
        or (thr["key"] and (p["method"] != "srs" or not _HEX64.fullmatch(thr["key"])))
    ):
        raise _outcome_malformed("threshold", '抽取结果清单中的阈值 {"key", "unit_id"}（无阈值时均为 ""）')
    if not isinstance(p["selected"], bool):
        raise _outcome_malformed("selected", " true 或 false")
    rank = p["substitute_rank"]
    if rank is not None and (isinstance(rank, bool) or not isinstance(rank, int) or rank < 1):
        raise _outcome_malformed("substitute_rank", " null 或正整数")

    def differ(path: str, message: str) -> FairdrawError:
        return FairdrawError("PROOF_OUTCOME", message, path=path)

    if commitment_hash is not None and p["commitment_hash"] != commitment_hash.lower():
        raise differ("commitment_hash", f"包含证明中的承诺哈希 {p['commitment_hash']} 不是承诺记录的 {commitment_hash}")
    seed = derive_seed(p["commitment_hash"], p["public_values"], suite)
    if seed.hex() != p["seed"]:
        raise differ("seed", f"随机种子 {p['seed']} 不是由承诺哈希和公开随机值算出的 {seed.hex()}")
    key = key_hex(unit_key(seed, p["unit_id"], suite))
    if key != p["key"]:
        raise differ("key", f"随机键 {p['key']} 不是由种子和单位代码算出的 {key}")
    probability = Fraction(prob)
    excluded = p["row"].split("\t")[5] != ""
    if excluded and (p["selected"] or rank is not None or probability):
        raise differ("selected", "已排除的单位不参加抽取：不能被抽中或列为候补，被抽中的机会为 0")
    by_key = None
    if p["method"] == "srs" and not excluded:
        by_key = bool(thr["key"]) and (key, p["unit_id"].encode()) <= (thr["key"], thr["unit_id"].encode())
        if by_key != p["selected"]:
            raise differ("selected", f"按随机键与抽中阈值，本单位应{'被抽中' if by_key else '未被抽中'}")
    if p["selected"] and rank is not None:
        raise differ("substitute_rank", "同一单位不能既被抽中又列为候补")
    if probability == 1 and not excluded and not p["selected"]:
        raise differ("selected", "被抽中的机会为 100% 的单位必然被抽中")
    if probability == 0 and p["selected"]:
        raise differ("selected", "被抽中的机会为 0 的单位不能被抽中")
    return {
        "commitment_hash": p["commitment_hash"], "public_values": list(p["public_values"]), "seed": p["seed"],
        "key": key, "method": p["method"], "probability": probability, "threshold": thr,
        "selected": p["selected"], "substitute_rank": rank, "by_key": by_key, "manifest_sha256": p["manifest_sha256"],
    }  # fmt: skip
