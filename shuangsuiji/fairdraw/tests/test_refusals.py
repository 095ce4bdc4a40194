"""The refusal vectors in docs/fairdraw-vectors/refuse/: manifests a dishonest operator could publish.

Each names the verdict the verifier must give (status, and the refusal code or the first differing path).
The browser verifier is held to the same vectors (tests/e2e).
"""

import json
import pathlib
import subprocess
import sys

import pytest

from shuangsuiji import fairdraw as fd

ROOT = pathlib.Path(__file__).resolve().parents[3]
REFUSALS = sorted((ROOT / "docs" / "fairdraw-vectors" / "refuse").glob("*.json"))


def test_refusal_vectors_exist():
    names = {p.stem for p in REFUSALS}
    assert {"r1-roster-not-committed", "r2-unexpected-commitment", "r3-log-late-commitment", "r4-log-not-included",
            "r5-log-entry-edited", "ok1-log-included-in-time", "r9-witness-reveal-mismatch"} <= names  # fmt: skip


# The grammar vectors (spec §2, §4.3): one broken rule each, and the MALFORMED code it must give.
GRAMMAR = {
    "g01-published-at-utc-z": "PUBLISHED_AT",
    "g02-published-at-no-offset": "PUBLISHED_AT",
    "g03-published-at-impossible-date": "PUBLISHED_AT",
    "g04-rate-not-reduced": "COMMITMENT_NOT_CANONICAL",
    "g05-rate-leading-zero": "COMMITMENT_NOT_CANONICAL",
    "g06-rate-decimal": "COMMITMENT_NOT_CANONICAL",
    "g07-rate-zero-denominator": "FRACTION_INVALID",
    "g08-public-sources-empty": "NO_PUBLIC_SOURCE",
    "g09-public-source-not-object": "PUBLIC_SOURCES",
    "g10-public-source-kind-empty": "TEXT_EMPTY",
    "g11-public-source-kind-tab": "TEXT_CONTROL_CHAR",
    "g12-task-not-object": "TASK",
    "g13-count-boolean": "STRATA_COUNTS",
    "g14-attempt-boolean": "ATTEMPT",
    "g15-plan-min-boolean": "PLAN_INT",
    "g16-pool-digest-uppercase": "HEX_INVALID",
    "g17-inspection-date-format": "PLAN_DATE",
    "g18-inspection-end-impossible": "PLAN_DATE",
}


def test_grammar_vectors_state_their_codes():
    found = {p.stem: json.loads(p.read_text(encoding="utf-8"))["expected"] for p in REFUSALS if p.stem[0] == "g"}
    assert {k: (e["status"], e["code"], e["path"]) for k, e in found.items()} == {
        k: ("MALFORMED", code, None) for k, code in GRAMMAR.items()
    }


@pytest.mark.parametrize("name", sorted(GRAMMAR))
def test_grammar_vector_breaks_only_the_commitment(name):
    """Apart from the one broken rule the manifest is the draw's own: its hash and seed are those of the record
    as published, and the honest vector (v1 or v6) differs from it only in the commitment."""
    r = json.loads((ROOT / "docs" / "fairdraw-vectors" / "refuse" / f"{name}.json").read_text(encoding="utf-8"))
    m = r["inputs"]["manifest"]
    chash = fd.canonical_json(m["commitment"])
    assert m["commitment_hash"] == fd.SHA256.hexdigest(chash)
    assert m["seed"] == fd.derive_seed(m["commitment_hash"], m["public_values"]).hex()
    base = "v6-assignment-problems" if name >= "g17" else "v1-basic-srs"
    honest = json.loads((ROOT / "docs" / "fairdraw-vectors" / f"{base}.json").read_text(encoding="utf-8"))
    assert r["inputs"]["pool"] == honest["inputs"]["pool"] and r["inputs"]["roster"] == honest["inputs"]["roster"]
    h = honest["inputs"]["commitment"]
    changed = [k for k in h if fd.canonical_json(h[k]) != fd.canonical_json(m["commitment"][k])]
    assert len(changed) == 1, changed
    with pytest.raises(fd.MalformedInput) as e:
        fd.check_commitment(m["commitment"])
    assert e.value.code == GRAMMAR[name]


@pytest.fixture(params=REFUSALS, ids=lambda p: p.stem)
def refusal(request):
    return json.loads(request.param.read_text(encoding="utf-8"))


def _inputs(r):
    i = r["inputs"]
    roster = None if i["roster"] is None else fd.canonical_json(i["roster"])
    return i["manifest"], i["pool"].encode(), roster, i["expect_commitment"]


def _key(r):
    key = r["inputs"].get("conflict_key")  # oversight's check of committed 回避 pairs (spec §4.2.2)
    return None if key is None else fd.canonical_json(key)


def _log(r):
    log = r["inputs"].get("log")
    return None if log is None else log.encode()


def test_refused_with_stated_verdict(refusal):
    manifest, pool, roster, expect = _inputs(refusal)
    e = refusal["expected"]
    rep = fd.verify_manifest(manifest, pool, roster, expect_commitment=expect, check_signatures=False,
                             log=_log(refusal), conflict_key=_key(refusal))  # fmt: skip
    assert rep.status == e["status"], rep.text()
    if e["code"]:
        assert rep.code == e["code"], rep.text()
    if e["path"]:
        assert rep.path == e["path"], rep.text()


def test_refused_on_the_command_line(refusal, tmp_path):
    manifest, pool, roster, expect = _inputs(refusal)
    (tmp_path / "m.json").write_bytes(fd.manifest_bytes(manifest))
    (tmp_path / "p.tsv").write_bytes(pool)
    args = [str(tmp_path / "m.json"), str(tmp_path / "p.tsv")]
    if roster is not None:
        (tmp_path / "r.json").write_bytes(roster)
        args += ["--roster", str(tmp_path / "r.json")]
    if expect:
        args += ["--expect-commitment", expect]
    if _log(refusal) is not None:
        (tmp_path / "log.jsonl").write_bytes(_log(refusal))
        args += ["--log", str(tmp_path / "log.jsonl")]
    if _key(refusal) is not None:
        (tmp_path / "key.json").write_bytes(_key(refusal))
        args += ["--conflict-key", str(tmp_path / "key.json")]
    proc = subprocess.run([sys.executable, "-m", "shuangsuiji.fairdraw.verify", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    e = refusal["expected"]
    assert proc.returncode == {"VERIFIED": 0, "DIFFERENT": 1, "MALFORMED": 2}[e["status"]], proc.stdout
    assert proc.stdout.startswith(e["status"]), proc.stdout
    assert (e["code"] or e["path"] or ("承诺日志 log: 第 2 条" if _log(refusal) else "VERIFIED")) in proc.stdout


def test_withheld_conflict_passes_the_public_check_only():
    """Spec §4.2.2: without the conflict key nobody sees a withheld pair; oversight with the key does."""
    r7 = json.loads((ROOT / "docs" / "fairdraw-vectors" / "refuse" / "r7-conflict-withheld.json").read_text())
    manifest, pool, roster, _expect = _inputs(r7)
    assert fd.verify_manifest(manifest, pool, roster, check_signatures=False).ok
    rep = fd.verify_manifest(manifest, pool, roster, check_signatures=False, conflict_key=_key(r7))
    assert rep.status == "DIFFERENT" and rep.path.startswith("conflicts")


def test_r2_verifies_without_the_published_hash():
    """The reason --expect-commitment exists: the re-run draw is consistent on its own."""
    r2 = json.loads((ROOT / "docs" / "fairdraw-vectors" / "refuse" / "r2-unexpected-commitment.json").read_text())
    manifest, pool, roster, _expect = _inputs(r2)
    assert fd.verify_manifest(manifest, pool, roster).ok
