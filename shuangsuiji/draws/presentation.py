"""How a draw's commitment and result read per stratum: shared by the staff pages (draws/views.py) and the
public portal (disclosure/views.py), so neither view module imports the other."""

from shuangsuiji import fairdraw as fd
from shuangsuiji.directory.models import BusinessLine
from shuangsuiji.plans import pool

from .choices import TargetRole
from .models import Draw


def commitment_strata(draw: Draw, commitment: dict) -> list[dict]:
    """Per stratum: counts, committed rule and the exact inclusion probability (before the draw)."""
    plan = fd.DrawPlan.from_dict(commitment["plan"])
    lines = None
    rows = []
    for h, c in commitment["strata"].items():
        rule = plan.rule_for(h)
        prob = pool.inclusion_probability(rule, c["eligible"])
        if lines is None:
            lines = dict(BusinessLine.objects.values_list("code", "name"))
        rows.append({
            "stratum": h, "label": pool.stratum_label(h, lines), **c,
            "rate": "全部" if rule.certainty else f"{pool.fraction_to_pct(rule.rate).normalize():f}%",
            "min_n": rule.min_n, "max_n": rule.max_n,
            "expected": f"{float(pool.expected_n(rule, c['eligible'])):.2f}",
            "probability": fd.format_fraction(prob), "probability_pct": f"{float(prob) * 100:.2f}%",
        })  # fmt: skip
    return rows


def result_strata(draw: Draw, manifest: dict, targets) -> list[dict]:
    by_stratum: dict[str, dict] = {}
    for t in targets:
        row = by_stratum.setdefault(t.stratum, {"selected": [], "substitutes": []})
        row["selected" if t.role == TargetRole.SELECTED else "substitutes"].append(t)
    out = []
    for h, sel in manifest["selection"].items():
        alloc = manifest["allocation"][h]
        out.append({
            "stratum": h, "n": sel["n"], "eligible": sel["eligible"], "probability": sel["probability"],
            "target": alloc["target"], "clamp": alloc["clamp"], "threshold": sel["threshold"],
            **by_stratum.get(h, {"selected": [], "substitutes": []}),
        })  # fmt: skip
    return out
