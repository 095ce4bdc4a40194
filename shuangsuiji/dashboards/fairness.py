"""抽取公平性报告: are units and inspectors drawn as often as the published probabilities say?

Read from the locked draws' manifests and pool snapshots (the committed bytes), and compared with the
stored result rows:

* **Strata** (aggregated by stratum code over the draws): expected = Σ target_h = Σ rate_h·E_h (the
  unconditional expectation stated in the plan, = Σ of the units' inclusion probabilities before
  rounding); observed = Σ units stored as drawn (DrawTarget, role 抽中). fairdraw's seeded pivotal
  rounding makes n_h = ⌊t_h⌋ + Bernoulli(frac t_h), so Var = Σ frac·(1 − frac). A min/max clamp
  shifts n_h deterministically and is reported as the reason, not as chance.
* **Units**: expected = Σ over draws of the stated probability n_h/E_h of each eligible unit;
  observed = times selected; Var = Σ π(1 − π). Only units selected at least twice are flagged, so a
  single rare event does not raise an alarm.
* **Inspectors**: expected = Σ over draws of (seats ÷ inspectors with capacity in the roster) — the
  mean load; observed = groups joined (manifest `loads`); Var ≈ Σ seats·p(1 − p) with p = 1/m.
  The assignment deliberately balances loads, so a large deviation points at specialty, 回避 or
  region constraints — or at a roster that excludes people.

A row is flagged when |z| > the tolerance (default 3).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from shuangsuiji import fairdraw as fd
from shuangsuiji.directory.models import BusinessLine, Inspector, RegulatedUnit
from shuangsuiji.draws import selectors as draw_selectors
from shuangsuiji.draws.choices import DrawStatus, FileKind, TargetRole
from shuangsuiji.draws.files import DrawFileCorrupted
from shuangsuiji.draws.models import Draw, DrawFile, DrawTarget
from shuangsuiji.fairdraw.snapshot import iter_rows
from shuangsuiji.plans.pool import stratum_label

DEFAULT_Z = 3.0
MAX_UNIT_ROWS = 50
CLAMP_NOTES = {"min": "受每层最少抽取数限制", "max": "受每层最多抽取数限制", "certainty": "全部检查"}


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

    def finish(self, z_limit: float) -> None:
        self.z = z_score(self.observed, self.expected, self.variance)
        self.flagged = self.z is not None and abs(self.z) > z_limit

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
    z_limit: float

    @property
    def flagged(self) -> int:
        return sum(r.flagged for r in self.strata + self.units + self.inspectors)


def _files(draw) -> dict[str, bytes]:
    """One draw's manifest, pool and roster, hash-checked (DrawFileCorrupted otherwise).

    Read draw by draw, so the report holds one draw's files in memory at a time, never a year's."""
    rows = DrawFile.objects.filter(draw=draw, kind__in=(FileKind.MANIFEST, FileKind.POOL, FileKind.ROSTER))
    return {row.kind: row.read() for row in rows}


def fairness_report(user, *, region, year: int, z_limit: float = DEFAULT_Z, progress=None) -> FairnessReport:
    """`progress(done, total)` (a background job's) is told after each draw."""
    draws = list(
        Draw.objects.restrict(user, "view")
        .filter(region__code__startswith=region.scope_prefix, status=DrawStatus.LOCKED, drawn_at__year=year)
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
                row.notes.add(CLAMP_NOTES.get(alloc["clamp"], alloc["clamp"]))
            else:
                frac = target - math.floor(target)
                row.expected += float(target)
                row.variance += float(frac * (1 - frac))
            if sorted(stored.get((draw.pk, h), [])) != sorted(manifest["selection"][h]["selected"]):
                mismatches.append(f"{draw.code} 分层 {h}：数据库中的抽中对象与抽取结果清单不一致")
        _units(draw, manifest, files.get(FileKind.POOL, b""), units)
        _inspectors(manifest, files.get(FileKind.ROSTER), inspectors)
        del files
    for rows in (strata, units, inspectors):
        for row in rows.values():
            row.finish(z_limit)
    _name_units(units)
    _name_inspectors(inspectors)
    unit_rows = sorted((r for r in units.values() if r.observed >= 2 or r.flagged),
                       key=lambda r: -(r.z if r.z is not None and not math.isinf(r.z) else 0))  # fmt: skip
    for r in unit_rows:
        r.flagged = r.flagged and r.observed >= 2
    return FairnessReport(
        draws=draws,
        strata=sorted(strata.values(), key=lambda r: r.key),
        units=unit_rows[:MAX_UNIT_ROWS],
        units_checked=len(units),
        inspectors=sorted(inspectors.values(), key=lambda r: -(r.observed - r.expected)),
        mismatches=mismatches,
        z_limit=z_limit,
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
    names |= draw_selectors.pseudonym_names(inspectors)  # rosters name inspectors by pseudonym
    for code, row in inspectors.items():
        row.label = names.get(code, code)


def chart(report: FairnessReport) -> dict:
    """Expected vs observed per stratum (bar) — option-ready for ECharts."""
    rows = report.strata
    return {
        "title": {"text": "各分层：期望抽中数与实际抽中数", "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 50, "right": 20, "top": 40, "bottom": 60},
        "xAxis": {"type": "category", "data": [r.label for r in rows], "axisLabel": {"interval": 0}},
        "yAxis": {"type": "value", "name": "户次"},
        "series": [
            {"name": "期望（Σ 比例×可抽取数）", "type": "bar", "data": [round(r.expected, 2) for r in rows]},
            {"name": "实际抽中", "type": "bar", "data": [r.observed for r in rows]},
        ],
    }


def _z_json(z):
    return z if z is None or math.isfinite(z) else ("inf" if z > 0 else "-inf")


def report_json(report: FairnessReport) -> dict:
    """The report as JSON (kept on the background job that computed it)."""

    def rows(items):
        return [{**{k: getattr(r, k) for k in ("key", "label", "draws", "expected", "observed", "variance",
                                                  "flagged")}, "notes": sorted(r.notes), "z": _z_json(r.z)}
                for r in items]  # fmt: skip

    return {
        "draws": [d.code for d in report.draws], "strata": rows(report.strata), "units": rows(report.units),
        "units_checked": report.units_checked, "inspectors": rows(report.inspectors),
        "mismatches": report.mismatches, "z_limit": report.z_limit,
    }  # fmt: skip


def report_from_json(data: dict) -> FairnessReport:
    def rows(items):
        out = []
        for item in items:
            z = item["z"]
            z = float(z) if isinstance(z, str) else z
            out.append(Row(**{**item, "notes": set(item["notes"]), "z": z}))
        return out

    return FairnessReport(
        draws=data["draws"], strata=rows(data["strata"]), units=rows(data["units"]),
        units_checked=data["units_checked"], inspectors=rows(data["inspectors"]), mismatches=data["mismatches"],
        z_limit=data["z_limit"],
    )  # fmt: skip
