"""Whole-platform backup and restore: database rows (Django JSON fixture) + uploaded files.

Archive layout (`.tar.gz`):
    manifest.json   format, created_at, Django/db vendor, row count per model, audit chain head, file list with SHA-256
    data.json       `dumpdata` of every app except rows migrate re-creates (contenttypes, permissions, sessions)
    media/...       MEDIA_ROOT as it was

Restore runs `loaddata` in one transaction into a migrated, empty database, then checks the row
counts, the file hashes and the audit chain against the manifest. Nothing is half-restored.
"""

import datetime as dt
import hashlib
import io
import json
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
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
        data = io.StringIO()
        call_command("dumpdata", *[], exclude=EXCLUDED, format="json", indent=None, stdout=data)
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "database": connection.vendor,
        "rows": counts,
        "audit_head": {"id": head_id, "hash": head_hash},
        "files": {str(p.relative_to(media)): _sha256(p) for p in files},
    }
    with tarfile.open(target, "w:gz") as tar:
        for name, payload in (("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1)),
                              ("data.json", data.getvalue())):  # fmt: skip
            blob = payload.encode()
            info = tarfile.TarInfo(name)
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
        for path in files:
            tar.add(path, arcname=f"media/{path.relative_to(media)}")
    return manifest


def _check_empty() -> None:
    """Every business write is audited, so an empty audit trail and no users means a fresh database
    (rows seeded by data migrations, e.g. business lines, are overwritten by the backup's copies)."""
    from django.contrib.auth import get_user_model

    from .models import ObjectChange

    if ObjectChange.objects.exists() or get_user_model().objects.exists():
        raise RestoreError("目标数据库不是空库（已有用户或审计日志）。请在新建并执行 migrate 的空库上恢复。")


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
                _, problems = verify_chain(expected_head=manifest["audit_head"]["hash"])
                if problems:
                    raise RestoreError(f"恢复后的审计链校验失败：{problems[0]}")
            for name in manifest["files"]:
                target = media / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes((root / "media" / name).read_bytes())
    return manifest
