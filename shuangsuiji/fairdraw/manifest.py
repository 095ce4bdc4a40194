"""The draw manifest (spec §9): everything needed to re-run and check a draw.

``run_draw`` is the one function both the app and the verifier execute:
pool bytes + commitment record + public values (+ roster) → manifest dict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .allocate import Allocation, allocate
from .assign import AssignmentResult, Inspector, assign_inspectors, canonical_roster_bytes, parse_roster, roster_digest
from .canon import canonical_json
from .errors import FairdrawError
from .plan import DrawPlan
from .seed import commitment_hash, derive_seed
from .select import DrawResult, select
from .snapshot import pool_digest

MANIFEST_FORMAT = "fairdraw-manifest/1"
MANIFEST_KEYS = (
    "format",
    "commitment",
    "commitment_hash",
    "public_values",
    "seed",
    "allocation",
    "selection",
    "excluded",
    "roster_digest",
    "assignment",
    "roster",
)


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
) -> dict:
    """Assemble the manifest dict (encode with ``manifest_bytes``)."""
    roster_obj = None
    if embed_roster:
        if roster_bytes is None:
            raise FairdrawError("ROSTER_MISSING", "要嵌入执法人员名录，必须提供名录")
        roster_obj = {"format": "fairdraw-roster/1", "inspectors": [i.to_dict() for i in parse_roster(roster_bytes)]}
    return {
        "format": MANIFEST_FORMAT,
        "commitment": dict(commitment),
        "commitment_hash": commitment_hash(commitment),
        "public_values": list(public_values),
        "seed": seed.hex(),
        "allocation": allocation.to_dict(),
        "selection": result.to_dict(),
        "excluded": [list(x) for x in result.excluded],
        "roster_digest": None if roster_bytes is None else roster_digest(roster_bytes),
        "assignment": None if assignment is None else assignment.to_dict(),
        "roster": roster_obj,
    }


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
    if isinstance(roster, (bytes, bytearray)):
        parse_roster(bytes(roster))
        return bytes(roster)
    if isinstance(roster, Mapping):
        return canonical_roster_bytes(parse_roster(roster))
    return canonical_roster_bytes(roster)


def run_draw(
    pool_bytes: bytes,
    commitment: Mapping,
    public_values: list[str],
    *,
    roster: bytes | Mapping | Iterable[Inspector] | None = None,
    embed_roster: bool = False,
    skip_assignment: bool = False,
) -> DrawOutput:
    """Run a committed draw end to end.

    Checks that ``pool_bytes`` is the committed snapshot (digest; the
    per-stratum counts are checked by ``select`` in the same pass)
    and, when the commitment names a roster digest, that ``roster`` is that
    roster.  Assignment runs when the plan has assignment rules (unless
    ``skip_assignment``); the roster is recorded only when it is used.
    """
    if pool_digest(pool_bytes) != commitment["pool_digest"]:
        raise FairdrawError("POOL_DIGEST", "号池快照的 SHA-256 与承诺记录中的 pool_digest 不一致")
    plan = DrawPlan.from_dict(commitment["plan"])
    rb = _roster_bytes(roster)
    committed = commitment.get("roster_digest")
    if rb is not None and committed is not None and roster_digest(rb) != committed:
        raise FairdrawError("ROSTER_DIGEST", "执法人员名录的 SHA-256 与承诺记录中的 roster_digest 不一致")
    if len(public_values) != len(commitment["public_sources"]):
        raise FairdrawError(
            "PUBLIC_VALUES_COUNT",
            f"公开随机值的个数（{len(public_values)}）与承诺记录中公布的随机源个数"
            f"（{len(commitment['public_sources'])}）不一致",
        )
    seed = derive_seed(commitment_hash(commitment), public_values)
    alloc = allocate(commitment["strata"], plan, seed)
    result = select(pool_bytes, alloc, seed, plan)
    assignment = None
    if plan.assignment is None or skip_assignment:
        rb, embed_roster = None, False
    else:
        if rb is None:
            raise FairdrawError("ROSTER_MISSING", "抽查方案包含随机选派执法人员规则，但未提供执法人员名录")
        assignment = assign_inspectors(result.targets(), parse_roster(rb), plan.assignment, seed)
    manifest = build_manifest(
        commitment=commitment,
        public_values=public_values,
        seed=seed,
        allocation=alloc,
        result=result,
        assignment=assignment,
        roster_bytes=rb,
        embed_roster=embed_roster,
    )
    return DrawOutput(manifest, seed, alloc, result, assignment)
