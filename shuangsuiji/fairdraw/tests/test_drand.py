"""drand evidence: real published quicknet rounds verify; altered ones are refused (spec §5.4).

Each BLS pairing costs about a second in pure Python, so the pairing is run only a few times.
"""

import copy
import json
import pathlib
import subprocess
import sys

import pytest

from shuangsuiji import fairdraw as fd
from shuangsuiji.fairdraw import drand

ROOT = pathlib.Path(__file__).resolve().parents[3]
VECTORS = ROOT / "docs" / "fairdraw-vectors"
ROUNDS = json.loads((VECTORS / "drand" / "quicknet-rounds.json").read_text(encoding="utf-8"))
V2 = json.loads((VECTORS / "v2-risk-classes-assignment.json").read_text(encoding="utf-8"))
R1000, R_V2 = ROUNDS["rounds"]  # the v2 vector uses the second round


def source(round_no):
    return {"kind": "drand", "chain": "quicknet", "chain_hash": drand.QUICKNET.chain_hash, "round": round_no}


def test_stored_chain_matches_built_in_key():
    c = ROUNDS["chain"]
    q = drand.QUICKNET
    assert (c["chain_hash"], c["public_key"], c["genesis_time"], c["period"], c["scheme"]) == (
        q.chain_hash, q.public_key, q.genesis, q.period, q.scheme
    )  # fmt: skip


@pytest.mark.parametrize("r", ROUNDS["rounds"], ids=lambda r: str(r["round"]))
def test_real_rounds_verify(r):
    assert drand.randomness_of(r["signature"]) == r["randomness"]
    ev = drand.evidence(source(r["round"]), r["signature"].upper())
    assert ev["signature"] == r["signature"]
    assert drand.verify_round(source(r["round"]), r["randomness"], ev) is True


def test_signature_of_another_round_is_refused():
    """Round 1000's genuine signature presented as round 1001: the pairing fails."""
    ev = drand.evidence(source(1001), R1000["signature"])
    with pytest.raises(fd.FairdrawError, match="不是 drand quicknet 网络对第 1001 轮的有效签名") as e:
        drand.verify_round(source(1001), R1000["randomness"], ev)
    assert e.value.code == "DRAND_SIGNATURE"


def test_altered_signature_is_refused():
    sig = R1000["signature"][:-1] + "8"  # last nibble 9 -> 8
    ev = drand.evidence(source(1000), sig)
    assert drand.verify_signature(drand.QUICKNET, 1000, sig) is False
    with pytest.raises(fd.FairdrawError, match="有效签名"):
        drand.verify_round(source(1000), drand.randomness_of(sig), ev)


def test_stdlib_checks_without_pairing():
    ev = drand.evidence(source(1000), R1000["signature"])
    altered_value = "0" + R1000["randomness"][1:]
    with pytest.raises(fd.FairdrawError, match="SHA-256") as e:
        drand.check_evidence(source(1000), altered_value, ev, 0)
    assert e.value.code == "DRAND_RANDOMNESS"
    with pytest.raises(fd.FairdrawError, match="轮次") as e:
        drand.check_evidence(source(1001), R1000["randomness"], ev, 0)
    assert e.value.code == "DRAND_ROUND_MISMATCH"
    with pytest.raises(fd.FairdrawError, match="96 位十六进制"):
        drand.evidence(source(1000), R1000["signature"][:-2])
    with pytest.raises(fd.MalformedInput, match="不支持的 drand 网络"):
        drand.check_evidence(source(1000) | {"chain_hash": "ab" * 32}, R1000["randomness"], ev, 0)
    with pytest.raises(fd.MalformedInput, match="缺少 drand 签名记录"):
        drand.check_evidence(source(1000), R1000["randomness"], None, 0)


def _case():
    i = V2["inputs"]
    return i["pool"].encode(), i["roster"], i["commitment"]


def test_run_draw_requires_the_signature():
    pool, roster, commitment = _case()
    values = V2["inputs"]["public_values"]
    with pytest.raises(fd.FairdrawError, match="必须同时录入该轮的签名"):
        fd.run_draw(pool, commitment, values, roster=roster)
    evidence = copy.deepcopy(V2["inputs"]["public_evidence"])
    with pytest.raises(fd.FairdrawError, match="SHA-256"):
        fd.run_draw(pool, commitment, [values[0], R1000["randomness"]], roster=roster, public_evidence=evidence)


def test_verifier_checks_the_bls_signature_of_the_vector():
    pool, roster, _ = _case()
    report = fd.verify_manifest(V2["expected"]["manifest"], pool, roster)
    assert report.ok and "drand 签名 1 个已用 BLS 验证" in report.message and not report.notes


def test_verifier_refuses_a_consistent_forgery():
    """A manifest re-computed around a signature that is not the committed round's: every hash
    matches (randomness = SHA-256(signature)), only the BLS check can see it."""
    pool, roster, commitment = _case()
    round_no = commitment["public_sources"][1]["round"]
    assert round_no == R_V2["round"]
    forged_ev = [None, drand.evidence(commitment["public_sources"][1], R1000["signature"])]
    values = [V2["inputs"]["public_values"][0], R1000["randomness"]]
    forged = fd.run_draw(pool, commitment, values, roster=roster, public_evidence=forged_ev).manifest
    report = fd.verify_manifest(forged, pool, roster)
    assert report.status == "DIFFERENT" and report.path == "public_evidence[1].signature"
    assert f"第 {round_no} 轮的有效签名" in report.message


def test_verifier_reports_altered_evidence_without_pairing():
    pool, roster, _ = _case()
    m = copy.deepcopy(V2["expected"]["manifest"])
    m["public_evidence"][1]["round"] += 1
    report = fd.verify_manifest(m, pool, roster)
    assert report.status == "DIFFERENT" and report.path == "public_evidence[1]" and "轮次" in report.message
    m = copy.deepcopy(V2["expected"]["manifest"])
    m["public_evidence"][1] = None
    report = fd.verify_manifest(m, pool, roster)
    assert report.status == "DIFFERENT" and "必须同时录入该轮的签名" in report.message


def test_legacy_v1_manifest_still_verifies_with_a_note():
    pool, roster, _ = _case()
    m = {k: v for k, v in V2["expected"]["manifest"].items() if k != "public_evidence"}
    m["format"] = "fairdraw-manifest/1"
    report = fd.verify_manifest(m, pool, roster)
    assert report.ok and any("旧格式" in n for n in report.notes)
    assert "注意：旧格式" in report.text()


def test_cli_without_py_ecc_says_the_signature_was_not_checked(tmp_path):
    i = V2["inputs"]
    (tmp_path / "m.json").write_bytes(fd.manifest_bytes(V2["expected"]["manifest"]))
    (tmp_path / "p.tsv").write_bytes(i["pool"].encode())
    (tmp_path / "r.json").write_bytes(fd.canonical_json(i["roster"]))
    code = (
        "import sys; sys.modules['py_ecc'] = None; sys.modules['numpy'] = None; sys.modules['django'] = None; "
        "from shuangsuiji.fairdraw.verify import main; sys.exit(main(sys.argv[1:]))"
    )
    args = [str(tmp_path / "m.json"), str(tmp_path / "p.tsv"), "--roster", str(tmp_path / "r.json")]
    r = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("VERIFIED")
    assert "未验证 drand BLS 签名：本机没有安装 py-ecc" in r.stdout and "pip install py-ecc" in r.stdout
