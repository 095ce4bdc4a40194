"""回避 declarations out of the public roster (issue #14, fairdraw spec §4.2.2): the public roster commits each
declared (inspector, unit) pair as a salted hash; the manifest reveals the pairs of drawn units; the key that
opens all of them is a staff/oversight file, never served by the portal."""

import json

import pytest
from django.urls import reverse

from shuangsuiji import fairdraw as fd
from shuangsuiji.directory.models import ConflictDeclaration
from shuangsuiji.draws import services
from shuangsuiji.draws.choices import FileKind
from shuangsuiji.draws.testing import enter_and_confirm
from shuangsuiji.plans.tests.fixtures import KL8_NUMBERS, after_draw_time, lottery_input

pytestmark = pytest.mark.django_db


def _declare_everything(gq):
    """Every inspector declares 回避 with three units: plenty of pairs, some of them on drawn units."""
    task = gq["task"]
    for k, inspector in enumerate(gq["inspectors"]):
        for unit in gq["units"][k % 5 :: 9][:3]:
            ConflictDeclaration.objects.create(inspector=inspector, unit=unit, relation="relative",
                                               start=task.window_start)  # fmt: skip


def _drawn(gq, user):
    draw = services.draw_freeze(user=user, task=gq["task"], sources=services.build_sources(lottery=lottery_input()))
    enter_and_confirm(draw, user, KL8_NUMBERS, now=after_draw_time())
    return services.draw_run(user=user, draw=draw, now=after_draw_time())


def test_pairs_are_committed_revealed_for_drawn_units_and_verified(gq, approver_gq, client):
    _declare_everything(gq)
    draw = _drawn(gq, approver_gq)
    roster_b, key_b = draw.file_bytes(FileKind.ROSTER), draw.file_bytes(FileKind.CONFLICT_KEY)
    roster, key = json.loads(roster_b), json.loads(key_b)
    n_pairs = ConflictDeclaration.objects.count()
    assert roster["format"] == "fairdraw-roster/2" and len(roster["conflicts"]) == len(key["pairs"]) == n_pairs
    assert not any(u.credit_code.encode() in roster_b for u in gq["units"])  # no unit in the public roster
    manifest = json.loads(draw.file_bytes(FileKind.MANIFEST))
    assert manifest["format"] == "fairdraw-manifest/4"
    drawn = {u for s in manifest["selection"].values() for u in (*s["selected"], *s["substitutes"])}
    assert manifest["conflicts"] and all(p["unit_id"] in drawn for p in manifest["conflicts"])
    assert manifest["conflicts"] == [p for p in key["pairs"] if p["unit_id"] in drawn]
    pool = draw.file_bytes(FileKind.POOL)
    assert fd.verify_manifest(manifest, pool, roster_b).ok  # what anyone can check
    assert fd.verify_manifest(manifest, pool, roster_b, conflict_key=key_b).ok  # oversight's complete check
    # no conflicted inspector sits on a unit they declared
    for p in manifest["conflicts"]:
        assert p["inspector_id"] not in manifest["assignment"]["groups"].get(p["unit_id"], [])
    # staff verification runs with the key
    assert services.draw_verify(user=approver_gq, draw=draw).ok


def test_the_key_is_never_public(gq, approver_gq, client):
    _declare_everything(gq)
    draw = _drawn(gq, approver_gq)
    services.witness_add(
        user=approver_gq, draw=draw, name="赵纪检", organization="县纪委监委派驻纪检组", role="discipline"
    )
    draw = services.draw_lock(user=approver_gq, draw=draw, now=after_draw_time())
    public = reverse("disclosure:draw_file", args=[draw.code, FileKind.CONFLICT_KEY])
    assert client.get(public).status_code == 404
    assert client.get(reverse("disclosure:draw_file", args=[draw.code, FileKind.ROSTER])).status_code == 200
    body = client.get(reverse("disclosure:draw_verify", args=[draw.code])).content.decode()
    manifest = json.loads(draw.file_bytes(FileKind.MANIFEST))
    assert f"共 {ConflictDeclaration.objects.count()} 项" in body and f"的 {len(manifest['conflicts'])} 项" in body
    client.force_login(approver_gq)
    staff = client.get(reverse("draws:draw_file", args=[draw.pk, FileKind.CONFLICT_KEY]))
    assert staff.status_code == 200
    assert b"".join(staff.streaming_content) == draw.file_bytes(FileKind.CONFLICT_KEY)


def test_only_oversight_and_drawing_staff_get_the_key(gq, approver_gq, inspector_gq, oversight_gq, client):
    draw = _drawn(gq, approver_gq)
    url = reverse("draws:draw_file", args=[draw.pk, FileKind.CONFLICT_KEY])
    for user, status in ((oversight_gq, 200), (approver_gq, 200), (inspector_gq, 403)):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code in ((status,) if status == 200 else (403, 404)), user
