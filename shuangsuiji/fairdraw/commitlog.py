"""The public commitment log (承诺公示日志), spec §14: append-only, hash-chained, one line per commitment.

Certificate-Transparency spirit: every commitment record gets a sequence number and a publication time
in a log whose every entry hashes all earlier ones.  A draw is valid only if its commitment entered the
log **before** each of its public random values was announced, so a draw re-run on an edited pool
with a new commitment after the values are known shows up as a late entry (or as no entry at all).

Entry (one line of ``commitments.jsonl``, the canonical JSON of §2.2 followed by LF)::

    {"format": "fairdraw-log/1", "seq": n, "draw_id": "...", "commitment_hash": "<64 hex>",
     "logged_at": "YYYY-MM-DDTHH:MM:SS+08:00", "prev": "<64 hex>", "hash": "<64 hex>"}

    hash = hex(H(LP("SRV1/log", uint64_be(seq), prev (32 bytes), commitment_hash (32 bytes),
                    utf8(draw_id), utf8(logged_at))))

H is the hash suite of the logged commitment: SHA-256, or SM3 for a ``"hash": "sm3"`` commitment, whose
entry then carries the extra key ``"suite": "sm3"`` (SHA-256 entries have no ``suite`` key).

``prev`` of entry 1 is 64 zeros; ``prev`` of entry n is the ``hash`` of entry n − 1; ``logged_at`` never
decreases.  The log head is the last entry's (seq, hash).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass

from .canon import canonical_json, check_text, load_json_bytes, lp
from .errors import FairdrawError, MalformedInput
from .hashsuite import SHA256, HashSuite, get_suite
from .seed import _check_published_at, check_hex64

LOG_FORMAT = "fairdraw-log/1"
GENESIS = "0" * 64
ENTRY_KEYS = ("format", "seq", "draw_id", "commitment_hash", "logged_at", "prev", "hash")
ENTRY_KEYS_SM3 = (*ENTRY_KEYS, "suite")  # the entry of an SM3 commitment


def entry_hash(
    *, seq: int, prev: str, draw_id: str, commitment_hash: str, logged_at: str, suite: HashSuite = SHA256
) -> str:
    return suite.hexdigest(
        lp(
            b"SRV1/log",
            seq.to_bytes(8, "big"),
            bytes.fromhex(prev),
            bytes.fromhex(commitment_hash),
            draw_id.encode("utf-8"),
            logged_at.encode("utf-8"),
        )
    )


def make_entry(
    *, seq: int, prev: str, draw_id: str, commitment_hash: str, logged_at: str, suite: str = "sha256"
) -> dict:
    """A validated log entry (dict); ``entry_line`` gives its bytes.  ``suite``: the commitment's ``hash``."""
    if isinstance(seq, bool) or not isinstance(seq, int) or not 1 <= seq <= 2**53 - 1:
        raise FairdrawError("LOG_SEQ", f"日志序号必须是正整数：{seq!r}")
    check_hex64(prev, "日志前一条哈希 prev")
    check_hex64(commitment_hash, "承诺哈希 commitment_hash")
    check_text(draw_id, "抽查编号 draw_id")
    _check_published_at(logged_at)
    h = get_suite(suite)
    fields = dict(seq=seq, prev=prev, draw_id=draw_id, commitment_hash=commitment_hash, logged_at=logged_at)
    entry = {"format": LOG_FORMAT, **fields, "hash": entry_hash(**fields, suite=h)}
    if h is not SHA256:
        entry["suite"] = h.name
    return entry


def entry_line(entry: Mapping) -> bytes:
    return canonical_json(dict(entry)) + b"\n"


def log_time(text: str) -> _dt.datetime:
    return _dt.datetime.fromisoformat(_check_published_at(text))


class LogBreak(Exception):
    """The log file is well formed but its chain is broken at ``path`` (e.g. ``log[3].prev``)."""

    def __init__(self, path: str, message_zh: str, expected: object, actual: object) -> None:
        super().__init__(message_zh)
        self.path, self.message_zh, self.expected, self.actual = path, message_zh, expected, actual


@dataclass(frozen=True)
class Inclusion:
    entry: dict  # the commitment's entry
    size: int  # entries in the log
    head: str  # hash of the last entry
    notes: tuple[str, ...]  # sources whose announcement time the commitment does not fix


def check_inclusion(entries: list[dict], commitment: Mapping, chash: str) -> Inclusion:
    """The commitment ``chash`` is in the log, under its draw id, and was logged strictly before every
    public value was announced.  LogBreak (path ``log``, ``log[i].draw_id`` or ``log[i].logged_at``) if not."""
    hits = [i for i, e in enumerate(entries) if e["commitment_hash"] == chash]
    if not hits:
        raise LogBreak("log", "承诺哈希不在承诺日志中：该承诺没有事先公示", chash, "(日志中没有)")
    i = hits[0]
    e = entries[i]
    if e["draw_id"] != commitment["draw_id"]:
        raise LogBreak(
            f"log[{i}].draw_id", "承诺日志中该承诺哈希登记的抽查编号不同", commitment["draw_id"], e["draw_id"]
        )
    if e.get("suite", "sha256") != commitment.get("hash"):
        raise LogBreak(
            f"log[{i}].suite", "承诺日志中该承诺的记录使用的哈希算法与承诺记录不同", commitment.get("hash"),
            e.get("suite", "sha256"),
        )  # fmt: skip
    logged = log_time(e["logged_at"])
    notes = []
    for j, (source, t) in enumerate(zip(commitment["public_sources"], source_times(commitment["public_sources"]),
                                         strict=True)):  # fmt: skip
        if t is None:
            notes.append(
                f"第 {j + 1} 个公开随机源（{source.get('kind')}）的产生时间未写入承诺记录，"
                "无法由程序核对承诺入日志是否早于它，请对照抽取记录人工核对"
            )
        elif not logged < t:
            raise LogBreak(
                f"log[{i}].logged_at",
                f"承诺进入日志的时间不早于第 {j + 1} 个公开随机值的产生时间：承诺可能是在随机值已知后才生成的",
                f"< {t.isoformat()}",
                e["logged_at"],
            )
    return Inclusion(e, len(entries), entries[-1]["hash"], tuple(notes))


def parse_log(data: bytes) -> list[dict]:
    """Every entry of a log file, checked: canonical lines, seq 1, 2, …, the hash chain, times not
    decreasing.  MalformedInput for a line that is not an entry; LogBreak where the chain breaks."""
    if data and not data.endswith(b"\n"):
        raise MalformedInput("LOG_FORMAT", "承诺日志的每一行（包括最后一行）都必须以换行符 LF 结束")
    entries: list[dict] = []
    prev, prev_time = GENESIS, None
    for i, line in enumerate(data.split(b"\n")[:-1] if data else []):
        e = load_json_bytes(line, f"承诺日志第 {i + 1} 行")
        keys = ENTRY_KEYS_SM3 if isinstance(e, dict) and "suite" in e else ENTRY_KEYS
        if (
            not isinstance(e, dict)
            or set(e) != set(keys)
            or e["format"] != LOG_FORMAT
            or (keys is ENTRY_KEYS_SM3 and e["suite"] != "sm3")
        ):
            raise MalformedInput(
                "LOG_FORMAT",
                f"承诺日志第 {i + 1} 行不是 {LOG_FORMAT} 记录"
                f'（字段应为 {list(ENTRY_KEYS)}，SM3 记录另有 "suite": "sm3"）',
            )
        try:
            rebuilt = make_entry(
                **{k: e[k] for k in ("seq", "prev", "draw_id", "commitment_hash", "logged_at")},
                suite=e.get("suite", "sha256"),
            )
            check_hex64(e["hash"], "日志哈希 hash")
        except FairdrawError as exc:
            raise MalformedInput("LOG_FORMAT", f"承诺日志第 {i + 1} 行无效：{exc.message_zh}") from exc
        if canonical_json(e) != line:
            raise MalformedInput("LOG_FORMAT", f"承诺日志第 {i + 1} 行不是规范 JSON（§2.2）")
        where = f"log[{i}]"
        if e["seq"] != i + 1:
            raise LogBreak(f"{where}.seq", f"承诺日志第 {i + 1} 行的序号不连续", i + 1, e["seq"])
        if e["prev"] != prev:
            raise LogBreak(f"{where}.prev", f"承诺日志第 {i + 1} 行没有接在上一行之后（哈希链断开）", prev, e["prev"])
        if e["hash"] != rebuilt["hash"]:
            raise LogBreak(
                f"{where}.hash", f"承诺日志第 {i + 1} 行的哈希与内容不符（记录被改动）", rebuilt["hash"], e["hash"]
            )
        t = log_time(e["logged_at"])
        if prev_time is not None and t < prev_time:
            earlier = f"≥ {entries[-1]['logged_at']}"
            raise LogBreak(f"{where}.logged_at", f"承诺日志第 {i + 1} 行的时间早于上一行", earlier, e["logged_at"])
        entries.append(e)
        prev, prev_time = e["hash"], t
    return entries


def source_times(public_sources: list[Mapping]) -> list[_dt.datetime | None]:
    """When each public value was (to be) announced, where the commitment fixes it (spec §14):
    a drand round's time from its chain; a source's ``available_at`` timestamp; else None."""
    from . import drand

    out: list[_dt.datetime | None] = []
    for s in public_sources:
        if s.get("kind") == "drand":
            chain = drand.chain_of(s)
            out.append(_dt.datetime.fromtimestamp(chain.round_time(s["round"]), _dt.UTC))
        elif isinstance(s.get("available_at"), str):
            out.append(log_time(s["available_at"]))
        else:
            out.append(None)
    return out
