"""Stand-alone verifier, command line (standard library only), spec §10.

    python -m shuangsuiji.fairdraw.verify MANIFEST POOL [--roster ROSTER] [--skip-assignment]
                                          [--expect-commitment HASH] [--log COMMITMENTS_JSONL]
                                          [--conflict-key CONFLICT_KEY_JSON] [--roster-key ROSTER_KEY_JSON]

Re-runs the draw from the committed inputs and compares every field of the
manifest, then checks each drand value's BLS signature against the chain's
built-in public key.  Prints ``VERIFIED`` and exits 0, or names the first
difference and exits 1, or exits 2 for malformed / missing input.  The output
names the commitment hash, the public values and the seed the verdict rests on.

``--roster-key ROSTER_KEY_JSON`` (纪检, or an inspector with their own entry) recomputes each pseudonym of the
roster key from its salt and 执法证号 and checks it names inspectors of the committed roster (spec §4.2.1); a
mismatch is DIFFERENT (exit 1).

``--expect-commitment HASH`` is the commitment hash that was published before the
public random values existed: a manifest whose commitment hashes to anything else
is DIFFERENT (exit 1), however consistent it is on its own.

The implementation lives in ``verifier.py``; the package ``__init__`` imports
that module, never this one, so ``python -m`` runs this file without the
RuntimeWarning of runpy about a module already in ``sys.modules``.
"""

from __future__ import annotations

import argparse
import sys

from .assign import parse_roster
from .canon import load_json_bytes
from .errors import MalformedInput
from .rosterkey import check_roster_key
from .verifier import EXIT_DIFFERENT, EXIT_MALFORMED, VerifyReport, first_difference, verify_manifest

__all__ = ["VerifyReport", "first_difference", "main", "verify_manifest"]


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
    ap.add_argument(
        "--expect-commitment",
        metavar="HASH",
        help="事先公布的承诺哈希（64 位十六进制）；manifest 中承诺记录的哈希与之不同即判为不一致",
    )
    ap.add_argument(
        "--conflict-key",
        metavar="CONFLICT_KEY_JSON",
        help="纪检监督用：回避声明密钥文件（fairdraw-conflict-key/1），核对涉及抽中对象和候补的回避声明均已公开",
    )
    ap.add_argument(
        "--roster-key",
        metavar="ROSTER_KEY_JSON",
        help="纪检监督或执法人员本人用：化名对照文件（fairdraw-roster-key/2），由盐值和执法证号重算每个化名并与承诺的名录核对",
    )
    ap.add_argument(
        "--log",
        metavar="COMMITMENTS_JSONL",
        help="公开的承诺日志文件（commitments.jsonl）：核对哈希链、承诺已入日志、且入日志早于公开随机值产生",
    )
    args = ap.parse_args(argv)
    try:
        manifest = _read(args.manifest, " manifest ")
        pool = _read(args.pool, "号池快照")
        roster = _read(args.roster, "执法人员名录") if args.roster else None
        log = _read(args.log, "承诺日志") if args.log else None
        conflict_key = _read(args.conflict_key, "回避声明密钥") if args.conflict_key else None
        roster_key = _read(args.roster_key, "化名对照") if args.roster_key else None
    except MalformedInput as e:
        print(f"MALFORMED 输入格式错误：{e.message_zh}")
        return EXIT_MALFORMED
    report = verify_manifest(
        manifest,
        pool,
        roster,
        skip_assignment=args.skip_assignment,
        expect_commitment=args.expect_commitment,
        log=log,
        conflict_key=conflict_key,
    )
    print(report.text())
    if roster_key is None or report.exit_code:
        return report.exit_code
    return _check_roster_key(roster_key, manifest, roster)


def _check_roster_key(key: bytes, manifest: bytes, roster: bytes | None) -> int:
    """The roster key against the roster the verified manifest committed (given with --roster, or embedded)."""
    try:
        m = load_json_bytes(manifest, "manifest")
        committed = roster if roster is not None else m.get("roster")
        digest = m["commitment"].get("roster_digest")
        if committed is None or not digest:
            raise MalformedInput("ROSTER_KEY", "该抽查没有承诺执法人员名录，无从核对化名对照")
        check = check_roster_key(key, [i.inspector_id for i in parse_roster(committed)], digest)
    except MalformedInput as e:
        print(f"MALFORMED 化名对照文件格式错误：{e.message_zh}")
        return EXIT_MALFORMED
    print(check.text())
    return 0 if check.ok else EXIT_DIFFERENT


if __name__ == "__main__":
    sys.exit(main())
