"""Validators for national codes.

- 统一社会信用代码 (GB 32100-2015): 18 chars, check character mod 31 (position 18),
  and the inner 组织机构代码 check (GB 11714, position 17) which only warns, because codes
  issued to 个体工商户 often fail it.
- 行政区划代码 (GB/T 2260): 6 digits; province/city/county structure.
"""

import re
from operator import mul

from django.core.exceptions import ValidationError

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
REGION_RE = re.compile(r"^\d{6}$")


_CREDIT_VALUE = {ch: i for i, ch in enumerate(CREDIT_ALPHABET)}


def credit_check_char(first17: str) -> str:
    """Check character of the first 17 characters (ValueError for a wrong length or a character outside the
    alphabet). A table lookup and map(): a 100,000-row import checks every code."""
    if len(first17) != len(CREDIT_WEIGHTS):
        raise ValueError(f"expected {len(CREDIT_WEIGHTS)} characters, got {len(first17)}")
    try:
        total = sum(map(mul, map(_CREDIT_VALUE.__getitem__, first17), CREDIT_WEIGHTS))
    except KeyError as exc:
        raise ValueError(f"not in the credit code alphabet: {exc.args[0]!r}") from None
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


# The alphabet's values as bytes, for codes already matched by CREDIT_RE (every character is in the alphabet):
# `code.encode().translate(...)` and one map() over the weights (zip stops at the 17th of 18 characters).
_CREDIT_BYTES = bytes.maketrans(CREDIT_ALPHABET.encode(), bytes(range(len(CREDIT_ALPHABET))))
_ORG_BYTES = bytes.maketrans(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", bytes(range(36)))


def _matched_check_char(code: str) -> str:
    """credit_check_char(code[:17]) for a code CREDIT_RE matched (18 characters of the alphabet)."""
    return CREDIT_ALPHABET[-sum(map(mul, code.encode().translate(_CREDIT_BYTES), CREDIT_WEIGHTS)) % 31]


def is_valid_credit_code(code: str) -> bool:
    """True when `code` is a normalised 统一社会信用代码 that `validate_credit_code` accepts as it is (18 characters of
    the alphabet, no spaces or lower case, right check character); False for anything else, valid or not."""
    return len(code) == 18 and CREDIT_RE.match(code) is not None and code[17] == _matched_check_char(code)


_BASE36 = {ch: int(ch, 36) for ch in "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def org_code_check_char(body8: str) -> str:
    """GB 11714 check character for the 8-char organisation body (positions 9-16 of the USCC)."""
    if len(body8) != len(ORG_WEIGHTS):
        raise ValueError(f"expected {len(ORG_WEIGHTS)} characters, got {len(body8)}")
    try:
        total = sum(map(mul, map(_BASE36.__getitem__, body8), ORG_WEIGHTS))
    except KeyError as exc:
        raise ValueError(f"invalid literal for int() with base 36: {exc.args[0]!r}") from None
    return _ORG_CHECK[11 - total % 11]


_ORG_CHECK = {value: {10: "X", 11: "0"}.get(value, str(value)) for value in range(1, 12)}


def _body_check_char(body8: str) -> str:
    """org_code_check_char(body8) for 8 characters of _ORG_BODY (digits and upper case letters)."""
    return _ORG_CHECK[11 - sum(map(mul, body8.encode().translate(_ORG_BYTES), ORG_WEIGHTS)) % 11]


def normalize_credit_code(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def validate_credit_code(value: str) -> None:
    """Raise ValidationError (Chinese message) unless value is a valid 统一社会信用代码."""
    code = normalize_credit_code(value)
    if len(code) != 18:
        raise ValidationError("统一社会信用代码应为18位（当前%(n)d位）", code="credit_length", params={"n": len(code)})
    if not CREDIT_RE.match(code):
        raise ValidationError(
            "统一社会信用代码含非法字符（只允许数字和除 I、O、Z、S、V 以外的大写字母，第3-8位须为数字）",
            code="credit_chars",
        )
    expected = _matched_check_char(code)
    if code[17] != expected:
        raise ValidationError(
            "统一社会信用代码校验位错误：第18位应为 %(expected)s，实际为 %(actual)s",
            code="credit_checksum",
            params={"expected": expected, "actual": code[17]},
        )


ORG_CHECK_WARNING = "主体标识码（组织机构代码）内部校验位不符，个体工商户等可能属正常情况，请核实"
_ORG_BODY = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def credit_code_warnings(value: str, *, valid: bool = False) -> list[str]:
    """Non-fatal findings: the inner organisation-code check (个体工商户 codes may fail it).

    `valid`: the value is a normalised code that passed `validate_credit_code` (an import's cleaned column):
    the normalising and the pattern check are not repeated."""
    code = value if valid else normalize_credit_code(value)
    if not valid and (len(code) != 18 or not CREDIT_RE.match(code)):
        return []
    body = code[8:16]
    if not _ORG_BODY.issuperset(body):
        return []
    if (_body_check_char(body) if len(body) == 8 else org_code_check_char(body)) != code[16]:
        return [ORG_CHECK_WARNING]
    return []


def make_credit_code(first17: str) -> str:
    """Append the check character (used by demo data and tests)."""
    return first17 + credit_check_char(first17)


def region_level(code: str) -> str:
    """'province' | 'city' | 'county' for a 6-digit GB/T 2260 code."""
    if code[2:] == "0000":
        return "province"
    if code[4:] == "00":
        return "city"
    return "county"


def validate_region_code(value: str) -> None:
    code = (value or "").strip()
    if not REGION_RE.match(code):
        raise ValidationError("行政区划代码应为6位数字：%(value)s", code="region_format", params={"value": value})
    if code[:2] == "00":
        raise ValidationError(
            "行政区划代码前两位（省级）不能为00：%(value)s", code="region_province", params={"value": value}
        )
    if code[2:4] == "00" and code[4:] != "00":
        raise ValidationError(
            "行政区划代码结构错误：市级为00时县级也须为00：%(value)s", code="region_structure", params={"value": value}
        )


def region_scope_prefix(code: str) -> str:
    """The code prefix covering everything inside a region: 440000→'44', 440100→'4401', 440106→'440106'."""
    level = region_level(code)
    return {"province": code[:2], "city": code[:4], "county": code}[level]
