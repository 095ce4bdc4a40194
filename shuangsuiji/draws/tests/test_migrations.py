"""The data migrations that moved draw files out of the database: forwards, backwards, and the pre-check."""

import hashlib
import shutil
from pathlib import Path

import pytest

from shuangsuiji.core.migration_testing import migrate_to as _migrate
from shuangsuiji.core.migration_testing import migrate_to_latest
from shuangsuiji.draws.models import DrawFile, DrawPoolEntry

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("draws", "0002_initial")]


def test_blobs_move_to_storage_and_back(locked, media_root):  # noqa: F811
    draw = locked["draw"]
    rows = {r.kind: (r.file.name, r.sha256) for r in draw.files.all()}
    index = set(DrawPoolEntry.objects.filter(draw=draw).values_list("unit_id", "stratum", "excluded_reason"))
    try:
        old = _migrate(BEFORE)  # backwards: bytes go back into the column
        OldFile = old.get_model("draws", "DrawFile")
        for row in OldFile.objects.filter(draw_id=draw.pk):
            assert hashlib.sha256(bytes(row.content)).hexdigest() == row.sha256 == rows[row.kind][1]
        shutil.rmtree(media_root)  # forwards must re-create every file from the blobs
        migrate_to_latest()
    finally:
        migrate_to_latest()
    for row in DrawFile.objects.filter(draw=draw):
        assert row.file.name == rows[row.kind][0]
        assert hashlib.sha256(Path(row.file.path).read_bytes()).hexdigest() == row.sha256
    assert set(DrawPoolEntry.objects.filter(draw=draw).values_list("unit_id", "stratum", "excluded_reason")) == index


def test_forwards_refuses_blobs_that_no_longer_match_their_hash(locked):  # noqa: F811
    draw = locked["draw"]
    old = _migrate(BEFORE)
    OldFile = old.get_model("draws", "DrawFile")
    bad = OldFile.objects.get(draw_id=draw.pk, kind="manifest")
    original = bytes(bad.content)
    try:
        OldFile.objects.filter(pk=bad.pk).update(content=b"{}")
        with pytest.raises(RuntimeError, match=rf"ids \[{bad.pk}\]"):
            migrate_to_latest()
    finally:
        OldFile.objects.filter(pk=bad.pk).update(content=original)
        migrate_to_latest()
    assert DrawFile.objects.get(pk=bad.pk).read() == original
