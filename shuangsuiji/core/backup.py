"""Whole-platform backup and restore: database rows (Django JSON fixture) + uploaded files.

Archive layout (`.tar.gz`):
    manifest.json   format, created_at, Django/db vendor, row count per model, audit chain head, file list with SHA-256
    data.json       `dumpdata` of every app except rows migrate re-creates (contenttypes, permissions, sessions)
    media/...       MEDIA_ROOT as it was

Files referenced by a `FileField` (draw files, attachments) are always in the archive: if one is
not under MEDIA_ROOT (another storage backend), it is read through its field's storage.

Restore runs `loaddata` in one transaction into a migrated, empty database, then checks the row
counts, the file hashes, that every `FileField` row has its file in the archive (and, where the
model records a `sha256`, that the archived bytes have exactly that hash), and the audit chain
against the manifest. Nothing is half-restored.
"""

import datetime as dt
import hashlib
import io
import json
import shutil
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.base import File
from django.core.management import call_command
from django.db import connection, models, transaction

from .audit import chain_head, verify_chain

FORMAT = "shuangsuiji-backup/1"
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry"]


class RestoreError(Exception):
    pass


def _models():
    skip = {label for label in EXCLUDED if "." not in label}
    skip_models = {label for label in EXCLUDED if "." in label}
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label in skip or meta.label_lower in skip_models or meta.proxy or not meta.managed:
            continue
        yield model


def _row_counts() -> dict[str, int]:
    return {model._meta.label_lower: model._default_manager.count() for model in _models()}


def _file_fields():
    """(model, FileField) pairs of every backed-up model."""
    for model in _models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                yield model, field


def _referenced_files() -> dict[str, object]:
    """{storage name: storage} of every file a row points to."""
    out = {}
    for model, field in _file_fields():
        for name in model._default_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True).iterator():
            out[name] = field.storage
    return out


def _check_file_rows(archived: dict[str, str]) -> None:
    """Every row's file is in the archive, with the row's recorded SHA-256 if it has one."""
    for model, field in _file_fields():
        has_hash = any(f.name == "sha256" for f in model._meta.concrete_fields)
        columns = [field.name, "sha256"] if has_hash else [field.name]
        for values in model._default_manager.exclude(**{field.name: ""}).values_list(*columns).iterator():
            name = values[0]
            if name not in archived:
                raise RestoreError(f"备份中缺少{model._meta.verbose_name}的文件：{name}")
            if has_hash and archived[name] != values[1]:
                raise RestoreError(f"备份中的文件与数据库记录的 SHA-256 不一致：{name}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _storage_sha256(storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def create_backup(target: Path) -> dict:
    media = Path(settings.MEDIA_ROOT)
    files = sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []
    with transaction.atomic():  # one consistent snapshot of the rows
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        head_id, head_hash = chain_head()
        counts = _row_counts()
        referenced = _referenced_files()
        data = io.StringIO()
        call_command("dumpdata", *[], exclude=EXCLUDED, format="json", indent=None, stdout=data)
    local = {p.relative_to(media).as_posix() for p in files}
    elsewhere = {name: storage for name, storage in referenced.items() if name not in local}
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "database": connection.vendor,
        "rows": counts,
        "audit_head": {"id": head_id, "hash": head_hash},
        "files": {
            **{p.relative_to(media).as_posix(): _sha256(p) for p in files},
            **{name: _storage_sha256(storage, name) for name, storage in elsewhere.items()},
        },
    }
    with tarfile.open(target, "w:gz") as tar:
        for name, payload in (("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1)),
                              ("data.json", data.getvalue())):  # fmt: skip
            blob = payload.encode()
            info = tarfile.TarInfo(name)
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
        for path in files:
            tar.add(path, arcname=f"media/{path.relative_to(media).as_posix()}")
        for name, storage in sorted(elsewhere.items()):
            with storage.open(name, "rb") as handle:
                info = tarfile.TarInfo(f"media/{name}")
                info.size = storage.size(name)
                tar.addfile(info, handle)
    return manifest


def _check_empty() -> None:
    """Every business write is audited, so an empty audit trail and no users means a fresh database
    (rows seeded by data migrations, e.g. business lines, are overwritten by the backup's copies)."""
    from django.contrib.auth import get_user_model

    from .models import ObjectChange

    if ObjectChange.objects.exists() or get_user_model().objects.exists():
        raise RestoreError("目标数据库不是空库（已有用户或审计日志）。请在新建并执行 migrate 的空库上恢复。")


def _is_media_root(storage) -> bool:
    location = getattr(storage, "location", None)
    return location is not None and Path(location).resolve() == Path(settings.MEDIA_ROOT).resolve()


def restore_backup(source: Path) -> dict:
    with tarfile.open(source, "r:gz") as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        if manifest.get("format") != FORMAT:
            raise RestoreError(f"不是本系统的备份文件（格式：{manifest.get('format')}）")
        _check_empty()
        media = Path(settings.MEDIA_ROOT)
        with tempfile.TemporaryDirectory() as tmp:
            tar.extractall(tmp, filter="data")
            root = Path(tmp)
            for name, digest in manifest["files"].items():
                if _sha256(root / "media" / name) != digest:
                    raise RestoreError(f"备份中的文件已损坏：{name}")
            with transaction.atomic():
                call_command("loaddata", str(root / "data.json"), verbosity=0)
                counts = _row_counts()
                if counts != {k: v for k, v in manifest["rows"].items() if k in counts}:
                    diff = [k for k in counts if counts[k] != manifest["rows"].get(k)]
                    raise RestoreError(f"恢复后行数与备份不符：{', '.join(diff)}")
                _check_file_rows(manifest["files"])
                _, problems = verify_chain(expected_head=manifest["audit_head"]["hash"])
                if problems:
                    raise RestoreError(f"恢复后的审计链校验失败：{problems[0]}")
            referenced = _referenced_files()
            for name in manifest["files"]:
                storage = referenced.get(name)
                if storage is not None and not _is_media_root(storage):  # a row's file on another backend
                    if not storage.exists(name):
                        with open(root / "media" / name, "rb") as handle:
                            storage.save(name, File(handle))
                    continue
                target = media / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(root / "media" / name, target)
    return manifest
