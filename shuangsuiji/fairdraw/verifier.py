"""The verifier (standard library only), spec §10.  The command line is ``verify.py``:

    python -m shuangsuiji.fairdraw.verify MANIFEST POOL [--roster ROSTER] [--skip-assignment]
                                          [--expect-commitment HASH]

Re-runs the draw from the committed inputs and compares every field of the
manifest, then checks each drand value's BLS signature against the chain's
built-in public key.  Prints ``VERIFIED`` and exits 0, or names the first
difference and exits 1, or exits 2 for malformed / missing input.

The BLS check needs the optional pure-Python package ``py-ecc``; without it
everything else is still verified (including randomness = SHA-256(signature))
and the output says in Chinese that the signature check was skipped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from . import commitlog, drand, merkle
from .canon import load_json_bytes
from .errors import FairdrawError, MalformedInput
from .hashsuite import suite_of
from .manifest import MANIFEST_FORMAT, MANIFEST_FORMAT_V1, MANIFEST_FORMAT_V4, MANIFEST_FORMATS, manifest_keys, run_draw
from .seed import check_commitment, commitment_hash
from .snapshot import pool_digest

EXIT_VERIFIED, EXIT_DIFFERENT, EXIT_MALFORMED = 0, 1, 2
_SUITE_LINE = {"sha256": "sha256（SHA-256）", "sm3": "sm3（SM3 国密算法，GB/T 32905-2016）"}


@dataclass(frozen=True)
class VerifyReport:
    status: str  # "VERIFIED" | "DIFFERENT" | "MALFORMED"
    message: str  # Chinese, for people
    path: str | None = None  # first differing field, e.g. "selection.A|3.selected[2]"
    expected: object = None  # value in the manifest
    actual: object = None  # recomputed value
    notes: tuple[str, ...] = ()  # what was not (or could not be) checked, in Chinese
    code: str = ""  # MALFORMED: the machine code of the refusal (e.g. ROSTER_NOT_COMMITTED)
    # What the verdict rests on (spec §10): the commitment hash recomputed from the commitment record,
    # the public values and the seed derived from both.  Empty when the manifest could not be read.
    commitment_hash: str = ""
    hash_suite: str = ""  # the commitment's ``hash``: "sha256" | "sm3" (spec §2.3)
    public_values: tuple[str, ...] = ()
    seed: str = ""
    log_entry: int = 0  # with a log: the commitment's sequence number …
    log_size: int = 0  # … the number of entries …
    log_head: str = ""  # … and the hash of the last entry (the log head)

    @property
    def ok(self) -> bool:
        return self.status == "VERIFIED"

    @property
    def exit_code(self) -> int:
        return {"VERIFIED": EXIT_VERIFIED, "DIFFERENT": EXIT_DIFFERENT}.get(self.status, EXIT_MALFORMED)

    def inputs_text(self) -> str:
        """The commitment hash, public values and seed the verdict rests on (one line each)."""
        if not self.commitment_hash:
            return ""
        lines = [f"  哈希算法 hash: {_SUITE_LINE.get(self.hash_suite, self.hash_suite)}"] if self.hash_suite else []
        lines.append(f"  承诺哈希 commitment_hash: {self.commitment_hash}")
        lines += [f"  公开随机值 public_values[{i}]: {v}" for i, v in enumerate(self.public_values)]
        if self.seed:
            lines.append(f"  随机种子 seed: {self.seed}")
        if self.log_entry:
            lines.append(f"  承诺日志 log: 第 {self.log_entry} 条（日志共 {self.log_size} 条，链尾 {self.log_head}）")
        return "\n" + "\n".join(lines)

    def text(self) -> str:
        if self.status == "VERIFIED":
            return (
                f"VERIFIED 验证通过：{self.message}"
                + "".join(f"\n  注意：{n}" for n in self.notes)
                + self.inputs_text()
            )
        if self.status == "DIFFERENT":
            return (
                f"DIFFERENT 不一致：{self.path}\n  {self.message}\n"
                f"  manifest 记录值: {short_repr(self.expected)}\n  重新计算值:     {short_repr(self.actual)}"
                + self.inputs_text()
            )
        return f"MALFORMED 输入格式错误：{self.message}"


def short_repr(v: object) -> str:
    s = repr(v)
    return s if len(s) <= 300 else s[:300] + "…"


def first_difference(a: object, b: object, path: str = "") -> tuple[str, object, object] | None:
    """First differing path between two JSON values (dict keys in sorted order)."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        for k in sorted(set(a) | set(b)):
            p = f"{path}.{k}" if path else k
            if k not in a or k not in b:
                return p, a.get(k, "<缺失>"), b.get(k, "<缺失>")
            d = first_difference(a[k], b[k], p)
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            d = first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        if len(a) != len(b):
            return f"{path}.length", len(a), len(b)
        return None
    if type(a) is not type(b) or a != b:
        return path, a, b
    return None


def _json_text(v: object) -> str:
    return json.dumps(v, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _different(path: str, msg: str, expected: object, actual: object, **used: object) -> VerifyReport:
    return VerifyReport("DIFFERENT", msg, path, expected, actual, **used)


def verify_manifest(
    manifest: Mapping | bytes,
    pool_bytes: bytes,
    roster: bytes | Mapping | None = None,
    *,
    skip_assignment: bool = False,
    check_signatures: bool = True,
    expect_commitment: str | None = None,
    log: bytes | None = None,
    conflict_key: bytes | None = None,
) -> VerifyReport:
    """Re-run the draw and compare it with the manifest; then check the drand signatures
    (BLS, when py-ecc is installed and ``check_signatures``).

    ``expect_commitment`` is the commitment hash published at T0 (e.g. copied from the portal or the
    notarised record): the manifest's commitment must hash to it, else DIFFERENT at ``commitment_hash``.
    Without it, a draw re-run on an edited pool with a fresh commitment verifies on its own.

    ``log`` is the public commitment log (``commitments.jsonl``, spec §14): its chain must be intact,
    the commitment must be in it, and it must have been logged before every public value existed.

    ``conflict_key`` (oversight, spec §4.2.2): the ``fairdraw-conflict-key/1`` file that opens every
    committed 回避 pair of a format-4 draw; the re-run then reveals every pair touching a selected unit or
    substitute, so a pair withheld from the manifest's ``conflicts`` is a difference there.  Without it the
    manifest's own ``conflicts`` are checked against the roster's commitments and used."""
    notes: list[str] = []
    used: dict = {}
    try:
        m = load_json_bytes(manifest, "manifest") if isinstance(manifest, (bytes, bytearray)) else manifest
        if not isinstance(m, Mapping) or m.get("format") not in MANIFEST_FORMATS:
            raise MalformedInput(
                "MANIFEST_FORMAT",
                f"manifest 的 format 应为 {MANIFEST_FORMAT_V4} 或 {MANIFEST_FORMAT}（或旧格式 {MANIFEST_FORMATS[2:]}）",
            )
        legacy = m["format"] == MANIFEST_FORMAT_V1
        keys = manifest_keys(m["format"])
        missing = [k for k in keys if k not in m]
        if missing or set(m) != set(keys):
            raise MalformedInput("MANIFEST_KEYS", f"manifest 字段应为 {list(keys)}，缺少 {missing}")
        commitment = m["commitment"]
        check_commitment(commitment)
        if not isinstance(m["public_values"], list) or not all(isinstance(v, str) for v in m["public_values"]):
            raise MalformedInput("MANIFEST_VALUES", "public_values 必须是字符串列表")
        suite = suite_of(commitment)  # HASH_UNAVAILABLE when this Python has no SM3
        ch = commitment_hash(commitment)
        used = {"commitment_hash": ch, "hash_suite": suite.name, "public_values": tuple(m["public_values"])}
        if expect_commitment is not None:
            expected_hash = expect_commitment.strip().lower()
            if expected_hash != ch:
                return _different(
                    "commitment_hash",
                    "manifest 中的承诺记录不是事先公布的那一份：其哈希与 --expect-commitment 给出的承诺哈希不同"
                    "（可能是在公开随机值产生后另行生成的承诺）",
                    expected_hash,
                    ch,
                    **used,
                )

        # 1. The pool is the committed snapshot.
        digest = pool_digest(pool_bytes, suite)
        if digest != commitment["pool_digest"]:
            return _different(
                "commitment.pool_digest",
                f"号池快照的 {suite.label} 与承诺记录不一致（不是承诺时的号池）",
                commitment["pool_digest"],
                digest,
                **used,
            )
        # 1b. The commitment log: chain, inclusion, time order.
        if log is not None:
            try:
                inc = commitlog.check_inclusion(commitlog.parse_log(log), commitment, ch)
            except commitlog.LogBreak as b:
                return _different(b.path, b.message_zh, b.expected, b.actual, **used)
            notes += inc.notes
            used.update(log_entry=inc.entry["seq"], log_size=inc.size, log_head=inc.head)
        if "pool_merkle_root" in commitment:  # commitment/2: the per-unit proofs' root (spec §3.1)
            root = merkle.merkle_root(pool_bytes, suite)
            if root != commitment["pool_merkle_root"]:
                return _different(
                    "commitment.pool_merkle_root",
                    "号池快照的默克尔根与承诺记录不一致",
                    commitment["pool_merkle_root"],
                    root,
                    **used,
                )
        # 2. The commitment hash.
        if m["commitment_hash"] != ch:
            return _different(
                "commitment_hash", "承诺记录的哈希值与 manifest 记载的不一致", m["commitment_hash"], ch, **used
            )
        # 3. Roster.
        if roster is None and m["roster"] is not None:
            roster = m["roster"]
        needs_roster = commitment["plan"].get("assignment") is not None
        if needs_roster and roster is None:
            if not skip_assignment:
                raise MalformedInput(
                    "ROSTER_MISSING",
                    "该抽查包含执法人员选派，请用 --roster 提供执法人员名录（或使用 --skip-assignment 只验证对象抽取）",
                )
        # 4. Re-run.
        skipped = needs_roster and roster is None
        if len(m["public_values"]) != len(commitment["public_sources"]):
            raise MalformedInput("PUBLIC_VALUES_COUNT", "公开随机值的个数与承诺记录中公布的随机源个数不一致")
        out = run_draw(
            pool_bytes,
            commitment,
            m["public_values"],
            roster=roster,
            embed_roster=m["roster"] is not None,
            skip_assignment=skipped,
            public_evidence=None if legacy else m["public_evidence"],
            manifest_format=m["format"],
            known_pool_digest=digest,
            conflict_key=(conflict_key if conflict_key is not None else m["conflicts"])
            if m["format"] == MANIFEST_FORMAT_V4
            else None,
        ).manifest
        used["seed"] = out["seed"]
    except MalformedInput as e:
        return VerifyReport("MALFORMED", f"[{e.code}] {e.message_zh}", code=e.code)
    except FairdrawError as e:
        if e.code == "ROSTER_DIGEST":
            return _different("roster_digest", e.message_zh, commitment.get("roster_digest"), "(提供的名录)", **used)
        if e.code == "CONFLICT_NOT_COMMITTED":
            i = e.detail.get("position", 0)
            where = "conflict_key" if conflict_key is not None else f"conflicts[{i}]"
            return _different(where, e.message_zh, "(名录中承诺的回避声明)", "(未承诺的声明)", **used)
        if e.code == "POOL_MISMATCH":
            return _different("commitment.strata", e.message_zh, "(承诺记录)", "(号池快照)", **used)
        if e.code.startswith("DRAND_"):
            i = e.detail.get("position", 0)
            return _different(
                f"public_evidence[{i}]", e.message_zh, m["public_evidence"][i], "(与承诺记录或随机值不符)", **used
            )
        return VerifyReport("MALFORMED", f"[{e.code}] {e.message_zh}", code=e.code)
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        return VerifyReport(
            "MALFORMED", f"manifest 或承诺记录结构无效：{type(e).__name__}: {e}", code="STRUCTURE_INVALID"
        )
    parsed = isinstance(manifest, (bytes, bytearray))  # only JSON types: equal text <=> no difference
    for key in keys:
        if skipped and key in ("roster_digest", "assignment", "roster", "conflicts"):
            continue
        if parsed and _json_text(m[key]) == _json_text(out[key]):
            continue
        d = first_difference(m[key], out[key], key)
        if d:
            return _different(d[0], _EXPLAIN.get(key, "记录值与重新计算的结果不一致"), d[1], d[2], **used)
    # 5. drand signatures (the slow part, last).
    sources = commitment["public_sources"]
    drand_at = [i for i, s in enumerate(sources) if isinstance(s, Mapping) and s.get("kind") == "drand"]
    checked = 0
    if legacy and drand_at:
        notes.append("旧格式 manifest（fairdraw-manifest/1）没有记录 drand 签名，drand 随机值须另行到 drand 网络核对")
    elif drand_at and not check_signatures:
        notes.append("未验证 drand BLS 签名（调用方要求跳过）；randomness = SHA-256(签名) 已验证")
    elif drand_at and not drand.bls_available():
        notes.append(
            "未验证 drand BLS 签名：本机没有安装 py-ecc（安装命令 "
            f"{drand.PY_ECC_HINT}）；其余各项，包括 randomness = SHA-256(签名)、轮次和网络，均已验证"
        )
    else:
        for i in drand_at:
            try:
                drand.verify_round(sources[i], m["public_values"][i], m["public_evidence"][i], i)
            except FairdrawError as e:
                return _different(f"public_evidence[{i}].signature", e.message_zh, m["public_evidence"][i]["signature"],
                                  "(BLS 验证未通过)", **used)  # fmt: skip
            checked += 1
    n_sel = sum(len(s["selected"]) for s in out["selection"].values())
    note = "（未验证执法人员选派）" if skipped else ""
    bls = f"；drand 签名 {checked} 个已用 BLS 验证" if checked else ""
    return VerifyReport(
        "VERIFIED",
        f"抽查 {commitment['draw_id']}：{len(out['selection'])} 个分层，抽中 {n_sel} 个对象，"
        f"种子 {out['seed']}{note}{bls}",
        notes=tuple(notes),
        **used,
    )


_EXPLAIN = {
    "public_values": "公开随机值不一致",
    "public_evidence": "公开随机值的证明（drand 签名）不一致",
    "seed": "由承诺哈希和公开随机值推导出的随机种子不一致",
    "allocation": "各分层抽取数量的计算结果不一致",
    "selection": "抽中对象、阈值或候补顺序与重新计算的结果不一致",
    "excluded": "排除对象名单与号池快照不一致",
    "roster_digest": "执法人员名录摘要不一致",
    "assignment": "执法人员选派结果与重新计算的结果不一致",
    "roster": "嵌入的执法人员名录不一致",
    "conflicts": "公开的回避声明与重新计算应公开的不一致（有声明被隐瞒，或公开了与抽中对象无关的声明）",
}
