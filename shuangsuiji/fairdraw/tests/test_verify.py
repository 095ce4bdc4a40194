"""The verifier: Python API and the command line (stdlib only)."""

import copy
import json
import pathlib
import subprocess
import sys

import pytest

from shuangsuiji import fairdraw as fd

ROOT = pathlib.Path(__file__).resolve().parents[3]
VECTOR = ROOT / "docs" / "fairdraw-vectors" / "v2-risk-classes-assignment.json"
BLOCKED = (
    "import sys; sys.modules['numpy'] = None; sys.modules['django'] = None; "
    "from shuangsuiji.fairdraw.verify import main; sys.exit(main(sys.argv[1:]))"
)


@pytest.fixture(scope="module")
def case():
    c = json.loads(VECTOR.read_text(encoding="utf-8"))
    i = c["inputs"]
    return {"pool": i["pool"].encode(), "roster": fd.canonical_json(i["roster"]), "manifest": c["expected"]["manifest"]}


@pytest.fixture
def files(tmp_path, case):
    def write(manifest=None, pool=None, roster=None):
        m = tmp_path / "manifest.json"
        p = tmp_path / "pool.tsv"
        r = tmp_path / "roster.json"
        m.write_bytes(fd.manifest_bytes(manifest or case["manifest"]))
        p.write_bytes(pool or case["pool"])
        r.write_bytes(roster or case["roster"])
        return str(m), str(p), str(r)

    return write


def _cli(*args, module=False):
    cmd = [sys.executable, "-m", "shuangsuiji.fairdraw.verify"] if module else [sys.executable, "-c", BLOCKED]
    r = subprocess.run(cmd + list(args), cwd=ROOT, capture_output=True, text=True, timeout=120)
    return r.returncode, r.stdout + r.stderr


def test_cli_verified(files):
    m, p, r = files()
    code, out = _cli(m, p, "--roster", r, module=True)
    assert code == 0 and out.startswith("VERIFIED"), out
    code, out = _cli(m, p, "--roster", r)  # numpy and django unavailable
    assert code == 0 and "验证通过" in out, out


def test_cli_first_difference(files, case):
    bad = copy.deepcopy(case["manifest"])
    h = sorted(bad["selection"])[1]
    bad["selection"][h]["substitutes"] = list(reversed(bad["selection"][h]["substitutes"]))
    m, p, r = files(manifest=bad)
    code, out = _cli(m, p, "--roster", r)
    assert code == 1 and f"selection.{h}.substitutes[0]" in out, out

    bad = copy.deepcopy(case["manifest"])
    bad["public_values"][0] = bad["public_values"][0].replace("01", "02")
    m, p, r = files(manifest=bad)
    code, out = _cli(m, p, "--roster", r)
    assert code == 1 and "DIFFERENT" in out and "seed" in out, out

    pool = case["pool"].replace(b"CLOSED", b"CLOSEd")
    m, p, r = files(pool=pool)
    code, out = _cli(m, p, "--roster", r)
    assert code == 1 and "commitment.pool_digest" in out, out

    roster = case["roster"].replace(b'"2027-12-31"', b'"2027-12-30"', 1)
    m, p, r = files(roster=roster)
    code, out = _cli(m, p, "--roster", r)
    assert code == 1 and "roster_digest" in out, out


def test_cli_malformed_and_missing(files, tmp_path):
    m, p, r = files()
    code, out = _cli(m, p)  # assignment needs the roster
    assert code == 2 and "--roster" in out, out
    code, out = _cli(m, p, "--skip-assignment")
    assert code == 0 and "未验证执法人员选派" in out, out
    code, out = _cli(str(tmp_path / "nope.json"), p, "--roster", r)
    assert code == 2 and "MALFORMED" in out, out
    (tmp_path / "junk.json").write_text("{not json")
    code, out = _cli(str(tmp_path / "junk.json"), p, "--roster", r)
    assert code == 2, out


@pytest.mark.parametrize(
    "path, mutate",
    [
        ("commitment_hash", lambda m: m["commitment"]["task"].update(x="y")),
        ("allocation", lambda m: m["allocation"][sorted(m["allocation"])[0]].update(n=99)),
        ("excluded", lambda m: m["excluded"].pop()),
        ("assignment.loads", lambda m: m["assignment"]["loads"].update(ZF000=99)),
        ("selection", lambda m: m["selection"][sorted(m["selection"])[0]]["threshold"].update(key="0" * 64)),
        ("commitment.strata", lambda m: m["commitment"]["strata"][sorted(m["selection"])[0]].update(total=1)),
    ],
)
def test_api_names_first_difference(case, path, mutate):
    bad = copy.deepcopy(case["manifest"])
    mutate(bad)
    rep = fd.verify_manifest(bad, case["pool"], case["roster"])
    assert rep.status in ("DIFFERENT", "MALFORMED") and not rep.ok
    if rep.status == "DIFFERENT":
        assert rep.path.startswith(path), rep.text()
        assert rep.exit_code == 1


def test_api_malformed(case):
    assert fd.verify_manifest(b"[]", case["pool"], case["roster"]).exit_code == 2
    m = dict(case["manifest"])
    del m["seed"]
    assert fd.verify_manifest(m, case["pool"], case["roster"]).status == "MALFORMED"
    assert fd.verify_manifest(case["manifest"], case["pool"], case["roster"]).ok
    m = copy.deepcopy(case["manifest"])
    m["public_values"].append("extra")
    assert fd.verify_manifest(m, case["pool"], case["roster"]).status == "MALFORMED"
    m = copy.deepcopy(case["manifest"])
    m["commitment"]["plan"]["default"]["rate"] = "2/40"  # not reduced → not canonical
    assert fd.verify_manifest(m, case["pool"], case["roster"]).status == "MALFORMED"
    # embedded roster: no --roster needed
    i = json.loads(VECTOR.read_text(encoding="utf-8"))["inputs"]
    out = fd.run_draw(case["pool"], i["commitment"], i["public_values"], roster=case["roster"], embed_roster=True,
                      public_evidence=i["public_evidence"])  # fmt: skip
    assert out.manifest["roster"] is not None
    assert fd.verify_manifest(fd.manifest_bytes(out.manifest), case["pool"]).ok


# ---------------------------------------------------------------- issue #14 (a)


def test_module_run_prints_no_runtime_warning(files):
    """`python -m shuangsuiji.fairdraw.verify` must not trip runpy's "found in sys.modules" warning."""
    m, p, r = files()
    cmd = [sys.executable, "-W", "error::RuntimeWarning", "-m", "shuangsuiji.fairdraw.verify", m, p, "--roster", r]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Warning" not in proc.stderr, proc.stderr


def test_cli_names_commitment_values_and_seed(files, case):
    m, p, r = files()
    code, out = _cli(m, p, "--roster", r)
    assert code == 0, out
    man = case["manifest"]
    assert f"承诺哈希 commitment_hash: {man['commitment_hash']}" in out
    for i, v in enumerate(man["public_values"]):
        assert f"公开随机值 public_values[{i}]: {v}" in out
    assert f"随机种子 seed: {man['seed']}" in out


def test_cli_expect_commitment(files, case):
    m, p, r = files()
    good = case["manifest"]["commitment_hash"]
    code, out = _cli(m, p, "--roster", r, "--expect-commitment", good.upper())  # hex case does not matter
    assert code == 0, out
    other = "0" * 64
    code, out = _cli(m, p, "--roster", r, "--expect-commitment", other)
    assert code == 1 and out.startswith("DIFFERENT 不一致：commitment_hash"), out
    assert other in out and good in out


def test_pretty_printed_roster_verifies(case):
    """§4.2: the roster digest is over the canonical bytes, whatever JSON encoding the file uses."""
    pretty = json.dumps(json.loads(case["roster"]), ensure_ascii=True, indent=2).encode()
    assert pretty != case["roster"]
    rep = fd.verify_manifest(case["manifest"], case["pool"], pretty)
    assert rep.ok, rep.text()
    # same content in another order is not the committed roster (the content must be canonical)
    d = json.loads(case["roster"])
    d["inspectors"].reverse()
    rep = fd.verify_manifest(case["manifest"], case["pool"], json.dumps(d).encode())
    assert rep.status == "MALFORMED" and rep.code == "ROSTER_NOT_CANONICAL", rep.text()


def test_commitment_with_assignment_must_commit_roster():
    plan = fd.DrawPlan(assignment=fd.AssignmentRules(inspection_date="2025-04-07"))
    kwargs = dict(draw_id="x", plan=plan, pool_digest="0" * 64, strata={},
                  public_sources=[{"kind": "other"}], published_at="2025-03-31T10:00:00+08:00")  # fmt: skip
    with pytest.raises(fd.FairdrawError) as e:
        fd.build_commitment(**kwargs)
    assert e.value.code == "ROSTER_NOT_COMMITTED"
    assert fd.build_commitment(**kwargs, roster_digest="1" * 64)["roster_digest"] == "1" * 64
