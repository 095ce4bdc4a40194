"""Merkle root over the pool rows and per-unit inclusion proofs (issue #14 g, spec §3.1, RFC 6962 hashing)."""

import copy
import hashlib
import io
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


# ---------------------------------------------------------------- fairdraw-proof/2: the unit's outcome (issue #14 E2)

VECTORS = {
    name: json.loads((ROOT / "docs" / "fairdraw-vectors" / f"{name}.json").read_text(encoding="utf-8"))
    for name in ("v1-basic-srs", "v3-pivotal-weighted", "v5-degenerate-strata", "v7-merkle-commitment",
                 "sm3/s7-sm3-merkle-commitment")
}  # fmt: skip


def _proofs(v):
    """A fairdraw-proof/2 for every unit of the vector's pool."""
    pool, manifest = v["inputs"]["pool"].encode(), v["expected"]["manifest"]
    sha = hashlib.sha256(fd.manifest_bytes(manifest)).hexdigest()
    suite = fd.suite_of(manifest["commitment"])
    for u in fd.read_units(pool):
        yield u, merkle.inclusion_proof(pool, u.unit_id, v["name"], suite, manifest=manifest, manifest_sha256=sha)


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_proof2_carries_the_units_key_probability_and_outcome(name):
    v = VECTORS[name]
    manifest = v["expected"]["manifest"]
    suite = fd.suite_of(manifest["commitment"])
    root = merkle.merkle_root(v["inputs"]["pool"].encode(), suite)
    sums: dict[str, object] = {}
    for u, proof in _proofs(v):
        assert proof["format"] == "fairdraw-proof/2"
        outcome = merkle.verify_inclusion(json.dumps(proof).encode(), root)["outcome"]
        sel = manifest["selection"][u.stratum]
        assert outcome["key"] == fd.key_hex(fd.unit_key(bytes.fromhex(manifest["seed"]), u.unit_id, suite))
        assert outcome["seed"] == manifest["seed"] == v["expected"]["seed"]
        assert outcome["selected"] == (u.unit_id in sel["selected"])
        if u.unit_id in sel["substitutes"]:
            assert outcome["substitute_rank"] == sel["substitutes"].index(u.unit_id) + 1
        if u.excluded_reason:
            assert outcome["probability"] == 0 and not outcome["selected"]
        elif sel["method"] == "srs":
            assert outcome["probability"] == fd.parse_fraction(sel["probability"])
            assert outcome["by_key"] == outcome["selected"]
        sums[u.stratum] = sums.get(u.stratum, 0) + outcome["probability"]
    # the probabilities of a stratum's units add up to the number drawn (exact, spec §7.2/§7.3)
    for stratum, total in sums.items():
        assert total == manifest["selection"][stratum]["n"], stratum


def test_proof2_of_a_weighted_unit_is_n_w_over_w_and_a_capped_unit_is_certain():
    v = VECTORS["v3-pivotal-weighted"]
    sel = v["expected"]["manifest"]["selection"]["complaints"]
    for u, proof in _proofs(v):
        if u.stratum != "complaints" or u.excluded_reason:
            continue
        expected = (
            "1/1"
            if u.unit_id in sel["pivotal"]["certain"]
            else fd.format_fraction(fd.parse_fraction(f"{3 * u.weight_ppm}/19000000"))
        )
        assert proof["probability"] == expected and proof["threshold"] == {"key": "", "unit_id": ""}


@pytest.mark.parametrize(
    ("tamper", "path", "selected_only"),
    [
        (lambda p: p.update(selected=not p["selected"]), "selected", False),
        (lambda p: p.update(seed="00" * 32), "seed", False),
        (lambda p: p.update(public_values=[*p["public_values"], "x"]), "seed", False),
        (lambda p: p.update(commitment_hash="11" * 32), "seed", False),
        (lambda p: p.update(key="22" * 32), "key", False),
        (lambda p: p.update(threshold={"key": "00" * 32, "unit_id": "A"}), "selected", True),
        (lambda p: p.update(substitute_rank=1), "substitute_rank", True),
    ],
)
def test_proof2_with_a_wrong_outcome_is_refused(tamper, path, selected_only):
    v = VECTORS["v7-merkle-commitment"]
    root = merkle.merkle_root(v["inputs"]["pool"].encode())
    refused = 0
    for u, proof in _proofs(v):
        if u.excluded_reason or (selected_only and not proof["selected"]):
            continue
        bad = copy.deepcopy(proof)
        tamper(bad)
        with pytest.raises(fd.FairdrawError) as err:
            merkle.verify_inclusion(bad, root)
        assert err.value.code == "PROOF_OUTCOME" and err.value.detail["path"] == path
        refused += 1
    assert refused


@pytest.mark.parametrize(
    "tamper",
    [
        lambda p: p.update(probability="2/4"),
        lambda p: p.update(probability="3/2"),
        lambda p: p.update(selected=1),
        lambda p: p.update(substitute_rank=0),
        lambda p: p.update(method="other"),
        lambda p: p.pop("manifest_sha256"),
        lambda p: p.update(format="fairdraw-proof/1"),  # a /1 proof has no outcome keys
    ],
)
def test_malformed_proof2_is_refused(tamper):
    v = VECTORS["v7-merkle-commitment"]
    _u, proof = next(_proofs(v))
    tamper(proof)
    with pytest.raises(fd.MalformedInput):
        merkle.verify_inclusion(proof, merkle.merkle_root(v["inputs"]["pool"].encode()))


def test_proof2_cli_says_selected_or_not_with_the_probability(tmp_path):
    v = VECTORS["v7-merkle-commitment"]
    (tmp_path / "c.json").write_bytes(fd.canonical_json(v["inputs"]["commitment"]))
    sel = v["expected"]["manifest"]["selection"]
    run = [sys.executable, "-W", "error::RuntimeWarning", "-m", "shuangsuiji.fairdraw.proof", str(tmp_path / "p.json"),
           "--commitment", str(tmp_path / "c.json")]  # fmt: skip
    seen = set()
    for u, proof in _proofs(v):
        (tmp_path / "p.json").write_text(json.dumps(proof, ensure_ascii=False), encoding="utf-8")
        r = subprocess.run(run, cwd=ROOT, capture_output=True, text=True)
        assert r.returncode == 0 and r.stdout.startswith("VERIFIED"), r.stdout + r.stderr
        if u.excluded_reason:
            assert "抽取结果: 未参加抽取" in r.stdout
            seen.add("excluded")
            continue
        probability = sel[u.stratum]["probability"]
        assert f"被抽中的机会 probability: {fd.format_fraction(fd.parse_fraction(probability))}，" in r.stdout
        assert f"本单位随机键 key: {proof['key']}" in r.stdout and f"随机种子 seed: {proof['seed']}" in r.stdout
        if proof["selected"]:
            assert "抽取结果: 中选（本单位被抽中）" in r.stdout and "随机键 ≤ 阈值" in r.stdout
            seen.add("selected")
        else:
            assert "抽取结果: 未中选" in r.stdout and "随机键 > 阈值" in r.stdout
            seen.add("not selected")
    assert seen >= {"selected", "not selected"}
    # a proof naming another commitment (same pool, so the same root) is DIFFERENT at commitment_hash
    _u, proof = next(_proofs(v))
    other = fd.commitment_hash({**v["inputs"]["commitment"], "attempt": 2})
    proof.update(commitment_hash=other, seed=fd.derive_seed(other, proof["public_values"]).hex())
    proof.update(key=fd.key_hex(fd.unit_key(bytes.fromhex(proof["seed"]), proof["unit_id"])))
    (tmp_path / "p.json").write_text(json.dumps(proof, ensure_ascii=False), encoding="utf-8")
    r = subprocess.run(run, cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 1 and r.stdout.startswith("DIFFERENT 不一致：commitment_hash"), r.stdout
    # a flipped outcome is DIFFERENT at selected, exit 1
    _u, proof = next(_proofs(v))
    proof["selected"] = not proof["selected"]
    (tmp_path / "p.json").write_text(json.dumps(proof, ensure_ascii=False), encoding="utf-8")
    r = subprocess.run(run, cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 1 and r.stdout.startswith("DIFFERENT 不一致：selected"), r.stdout


class CountingFile(io.BytesIO):
    """A file that counts its reads (a proof from the tree file must cost O(log N) of them)."""

    reads = 0

    def read(self, *args):
        self.reads += 1
        return super().read(*args)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 8, 9, 33, 1000])
def test_tree_file_serves_the_same_proofs_in_log_n_reads(n):
    pool = fd.canonical_pool_bytes([fd.PoolUnit(f"U{i:04d}", "s", weight_ppm=i + 1) for i in range(n)])
    out = io.BytesIO()
    assert merkle.write_tree(pool, out) == merkle.merkle_root(pool)
    tree = merkle.TreeFile(CountingFile(out.getvalue()))
    assert tree.root().hex() == merkle.merkle_root(pool)
    for i in sorted({0, n // 3, n // 2, n - 1} if n else set()):
        tree.f.reads = 0
        proof = tree.proof(f"U{i:04d}", "D1")
        assert proof == merkle.inclusion_proof(pool, f"U{i:04d}", "D1")
        # binary search: 2 reads per probe (offsets, row) over ⌈log2 N⌉+1 probes, one node per level, the root
        assert tree.f.reads <= 3 * (max(n, 1).bit_length() + 2)
    with pytest.raises(fd.FairdrawError) as err:
        tree.proof("U9999x")
    assert err.value.code == "UNIT_NOT_IN_POOL"


def test_tree_file_proofs_with_outcomes_equal_the_pools():
    """Every unit of the vectors' pools (SHA-256 and SM3, srs, pivotal, degenerate strata): its proof from the tree
    file, with the manifest's outcome, equals the one built from the pool."""
    for v in VECTORS.values():
        pool, manifest = v["inputs"]["pool"].encode(), v["expected"]["manifest"]
        suite = fd.get_suite(manifest["commitment"].get("hash"))
        out = io.BytesIO()
        merkle.write_tree(pool, out, suite)
        tree = merkle.TreeFile(io.BytesIO(out.getvalue()))
        for row in merkle.pool_leaves(pool):
            unit = row.split(b"\t", 1)[0].decode()
            expected = merkle.inclusion_proof(pool, unit, "D1", suite, manifest=manifest, manifest_sha256="ab" * 32)
            assert tree.proof(unit, "D1", manifest=manifest, manifest_sha256="ab" * 32) == expected


def test_a_damaged_tree_file_is_refused():
    pool = fd.canonical_pool_bytes([fd.PoolUnit(f"U{i}", "s") for i in range(4)])
    out = io.BytesIO()
    merkle.write_tree(pool, out)
    for damaged in (b"not a tree\n" + out.getvalue(), out.getvalue()[:-5]):
        with pytest.raises(fd.FairdrawError) as err:
            merkle.TreeFile(io.BytesIO(damaged)).proof("U3")
        assert err.value.code == "TREE_FILE"
