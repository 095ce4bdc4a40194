"""Merkle root over the pool rows and per-unit inclusion proofs (issue #14 g, spec §3.1, RFC 6962 hashing)."""

import copy
import hashlib
import json
import pathlib
import subprocess
import sys

import pytest

from shuangsuiji import fairdraw as fd
from shuangsuiji.fairdraw import merkle

ROOT = pathlib.Path(__file__).resolve().parents[3]
V7 = json.loads((ROOT / "docs" / "fairdraw-vectors" / "v7-merkle-commitment.json").read_text(encoding="utf-8"))


def _mth(rows):
    """RFC 6962 §2.1, written recursively as in the RFC."""
    if not rows:
        return hashlib.sha256(b"").digest()
    if len(rows) == 1:
        return hashlib.sha256(b"\x00" + rows[0]).digest()
    k = 1
    while k * 2 < len(rows):
        k *= 2
    return hashlib.sha256(b"\x01" + _mth(rows[:k]) + _mth(rows[k:])).digest()


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33])
def test_root_and_every_proof_match_the_rfc(n):
    pool = fd.canonical_pool_bytes([fd.PoolUnit(f"U{i:03d}", "s") for i in range(n)])
    rows = pool.split(b"\n")[1:-1]
    root = _mth(rows).hex()
    assert merkle.merkle_root(pool) == root
    for i in range(n):
        proof = merkle.inclusion_proof(pool, f"U{i:03d}")
        assert proof["index"] == i and len(proof["path"]) <= max(1, n).bit_length()
        assert merkle.verify_inclusion(proof, root)["unit_id"] == f"U{i:03d}"


def test_vector_proofs_and_commitment():
    i, e = V7["inputs"], V7["expected"]
    record = fd.check_commitment(i["commitment"])
    assert record["format"] == "fairdraw-commitment/2"
    assert record["pool_merkle_root"] == merkle.merkle_root(i["pool"].encode())
    assert fd.verify_manifest(e["manifest"], i["pool"].encode()).ok
    for proof in e["proofs"]:
        assert merkle.verify_inclusion(proof, record["pool_merkle_root"])["unit_id"] == proof["unit_id"]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda p: p.update(
            row=p["row"].replace("RECENTLY_INSPECTED", "") if "RECENTLY" in p["row"] else p["row"] + "X"
        ),
        lambda p: p.update(index=p["index"] + 1),
        lambda p: p["path"].pop(),
        lambda p: p["path"].__setitem__(0, "00" * 32),
    ],
)
def test_tampered_proofs_are_refused(tamper):
    root = V7["inputs"]["commitment"]["pool_merkle_root"]
    for proof in V7["expected"]["proofs"]:
        bad = copy.deepcopy(proof)
        tamper(bad)
        with pytest.raises(fd.FairdrawError):
            merkle.verify_inclusion(bad, root)


def test_a_pool_not_matching_the_committed_root_is_different():
    i, e = V7["inputs"], V7["expected"]
    m = copy.deepcopy(e["manifest"])
    m["commitment"]["pool_merkle_root"] = "11" * 32
    m["commitment_hash"] = fd.commitment_hash(m["commitment"])
    rep = fd.verify_manifest(m, i["pool"].encode())
    assert rep.status == "DIFFERENT" and rep.path == "commitment.pool_merkle_root", rep.text()


def test_proof_cli(tmp_path):
    proof = V7["expected"]["proofs"][1]
    (tmp_path / "proof.json").write_text(json.dumps(proof, ensure_ascii=False))
    (tmp_path / "c.json").write_bytes(fd.canonical_json(V7["inputs"]["commitment"]))
    run = [
        sys.executable,
        "-W",
        "error::RuntimeWarning",
        "-m",
        "shuangsuiji.fairdraw.proof",
        str(tmp_path / "proof.json"),
    ]
    r = subprocess.run([*run, "--commitment", str(tmp_path / "c.json")], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith("VERIFIED") and proof["unit_id"] in r.stdout, r.stdout + r.stderr
    r = subprocess.run([*run, "--root", "22" * 32], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 1 and r.stdout.startswith("DIFFERENT"), r.stdout
    (tmp_path / "proof.json").write_text("{}")
    r = subprocess.run([*run, "--root", "22" * 32], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 2 and r.stdout.startswith("MALFORMED"), r.stdout
