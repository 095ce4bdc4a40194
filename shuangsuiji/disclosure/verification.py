"""Public verification of a draw: re-run fairdraw on the stored bytes, and a unit's self-check (spec §7.2).

Verification runs `fairdraw.verify_manifest` on the stored pool/roster/manifest — the same check as the
stand-alone verifier — in a background job (`draws.services.draw_reverify`, one audited run, not one per
page view). The outcome is stored on the draw (`draws.DrawVerification`; a 1M-unit pool takes seconds to
re-run), so repeated visits cannot be used to load the server and every app node shows the same result.
Files that fail their SHA-256 check are reported as such (status CORRUPTED), never verified.

The self-check never reads the pool file: it looks the unit up in the per-draw pool index
(`draws.DrawPoolEntry`, written when the draw runs and back-filled by its migration) — one B-tree
probe — and recomputes the unit's key from the public seed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.core.cache import cache

from shuangsuiji import fairdraw as fd
from shuangsuiji.core import jobs
from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.draws import files as draw_files
from shuangsuiji.draws import selectors as draw_selectors
from shuangsuiji.draws.choices import VERDICT_ZH as STATUS_ZH
from shuangsuiji.draws.choices import FileKind
from shuangsuiji.draws.files import DrawFileCorrupted
from shuangsuiji.draws.jobs import VERIFY
from shuangsuiji.draws.presentation import probability_text

PROOF_CACHE_SECONDS = 6 * 3600  # a unit's inclusion proof: derived from immutable files, safe in any cache


@dataclass(frozen=True)
class PublicReport:
    status: str  # VERIFIED | DIFFERENT | MALFORMED | CORRUPTED (a stored file fails its SHA-256 check) | PENDING
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
    def pending(self) -> bool:
        return self.status == "PENDING"

    @property
    def status_zh(self) -> str:
        return STATUS_ZH.get(self.status, self.status)


def verify(draw) -> PublicReport | None:
    """The stored re-verification of the draw's current files (`draws.DrawVerification`); None when the
    draw has no manifest yet. When none is stored, one background job computes it (`draws.verify`, started
    at most once however many visitors come) and the report says PENDING until it is stored."""
    if not draw.manifest_hash:
        return None
    row = draw_selectors.stored_verification(draw)
    if row is not None:
        details = row.details or {}
        return PublicReport(
            status=row.status, text=row.text, path=row.path or None, display=details.get("display", ""),
            commitment_hash=details.get("commitment_hash", ""), public_values=tuple(details.get("public_values", ())),
            seed=details.get("seed", ""),
        )  # fmt: skip
    jobs.start_once(
        user=SYSTEM, kind=VERIFY, title=f"公示页复核抽取结果：{draw.code}", params={"draw": draw.pk},
        region=draw.region,
    )  # fmt: skip
    return PublicReport(
        status="PENDING", text="", display="正在服务器上重新计算并比对本次抽取，本页每 5 秒自动刷新，完成后显示结论"
    )


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
    certain: bool = False  # pivotal: capped at probability 1 (spec §7.3), always selected

    @property
    def consistent(self) -> bool:
        return self.by_key is None or self.by_key == self.selected

    @property
    def probability_text(self) -> str:
        """The manifest's probability in plain Chinese (never the raw “2*w/9000000”)."""
        if self.certain:
            return "本单位权重较大，按规则必抽（被抽中的机会为 100%）"
        return probability_text(self.probability)


def self_check(draw, code: str, *, manifest: dict | None = None) -> SelfCheck:
    """Where does unit `code` stand in this draw? Recomputes its key K = H(seed ‖ 0 "unit" 0 ‖ id), H the
    commitment's hash suite (SHA-256 or SM3)."""
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
    key = fd.key_hex(fd.unit_key(bytes.fromhex(manifest["seed"]), code, fd.suite_of(manifest["commitment"])))
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
        certain=code in (sel.get("pivotal") or {}).get("certain", ()),
    )  # fmt: skip


def conflict_summary(draw, manifest: dict | None) -> dict | None:
    """How many 回避 pairs the roster committed and how many the manifest reveals (fairdraw spec §4.2.2), for a
    draw whose roster commits them (manifest format 4); None otherwise."""
    if not manifest or "conflicts" not in manifest:
        return None
    roster = json.loads(draw.file_bytes(FileKind.ROSTER))
    return {"committed": len(roster.get("conflicts", ())), "revealed": len(manifest["conflicts"])}


def unit_proof(draw, unit_id: str) -> dict | None:
    """The inclusion proof of one unit against the commitment's `pool_merkle_root` (fairdraw spec §3.1), or None
    (commitment without a root, unit not in the pool): a `fairdraw-proof/2`, which also carries the unit's key,
    probability and outcome from the manifest, with the SHA-256 of the published manifest file. O(log N) reads of
    the pool's tree file (`draws.files.pool_tree`, written once per pool); cached per unit like the verification."""
    if draw_selectors.pool_entry(draw, unit_id) is None:
        return None
    key = f"gs:proof2:{draw.pk}:{draw.pool_digest}:{draw.manifest_hash}:{unit_id}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    commitment = json.loads(draw.file_bytes(FileKind.COMMITMENT))
    if "pool_merkle_root" not in commitment:
        return None
    manifest = draw.file_bytes(FileKind.MANIFEST)
    outcome = {"manifest": json.loads(manifest) if manifest else None,
               "manifest_sha256": hashlib.sha256(manifest).hexdigest() if manifest else ""}  # fmt: skip
    suite, pool = fd.suite_of(commitment), draw.files.get(kind=FileKind.POOL)
    for rebuild in (False, True):  # the tree file is derived data: one that disagrees with the commitment is rebuilt
        name = draw_files.pool_tree(pool.sha256, suite, pool.read, rebuild=rebuild)
        try:
            with draw_files.storage().open(name, "rb") as handle:
                tree = fd.merkle.TreeFile(handle)
                if tree.root().hex() == commitment["pool_merkle_root"]:
                    proof = tree.proof(unit_id, draw.code, **outcome)
                    # served only when it checks against the committed root (O(log N) hashes): a file damaged
                    # below its root would otherwise hand a citizen a proof that fails on an honest draw
                    fd.merkle.verify_inclusion(proof, commitment["pool_merkle_root"], commitment.get("hash"))
                    break
        except fd.FairdrawError:  # a damaged file (the pool index above has the unit): rebuilt once, then refused
            continue
    else:
        raise DrawFileCorrupted("默克尔树", name)
    cache.set(key, proof, PROOF_CACHE_SECONDS)
    return proof
