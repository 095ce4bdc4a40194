"""Committed 回避 declarations (spec §4.2.2): the public roster shows how many (inspector, unit) conflict
pairs were declared, never which.

* Roster format 2 (``fairdraw-roster/2``) has no ``conflict_units``; it carries ``conflicts``, the sorted
  list of ``c = hex(H(LP("SRV1/conflict", salt, utf8(inspector_id), utf8(unit_id))))``, one per declared
  pair, each with its own 16 random bytes of salt.
* The conflict key (``fairdraw-conflict-key/1``, staff and oversight only) opens every commitment:
  ``{"format", "roster_digest", "pairs": [{"inspector_id", "unit_id", "salt"}]}``.
* A manifest of format 4 reveals, in ``conflicts``, exactly the pairs whose unit is selected or a substitute
  (with their salts); the verifier checks each against the committed list and re-runs the assignment with
  them.  Oversight re-runs with the full key: a withheld pair then shows as a difference at ``conflicts``.

Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from .canon import canonical_json, check_text, load_json_bytes, lp
from .errors import FairdrawError, MalformedInput
from .hashsuite import SHA256, HashSuite

ROSTER_FORMAT_V2 = "fairdraw-roster/2"
CONFLICT_KEY_FORMAT = "fairdraw-conflict-key/1"
PAIR_KEYS = ("inspector_id", "unit_id", "salt")
_SALT = re.compile(r"[0-9a-f]{32}")
_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class ConflictPair:
    inspector_id: str
    unit_id: str
    salt: str  # 32 lowercase hex digits (16 bytes)

    def commitment(self, suite: HashSuite = SHA256) -> str:
        return conflict_commitment(self.inspector_id, self.unit_id, bytes.fromhex(self.salt), suite)

    def to_dict(self) -> dict:
        return {"inspector_id": self.inspector_id, "unit_id": self.unit_id, "salt": self.salt}

    def order(self) -> tuple[bytes, bytes]:
        return self.unit_id.encode(), self.inspector_id.encode()


def conflict_commitment(inspector_id: str, unit_id: str, salt: bytes, suite: HashSuite = SHA256) -> str:
    """hex(H(LP("SRV1/conflict", salt, utf8(inspector_id), utf8(unit_id))))."""
    if len(salt) != 16:
        raise FairdrawError("CONFLICT_SALT", "回避声明的盐值必须是 16 字节")
    return suite.hexdigest(lp(b"SRV1/conflict", salt, inspector_id.encode("utf-8"), unit_id.encode("utf-8")))


def check_pairs(value: object, what: str = "回避声明") -> list[ConflictPair]:
    """A list of pairs as published: objects with exactly inspector_id, unit_id, salt; text fields (§2.1);
    salt 32 lowercase hex digits; strictly increasing in (unit_id, inspector_id) bytewise order."""
    if not isinstance(value, list):
        raise MalformedInput("CONFLICT_PAIRS", f"{what}必须是列表")
    out = []
    for i, p in enumerate(value):
        if not isinstance(p, Mapping) or set(p) != set(PAIR_KEYS):
            raise MalformedInput("CONFLICT_PAIRS", f"{what}第 {i + 1} 项的字段应为 {list(PAIR_KEYS)}")
        try:
            check_text(p["inspector_id"], f"{what}第 {i + 1} 项的 inspector_id", error=MalformedInput)
            check_text(p["unit_id"], f"{what}第 {i + 1} 项的 unit_id", error=MalformedInput)
        except MalformedInput as e:
            raise MalformedInput("CONFLICT_PAIRS", e.message_zh) from e
        if not isinstance(p["salt"], str) or not _SALT.fullmatch(p["salt"]):
            raise MalformedInput("CONFLICT_PAIRS", f"{what}第 {i + 1} 项的 salt 必须是 32 位小写十六进制")
        out.append(ConflictPair(p["inspector_id"], p["unit_id"], p["salt"]))
    for a, b in zip(out, out[1:], strict=False):
        if not a.order() < b.order():
            raise MalformedInput("CONFLICT_PAIRS", f"{what}须按 (unit_id, inspector_id) 严格递增排列，且不重复")
    return out


def sorted_pairs(pairs: Iterable[ConflictPair]) -> list[ConflictPair]:
    return sorted(pairs, key=ConflictPair.order)


def roster_v2_dict(inspectors: Iterable, commitments: Iterable[str]) -> dict:
    """The public roster: inspectors without ``conflict_units`` (sorted by id), commitments sorted."""
    from .assign import roster_dict

    base = roster_dict(replace(i, conflict_units=()) for i in inspectors)
    rows = [{k: v for k, v in d.items() if k != "conflict_units"} for d in base["inspectors"]]
    cs = sorted(commitments)
    for c in cs:
        if not _HEX64.fullmatch(c):
            raise FairdrawError("CONFLICT_COMMITMENT", f"回避声明承诺必须是 64 位小写十六进制：{c!r}")
    if len(set(cs)) != len(cs):
        raise FairdrawError("CONFLICT_COMMITMENT", "回避声明承诺重复")
    return {"format": ROSTER_FORMAT_V2, "inspectors": rows, "conflicts": cs}


def commit_roster(inspectors: Iterable, suite: HashSuite, salt: Callable[[int], bytes]) -> tuple[bytes, dict]:
    """(public roster/2 bytes, conflict key dict) from inspectors with their ``conflict_units``; ``salt(16)``
    gives a fresh 16-byte salt per pair (the app passes ``secrets.token_bytes``: the engine has no randomness
    of its own; the vectors pass a deterministic one)."""
    from .assign import roster_digest

    ins = list(inspectors)
    pairs = sorted_pairs(
        ConflictPair(i.inspector_id, u, salt(16).hex()) for i in ins for u in sorted(set(i.conflict_units))
    )
    roster = canonical_json(roster_v2_dict(ins, (p.commitment(suite) for p in pairs)))
    key = {"format": CONFLICT_KEY_FORMAT, "roster_digest": roster_digest(roster, suite),
           "pairs": [p.to_dict() for p in pairs]}  # fmt: skip
    return roster, key


def parse_roster_v2(d: Mapping) -> tuple[list, list[str]]:
    """(inspectors without conflicts, commitments) of a canonical roster/2 dict (MalformedInput otherwise)."""
    from .assign import Inspector

    if set(d) != {"format", "inspectors", "conflicts"} or not isinstance(d["inspectors"], list):
        raise MalformedInput(
            "ROSTER_FORMAT", f"执法人员名录 {ROSTER_FORMAT_V2} 的字段应为 format、inspectors、conflicts"
        )
    if not isinstance(d["conflicts"], list) or not all(isinstance(c, str) for c in d["conflicts"]):
        raise MalformedInput("ROSTER_FORMAT", "conflicts 必须是字符串列表")
    try:
        ins = []
        for x in d["inspectors"]:
            if not isinstance(x, Mapping) or "conflict_units" in x:
                raise MalformedInput("ROSTER_FIELDS", f"{ROSTER_FORMAT_V2} 的执法人员记录不含 conflict_units")
            ins.append(Inspector.from_dict({**x, "conflict_units": []}))
        if roster_v2_dict(ins, d["conflicts"]) != d:
            raise MalformedInput(
                "ROSTER_NOT_CANONICAL", "执法人员名录不是规范形式（须按编号排序、列表排序去重，回避承诺升序且不重复）"
            )
    except MalformedInput:
        raise
    except (FairdrawError, TypeError) as e:
        raise MalformedInput("ROSTER_INVALID", f"执法人员名录无效：{e}") from e
    return ins, list(d["conflicts"])


def parse_key(data: bytes | Mapping) -> tuple[str, list[ConflictPair]]:
    """(roster_digest, pairs) of a conflict key file."""
    d = load_json_bytes(data, "回避声明密钥") if isinstance(data, (bytes, bytearray)) else data
    if (
        not isinstance(d, Mapping)
        or set(d) != {"format", "roster_digest", "pairs"}
        or d["format"] != CONFLICT_KEY_FORMAT
    ):
        raise MalformedInput(
            "CONFLICT_KEY", f"回避声明密钥的格式应为 {CONFLICT_KEY_FORMAT}，字段为 format、roster_digest、pairs"
        )
    if not isinstance(d["roster_digest"], str) or not _HEX64.fullmatch(d["roster_digest"]):
        raise MalformedInput("CONFLICT_KEY", "回避声明密钥的 roster_digest 必须是 64 位小写十六进制")
    return d["roster_digest"], check_pairs(d["pairs"], "回避声明密钥的 pairs ")


def open_pairs(
    pairs: list[ConflictPair], commitments: list[str], inspector_ids: set[str], suite: HashSuite, *, complete: bool
) -> None:
    """Each pair opens a committed conflict of an inspector of the roster (FairdrawError CONFLICT_NOT_COMMITTED,
    ``position`` = its index); with ``complete`` every commitment is opened (CONFLICT_KEY_INCOMPLETE)."""
    committed = set(commitments)
    opened = set()
    for i, p in enumerate(pairs):
        c = p.commitment(suite)
        if c not in committed or p.inspector_id not in inspector_ids:
            raise FairdrawError(
                "CONFLICT_NOT_COMMITTED",
                f"第 {i + 1} 项回避声明（{p.inspector_id} 回避 {p.unit_id}）不在抽取前承诺的名录中",
                position=i,
            )
        opened.add(c)
    if complete and opened != committed:
        raise FairdrawError(
            "CONFLICT_KEY_INCOMPLETE",
            f"回避声明密钥只打开了名录中 {len(opened)} 项承诺中的部分（名录共 {len(committed)} 项）",
        )


def with_conflicts(inspectors: list, pairs: Iterable[ConflictPair]) -> list:
    """The inspectors with the opened pairs as their ``conflict_units``."""
    by: dict[str, list[str]] = {}
    for p in pairs:
        by.setdefault(p.inspector_id, []).append(p.unit_id)
    return [replace(i, conflict_units=tuple(sorted(by.get(i.inspector_id, ()), key=str.encode))) for i in inspectors]
