"""The office's hash suite (issue #14, fairdraw spec §2.3): settings.FAIRDRAW_HASH_SUITE = "sm3" makes every
new commitment an SM3 one; the verifier reads the suite from the commitment, so SHA-256 and SM3 draws coexist
in one commitment log."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.utils import timezone

from shuangsuiji import fairdraw as fd
from shuangsuiji.draws import selectors, services
from shuangsuiji.draws.choices import FileKind
from shuangsuiji.draws.models import InspectorPseudonym
from shuangsuiji.draws.testing import locked_draw
from shuangsuiji.fairdraw import hashsuite
from shuangsuiji.plans.tests.fixtures import lottery_input

pytestmark = pytest.mark.django_db

LOCK_TIME = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))


def _freeze(gq, user):
    return services.draw_freeze(user=user, task=gq["task"], sources=services.build_sources(lottery=lottery_input()))


def test_sm3_deployment_draws_and_verifies_with_sm3(gq, approver_gq, settings):
    settings.FAIRDRAW_HASH_SUITE = "sm3"
    draw = locked_draw(gq["task"], approver_gq, now=LOCK_TIME)
    commitment = json.loads(draw.file_bytes(FileKind.COMMITMENT))
    assert commitment["hash"] == "sm3" and draw.hash_suite == "sm3"
    pool, roster = draw.file_bytes(FileKind.POOL), draw.file_bytes(FileKind.ROSTER)
    assert draw.pool_digest == fd.SM3.hexdigest(pool) == commitment["pool_digest"]
    assert draw.roster_digest == fd.SM3.hexdigest(roster)
    assert commitment["pool_merkle_root"] == fd.merkle.merkle_root(pool, fd.SM3)
    assert draw.commitment_hash == fd.SM3.hexdigest(fd.canonical_json(commitment))
    manifest = draw.file_bytes(FileKind.MANIFEST)
    assert draw.manifest_hash == fd.SM3.hexdigest(manifest)
    report = fd.verify_manifest(manifest, pool, roster, expect_commitment=draw.commitment_hash,
                                log=b"".join(selectors.log_lines()))  # fmt: skip
    assert report.ok and report.hash_suite == "sm3", report.text()
    # the roster's pseudonyms were made with SM3 and the roster key says so
    for p in InspectorPseudonym.objects.all():
        assert p.hash_suite == "sm3"
        assert fd.inspector_pseudonym(bytes.fromhex(p.salt), p.cert_no, fd.SM3) == p.pseudonym


def test_one_log_holds_both_suites(gq, approver_gq, settings):
    first = _freeze(gq, approver_gq)
    services.draw_cancel(user=approver_gq, draw=first, reason="测试：改用国密算法重新抽取")
    settings.FAIRDRAW_HASH_SUITE = "sm3"
    second = _freeze(gq, approver_gq)
    assert (first.hash_suite, second.hash_suite) == ("sha256", "sm3")
    lines = b"".join(selectors.log_lines()).split(b"\n")[:-1]
    entries = fd.commitlog.parse_log(b"".join(line + b"\n" for line in lines))
    assert "suite" not in entries[0] and entries[1]["suite"] == "sm3"
    assert entries[1]["prev"] == entries[0]["hash"]
    assert selectors.log_check()[0]


def test_bad_setting_is_refused_with_its_name(gq, approver_gq, settings, monkeypatch):
    settings.FAIRDRAW_HASH_SUITE = "md5"
    with pytest.raises(ValidationError, match="FAIRDRAW_HASH_SUITE"):
        _freeze(gq, approver_gq)
    with pytest.raises(SystemCheckError, match="draws.E001"):
        call_command("check")
    settings.FAIRDRAW_HASH_SUITE = "sm3"
    monkeypatch.setattr(hashsuite, "sm3_available", lambda: False)  # an OpenSSL without SM3
    with pytest.raises(ValidationError, match="不支持 SM3"):
        _freeze(gq, approver_gq)
