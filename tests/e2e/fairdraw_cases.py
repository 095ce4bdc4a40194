"""Inputs for the browser-verifier agreement test (test_browser_verifier.py): each case is what a verifier is
given (manifest bytes, pool bytes, roster bytes or None, the expected commitment hash or None, the commitment
log or None).  Data-driven: every file under docs/fairdraw-vectors/ that holds a draw is a case, so vectors
added later are covered without touching the test; random draws made by the engine and tampered copies of
real ones are added to them.  The Python verdict of a case is the reference the browser must reproduce."""

from __future__ import annotations

import hashlib
import json
import pathlib
import random
from dataclasses import dataclass, replace

from shuangsuiji import fairdraw as fd
from shuangsuiji.fairdraw.conflicts import commit_roster
from shuangsuiji.fairdraw.hashsuite import get_suite, suite_of
from shuangsuiji.fairdraw.merkle import merkle_root

VECTORS = pathlib.Path(__file__).resolve().parents[2] / "docs" / "fairdraw-vectors"


@dataclass(frozen=True)
class Case:
    name: str
    manifest: bytes
    pool: bytes
    roster: bytes | None = None
    expect: str | None = None
    log: bytes | None = None
    conflict_key: bytes | None = None  # oversight's fairdraw-conflict-key/1 (spec §4.2.2)

    def python(self) -> dict:
        """The Python verifier's verdict, drand BLS signatures checked (py-ecc), as the browser checks them
        (static/js/bls12-381.js)."""
        rep = fd.verify_manifest(self.manifest, self.pool, self.roster, expect_commitment=self.expect, log=self.log,
                                 check_signatures=True, conflict_key=self.conflict_key)  # fmt: skip
        return verdict(rep.status, rep.path, rep.code, rep.message, rep.expected, rep.actual, rep.seed,
                       rep.commitment_hash, rep.hash_suite)  # fmt: skip


def _json_value(v: object) -> object:
    """A value as the JSON text both verifiers can print (Python's tuples are lists)."""
    try:
        return json.dumps(v, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    except TypeError:
        return repr(v)


def verdict(status, path, code, message, expected, actual, seed, commitment_hash, hash_suite) -> dict:
    out = {
        "status": status,
        "path": path,
        "code": code or "",
        "seed": seed,
        "commitment_hash": commitment_hash,
        "hash_suite": hash_suite,
    }
    if status == "DIFFERENT":  # the message and both values are compared too; a MALFORMED text names Python types
        out.update(message=message, expected=_json_value(expected), actual=_json_value(actual))
    return out


def vector_files() -> list[pathlib.Path]:
    """Every vector file that holds a draw (its inputs have a pool); the primitive digests of
    sm3/hash-suites.json are checked by their own test."""
    return sorted(
        p for p in VECTORS.rglob("*.json") if "pool" in json.loads(p.read_text(encoding="utf-8")).get("inputs", {})
    )


def vector_case(path: pathlib.Path) -> Case:
    d = json.loads(path.read_text(encoding="utf-8"))
    i = d["inputs"]
    roster = None if i.get("roster") is None else fd.canonical_json(i["roster"])
    key = None if i.get("conflict_key") is None else fd.canonical_json(i["conflict_key"])
    name = str(path.relative_to(VECTORS))
    if "manifest" in i:  # a refusal vector
        return Case(name, fd.manifest_bytes(i["manifest"]), i["pool"].encode(), roster, i.get("expect_commitment"),
                    None if i.get("log") is None else i["log"].encode(), key)  # fmt: skip
    return Case(name, fd.manifest_bytes(d["expected"]["manifest"]), i["pool"].encode(), roster, conflict_key=key)


# ----------------------------------------------------------------------------- random draws by the engine

REGIONS = ["370322", "370302", "370303"]
SPECIALTIES = ["公共场所卫生", "生活饮用水卫生", "放射卫生", ""]


def random_draw(rng: random.Random, i: int) -> Case:
    """A draw made by the engine with random pool, plan and roster (srs and pivotal strata, clamps, certainty,
    exclusions, assignment with 回避, certificates, caps, region rules; some infeasible)."""
    strata = [f"{rng.choice(REGIONS)}|{c}" for c in rng.sample("ABCD", rng.randint(1, 4))]
    units = []
    for n in range(rng.randint(0, 60)):
        uid = rng.choice(["91370322MA", "检查对象", "U", "𠀀单位"]) + f"{n:04d}"
        units.append(fd.PoolUnit(
            uid, rng.choice(strata), weight_ppm=rng.choice([1_000_000, rng.randint(1, 5_000_000), 10**12]),
            excluded_reason=rng.choice(["", "", "", "", "CLOSED", "近期已检查"]),
            region=rng.choice(REGIONS + [""]), specialty=rng.choice(SPECIALTIES),
        ))  # fmt: skip
    units = list({u.unit_id: u for u in units}.values())

    def rule() -> fd.StratumRule:
        mn = rng.randint(0, 3)
        return fd.StratumRule(rate=f"{rng.randint(0, 10)}/{rng.randint(10, 40)}", min_n=mn,
                              max_n=rng.choice([None, mn + rng.randint(0, 5)]), certainty=rng.random() < 0.15,
                              method=rng.choice(["srs", "pivotal"]))  # fmt: skip

    suite = get_suite(rng.choice(["sha256", "sm3"]))
    with_assignment = rng.random() < 0.7
    rules = None
    roster_b = key = None
    if with_assignment:
        rules = fd.AssignmentRules(
            inspection_date="2025-04-07", inspection_end=rng.choice(["", "2025-04-30"]),
            group_size=rng.choice([2, 2, 3]),
            require_specialist=rng.random() < 0.7, region_rule=rng.choice(["any", "same", "different"]),
            max_load=rng.choice([None, None, 2, 4]), balance=rng.random() < 0.8,
        )  # fmt: skip
        ids = [u.unit_id for u in units]
        inspectors = [
            fd.Inspector(f"ZF-{n:03d}", region=rng.choice(REGIONS),
                         specialties=tuple(rng.sample([s for s in SPECIALTIES if s], rng.randint(0, 2))),
                         cert_valid_from=rng.choice(["2023-01-01"] * 6 + ["", "2025-04-10"]),
                         cert_valid_to=rng.choice(["2027-12-31"] * 6 + ["2025-04-20"]),
                         max_load=rng.choice([None, None, None, 0, 1, 3, 5]),
                         conflict_units=tuple(rng.sample(ids, min(len(ids), rng.randint(0, 3)))))
            for n in range(rng.randint(2, 18))
        ]  # fmt: skip
        roster_b = fd.canonical_roster_bytes(inspectors)
        if rng.random() < 0.4:  # 回避 committed as salted hashes (roster format 2, manifest format 4)
            roster_b, key = commit_roster(inspectors, suite, rng.randbytes)
    plan = fd.DrawPlan(default=rule(), strata={h: rule() for h in strata if rng.random() < 0.5},
                       substitutes=rng.randint(0, 4), assignment=rules)  # fmt: skip
    pool = fd.canonical_pool_bytes(units)
    merkle = rng.random() < 0.5
    record = fd.build_commitment(
        draw_id=f"随机-{i}", plan=plan, pool_digest=fd.pool_digest(pool, suite), strata=fd.stratum_counts(units),
        public_sources=[{"kind": "lottery", "name": "快乐8", "issue": str(i)}],
        published_at="2025-03-31T10:00:00+08:00",
        roster_digest=None if roster_b is None else fd.roster_digest(roster_b, suite), attempt=1 + i % 3,
        pool_merkle_root=merkle_root(pool, suite) if merkle else None, hash_suite=suite.name,
    )  # fmt: skip
    fmt = None if key is not None else rng.choice([fd.MANIFEST_FORMAT, fd.MANIFEST_FORMAT, "fairdraw-manifest/2"])
    out = fd.run_draw(pool, record, [f"{i:02d},{rng.randint(1, 80):02d}"], roster=roster_b,
                      embed_roster=roster_b is not None and rng.random() < 0.3, manifest_format=fmt,
                      conflict_key=key)  # fmt: skip
    oversight = key is not None and rng.random() < 0.5  # 纪检 verify with the conflict key, the public without
    return Case(
        f"random-{i}",
        fd.manifest_bytes(out.manifest),
        pool,
        roster_b,
        conflict_key=fd.canonical_json(key) if oversight else None,
    )


def random_draws(n: int, seed: int = 20261127) -> list[Case]:
    rng = random.Random(seed)
    return [random_draw(rng, i) for i in range(n)]


# ----------------------------------------------------------------------------- tampered copies


def _m(case: Case) -> dict:
    return json.loads(case.manifest)


def _with(case: Case, tag: str, manifest: dict | bytes | None = None, **kw) -> Case:
    if isinstance(manifest, dict):
        manifest = json.dumps(manifest, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    return replace(case, name=f"{case.name}/{tag}", **({"manifest": manifest} if manifest is not None else {}), **kw)


def _recommit(m: dict) -> dict:
    """The manifest of a dishonest operator who also rewrote the commitment to match an edited input."""
    m["commitment_hash"] = fd.commitment_hash(m["commitment"])
    return m


def _pool_lines(pool: bytes) -> tuple[bytes, list[bytes]]:
    head, _, body = pool.partition(b"\n")
    return head + b"\n", body.split(b"\n")[:-1]


def _join(head: bytes, lines: list[bytes]) -> bytes:
    return head + b"".join(line + b"\n" for line in lines)


def tampered(case: Case) -> list[Case]:
    """Pools, manifests and rosters a dishonest operator could publish next to ``case`` (a valid draw)."""
    out: list[Case] = []
    m0 = _m(case)
    head, lines = _pool_lines(case.pool)
    # -- pools
    if lines:
        f = lines[0].split(b"\t")
        flipped = b"\t".join(f[:5] + [b"" if f[5] else b"CLOSED"])
        out.append(_with(case, "pool-flip-exclusion", pool=_join(head, [flipped] + lines[1:])))
        out.append(_with(case, "pool-unit-removed", pool=_join(head, lines[1:])))
        weight = b"\t".join(f[:2] + [b"999"] + f[3:])
        out.append(_with(case, "pool-weight-changed", pool=_join(head, [weight] + lines[1:])))
        for tag, pool in (("pool-flip-exclusion-recommitted", _join(head, [flipped] + lines[1:])),
                          ("pool-unit-removed-recommitted", _join(head, lines[1:])),
                          ("pool-crlf-recommitted", case.pool.replace(b"\n", b"\r\n")),
                          ("pool-reordered-recommitted", _join(head, lines[::-1])),
                          ("pool-bad-weight-recommitted",
                           _join(head, [b"\t".join([*f[:2], b"01", *f[3:]]), *lines[1:]])),
                          ("pool-no-final-lf-recommitted", case.pool[:-1])):  # fmt: skip
            m = _m(case)
            suite = suite_of(m["commitment"])
            m["commitment"]["pool_digest"] = fd.pool_digest(pool, suite)
            if "pool_merkle_root" in m["commitment"]:
                try:
                    m["commitment"]["pool_merkle_root"] = merkle_root(pool, suite)
                except fd.FairdrawError:
                    pass
            out.append(_with(case, tag, _recommit(m), pool=pool))
    # -- manifests
    sel = m0["selection"]
    for h in sorted(sel):
        s = sel[h]
        m = _m(case)
        m["selection"][h]["probability"] = "1/1" if s["probability"] != "1/1" else "0/1"
        out.append(_with(case, "manifest-probability", m))
        if s["selected"] and s["substitutes"]:
            m = _m(case)
            t = m["selection"][h]
            t["selected"][0], t["substitutes"][0] = t["substitutes"][0], t["selected"][0]
            out.append(_with(case, "manifest-unit-swapped", m))
        if s["selected"]:
            m = _m(case)
            m["selection"][h]["selected"][0] = "不存在的单位"
            out.append(_with(case, "manifest-unit-replaced", m))
        break
    if sel:
        h = sorted(m0["allocation"])[-1]
        m = _m(case)
        m["allocation"][h]["n"] = m["allocation"][h]["n"] + 1
        out.append(_with(case, "manifest-allocation-n", m))
        m = _m(case)
        m["allocation"][h]["n"] = True
        out.append(_with(case, "manifest-bool-for-int", m))
    m = _m(case)
    m["seed"] = "0" * 64
    out.append(_with(case, "manifest-seed", m))
    m = _m(case)
    m["public_values"][0] = m["public_values"][0] + "0"
    out.append(_with(case, "manifest-public-value", m))
    m = _m(case)
    m["commitment"]["published_at"] = "2025-04-01T10:00:00+08:00"
    out.append(_with(case, "manifest-commitment-edited", m))
    out.append(_with(case, "manifest-commitment-edited-recommitted", _recommit(m)))
    m = _m(case)
    m["commitment"]["plan"]["default"]["rate"] = "2/40"
    out.append(_with(case, "manifest-rate-not-reduced", _recommit(m)))
    m = _m(case)
    m["commitment"]["published_at"] = "2025-03-31 10:00:00"
    out.append(_with(case, "manifest-published-at-grammar", _recommit(m)))
    m = _m(case)
    m["commitment"]["hash"] = "sm3" if m["commitment"]["hash"] == "sha256" else "sha256"
    out.append(_with(case, "manifest-suite-relabelled", _recommit(m)))
    m = _m(case)
    m["commitment"]["hash"] = "md5"
    out.append(_with(case, "manifest-suite-unknown", m))
    m = _m(case)
    del m["excluded"]
    out.append(_with(case, "manifest-key-missing", m))
    m = _m(case)
    m["format"] = "fairdraw-manifest/9"
    out.append(_with(case, "manifest-format", m))
    out.append(_with(case, "manifest-float", case.manifest.replace(b'"seed":', b'"x":1.5,"seed":', 1)))
    out.append(_with(case, "manifest-duplicate-key", case.manifest.replace(b'"seed":', b'"seed":"00","seed":', 1)))
    out.append(_with(case, "manifest-not-json", case.manifest[:-1]))
    if m0["excluded"]:
        m = _m(case)
        m["excluded"] = m["excluded"][::-1] if len(m["excluded"]) > 1 else []
        out.append(_with(case, "manifest-excluded", m))
    out.append(_with(case, "expect-other-commitment", expect="f" * 64))
    out.append(_with(case, "expect-same-commitment-upper", expect=m0["commitment_hash"].upper()))
    for i, ev in enumerate(m0.get("public_evidence") or []):
        if ev:
            m = _m(case)
            m["public_evidence"][i]["round"] += 1
            out.append(_with(case, "evidence-round", m))
            m = _m(case)
            m["public_evidence"][i]["signature"] = m["public_evidence"][i]["signature"][::-1]
            out.append(_with(case, "evidence-signature", m))
    a = m0["assignment"]
    if a:
        groups = a["groups"]
        loads = a["loads"]
        if groups:
            u = sorted(groups)[0]
            others = [i for i in sorted(loads) if i not in groups[u]]
            if others:
                m = _m(case)
                m["assignment"]["groups"][u][0] = others[0]
                out.append(_with(case, "manifest-inspector-swapped", m))
        if loads:
            m = _m(case)
            m["assignment"]["loads"][sorted(loads)[0]] += 1
            out.append(_with(case, "manifest-load", m))
        m = _m(case)
        m["assignment"]["cap"] = 99
        out.append(_with(case, "manifest-cap", m))
        m = _m(case)
        m["commitment"]["roster_digest"] = None
        out.append(_with(case, "manifest-roster-not-committed", _recommit(m)))
    # -- revealed 回避 pairs (manifest format 4)
    if m0.get("conflicts"):
        m = _m(case)
        del m["conflicts"][0]
        out.append(_with(case, "conflicts-withheld", m))
        m = _m(case)
        m["conflicts"][0]["salt"] = "0" * 32
        out.append(_with(case, "conflicts-salt-changed", m))
        m = _m(case)
        m["conflicts"] = m["conflicts"][::-1] if len(m["conflicts"]) > 1 else m["conflicts"] * 2
        out.append(_with(case, "conflicts-reordered", m))
        out.append(_with(case, "conflicts-key-dropped", conflict_key=None))
    if m0["format"] == "fairdraw-manifest/4" and m0["assignment"] is not None:
        m = _m(case)
        m["conflicts"] = m["conflicts"] + [{"inspector_id": "ZF-X", "unit_id": "􏿿", "salt": "1" * 32}]
        out.append(_with(case, "conflicts-pair-not-committed", m))
        m = _m(case)
        m["format"] = "fairdraw-manifest/3"
        del m["conflicts"]
        out.append(_with(case, "conflicts-format-3-with-roster-2", m))
    # -- rosters
    roster_obj = json.loads(case.roster) if case.roster is not None else m0["roster"]
    if roster_obj and roster_obj["inspectors"]:

        def with_roster(tag: str, obj: dict | bytes, **kw) -> None:
            b = obj if isinstance(obj, bytes) else json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
            out.append(_with(case, tag, roster=b, **kw))

        r = json.loads(json.dumps(roster_obj))
        r["inspectors"][0]["region"] = "999999"
        with_roster("roster-region-changed", r)
        r = json.loads(json.dumps(roster_obj))
        if "conflicts" in r:  # roster format 2: the committed 回避 pairs
            r["conflicts"] = r["conflicts"][1:] if r["conflicts"] else ["0" * 64]
        else:
            first = r["inspectors"][0]
            first["conflict_units"] = [] if first["conflict_units"] else ["不存在的单位"]
        with_roster("roster-conflict-changed", r)
        r = json.loads(json.dumps(roster_obj))
        r["inspectors"][0]["cert_valid_to"] = "2000-01-01"
        with_roster("roster-certificate-changed", r)
        if len(roster_obj["inspectors"]) > 1:
            r = json.loads(json.dumps(roster_obj))
            r["inspectors"] = r["inspectors"][::-1]
            with_roster("roster-not-canonical", r)
        with_roster("roster-pretty-printed", json.dumps(roster_obj, ensure_ascii=True, indent=2).encode())
        with_roster("roster-not-json", b"{")
        r = json.loads(json.dumps(roster_obj))
        r["inspectors"][0]["max_load"] = 1
        m = _m(case)
        m["commitment"]["roster_digest"] = fd.roster_digest(fd.canonical_json(r), suite_of(m["commitment"]))
        with_roster("roster-changed-recommitted", r, manifest=json.dumps(_recommit(m)).encode())
    if m0["roster"] is None and case.roster is not None:
        out.append(_with(case, "roster-missing", roster=None))
    return out


# ----------------------------------------------------------------------------- seeded random mutations

_VALUES = [None, True, False, 0, -1, 1, 2**60, "", "x", "1/2", "2025-01-01", [], {}, ["a"], {"a": 1}, "0" * 64,
           "ＡＢ", "e\u0301"]  # fmt: skip
_DELETE = object()


def _paths(v: object, path: tuple = ()):
    yield path
    if isinstance(v, dict):
        for k in v:
            yield from _paths(v[k], (*path, k))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from _paths(x, (*path, i))


def _set(v: object, path: tuple, new: object) -> object:
    cur = v
    for p in path[:-1]:
        cur = cur[p]
    if new is _DELETE:
        del cur[path[-1]]
    else:
        cur[path[-1]] = new
    return v


# ----------------------------------------------------------------------------- forged drand signatures

QUICKNET_ROUNDS = json.loads((VECTORS / "drand" / "quicknet-rounds.json").read_text(encoding="utf-8"))["rounds"]


def flipped_signatures(signature: str) -> dict[str, str]:
    """Forged quicknet signatures (hex) that a one-byte edit of a real one gives: one that is no curve point,
    one that is a curve point (a valid encoding; almost surely outside the prime-order subgroup), the
    negated point (sign bit flipped: a valid encoding of a subgroup point) and the point at infinity."""
    from py_ecc.bls.point_compression import decompress_G1

    raw = bytes.fromhex(signature)

    def decodes(b: bytes) -> bool:
        try:
            decompress_G1(int.from_bytes(b, "big"))
        except ValueError:
            return False
        return True

    last = [raw[:-1] + bytes([raw[-1] ^ k]) for k in range(1, 256)]
    return {
        "not-a-point": next(b for b in last if not decodes(b)).hex(),
        "curve-point": next(b for b in last if decodes(b)).hex(),
        "negated": (bytes([raw[0] ^ 0x20]) + raw[1:]).hex(),
        "infinity": (b"\xc0" + bytes(47)).hex(),
    }


def bls_tampered(case: Case) -> list[Case]:
    """Draws whose drand signature is forged while everything else is consistent: the public value is
    SHA-256 of the forged signature and the draw is re-run with it, so only the BLS pairing check (the last
    step of both verifiers) can refuse them.  Plus a signature of another real round put in place of the
    committed round's, and the honest draw re-committed to that other round (which verifies)."""
    m0 = _m(case)
    evidence = m0.get("public_evidence") or []
    at = [i for i, ev in enumerate(evidence) if ev]
    if not at or m0["format"] == "fairdraw-manifest/4":  # 回避 reveals would need the key; format 3 suffices
        return []
    i = at[0]
    round0 = evidence[i]["round"]
    other = next(r for r in QUICKNET_ROUNDS if r["round"] != round0)
    roster = case.roster

    def rerun(tag: str, signature: str, round_no: int | None = None) -> Case:
        m = _m(case)
        commitment = m["commitment"]
        if round_no is not None:
            commitment["public_sources"][i]["round"] = round_no
        ev = [dict(e) if e else None for e in m["public_evidence"]]
        ev[i]["signature"] = signature
        ev[i]["round"] = commitment["public_sources"][i]["round"]
        values = list(m["public_values"])
        values[i] = hashlib.sha256(bytes.fromhex(signature)).hexdigest()
        out = fd.run_draw(case.pool, commitment, values, roster=roster, embed_roster=m["roster"] is not None,
                          public_evidence=ev, manifest_format=m["format"])  # fmt: skip
        return replace(case, name=f"{case.name}/{tag}", manifest=fd.manifest_bytes(out.manifest), expect=None,
                       log=None)  # fmt: skip

    out = [rerun(f"bls-{tag}", sig) for tag, sig in flipped_signatures(evidence[i]["signature"]).items()]
    out.append(rerun("bls-other-rounds-signature", other["signature"]))
    out.append(rerun("bls-other-round-recommitted", other["signature"], other["round"]))
    return out


def mutations(bases: list[Case], n: int, seed: int = 32905) -> list[Case]:
    """``n`` random edits of valid draws: a byte of the pool changed, inserted or deleted (the commitment
    mostly rewritten to match), a value of the roster or of the manifest replaced by another JSON value or
    deleted (the commitment hash mostly rewritten).  Each reaches some verdict; both verifiers must agree on it."""
    rng = random.Random(seed)
    out: list[Case] = []
    while len(out) < n:
        base = rng.choice(bases)
        what = rng.random()
        m = json.loads(base.manifest)
        if what < 0.25:
            pool = bytearray(base.pool)
            k = rng.randrange(len(pool))
            piece = rng.choice([b"\t", b"\r", b"\n", "é".encode(), "e\u0301".encode(), b"\xff", b"0", b"A", b""])
            op = rng.choice(["set", "insert", "delete"])
            if op == "set":
                pool[k : k + 1] = piece
            elif op == "insert":
                pool[k:k] = piece
            else:
                del pool[k : k + rng.randint(1, 20)]
            if rng.random() < 0.7:
                m["commitment"]["pool_digest"] = fd.pool_digest(bytes(pool), suite_of(m["commitment"]))
                m["commitment_hash"] = fd.commitment_hash(m["commitment"])
            out.append(_with(base, f"mutation-{len(out)}-pool-{op}-{k}", json.dumps(m).encode(), pool=bytes(pool)))
            continue
        target = "roster" if what < 0.45 and base.roster is not None else "manifest"
        obj = json.loads(base.roster) if target == "roster" else m
        paths = [p for p in _paths(obj) if p]
        path = rng.choice(paths)
        new = rng.choice([*_VALUES, _DELETE, _DELETE, _DELETE])
        _set(obj, path, new)
        if target == "manifest" and rng.random() < 0.5 and isinstance(m.get("commitment"), dict):
            try:
                m["commitment_hash"] = fd.commitment_hash(m["commitment"])
            except (fd.FairdrawError, TypeError, ValueError, KeyError, AttributeError):
                pass
        text = json.dumps(obj, ensure_ascii=False).encode()
        tag = f"mutation-{len(out)}-{target}-{'.'.join(map(str, path))}"
        out.append(_with(base, tag, roster=text) if target == "roster" else _with(base, tag, text))
    return out
