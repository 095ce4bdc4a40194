"""Public random sources: what is announced at T0 (the commitment) and the canonical value entered at T1.

* 彩票 (lottery): game + issue + draw date; value = fairdraw.lottery_value(*groups), e.g. "03,09,…+08".
* drand quicknet: round R (its time is computable in advance); value = the round's randomness hex,
  entered with the round's signature, which is BLS-checked against the chain's public key
  (fairdraw.drand; randomness = SHA-256(signature)).
* 监督人承诺—揭示 (witness commit–reveal): at T0 a witness hands over SHA-256(secret) (computed on
  their own device); at T1 they reveal the secret, which must hash to the commitment.

On an offline intranet staff type the announced numbers; `fetch_drand` is optional (internet only).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import urllib.request

from django.core.exceptions import ValidationError
from django.utils import timezone

from shuangsuiji import fairdraw as fd
from shuangsuiji.core.formats import local_date, local_datetime

from .choices import (
    DRAND_PUBLIC_URL,
    DRAND_QUICKNET,
    LOTTERY_CHECK_SITES,
    LOTTERY_DRAW_TIME,
    LOTTERY_RULES,
    LotteryGame,
    SourceKind,
)

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
LOCAL_TZ = dt.timezone(dt.timedelta(hours=8))  # lottery times are Beijing time


def drand_round_time(round_no: int) -> dt.datetime:
    seconds = DRAND_QUICKNET["genesis"] + (round_no - 1) * DRAND_QUICKNET["period"]
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def drand_round_at(when: dt.datetime) -> int:
    """The first quicknet round produced at or after `when`."""
    elapsed = when.timestamp() - DRAND_QUICKNET["genesis"]
    return max(1, int(-(-elapsed // DRAND_QUICKNET["period"])) + 1)


def lottery_spec(*, game: str, issue: str, draw_date: dt.date) -> tuple[dict, dt.datetime]:
    if game not in LOTTERY_RULES:
        raise ValidationError("未知的彩票种类")
    issue = (issue or "").strip()
    if not re.fullmatch(r"[0-9]{5,10}", issue):
        raise ValidationError("彩票期号应为 5–10 位数字，如 2026123")
    hour, minute = LOTTERY_DRAW_TIME[game]
    available = dt.datetime.combine(draw_date, dt.time(hour, minute), tzinfo=LOCAL_TZ)
    spec = {
        "kind": "lottery",
        "game": game,
        "name": LotteryGame(game).label,
        "issue": issue,
        "draw_date": draw_date.isoformat(),
        # the announcement time (fairdraw spec §14): the commitment must be in the public log before it
        "available_at": available.isoformat(timespec="seconds"),
        "encoding": "各组号码升序、两位数字、逗号分隔，组与组之间用+连接",
    }
    return spec, available


def drand_spec(*, round_no: int) -> tuple[dict, dt.datetime]:
    if round_no < 1:
        raise ValidationError("drand 轮次必须是正整数")
    spec = {
        "kind": "drand",
        "chain": DRAND_QUICKNET["chain"],
        "chain_hash": DRAND_QUICKNET["chain_hash"],
        "round": round_no,
        "encoding": "该轮 randomness，64 位小写十六进制",
    }
    return spec, drand_round_time(round_no)


def witness_spec(*, name: str, commitment: str) -> tuple[dict, None]:
    commitment = (commitment or "").strip().lower()
    if not _HEX64.match(commitment):
        raise ValidationError(f"监督人 {name} 的承诺哈希应为 64 位十六进制（SHA-256）")
    spec = {
        "kind": "witness",
        "name": name.strip(),
        "commitment": commitment,
        "encoding": "揭示值（UTF-8）的 SHA-256 等于 commitment",
    }
    return spec, None


def check_future(available_at: dt.datetime | None, now: dt.datetime | None = None) -> None:
    """At T0 every external source must still lie in the future (otherwise its value is already known)."""
    now = now or timezone.now()
    if available_at is not None and available_at <= now:
        raise ValidationError(
            f"所公告的随机源产生时间 {local_datetime(available_at, seconds=True)} 已过，"
            "必须选择公布承诺之后才产生的随机数（如下一期开奖、未来的 drand 轮次）"
        )


def _parse_lottery(game: str, raw: str) -> str:
    rules = LOTTERY_RULES[game]
    groups_raw = raw.replace("＋", "+").split("+")
    if len(groups_raw) != len(rules):
        raise ValidationError(f"{LotteryGame(game).label} 的开奖号码应有 {len(rules)} 组（组间用 + 分隔）")
    groups = []
    for text, (count, low, high) in zip(groups_raw, rules, strict=True):
        numbers = [int(n) for n in re.findall(r"\d+", text)]
        if len(numbers) != count:
            raise ValidationError(f"号码个数不对：应为 {count} 个，实际 {len(numbers)} 个（{text.strip()}）")
        if any(not low <= n <= high for n in numbers):
            raise ValidationError(f"号码超出范围 {low}–{high}：{text.strip()}")
        if len(set(numbers)) != len(numbers):
            raise ValidationError(f"号码有重复：{text.strip()}")
        groups.append(numbers)
    return fd.lottery_value(*groups)


def canonical_value(kind: str, spec: dict, raw: str) -> str:
    """The canonical public value fed to fairdraw, or ValidationError in Chinese."""
    raw = (raw or "").strip()
    if not raw:
        raise ValidationError("请录入公开随机值")
    try:
        if kind == SourceKind.LOTTERY:
            return _parse_lottery(spec["game"], raw)
        if kind == SourceKind.DRAND:
            return fd.drand_value(raw)
        if kind == SourceKind.WITNESS:
            if hashlib.sha256(raw.encode("utf-8")).hexdigest() != spec["commitment"]:
                raise ValidationError(f"监督人 {spec['name']} 揭示的随机数与其承诺哈希不符")
            fd.derive_seed("0" * 64, [raw])  # fairdraw's own check of the text (NFC, no control chars)
            return raw
    except fd.FairdrawError as exc:
        raise ValidationError(exc.message_zh) from exc
    raise ValidationError("未知的随机源类型")


def drand_evidence(spec: dict, value: str, signature: str) -> dict:
    """The manifest evidence of a drand value: its round's signature, fully checked (BLS included)."""
    if not (signature or "").strip():
        raise ValidationError("请同时录入该轮的签名（signature，96 位十六进制），平台用 drand 网络的公钥验证它")
    try:
        evidence = fd.drand.evidence(spec, signature)
        fd.drand.verify_round(spec, value, evidence, require_bls=True)
    except fd.FairdrawError as exc:
        raise ValidationError(exc.message_zh) from exc
    return evidence


def check_hint(kind: str, spec: dict) -> str:
    """How a citizen can check the public value themselves (plain Chinese)."""
    if kind == SourceKind.LOTTERY:
        site, url = LOTTERY_CHECK_SITES.get(spec.get("game"), ("彩票发行机构官网", ""))
        try:
            day = local_date(dt.date.fromisoformat(spec.get("draw_date", "")))
        except ValueError:
            day = spec.get("draw_date", "")
        return (
            f"打开{site}（{url}）的“开奖公告”，找到{spec.get('name', '')}第 {spec.get('issue', '')} 期"
            f"（{day} 开奖）的开奖号码，与这里的号码逐个核对；号码已按从小到大排列。"
        )
    if kind == SourceKind.DRAND:
        url = DRAND_PUBLIC_URL.format(chain_hash=spec.get("chain_hash", DRAND_QUICKNET["chain_hash"]),
                                      round=spec.get("round", ""))  # fmt: skip
        return (
            f"drand 是多家大学和机构共同运行的公共随机信标，每 3 秒产生一个谁也无法预测的随机数。打开 {url} "
            f"可看到第 {spec.get('round', '')} 轮的 randomness 和 signature，与这里的值对照；"
            "独立校验程序还会用 drand 网络公布的公钥验证签名，证明这个数确实由 drand 网络产生、没有被改动。"
        )
    return (
        f"监督人 {spec.get('name', '')} 在抽取前交来承诺哈希（见承诺记录）；用任何 SHA-256 工具计算揭示的随机数，"
        "结果应与承诺哈希完全相同，说明随机数在抽取前就已确定。"
    )


def check_available(available_at: dt.datetime | None, description: str, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    if available_at is not None and now < available_at:
        raise ValidationError(
            f"{description}尚未产生（预计 {local_datetime(available_at)}），不能提前录入"
        )


def fetch_drand(round_no: int, *, timeout: float = 5.0) -> tuple[str, str]:
    """Fetch a quicknet round (randomness, signature) from api.drand.sh (needs internet; the intranet
    enters both by hand).  Whatever the network returns is BLS-checked again when it is entered."""
    url = f"https://api.drand.sh/{DRAND_QUICKNET['chain_hash']}/public/{round_no}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (fixed https URL)
            data = json.load(response)
    except (OSError, ValueError) as exc:
        raise ValidationError(f"无法从 drand 网络获取第 {round_no} 轮（{exc}）；请手工录入公布的随机数") from exc
    if data.get("round") != round_no or not _HEX64.match(str(data.get("randomness", ""))):
        raise ValidationError("drand 返回的数据格式不符")
    signature = str(data.get("signature", ""))
    try:
        if fd.drand.randomness_of(signature) != data["randomness"]:
            raise ValueError
    except ValueError as exc:
        raise ValidationError("drand 返回的 randomness 不等于签名的 SHA-256，数据不可信") from exc
    return data["randomness"], signature
