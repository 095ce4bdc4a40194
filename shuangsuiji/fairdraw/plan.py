"""The draw plan (task parameters) that is committed before the randomness (spec §4).

A plan says, per stratum, the sampling rate, min/max clamps, whether the
stratum is a certainty stratum (all eligible units are inspected) and the
selection method ("srs" = equal probability, "pivotal" = probability
proportional to ``weight_ppm``); plus how many substitutes to publish and the
inspector-assignment rules.  ``DrawPlan.to_dict()`` is what goes into the
commitment record; ``DrawPlan.from_dict`` reads it back.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from .canon import check_text, format_fraction, parse_rate
from .errors import FairdrawError

PLAN_ALGORITHM = "fairdraw/SRV1"
METHODS = ("srs", "pivotal")
REGION_RULES = ("any", "same", "different")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # spec §2: ASCII digits only, a real calendar date


def _int(v: object, what: str, lo: int = 0) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < lo:
        raise FairdrawError("PLAN_INT", f"{what} 必须是不小于 {lo} 的整数：{v!r}")
    return v


def _date(v: object, what: str, allow_empty: bool = False) -> str:
    if allow_empty and v == "":
        return ""
    try:
        if not isinstance(v, str) or not DATE_RE.fullmatch(v):
            raise ValueError
        _dt.date.fromisoformat(v)
    except ValueError:
        raise FairdrawError("PLAN_DATE", f"{what} 必须是 YYYY-MM-DD 格式的日期：{v!r}") from None
    return v


@dataclass(frozen=True)
class StratumRule:
    rate: Fraction = Fraction(0)
    min_n: int = 0
    max_n: int | None = None
    certainty: bool = False
    method: str = "srs"

    def __post_init__(self) -> None:
        object.__setattr__(self, "rate", parse_rate(self.rate))
        _int(self.min_n, "最少抽取数 min")
        if self.max_n is not None:
            _int(self.max_n, "最多抽取数 max")
            if self.max_n < self.min_n:
                raise FairdrawError("PLAN_MIN_MAX", f"最多抽取数 {self.max_n} 小于最少抽取数 {self.min_n}")
        if self.method not in METHODS:
            raise FairdrawError("PLAN_METHOD", f"抽取方法必须是 {METHODS} 之一：{self.method!r}")
        if not isinstance(self.certainty, bool):
            raise FairdrawError("PLAN_CERTAINTY", "certainty 必须是布尔值")

    def to_dict(self) -> dict:
        return {
            "rate": format_fraction(self.rate),
            "min": self.min_n,
            "max": self.max_n,
            "certainty": self.certainty,
            "method": self.method,
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> StratumRule:
        _keys(d, {"rate", "min", "max", "certainty", "method"}, "分层规则")
        return cls(parse_rate(d["rate"]), d["min"], d["max"], d["certainty"], d["method"])


@dataclass(frozen=True)
class AssignmentRules:
    """Inspector-assignment rules (spec §8)."""

    inspection_date: str
    inspection_end: str = ""  # "" = same day as inspection_date
    group_size: int = 2  # ≥ 2 (行政处罚法: no fewer than two officers)
    require_specialist: bool = True  # ≥1 member holding the unit's specialty
    region_rule: str = "any"  # "any" | "same" | "different" (跨区交叉检查)
    max_load: int | None = None  # cap per inspector (None = only the roster's own caps)
    balance: bool = True  # minimise the maximum load

    def __post_init__(self) -> None:
        _date(self.inspection_date, "检查日期 inspection_date")
        _date(self.inspection_end, "检查结束日期 inspection_end", allow_empty=True)
        if self.inspection_end and self.inspection_end < self.inspection_date:
            raise FairdrawError("PLAN_DATE", "检查结束日期早于开始日期")
        _int(self.group_size, "检查组人数 group_size", 2)
        if self.max_load is not None:
            _int(self.max_load, "每人最多任务数 max_load", 1)
        if self.region_rule not in REGION_RULES:
            raise FairdrawError("PLAN_REGION_RULE", f"地区规则必须是 {REGION_RULES} 之一：{self.region_rule!r}")
        for name in ("require_specialist", "balance"):
            if not isinstance(getattr(self, name), bool):
                raise FairdrawError("PLAN_BOOL", f"{name} 必须是布尔值")

    @property
    def window_end(self) -> str:
        return self.inspection_end or self.inspection_date

    def to_dict(self) -> dict:
        return {
            "inspection_date": self.inspection_date,
            "inspection_end": self.inspection_end,
            "group_size": self.group_size,
            "require_specialist": self.require_specialist,
            "region_rule": self.region_rule,
            "max_load": self.max_load,
            "balance": self.balance,
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> AssignmentRules:
        _keys(d, set(cls.__dataclass_fields__) - set(), "选派规则")
        return cls(**dict(d))


def _keys(d: object, expected: set, what: str) -> None:
    if not isinstance(d, Mapping) or set(d) != expected:
        got = sorted(d) if isinstance(d, Mapping) else type(d).__name__
        raise FairdrawError("PLAN_KEYS", f"{what} 的字段应为 {sorted(expected)}，实际为 {got}")


@dataclass(frozen=True)
class DrawPlan:
    default: StratumRule = StratumRule()
    strata: Mapping[str, StratumRule] = field(default_factory=dict)
    substitutes: int = 3  # substitutes published per stratum
    assignment: AssignmentRules | None = None

    def __post_init__(self) -> None:
        for h in self.strata:
            check_text(h, "分层代码")
        _int(self.substitutes, "候补数量 substitutes")

    def rule_for(self, stratum: str) -> StratumRule:
        return self.strata.get(stratum, self.default)

    def to_dict(self) -> dict:
        return {
            "algorithm": PLAN_ALGORITHM,
            "default": self.default.to_dict(),
            "strata": {h: r.to_dict() for h, r in sorted(self.strata.items())},
            "substitutes": self.substitutes,
            "assignment": None if self.assignment is None else self.assignment.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> DrawPlan:
        _keys(d, {"algorithm", "default", "strata", "substitutes", "assignment"}, "抽查方案")
        if d["algorithm"] != PLAN_ALGORITHM:
            raise FairdrawError("PLAN_ALGORITHM", f"不支持的算法版本：{d['algorithm']!r}（应为 {PLAN_ALGORITHM}）")
        if not isinstance(d["strata"], Mapping):
            raise FairdrawError("PLAN_KEYS", "strata 必须是对象")
        a = d["assignment"]
        return cls(
            StratumRule.from_dict(d["default"]),
            {h: StratumRule.from_dict(r) for h, r in d["strata"].items()},
            d["substitutes"],
            None if a is None else AssignmentRules.from_dict(a),
        )
