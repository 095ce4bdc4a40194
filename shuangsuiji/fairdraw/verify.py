"""Stand-alone verifier (standard library only), spec §10.

    python -m shuangsuiji.fairdraw.verify MANIFEST POOL [--roster ROSTER] [--skip-assignment]

Re-runs the draw from the committed inputs and compares every field of the
manifest.  Prints ``VERIFIED`` and exits 0, or names the first difference and
exits 1, or exits 2 for malformed / missing input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from dataclasses import dataclass

from .canon import load_json_bytes
from .errors import FairdrawError, MalformedInput
from .manifest import MANIFEST_FORMAT, MANIFEST_KEYS, run_draw
from .seed import check_commitment, commitment_hash
from .snapshot import pool_digest

EXIT_VERIFIED, EXIT_DIFFERENT, EXIT_MALFORMED = 0, 1, 2


@dataclass(frozen=True)
class VerifyReport:
    status: str  # "VERIFIED" | "DIFFERENT" | "MALFORMED"
    message: str  # Chinese, for people
    path: str | None = None  # first differing field, e.g. "selection.A|3.selected[2]"
    expected: object = None  # value in the manifest
    actual: object = None  # recomputed value

    @property
    def ok(self) -> bool:
        return self.status == "VERIFIED"

    @property
    def exit_code(self) -> int:
        return {"VERIFIED": EXIT_VERIFIED, "DIFFERENT": EXIT_DIFFERENT}.get(self.status, EXIT_MALFORMED)

    def text(self) -> str:
        if self.status == "VERIFIED":
            return f"VERIFIED 验证通过：{self.message}"
        if self.status == "DIFFERENT":
            return (
                f"DIFFERENT 不一致：{self.path}\n  {self.message}\n"
                f"  manifest 记录值: {_short(self.expected)}\n  重新计算值:     {_short(self.actual)}"
            )
        return f"MALFORMED 输入格式错误：{self.message}"


def _short(v: object) -> str:
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


def _different(path: str, msg: str, expected: object, actual: object) -> VerifyReport:
    return VerifyReport("DIFFERENT", msg, path, expected, actual)


def verify_manifest(
    manifest: Mapping | bytes,
    pool_bytes: bytes,
    roster: bytes | Mapping | None = None,
    *,
    skip_assignment: bool = False,
) -> VerifyReport:
    """Re-run the draw and compare it with the manifest."""
    try:
        m = load_json_bytes(manifest, "manifest") if isinstance(manifest, (bytes, bytearray)) else manifest
        if not isinstance(m, Mapping) or m.get("format") != MANIFEST_FORMAT:
            raise MalformedInput("MANIFEST_FORMAT", f"manifest 的 format 应为 {MANIFEST_FORMAT}")
        missing = [k for k in MANIFEST_KEYS if k not in m]
        if missing or set(m) != set(MANIFEST_KEYS):
            raise MalformedInput("MANIFEST_KEYS", f"manifest 字段应为 {list(MANIFEST_KEYS)}，缺少 {missing}")
        commitment = m["commitment"]
        check_commitment(commitment)
        if not isinstance(m["public_values"], list):
            raise MalformedInput("MANIFEST_VALUES", "public_values 必须是字符串列表")

        # 1. The pool is the committed snapshot.
        digest = pool_digest(pool_bytes)
        if digest != commitment["pool_digest"]:
            return _different(
                "commitment.pool_digest",
                "号池快照的 SHA-256 与承诺记录不一致（不是承诺时的号池）",
                commitment["pool_digest"],
                digest,
            )
        # 2. The commitment hash.
        ch = commitment_hash(commitment)
        if m["commitment_hash"] != ch:
            return _different("commitment_hash", "承诺记录的哈希值与 manifest 记载的不一致", m["commitment_hash"], ch)
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
        ).manifest
    except MalformedInput as e:
        return VerifyReport("MALFORMED", f"[{e.code}] {e.message_zh}")
    except FairdrawError as e:
        if e.code == "ROSTER_DIGEST":
            return _different("roster_digest", e.message_zh, commitment.get("roster_digest"), "(提供的名录)")
        if e.code == "POOL_MISMATCH":
            return _different("commitment.strata", e.message_zh, "(承诺记录)", "(号池快照)")
        return VerifyReport("MALFORMED", f"[{e.code}] {e.message_zh}")
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        return VerifyReport("MALFORMED", f"manifest 或承诺记录结构无效：{type(e).__name__}: {e}")
    for key in MANIFEST_KEYS:
        if skipped and key in ("roster_digest", "assignment", "roster"):
            continue
        d = first_difference(m[key], out[key], key)
        if d:
            return _different(d[0], _EXPLAIN.get(key, "记录值与重新计算的结果不一致"), d[1], d[2])
    n_sel = sum(len(s["selected"]) for s in out["selection"].values())
    note = "（未验证执法人员选派）" if skipped else ""
    return VerifyReport(
        "VERIFIED",
        f"抽查 {commitment['draw_id']}：{len(out['selection'])} 个分层，抽中 {n_sel} 个对象，种子 {out['seed']}{note}",
    )


_EXPLAIN = {
    "public_values": "公开随机值不一致",
    "seed": "由承诺哈希和公开随机值推导出的随机种子不一致",
    "allocation": "各分层抽取数量的计算结果不一致",
    "selection": "抽中对象、阈值或候补顺序与重新计算的结果不一致",
    "excluded": "排除对象名单与号池快照不一致",
    "roster_digest": "执法人员名录摘要不一致",
    "assignment": "执法人员选派结果与重新计算的结果不一致",
    "roster": "嵌入的执法人员名录不一致",
}


def _read(path: str, what: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise MalformedInput("FILE", f"无法读取{what}文件 {path}：{e.strerror}") from e


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m shuangsuiji.fairdraw.verify",
        description="重新计算并验证“双随机”抽查结果 (re-run and verify a fairdraw manifest)",
    )
    ap.add_argument("manifest", help="manifest JSON 文件")
    ap.add_argument("pool", help="号池快照文件 (fairdraw-pool/1)")
    ap.add_argument("--roster", help="执法人员名录 JSON 文件 (fairdraw-roster/1)；manifest 已嵌入名录时可省略")
    ap.add_argument("--skip-assignment", action="store_true", help="只验证对象抽取，不验证执法人员选派")
    args = ap.parse_args(argv)
    try:
        manifest = _read(args.manifest, " manifest ")
        pool = _read(args.pool, "号池快照")
        roster = _read(args.roster, "执法人员名录") if args.roster else None
    except MalformedInput as e:
        print(f"MALFORMED 输入格式错误：{e.message_zh}")
        return EXIT_MALFORMED
    report = verify_manifest(manifest, pool, roster, skip_assignment=args.skip_assignment)
    print(report.text())
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
