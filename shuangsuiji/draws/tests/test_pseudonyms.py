"""Pseudonymous inspector ids in the public roster (issue #14 e, fairdraw spec §4.2.1): the roster file carries
no 执法证号; the salts behind the pseudonyms go to 纪检 (every inspector) and to each inspector (their own)."""

import hashlib
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from shuangsuiji import fairdraw as fd
from shuangsuiji.draws import selectors, services
from shuangsuiji.draws.choices import FileKind
from shuangsuiji.draws.models import InspectorAssignment, InspectorPseudonym

pytestmark = pytest.mark.django_db


def test_pseudonym_function_is_the_specs():
    salt = bytes(range(16))
    raw = b"".join(len(x).to_bytes(4, "big") + x for x in (b"SRV1/pseudonym", salt, b"3703220001"))
    assert fd.inspector_pseudonym(salt, "3703220001") == "ZF-" + hashlib.sha256(raw).hexdigest()[:24]
    with pytest.raises(ValueError):
        fd.inspector_pseudonym(b"short", "3703220001")


def test_public_roster_has_no_certificate_numbers(locked, approver_gq):
    draw = locked["draw"]
    roster = draw.file_bytes(FileKind.ROSTER)
    ids = [i.inspector_id for i in fd.parse_roster(roster)]
    assert ids and all(i.startswith("ZF-") for i in ids)
    for inspector in locked["inspectors"]:
        assert inspector.cert_no not in roster.decode()
    # the app's own records keep the real numbers; the draw still verifies
    a = InspectorAssignment.objects.filter(target__draw=draw).select_related("inspector").first()
    assert a.inspector_code == a.inspector.cert_no
    assert fd.verify_manifest(draw.file_bytes(FileKind.MANIFEST), draw.file_bytes(FileKind.POOL), roster).ok
    assert services.draw_verify(user=approver_gq, draw=draw).ok
    # one pseudonym per inspector, kept for later draws
    assert InspectorPseudonym.objects.count() == len(ids)
    assert set(InspectorPseudonym.objects.values_list("pseudonym", flat=True)) == set(ids)


def test_roster_key_for_oversight_and_the_inspector_only(locked, oversight_gq, approver_gq, inspector_gq, client):
    draw = locked["draw"]
    key = selectors.roster_keys(oversight_gq, draw)
    ids = [i.inspector_id for i in fd.parse_roster(draw.file_bytes(FileKind.ROSTER))]
    assert [e["inspector_id"] for e in key["entries"]] == sorted(ids)
    for e in key["entries"]:  # 纪检 recomputes every pseudonym from the 执法证号 and the salt
        assert fd.inspector_pseudonym(bytes.fromhex(e["salt"]), e["cert_no"]) == e["inspector_id"]
    with pytest.raises(PermissionDenied):
        selectors.roster_keys(approver_gq, draw)
    with pytest.raises(PermissionDenied):  # an inspector not linked to a roster entry sees nothing
        selectors.roster_keys(inspector_gq, draw)
    own = locked["inspectors"][0]
    own.user = inspector_gq
    own.save()
    mine = selectors.roster_keys(inspector_gq, draw)["entries"]
    assert [e["cert_no"] for e in mine] == [own.cert_no]
    client.force_login(oversight_gq)
    response = client.get(reverse("draws:draw_roster_key", args=[draw.pk]))
    assert response.status_code == 200 and json.loads(response.content)["format"] == "fairdraw-roster-key/2"
    client.force_login(approver_gq)
    assert client.get(reverse("draws:draw_roster_key", args=[draw.pk])).status_code == 403
