"""Re-compute the published test vectors in docs/fairdraw-vectors/."""

import json
import pathlib

import pytest

from shuangsuiji import fairdraw as fd

from ._helpers import ref_key, ref_seed

VECTORS = sorted((pathlib.Path(__file__).resolve().parents[3] / "docs" / "fairdraw-vectors").glob("*.json"))
# (the real drand rounds live in docs/fairdraw-vectors/drand/, see test_drand.py)


def test_vectors_exist():
    assert len(VECTORS) >= 4


@pytest.fixture(params=VECTORS, ids=lambda p: p.stem)
def case(request):
    return json.loads(request.param.read_text(encoding="utf-8"))


def test_pool_commitment_and_seed(case):
    i, e = case["inputs"], case["expected"]
    pool = i["pool"].encode("utf-8")
    assert fd.pool_digest(pool) == e["pool_digest"] == i["commitment"]["pool_digest"]
    # the stored pool is canonical: re-encoding the parsed units gives the same bytes
    assert fd.canonical_pool_bytes(fd.read_units(pool)) == pool
    assert fd.check_commitment(i["commitment"]) == i["commitment"]
    assert fd.commitment_hash(i["commitment"]) == e["commitment_hash"]
    assert fd.derive_seed(e["commitment_hash"], i["public_values"]).hex() == e["seed"]
    assert ref_seed(e["commitment_hash"], i["public_values"]).hex() == e["seed"]
    if i["roster"] is not None:
        rb = fd.canonical_json(i["roster"])
        assert fd.roster_digest(rb) == e["roster_digest"] == i["commitment"]["roster_digest"]


def test_unit_keys(case):
    seed = bytes.fromhex(case["expected"]["seed"])
    for uid, k in case["expected"]["unit_keys"].items():
        assert format(ref_key(seed, uid), "064x") == k
        assert fd.key_hex(fd.unit_key(seed, uid)) == k


def test_full_manifest(case):
    i, e = case["inputs"], case["expected"]
    out = fd.run_draw(i["pool"].encode("utf-8"), i["commitment"], i["public_values"], roster=i["roster"],
                      public_evidence=i["public_evidence"], conflict_key=i.get("conflict_key"))  # fmt: skip
    assert out.manifest == e["manifest"]
    # format 4 exactly when the roster commits its 回避 pairs (roster/2, spec §4.2.2)
    v2 = (i["roster"] or {}).get("format") == "fairdraw-roster/2"
    assert e["manifest"]["format"] == ("fairdraw-manifest/4" if v2 else fd.MANIFEST_FORMAT)
    # signatures are BLS-checked in test_drand.py (one pairing per test keeps the suite fast)
    assert fd.verify_manifest(e["manifest"], i["pool"].encode("utf-8"), i["roster"], check_signatures=False).ok


def test_srs_thresholds_allow_self_check(case):
    """A unit can check itself: selected ⇔ (key, id) ≤ published threshold."""
    e = case["expected"]
    m = e["manifest"]
    units = fd.read_units(case["inputs"]["pool"].encode("utf-8"))
    for h, s in m["selection"].items():
        if s["method"] != "srs" or not s["selected"]:
            continue
        t = (s["threshold"]["key"], s["threshold"]["unit_id"].encode())
        for u in units:
            if u.stratum == h and not u.excluded_reason:
                mine = (e["unit_keys"][u.unit_id], u.unit_id.encode())
                assert (mine <= t) == (u.unit_id in s["selected"])


# ---------------------------------------------------------------- witness commit–reveal (spec §5.5)

VECTOR_DIR = pathlib.Path(__file__).resolve().parents[3] / "docs" / "fairdraw-vectors"


def _witness_reveals(case):
    i = case["inputs"]
    return [
        (n, s, v)
        for n, (s, v) in enumerate(zip(i["commitment"]["public_sources"], i["public_values"], strict=True))
        if s["kind"] == "witness" and isinstance(s.get("commitment"), str)
    ]


@pytest.mark.parametrize("name", ["v9-witness-commit-reveal", "sm3/s9-sm3-witness-commit-reveal"])
def test_witness_vectors_reveal_what_was_committed(name):
    """Two witness sources with commitments: each public value's SHA-256 is its commitment, in the SM3 draw
    too (the witness computed SHA-256, whatever the suite), and the draw verifies."""
    case = json.loads((VECTOR_DIR / f"{name}.json").read_text(encoding="utf-8"))
    i, e = case["inputs"], case["expected"]
    reveals = _witness_reveals(case)
    assert [n for n, _s, _v in reveals] == [0, 2]
    suite = fd.get_suite(i["commitment"]["hash"])
    for _n, s, v in reveals:
        assert fd.SHA256.hexdigest(v.encode()) == s["commitment"]
        if suite.name == "sm3":
            assert suite.hexdigest(v.encode()) != s["commitment"]
    rep = fd.verify_manifest(fd.manifest_bytes(e["manifest"]), i["pool"].encode(), None, check_signatures=False)
    assert rep.ok and rep.hash_suite == suite.name, rep.text()


def test_witness_refusal_vector_is_the_same_draw_with_a_false_reveal():
    """refuse/r9: v9 with 监督人乙's reveal changed, the rest recomputed from it: DIFFERENT at its value, with the
    commitment as the recorded value and the SHA-256 of the reveal as the recomputed one."""
    honest = json.loads((VECTOR_DIR / "v9-witness-commit-reveal.json").read_text(encoding="utf-8"))
    r = json.loads((VECTOR_DIR / "refuse" / "r9-witness-reveal-mismatch.json").read_text(encoding="utf-8"))
    m = r["inputs"]["manifest"]
    assert m["commitment"] == honest["inputs"]["commitment"]
    assert m["public_values"][:2] == honest["inputs"]["public_values"][:2]
    assert m["public_values"][2] != honest["inputs"]["public_values"][2]
    rep = fd.verify_manifest(m, r["inputs"]["pool"].encode(), None, check_signatures=False)
    committed = m["commitment"]["public_sources"][2]["commitment"]
    assert (rep.status, rep.path, r["expected"]["path"]) == ("DIFFERENT", "public_values[2]", "public_values[2]")
    assert (rep.expected, rep.actual) == (committed, fd.SHA256.hexdigest(m["public_values"][2].encode()))
    assert "监督人 监督人乙 揭示的随机数" in rep.message


# ---------------------------------------------------------------- earlier formats (stored draws)

LEGACY = sorted((pathlib.Path(__file__).resolve().parents[3] / "docs" / "fairdraw-vectors" / "format2").glob("*.json"))


@pytest.mark.parametrize("path", LEGACY, ids=lambda p: p.stem)
def test_format2_manifests_still_verify(path):
    """fairdraw-manifest/2 (problems with a Chinese message) is still rebuilt byte for byte and verified."""
    case = json.loads(path.read_text(encoding="utf-8"))
    i, e = case["inputs"], case["expected"]
    assert e["manifest"]["format"] == "fairdraw-manifest/2"
    pool = i["pool"].encode("utf-8")
    out = fd.run_draw(pool, i["commitment"], i["public_values"], roster=i["roster"],
                      public_evidence=i["public_evidence"], manifest_format="fairdraw-manifest/2")  # fmt: skip
    assert out.manifest == e["manifest"]
    assert fd.verify_manifest(e["manifest"], pool, i["roster"], check_signatures=False).ok


def test_format3_problems_have_no_prose():
    """Format 3 compares codes and structured detail only; the Chinese text is rendered from them."""
    for p in VECTORS:
        case = json.loads(p.read_text(encoding="utf-8"))
        a = case["expected"]["manifest"]["assignment"]
        for problem in (a or {}).get("problems", []):
            assert set(problem) == {"code", "unit_id", "detail"}


def _pivotal_case(s: dict) -> str:
    """The row of the spec's §7.3 table of degenerate pivotal strata a published stratum is (by its shape:
    probability, certain, pi_factor n′ and pi_denominator W), or "capped, n′ > 0" / "no unit capped"."""
    certain, nf, w = s["pivotal"]["certain"], s["pivotal"]["pi_factor"], s["pivotal"]["pi_denominator"]
    assert s["probability"] == f"{nf}*w/{w}"
    if s["eligible"] == 0:
        return "E_h = 0"
    if s["n"] == 0:
        return "n_h = 0, E_h > 0"
    if len(certain) == s["eligible"]:
        return "every eligible unit capped"
    if certain and nf == 0:
        return "some capped, the rest with n′ = 0"
    return "capped, n′ > 0" if certain else "no unit capped"


def test_a_vector_per_problem_code_and_degenerate_case():
    problems, probabilities, pivotal = set(), set(), {}
    for p in VECTORS:
        m = json.loads(p.read_text(encoding="utf-8"))["expected"]["manifest"]
        for problem in (m["assignment"] or {}).get("problems", []):
            problems.add((problem["code"], problem["detail"].get("specialists_in_roster", -1) > 0))
        probabilities.update(s["probability"] for s in m["selection"].values())
        for s in m["selection"].values():
            if s["method"] == "pivotal":
                pivotal[_pivotal_case(s)] = (s["probability"], s["pivotal"])
    assert {
        ("TOO_FEW_ELIGIBLE", False),
        ("NO_SPECIALIST", False),
        ("NO_SPECIALIST", True),
        ("CAPACITY", False),
    } <= problems
    assert {"0/0", "0*w/0", "0/4"} <= probabilities
    # every reachable row of the §7.3 table, told apart by `certain` (two rows print "0*w/0"), and a capped unit
    # next to a real duel; the fourth row cannot occur (test_some_capped_with_nothing_left_cannot_occur)
    assert {"E_h = 0", "n_h = 0, E_h > 0", "every eligible unit capped", "capped, n′ > 0"} <= set(pivotal), pivotal
    assert "some capped, the rest with n′ = 0" not in pivotal
    assert pivotal["E_h = 0"] == ("0*w/0", {"certain": [], "pi_factor": 0, "pi_denominator": 0})
    assert pivotal["every eligible unit capped"][0] == "0*w/0" and pivotal["every eligible unit capped"][1]["certain"]
    assert pivotal["n_h = 0, E_h > 0"][1]["certain"] == [] and pivotal["n_h = 0, E_h > 0"][1]["pi_denominator"] > 0


def test_some_capped_with_nothing_left_cannot_occur():
    """Spec §7.3: "some capped, the rest with n′ = 0" cannot occur. A capping round with n′ ≥ 1 caps at most n′
    units, and exactly n′ only when they carry the whole remaining weight, i.e. when no unit is left (eligible
    weights are ≥ 1). So n′ = 0 with W > 0 happens only for n_h = 0, with nothing capped. Checked here on every
    stratum of up to 5 units with weights 1…6 and every n_h ≤ E_h, and on very unequal weights."""
    import itertools

    from shuangsuiji.fairdraw.select import pivotal_probabilities

    def check(weights: list[int], n: int) -> None:
        certain, nf, w = pivotal_probabilities(weights, n)
        if any(certain) and nf == 0:
            assert all(certain) and w == 0, (weights, n)
        if n > 0 and not all(certain):
            assert nf >= 1, (weights, n)

    for size in range(1, 6):
        for weights in itertools.product(range(1, 7), repeat=size):
            for n in range(size + 1):
                check(list(weights), n)
    for weights in ([10**12, 1, 1], [10**12, 10**12, 1], [10**12] * 3 + [1] * 4, [1, 2, 4, 8, 16, 32, 64]):
        for n in range(len(weights) + 1):
            check(weights, n)


def test_appendix_a_messages_equal_the_engines():
    """Appendix A renders the format-2 message from code + detail, byte for byte."""
    from shuangsuiji.fairdraw.problems import problem_message

    seen = set()
    for p in LEGACY:
        a = json.loads(p.read_text(encoding="utf-8"))["expected"]["manifest"]["assignment"] or {}
        for pr in a.get("problems", []):
            assert problem_message(pr["code"], pr["unit_id"], pr["detail"]) == pr["message"]
            seen.add(pr["code"])
    for p in VECTORS:
        i = json.loads(p.read_text(encoding="utf-8"))["inputs"]
        out = fd.run_draw(i["pool"].encode(), i["commitment"], i["public_values"], roster=i["roster"],
                          public_evidence=i["public_evidence"], conflict_key=i.get("conflict_key"))  # fmt: skip
        for pr in out.assignment.problems if out.assignment else ():
            assert problem_message(pr.code, pr.unit_id, pr.detail) == pr.message_zh
            seen.add(pr.code)
    assert seen == {"TOO_FEW_ELIGIBLE", "NO_SPECIALIST", "CAPACITY"}
