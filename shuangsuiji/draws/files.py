"""A draw's canonical files in Django file storage: content-addressed, written once, hash-checked on read.

The bytes (pool snapshot, roster, commitment, manifest) live in the default file storage
(`STORAGES["default"]`: MEDIA_ROOT on the local filesystem unless configured otherwise), never in
the database. The row (`DrawFile`) keeps the storage name, the SHA-256 and the size.

* Name = `draws/<sha[:2]>/<sha><ext>`: the name *is* the hash, so a file is never overwritten with
  other bytes; identical bytes (e.g. the same pool in two attempts) share one file.
* Every read re-hashes the bytes and refuses them if they differ from the row
  (`DrawFileCorrupted`, a Chinese message): altered bytes are never served or used.
* Downloads copy the file once into a spooled temporary file while hashing it, then stream that
  copy: one read from the storage backend, constant memory, and the bytes served are the bytes checked.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile

from .choices import FILE_NAMES

logger = logging.getLogger(__name__)

CHUNK = 1 << 20
SPOOL_BYTES = 8 << 20  # downloads up to 8 MB stay in memory, larger ones spill to a temporary file


class DrawFileCorrupted(ValidationError):
    """The stored bytes no longer match the SHA-256 recorded when the file was written."""

    def __init__(self, label: str, name: str):
        super().__init__(
            f"{label}文件（{name}）与生成时记录的 SHA-256 不一致，可能已被改动或损坏，系统拒绝使用。"
            "请联系系统管理员从备份恢复该文件。"
        )
        self.name = name


def storage_name(digest: str, kind: str) -> str:
    suffix = "." + FILE_NAMES[kind][0].rsplit(".", 1)[-1] if kind in FILE_NAMES else ""
    return f"draws/{digest[:2]}/{digest}{suffix}"


def _field_storage():
    from .models import DrawFile

    return DrawFile._meta.get_field("file").storage


def storage():
    """The storage the draw files (and the derived pool trees) live in."""
    return _field_storage()


def _stored_digest(storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def put(data: bytes, kind: str) -> tuple[str, str, int]:
    """Write `data` once under its content address; returns (storage name, sha256, size)."""
    data = bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    name = storage_name(digest, kind)
    storage = _field_storage()
    if storage.exists(name):
        if _stored_digest(storage, name) != digest:
            logger.error("draw file %s in storage does not match its name", name)
            raise DrawFileCorrupted("已存储的同名", name)
        return name, digest, len(data)
    saved = storage.save(name, ContentFile(data))
    if saved != name:  # another process stored the same bytes first: keep theirs (same content), drop ours
        storage.delete(saved)
        if _stored_digest(storage, name) != digest:
            raise DrawFileCorrupted("已存储的同名", name)
    return name, digest, len(data)


def open_verified(row):
    """A file object (position 0) holding the row's bytes, checked against `row.sha256`.

    Reads the storage once. Raises DrawFileCorrupted on a mismatch or a missing file.
    """
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    digest = hashlib.sha256()
    size = 0
    try:
        with row.file.storage.open(row.file.name, "rb") as handle:
            for block in iter(lambda: handle.read(CHUNK), b""):
                digest.update(block)
                size += len(block)
                spool.write(block)
    except FileNotFoundError as exc:
        spool.close()
        logger.error("draw file %s (row %s) is missing from storage", row.file.name, row.pk)
        raise DrawFileCorrupted(row.get_kind_display(), row.file.name) from exc
    if digest.hexdigest() != row.sha256 or size != row.size:
        spool.close()
        logger.error("draw file %s (row %s) fails its SHA-256 check", row.file.name, row.pk)
        raise DrawFileCorrupted(row.get_kind_display(), row.file.name)
    spool.seek(0)
    return spool


def read_verified(row) -> bytes:
    """The row's bytes, checked against `row.sha256` (DrawFileCorrupted otherwise). Holds the file in memory once."""
    try:
        with row.file.storage.open(row.file.name, "rb") as handle:
            data = handle.read()
    except FileNotFoundError as exc:
        logger.error("draw file %s (row %s) is missing from storage", row.file.name, row.pk)
        raise DrawFileCorrupted(row.get_kind_display(), row.file.name) from exc
    if len(data) != row.size or hashlib.sha256(data).hexdigest() != row.sha256:
        logger.error("draw file %s (row %s) fails its SHA-256 check", row.file.name, row.pk)
        raise DrawFileCorrupted(row.get_kind_display(), row.file.name)
    return data


def pool_tree(pool_sha256: str, suite, load_pool, *, rebuild: bool = False) -> str:
    """Storage name of the Merkle tree file (`fairdraw.merkle.write_tree`) of the pool snapshot with this SHA-256,
    written on first use from `load_pool()` (the verified pool bytes). Per-unit proofs are then served from it in
    O(log N) reads instead of hashing the whole pool each time. Derived data, named by the pool's content and the
    hash suite: a proof from a damaged file fails against the committed root (the caller then asks `rebuild`).
    On a local file system the file appears whole or not at all (written aside, then renamed into place), so a
    concurrent first request never reads half a file and a rebuild never removes one another request is reading."""
    from shuangsuiji.fairdraw import merkle

    storage = _field_storage()
    name = f"draws/trees/{pool_sha256}-{suite.name}.tree"
    if storage.exists(name) and not rebuild:
        return name
    try:
        final = storage.path(name)
    except NotImplementedError:  # a remote storage: written through the storage API
        final = None
    if final is None:
        if rebuild and storage.exists(name):
            storage.delete(name)
        with tempfile.TemporaryFile() as handle:
            merkle.write_tree(load_pool(), handle, suite)
            handle.seek(0)
            saved = storage.save(name, File(handle, name=name))
        if saved != name:  # another request wrote it first (same content): keep theirs
            storage.delete(saved)
        return name
    folder = os.path.dirname(final)
    os.makedirs(folder, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".tree-", delete=False) as handle:
        try:
            merkle.write_tree(load_pool(), handle, suite)
        except BaseException:
            os.unlink(handle.name)
            raise
    os.replace(handle.name, final)  # atomic: readers see the old file or the new one, never a part
    return name
