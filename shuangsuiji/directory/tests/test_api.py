"""一单两库 API: scoped reads and the 审管联动 sync (same validation and all-or-nothing as the Excel import)."""

import pytest

from shuangsuiji.accounts.tokens import token_issue
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.directory.models import ImportBatch, RegulatedUnit

from .factories import credit, make_inspector, make_unit

pytestmark = pytest.mark.django_db


def auth(user):
    return {"HTTP_AUTHORIZATION": f"Token {token_issue(user=SYSTEM, owner=user, name='test')[1]}"}


def sync(client, user, units, mode="update"):
    return client.post("/api/v1/units/sync/", {"mode": mode, "source": "审批系统", "units": units},
                       content_type="application/json", **auth(user))  # fmt: skip


@pytest.fixture
def units(regions):
    return [make_unit(regions, 1), make_unit(regions, 2), make_unit(regions, 3, region="370323")]


def test_unit_reads_are_scoped_and_keyed_by_credit_code(client, units, approver_gq, admin_yy):
    rows = client.get("/api/v1/units/", **auth(approver_gq)).json()["results"]
    assert {r["credit_code"] for r in rows} == {units[0].credit_code, units[1].credit_code}
    assert rows[0]["business_lines"] == ["ggcs"]
    assert client.get(f"/api/v1/units/{units[0].credit_code}/", **auth(admin_yy)).status_code == 404
    assert client.get(f"/api/v1/units/{units[2].credit_code}/", **auth(admin_yy)).status_code == 200


def test_inspector_and_item_endpoints_are_scoped(client, orgs, approver_gq, admin_yy):
    make_inspector(orgs["gaoqing_agency"], 1)
    assert client.get("/api/v1/inspectors/", **auth(approver_gq)).json()["count"] == 1
    assert client.get("/api/v1/inspectors/", **auth(admin_yy)).json()["count"] == 0
    assert client.get("/api/v1/items/", **auth(approver_gq)).status_code == 200
    assert client.get("/api/v1/experts/", **auth(approver_gq)).status_code == 200


def test_sync_creates_updates_and_closes_with_a_change_report(client, units, approver_gq):
    new_code = credit(900)
    response = sync(client, approver_gq, [
        {"credit_code": new_code, "name": "新开业宾馆", "region": "370322", "business_lines": ["ggcs"]},
        {"credit_code": units[0].credit_code, "name": "改名后的单位"},
        {"credit_code": units[1].credit_code, "status": "注销"},
    ])  # fmt: skip
    body = response.json()
    assert response.status_code == 200, body
    assert (body["created"], body["updated"], body["closed"]) == (1, 1, 1)
    assert RegulatedUnit.objects.get(credit_code=new_code).name == "新开业宾馆"
    assert RegulatedUnit.objects.get(pk=units[0].pk).name == "改名后的单位"
    assert not RegulatedUnit.objects.get(pk=units[1].pk).is_open
    renamed = next(c for c in body["changes"] if c["key"] == units[0].credit_code)
    assert ["单位名称", units[0].name, "改名后的单位"] in renamed["changes"]
    assert ObjectChange.objects.filter(object_type="directory.regulatedunit", action="create").exists()


def test_one_bad_record_writes_nothing_and_names_record_and_field(client, units, approver_gq):
    before = RegulatedUnit.objects.count()
    response = sync(client, approver_gq, [
        {"credit_code": credit(901), "name": "好单位", "region": "370322", "business_lines": ["ggcs"]},
        {"credit_code": "91370322MA3XXXXX00", "name": "坏代码", "region": "370322", "business_lines": ["ggcs"]},
        {"credit_code": credit(902), "name": "外县", "region": "370323", "business_lines": ["ggcs"]},
    ], mode="create")  # fmt: skip
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {(e["record"], e["field"]) for e in errors} == {(2, "统一社会信用代码"), (3, "行政区划")}
    assert any("校验" in e["message"] or "非法" in e["message"] for e in errors if e["record"] == 2)
    assert RegulatedUnit.objects.count() == before
    assert ImportBatch.objects.get().status == "invalid"


def test_sync_needs_the_import_permission(client, units, inspector_gq, oversight_gq):
    record = [{"credit_code": credit(903), "name": "x", "region": "370322", "business_lines": ["ggcs"]}]
    assert sync(client, inspector_gq, record).status_code == 403
    assert sync(client, oversight_gq, record).status_code == 403
    assert not RegulatedUnit.objects.filter(credit_code=credit(903)).exists()


def test_malformed_payload_is_400(client, approver_gq):
    response = client.post("/api/v1/units/sync/", {"units": []}, content_type="application/json",
                           **auth(approver_gq))  # fmt: skip
    assert response.status_code == 400


def test_list_pages_read_many_to_many_lists_per_page_in_the_relation_order(client, regions, approver_gq):
    """Business lines and tags of a list page come from one query each for the whole page (not per unit), in the
    same order as the single object's relation gives them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shuangsuiji.directory.models import Tag

    lines = ("zyws", "ggcs", "yys")
    tags = [Tag.objects.get_or_create(name=name)[0] for name in ("住宿", "美容美发", "文化娱乐")]
    headers = auth(approver_gq)
    client.get("/api/v1/units/", **headers)  # the token's first use records it (one write)
    made, counts = [], []
    for n in range(1, 6):
        unit = make_unit(regions, n, lines=lines[: 1 + n % 3])
        unit.tags.set(tags[n % 3 :])
        made.append(unit)
        if n in (1, 5):
            with CaptureQueriesContext(connection) as queries:
                rows = client.get("/api/v1/units/", **headers).json()["results"]
            counts.append(len(queries.captured_queries))
    assert len(rows) == 5 and counts[0] == counts[1]
    for unit in made:
        row = next(r for r in rows if r["credit_code"] == unit.credit_code)
        detail = client.get(f"/api/v1/units/{unit.credit_code}/", **headers).json()
        assert row["business_lines"] == detail["business_lines"] == [b.code for b in unit.business_lines.all()]
        assert row["tags"] == detail["tags"] == [t.name for t in unit.tags.all()] != []
