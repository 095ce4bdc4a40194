"""Public verification of a draw: re-run fairdraw on the stored bytes, and a unit's self-check (spec §7.2).

Verification calls `fairdraw.verify_manifest` directly on the stored pool/roster/manifest — the same
check as the stand-alone verifier and as the draws app's `draw_verify`, but without writing an audit
event for every anonymous page view. The outcome is cached per manifest hash (a 1M-unit pool takes
seconds to re-run), so repeated visits cannot be used to load the server. Files that fail their
SHA-256 check are reported as such (status CORRUPTED), never verified.

The self-check never reads the pool file: it looks the unit up in the per-draw pool index
(`draws.DrawPoolEntry`, written when the draw runs and back-filled by its migration) — one B-tree
probe — and recomputes the unit's key from the public seed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.core.cache import cache

from shuangsuiji import fairdraw as fd
from shuangsuiji.draws import selectors as draw_selectors
from shuangsuiji.draws.choices import FileKind
from shuangsuiji.draws.files import DrawFileCorrupted
from shuangsuiji.fairdraw.verifier import short_repr

CACHE_SECONDS = 6 * 3600


STATUS_ZH = {"VERIFIED": "核验通过", "DIFFERENT": "不一致", "MALFORMED": "文件格式错误", "CORRUPTED": "文件校验失败"}


@dataclass(frozen=True)
class PublicReport:
    status: str  # VERIFIED | DIFFERENT | MALFORMED | CORRUPTED (a stored file fails its SHA-256 check)
    text: str  # the verifier's own output (what `python -m shuangsuiji.fairdraw.verify` prints)
    path: str | None = None
    display: str = ""  # the same verdict in plain Chinese, for the public page
    commitment_hash: str = ""
    public_values: tuple = ()
    seed: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "VERIFIED"

    @property
    def status_zh(self) -> str:
        return STATUS_ZH.get(self.status, self.status)


def _display(report: fd.VerifyReport) -> str:
    """The verdict without the verifier's English status word: 核验通过 / 不一致 / 文件格式错误."""
    head = STATUS_ZH[report.status]
    if report.status == "VERIFIED":
        return f"{head}：{report.message}" + "".join(f"\n注意：{n}" for n in report.notes)
    if report.status == "DIFFERENT":
        return (
            f"{head}：第一处不同在 {report.path}。{report.message}\n"
            f"公布的值：{short_repr(report.expected)}\n重新计算的值：{short_repr(report.actual)}"
        )
    return f"{head}：{report.message}"


def verify(draw) -> PublicReport | None:
    """None when the draw has no manifest yet."""
    if not draw.manifest_hash:
        return None
    key = f"gs:verify2:{draw.pk}:{draw.manifest_hash}:{draw.pool_digest}:{draw.roster_digest}"
    cached = cache.get(key)
    if cached is not None:
        return PublicReport(**cached)
    try:
        manifest = draw.file_bytes(FileKind.MANIFEST)
        if manifest is None:
            return None
        pool, roster = draw.file_bytes(FileKind.POOL), draw.file_bytes(FileKind.ROSTER)
    except DrawFileCorrupted as exc:  # not cached: an administrator may restore the file
        return PublicReport(
            status="CORRUPTED", text=f"CORRUPTED 文件校验失败：{exc.message}", display=f"文件校验失败：{exc.message}"
        )
    report = fd.verify_manifest(manifest, pool or b"", roster)
    result = {
        "status": report.status, "text": report.text(), "path": report.path, "display": _display(report),
        "commitment_hash": report.commitment_hash, "public_values": tuple(report.public_values), "seed": report.seed,
    }  # fmt: skip
    cache.set(key, result, CACHE_SECONDS)
    return PublicReport(**result)


def manifest_of(draw) -> dict | None:
    """The parsed manifest; None before the draw ran, or if the stored file fails its SHA-256 check
    (the verification page then says CORRUPTED, see `verify`)."""
    try:
        data = draw.file_bytes(FileKind.MANIFEST)
    except DrawFileCorrupted:
        return None
    return json.loads(data) if data else None


@dataclass(frozen=True)
class SelfCheck:
    code: str
    in_pool: bool
    stratum: str = ""
    excluded_reason: str = ""
    method: str = ""
    key: str = ""
    threshold_key: str = ""
    threshold_unit: str = ""
    by_key: bool | None = None  # srs: key ≤ threshold
    selected: bool = False  # listed in the manifest's selected units
    substitute_rank: int | None = None
    probability: str = ""
    eligible: int = 0
    n: int = 0

    @property
    def consistent(self) -> bool:
        return self.by_key is None or self.by_key == self.selected


def self_check(draw, code: str, *, manifest: dict | None = None) -> SelfCheck:
    """Where does unit `code` stand in this draw? Recomputes its key K = SHA-256(seed ‖ 0 "unit" 0 ‖ id)."""
    code = (code or "").strip().upper()
    manifest = manifest if manifest is not None else manifest_of(draw)
    if manifest is None or not code:
        return SelfCheck(code=code, in_pool=False)
    entry = draw_selectors.pool_entry(draw, code)
    if entry is None:
        return SelfCheck(code=code, in_pool=False)
    stratum, reason = entry.stratum, entry.excluded_reason
    if reason:
        return SelfCheck(code=code, in_pool=True, stratum=stratum, excluded_reason=reason)
    sel = manifest["selection"].get(stratum, {})
    key = fd.key_hex(fd.unit_key(bytes.fromhex(manifest["seed"]), code))
    threshold = sel.get("threshold") or {"key": "", "unit_id": ""}
    by_key = None
    if sel.get("method") == "srs":
        by_key = bool(threshold["key"]) and (key, code.encode()) <= (threshold["key"], threshold["unit_id"].encode())
    substitutes = sel.get("substitutes", [])
    return SelfCheck(
        code=code, in_pool=True, stratum=stratum, method=sel.get("method", ""), key=key,
        threshold_key=threshold["key"], threshold_unit=threshold["unit_id"], by_key=by_key,
        selected=code in sel.get("selected", []),
        substitute_rank=substitutes.index(code) + 1 if code in substitutes else None,
        probability=sel.get("probability", ""), eligible=sel.get("eligible", 0), n=sel.get("n", 0),
    )  # fmt: skip


def unit_proof(draw, unit_id: str) -> dict | None:
    """The inclusion proof of one unit against the commitment's `pool_merkle_root` (fairdraw spec §3.1), or None
    (commitment without a root, unit not in the pool). O(log N) hashes; built once per unit from the pool
    snapshot and cached like the verification."""
    if draw_selectors.pool_entry(draw, unit_id) is None:
        return None
    key = f"gs:proof:{draw.pk}:{draw.pool_digest}:{unit_id}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    commitment = json.loads(draw.file_bytes(FileKind.COMMITMENT))
    if "pool_merkle_root" not in commitment:
        return None
    proof = fd.merkle.inclusion_proof(draw.file_bytes(FileKind.POOL), unit_id, draw.code)
    cache.set(key, proof, CACHE_SECONDS)
    return proof
