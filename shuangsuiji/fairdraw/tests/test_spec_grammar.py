"""The grammars of spec §2 and §4 (issue #14 c): what a third party must refuse, the engine refuses too."""

import pytest

from shuangsuiji import fairdraw as fd

BASE = dict(draw_id="d", plan=fd.DrawPlan(), pool_digest="0" * 64,
            strata={"s": {"total": 1, "eligible": 1, "excluded": 0}},
            public_sources=[{"kind": "other"}], published_at="2025-03-31T10:00:00+08:00")  # fmt: skip


@pytest.mark.parametrize(
    "published_at",
    ["2025-03-31T10:00:00.5+08:00", "2025-03-31 10:00:00+08:00", "2025-03-31T10:00:00Z", "2025-03-31T10:00:00",
     "20250331T100000+0800", "2025-03-31T10:00:00+24:00", "2025-02-30T10:00:00+08:00", "２025-03-31T10:00:00+08:00"],
)  # fmt: skip
def test_published_at_grammar_is_strict(published_at):
    with pytest.raises(fd.FairdrawError):
        fd.build_commitment(**{**BASE, "published_at": published_at})


def test_published_at_accepted_forms():
    for v in ("2025-03-31T10:00:00+08:00", "2025-03-31T02:00:00+00:00", "2025-03-31T02:00:00-05:30"):
        assert fd.build_commitment(**{**BASE, "published_at": v})["published_at"] == v


@pytest.mark.parametrize("date", ["2025-W14-1", "2025-4-07", "20250407", "2025-04-31", "２０２５-04-07"])
def test_dates_are_yyyy_mm_dd(date):
    with pytest.raises(fd.FairdrawError):
        fd.AssignmentRules(inspection_date=date)


@pytest.mark.parametrize(
    "sources", [[], [{}], [{"kind": ""}], [{"kind": 1}], [{"kind": "a\tb"}], ["lottery"], {"kind": "other"}]
)
def test_public_sources_grammar(sources):
    with pytest.raises(fd.FairdrawError):
        fd.build_commitment(**{**BASE, "public_sources": sources})


def test_task_is_an_object_and_counts_are_integers():
    with pytest.raises(fd.FairdrawError):
        fd.build_commitment(**{**BASE, "task": ["x"]})
    with pytest.raises(fd.FairdrawError):
        fd.build_commitment(**{**BASE, "strata": {"s": {"total": True, "eligible": True, "excluded": 0}}})


def test_commitment_compared_as_bytes():
    """`true` where an integer belongs is not canonical (Python's true == 1 must not hide it)."""
    rec = fd.build_commitment(**BASE)
    bad = {**rec, "units": {"total": True, "eligible": 1, "excluded": 0}}
    with pytest.raises(fd.MalformedInput):
        fd.check_commitment(bad)


@pytest.mark.parametrize("rate", ["2/40", "0.05", "5%", " 1/20", "01/20", "1/020", "0/5", "-0/1"])
def test_plan_rates_must_be_reduced_p_over_q(rate):
    rec = fd.build_commitment(**BASE)
    bad = {**rec, "plan": {**rec["plan"], "default": {**rec["plan"]["default"], "rate": rate}}}
    with pytest.raises(fd.MalformedInput):
        fd.check_commitment(bad)
