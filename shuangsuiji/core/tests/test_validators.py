import pytest
from django.core.exceptions import ValidationError

from shuangsuiji.core.validators import (
    credit_check_char,
    credit_code_warnings,
    make_credit_code,
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
