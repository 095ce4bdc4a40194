"""Canonical snapshot, commitment record and seed derivation."""

import hashlib
import struct
from fractions import Fraction

import pytest

from shuangsuiji import fairdraw as fd
from shuangsuiji.fairdraw.snapshot import POOL_HEADER, iter_rows

from ._helpers import PUBLISHED_AT, SOURCES, ref_seed


def test_pool_bytes_exact_format_and_bytewise_order():
    units = [
        fd.PoolUnit("卫生院", "s"),
        fd.PoolUnit("b", "s", 2_000_000, region="R"),
        fd.PoolUnit("B", "t", excluded_reason="CLOSED", specialty="学校卫生"),
        fd.PoolUnit("913703221", "s"),
    ]
    pool = fd.canonical_pool_bytes(units)
    expected = (
        POOL_HEADER
        + b"913703221\ts\t1000000\t\t\t\n"
        + b"B\tt\t1000000\t\t\xe5\xad\xa6\xe6\xa0\xa1\xe5\x8d\xab\xe7\x94\x9f\tCLOSED\n"
        + b"b\ts\t2000000\tR\t\t\n"
        + "卫生院\ts\t1000000\t\t\t\n".encode()
    )
    assert pool == expected
    assert POOL_HEADER == b"fairdraw-pool/1\tunit_id\tstratum\tweight_ppm\tregion\tspecialty\texcluded_reason\n"
    assert fd.pool_digest(pool) == hashlib.sha256(pool).hexdigest()
    assert fd.canonical_pool_bytes(reversed(units)) == pool
    assert fd.read_units(pool) == sorted(units, key=lambda u: u.unit_id.encode())
    assert fd.stratum_counts(units) == {
        "s": {"total": 3, "eligible": 3, "excluded": 0},
        "t": {"total": 1, "eligible": 0, "excluded": 1},
    }


@pytest.mark.parametrize(
    "unit, code",
    [
        (fd.PoolUnit("a\tb", "s"), "TEXT_CONTROL_CHAR"),
        (fd.PoolUnit("a\nb", "s"), "TEXT_CONTROL_CHAR"),
        (fd.PoolUnit("", "s"), "TEXT_EMPTY"),
        (fd.PoolUnit("e\u0301", "s"), "TEXT_NOT_NFC"),
        (fd.PoolUnit("a", ""), "TEXT_EMPTY"),
        (fd.PoolUnit("a", "s", weight_ppm=0), "WEIGHT_ZERO"),
        (fd.PoolUnit("a", "s", weight_ppm=1.5), "WEIGHT_INVALID"),
        (fd.PoolUnit("x" * 257, "s"), "TEXT_TOO_LONG"),
    ],
)
def test_invalid_units_rejected_with_chinese_message(unit, code):
    with pytest.raises(fd.FairdrawError) as e:
        fd.canonical_pool_bytes([unit])
    assert e.value.code == code
    assert any("\u4e00" <= c <= "\u9fff" for c in e.value.message_zh)


def test_duplicate_unit_rejected():
    with pytest.raises(fd.FairdrawError, match="DUPLICATE_UNIT"):
        fd.canonical_pool_bytes([fd.PoolUnit("a", "s"), fd.PoolUnit("a", "t")])


@pytest.mark.parametrize(
    "body",
    [
        b"b\ts\t1\t\t\t\na\ts\t1\t\t\t\n",  # not sorted
        b"a\ts\t1\t\t\t\na\ts\t1\t\t\t\n",  # duplicate
        b"a\ts\t01\t\t\t\n",  # non-canonical integer
        b"a\ts\t0\t\t\t\n",  # zero weight, not excluded
        b"a\ts\t1\t\t\n",  # 5 fields
        b"a\ts\t1\t\t\t",  # no final LF
        b"a\ts\t1\t\t\t\r\n",  # CR
        b"a\t\t1\t\t\t\n",  # empty stratum
        b"\xff\ts\t1\t\t\t\n",  # not UTF-8
        "e\u0301\ts\t1\t\t\t\n".encode(),  # not NFC
    ],
)
def test_parser_rejects_non_canonical(body):
    with pytest.raises(fd.MalformedInput):
        list(iter_rows(POOL_HEADER + body))


def test_parser_rejects_bad_header():
    with pytest.raises(fd.MalformedInput, match="POOL_HEADER"):
        list(iter_rows(b"unit_id\tstratum\n"))


def _record(**over):
    kw = dict(
        draw_id="D1",
        plan=fd.DrawPlan(default=fd.StratumRule(rate="1/10")),
        pool_digest="0" * 64,
        strata={"s": {"total": 3, "eligible": 2, "excluded": 1}},
        public_sources=SOURCES,
        published_at=PUBLISHED_AT,
    )
    kw.update(over)
    return fd.build_commitment(**kw)


def test_commitment_record_and_hash():
    r = _record()
    assert r["units"] == {"total": 3, "eligible": 2, "excluded": 1}
    assert r["plan"]["default"]["rate"] == "1/10"
    assert fd.commitment_hash(r) == hashlib.sha256(fd.commitment_bytes(r)).hexdigest()
    assert fd.commitment_bytes(r).startswith(b'{"attempt":1,"draw_id":"D1",')
    assert b" " not in fd.commitment_bytes(r).replace("测试".encode(), b"")
    assert fd.check_commitment(r) == r


def test_commitment_rejects_bad_input():
    with pytest.raises(fd.FairdrawError, match="PUBLISHED_AT"):
        _record(published_at="2025-03-31T10:00:00")  # no time zone
    with pytest.raises(fd.FairdrawError, match="NO_PUBLIC_SOURCE"):
        _record(public_sources=[])
    with pytest.raises(fd.FairdrawError, match="JSON_FLOAT"):
        _record(task={"x": 0.5})
    with pytest.raises(fd.FairdrawError, match="HEX_INVALID"):
        _record(pool_digest="ABC")


def test_seed_derivation_matches_reference_and_is_order_sensitive():
    ch = "ab" * 32
    s = fd.derive_seed(ch, ["03,11", "ff00"])
    assert s == ref_seed(ch, ["03,11", "ff00"])
    manual = hashlib.sha256(
        b"".join(struct.pack(">I", len(f)) + f for f in [b"SRV1/seed", bytes.fromhex(ch), b"03,11", b"ff00"])
    ).digest()
    assert s == manual
    assert fd.derive_seed(ch, ["ff00", "03,11"]) != s
    assert fd.derive_seed(ch, ["03,1", "1ff00"]) != s  # length prefixes prevent shifting
    with pytest.raises(fd.FairdrawError):
        fd.derive_seed(ch, [])
    with pytest.raises(fd.FairdrawError):
        fd.derive_seed(ch, ["a\nb"])


def test_public_value_helpers():
    assert fd.lottery_value([27, 3, 9, 12, 31, 20], [8]) == "03,09,12,20,27,31+08"
    assert fd.drand_value(" AB" + "0" * 62) == "ab" + "0" * 62


def test_fractions():
    assert fd.parse_rate("5%") == Fraction(1, 20)
    assert fd.parse_rate("0.05") == Fraction(1, 20)
    assert fd.parse_rate("12/400") == Fraction(3, 100)
    assert fd.format_fraction(Fraction(1)) == "1/1"
    for bad in (0.05, "1/0", "abc", "150%", True):
        with pytest.raises(fd.FairdrawError):
            fd.parse_rate(bad)


def test_canonical_json_rules():
    assert fd.canonical_json({"b": 1, "a": ["中", None, True]}) == '{"a":["中",null,true],"b":1}'.encode()
    with pytest.raises(fd.FairdrawError):
        fd.canonical_json({"a": 2**53})
    with pytest.raises(fd.FairdrawError):
        fd.canonical_json({1: "a"})
