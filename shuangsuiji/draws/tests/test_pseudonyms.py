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


def test_verifier_checks_the_roster_key(locked, oversight_gq, inspector_gq, tmp_path, capsys):
    """Issue #14 (privacy: oversight verifies with the full roster): `--roster-key` recomputes every pseudonym of
    纪检's key (or an inspector's own entry) and checks it against the committed roster; a wrong 执法证号, salt,
    a key of another roster or an entry outside the roster is DIFFERENT (exit 1), a broken file MALFORMED (2)."""
    from shuangsuiji.fairdraw import verify

    draw = locked["draw"]
    files = {}
    for kind, name in ((FileKind.MANIFEST, "manifest.json"), (FileKind.POOL, "pool.tsv"), (FileKind.ROSTER,
                                                                                           "roster.json")):  # fmt: skip
        files[kind] = tmp_path / name
        files[kind].write_bytes(draw.file_bytes(kind))
    key = selectors.roster_keys(oversight_gq, draw)

    def run(key_data) -> tuple[int, str]:
        path = tmp_path / "key.json"
        path.write_bytes(key_data if isinstance(key_data, bytes) else json.dumps(key_data).encode())
        argv = [str(files[FileKind.MANIFEST]), str(files[FileKind.POOL]), "--roster", str(files[FileKind.ROSTER]),
                "--roster-key", str(path)]  # fmt: skip
        code = verify.main(argv)
        return code, capsys.readouterr().out

    code, out = run(key)
    size = len(key["entries"])
    assert code == 0 and f"化名对照核对通过：{size} 人（名录共 {size} 人，全部人员）" in out
    own = locked["inspectors"][0]
    own.user = inspector_gq
    own.save()
    code, out = run(selectors.roster_keys(inspector_gq, draw))  # an inspector checks their own place
    assert code == 0 and f"化名对照核对通过：1 人（名录共 {size} 人，部分人员）" in out
    wrong_cert = json.loads(json.dumps(key))
    wrong_cert["entries"][1]["cert_no"] += "9"
    code, out = run(wrong_cert)
    assert code == 1
    where = "DIFFERENT 化名对照不一致，位置 roster_key.entries[1].inspector_id："
    assert where + "按盐值和执法证号重算的化名与文件中的化名不同" in out
    wrong_salt = json.loads(json.dumps(key))
    wrong_salt["entries"][0]["salt"] = "00" * 16
    assert run(wrong_salt)[0] == 1
    other_roster = dict(key, roster_digest="0" * 64)
    code, out = run(other_roster)
    assert code == 1 and "roster_key.roster_digest：化名对照文件对应的名录不是本次承诺的执法人员名录" in out
    assert run(dict(key, entries=[]))[0] == 2  # an empty key checks nothing: refused
    outsider = json.loads(json.dumps(key))
    salt = bytes(range(16))
    outsider["entries"].append({"inspector_id": fd.inspector_pseudonym(salt, "9999999999"), "cert_no": "9999999999",
                                "name": "外人", "salt": salt.hex(), "hash": "sha256"})  # fmt: skip
    code, out = run(outsider)
    assert code == 1 and "该化名不在本次承诺的执法人员名录中" in out
    code, out = run(b"{not json")
    assert code == 2 and out.splitlines()[-1].startswith("MALFORMED")
    code, out = run(dict(key, format="fairdraw-roster-key/9"))
    assert code == 2 and "fairdraw-roster-key/2" in out


def test_the_staff_draw_page_links_the_keys_to_whom_they_open(locked, oversight_gq, approver_gq, inspector_gq, client):
    """The portal tells inspectors and 纪检 to check pseudonyms with the 化名对照: the staff draw page links it (and
    the 回避声明密钥) for exactly the people the downloads serve, and says how much each link opens."""
    draw = locked["draw"]
    url = reverse("draws:draw_detail", args=[draw.pk])
    roster_key = reverse("draws:draw_roster_key", args=[draw.pk])
    conflict_key = reverse("draws:draw_file", args=[draw.pk, FileKind.CONFLICT_KEY])
    assert draw.files.filter(kind=FileKind.CONFLICT_KEY).exists()

    def links(user) -> tuple[bool, bool, str]:
        client.force_login(user)
        body = client.get(url).text
        scope = (
            "全部执法人员"
            if "化名对照 roster-key.json</a>（全部执法人员" in body
            else ("仅本人" if "化名对照 roster-key.json</a>（仅本人" in body else "")
        )
        return roster_key in body, conflict_key in body, scope

    assert links(oversight_gq) == (True, True, "全部执法人员")
    assert links(approver_gq) == (False, True, "")  # draws, so may read the conflict key; no roster key
    own = locked["inspectors"][0]
    own.user = inspector_gq
    own.save()
    assert links(inspector_gq) == (True, False, "仅本人")  # an inspector of the roster: their own entry only
    for user, shown in ((oversight_gq, True), (approver_gq, False)):  # each link works for whom it is shown
        client.force_login(user)
        assert (client.get(roster_key).status_code == 200) is shown
    client.force_login(approver_gq)
    assert client.get(conflict_key).status_code == 200
