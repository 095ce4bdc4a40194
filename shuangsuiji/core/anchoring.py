"""Signed audit-chain heads (链尾签名文件): anchor the hash chain outside the database.

Until the public commitment log exists, `manage.py audit_publish_head` (daily timer) writes the current
chain head as a small JSON file signed with an Ed25519 key that lives in a file outside the database
(`AUDIT_SIGNING_KEY_FILE`). The files are kept in `AUDIT_HEADS_DIR` together with `public_key.pem`;
纪检 downloads them (page 审计链尾签名) and keeps copies. Anyone who rewrites and re-hashes the chain
cannot produce a chain that still contains every published head, nor sign a new head without the key.

File format (UTF-8 JSON)::

    {"format": "shuangsuiji-audit-head/1",
     "signed": "<JSON text: {seq, row_id, hash, row_time, rows, published_at}>",
     "signature": "<base64 Ed25519 signature of the UTF-8 bytes of `signed`>",
     "key_sha256": "<SHA-256 of the raw 32-byte public key>"}

The signature covers the exact bytes of `signed`, so it can be checked offline without this code
(see docs/production.md).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from .audit import Anchor, ChainReport

FORMAT = "shuangsuiji-audit-head/1"
PUBLIC_KEY_NAME = "public_key.pem"
HEAD_NAME_RE = re.compile(r"^head-\d{10}-\d{8}T\d{6}Z(-\d+)?\.json$")


class HeadFileError(Exception):
    """A key or head file that cannot be used (message in Chinese)."""


# --- keys ------------------------------------------------------------------------------------------


def generate_key(path: Path) -> Ed25519PrivateKey:
    """Create a new private key file (mode 0600); never overwrites an existing key."""
    path = Path(path)
    if path.exists():
        raise HeadFileError(f"签名私钥文件已存在，不会覆盖：{path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key


def load_private_key(path) -> Ed25519PrivateKey:
    if not path:
        raise HeadFileError("未配置签名私钥文件（环境变量 AUDIT_SIGNING_KEY_FILE）")
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except FileNotFoundError:
        raise HeadFileError(f"签名私钥文件不存在：{path}") from None
    except (ValueError, TypeError):
        raise HeadFileError(f"签名私钥文件无法读取（应为未加密的 Ed25519 PEM 私钥）：{path}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise HeadFileError(f"签名私钥不是 Ed25519 密钥：{path}")
    return key


def load_public_key(path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
    except FileNotFoundError:
        raise HeadFileError(f"公钥文件不存在：{path}") from None
    except ValueError:
        raise HeadFileError(f"公钥文件无法读取（应为 PEM 格式的 Ed25519 公钥）：{path}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise HeadFileError(f"公钥不是 Ed25519 密钥：{path}")
    return key


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def fingerprint(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


# --- head files ------------------------------------------------------------------------------------


def heads_dir() -> Path:
    return Path(settings.AUDIT_HEADS_DIR)


def sign_head(report: ChainReport, key: Ed25519PrivateKey, *, now: dt.datetime, head_time: dt.datetime | None):
    """The JSON document for the report's chain head."""
    payload = {
        "seq": report.head_seq,
        "row_id": report.head_id,
        "hash": report.head_hash,
        "row_time": head_time.astimezone(dt.UTC).isoformat() if head_time else None,
        "rows": report.rows,
        "published_at": now.astimezone(dt.UTC).isoformat(),
    }
    signed = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return {
        "format": FORMAT,
        "signed": signed,
        "signature": base64.b64encode(key.sign(signed.encode())).decode(),
        "key_sha256": fingerprint(key.public_key()),
    }


def write_head(directory: Path, document: dict, *, now: dt.datetime) -> Path:
    """Store a head file (never overwrites) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    seq = json.loads(document["signed"])["seq"]
    stem = f"head-{seq:010d}-{now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"
    for n in range(1000):
        path = directory / (f"{stem}.json" if n == 0 else f"{stem}-{n}.json")
        try:
            with path.open("x", encoding="utf-8") as handle:
                json.dump(document, handle, ensure_ascii=False, indent=1)
                handle.write("\n")
            return path
        except FileExistsError:
            continue
    raise HeadFileError(f"无法写入链尾文件：{directory}")


def write_public_key(directory: Path, key: Ed25519PublicKey) -> Path:
    """Keep `public_key.pem` next to the heads; refuse to replace it with a different key."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / PUBLIC_KEY_NAME
    pem = public_pem(key)
    if path.exists():
        if path.read_bytes() != pem:
            raise HeadFileError(f"签名私钥与已发布的公钥 {path} 不一致：更换密钥须先移走旧的链尾文件并通知纪检")
        return path
    path.write_bytes(pem)
    return path


@dataclass
class SignedHead:
    path: Path
    payload: dict | None  # None when the file is unreadable
    error: str = ""  # why it cannot be trusted ("" = signature valid)

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def published_at(self) -> dt.datetime | None:
        try:
            return dt.datetime.fromisoformat(self.payload["published_at"])
        except (KeyError, TypeError, ValueError):
            return None

    def anchor(self) -> Anchor:
        p = self.payload or {}
        return Anchor(hash=p.get("hash", ""), seq=p.get("seq"), row_id=p.get("row_id"), label=self.path.name)


def read_head(path: Path, public_key: Ed25519PublicKey | None) -> SignedHead:
    """Parse one head file; check its signature when a public key is given."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        signed = document["signed"]
        payload = json.loads(signed)
        if document.get("format") != FORMAT or not isinstance(payload, dict):
            raise ValueError
        if not re.fullmatch(r"[0-9a-f]{64}", str(payload.get("hash"))) or not isinstance(payload.get("seq"), int):
            raise ValueError
        signature = base64.b64decode(document["signature"], validate=True)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return SignedHead(path, None, "文件格式不正确")
    if public_key is None:
        return SignedHead(path, payload, "未核对签名")
    try:
        public_key.verify(signature, signed.encode())
    except InvalidSignature:
        return SignedHead(path, payload, "签名无效：文件被修改，或不是用该公钥对应的私钥签署")
    return SignedHead(path, payload)


def head_files(source: Path) -> list[Path]:
    """A head file, or every `*.json` in a directory (oldest name first)."""
    source = Path(source)
    if source.is_dir():
        return sorted(p for p in source.iterdir() if p.suffix == ".json" and p.is_file())
    if source.is_file():
        return [source]
    raise HeadFileError(f"链尾文件或目录不存在：{source}")


def read_heads(source: Path, public_key: Ed25519PublicKey | None) -> list[SignedHead]:
    return [read_head(path, public_key) for path in head_files(source)]


def published_heads() -> tuple[list[SignedHead], Ed25519PublicKey | None]:
    """The heads kept on this server, checked against the public key kept with them."""
    directory = heads_dir()
    if not directory.is_dir():
        return [], None
    key_path = directory / PUBLIC_KEY_NAME
    key = load_public_key(key_path) if key_path.exists() else None
    heads = [read_head(p, key) for p in head_files(directory) if HEAD_NAME_RE.match(p.name)]
    heads.sort(key=lambda h: (h.published_at or dt.datetime.min.replace(tzinfo=dt.UTC), h.path.name), reverse=True)
    return heads, key
