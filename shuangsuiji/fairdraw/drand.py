"""drand beacon evidence (spec §5.4): a round's signature proves its randomness.

For the chains the platform supports the chain's group public key is built in
(keyed by chain hash).  Two levels of checking:

* standard library only (always): the chain is known, the round is the
  committed one, the signature is well-formed and ``randomness = SHA-256(signature)``;
* the BLS pairing check (needs the optional, pure-Python package ``py-ecc``):
  the signature is the chain's signature on the round's message.  ``py_ecc``
  is imported lazily, only here; without it ``bls_available()`` is false and the
  caller says so in Chinese.

quicknet (``bls-unchained-g1-rfc9380``): signature on G1 (48 bytes,
compressed), public key on G2 (96 bytes), message = SHA-256(round as 8-byte
big-endian), hash-to-curve DST ``BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_``
(RFC 9380).  Check: e(sig, g2) = e(H(msg), pk), with sig in the prime-order
subgroup (otherwise sig + torsion would give a second valid-looking encoding).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import FairdrawError, MalformedInput


@dataclass(frozen=True)
class DrandChain:
    name: str
    chain_hash: str
    scheme: str
    public_key: str  # hex, compressed point
    genesis: int  # unix seconds of round 1
    period: int  # seconds between rounds
    signature_bytes: int

    def round_time(self, round_no: int) -> int:
        return self.genesis + (round_no - 1) * self.period


# League of Entropy mainnet "quicknet" (https://api.drand.sh/<chain_hash>/info).
QUICKNET = DrandChain(
    name="quicknet",
    chain_hash="52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
    scheme="bls-unchained-g1-rfc9380",
    public_key=(
        "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510"
        "d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a"
    ),
    genesis=1692803367,
    period=3,
    signature_bytes=48,
)
CHAINS: dict[str, DrandChain] = {QUICKNET.chain_hash: QUICKNET}
CHAINS_BY_NAME: dict[str, DrandChain] = {c.name: c for c in CHAINS.values()}

QUICKNET_DST = b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"
PY_ECC_HINT = "pip install py-ecc==8.0.0"
EVIDENCE_KEYS = ("chain_hash", "kind", "round", "signature")
_HEX = re.compile(r"[0-9a-f]+")


def chain_of(source: Mapping) -> DrandChain:
    """The known chain a committed drand source names (by ``chain_hash``, else by ``chain``)."""
    chash, name = source.get("chain_hash"), source.get("chain")
    chain = CHAINS.get(chash) if chash is not None else CHAINS_BY_NAME.get(name)
    if chain is None or (name is not None and chain.name != name):
        raise MalformedInput(
            "DRAND_CHAIN",
            f"不支持的 drand 网络（{name!r}，链哈希 {chash!r}）；本校验程序内置的网络：{', '.join(CHAINS_BY_NAME)}",
        )
    return chain


def message(round_no: int) -> bytes:
    """The signed message of an unchained round: SHA-256(round as uint64 big-endian)."""
    return hashlib.sha256(round_no.to_bytes(8, "big")).digest()


def randomness_of(signature_hex: str) -> str:
    """drand randomness = SHA-256(signature bytes), lowercase hex."""
    return hashlib.sha256(bytes.fromhex(signature_hex)).hexdigest()


def normalize_signature(signature: object, chain: DrandChain = QUICKNET) -> str:
    """Lowercase hex of a signature of the right length, or FairdrawError in Chinese."""
    text = signature.strip().lower() if isinstance(signature, str) else ""
    n = chain.signature_bytes * 2
    if len(text) != n or not _HEX.fullmatch(text):
        raise FairdrawError(
            "DRAND_SIGNATURE_FORMAT", f"drand {chain.name} 的签名应为 {n} 位十六进制（{chain.signature_bytes} 字节）"
        )
    return text


def evidence(source: Mapping, signature: str) -> dict:
    """The manifest's evidence entry for a committed drand source."""
    chain = chain_of(source)
    return {
        "kind": "drand",
        "chain_hash": chain.chain_hash,
        "round": source["round"],
        "signature": normalize_signature(signature, chain),
    }


def check_evidence(source: Mapping, value: str, ev: object, position: int) -> DrandChain:
    """Standard-library checks of one drand evidence entry against the committed source and the value.

    Raises MalformedInput for a broken structure and FairdrawError (code ``DRAND_*``) when the
    evidence does not belong to the committed round or does not produce the entered value.
    """
    where = f"第 {position + 1} 个公开随机源（drand 第 {source.get('round')} 轮）"
    if not isinstance(ev, Mapping) or set(ev) != set(EVIDENCE_KEYS) or ev.get("kind") != "drand":
        raise MalformedInput("DRAND_EVIDENCE", f"{where}缺少 drand 签名记录，或记录的字段不是 {list(EVIDENCE_KEYS)}")
    chain = chain_of(source)
    if ev["chain_hash"] != chain.chain_hash:
        raise FairdrawError(
            "DRAND_CHAIN_MISMATCH", f"{where}：签名记录的链哈希与承诺记录公布的 drand 网络不一致", position=position
        )
    if isinstance(ev["round"], bool) or ev["round"] != source.get("round"):
        raise FairdrawError(
            "DRAND_ROUND_MISMATCH",
            f"{where}：签名记录的轮次 {ev['round']!r} 不是承诺记录公布的轮次",
            position=position,
        )
    if normalize_signature(ev["signature"], chain) != ev["signature"]:
        raise MalformedInput("DRAND_SIGNATURE_FORMAT", f"{where}：签名应为小写十六进制")
    if randomness_of(ev["signature"]) != value:
        raise FairdrawError(
            "DRAND_RANDOMNESS",
            f"{where}：公开随机值不等于该签名的 SHA-256（drand 的 randomness 就是签名的 SHA-256），随机值或签名有误",
            position=position,
        )
    return chain


# ---------------------------------------------------------------- BLS (optional py-ecc)


def bls_available() -> bool:
    try:
        import py_ecc.bls.hash_to_curve  # noqa: F401
    except ImportError:
        return False
    return True


def verify_signature(chain: DrandChain, round_no: int, signature_hex: str) -> bool:
    """The BLS pairing check of one round.  ImportError when py-ecc is not installed."""
    from py_ecc.bls.g2_primitives import signature_to_G2, subgroup_check
    from py_ecc.bls.hash import os2ip
    from py_ecc.bls.hash_to_curve import hash_to_G1
    from py_ecc.bls.point_compression import decompress_G1
    from py_ecc.optimized_bls12_381 import FQ12, G2, final_exponentiate, is_inf, neg
    from py_ecc.optimized_bls12_381.optimized_pairing import miller_loop

    if chain.scheme != "bls-unchained-g1-rfc9380":  # pragma: no cover - only quicknet is built in
        raise FairdrawError("DRAND_SCHEME", f"不支持的 drand 签名方案 {chain.scheme}")
    try:
        sig = decompress_G1(os2ip(bytes.fromhex(signature_hex)))
        pk = signature_to_G2(bytes.fromhex(chain.public_key))  # a G2 point from its 96-byte encoding
    except ValueError:
        return False  # not a point on the curve
    if is_inf(sig) or not subgroup_check(sig):
        return False
    h = hash_to_G1(message(round_no), QUICKNET_DST, hashlib.sha256)
    f = miller_loop(G2, sig, final_exponentiate=False) * miller_loop(pk, neg(h), final_exponentiate=False)
    return final_exponentiate(f) == FQ12.one()


def verify_round(source: Mapping, value: str, ev: object, position: int = 0, *, require_bls: bool = True) -> bool:
    """Full check of one drand value: stdlib checks, then the BLS signature.

    Returns True when the BLS signature was checked, False when py-ecc is missing and
    ``require_bls`` is false.  Raises FairdrawError (Chinese) when anything is wrong.
    """
    chain = check_evidence(source, value, ev, position)
    if not bls_available():
        if require_bls:
            raise FairdrawError("BLS_UNAVAILABLE", f"无法验证 drand BLS 签名：未安装 py-ecc（{PY_ECC_HINT}）")
        return False
    if not verify_signature(chain, ev["round"], ev["signature"]):
        raise FairdrawError(
            "DRAND_SIGNATURE",
            f"第 {position + 1} 个公开随机源：该签名不是 drand {chain.name} 网络对第 {ev['round']} 轮的有效签名"
            "（用该网络公钥做 BLS 验证未通过），随机值不可信",
            position=position,
        )
    return True
