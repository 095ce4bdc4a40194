"""Issue #14: the public verifies the inspector assignment without seeing a 执法证号 or who declared 回避. The portal
names inspectors only by their roster pseudonym (fairdraw spec §4.2.1): a masked name beside a pseudonym would tell
whom the manifest's revealed 回避 pairs name. A draw whose roster predates fairdraw-roster/2 (ids = 执法证号, 回避 in
clear) keeps its roster, manifest and replacement record off the portal."""

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from shuangsuiji import fairdraw as fd
from shuangsuiji.core.testing import run_jobs
from shuangsuiji.directory.models import ConflictDeclaration
from shuangsuiji.disclosure.masking import mask_cert, mask_name
from shuangsuiji.draws import services
from shuangsuiji.draws.choices import FileKind, InspectorChangeStatus, TargetRole, TargetStatus
from shuangsuiji.draws.models import DrawTarget, InspectorAssignment
from shuangsuiji.draws.selectors import roster_ids
from shuangsuiji.draws.testing import locked_draw

from .conftest import LOCK_TIME

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(dt.datetime(2026, 6, 15, 9, 0))  # inside the 高青 task's inspection window


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def _declare(gq):
    """Every inspector declares 回避 with three units, some of which are drawn."""
    for k, inspector in enumerate(gq["inspectors"]):
        for unit in gq["units"][k % 5 :: 9][:3]:
            ConflictDeclaration.objects.create(inspector=inspector, unit=unit, relation="relative",
                                               start=gq["task"].window_start)  # fmt: skip


def _replace_one(draw, user):
    target = DrawTarget.objects.filter(draw=draw, role=TargetRole.SELECTED, status=TargetStatus.ACTIVE).first()
    change = services.inspector_replace(user=user, target=target, inspector=target.assignments.first().inspector,
                                        reason_kind="illness", reason="因病住院治疗", now=NOW)  # fmt: skip
    assert change.status == InspectorChangeStatus.APPLIED
    return change


def _public(client, draw) -> dict[str, str]:
    """Every public page and file of the draw, by name (the verify page once the server's verdict is stored)."""
    client.get(reverse("disclosure:draw_verify", args=[draw.code]))
    run_jobs()
    cache.clear()
    unit = draw.targets.filter(role=TargetRole.SELECTED).first().unit_code
    urls = {
        "draw page": reverse("disclosure:draw_detail", args=[draw.code]),
        "self-check": reverse("disclosure:draw_detail", args=[draw.code]) + f"?code={unit}",
        "verify page": reverse("disclosure:draw_verify", args=[draw.code]),
        "replacements.json": reverse("disclosure:draw_replacements", args=[draw.code]),
        "proof": reverse("disclosure:draw_unit_proof", args=[draw.code, unit]),
        "draw list": reverse("disclosure:draw_list"),
        "task page": reverse("disclosure:task_detail", args=[draw.task.code]),
        **{f"{kind}.json": reverse("disclosure:draw_file", args=[draw.code, kind])
           for kind in ("commitment", "pool", "roster", "manifest")},
    }  # fmt: skip
    out = {}
    for name, url in urls.items():
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        out[name] = (response.status_code, body.decode())
    return out


def _legacy_draw(gq, approver_gq, monkeypatch):
    """A locked draw committed as before fairdraw-roster/2: 执法证号 as roster ids, 回避 units in clear."""
    monkeypatch.setattr(services, "ensure_pseudonyms", lambda inspectors, suite: {})
    monkeypatch.setattr(fd.conflicts, "commit_roster", lambda inspectors, suite, salt: (
        fd.canonical_roster_bytes(inspectors), {}))  # fmt: skip
    return locked_draw(gq["task"], approver_gq, now=LOCK_TIME)


def _personal(gq) -> list[str]:
    """What must never reach the portal of an inspector of the roster."""
    return [s for i in gq["inspectors"] for s in (i.name, mask_name(i.name), i.cert_no, mask_cert(i.cert_no))]


def test_no_public_page_or_file_names_an_inspector_only_pseudonyms(client, gq, approver_gq):
    _declare(gq)
    draw = locked_draw(gq["task"], approver_gq, now=LOCK_TIME)
    manifest = json.loads(draw.file_bytes(FileKind.MANIFEST))
    drawn = set(manifest["assignment"]["groups"])
    assert any(p["unit_id"] in drawn for p in manifest["conflicts"])  # a revealed 回避 pair of a drawn unit
    change = _replace_one(draw, approver_gq)
    public = _public(client, draw)
    assert all(status == 200 for status, _body in public.values()), {k: v[0] for k, v in public.items()}
    for name, (_status, body) in public.items():
        for shown in _personal(gq):
            assert shown not in body, f"{shown} on {name}"
    # the current groups (after the replacement) and the replacement appear under pseudonyms
    pseudonym = roster_ids(fd.parse_roster(draw.file_bytes(FileKind.ROSTER)))[0]
    page = public["draw page"][1]
    for a in InspectorAssignment.objects.filter(target__draw=draw):
        assert pseudonym[a.inspector_id] in page
    assert change.out_id.startswith("ZF-") and change.in_id.startswith("ZF-")
    changes = page.split('id="public-inspector-changes"')[1]
    assert change.out_id in changes and change.in_id in changes
    assert change.out_id in public["replacements.json"][1] and change.in_id in public["replacements.json"][1]
    # the verdict is the server's and the browser's to compute from these files alone
    assert "核验通过" in public["verify page"][1] and 'id="browser-verify"' in public["verify page"][1]


def test_a_legacy_roster_is_not_published(client, gq, approver_gq, monkeypatch):
    """A draw committed with a fairdraw-roster/1 (执法证号 as ids, 回避 in clear): its roster, manifest and replacement
    record are withheld with the reason; its groups show their size; the server's verdict, the self-check and the
    inclusion proofs stay."""
    _declare(gq)
    draw = _legacy_draw(gq, approver_gq, monkeypatch)
    roster = json.loads(draw.file_bytes(FileKind.ROSTER))
    assert roster["format"] == "fairdraw-roster/1" and any(i["conflict_units"] for i in roster["inspectors"])
    assert {i["inspector_id"] for i in roster["inspectors"]} == {i.cert_no for i in gq["inspectors"]}
    change = _replace_one(draw, approver_gq)
    assert change.out_id in {i.cert_no for i in gq["inspectors"]}
    public = _public(client, draw)
    for name in ("roster.json", "manifest.json", "replacements.json"):
        status, body = public[name]
        assert status == 404 and "本次抽取使用旧版执法人员名录格式（含执法证号和回避声明）" in body, name
        assert "纪检监督人员可在系统内核验" in body
    for name in ("draw page", "self-check", "verify page", "proof", "commitment.json", "pool.json"):
        assert public[name][0] == 200, name
    for name, (_status, body) in public.items():
        for shown in _personal(gq):
            assert shown not in body, f"{shown} on {name}"
    page = public["draw page"][1]
    assert f"{gq['task'].group_size} 名执法人员" in page and "旧版执法人员名录格式" in page
    files = page.split('id="files"')[1]
    assert "-roster.json" not in files and "-manifest.json" not in files and "-pool.tsv" in files
    assert 'id="public-inspector-changes"' in page and "replacements.json" not in page
    assert "本单位已被抽中" in public["self-check"][1]
    verify = public["verify page"][1]
    assert "核验通过" in verify and 'id="verify-withheld"' in verify and 'id="browser-verify"' not in verify
    assert "--roster" not in verify  # no offline command for files that are not served


def test_a_damaged_roster_shows_nothing_of_it_and_breaks_no_page(client, locked):
    """A roster that fails its SHA-256 check: the page still opens (groups by size, the reason given), the roster is
    refused as damaged and the manifest naming its ids is not served."""
    from pathlib import Path

    draw = locked["draw"]
    served = client.get(reverse("disclosure:draw_file", args=[draw.code, "roster"]))
    assert served.status_code == 200 and served["Cache-Control"] == "public, max-age=3600"  # immutable while intact
    path = Path(draw.files.get(kind=FileKind.ROSTER).file.path)
    path.write_bytes(path.read_bytes() + b" ")
    page = client.get(reverse("disclosure:draw_detail", args=[draw.code]))
    assert page.status_code == 200 and "SHA-256 不一致" in page.text and "名执法人员" in page.text
    stored = draw.files.get(kind=FileKind.ROSTER).file.name
    assert stored not in page.text and "备份恢复" in page.text  # the public learns it, not the storage path
    for kind in ("roster", "manifest"):
        refused = client.get(reverse("disclosure:draw_file", args=[draw.code, kind]))
        assert refused.status_code == 500 and "SHA-256 不一致" in refused.text and stored not in refused.text
        assert refused["Cache-Control"] == "no-store"
    assert client.get(reverse("disclosure:draw_verify", args=[draw.code])).status_code == 200


def test_a_roster_read_that_fails_once_is_not_opened_again(client, gq, approver_gq, monkeypatch):
    """An older roster whose first read fails (a storage hiccup) is refused as damaged; the download never opens
    the file a second time, which could succeed and send the 执法证号 and 回避 declarations in clear."""
    from shuangsuiji.disclosure import views
    from shuangsuiji.draws.files import DrawFileCorrupted

    draw = _legacy_draw(gq, approver_gq, monkeypatch)
    monkeypatch.setattr(views, "draw_file_response", lambda *a: pytest.fail("opened the roster again"))
    real = type(draw).file_bytes

    def flaky(self, kind):
        if kind == FileKind.ROSTER:
            raise DrawFileCorrupted("draws/x.json", "SHA-256 不一致")
        return real(self, kind)

    monkeypatch.setattr(type(draw), "file_bytes", flaky)
    for kind in ("roster", "manifest"):
        refused = client.get(reverse("disclosure:draw_file", args=[draw.code, kind]))
        assert refused.status_code == 500 and refused["Cache-Control"] == "no-store"
        assert all(i.cert_no not in refused.text for i in gq["inspectors"])
