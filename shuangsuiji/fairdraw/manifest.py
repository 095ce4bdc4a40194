"""The draw manifest (spec §9): everything needed to re-run and check a draw.

``run_draw`` is the one function both the app and the verifier execute:
pool bytes + commitment record + public values (+ roster) → manifest dict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .allocate import Allocation, allocate
from .assign import AssignmentResult, Inspector, assign_inspectors, canonical_roster_bytes, parse_roster, roster_digest
from .canon import canonical_json, load_json_bytes
from .conflicts import (
    ROSTER_FORMAT_V2,
    ConflictPair,
    check_pairs,
    open_pairs,
    parse_key,
    parse_roster_v2,
    with_conflicts,
)
from .drand import check_evidence
from .errors import FairdrawError, MalformedInput
from .hashsuite import HashSuite, suite_of
from .plan import DrawPlan
from .seed import commitment_hash, derive_seed
from .select import DrawResult, select
from .snapshot import pool_digest

MANIFEST_FORMAT = "fairdraw-manifest/3"
# Format 4 = format 3 + "conflicts": the draw's roster is a fairdraw-roster/2 (committed 回避 pairs, spec
# §4.2.2) and the manifest reveals the pairs touching selected units and substitutes.  A draw whose roster is
# format 1 (or that uses no roster) is still written in format 3.
MANIFEST_FORMAT_V4 = "fairdraw-manifest/4"
# Earlier formats, still verified (the app has stored draws in them):
MANIFEST_FORMAT_V2 = "fairdraw-manifest/2"  # assignment problems carried a Chinese "message" (spec appendix A)
MANIFEST_FORMAT_V1 = "fairdraw-manifest/1"  # as 2, and before public_evidence (drand signatures)
MANIFEST_FORMATS = (MANIFEST_FORMAT_V4, MANIFEST_FORMAT, MANIFEST_FORMAT_V2, MANIFEST_FORMAT_V1)
MANIFEST_KEYS = (
    "format",
    "commitment",
    "commitment_hash",
    "public_values",
    "public_evidence",
    "seed",
    "allocation",
    "selection",
    "excluded",
    "roster_digest",
    "assignment",
    "roster",
)
MANIFEST_KEYS_V1 = tuple(k for k in MANIFEST_KEYS if k != "public_evidence")
# compared in this order: the revealed 回避 pairs before the assignment they change
MANIFEST_KEYS_V4 = (*MANIFEST_KEYS[: MANIFEST_KEYS.index("assignment")], "conflicts", "assignment", "roster")


def manifest_keys(fmt: str) -> tuple[str, ...]:
    return {MANIFEST_FORMAT_V1: MANIFEST_KEYS_V1, MANIFEST_FORMAT_V4: MANIFEST_KEYS_V4}.get(fmt, MANIFEST_KEYS)


def check_public_evidence(sources: list, public_values: list[str], public_evidence: list | None) -> list:
    """Evidence per public source (spec §5.4): a drand source needs its round's signature, and
    SHA-256(signature) must be the value; other sources have ``null``.  Standard library only (the
    BLS check of a drand signature is ``drand.verify_round``)."""
    if public_evidence is None:
        public_evidence = [None] * len(sources)
    if not isinstance(public_evidence, list) or len(public_evidence) != len(sources):
        raise MalformedInput("PUBLIC_EVIDENCE", "public_evidence 必须是与公开随机源一一对应的列表")
    for i, (source, value, ev) in enumerate(zip(sources, public_values, public_evidence, strict=True)):
        if isinstance(source, Mapping) and source.get("kind") == "drand":
            if ev is None:
                raise FairdrawError(
                    "DRAND_EVIDENCE",
                    f"第 {i + 1} 个公开随机源是 drand 第 {source.get('round')} 轮：必须同时录入该轮的签名（signature）",
                    position=i,
                )
            check_evidence(source, value, ev, i)
        elif ev is not None:
            raise MalformedInput("PUBLIC_EVIDENCE", f"第 {i + 1} 个公开随机源不是 drand，public_evidence 应为 null")
    return [None if ev is None else dict(ev) for ev in public_evidence]


def build_manifest(
    *,
    commitment: Mapping,
    public_values: list[str],
    seed: bytes,
    allocation: Allocation,
    result: DrawResult,
    assignment: AssignmentResult | None = None,
    roster_bytes: bytes | None = None,
    embed_roster: bool = False,
    public_evidence: list | None = None,
    manifest_format: str = MANIFEST_FORMAT,
    suite: HashSuite | None = None,
    conflicts: list[ConflictPair] | None = None,
) -> dict:
    """Assemble the manifest dict (encode with ``manifest_bytes``).  ``suite`` defaults to the commitment's.

    ``manifest_format`` rebuilds an earlier format for the verifier of stored draws."""
    suite = suite or suite_of(commitment)
    roster_obj = None
    if embed_roster:
        if roster_bytes is None:
            raise FairdrawError("ROSTER_MISSING", "要嵌入执法人员名录，必须提供名录")
        if manifest_format == MANIFEST_FORMAT_V4:
            roster_obj = load_json_bytes(roster_bytes, "执法人员名录")  # canonical roster/2 (run_draw checked it)
        else:
            roster_obj = {
                "format": "fairdraw-roster/1",
                "inspectors": [i.to_dict() for i in parse_roster(roster_bytes)],
            }
    assignment_d = None if assignment is None else assignment.to_dict()
    if assignment_d is not None and manifest_format in (MANIFEST_FORMAT, MANIFEST_FORMAT_V4):
        # Format 3: a problem is its code, unit and structured detail (spec §8.6); the Chinese text is
        # rendered from them for people and is not part of the compared bytes.
        assignment_d["problems"] = [{k: p[k] for k in ("code", "unit_id", "detail")} for p in assignment_d["problems"]]
    manifest = {
        "format": manifest_format,
        "commitment": dict(commitment),
        "commitment_hash": commitment_hash(commitment),
        "public_values": list(public_values),
        "public_evidence": list(public_evidence) if public_evidence is not None else [None] * len(public_values),
        "seed": seed.hex(),
        "allocation": allocation.to_dict(),
        "selection": result.to_dict(),
        "excluded": [list(x) for x in result.excluded],
        "roster_digest": None if roster_bytes is None else roster_digest(roster_bytes, suite),
        "assignment": assignment_d,
        "roster": roster_obj,
    }
    if manifest_format == MANIFEST_FORMAT_V1:
        manifest = {k: manifest[k] for k in MANIFEST_KEYS_V1}
    if manifest_format == MANIFEST_FORMAT_V4:
        manifest["conflicts"] = [p.to_dict() for p in conflicts or ()]
    return manifest


def manifest_bytes(manifest: Mapping) -> bytes:
    """Canonical JSON bytes of a manifest (what is published and hashed)."""
    return canonical_json(dict(manifest))


@dataclass(frozen=True)
class DrawOutput:
    manifest: dict
    seed: bytes
    allocation: Allocation
    result: DrawResult
    assignment: AssignmentResult | None


def _roster_bytes(roster: bytes | Mapping | Iterable[Inspector] | None) -> bytes | None:
    if roster is None:
        return None
    # spec §4.2: the digest is over the *canonical* bytes, so any JSON encoding of the same roster
    # (e.g. pretty-printed) gives the committed digest.
    if isinstance(roster, (bytes, bytearray, Mapping)):
        d = load_json_bytes(roster, "执法人员名录") if isinstance(roster, (bytes, bytearray)) else roster
        if isinstance(d, Mapping) and d.get("format") == ROSTER_FORMAT_V2:
            parse_roster_v2(d)  # canonical content (MalformedInput otherwise)
            return canonical_json(dict(d))
        return canonical_roster_bytes(parse_roster(d))
    return canonical_roster_bytes(roster)


def _open_conflicts(rb: bytes, conflict_key: bytes | Mapping | list | None, suite: HashSuite):
    """(inspectors with the opened pairs as conflict_units, opened pairs) of a roster/2 (spec §4.2.2)."""
    inspectors, commitments = parse_roster_v2(load_json_bytes(rb, "执法人员名录"))
    if conflict_key is None:
        if commitments:
            raise FairdrawError(
                "CONFLICT_KEY_MISSING",
                f"执法人员名录承诺了 {len(commitments)} 项回避声明，但没有提供回避声明密钥或公开的回避声明",
            )
        pairs, complete = [], True
    elif isinstance(conflict_key, list):
        pairs, complete = check_pairs(conflict_key, "公开的回避声明 conflicts "), False
    else:
        digest, pairs = parse_key(conflict_key)
        if digest != roster_digest(rb, suite):
            raise MalformedInput("CONFLICT_KEY", "回避声明密钥对应的名录摘要与本次抽取的名录不同")
        complete = True
    open_pairs(pairs, commitments, {i.inspector_id for i in inspectors}, suite, complete=complete)
    return with_conflicts(inspectors, pairs), pairs


def run_draw(
    pool_bytes: bytes,
    commitment: Mapping,
    public_values: list[str],
    *,
    roster: bytes | Mapping | Iterable[Inspector] | None = None,
    embed_roster: bool = False,
    skip_assignment: bool = False,
    public_evidence: list | None = None,
    manifest_format: str | None = None,
    known_pool_digest: str | None = None,
    conflict_key: bytes | Mapping | list | None = None,
) -> DrawOutput:
    """Run a committed draw end to end.

    Checks that ``pool_bytes`` is the committed snapshot (digest; the
    per-stratum counts are checked by ``select`` in the same pass)
    and, when the commitment names a roster digest, that ``roster`` is that
    roster.  Assignment runs when the plan has assignment rules (unless
    ``skip_assignment``); the roster is recorded only when it is used.
    ``public_evidence`` holds, per public source, the drand round's signature
    (``drand.evidence``) or ``None``; it is checked here with the standard
    library only.  ``manifest_format`` rebuilds an earlier format
    (``fairdraw-manifest/1``: no evidence; ``/2``: problems with a message) for the
    verifier of draws stored in it.  ``known_pool_digest``: the digest of ``pool_bytes`` when the
    caller has just computed it (the verifier), so it is not hashed twice.

    Every hash is of the commitment's suite (its ``hash``: SHA-256 or SM3, spec §2.3).

    A roster of format 2 (committed 回避 pairs, spec §4.2.2) needs ``conflict_key``: the conflict key file
    (bytes or dict, ``fairdraw-conflict-key/1``), which must open **every** committed pair (the app; oversight),
    or a list of revealed pairs (the public verifier: the manifest's ``conflicts``), which need not.  The
    manifest is then format 4 and reveals the pairs whose unit is selected or a substitute.  ``manifest_format``
    None: format 4 with a roster/2 in use, else format 3.
    """
    rb0 = _roster_bytes(roster)
    roster_v2 = rb0 is not None and load_json_bytes(rb0, "执法人员名录").get("format") == ROSTER_FORMAT_V2
    plan0 = DrawPlan.from_dict(commitment["plan"])
    uses_v2 = roster_v2 and plan0.assignment is not None and not skip_assignment
    if manifest_format is None:
        manifest_format = MANIFEST_FORMAT_V4 if uses_v2 else MANIFEST_FORMAT
    if uses_v2 != (manifest_format == MANIFEST_FORMAT_V4) and not skip_assignment and plan0.assignment is not None:
        raise MalformedInput(
            "ROSTER_FORMAT",
            f"{MANIFEST_FORMAT_V4} 须配合 {ROSTER_FORMAT_V2} 名录使用，"
            "其他格式的 manifest 须配合 fairdraw-roster/1 名录",
        )
    if manifest_format not in MANIFEST_FORMATS:
        raise MalformedInput("MANIFEST_FORMAT", f"manifest 的 format 应为 {MANIFEST_FORMATS} 之一")
    legacy_v1 = manifest_format == MANIFEST_FORMAT_V1
    suite = suite_of(commitment)
    if (known_pool_digest or pool_digest(pool_bytes, suite)) != commitment["pool_digest"]:
        raise FairdrawError("POOL_DIGEST", f"号池快照的 {suite.label} 与承诺记录中的 pool_digest 不一致")
    plan = plan0
    rb = rb0
    committed = commitment.get("roster_digest")
    if rb is not None and committed is not None and roster_digest(rb, suite) != committed:
        raise FairdrawError("ROSTER_DIGEST", f"执法人员名录的 {suite.label} 与承诺记录中的 roster_digest 不一致")
    if len(public_values) != len(commitment["public_sources"]):
        raise FairdrawError(
            "PUBLIC_VALUES_COUNT",
            f"公开随机值的个数（{len(public_values)}）与承诺记录中公布的随机源个数"
            f"（{len(commitment['public_sources'])}）不一致",
        )
    evidence = (
        None if legacy_v1 else check_public_evidence(commitment["public_sources"], public_values, public_evidence)
    )
    seed = derive_seed(commitment_hash(commitment), public_values, suite)
    alloc = allocate(commitment["strata"], plan, seed, suite)
    result = select(pool_bytes, alloc, seed, plan, suite)
    assignment, revealed = None, None
    if plan.assignment is None or skip_assignment:
        rb, embed_roster = None, False
    else:
        if rb is None:
            raise FairdrawError("ROSTER_MISSING", "抽查方案包含随机选派执法人员规则，但未提供执法人员名录")
        inspectors = parse_roster(rb)
        if uses_v2:
            inspectors, conflicts = _open_conflicts(rb, conflict_key, suite)
            drawn = {u for s in result.strata.values() for u in (*s.selected, *s.substitutes)}
            revealed = [p for p in conflicts if p.unit_id in drawn]
        assignment = assign_inspectors(result.targets(), inspectors, plan.assignment, seed, suite)
    manifest = build_manifest(
        commitment=commitment,
        public_values=public_values,
        seed=seed,
        allocation=alloc,
        result=result,
        assignment=assignment,
        roster_bytes=rb,
        embed_roster=embed_roster,
        public_evidence=evidence,
        manifest_format=manifest_format,
        suite=suite,
        conflicts=revealed,
    )
    return DrawOutput(manifest, seed, alloc, result, assignment)
