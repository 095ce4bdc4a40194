"""Check one unit's inclusion proof against a commitment (spec §3.1), standard library only.

    python -m shuangsuiji.fairdraw.proof PROOF.json (--commitment COMMITMENT.json | --root HASH)

Prints ``VERIFIED`` and the unit's committed row (stratum, exclusion reason …) and exits 0; ``DIFFERENT``
(exit 1) when the path does not lead to the committed root; ``MALFORMED`` (exit 2) for unreadable input.
The proof is O(log N) hashes: nobody needs the whole pool to see that their unit was in it, and how.

A ``fairdraw-proof/2`` also carries the unit's outcome: the command then recomputes the seed from the commitment
hash (which must be the commitment's) and the public values, the unit's key from the seed, checks the selected
flag against the key and the threshold (equal-probability strata), and prints 中选 / 未中选 with the probability.
"""

from __future__ import annotations

import argparse
import sys
from fractions import Fraction

from .canon import format_fraction, load_json_bytes
from .errors import FairdrawError, MalformedInput
from .merkle import verify_inclusion
from .seed import check_commitment, commitment_hash


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m shuangsuiji.fairdraw.proof", description="核对单个检查对象的包含证明")
    ap.add_argument("proof", help="包含证明 JSON 文件 (fairdraw-proof/1)")
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--commitment", help="事先公布的承诺记录 JSON 文件（fairdraw-commitment/2）")
    src.add_argument("--root", help="承诺记录中的 pool_merkle_root（64 位十六进制）")
    args = ap.parse_args(argv)
    try:
        with open(args.proof, "rb") as f:
            proof = f.read()
        note = ""
        if args.commitment:
            with open(args.commitment, "rb") as f:
                record = check_commitment(load_json_bytes(f.read(), "承诺记录"))
            if "pool_merkle_root" not in record:
                raise MalformedInput(
                    "NO_MERKLE_ROOT", "该承诺记录（fairdraw-commitment/1）没有默克尔根，不能核对包含证明"
                )
            root, hash_name = record["pool_merkle_root"], record["hash"]
            expected_hash = commitment_hash(record)
            note = f"\n  承诺哈希 commitment_hash: {expected_hash}"
        else:
            root, hash_name, expected_hash = args.root.strip().lower(), None, None
        unit = verify_inclusion(proof, root, hash_name, expected_hash)
    except OSError as e:
        print(f"MALFORMED 输入格式错误：无法读取文件：{e.strerror}")
        return 2
    except MalformedInput as e:
        print(f"MALFORMED 输入格式错误：[{e.code}] {e.message_zh}")
        return 2
    except FairdrawError as e:
        if e.code == "HASH_UNAVAILABLE":
            print(f"MALFORMED 输入格式错误：[{e.code}] {e.message_zh}")
            return 2
        print(f"DIFFERENT 不一致：{e.detail.get('path', 'pool_merkle_root')}\n  {e.message_zh}")
        return 1
    reason = unit["excluded_reason"] or "无（参加抽取）"
    print(
        f"VERIFIED 验证通过：检查对象 {unit['unit_id']} 在承诺的号池快照中"
        f"（第 {unit['index'] + 1} 行，共 {unit['size']} 行）\n"
        f"  分层 stratum: {unit['stratum']}\n  排除原因: {reason}\n  哈希算法 hash: {unit['hash']}\n"
        f"  默克尔根 pool_merkle_root: {unit['root']}{note}"
    )
    if "outcome" in unit:
        print(outcome_text(unit))
    return 0


def _percent(p: Fraction) -> str:
    """“约 4.8%” / “即 50%” with integers only (no floats in this package)."""
    tenths = round(p * 1000)
    exact = p * 100
    if exact.denominator == 1:
        return f"即 {exact.numerator}%"
    return f"约 {tenths // 10}.{tenths % 10}%"


def outcome_text(unit: dict) -> str:
    """The unit's outcome (fairdraw-proof/2) in plain Chinese, with the values it was checked from."""
    o = unit["outcome"]
    if unit["excluded_reason"]:
        verdict = "未参加抽取（已按事先公布的规则排除）"
    elif o["selected"]:
        verdict = "中选（本单位被抽中）"
    elif o["substitute_rank"]:
        verdict = f"未中选，列为本层第 {o['substitute_rank']} 位候补"
    else:
        verdict = "未中选"
    lines = [
        f"  抽取结果: {verdict}",
        f"  被抽中的机会 probability: {format_fraction(o['probability'])}，{_percent(o['probability'])}",
        f"  公开随机值 public_values: {'；'.join(o['public_values'])}（请与开奖公告等原始来源对照）",
        f"  随机种子 seed: {o['seed']}（已由承诺哈希和公开随机值重算）",
        f"  本单位随机键 key: {o['key']}（已由种子和单位代码重算）",
    ]
    if o["method"] == "srs":
        thr = o["threshold"]
        shown = f"{thr['key']}（{thr['unit_id']}）" if thr["key"] else "无（本层抽取 0 户）"
        lines.append(f"  本层抽中阈值 threshold: {shown}")
        if not unit["excluded_reason"]:
            rule = "随机键 ≤ 阈值，应被抽中" if o["by_key"] else "随机键 > 阈值，不应被抽中"
            lines.append(f"  按随机键与阈值: {rule}（与结果一致）")
    else:
        lines.append("  抽取方法: 按权重抽取（pivotal），抽中与否须用完整号池复核")
    lines.append(f"  抽取结果清单 SHA-256: {o['manifest_sha256']}（请与公示页上抽取结果清单的 SHA-256 对照）")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
