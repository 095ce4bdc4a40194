import hashlib
import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from shuangsuiji.accounts.models import Organization, User
from shuangsuiji.core import audit, services
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.disclosure.tests.conftest import LOCK_TIME
from shuangsuiji.plans.tests.fixtures import gq, yy_units  # noqa: F401
from shuangsuiji.regions.models import Region

pytestmark = pytest.mark.django_db(transaction=True)


def _wipe():
    """Empty every table, as on a freshly migrated database."""
    call_command("flush", interactive=False, verbosity=0)


def test_backup_and_restore_round_trip(tmp_path, admin_user_gq, orgs, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    upload = Path(settings.MEDIA_ROOT) / "attachments" / "现场照片.bin"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(bytes(range(256)) * 10)
    services.holiday_save(user=SYSTEM, date="2026-06-01", is_workday=False, name="测试假日")
    audit.log_change(orgs["gaoqing"], ObjectChange.Action.UPDATE, user=admin_user_gq, message="改名")
    before = {
        "users": sorted(User.objects.values_list("username", "password", "role")),
        "orgs": sorted(Organization.objects.values_list("name", "region__code")),
        "regions": Region.objects.count(),
        "audit": list(ObjectChange.objects.order_by("id").values_list("id", "hash")),
    }
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive))
    with tarfile.open(archive) as tar:
        assert {"manifest.json", "data.json", "media/attachments/现场照片.bin"} <= set(tar.getnames())

    _wipe()
    upload.unlink()
    assert not User.objects.exists()

    call_command("restore", str(archive))
    after = {
        "users": sorted(User.objects.values_list("username", "password", "role")),
        "orgs": sorted(Organization.objects.values_list("name", "region__code")),
        "regions": Region.objects.count(),
        "audit": list(ObjectChange.objects.order_by("id").values_list("id", "hash")),
    }
    assert after == before
    assert upload.read_bytes() == bytes(range(256)) * 10
    call_command("audit_verify", expect_head=before["audit"][-1][1])
    # the database keeps working after restore: new rows get fresh ids and extend the chain
    audit.log_event(ObjectChange.Action.WORKFLOW, message="恢复后新记录")
    assert audit.verify_chain()[1] == []


def test_restore_refuses_a_database_that_is_not_empty(tmp_path, admin_user_gq, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    archive = tmp_path / "b.tar.gz"
    call_command("backup", str(archive))
    with pytest.raises(CommandError, match="不是空库"):
        call_command("restore", str(archive))


def test_restore_rejects_a_corrupted_file(tmp_path, admin_user_gq, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "a.txt").write_text("原文")
    archive = tmp_path / "b.tar.gz"
    call_command("backup", str(archive))
    # rebuild the archive with a tampered file but the original manifest
    tampered = tmp_path / "t.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "media/a.txt":
                data = "篡改".encode()
                member.size = len(data)
            import io

            dst.addfile(member, io.BytesIO(data))
    _wipe()
    with pytest.raises(CommandError, match="文件已损坏"):
        call_command("restore", str(tampered))
    assert not User.objects.exists()


def test_draw_files_are_backed_up_and_checked_against_their_rows(tmp_path, settings, gq, approver_gq):  # noqa: F811
    from shuangsuiji.draws.models import DrawFile
    from shuangsuiji.inspections.testing import locked_draw

    settings.MEDIA_ROOT = tmp_path / "media"
    draw = locked_draw(gq["task"], approver_gq, now=LOCK_TIME)
    expected = {row.file.name: row.read() for row in DrawFile.objects.filter(draw=draw)}
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive))
    with tarfile.open(archive) as tar:
        assert {f"media/{name}" for name in expected} <= set(tar.getnames())
    # an archive whose file no longer matches the row's SHA-256 (manifest rewritten to match) is refused
    pool = DrawFile.objects.get(draw=draw, kind="pool").file.name
    tampered = tmp_path / "t.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(tampered, "w:gz") as dst:
        manifest = json.loads(src.extractfile("manifest.json").read())
        manifest["files"][pool] = hashlib.sha256(b"x").hexdigest()
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == f"media/{pool}":
                data = b"x"
            elif member.name == "manifest.json":
                data = json.dumps(manifest).encode()
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    _wipe()
    shutil.rmtree(settings.MEDIA_ROOT)
    with pytest.raises(CommandError, match="SHA-256 不一致"):
        call_command("restore", str(tampered))
    assert not DrawFile.objects.exists()
    call_command("restore", str(archive))
    for name, data in expected.items():
        assert (Path(settings.MEDIA_ROOT) / name).read_bytes() == data
    assert DrawFile.objects.get(draw__code=draw.code, kind="pool").read() == expected[pool]
