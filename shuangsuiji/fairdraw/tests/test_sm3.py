"""The SM3 hash suite (spec §2.3): a commitment with ``"hash": "sm3"`` hashes every step with SM3.

An independent pure-Python SM3 (GB/T 32905-2016, written from the standard) checks hashlib's, and the SM3
vectors are recomputed through it where the spec gives a closed formula (digests, commitment hash, seed,
unit keys)."""

import json
import pathlib
import struct
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji import fairdraw as fd
from shuangsuiji.fairdraw import hashsuite

from ._helpers import PUBLISHED_AT

ROOT = pathlib.Path(__file__).resolve().parents[3]
SM3_DIR = ROOT / "docs" / "fairdraw-vectors" / "sm3"
SM3_VECTORS = sorted(p for p in SM3_DIR.glob("*.json") if p.stem != "hash-suites")
PAIRS = {
    "s1-sm3-basic-srs": "v1-basic-srs",
    "s2-sm3-risk-classes-assignment": "v2-risk-classes-assignment",
    "s6-sm3-assignment-problems": "v6-assignment-problems",
    "s7-sm3-merkle-commitment": "v7-merkle-commitment",
    "s9-sm3-witness-commit-reveal": "v9-witness-commit-reveal",
}


# ---------------------------------------------------------------- an independent SM3 (GB/T 32905-2016)

_IV = [0x7380166F, 0x4914B2B9, 0x172442D7, 0xDA8A0600, 0xA96F30BC, 0x163138AA, 0xE38DEE4D, 0xB0FB0E4E]
_M = 0xFFFFFFFF


def _rotl(x: int, n: int) -> int:
    n %= 32
    return ((x << n) | (x >> (32 - n))) & _M


def ref_sm3(msg: bytes) -> bytes:
    bits = len(msg) * 8
    msg += b"\x80" + b"\x00" * ((55 - len(msg)) % 64) + struct.pack(">Q", bits)
    v = list(_IV)
    for off in range(0, len(msg), 64):
        w = list(struct.unpack(">16I", msg[off : off + 64]))
        for j in range(16, 68):
            x = w[j - 16] ^ w[j - 9] ^ _rotl(w[j - 3], 15)
            w.append((x ^ _rotl(x, 15) ^ _rotl(x, 23)) ^ _rotl(w[j - 13], 7) ^ w[j - 6])
        w1 = [w[j] ^ w[j + 4] for j in range(64)]
        a, b, c, d, e, f, g, h = v
        for j in range(64):
            t = 0x79CC4519 if j < 16 else 0x7A879D8A
            ss1 = _rotl((_rotl(a, 12) + e + _rotl(t, j)) & _M, 7)
            ss2 = ss1 ^ _rotl(a, 12)
            ff = (a ^ b ^ c) if j < 16 else ((a & b) | (a & c) | (b & c))
            gg = (e ^ f ^ g) if j < 16 else ((e & f) | (~e & g))
            tt1 = (ff + d + ss2 + w1[j]) & _M
            tt2 = (gg + h + ss1 + w[j]) & _M
            d, c, b, a = c, _rotl(b, 9), a, tt1
            h, g, f = g, _rotl(f, 19), e
            e = tt2 ^ _rotl(tt2, 9) ^ _rotl(tt2, 17)
        v = [x ^ y for x, y in zip(v, (a, b, c, d, e, f, g, h), strict=True)]
    return struct.pack(">8I", *v)


def _lp(*fields: bytes) -> bytes:
    return b"".join(struct.pack(">I", len(f)) + f for f in fields)


def test_standard_examples():
    """GB/T 32905-2016 appendix A: "abc" and "abcd" × 16."""
    assert fd.SM3.hexdigest(b"abc") == hashsuite.SM3_ABC == ref_sm3(b"abc").hex()
    want = "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    assert fd.SM3.hexdigest(b"abcd" * 16) == ref_sm3(b"abcd" * 16).hex() == want
    v = json.loads((SM3_DIR / "hash-suites.json").read_text(encoding="utf-8"))
    assert v["expected"]["sm3"]["abc"].startswith("66c7f0f4") and v["expected"]["sm3"]["abc"].endswith("e0")
    for name, digests in v["expected"].items():
        for k, d in digests.items():
            data = b"abcd" * 16 if k == "abcd*16" else v["inputs"][k].encode()
            assert fd.get_suite(name).hexdigest(data) == d


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_hashlib_sm3_equals_the_reference(data):
    assert fd.SM3.digest(data) == ref_sm3(data)


# ---------------------------------------------------------------- the SM3 vectors


@pytest.fixture(params=SM3_VECTORS, ids=lambda p: p.stem)
def case(request):
    return json.loads(request.param.read_text(encoding="utf-8"))


def test_sm3_vectors_cover_the_scenarios():
    assert {p.stem for p in SM3_VECTORS} == set(PAIRS)


def test_sm3_digests_commitment_and_seed(case):
    i, e = case["inputs"], case["expected"]
    pool = i["pool"].encode()
    assert i["commitment"]["hash"] == "sm3"
    assert fd.check_commitment(i["commitment"]) == i["commitment"]
    assert fd.pool_digest(pool, fd.SM3) == ref_sm3(pool).hex() == e["pool_digest"] == i["commitment"]["pool_digest"]
    assert fd.commitment_hash(i["commitment"]) == ref_sm3(fd.canonical_json(i["commitment"])).hex()
    assert fd.commitment_hash(i["commitment"]) == e["commitment_hash"]
    seed = ref_sm3(_lp(b"SRV1/seed", bytes.fromhex(e["commitment_hash"]), *(v.encode() for v in i["public_values"])))
    assert seed.hex() == e["seed"] == fd.derive_seed(e["commitment_hash"], i["public_values"], fd.SM3).hex()
    for uid, k in e["unit_keys"].items():
        assert ref_sm3(seed + b"\x00unit\x00" + uid.encode()).hex() == k
    if i["roster"] is not None:
        assert ref_sm3(fd.canonical_json(i["roster"])).hex() == e["roster_digest"] == i["commitment"]["roster_digest"]


def test_sm3_full_manifest_and_verification(case):
    i, e = case["inputs"], case["expected"]
    pool = i["pool"].encode()
    out = fd.run_draw(
        pool, i["commitment"], i["public_values"], roster=i["roster"], public_evidence=i["public_evidence"]
    )
    assert out.manifest == e["manifest"]
    roster = fd.canonical_json(i["roster"]) if i["roster"] else None
    rep = fd.verify_manifest(fd.manifest_bytes(e["manifest"]), pool, roster, check_signatures=False,
                             expect_commitment=e["commitment_hash"])  # fmt: skip
    assert rep.ok, rep.text()
    assert rep.hash_suite == "sm3" and "哈希算法 hash: sm3" in rep.text()


def test_sm3_differs_from_sha256_in_every_hash(case):
    """Same scenario, other suite: nothing hashed is shared with the SHA-256 vector."""
    other = json.loads((ROOT / "docs" / "fairdraw-vectors" / f"{PAIRS[case['name']]}.json").read_text(encoding="utf-8"))
    assert case["inputs"]["pool"] == other["inputs"]["pool"]
    for k in ("pool_digest", "commitment_hash", "seed"):
        assert case["expected"][k] != other["expected"][k]
    assert not set(case["expected"]["unit_keys"].values()) & set(other["expected"]["unit_keys"].values())


def test_sm3_merkle_proofs():
    c = json.loads((SM3_DIR / "s7-sm3-merkle-commitment.json").read_text(encoding="utf-8"))
    root = c["inputs"]["commitment"]["pool_merkle_root"]
    rows = c["inputs"]["pool"].encode().split(b"\n")[1:-1]
    assert root == _ref_mth(rows).hex()
    for p in c["expected"]["proofs"]:
        assert p["hash"] == "sm3"
        assert fd.merkle.verify_inclusion(p, root, "sm3")["unit_id"] == p["unit_id"]
        with pytest.raises(fd.MalformedInput):  # a SHA-256 commitment cannot take an SM3 proof
            fd.merkle.verify_inclusion(p, root, "sha256")
        bare = {k: v for k, v in p.items() if k != "hash"}  # read as SHA-256, the path leads elsewhere
        with pytest.raises(fd.FairdrawError):
            fd.merkle.verify_inclusion(bare, root)


def _ref_mth(rows: list[bytes]) -> bytes:
    if not rows:
        return ref_sm3(b"")
    if len(rows) == 1:
        return ref_sm3(b"\x00" + rows[0])
    k = 1 << ((len(rows) - 1).bit_length() - 1)
    return ref_sm3(b"\x01" + _ref_mth(rows[:k]) + _ref_mth(rows[k:]))


def _files(case, tmp_path):
    i, e = case["inputs"], case["expected"]
    (tmp_path / "m.json").write_bytes(fd.manifest_bytes(e["manifest"]))
    (tmp_path / "p.tsv").write_bytes(i["pool"].encode())
    args = [str(tmp_path / "m.json"), str(tmp_path / "p.tsv")]
    if i["roster"] is not None:
        (tmp_path / "r.json").write_bytes(fd.canonical_json(i["roster"]))
        args += ["--roster", str(tmp_path / "r.json")]
    return args


def test_sm3_on_the_command_line(tmp_path):
    case = json.loads((SM3_DIR / "s2-sm3-risk-classes-assignment.json").read_text(encoding="utf-8"))
    args = _files(case, tmp_path) + ["--expect-commitment", case["expected"]["commitment_hash"]]
    run = subprocess.run([sys.executable, "-m", "shuangsuiji.fairdraw.verify", *args], capture_output=True,
                         text=True, cwd=ROOT, check=False)  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "VERIFIED" in run.stdout and "sm3（SM3 国密算法" in run.stdout
    assert case["expected"]["seed"] in run.stdout
    assert run.stderr == ""


def test_sm3_proof_on_the_command_line(tmp_path):
    c = json.loads((SM3_DIR / "s7-sm3-merkle-commitment.json").read_text(encoding="utf-8"))
    (tmp_path / "c.json").write_bytes(fd.canonical_json(c["inputs"]["commitment"]))
    (tmp_path / "p.json").write_bytes(fd.canonical_json(c["expected"]["proofs"][0]))
    cmd = [sys.executable, "-m", "shuangsuiji.fairdraw.proof", str(tmp_path / "p.json")]
    run = subprocess.run([*cmd, "--commitment", str(tmp_path / "c.json")], capture_output=True, text=True,
                         cwd=ROOT, check=False)  # fmt: skip
    assert run.returncode == 0, run.stdout
    assert "哈希算法 hash: sm3" in run.stdout


def test_without_sm3_the_verifier_says_why(monkeypatch, tmp_path):
    """A Python whose OpenSSL lacks SM3: a clear refusal (exit 2, HASH_UNAVAILABLE), never a wrong verdict."""
    case = json.loads((SM3_DIR / "s1-sm3-basic-srs.json").read_text(encoding="utf-8"))
    monkeypatch.setattr(hashsuite, "sm3_available", lambda: False)
    rep = fd.verify_manifest(case["expected"]["manifest"], case["inputs"]["pool"].encode())
    assert rep.status == "MALFORMED" and rep.code == "HASH_UNAVAILABLE"
    assert "不支持 SM3" in rep.text() and rep.exit_code == 2
    # SHA-256 draws are unaffected
    v1 = json.loads((ROOT / "docs" / "fairdraw-vectors" / "v1-basic-srs.json").read_text(encoding="utf-8"))
    assert fd.verify_manifest(v1["expected"]["manifest"], v1["inputs"]["pool"].encode()).ok


def test_unknown_suite_is_malformed():
    case = json.loads((SM3_DIR / "s1-sm3-basic-srs.json").read_text(encoding="utf-8"))
    m = json.loads(json.dumps(case["expected"]["manifest"]))
    m["commitment"]["hash"] = "md5"
    rep = fd.verify_manifest(m, case["inputs"]["pool"].encode())
    assert rep.status == "MALFORMED" and rep.code == "COMMITMENT_FORMAT"
    with pytest.raises(fd.FairdrawError) as e:
        fd.get_suite("sha3_256")
    assert e.value.code == "HASH_SUITE"


# ---------------------------------------------------------------- the commitment log with SM3 entries


def test_log_entry_names_its_suite():
    e = fd.commitlog.make_entry(seq=1, prev="0" * 64, draw_id="D", commitment_hash="ab" * 32,
                                logged_at=PUBLISHED_AT, suite="sm3")  # fmt: skip
    assert e["suite"] == "sm3"
    fields = _lp(b"SRV1/log", (1).to_bytes(8, "big"), bytes(32), bytes.fromhex("ab" * 32), b"D", PUBLISHED_AT.encode())
    assert e["hash"] == ref_sm3(fields).hex()
    sha = fd.commitlog.make_entry(seq=1, prev="0" * 64, draw_id="D", commitment_hash="ab" * 32, logged_at=PUBLISHED_AT)
    assert "suite" not in sha and sha["hash"] != e["hash"]
    assert fd.commitlog.parse_log(fd.commitlog.entry_line(e)) == [e]
    bad = dict(e, suite="sha256")  # the explicit default is not canonical
    with pytest.raises(fd.MalformedInput):
        fd.commitlog.parse_log(fd.commitlog.entry_line(bad))


def test_log_entry_suite_must_match_the_commitment():
    ok = json.loads((ROOT / "docs/fairdraw-vectors/refuse/ok2-sm3-log-included-in-time.json").read_text("utf-8"))
    i = ok["inputs"]
    chash = fd.commitment_hash(i["manifest"]["commitment"])
    lines = i["log"].encode().split(b"\n")[:-1]
    first = json.loads(lines[0])
    e = fd.commitlog.make_entry(seq=2, prev=first["hash"], draw_id=i["manifest"]["commitment"]["draw_id"],
                                commitment_hash=chash, logged_at=PUBLISHED_AT)  # a SHA-256 entry  # fmt: skip
    log = lines[0] + b"\n" + fd.commitlog.entry_line(e)
    rep = fd.verify_manifest(i["manifest"], i["pool"].encode(), log=log)
    assert rep.status == "DIFFERENT" and rep.path == "log[1].suite", rep.text()


# ---------------------------------------------------------------- properties


def _units(n_units: int, n_strata: int) -> list:
    return [fd.PoolUnit(f"U{j:03d}", f"h{j % n_strata}", excluded_reason="CLOSED" if j % 7 == 3 else "")
            for j in range(n_units)]  # fmt: skip


@settings(max_examples=25, deadline=None)
@given(n=st.integers(0, 40), k=st.integers(1, 4), rate=st.sampled_from(["1/3", "1/2", "2/7", "1/1"]),
       value=st.text(alphabet="0123456789,", min_size=1, max_size=12), merkle=st.booleans())  # fmt: skip
def test_any_sm3_draw_verifies_and_a_relabel_does_not(n, k, rate, value, merkle):
    units = _units(n, k)
    pool = fd.canonical_pool_bytes(units)
    plan = fd.DrawPlan(default=fd.StratumRule(rate=rate), substitutes=1)
    rec = fd.build_commitment(
        draw_id="P", plan=plan, pool_digest=fd.pool_digest(pool, fd.SM3), strata=fd.stratum_counts(units),
        public_sources=[{"kind": "other"}], published_at=PUBLISHED_AT, hash_suite="sm3",
        pool_merkle_root=fd.merkle.merkle_root(pool, fd.SM3) if merkle else None,
    )  # fmt: skip
    out = fd.run_draw(pool, rec, [value])
    assert fd.verify_manifest(fd.manifest_bytes(out.manifest), pool).ok
    # the selection is the first n_h of the SM3 random order
    for h, s in out.manifest["selection"].items():
        order = fd.random_order(pool, out.seed, h, fd.SM3)
        assert list(s["selected"]) == order[: s["n"]]
    # the same record relabelled SHA-256 no longer matches its own digests
    relabelled = dict(out.manifest, commitment=dict(rec, hash="sha256"))
    assert not fd.verify_manifest(relabelled, pool).ok


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 12), salt=st.binary(min_size=16, max_size=16), cert=st.text(min_size=1, max_size=10))
def test_assignment_and_pseudonyms_use_the_suite(n, salt, cert):
    p3, p2 = fd.inspector_pseudonym(salt, cert, fd.SM3), fd.inspector_pseudonym(salt, cert)
    assert p3 == "ZF-" + ref_sm3(_lp(b"SRV1/pseudonym", salt, cert.encode()))[:12].hex()
    assert p3 != p2
    units = [fd.PoolUnit(f"T{j}", "s") for j in range(n)]
    roster = [fd.Inspector(f"I{j}", cert_valid_from="2024-01-01", cert_valid_to="2030-01-01") for j in range(4)]
    rules = fd.AssignmentRules(inspection_date="2025-01-01", require_specialist=False)
    seed = fd.SM3.digest(salt)
    a = fd.assign_inspectors(units, roster, rules, seed, fd.SM3)
    assert a.feasible and len(a.groups) == n
    seed_a = ref_sm3(_lp(b"SRV1/assign", seed))
    order = sorted(units, key=lambda u: (ref_sm3(seed_a + b"\x00task\x00" + u.unit_id.encode()), u.unit_id.encode()))
    assert [u.unit_id for u in order] == [
        u.unit_id
        for u in sorted(
            units,
            key=lambda u: (
                fd.SM3.digest(fd.keys.sub_seed(seed, "assign", fd.SM3) + b"\x00task\x00" + u.unit_id.encode()),
                u.unit_id,
            ),
        )
    ]
