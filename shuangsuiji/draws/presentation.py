"""How a draw's commitment and result read per stratum: shared by the staff pages (draws/views.py) and the
public portal (disclosure/views.py), so neither view module imports the other."""

from fractions import Fraction

from shuangsuiji import fairdraw as fd
from shuangsuiji.directory.models import BusinessLine
from shuangsuiji.plans import pool

from .choices import FileKind, TargetRole
from .models import Draw


def percent_text(p: Fraction) -> str:
    """“即 50%” when exact, else “约 4.8%” (two significant digits)."""
    pct = p * 100
    if pct.denominator == 1:
        return f"即 {pct.numerator}%"
    return f"约 {float(pct):.2g}%"


def probability_text(probability: str) -> str:
    """A manifest probability in plain Chinese: “每户被抽中的机会 = 13/270，约 4.8%”.

    ``"n/E"`` (equal probability); ``"n'*w/W"`` (by weight, spec §7.3); degenerate strata say so."""
    if "*w/" in probability:
        factor, denominator = probability.split("*w/")
        if denominator == "0" or factor == "0":
            return "本层无需按权重抽取（其余对象均为必抽或本层不抽取）"
        return (
            f"按权重抽取：每户被抽中的机会 = {factor} × 本户权重 ÷ {denominator}"
            "（权重见号池快照文件，以 1000000 表示 1；被列为必抽的单位为 100%）"
        )
    n, _, e = probability.partition("/")
    if not e or e == "0":
        return "本层没有可抽取的对象"
    return f"每户被抽中的机会 = {n}/{e}，{percent_text(Fraction(int(n), int(e)))}"


def weight_classes(draw: Draw) -> dict[str, dict[int, int]]:
    """Per stratum of the committed pool snapshot: {weight_ppm: number of eligible units} (no unit named)."""
    data = draw.file_bytes(FileKind.POOL)
    out: dict[str, dict[int, int]] = {}
    for u in fd.read_units(data) if data else ():
        if not u.excluded_reason:
            per = out.setdefault(u.stratum, {})
            per[u.weight_ppm] = per.get(u.weight_ppm, 0) + 1
    return out


def _weighted_text(rule, classes: dict[int, int]) -> str:
    """“权重 1 的 40 户：每户 3/50，即 6%；权重 2 的 5 户：…” (exact, before the draw)."""
    pi = pool.weighted_inclusion(rule, classes)
    base = min(classes) if classes else pool.PPM
    parts = []
    for w, p in sorted(pi.items()):
        ratio = Fraction(w, base) if base else Fraction(w, pool.PPM)
        label = ratio.numerator if ratio.denominator == 1 else f"{float(ratio):.2f}"
        parts.append(f"权重 {label} 的 {classes[w]} 户：每户 {fd.format_fraction(p)}，{percent_text(p)}")
    return "按权重抽取（与权重成正比）：" + "；".join(parts)


def commitment_strata(draw: Draw, commitment: dict) -> list[dict]:
    """Per stratum: counts, committed rule and the exact inclusion probability (before the draw); a pivotal
    (weighted) stratum gives the probability of a unit of each weight, from the committed pool snapshot."""
    plan = fd.DrawPlan.from_dict(commitment["plan"])
    lines = None
    rows = []
    classes = None
    for h, c in commitment["strata"].items():
        rule = plan.rule_for(h)
        prob = pool.inclusion_probability(rule, c["eligible"])
        weighted_text = ""
        if rule.method == "pivotal" and c["eligible"]:
            if classes is None:
                classes = weight_classes(draw)
            weighted_text = _weighted_text(rule, classes.get(h, {}))
        if lines is None:
            lines = dict(BusinessLine.objects.values_list("code", "name"))
        rows.append({
            "stratum": h, "label": pool.stratum_label(h, lines), **c,
            "rate": "全部" if rule.certainty else f"{pool.fraction_to_pct(rule.rate).normalize():f}%",
            "min_n": rule.min_n, "max_n": rule.max_n,
            "expected": f"{float(pool.expected_n(rule, c['eligible'])):.2f}",
            "probability": fd.format_fraction(prob), "probability_pct": f"{float(prob) * 100:.2f}%",
            "weighted_text": weighted_text,
            "probability_text": weighted_text or (
                f"每户被抽中的机会 = {fd.format_fraction(prob)}，{percent_text(prob)}" if c["eligible"]
                else "本层没有可抽取的对象"
            ),
        })  # fmt: skip
    return rows


# One line in plain Chinese beside every public hash (issue #17): the staff page, the printed record / PDF and the
# portal say the same thing about the same number.
HASH_HELP = {
    "commitment": "承诺记录全文的指纹：承诺中任何一个字被改动，这串数字都会完全不同；"
    "验证程序可用 --expect-commitment 参数核对它。",
    "pool": "抽取时冻结的全部检查对象名单（号池快照文件）的指纹，抽取后不能再增删对象。",
    "roster": "参加随机选派的执法人员名录的指纹，检查组只能从这份事先固定的名录中产生。",
    "log": "承诺公示日志中本条记录的指纹：每条记录都包含此前全部记录的指纹，任何一条被改动或删除，链尾都会改变。",
    "seed": "由承诺哈希和事后才产生的公开随机值按公开公式算出，操作人员无法选择；"
    "任何人用同样的输入都能算出同一个种子。",
    "manifest": "抽取结果清单文件的指纹：抽中对象、候补顺序和检查组都写在清单中，公示后任何改动都会使这串数字改变。",
    "signature": "drand 网络对本轮随机数的签名，任何人都可用 drand 的公开公钥核对随机数确实出自该轮。",
}

CLAMP_TEXT = {"min": "受最少抽取数限制", "max": "受最多抽取数限制", "certainty": "全部检查"}


def target_text(target: str) -> str:
    """The allocation target "27/2" (an exact fraction) as people read it: 13.5."""
    try:
        value = fd.parse_fraction(target)
    except fd.FairdrawError:
        return str(target)
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


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
            "probability_text": probability_text(sel["probability"]),
            "target": alloc["target"], "clamp": alloc["clamp"], "threshold": sel["threshold"],
            "target_display": target_text(alloc["target"]),
            "clamp_display": CLAMP_TEXT.get(alloc["clamp"] or "", alloc["clamp"] or ""),
            **by_stratum.get(h, {"selected": [], "substitutes": []}),
        })  # fmt: skip
    return out
