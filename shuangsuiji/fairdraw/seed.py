"""Commitment record and seed derivation (spec §4, §5.1).

1. Before any random value exists, publish the commitment record (draw id,
   plan, pool digest, counts per stratum, roster digest, which public random
   sources will be used, publication time, hash suite).  ``commitment_hash`` =
   H(canonical JSON of the record), H the record's own suite (``hash``: "sha256" or "sm3").
2. After the announced sources have produced their values:
   seed = H(LP("SRV1/seed", commitment_hash (32 raw bytes), v_1, …, v_m))
   with v_j the UTF-8 of the j-th public value, in the order of
   ``public_sources``.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Iterable, Mapping

from .canon import canonical_json, check_text, lp
from .errors import FairdrawError
from .hashsuite import DEFAULT_SUITE, SHA256, SUITE_NAMES, HashSuite, suite_of
from .plan import DrawPlan
from .snapshot import POOL_FORMAT

COMMITMENT_FORMAT = "fairdraw-commitment/1"
# Version 2 adds ``pool_merkle_root`` (spec §3.1): per-unit inclusion proofs against the commitment.
COMMITMENT_FORMAT_V2 = "fairdraw-commitment/2"
_HEX64 = re.compile(r"[0-9a-f]{64}")
MAX_PUBLIC_VALUE_BYTES = 4096
# spec §2: YYYY-MM-DDTHH:MM:SS±HH:MM, ASCII digits, a real date and time, offset below 24 h
_PUBLISHED_AT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}")


def check_hex64(v: object, what: str) -> str:
    if not isinstance(v, str) or not _HEX64.fullmatch(v):
        raise FairdrawError("HEX_INVALID", f"{what} 必须是 64 位小写十六进制字符串：{v!r}")
    return v


def _check_published_at(v: object) -> str:
    try:
        if not isinstance(v, str) or not _PUBLISHED_AT.fullmatch(v) or int(v[20:22]) > 23 or int(v[23:25]) > 59:
            raise ValueError
        t = _dt.datetime.fromisoformat(v)
        if t.tzinfo is None:
            raise ValueError
    except ValueError:
        raise FairdrawError(
            "PUBLISHED_AT", f"公告时间必须是带时区的 ISO 8601 时间，如 2025-03-01T10:00:00+08:00：{v!r}"
        ) from None
    return v


def _task(task: Mapping | None) -> dict:
    if task is None:
        return {}
    if not isinstance(task, Mapping):
        raise FairdrawError("TASK", "task 必须是对象（JSON object）")
    return dict(task)


def build_commitment(
    *,
    draw_id: str,
    plan: DrawPlan | Mapping,
    pool_digest: str,
    strata: Mapping[str, Mapping[str, int]],
    public_sources: list[Mapping],
    published_at: str,
    roster_digest: str | None = None,
    attempt: int = 1,
    task: Mapping | None = None,
    pool_merkle_root: str | None = None,
    hash_suite: str = DEFAULT_SUITE,
) -> dict:
    """The commitment record (a plain dict, canonical-JSON encodable).

    ``hash_suite`` ("sha256" or "sm3") names the hash every step of the draw uses (spec §2.3); the
    digests passed in must have been computed with it.

    ``strata`` is ``stratum_counts(...)`` of the snapshot; ``public_sources``
    describes each announced source, e.g. ``{"kind": "lottery", "name":
    "中国福利彩票快乐8", "issue": "2025060", "encoding": "sorted, 2 digits, comma"}``
    or ``{"kind": "drand", "chain": "quicknet", "round": 12345678}``.
    """
    check_text(draw_id, "抽查编号 draw_id")
    if hash_suite not in SUITE_NAMES:
        raise FairdrawError("HASH_SUITE", f"哈希算法应为 {' 或 '.join(SUITE_NAMES)}：{hash_suite!r}")
    plan_d = plan.to_dict() if isinstance(plan, DrawPlan) else DrawPlan.from_dict(plan).to_dict()
    check_hex64(pool_digest, "号池摘要 pool_digest")
    if roster_digest is not None:
        check_hex64(roster_digest, "执法人员名录摘要 roster_digest")
    elif plan_d["assignment"] is not None:
        # spec §4.3: the inspector groups depend on the roster, so the roster must be fixed before the
        # random values exist; otherwise the groups could be chosen after the seed is known.
        raise FairdrawError(
            "ROSTER_NOT_COMMITTED",
            "抽查方案包含随机选派执法人员规则，但承诺记录没有承诺执法人员名录（roster_digest 为空）："
            "检查组可能在随机值公布后才确定，不予接受",
        )
    if isinstance(attempt, bool) or not isinstance(attempt, int) or not 1 <= attempt <= 2**53 - 1:
        raise FairdrawError("ATTEMPT", f"抽取次序号 attempt 必须是正整数：{attempt!r}")
    if not public_sources:
        raise FairdrawError("NO_PUBLIC_SOURCE", "至少需要公布一个公开随机源（如彩票期号、drand 轮次）")
    if not isinstance(public_sources, list):
        raise FairdrawError("PUBLIC_SOURCES", "public_sources 必须是列表")
    for i, s in enumerate(public_sources):
        if not isinstance(s, Mapping) or "kind" not in s:
            raise FairdrawError("PUBLIC_SOURCES", f"第 {i + 1} 个公开随机源必须是含 kind 字段的对象")
        check_text(s["kind"], f"第 {i + 1} 个公开随机源的 kind")
    sources = [dict(s) for s in public_sources]
    counts = {
        h: {"total": c["total"], "eligible": c["eligible"], "excluded": c["excluded"]}
        for h, c in sorted(strata.items())
    }
    for h, c in counts.items():
        check_text(h, "分层代码")
        if any(isinstance(v, bool) or not isinstance(v, int) for v in c.values()):
            raise FairdrawError("STRATA_COUNTS", f"分层 {h} 的数量必须是整数：{c}")
        if c["total"] != c["eligible"] + c["excluded"] or min(c.values()) < 0:
            raise FairdrawError("STRATA_COUNTS", f"分层 {h} 的数量不一致：{c}")
    record = {
        "format": COMMITMENT_FORMAT if pool_merkle_root is None else COMMITMENT_FORMAT_V2,
        "draw_id": draw_id,
        "attempt": attempt,
        "task": _task(task),
        "plan": plan_d,
        "pool_format": POOL_FORMAT,
        "pool_digest": pool_digest,
        "units": {k: sum(c[k] for c in counts.values()) for k in ("total", "eligible", "excluded")},
        "strata": counts,
        "roster_digest": roster_digest,
        "public_sources": sources,
        "published_at": _check_published_at(published_at),
        "hash": hash_suite,
    }
    if pool_merkle_root is not None:
        record["pool_merkle_root"] = check_hex64(pool_merkle_root, "号池默克尔根 pool_merkle_root")
    canonical_json(record)  # validates encodability
    return record


def commitment_bytes(record: Mapping) -> bytes:
    return canonical_json(record)


def commitment_hash(record: Mapping) -> str:
    """H hex of the canonical JSON of the commitment record, H the record's own suite (its ``hash``)."""
    return suite_of(record).hexdigest(canonical_json(record))


def _check_public_value(v: object, i: int) -> bytes:
    if not isinstance(v, str) or not v:
        raise FairdrawError("PUBLIC_VALUE", f"第 {i + 1} 个公开随机值必须是非空字符串")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in v) or unicodedata.normalize("NFC", v) != v:
        raise FairdrawError("PUBLIC_VALUE", f"第 {i + 1} 个公开随机值含有控制字符或不是 NFC：{v!r}")
    b = v.encode("utf-8")
    if len(b) > MAX_PUBLIC_VALUE_BYTES:
        raise FairdrawError("PUBLIC_VALUE", f"第 {i + 1} 个公开随机值过长")
    return b


def derive_seed(commitment_hash: str, public_values: Iterable[str], suite: HashSuite = SHA256) -> bytes:
    """seed = H(LP("SRV1/seed", bytes.fromhex(commitment_hash), v_1, …, v_m)), H of the commitment's suite."""
    check_hex64(commitment_hash, "承诺哈希 commitment_hash")
    vals = [_check_public_value(v, i) for i, v in enumerate(public_values)]
    if not vals:
        raise FairdrawError("NO_PUBLIC_VALUE", "至少需要一个公开随机值")
    return suite.digest(lp(b"SRV1/seed", bytes.fromhex(commitment_hash), *vals))


def lottery_value(*groups: Iterable[int]) -> str:
    """Canonical string of a lottery result: each group sorted ascending,
    numbers zero-padded to 2 digits and joined by ",", groups joined by "+".
    E.g. 双色球 red [3, 27, 9, 12, 31, 20] + blue [8] → "03,09,12,20,27,31+08"."""
    if not groups:
        raise FairdrawError("LOTTERY_EMPTY", "彩票开奖号码不能为空")
    parts = []
    for g in groups:
        nums = sorted(g)
        if not nums or any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in nums):
            raise FairdrawError("LOTTERY_NUMBER", f"彩票开奖号码必须是非负整数：{nums!r}")
        parts.append(",".join(f"{n:02d}" for n in nums))
    return "+".join(parts)


def drand_value(randomness_hex: str) -> str:
    """Canonical drand value: the round's 32-byte randomness as lowercase hex."""
    return check_hex64(randomness_hex.strip().lower(), "drand randomness")


COMMITMENT_KEYS = (
    "format",
    "draw_id",
    "attempt",
    "task",
    "plan",
    "pool_format",
    "pool_digest",
    "units",
    "strata",
    "roster_digest",
    "public_sources",
    "published_at",
    "hash",
)


def check_commitment(record: object) -> dict:
    """Validate a commitment record read from JSON (MalformedInput if it is not
    exactly what ``build_commitment`` produces for the same fields)."""
    from .errors import MalformedInput

    v2 = isinstance(record, Mapping) and record.get("format") == COMMITMENT_FORMAT_V2
    keys = (*COMMITMENT_KEYS, "pool_merkle_root") if v2 else COMMITMENT_KEYS
    if not isinstance(record, Mapping) or set(record) != set(keys):
        raise MalformedInput("COMMITMENT_KEYS", f"承诺记录的字段应为 {list(keys)}")
    if (
        record["format"] not in (COMMITMENT_FORMAT, COMMITMENT_FORMAT_V2)
        or record["pool_format"] != POOL_FORMAT
        or record["hash"] not in SUITE_NAMES
    ):
        raise MalformedInput(
            "COMMITMENT_FORMAT",
            f"承诺记录格式应为 {COMMITMENT_FORMAT_V2}（或 {COMMITMENT_FORMAT}）、号池格式 {POOL_FORMAT}、"
            f"哈希 {' 或 '.join(SUITE_NAMES)}",
        )
    try:
        rebuilt = build_commitment(
            draw_id=record["draw_id"],
            plan=record["plan"],
            pool_digest=record["pool_digest"],
            strata=record["strata"],
            public_sources=record["public_sources"],
            published_at=record["published_at"],
            roster_digest=record["roster_digest"],
            attempt=record["attempt"],
            task=record["task"],
            pool_merkle_root=record["pool_merkle_root"] if v2 else None,
            hash_suite=record["hash"],
        )
    except FairdrawError as e:
        raise MalformedInput(e.code, f"承诺记录无效：{e.message_zh}") from e
    except (KeyError, TypeError, AttributeError, ValueError) as e:
        raise MalformedInput("COMMITMENT_INVALID", f"承诺记录结构无效：{e}") from e
    if canonical_json(rebuilt) != canonical_json(record):  # bytes, not ==: true == 1 in Python
        raise MalformedInput("COMMITMENT_NOT_CANONICAL", "承诺记录不是规范形式（例如分层规则或数量字段格式不规范）")
    return rebuilt
