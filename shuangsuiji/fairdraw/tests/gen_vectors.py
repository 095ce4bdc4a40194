"""Generate the published test vectors in docs/fairdraw-vectors/.

    .venv/bin/python -m shuangsuiji.fairdraw.tests.gen_vectors

Only re-run this when the algorithm version changes on purpose; the test
``test_vectors.py`` recomputes every stored vector and must keep passing.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib

from shuangsuiji import fairdraw as fd

VECTOR_DIR = pathlib.Path(__file__).resolve().parents[3] / "docs" / "fairdraw-vectors"
# A real, published quicknet round (docs/fairdraw-vectors/drand/quicknet-rounds.json); its
# signature verifies against the chain's public key, so the v2 vector passes the BLS check.
QUICKNET_ROUND = json.loads((VECTOR_DIR / "drand" / "quicknet-rounds.json").read_text(encoding="utf-8"))["rounds"][1]


def _basic() -> dict:
    units = [
        fd.PoolUnit(
            f"U{i:02d}", "north" if i % 2 else "south", excluded_reason="RECENTLY_INSPECTED" if i in (3, 8) else ""
        )
        for i in range(1, 13)
    ]
    plan = fd.DrawPlan(default=fd.StratumRule(rate="1/3"), substitutes=2)
    return dict(
        name="v1-basic-srs",
        description="两个等概率分层，含两个排除对象；无执法人员选派。Two equal-probability strata, two excluded units.",
        units=units,
        plan=plan,
        roster=None,
        public_values=["03,11,19,27,35,42"],
        sources=[
            {"kind": "lottery", "name": "双色球（示例）", "issue": "2025001", "encoding": "红球升序两位数逗号分隔"}
        ],
    )


def _risk() -> dict:
    classes = "AABBBBBCCD"
    units = []
    for i in range(40):
        region = "370322" if i < 24 else "370323"
        cls = classes[i % 10]
        uid = f"91370322MA{i:02d}{'ABCDEFGH'[i % 8]}X{i % 10}K{i % 7}"
        reason = {5: "CLOSED", 17: "HIGHER_LEVEL_TASK"}.get(i, "")
        units.append(
            fd.PoolUnit(
                uid,
                f"{region}|{cls}",
                excluded_reason=reason,
                region=region,
                specialty="公共场所卫生" if i % 3 else "生活饮用水卫生",
            )
        )
    units.append(fd.PoolUnit("卫监示例单位甲", "370322|C", region="370322", specialty="公共场所卫生"))
    counts = fd.stratum_counts(units)
    rates = fd.rates_for_strata(
        {h: c["eligible"] for h, c in counts.items()},
        class_of=lambda h: h.split("|")[1],
        class_rates=fd.risk_class_rates(pick={"A": "high", "B": "high", "C": "mid", "D": "high"}),
    )
    strata = {h: fd.StratumRule(rate=r, min_n=1, certainty=h.endswith("|D")) for h, r in rates.items()}
    inspectors = [
        fd.Inspector(
            f"ZF{j:03d}",
            region="370322" if j < 4 else "370323",
            specialties=(
                ("公共场所卫生",)
                if j % 2 == 0
                else ("生活饮用水卫生", "公共场所卫生")
                if j % 3 == 0
                else ("生活饮用水卫生",)
            ),
            cert_valid_from="2023-01-01",
            cert_valid_to="2027-12-31" if j != 6 else "2025-01-31",
            max_load=None if j != 1 else 2,
            conflict_units=("卫监示例单位甲",) if j == 2 else (),
        )
        for j in range(9)
    ]
    rules = fd.AssignmentRules(inspection_date="2025-04-07", inspection_end="2025-04-11", region_rule="different")
    plan = fd.DrawPlan(default=fd.StratumRule(rate="1/20"), strata=strata, substitutes=3, assignment=rules)
    return dict(
        name="v2-risk-classes-assignment",
        description="按地区×信用风险等级分层（A/B/C/D，D 级全部检查，每层至少 1 户），"
        "跨区交叉选派 2 人检查组，含回避、执法证过期与个人上限。",
        units=units,
        plan=plan,
        roster=inspectors,
        public_values=[
            "01,04,09,13,18,22,27,31,36,40,44,49,53,58,62,66,70,73,77,80",
            QUICKNET_ROUND["randomness"],
        ],
        sources=[
            {
                "kind": "lottery",
                "name": "中国福利彩票快乐8",
                "issue": "2025091",
                "encoding": "20 个号码升序、两位数、逗号分隔",
            },
            {
                "kind": "drand",
                "chain": "quicknet",
                "chain_hash": fd.drand.QUICKNET.chain_hash,
                "round": QUICKNET_ROUND["round"],
                "encoding": "randomness 小写十六进制",
            },
        ],
        signatures={1: QUICKNET_ROUND["signature"]},
    )


def _pivotal() -> dict:
    weights = [1, 1, 1, 2, 2, 3, 4, 1, 1, 40, 1, 2]
    units = [fd.PoolUnit(f"P{i:02d}", "complaints", weight_ppm=w * 1_000_000) for i, w in enumerate(weights)]
    units += [fd.PoolUnit(f"Q{i:02d}", "plain") for i in range(6)]
    plan = fd.DrawPlan(
        default=fd.StratumRule(rate="1/2"),
        strata={"complaints": fd.StratumRule(rate="1/3", method="pivotal")},
        substitutes=2,
    )
    return dict(
        name="v3-pivotal-weighted",
        description="投诉加权分层使用有序 pivotal 方法（权重 40 的单位被截断为必抽），另一分层等概率。",
        units=units,
        plan=plan,
        roster=None,
        public_values=["20250315"],
        sources=[{"kind": "other", "name": "公证处现场摇号（示例）"}],
    )


def _infeasible() -> dict:
    units = [
        fd.PoolUnit(f"S{i}", "s", region="R1", specialty="放射卫生" if i == 2 else "学校卫生") for i in range(1, 6)
    ]
    ok = {"cert_valid_from": "2024-01-01", "cert_valid_to": "2026-01-01"}
    inspectors = [
        fd.Inspector("A1", region="R1", specialties=("学校卫生",), **ok),
        fd.Inspector("A2", region="R1", specialties=("学校卫生",), **ok, conflict_units=("S4",)),
        fd.Inspector(
            "A3", region="R2", specialties=("学校卫生",), cert_valid_from="2024-01-01", cert_valid_to="2024-12-31"
        ),
    ]
    rules = fd.AssignmentRules(inspection_date="2025-03-03", region_rule="same")
    plan = fd.DrawPlan(default=fd.StratumRule(rate="1/1"), substitutes=0, assignment=rules)
    return dict(
        name="v4-infeasible-assignment",
        description="选派不可行：缺少“放射卫生”专业人员、回避后人数不足；manifest 记录问题说明。",
        units=units,
        plan=plan,
        roster=inspectors,
        public_values=["7"],
        sources=[{"kind": "other", "name": "示例"}],
    )


def _merkle() -> dict:
    """commitment/2 with ``pool_merkle_root``; expected.proofs holds inclusion proofs of three units."""
    c = _basic()
    c["name"] = "v7-merkle-commitment"
    c["description"] = "承诺记录第 2 版含号池默克尔根（RFC 6962），附三个检查对象的包含证明。"
    c["merkle"] = True
    c["proofs"] = ["U01", "U08", "U12"]
    return c


def build_case(c: dict) -> dict:
    suite = fd.get_suite(c.get("suite", "sha256"))
    pool = fd.canonical_pool_bytes(c["units"])
    roster_b = None if c["roster"] is None else fd.canonical_roster_bytes(c["roster"])
    key = None
    if c.get("roster_v2"):  # committed 回避 pairs (spec §4.2.2), salts derived from the case name
        roster_b, key = fd.conflicts.commit_roster(c["roster"], suite, salt=_salts(c["name"]))
    record = fd.build_commitment(
        draw_id=c["name"],
        plan=c["plan"],
        pool_digest=fd.pool_digest(pool, suite),
        strata=fd.stratum_counts(c["units"]),
        public_sources=c["sources"],
        published_at="2025-03-31T10:00:00+08:00",
        roster_digest=None if roster_b is None else fd.roster_digest(roster_b, suite),
        task={"name": c["description"][:40]},
        pool_merkle_root=fd.merkle.merkle_root(pool, suite) if c.get("merkle") else None,
        hash_suite=suite.name,
    )
    signatures = c.get("signatures", {})
    evidence = [
        fd.drand.evidence(s, signatures[i]) if s["kind"] == "drand" else None for i, s in enumerate(c["sources"])
    ]
    out = fd.run_draw(pool, record, c["public_values"], roster=roster_b, public_evidence=evidence, conflict_key=key)
    seed = out.seed
    keys = {
        u.unit_id: fd.key_hex(fd.unit_key(seed, u.unit_id, suite))
        for u in sorted(c["units"], key=lambda u: u.unit_id.encode())
    }
    return {
        "name": c["name"],
        "description": c["description"],
        "inputs": {
            "pool": pool.decode("utf-8"),
            "roster": None if roster_b is None else json.loads(roster_b),
            "commitment": record,
            "public_values": c["public_values"],
            "public_evidence": evidence,
            **({"conflict_key": key} if key is not None else {}),
        },
        "expected": {
            "pool_digest": fd.pool_digest(pool, suite),
            "roster_digest": None if roster_b is None else fd.roster_digest(roster_b, suite),
            "commitment_hash": fd.commitment_hash(record),
            "seed": seed.hex(),
            "unit_keys": keys,
            "manifest": out.manifest,
            **(
                {"proofs": [fd.merkle.inclusion_proof(pool, u, c["name"], suite) for u in c["proofs"]]}
                if c.get("proofs")
                else {}
            ),
        },
    }


def _salts(name: str):
    """Deterministic 16-byte salts for the vectors (the app draws them with ``secrets``)."""
    import hashlib

    n = iter(range(1 << 30))
    return lambda k: hashlib.sha256(f"{name}/salt/{next(n)}".encode()).digest()[:k]


def _committed_conflicts() -> dict:
    """v2's scenario with a roster of format 2: 回避 pairs committed as salted hashes (spec §4.2.2)."""
    c = _risk()
    units = c["units"]
    c["roster"] = [
        dataclasses.replace(i, conflict_units=tuple(u.unit_id for k, u in enumerate(units) if (k * 7 + j) % 11 == 0))
        for j, i in enumerate(c["roster"])
    ]
    c["name"] = "v8-committed-conflicts"
    c["description"] = (
        "名录第 2 版：回避声明以加盐哈希承诺（只公开数量），抽取后只公开涉及抽中对象和候补的声明及其盐值；"
        "其余同 v2（地区×风险等级分层、跨区交叉选派）。"
    )
    c["roster_v2"] = True
    return c


def _degenerate() -> dict:
    """Every degenerate string of §6–§7: "0/0", "0/E", "0*w/0" (empty and all-certain), "0*w/W",
    a certainty stratum with rate "0/1", both clamps, fewer units than substitutes."""
    units = []
    for i in range(3):
        units.append(fd.PoolUnit(f"E{i}", "empty-srs", excluded_reason="CLOSED"))
        units.append(fd.PoolUnit(f"F{i}", "empty-pivotal", excluded_reason="CLOSED"))
    for i, w in enumerate((1, 2, 3)):
        units.append(fd.PoolUnit(f"G{i}", "all-certain-pivotal", weight_ppm=w * 1_000_000))
        units.append(fd.PoolUnit(f"H{i}", "zero-pivotal", weight_ppm=w * 1_000_000))
    for i in range(4):
        units.append(fd.PoolUnit(f"J{i}", "zero-srs"))
        units.append(fd.PoolUnit(f"K{i}", "certainty-zero-rate"))
        units.append(fd.PoolUnit(f"L{i}", "clamp-max"))
        units.append(fd.PoolUnit(f"M{i}", "clamp-min"))
    plan = fd.DrawPlan(
        default=fd.StratumRule(rate="0/1"),
        strata={
            "empty-pivotal": fd.StratumRule(rate="1/2", method="pivotal"),
            "all-certain-pivotal": fd.StratumRule(rate="1/1", method="pivotal"),
            "zero-pivotal": fd.StratumRule(rate="0/1", method="pivotal"),
            "certainty-zero-rate": fd.StratumRule(rate="0/1", certainty=True),
            "clamp-max": fd.StratumRule(rate="3/4", max_n=1),
            "clamp-min": fd.StratumRule(rate="0/1", min_n=2),
            "not-in-pool": fd.StratumRule(rate="1/1"),
        },
        substitutes=5,
    )
    return dict(
        name="v5-degenerate-strata",
        description="退化情形：可抽取 0 户的分层（0/0、0*w/0）、全部必抽的加权分层、抽取 0 户的分层、"
        "比例为 0 的必检分层、上下限截断、候补数多于剩余对象。",
        units=units,
        plan=plan,
        roster=None,
        public_values=["11,22,33"],
        sources=[{"kind": "other", "name": "示例"}],
    )


def _problems() -> dict:
    """One assignment problem of each kind and variant (§8.3–§8.4): CAPACITY, NO_SPECIALIST with
    specialists in the roster who are all ineligible, and a task failing both static checks (one problem)."""
    units = [fd.PoolUnit(f"T{i}", "s", region="R1", specialty="学校卫生") for i in range(1, 5)]
    units += [
        fd.PoolUnit("X1", "s", region="R1", specialty="放射卫生"),
        fd.PoolUnit("Y1", "s", region="R1", specialty="放射卫生"),
    ]
    ok = {"cert_valid_from": "2024-01-01", "cert_valid_to": "2026-12-31"}
    inspectors = [
        fd.Inspector("B1", region="R1", specialties=("学校卫生",), max_load=1, conflict_units=("Y1",), **ok),
        fd.Inspector("B2", region="R1", specialties=("学校卫生",), max_load=1, conflict_units=("Y1",), **ok),
        fd.Inspector("B3", region="R1", specialties=("学校卫生",), max_load=2, **ok),
        fd.Inspector(
            "B4", region="R1", specialties=("放射卫生",), cert_valid_from="2020-01-01", cert_valid_to="2024-12-31"
        ),  # fmt: skip
    ]
    rules = fd.AssignmentRules(inspection_date="2025-05-06", region_rule="any")
    plan = fd.DrawPlan(default=fd.StratumRule(rate="1/1"), substitutes=0, assignment=rules)
    return dict(
        name="v6-assignment-problems",
        description="选派问题的每一种：工作量上限不足（CAPACITY）、本专业人员均不符合条件（NO_SPECIALIST）、"
        "同时人数不足且无本专业人员的对象只记一个问题（TOO_FEW_ELIGIBLE）。",
        units=units,
        plan=plan,
        roster=inspectors,
        public_values=["5"],
        sources=[{"kind": "other", "name": "示例"}],
    )


# The witnesses' secrets of v9 (spec §5.5): each handed in its SHA-256 before the commitment and reveals it at the draw.
WITNESS_SECRETS = ("739140285561", "监督人乙的随机数 2025-0417")


def _witness() -> dict:
    """v1's scenario with two witness sources (commit–reveal, spec §5.5) around the lottery: each witness's
    commitment is the SHA-256 of its secret (SHA-256 in every hash suite), the secret is its public value."""
    c = _basic()
    c["name"] = "v9-witness-commit-reveal"
    c["description"] = "两名监督人事先交来随机数的 SHA-256 承诺，抽取时揭示随机数（与彩票号码一起作为公开随机值）。"
    lottery = c["sources"][0]
    c["sources"] = [
        {"kind": "witness", "name": "监督人甲", "commitment": fd.canon.sha256_hex(WITNESS_SECRETS[0].encode())},
        lottery,
        {"kind": "witness", "name": "监督人乙", "commitment": fd.canon.sha256_hex(WITNESS_SECRETS[1].encode())},
    ]
    c["public_values"] = [WITNESS_SECRETS[0], c["public_values"][0], WITNESS_SECRETS[1]]
    return c


CASES = (_basic, _risk, _pivotal, _infeasible, _degenerate, _problems, _merkle, _committed_conflicts, _witness)


# ---------------------------------------------------------------- SM3 (docs/fairdraw-vectors/sm3/, spec §2.3)
# The same scenarios as v1, v2, v6 and v7 with "hash": "sm3": every hash of the procedure is SM3.


def _sm3(make, name: str):
    def case() -> dict:
        c = make()
        c["name"] = name
        c["description"] = "国密 SM3 哈希算法：" + c["description"]
        c["suite"] = "sm3"
        return c

    return case


SM3_CASES = (
    _sm3(_basic, "s1-sm3-basic-srs"),
    _sm3(_risk, "s2-sm3-risk-classes-assignment"),
    _sm3(_problems, "s6-sm3-assignment-problems"),
    _sm3(_merkle, "s7-sm3-merkle-commitment"),
    _sm3(_witness, "s9-sm3-witness-commit-reveal"),  # the witnesses' commitments stay SHA-256
)


def hash_suite_vectors() -> dict:
    """The primitive H of each suite on fixed inputs (GB/T 32905-2016 appendix A for SM3)."""
    inputs = {"abc": b"abc", "abcd*16": b"abcd" * 16, "empty": b""}
    return {
        "name": "hash-suites",
        "description": "每种哈希算法对固定输入的摘要；SM3 的 abc 与 abcd×16 为 GB/T 32905-2016 附录 A 的示例。",
        "inputs": {k: v.decode() for k, v in inputs.items()},
        "expected": {
            name: {k: fd.get_suite(name).hexdigest(v) for k, v in inputs.items()} for name in ("sha256", "sm3")
        },
    }


# ---------------------------------------------------------------- refusal vectors (docs/fairdraw-vectors/refuse/)
# Each is a manifest a dishonest operator could publish; the verifier must refuse it with the stated
# status, code (MALFORMED) or first differing path (DIFFERENT).


def _refusal(name: str, description: str, *, pool: bytes, manifest: dict, roster: object, expected: dict,
             expect_commitment: str | None = None, log: bytes | None = None,
             conflict_key: dict | None = None) -> dict:  # fmt: skip
    return {
        "name": name,
        "description": description,
        "inputs": {
            "pool": pool.decode("utf-8"),
            "manifest": manifest,
            "roster": roster,
            "expect_commitment": expect_commitment,
            "log": None if log is None else log.decode("utf-8"),
            **({"conflict_key": conflict_key} if conflict_key is not None else {}),
        },
        "expected": {"status": expected["status"], "code": expected.get("code"), "path": expected.get("path")},
    }


def _forged_run(pool: bytes, record: dict, values: list[str], roster_b: bytes, evidence: list) -> dict:
    """What an engine without the §4.3 roster rule would publish (the steps of run_draw, unchecked)."""
    plan = fd.DrawPlan.from_dict(record["plan"])
    seed = fd.derive_seed(fd.commitment_hash(record), values)
    alloc = fd.allocate(record["strata"], plan, seed)
    result = fd.select(pool, alloc, seed, plan)
    assignment = fd.assign_inspectors(result.targets(), fd.parse_roster(roster_b), plan.assignment, seed)
    return fd.build_manifest(
        commitment=record, public_values=values, seed=seed, allocation=alloc, result=result,
        assignment=assignment, roster_bytes=roster_b, embed_roster=True, public_evidence=evidence,
    )  # fmt: skip


def _refuse_roster_not_committed() -> dict:
    c = _risk()
    case = build_case(c)
    pool = case["inputs"]["pool"].encode()
    roster_b = fd.canonical_roster_bytes(c["roster"])
    record = dict(case["inputs"]["commitment"], roster_digest=None)
    manifest = _forged_run(pool, record, c["public_values"], roster_b, case["inputs"]["public_evidence"])
    return _refusal(
        "r1-roster-not-committed",
        "方案包含执法人员选派，但承诺记录的 roster_digest 为 null：名录可在随机值公布后任意挑选，必须拒绝。",
        pool=pool, manifest=manifest, roster=json.loads(roster_b),
        expected={"status": "MALFORMED", "code": "ROSTER_NOT_COMMITTED"},
    )  # fmt: skip


def _refuse_unexpected_commitment() -> dict:
    c = _basic()
    published = build_case(c)  # the commitment published at T0
    c["units"] = [u for u in c["units"] if u.unit_id != "U05"]  # the operator drops one unit afterwards
    rerun = build_case(c)
    return _refusal(
        "r2-unexpected-commitment",
        "号池删去一个对象后重新生成承诺和种子再抽取：单独验证能通过，"
        "但承诺哈希不是事先公布的那一个（--expect-commitment），必须判为不一致。",
        pool=rerun["inputs"]["pool"].encode(), manifest=rerun["expected"]["manifest"], roster=None,
        expect_commitment=published["expected"]["commitment_hash"],
        expected={"status": "DIFFERENT", "path": "commitment_hash"},
    )  # fmt: skip


def _log(*items: tuple) -> bytes:
    """A commitment log (spec §14) of (draw_id, commitment_hash, logged_at[, suite]) entries."""
    out, prev = b"", fd.commitlog.GENESIS
    for seq, (draw_id, chash, at, *suite) in enumerate(items, start=1):
        e = fd.commitlog.make_entry(seq=seq, prev=prev, draw_id=draw_id, commitment_hash=chash, logged_at=at,
                                    suite=suite[0] if suite else "sha256")  # fmt: skip
        out += fd.commitlog.entry_line(e)
        prev = e["hash"]
    return out


OTHER = ("2025-GQ-001", "ab" * 32, "2025-03-30T09:00:00+08:00")


def _timed_case() -> dict:
    """v1-basic with the lottery's announcement time fixed in the commitment (``available_at``)."""
    c = _basic()
    c["sources"] = [dict(c["sources"][0], available_at="2025-04-01T21:30:00+08:00")]
    return build_case(c)


def _refuse_log_late() -> dict:
    case = _timed_case()
    chash, draw_id = case["expected"]["commitment_hash"], case["inputs"]["commitment"]["draw_id"]
    return _refusal(
        "r3-log-late-commitment",
        "承诺在开奖之后才进入承诺日志：承诺可能是在随机值已知后生成的，必须判为不一致。",
        pool=case["inputs"]["pool"].encode(), manifest=case["expected"]["manifest"], roster=None,
        log=_log(OTHER, (draw_id, chash, "2025-04-01T21:35:00+08:00")),
        expected={"status": "DIFFERENT", "path": "log[1].logged_at"},
    )  # fmt: skip


def _refuse_log_missing() -> dict:
    case = _timed_case()
    return _refusal(
        "r4-log-not-included",
        "承诺哈希不在承诺日志中（没有事先公示），必须判为不一致。",
        pool=case["inputs"]["pool"].encode(), manifest=case["expected"]["manifest"], roster=None,
        log=_log(OTHER), expected={"status": "DIFFERENT", "path": "log"},
    )  # fmt: skip


def _refuse_log_edited() -> dict:
    case = _timed_case()
    chash, draw_id = case["expected"]["commitment_hash"], case["inputs"]["commitment"]["draw_id"]
    log = _log(OTHER, (draw_id, chash, "2025-03-31T10:00:00+08:00"))
    first, rest = log.split(b"\n", 1)
    log = first.replace(b"2025-GQ-001", b"2025-GQ-009") + b"\n" + rest  # an earlier entry edited afterwards
    return _refusal(
        "r5-log-entry-edited",
        "承诺日志中较早的一条记录事后被改动（哈希链断开），必须判为不一致。",
        pool=case["inputs"]["pool"].encode(), manifest=case["expected"]["manifest"], roster=None,
        log=log, expected={"status": "DIFFERENT", "path": "log[0].hash"},
    )  # fmt: skip


def _log_ok() -> dict:
    """Not a refusal: the same draw with a log in which it is included in time (VERIFIED)."""
    case = _timed_case()
    chash, draw_id = case["expected"]["commitment_hash"], case["inputs"]["commitment"]["draw_id"]
    return _refusal(
        "ok1-log-included-in-time",
        "对照：承诺在开奖前进入承诺日志，哈希链完整，验证通过。",
        pool=case["inputs"]["pool"].encode(), manifest=case["expected"]["manifest"], roster=None,
        log=_log(OTHER, (draw_id, chash, "2025-03-31T10:00:00+08:00")), expected={"status": "VERIFIED"},
        expect_commitment=chash,
    )  # fmt: skip


def _refuse_sm3_label() -> dict:
    """A commitment that says "hash": "sm3" over SHA-256 digests (a relabelled SHA-256 draw)."""
    c = _basic()
    c["name"] = "r6-sm3-label-sha256-digests"
    case = build_case(c)
    pool = case["inputs"]["pool"].encode()
    record = dict(case["inputs"]["commitment"], hash="sm3")  # digests stay SHA-256
    values = c["public_values"]
    seed = fd.derive_seed(fd.commitment_hash(record), values, fd.SM3)
    plan = fd.DrawPlan.from_dict(record["plan"])
    alloc = fd.allocate(record["strata"], plan, seed, fd.SM3)
    result = fd.select(pool, alloc, seed, plan, fd.SM3)
    manifest = fd.build_manifest(commitment=record, public_values=values, seed=seed, allocation=alloc,
                                 result=result, public_evidence=[None])  # fmt: skip
    return _refusal(
        "r6-sm3-label-sha256-digests",
        "承诺记录声明使用 SM3，但号池摘要仍是 SHA-256 计算的：号池摘要与承诺不符，必须判为不一致。",
        pool=pool, manifest=manifest, roster=None,
        expected={"status": "DIFFERENT", "path": "commitment.pool_digest"},
    )  # fmt: skip


def _log_ok_sm3() -> dict:
    """An SM3 draw in a log that also holds a SHA-256 entry: the SM3 entry carries "suite": "sm3"."""
    c = _basic()
    c["sources"] = [dict(c["sources"][0], available_at="2025-04-01T21:30:00+08:00")]
    c["name"], c["suite"] = "s1-sm3-basic-srs-timed", "sm3"
    case = build_case(c)
    chash, draw_id = case["expected"]["commitment_hash"], case["inputs"]["commitment"]["draw_id"]
    return _refusal(
        "ok2-sm3-log-included-in-time",
        "对照：SM3 抽查的承诺在开奖前进入承诺日志（该条记录注明 suite 为 sm3，前一条为 SHA-256 记录），验证通过。",
        pool=case["inputs"]["pool"].encode(), manifest=case["expected"]["manifest"], roster=None,
        log=_log(OTHER, (draw_id, chash, "2025-03-31T10:00:00+08:00", "sm3")), expected={"status": "VERIFIED"},
        expect_commitment=chash,
    )  # fmt: skip


def _conflict_case() -> tuple[dict, bytes, list]:
    case = build_case(_committed_conflicts())
    i = case["inputs"]
    return case, i["pool"].encode(), fd.conflicts.check_pairs(i["conflict_key"]["pairs"])


def _refuse_conflict_withheld() -> dict:
    """The operator withholds one committed pair touching a selected unit: the public check passes (it cannot
    see the pair), oversight's check with the conflict key finds it."""
    case, pool, pairs = _conflict_case()
    i = case["inputs"]
    targets = {u for s in case["expected"]["manifest"]["selection"].values() for u in s["selected"]}
    hidden = next(p for p in pairs if p.unit_id in targets)
    kept = [p.to_dict() for p in pairs if p != hidden]
    forged = fd.run_draw(pool, i["commitment"], i["public_values"], roster=i["roster"], conflict_key=kept,
                         public_evidence=i["public_evidence"]).manifest  # fmt: skip
    # the first differing path (§10 step 6): inside the revealed list, where the withheld pair was
    rep = fd.verify_manifest(forged, pool, i["roster"], check_signatures=False,
                             conflict_key=fd.canonical_json(i["conflict_key"]))  # fmt: skip
    assert rep.path.startswith("conflicts"), rep.text()
    return _refusal(
        "r7-conflict-withheld",
        "隐瞒一项涉及抽中对象的回避声明：公众核验看不到被隐瞒的声明，纪检用回避声明密钥核验时必须判为不一致。",
        pool=pool, manifest=forged, roster=i["roster"], conflict_key=i["conflict_key"],
        expected={"status": "DIFFERENT", "path": rep.path},
    )  # fmt: skip


def _refuse_conflict_not_committed() -> dict:
    """A 回避 pair added after the draw (not in the committed roster) to push an inspector off a unit."""
    case, pool, _pairs = _conflict_case()
    i = case["inputs"]
    m = json.loads(json.dumps(case["expected"]["manifest"]))
    target = sorted(u for s in m["selection"].values() for u in s["selected"])[0]
    fake = {"inspector_id": i["roster"]["inspectors"][0]["inspector_id"], "unit_id": target, "salt": "00" * 16}
    m["conflicts"] = sorted([*m["conflicts"], fake], key=lambda p: (p["unit_id"].encode(), p["inspector_id"].encode()))
    return _refusal(
        "r8-conflict-not-committed",
        "抽取后新增一项名录中没有承诺的回避声明（借此把某名执法人员排除出某个检查组），必须判为不一致。",
        pool=pool, manifest=m, roster=i["roster"],
        expected={"status": "DIFFERENT", "path": f"conflicts[{m['conflicts'].index(fake)}]"},
    )  # fmt: skip


def _conflicts_ok() -> dict:
    case, pool, _pairs = _conflict_case()
    i = case["inputs"]
    return _refusal(
        "ok3-conflicts-complete",
        "对照：纪检用回避声明密钥核验，涉及抽中对象和候补的回避声明全部公开，验证通过。",
        pool=pool, manifest=case["expected"]["manifest"], roster=i["roster"], conflict_key=i["conflict_key"],
        expected={"status": "VERIFIED"},
    )  # fmt: skip


def _refuse_witness_reveal() -> dict:
    """监督人乙 reveals another value than the secret it committed to; the manifest is otherwise consistent
    (seed and results recomputed from the values as revealed)."""
    c = _witness()
    case = build_case(c)
    i = case["inputs"]
    pool = i["pool"].encode()
    values = [*c["public_values"][:2], "监督人乙的随机数 2025-0418"]
    forged = fd.run_draw(pool, i["commitment"], values, public_evidence=i["public_evidence"]).manifest
    path = "public_values[2]"
    rep = fd.verify_manifest(forged, pool, None, check_signatures=False)
    assert (rep.status, rep.path) == ("DIFFERENT", path), rep.text()
    return _refusal(
        "r9-witness-reveal-mismatch",
        "监督人揭示的随机数与其事先交来的承诺哈希（SHA-256）不符：揭示的不是事先承诺的随机数，必须判为不一致。",
        pool=pool, manifest=forged, roster=None,
        expected={"status": "DIFFERENT", "path": path},
    )  # fmt: skip


# ---------------------------------------------------------------- grammar refusal vectors (refuse/g*.json)
# Spec §2 and §4.3 define the grammar of every commitment field. Each of these vectors breaks exactly one rule of
# the honest record of v1 (or v6), mostly in a way a lenient reader takes to mean the same thing (the same instant,
# the same rate, the same count). Everything else in the manifest is computed from the broken record (its hash,
# the seed) and the honest meaning (allocation, selection, groups), so a verifier that skips the grammar check
# accepts most of them. The verdict must be MALFORMED with the code of the broken rule (spec §10 step 1).


def _grammar(name: str, description: str, code: str, mutate, base=_basic) -> dict:
    c = base()
    case = build_case(c)
    i = case["inputs"]
    pool = i["pool"].encode()
    honest = i["commitment"]
    record = json.loads(json.dumps(honest))
    mutate(record)
    roster_b = None if i["roster"] is None else fd.canonical_json(i["roster"])
    suite = fd.get_suite(honest["hash"])
    plan = fd.DrawPlan.from_dict(honest["plan"])  # what the broken record means to a lenient reader
    seed = fd.derive_seed(fd.commitment_hash(record), c["public_values"], suite)
    alloc = fd.allocate(honest["strata"], plan, seed, suite)
    result = fd.select(pool, alloc, seed, plan, suite)
    assignment = None
    if plan.assignment is not None:
        assignment = fd.assign_inspectors(result.targets(), fd.parse_roster(roster_b), plan.assignment, seed)
    manifest = fd.build_manifest(
        commitment=record, public_values=c["public_values"], seed=seed, allocation=alloc, result=result,
        assignment=assignment, roster_bytes=roster_b, embed_roster=roster_b is not None,
        public_evidence=i["public_evidence"],
    )  # fmt: skip
    rep = fd.verify_manifest(manifest, pool, roster_b, check_signatures=False)
    assert (rep.status, rep.code) == ("MALFORMED", code), rep.text()
    return _refusal(name, description, pool=pool, manifest=manifest, roster=i["roster"],
                    expected={"status": "MALFORMED", "code": code})  # fmt: skip


def _set(path: str, value: object):
    """A mutation setting one field of the commitment record (``path`` is dotted: "plan.default.rate")."""

    def mutate(record: dict) -> None:
        *head, last = path.split(".")
        d = record
        for k in head:
            d = d[k]
        d[last] = value

    return mutate


def _first_source(**changes: object):
    def mutate(record: dict) -> None:
        record["public_sources"][0] = {**record["public_sources"][0], **changes}

    return mutate


GRAMMAR = (
    (
        "g01-published-at-utc-z",
        "公告时间用 Z 表示 UTC（2025-03-31T02:00:00Z，与 +08:00 的 10:00 同一时刻）："
        "§2 的时间格式只允许 ±HH:MM 时差，必须判为格式错误。",
        "PUBLISHED_AT",
        _set("published_at", "2025-03-31T02:00:00Z"),
    ),
    (
        "g02-published-at-no-offset",
        "公告时间没有时差（2025-03-31T10:00:00）：无法确定是哪一时刻，必须判为格式错误。",
        "PUBLISHED_AT",
        _set("published_at", "2025-03-31T10:00:00"),
    ),
    (
        "g03-published-at-impossible-date",
        "公告时间的日期不存在（2025-02-29，2025 年不是闰年），必须判为格式错误。",
        "PUBLISHED_AT",
        _set("published_at", "2025-02-29T10:00:00+08:00"),
    ),
    (
        "g04-rate-not-reduced",
        "抽查比例写成未约分的分数 2/6（即 1/3）：方案中的比例必须是最简分数，承诺记录不是规范形式，必须判为格式错误。",
        "COMMITMENT_NOT_CANONICAL",
        _set("plan.default.rate", "2/6"),
    ),
    (
        "g05-rate-leading-zero",
        "抽查比例的分子有前导零（01/3）：不是规范形式，必须判为格式错误。",
        "COMMITMENT_NOT_CANONICAL",
        _set("plan.default.rate", "01/3"),
    ),
    (
        "g06-rate-decimal",
        "抽查比例写成小数 0.5 而不是 p/q 分数：不是规范形式，必须判为格式错误。",
        "COMMITMENT_NOT_CANONICAL",
        _set("plan.default.rate", "0.5"),
    ),
    (
        "g07-rate-zero-denominator",
        "抽查比例的分母为 0（1/0）：不是分数，必须判为格式错误。",
        "FRACTION_INVALID",
        _set("plan.default.rate", "1/0"),
    ),
    (
        "g08-public-sources-empty",
        "承诺记录没有公布任何公开随机源（public_sources 为空列表），必须判为格式错误。",
        "NO_PUBLIC_SOURCE",
        _set("public_sources", []),
    ),
    (
        "g09-public-source-not-object",
        '公开随机源不是对象而是字符串 "lottery"，必须判为格式错误。',
        "PUBLIC_SOURCES",
        _set("public_sources", ["lottery"]),
    ),
    (
        "g10-public-source-kind-empty",
        "公开随机源的 kind 为空字符串（kind 是文本字段，不能为空），必须判为格式错误。",
        "TEXT_EMPTY",
        _first_source(kind=""),
    ),
    (
        "g11-public-source-kind-tab",
        "公开随机源的 kind 含制表符（lottery\\t），文本字段不能含控制字符，必须判为格式错误。",
        "TEXT_CONTROL_CHAR",
        _first_source(kind="lottery\t"),
    ),
    ("g12-task-not-object", "task 是列表而不是对象，必须判为格式错误。", "TASK", _set("task", ["两个等概率分层"])),
    (
        "g13-count-boolean",
        "分层数量写成布尔值 true（而不是整数 1）：数量必须是整数，必须判为格式错误。",
        "STRATA_COUNTS",
        _set("strata.north.excluded", True),
    ),
    (
        "g14-attempt-boolean",
        "抽取次序号 attempt 写成布尔值 true（而不是整数 1），必须判为格式错误。",
        "ATTEMPT",
        _set("attempt", True),
    ),
    (
        "g15-plan-min-boolean",
        "分层规则的最少抽取数 min 写成布尔值 false（而不是整数 0），必须判为格式错误。",
        "PLAN_INT",
        _set("plan.default.min", False),
    ),
    (
        "g16-pool-digest-uppercase",
        "号池摘要用大写十六进制书写：摘要必须是 64 位小写十六进制，必须判为格式错误。",
        "HEX_INVALID",
        lambda r: r.update(pool_digest=r["pool_digest"].upper()),
    ),
)
# On a draw with inspector assignment (v6): the dates of the plan's assignment rules.
GRAMMAR_ASSIGNMENT = (
    (
        "g17-inspection-date-format",
        "检查日期写成 2025-5-6（月、日不足两位）：日期必须是 YYYY-MM-DD，必须判为格式错误。",
        "PLAN_DATE",
        _set("plan.assignment.inspection_date", "2025-5-6"),
    ),
    (
        "g18-inspection-end-impossible",
        "检查结束日期不存在（2025-06-31，六月只有 30 天），必须判为格式错误。",
        "PLAN_DATE",
        _set("plan.assignment.inspection_end", "2025-06-31"),
    ),
)


def _grammar_case(entry: tuple, base=_basic):
    name, description, code, mutate = entry
    return lambda: _grammar(name, description, code, mutate, base)


GRAMMAR_REFUSALS = tuple(_grammar_case(e) for e in GRAMMAR) + tuple(
    _grammar_case(e, _problems) for e in GRAMMAR_ASSIGNMENT
)


REFUSALS = (_refuse_roster_not_committed, _refuse_unexpected_commitment, _refuse_log_late, _refuse_log_missing,
            _refuse_log_edited, _log_ok, _refuse_sm3_label, _log_ok_sm3,
            _refuse_conflict_withheld, _refuse_conflict_not_committed, _conflicts_ok,
            _refuse_witness_reveal, *GRAMMAR_REFUSALS)  # fmt: skip


def _write(path: pathlib.Path, case: dict) -> None:
    path.write_text(json.dumps(case, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print("wrote", path)


def main() -> None:
    VECTOR_DIR.mkdir(parents=True, exist_ok=True)
    for make in CASES:
        case = build_case(make())
        _write(VECTOR_DIR / f"{case['name']}.json", case)
    (VECTOR_DIR / "sm3").mkdir(exist_ok=True)
    for make in SM3_CASES:
        case = build_case(make())
        _write(VECTOR_DIR / "sm3" / f"{case['name']}.json", case)
    _write(VECTOR_DIR / "sm3" / "hash-suites.json", hash_suite_vectors())
    (VECTOR_DIR / "refuse").mkdir(exist_ok=True)
    for make in REFUSALS:
        case = make()
        _write(VECTOR_DIR / "refuse" / f"{case['name']}.json", case)


if __name__ == "__main__":
    main()
