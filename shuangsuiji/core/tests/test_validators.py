import random

import pytest
from django.core.exceptions import ValidationError

from shuangsuiji.core.validators import (
    CREDIT_ALPHABET,
    _body_check_char,
    _matched_check_char,
    credit_check_char,
    credit_code_warnings,
    is_valid_credit_code,
    make_credit_code,
    org_code_check_char,
    region_level,
    region_scope_prefix,
    validate_credit_code,
    validate_region_code,
)

VALID = "91350100M000100Y43"  # published test vector (research-regulatory.md BR-53)


def test_published_vector_passes_both_checks():
    validate_credit_code(VALID)
    assert credit_code_warnings(VALID) == []


def test_lowercase_and_spaces_are_normalised():
    validate_credit_code(" 91350100m000100y43 ")


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91350100M000100Y4", "18位"),
        ("91350100M000100Y433", "18位"),
        ("91350100M0001O0Y43", "非法字符"),  # letter O is never used
        ("9135A100M000100Y43", "非法字符"),  # region part must be digits
        ("91350100M000100Y44", "第18位应为 3"),
    ],
)
def test_bad_codes_name_the_problem_in_chinese(code, fragment):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    assert fragment in exc.value.messages[0]


def test_check_char_matches_weights_definition():
    # weights are 3^(i-1) mod 31
    from shuangsuiji.core.validators import CREDIT_WEIGHTS

    assert CREDIT_WEIGHTS == tuple(pow(3, i, 31) for i in range(17))
    assert credit_check_char(VALID[:17]) == VALID[17]


def test_inner_org_code_mismatch_only_warns():
    code = make_credit_code("92370322MA3C12345")  # 个体工商户-style body
    validate_credit_code(code)  # the outer check passes
    assert credit_code_warnings(code) and "个体工商户" in credit_code_warnings(code)[0]


@pytest.mark.parametrize("code", ["370000", "370300", "370322", "110101"])
def test_valid_region_codes(code):
    validate_region_code(code)


@pytest.mark.parametrize("code", ["37032", "3703221", "00322", "000000", "370021", "37A322"])
def test_invalid_region_codes(code):
    with pytest.raises(ValidationError):
        validate_region_code(code)


def test_region_levels_and_scope_prefixes():
    assert (region_level("370000"), region_scope_prefix("370000")) == ("province", "37")
    assert (region_level("370300"), region_scope_prefix("370300")) == ("city", "3703")
    assert (region_level("370322"), region_scope_prefix("370322")) == ("county", "370322")


def test_fast_check_characters_equal_the_definitions():
    """The byte-table sums used for codes already matched by the pattern give the lookup tables' check characters."""
    rng = random.Random(32100)
    for _ in range(5000):
        first17 = "".join(rng.choice(CREDIT_ALPHABET) for _ in range(17))
        code = first17 + rng.choice(CREDIT_ALPHABET)
        assert _matched_check_char(code) == credit_check_char(first17)
        body = "".join(rng.choice("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(8))
        assert _body_check_char(body) == org_code_check_char(body)
        if code[2:8].isdigit():
            assert credit_code_warnings(code, valid=True) == credit_code_warnings(code)


@pytest.mark.parametrize(
    "code, valid",
    [
        (VALID, True),
        (VALID.lower(), False),  # validate_credit_code accepts it, but clean() returns it in upper case
        (f" {VALID}", False),
        (VALID + "\n", False),
        (VALID[:17] + "0", False),
        (VALID[:17], False),
        (VALID + "3", False),
        ("９" + VALID[1:], False),  # full-width digit
        ("91350100I000100Y43", False),  # I is not in the alphabet
        ("", False),
    ],
)
def test_is_valid_credit_code_only_for_codes_that_stay_as_they_are(code, valid):
    assert is_valid_credit_code(code) is valid
    if valid:
        validate_credit_code(code)
