"""The public commitment log (issue #14 d, fairdraw spec §14): every commitment is appended, in the freeze's
transaction, to an append-only hash chain that the verifier checks with --log."""

import datetime as dt
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from shuangsuiji import fairdraw as fd
from shuangsuiji.draws import selectors, services
from shuangsuiji.draws.choices import FileKind
from shuangsuiji.draws.models import CommitmentLogEntry
from shuangsuiji.plans.tests.fixtures import lottery_input

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def _freeze(gq, user):
    return services.draw_freeze(user=user, task=gq["task"], sources=services.build_sources(lottery=lottery_input()))


def test_freeze_appends_to_the_log(gq, approver_gq, client):
    draw = _freeze(gq, approver_gq)
    entry = draw.log_entry
    assert (entry.seq, entry.prev_hash, entry.commitment_hash) == (1, fd.commitlog.GENESIS, draw.commitment_hash)
    assert entry.logged_at == timezone.localtime(draw.published_at).isoformat(timespec="seconds")
    e = fd.commitlog.make_entry(seq=1, prev=fd.commitlog.GENESIS, draw_id=draw.code,
                                commitment_hash=draw.commitment_hash, logged_at=entry.logged_at)  # fmt: skip
    assert e == entry.entry_dict()
    # the download is the log as JSON lines; it parses and the chain holds
    response = client.get(reverse("disclosure:commitment_log"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/jsonl")
    data = b"".join(response.streaming_content)
    assert fd.commitlog.parse_log(data) == [entry.entry_dict()]
    # every portal page prints the head in its footer
    body = client.get(reverse("disclosure:home")).content.decode()
    assert entry.entry_hash in body and "承诺公示日志：共 1 条" in body


def test_log_is_append_only(gq, approver_gq):
    _freeze(gq, approver_gq)
    entry = CommitmentLogEntry.objects.get()
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    with pytest.raises(DatabaseError), transaction.atomic():  # the database trigger, below the ORM
        CommitmentLogEntry.objects.filter(pk=entry.pk).update(draw_code="X")
    assert CommitmentLogEntry.objects.get().draw_code == entry.draw_code


def test_locked_draw_verifies_against_the_log_and_the_log_head_is_everywhere(locked, client, tmp_path, approver_gq):
    draw = locked["draw"]
    assert draw.sources.get().spec["available_at"]  # the lottery's announcement time is committed
    files = {}
    for kind in (FileKind.MANIFEST, FileKind.POOL, FileKind.ROSTER):
        files[kind] = tmp_path / kind
        files[kind].write_bytes(draw.file_bytes(kind))
    log = tmp_path / "commitments.jsonl"
    log.write_bytes(b"".join(client.get(reverse("disclosure:commitment_log")).streaming_content))
    proc = subprocess.run(
        [sys.executable, "-m", "shuangsuiji.fairdraw.verify", str(files["manifest"]), str(files["pool"]),
         "--roster", str(files["roster"]), "--log", str(log), "--expect-commitment", draw.commitment_hash],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    head = selectors.log_head()
    assert f"承诺日志 log: 第 1 条（日志共 1 条，链尾 {head.entry_hash}）" in proc.stdout
    # the printed draw record names the draw's entry and the head
    client.force_login(approver_gq)
    record = client.get(reverse("draws:draw_record", args=[draw.pk]))
    assert record.status_code == 200
    assert "第 1 条" in record.content.decode() and head.entry_hash in record.content.decode()
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert f"承诺公示日志完整：共 1 条，链尾 第 1 条 {head.entry_hash}" in out.getvalue()


def test_a_late_commitment_is_refused_by_the_verifier(locked):
    """A commitment logged after the lottery was drawn (a re-run once the numbers were known) is DIFFERENT."""
    draw = locked["draw"]
    manifest = draw.file_bytes(FileKind.MANIFEST)
    late = timezone.localtime(draw.sources.get().available_at + dt.timedelta(minutes=5)).isoformat(timespec="seconds")
    e = fd.commitlog.make_entry(seq=1, prev=fd.commitlog.GENESIS, draw_id=draw.code,
                                commitment_hash=draw.commitment_hash, logged_at=late)  # fmt: skip
    rep = fd.verify_manifest(manifest, draw.file_bytes(FileKind.POOL), draw.file_bytes(FileKind.ROSTER),
                             log=fd.commitlog.entry_line(e))  # fmt: skip
    assert rep.status == "DIFFERENT" and rep.path == "log[0].logged_at", rep.text()


def test_server_verdict_includes_the_log_and_the_published_commitment_hash(locked, approver_gq, monkeypatch):
    """The portal's own 核验通过 (draw_verify / draw_reverify) checks what `--expect-commitment --log` check: a log
    in which this commitment entered after the lottery was drawn, or a published hash that is not the manifest's,
    fails the server's verdict."""
    draw = locked["draw"]
    report = services.draw_verify(user=approver_gq, draw=draw)
    assert report.status == "VERIFIED" and report.log_entry == 1, report.text()
    row = services.draw_reverify(user=approver_gq, draw=draw)
    assert row.status == "VERIFIED" and "承诺日志 log: 第 1 条" in row.text
    late = timezone.localtime(draw.sources.get().available_at + dt.timedelta(minutes=5)).isoformat(timespec="seconds")
    e = fd.commitlog.make_entry(seq=1, prev=fd.commitlog.GENESIS, draw_id=draw.code,
                                commitment_hash=draw.commitment_hash, logged_at=late)  # fmt: skip
    with monkeypatch.context() as m:
        m.setattr(services, "log_lines", lambda: iter([fd.commitlog.entry_line(e)]))
        report = services.draw_verify(user=approver_gq, draw=draw)
        assert (report.status, report.path) == ("DIFFERENT", "log[0].logged_at"), report.text()
        row = services.draw_reverify(user=approver_gq, draw=draw)
        assert (row.status, row.path) == ("DIFFERENT", "log[0].logged_at")
        assert "核验通过" not in row.details["display"]
        m.setattr(services, "log_lines", lambda: iter([]))  # the commitment is not in the log at all
        assert services.draw_verify(user=approver_gq, draw=draw).status == "DIFFERENT"
    type(draw).objects.filter(pk=draw.pk).update(commitment_hash="0" * 64)  # the hash published at T0 differs
    draw.refresh_from_db()
    report = services.draw_verify(user=approver_gq, draw=draw)
    assert (report.status, report.path) == ("DIFFERENT", "commitment_hash"), report.text()


def test_draw_refused_when_the_commitment_was_not_logged_before_the_values(gq, approver_gq):
    from shuangsuiji.draws.models import PublicSource
    from shuangsuiji.draws.testing import KL8_NUMBERS, enter_and_confirm
    from shuangsuiji.plans.tests.fixtures import after_draw_time

    draw = _freeze(gq, approver_gq)
    after = after_draw_time()
    enter_and_confirm(draw, approver_gq, KL8_NUMBERS, now=after)
    # the lottery's announcement time as recorded is moved before the log entry (as if drawn before committing)
    PublicSource.objects.filter(draw=draw).update(available_at=draw.log_entry.logged_time)
    with pytest.raises(ValidationError, match="承诺公示日志"):
        services.draw_run(user=approver_gq, draw=draw, now=after)
