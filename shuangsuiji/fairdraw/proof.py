"""Check one unit's inclusion proof against a commitment (spec §3.1), standard library only.

    python -m shuangsuiji.fairdraw.proof PROOF.json (--commitment COMMITMENT.json | --root HASH)

Prints ``VERIFIED`` and the unit's committed row (stratum, exclusion reason …) and exits 0; ``DIFFERENT``
(exit 1) when the path does not lead to the committed root; ``MALFORMED`` (exit 2) for unreadable input.
The proof is O(log N) hashes: nobody needs the whole pool to see that their unit was in it, and how.
"""

from __future__ import annotations

import argparse
import sys

from .canon import load_json_bytes
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
            note = f"\n  承诺哈希 commitment_hash: {commitment_hash(record)}"
        else:
            root, hash_name = args.root.strip().lower(), None
        unit = verify_inclusion(proof, root, hash_name)
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
        print(f"DIFFERENT 不一致：pool_merkle_root\n  {e.message_zh}")
        return 1
    reason = unit["excluded_reason"] or "无（参加抽取）"
    print(
        f"VERIFIED 验证通过：检查对象 {unit['unit_id']} 在承诺的号池快照中"
        f"（第 {unit['index'] + 1} 行，共 {unit['size']} 行）\n"
        f"  分层 stratum: {unit['stratum']}\n  排除原因: {reason}\n  哈希算法 hash: {unit['hash']}\n"
        f"  默克尔根 pool_merkle_root: {unit['root']}{note}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
