"""Checking a roster key (spec §4.2.1): oversight's (纪检) key to a pseudonymous roster.

A ``fairdraw-roster-key/2`` file gives, per inspector of a committed roster, the pseudonym (``inspector_id``), the
执法证号 (``cert_no``), the name, the salt (hex) and the hash suite of the pseudonym (``hash``; format 1 has no
``hash``: SHA-256). ``check_roster_key`` recomputes every pseudonym from its salt and 执法证号 and checks that the
key belongs to the committed roster (same ``roster_digest``) and names only inspectors of it. With every entry
(纪检's key) the whole roster behind the committed one is checked; with one entry (an inspector's own key) that
inspector's place in it. Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from .canon import load_json_bytes
from .errors import FairdrawError, MalformedInput
from .hashsuite import get_suite
from .keys import inspector_pseudonym

ROSTER_KEY_FORMATS = ("fairdraw-roster-key/1", "fairdraw-roster-key/2")
ENTRY_KEYS_V1 = {"inspector_id", "cert_no", "name", "salt"}
_SALT = re.compile(r"(?:[0-9a-f]{2}){16,}")


@dataclass(frozen=True)
class RosterKeyCheck:
    """The outcome: ``ok``, how many entries were checked of how many roster inspectors, or the first difference
    (``path`` in the key file and a Chinese ``message``)."""

    ok: bool
    checked: int
    roster_size: int
    path: str = ""
    message: str = ""

    def text(self) -> str:
        if not self.ok:
            return f"DIFFERENT 化名对照不一致，位置 roster_key.{self.path}：{self.message}"
        scope = "全部人员" if self.checked == self.roster_size else "部分人员"
        return (
            f"化名对照核对通过：{self.checked} 人（名录共 {self.roster_size} 人，{scope}），"
            "每个化名均由盐值和执法证号重算一致"
        )


def check_roster_key(key: bytes | Mapping, roster_ids: Collection[str], roster_digest: str) -> RosterKeyCheck:
    """Check a roster key against the committed roster (its inspector ids and its ``roster_digest``).
    MalformedInput for a file that is not a roster key."""
    d = load_json_bytes(key, "化名对照") if isinstance(key, (bytes, bytearray)) else key
    if not isinstance(d, Mapping) or d.get("format") not in ROSTER_KEY_FORMATS:
        raise MalformedInput("ROSTER_KEY_FORMAT", f"化名对照文件的 format 应为 {' 或 '.join(ROSTER_KEY_FORMATS)}")
    entries = d.get("entries")
    if not isinstance(entries, list) or not entries or not isinstance(d.get("roster_digest"), str):
        raise MalformedInput("ROSTER_KEY_FORMAT", "化名对照文件应有 roster_digest（文本）和 entries（非空列表）")
    v2 = d["format"] == ROSTER_KEY_FORMATS[1]
    ids = set(roster_ids)
    if d["roster_digest"] != roster_digest:
        return RosterKeyCheck(False, 0, len(ids), "roster_digest", "化名对照文件对应的名录不是本次承诺的执法人员名录")
    seen: set[str] = set()
    for i, e in enumerate(entries):
        where = f"entries[{i}]"
        expected_keys = ENTRY_KEYS_V1 | {"hash"} if v2 else ENTRY_KEYS_V1
        if not isinstance(e, Mapping) or set(e) != expected_keys:
            raise MalformedInput("ROSTER_KEY_ENTRY", f"{where} 的字段应为 {'、'.join(sorted(expected_keys))}")
        if not all(isinstance(e[k], str) for k in expected_keys):
            raise MalformedInput("ROSTER_KEY_ENTRY", f"{where} 的各字段应为文本")
        if not _SALT.fullmatch(e["salt"]):
            raise MalformedInput("ROSTER_KEY_SALT", f"{where}.salt 应为至少 16 字节的小写十六进制")
        try:
            suite = get_suite(e["hash"] if v2 else "sha256")
        except FairdrawError as exc:
            raise MalformedInput("ROSTER_KEY_ENTRY", f"{where}.hash：{exc.message_zh}") from None
        if e["inspector_id"] in seen:
            raise MalformedInput("ROSTER_KEY_ENTRY", f"{where}.inspector_id 重复：{e['inspector_id']}")
        seen.add(e["inspector_id"])
        if inspector_pseudonym(bytes.fromhex(e["salt"]), e["cert_no"], suite) != e["inspector_id"]:
            return RosterKeyCheck(
                False, i, len(ids), f"{where}.inspector_id", "按盐值和执法证号重算的化名与文件中的化名不同"
            )
        if e["inspector_id"] not in ids:
            return RosterKeyCheck(False, i, len(ids), f"{where}.inspector_id", "该化名不在本次承诺的执法人员名录中")
    return RosterKeyCheck(True, len(entries), len(ids))
