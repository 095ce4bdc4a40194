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
