"""抽取公平性报告: are units drawn as often as the published probabilities say — tested where the law of large
numbers applies, with exact tests and a multiple-testing correction, so honest draws raise no false alarm.

Read from the locked draws (of the plan year) manifests and pool snapshots (the committed bytes), compared with
the stored result rows:

* **Strata** (aggregated by stratum code over the year's draws): each draw's allocation states a target t_h =
  rate_h·E_h; fairdraw's seeded pivotal rounding draws n_h = ⌊t_h⌋ + Bernoulli(frac t_h). Over the year the
  count is Σ⌊t_h⌋ + a Poisson-binomial sum of the fractional parts: its exact distribution is computed by dynamic
  programming and the two-sided exact p-value is P(X such that P(X) ≤ P(observed)). A min/max/全部 clamp fixes
  n_h by rule: it is explained (说明), not tested. Rounding is explained too: one draw can only give ⌊t⌋ or ⌈t⌉.
* **Units**: in each draw a unit of stratum h is selected with probability n_h/E_h (simple random sampling
  within the stratum); over the year its count is Poisson-binomial; same exact test.
* **Holm** (step-down, family-wise error α, default 5 %) over every tested stratum and unit: a row is flagged only
  if its p-value survives the correction. One unit drawn in every round of a year stands out; the ordinary spread
  of many units does not.
* **Inspectors** are not tested: assignment follows the specialist rule (每组至少 1 名本专业人员), 回避 and load
  balancing, so an inspector's share is not a published probability. Their loads are listed with the mean.

The chart plots exactly the strata table's expected and observed columns.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from shuangsuiji import fairdraw as fd
from shuangsuiji.directory.models import BusinessLine, Inspector, RegulatedUnit
from shuangsuiji.draws.choices import DrawOrigin, DrawStatus, FileKind, TargetRole
from shuangsuiji.draws.files import DrawFileCorrupted
from shuangsuiji.draws.models import Draw, DrawFile, DrawTarget
from shuangsuiji.fairdraw.snapshot import iter_rows
from shuangsuiji.plans.pool import stratum_label

DEFAULT_ALPHA = 0.05
DEFAULT_Z = 3.0  # kept for the descriptive z column
MAX_UNIT_ROWS = 50
CLAMP_NOTES = {
    "min": "受每层最少抽取数限制（按规则确定，不作概率检验）",
    "max": "受每层最多抽取数限制（按规则确定，不作概率检验）",
    "certainty": "全部检查（按规则确定，不作概率检验）",
}
ROUNDING_NOTE = "应抽数含小数：每次抽取只能抽期望值向下或向上取整的户数，按小数部分的概率进位"
SPECIALIST_NOTE = (
    "执法人员选派遵守“每组至少 1 名本专业人员”、回避和负载均衡规则，个人被选派的机会不是公布的概率，"
    "因此只列出实际负荷与平均负荷，不作偏差检验。"
)


def poisson_binomial(probabilities) -> list[float]:
    """P(X = k), k = 0..n, for X = Σ Bernoulli(p_i) (independent), by dynamic programming (O(n²))."""
    dist = [1.0]
    for p in probabilities:
        p = float(p)
        nxt = [0.0] * (len(dist) + 1)
        for k, mass in enumerate(dist):
            nxt[k] += mass * (1 - p)
            nxt[k + 1] += mass * p
        dist = nxt
    return dist


def exact_p_value(probabilities, observed: int) -> float:
    """Two-sided exact p-value: the probability of any count no more likely than the observed one."""
    dist = poisson_binomial(probabilities)
    if observed < 0 or observed >= len(dist):
        return 0.0
    limit = dist[observed] * (1 + 1e-9)
    return min(1.0, sum(m for m in dist if m <= limit))


def holm(p_values: list[float], alpha: float) -> list[bool]:
    """Holm's step-down rejections (family-wise error ≤ alpha), in the order given."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    rejected = [False] * len(p_values)
    m = len(p_values)
    for rank, i in enumerate(order):
        if p_values[i] > alpha / (m - rank):
            break
        rejected[i] = True
    return rejected


def z_score(observed: float, expected: float, variance: float) -> float | None:
    if variance > 1e-12:
        return (observed - expected) / math.sqrt(variance)
    return None if abs(observed - expected) < 1e-9 else math.copysign(math.inf, observed - expected)


@dataclass
class Row:
    key: str
    label: str
    draws: int = 0
    expected: float = 0.0
    observed: int = 0
    variance: float = 0.0
    notes: set = field(default_factory=set)
    z: float | None = None
    flagged: bool = False
    fixed: int = 0  # counts set by rule (⌊t⌋ and clamps): not random
    chances: list = field(default_factory=list)  # Bernoulli probabilities of the random part
    tested: bool = True
    p_value: float | None = None

    def finish(self) -> None:
        self.z = z_score(self.observed, self.expected, self.variance)
        if self.tested:
            self.p_value = exact_p_value(self.chances, self.observed - self.fixed)

    @property
    def p_display(self) -> str:
        if self.p_value is None:
            return "不检验"
        return "<0.0001" if self.p_value < 1e-4 else f"{self.p_value:.4f}"

    @property
    def z_display(self) -> str:
        if self.z is None:
            return "—"
        if math.isinf(self.z):
            return "∞" if self.z > 0 else "−∞"
        return f"{self.z:+.2f}"


@dataclass
class FairnessReport:
    draws: list
    strata: list[Row]
    units: list[Row]
    units_checked: int
    inspectors: list[Row]
    mismatches: list[str]
    alpha: float = DEFAULT_ALPHA
    tests: int = 0
    specialist_note: str = SPECIALIST_NOTE

    @property
    def flagged(self) -> int:
        return sum(r.flagged for r in self.strata + self.units)


def evaluate(strata: list[Row], units: list[Row], alpha: float = DEFAULT_ALPHA) -> int:
    """Exact p-values for every tested row, then Holm over all of them; returns the number of tests."""
    rows = [r for r in strata + units if r.tested]
    for r in strata + units:
        r.finish()
    for row, rejected in zip(rows, holm([r.p_value for r in rows], alpha), strict=True):
        row.flagged = rejected
    return len(rows)


def _files(draw) -> dict[str, bytes]:
    """One draw's manifest, pool and roster, hash-checked (DrawFileCorrupted otherwise).

    Read draw by draw, so the report holds one draw's files in memory at a time, never a year's."""
    rows = DrawFile.objects.filter(draw=draw, kind__in=(FileKind.MANIFEST, FileKind.POOL, FileKind.ROSTER))
    return {row.kind: row.read() for row in rows}


def fairness_report(user, *, region, year: int, alpha: float = DEFAULT_ALPHA, progress=None) -> FairnessReport:
    """`progress(done, total)` (a background job's) is told after each draw."""
    draws = list(
        Draw.objects.restrict(user, "view")
        .filter(
            region__code__startswith=region.scope_prefix,
            status=DrawStatus.LOCKED,
            task__plan__year=year,
            origin=DrawOrigin.DRAWN,
        )  # 上级下达/非随机检查 records have no draw to test
        .select_related("task")
        .order_by("drawn_at")
    )
    stored = defaultdict(list)
    for draw_id, stratum, code in DrawTarget.objects.filter(draw__in=draws, role=TargetRole.SELECTED).values_list(
        "draw_id", "stratum", "unit_code"
    ):
        stored[(draw_id, stratum)].append(code)
    lines = dict(BusinessLine.objects.values_list("code", "name"))
    strata: dict[str, Row] = {}
    units: dict[str, Row] = {}
    inspectors: dict[str, Row] = {}
    mismatches = []
    for done, draw in enumerate(draws):
        if progress is not None:
            progress(done, len(draws))
        try:
            files = _files(draw)
        except DrawFileCorrupted as exc:
            mismatches.append(f"{draw.code}：{exc.message}")
            continue
        if FileKind.MANIFEST not in files:
            mismatches.append(f"{draw.code}：缺少抽取结果清单文件")
            continue
        manifest = json.loads(files[FileKind.MANIFEST])
        for h, alloc in manifest["allocation"].items():
            row = strata.setdefault(h, Row(h, stratum_label(h, lines)))
            target = Fraction(fd.parse_fraction(alloc["target"]))
            row.draws += 1
            row.observed += len(stored.get((draw.pk, h), []))
            if alloc["clamp"]:  # the stated size is n itself (min/max/全部), not chance
                row.expected += alloc["n"]
                row.fixed += alloc["n"]
                row.notes.add(CLAMP_NOTES.get(alloc["clamp"], alloc["clamp"]))
            else:
                frac = target - math.floor(target)
                row.expected += float(target)
                row.fixed += math.floor(target)
                row.variance += float(frac * (1 - frac))
                if frac:
                    row.chances.append(frac)
                    row.notes.add(ROUNDING_NOTE)
            if sorted(stored.get((draw.pk, h), [])) != sorted(manifest["selection"][h]["selected"]):
                mismatches.append(f"{draw.code} 分层 {h}：数据库中的抽中对象与抽取结果清单不一致")
        _units(draw, manifest, files.get(FileKind.POOL, b""), units)
        _inspectors(manifest, files.get(FileKind.ROSTER), inspectors)
        del files
    for row in strata.values():
        row.tested = bool(row.chances) or row.observed != row.fixed
    for row in inspectors.values():
        row.tested = False
        row.finish()
    tests = evaluate(list(strata.values()), list(units.values()), alpha)
    _name_units(units)
    _name_inspectors(inspectors)
    unit_rows = sorted((r for r in units.values() if r.observed >= 2 or r.flagged),
                       key=lambda r: (not r.flagged, r.p_value if r.p_value is not None else 1.0))  # fmt: skip
    return FairnessReport(
        draws=draws,
        strata=sorted(strata.values(), key=lambda r: r.key),
        units=unit_rows[:MAX_UNIT_ROWS],
        units_checked=len(units),
        inspectors=sorted(inspectors.values(), key=lambda r: -(r.observed - r.expected)),
        mismatches=mismatches,
        alpha=alpha,
        tests=tests,
    )


def _units(draw, manifest: dict, pool_bytes: bytes, units: dict) -> None:
    if not pool_bytes:
        return
    probability = {h: Fraction(s["n"], s["eligible"]) if s["eligible"] else Fraction(0)
                   for h, s in manifest["selection"].items() if s["method"] == "srs"}  # fmt: skip
    selected = {u for s in manifest["selection"].values() for u in s["selected"]}
    probability = {h.encode(): p for h, p in probability.items()}
    for uid, stratum, _weight, _region, _specialty, reason in iter_rows(pool_bytes):  # streamed, no objects
        if reason or stratum not in probability:
            continue
        p = probability[stratum]
        unit_id = uid.decode()
        row = units.setdefault(unit_id, Row(unit_id, unit_id))
        row.draws += 1
        row.expected += float(p)
        row.variance += float(p * (1 - p))
        row.observed += unit_id in selected
        if 0 < p < 1:
            row.chances.append(p)
        else:
            row.fixed += int(p)


def _inspectors(manifest: dict, roster_bytes: bytes | None, inspectors: dict) -> None:
    assignment = manifest.get("assignment")
    if not assignment or roster_bytes is None:
        return
    roster = fd.parse_roster(roster_bytes)
    able = [i.inspector_id for i in roster if i.max_load is None or i.max_load > 0]
    if not able:
        return
    seats = sum(len(g) for g in assignment["groups"].values())
    p = 1 / len(able)
    for iid in able:
        row = inspectors.setdefault(iid, Row(iid, iid))
        row.draws += 1
        row.expected += seats * p
        row.variance += seats * p * (1 - p)
        row.observed += assignment["loads"].get(iid, 0)


def _name_units(units: dict) -> None:
    names = dict(RegulatedUnit.objects.filter(credit_code__in=list(units)).values_list("credit_code", "name"))
    for code, row in units.items():
        row.label = names.get(code, code)


def _name_inspectors(inspectors: dict) -> None:
    names = dict(Inspector.objects.filter(cert_no__in=list(inspectors)).values_list("cert_no", "name"))
    for code, row in inspectors.items():
        row.label = names.get(code, code)


def chart(report: FairnessReport) -> dict:
    """Expected vs observed per stratum (bar) — the strata table's own rows and numbers, option-ready."""
    rows = report.strata
    return {
        "title": {"text": "各分层：期望抽中数与实际抽中数", "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 50, "right": 20, "top": 40, "bottom": 60},
        "xAxis": {"type": "category", "data": [r.label for r in rows], "axisLabel": {"interval": 0}},
        "yAxis": {"type": "value", "name": "户次"},
        "series": [
            {"name": "期望抽中", "type": "bar", "data": [round(r.expected, 2) for r in rows]},
            {"name": "实际抽中", "type": "bar", "data": [r.observed for r in rows], "itemStyle": {"color": "#2f6f4f"}},
        ],
    }


# --- kept on the background job that computed it (dashboards/jobs.py) ------------------------------------


def _float_json(x):
    return x if x is None or not isinstance(x, float) or math.isfinite(x) else ("inf" if x > 0 else "-inf")


def _float_back(x):
    return float(x) if isinstance(x, str) else x


ROW_FLOATS = ("expected", "variance", "z", "p_value")


def report_json(report: FairnessReport) -> dict:
    """The report as JSON (sets as sorted lists, infinite numbers as text, draws by code)."""

    def rows(items):
        out = []
        for r in items:
            item = dataclasses.asdict(r)
            item["notes"] = sorted(r.notes)
            item.update({k: _float_json(item[k]) for k in ROW_FLOATS})
            out.append(item)
        return out

    return {
        "draws": [getattr(d, "code", d) for d in report.draws], "strata": rows(report.strata),
        "units": rows(report.units), "units_checked": report.units_checked, "inspectors": rows(report.inspectors),
        "mismatches": report.mismatches, "alpha": report.alpha, "tests": report.tests,
        "specialist_note": report.specialist_note,
    }  # fmt: skip


def report_from_json(data: dict) -> FairnessReport:
    def rows(items):
        return [
            Row(**{**item, "notes": set(item["notes"]), **{k: _float_back(item[k]) for k in ROW_FLOATS}})
            for item in items
        ]

    return FairnessReport(
        draws=data["draws"], strata=rows(data["strata"]), units=rows(data["units"]),
        units_checked=data["units_checked"], inspectors=rows(data["inspectors"]), mismatches=data["mismatches"],
        alpha=data["alpha"], tests=data["tests"], specialist_note=data["specialist_note"],
    )  # fmt: skip
