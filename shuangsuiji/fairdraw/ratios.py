"""Sampling-ratio tables as data (spec §6.1).

* ``GAOQING_2020`` - the 高青县卫生健康监督执法“双随机 一公开”工作指引 table:
  the ratio of a 重点监督督查 draw depends on the number of units of the
  专业 (seed document 002, 四（三）2):
  ≤20 家 50%；21～50 家 30%～40%；51～100 家 20%～30%；101～200 家 10%～15%；
  201～500 家 5%～10%；>500 家 3%～5%.
* ``RISK_CLASS_BANDS_LINDIAN`` - per credit-risk class bands (A ≤5%, B 5–20%,
  C 21–60%, D 61–100%; 大庆林甸 example, research-regulatory §1.5 BR-19).

These are only defaults: the app may build its own ``RatioTable`` /
band dictionaries from configuration.  Nothing in the selection path reads
them; they only produce the per-stratum rates written into a ``DrawPlan``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from .canon import parse_rate
from .errors import FairdrawError

GAOQING_2020_DATA = {
    "name": "高青县卫生健康监督执法“双随机 一公开”工作指引 — 按单位总数分段确定抽查比例",
    "bands": [
        {"min_units": 0, "max_units": 20, "low": "50%", "high": "50%"},
        {"min_units": 21, "max_units": 50, "low": "30%", "high": "40%"},
        {"min_units": 51, "max_units": 100, "low": "20%", "high": "30%"},
        {"min_units": 101, "max_units": 200, "low": "10%", "high": "15%"},
        {"min_units": 201, "max_units": 500, "low": "5%", "high": "10%"},
        {"min_units": 501, "max_units": None, "low": "3%", "high": "5%"},
    ],
}

RISK_CLASS_BANDS_LINDIAN_DATA = {
    "A": {"label": "信用风险低", "low": "0%", "high": "5%"},
    "B": {"label": "信用风险一般", "low": "5%", "high": "20%"},
    "C": {"label": "信用风险较高", "low": "21%", "high": "60%"},
    "D": {"label": "信用风险高", "low": "61%", "high": "100%"},
}


def _pick(low: Fraction, high: Fraction, pick: str | Fraction) -> Fraction:
    if pick == "low":
        return low
    if pick == "high":
        return high
    if pick == "mid":
        return (low + high) / 2
    t = parse_rate(pick, "区间位置")
    return low + t * (high - low)


@dataclass(frozen=True)
class CountBand:
    min_units: int
    max_units: int | None  # None = no upper bound
    low: Fraction
    high: Fraction

    def contains(self, n: int) -> bool:
        return n >= self.min_units and (self.max_units is None or n <= self.max_units)


@dataclass(frozen=True)
class RatioTable:
    """A ratio table by number of units (按单位总数分段)."""

    name: str
    bands: tuple[CountBand, ...]

    @classmethod
    def from_dict(cls, data: Mapping) -> RatioTable:
        bands = tuple(
            CountBand(
                int(b["min_units"]),
                None if b["max_units"] is None else int(b["max_units"]),
                parse_rate(b["low"]),
                parse_rate(b["high"]),
            )
            for b in data["bands"]
        )
        for a, b in zip(bands, bands[1:], strict=False):
            if a.max_units is None or b.min_units != a.max_units + 1:
                raise FairdrawError("RATIO_TABLE_GAP", f"比例表 {data['name']} 的分段不连续")
        for b in bands:
            if b.low > b.high:
                raise FairdrawError("RATIO_TABLE_BAND", f"比例表 {data['name']} 中下限大于上限")
        return cls(str(data["name"]), bands)

    def band_for(self, unit_count: int) -> CountBand:
        for b in self.bands:
            if b.contains(unit_count):
                return b
        raise FairdrawError("RATIO_TABLE_NO_BAND", f"比例表 {self.name} 中没有适用于 {unit_count} 家单位的分段")

    def rate_for(self, unit_count: int, pick: str | Fraction = "low") -> Fraction:
        """The ratio for a population of ``unit_count`` units.

        ``pick`` chooses inside the band: "low", "high", "mid" or a fraction
        t in [0, 1] meaning low + t·(high − low).
        """
        b = self.band_for(unit_count)
        return _pick(b.low, b.high, pick)


GAOQING_2020 = RatioTable.from_dict(GAOQING_2020_DATA)


def risk_class_rates(
    bands: Mapping[str, Mapping] = RISK_CLASS_BANDS_LINDIAN_DATA,
    pick: str | Fraction | Mapping[str, str | Fraction] = "low",
) -> dict[str, Fraction]:
    """Rates per risk class from bands; ``pick`` may differ per class."""
    out = {}
    for cls, b in sorted(bands.items()):
        p = pick[cls] if isinstance(pick, Mapping) else pick
        out[cls] = _pick(parse_rate(b["low"]), parse_rate(b["high"]), p)
    return out


def rates_for_strata(
    stratum_eligible: Mapping[str, int],
    *,
    class_of: Callable[[str], str] | None = None,
    class_rates: Mapping[str, Fraction | str] | None = None,
    count_table: RatioTable | None = None,
    pick: str | Fraction = "low",
) -> dict[str, Fraction]:
    """Per-stratum rates for a DrawPlan.

    * With ``class_of`` + ``class_rates``: stratum h gets class_rates[class_of(h)]
      (e.g. strata "370322|C" → class "C").
    * Otherwise with ``count_table``: every stratum gets the table's rate for
      the *total* number of eligible units (高青: one ratio per 专业 by its size).
    """
    if class_of is not None and class_rates is not None:
        out = {}
        for h in sorted(stratum_eligible):
            c = class_of(h)
            if c not in class_rates:
                raise FairdrawError("RISK_CLASS_UNKNOWN", f"分层 {h} 的风险等级 {c!r} 没有配置抽查比例")
            out[h] = parse_rate(class_rates[c])
        return out
    table = count_table or GAOQING_2020
    r = table.rate_for(sum(stratum_eligible.values()), pick)
    return {h: r for h in sorted(stratum_eligible)}
