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


def test_commitment_log_backfills_stored_draws(locked):  # noqa: F811
    """Draws committed before the log existed are entered once, in commitment order, with their commitment time."""
    from django.utils import timezone

    from shuangsuiji import fairdraw as fd
    from shuangsuiji.draws.models import CommitmentLogEntry

    draw = locked["draw"]
    expected = CommitmentLogEntry.objects.get(draw=draw).entry_dict()
    try:
        _migrate([("draws", "0005_public_source_confirmation_and_signature")])  # the log table is gone
        migrate_to_latest()  # back-filled
    finally:
        migrate_to_latest()
    entry = CommitmentLogEntry.objects.get(draw=draw)
    assert entry.entry_dict() == expected  # same time (to the second) → same hash as written by draw_freeze
    assert entry.logged_at == timezone.localtime(draw.published_at).isoformat(timespec="seconds")
    assert fd.commitlog.parse_log(fd.commitlog.entry_line(entry.entry_dict()))[0]["seq"] == 1
