"""Canonical encodings shared by every fairdraw module (spec §2).

* ``check_text``     - the rules for every text field (ids, stratum codes, reasons).
* ``canonical_json`` - sorted keys, no whitespace, UTF-8, integers only.
* ``lp``             - length-prefixed concatenation for hash inputs.
* ``parse_fraction`` / ``format_fraction`` - exact rational numbers as "p/q".
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from .errors import FairdrawError, MalformedInput

MAX_TEXT_BYTES = 256
MAX_SAFE_INT = 2**53 - 1


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def lp(*fields: bytes) -> bytes:
    """Each field prefixed by its length as a 4-byte big-endian unsigned integer."""
    out = bytearray()
    for f in fields:
        out += len(f).to_bytes(4, "big")
        out += f
    return bytes(out)


_CONTROL_CHARS = re.compile("[\x00-\x1f\x7f]")


def _bad_char(s: str) -> bool:
    return _CONTROL_CHARS.search(s) is not None


def check_text(
    value: object, what: str, *, allow_empty: bool = False, error: type[FairdrawError] = FairdrawError
) -> str:
    """Validate one text field and return it unchanged.

    Rules: a ``str``; Unicode NFC; no C0 control characters (so no tab or
    newline) and no DEL; at most 256 bytes in UTF-8; non-empty unless allowed.
    """
    if not isinstance(value, str):
        raise error("TEXT_NOT_STRING", f"{what} 必须是字符串，实际为 {type(value).__name__}", field=what)
    if not value and not allow_empty:
        raise error("TEXT_EMPTY", f"{what} 不能为空", field=what)
    if _bad_char(value):
        raise error("TEXT_CONTROL_CHAR", f"{what} 含有制表符、换行符或其他控制字符：{value!r}", field=what)
    ascii_ = value.isascii()  # ASCII text is NFC and one byte per character
    if not ascii_ and not unicodedata.is_normalized("NFC", value):
        raise error("TEXT_NOT_NFC", f"{what} 不是 Unicode NFC 规范形式：{value!r}", field=what)
    if (len(value) if ascii_ else len(value.encode("utf-8"))) > MAX_TEXT_BYTES:
        raise error("TEXT_TOO_LONG", f"{what} 超过 {MAX_TEXT_BYTES} 字节：{value[:40]!r}…", field=what)
    return value


def _check_json_value(v: object, path: str) -> None:
    if v is None or isinstance(v, (bool, str)):
        return
    if isinstance(v, int):
        if not -MAX_SAFE_INT <= v <= MAX_SAFE_INT:
            raise FairdrawError("JSON_INT_RANGE", f"{path} 的整数超出 ±(2^53−1) 范围", field=path)
        return
    if isinstance(v, float):
        raise FairdrawError("JSON_FLOAT", f'{path} 不允许使用浮点数（请使用整数或 "p/q" 分数字符串）', field=path)
    if isinstance(v, (list, tuple)):
        for i, x in enumerate(v):
            _check_json_value(x, f"{path}[{i}]")
        return
    if isinstance(v, dict):
        for k, x in v.items():
            if not isinstance(k, str):
                raise FairdrawError("JSON_KEY", f"{path} 的键必须是字符串：{k!r}", field=path)
            _check_json_value(x, f"{path}.{k}")
        return
    raise FairdrawError("JSON_TYPE", f"{path} 的类型 {type(v).__name__} 不能编码为规范 JSON", field=path)


def canonical_json(value: object) -> bytes:
    """Canonical JSON bytes: UTF-8, keys sorted by code point, no whitespace,
    non-ASCII kept literally, integers only (|n| <= 2^53-1), no floats."""
    _check_json_value(value, "$")
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def load_json_bytes(data: bytes, what: str) -> object:
    """Parse JSON, refusing floats and duplicate keys (MalformedInput on error)."""

    def no_dupes(pairs: list) -> dict:
        out: dict = {}
        for k, v in pairs:
            if k in out:
                raise MalformedInput("JSON_DUPLICATE_KEY", f"{what} 中有重复的键 {k!r}")
            out[k] = v
        return out

    def no_float(s: str) -> object:
        raise MalformedInput("JSON_FLOAT", f"{what} 中不允许浮点数：{s}")

    try:
        text = data.decode("utf-8")
        return json.loads(text, object_pairs_hook=no_dupes, parse_float=no_float, parse_constant=no_float)
    except MalformedInput:
        raise
    except (UnicodeDecodeError, ValueError) as e:
        raise MalformedInput("JSON_INVALID", f"{what} 不是有效的 UTF-8 JSON：{e}") from e


def parse_fraction(value: object, what: str = "比例") -> Fraction:
    """Exact rational from Fraction, int, "p/q", a decimal string ("0.05") or a
    percent string ("5%").  Floats are refused (they are not exact)."""
    if isinstance(value, bool):
        raise FairdrawError("FRACTION_INVALID", f"{what} 不能是布尔值")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        raise FairdrawError("FRACTION_FLOAT", f'{what} 不能用浮点数表示，请写成 "3/100"、"0.03" 或 "3%"：{value!r}')
    if isinstance(value, str):
        s = value.strip()
        try:
            if s.endswith("%"):
                return Fraction(Decimal(s[:-1])) / 100
            if "/" in s:
                p, q = s.split("/")
                if not (p.strip().lstrip("-").isdigit() and q.strip().isdigit()) or int(q) == 0:
                    raise ValueError(s)
                return Fraction(int(p), int(q))
            return Fraction(Decimal(s))
        except (ValueError, InvalidOperation, ZeroDivisionError):
            pass
    raise FairdrawError("FRACTION_INVALID", f'{what} 格式无效：{value!r}（应为 "p/q"、小数或百分数）')


def format_fraction(f: Fraction) -> str:
    """Reduced "p/q" (always with a slash, e.g. "1/1", "0/1")."""
    return f"{f.numerator}/{f.denominator}"


def parse_rate(value: object, what: str = "抽查比例") -> Fraction:
    """A probability / ratio in [0, 1]."""
    f = parse_fraction(value, what)
    if not 0 <= f <= 1:
        raise FairdrawError("RATE_RANGE", f"{what} 必须在 0 到 1 之间：{value!r}")
    return f
