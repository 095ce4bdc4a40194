"""The 乡镇（街道）column of the unit import and the API sync (issue #15 point 9): optional, by name or 9-digit code,
checked against the row's county (a Chinese message naming row and column), written column-wise with the other
columns; an empty cell leaves a unit's township as it is."""

import pytest

from shuangsuiji.core import audit
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.directory import services
from shuangsuiji.directory.choices import ImportStatus
from shuangsuiji.directory.models import RegulatedUnit
from shuangsuiji.regions.models import Township

from .factories import UNIT_HEADERS, credit, unit_row, xlsx_bytes
from .test_api import auth, sync

pytestmark = pytest.mark.django_db

HEADERS = [*UNIT_HEADERS, "乡镇（街道）"]


def rows(*towns, region="370322"):
    return [[*unit_row(n, region), town] for n, town in enumerate(towns, start=1)]


def prepare(user, data, mode="create"):
    return services.import_prepare(user=user, kind="unit", mode=mode, data=data, filename="units.xlsx")


def test_import_sets_townships_by_name_or_code_checked_against_the_county(regions, admin_user_gq):
    qingcheng = Township.objects.get(county__code="370322", name="青城镇")
    tianzhen = Township.objects.get(code="370322001")
    yiyuan_town = Township.objects.filter(county__code="370323").order_by("code").first()
    bad = prepare(admin_user_gq, xlsx_bytes(HEADERS, rows("青城镇", "370322001", "", yiyuan_town.name, "不存在镇")))
    assert bad.status == ImportStatus.INVALID
    assert [tuple(e) for e in bad.errors] == [
        (5, "乡镇（街道）", f"“{yiyuan_town.name}”不是高青县的乡镇（街道）（请填写本县乡镇（街道）的名称或9位代码）"),
        (6, "乡镇（街道）", "“不存在镇”不是高青县的乡镇（街道）（请填写本县乡镇（街道）的名称或9位代码）"),
    ]
    assert not RegulatedUnit.objects.exists()

    batch = prepare(admin_user_gq, xlsx_bytes(HEADERS, rows("青城镇", "370322001", "")))
    assert (batch.status, batch.count_create, batch.errors) == (ImportStatus.READY, 3, [])
    services.import_commit(user=admin_user_gq, batch=batch)
    by_code = {u.credit_code: u for u in RegulatedUnit.objects.all()}
    assert [by_code[credit(n)].township_id for n in (1, 2, 3)] == [qingcheng.pk, tianzhen.pk, None]
    # the rendered audit snapshot is the stored row's, township included
    unit = by_code[credit(1)]
    entry = ObjectChange.objects.get(object_type="directory.regulatedunit", object_id=str(unit.pk), action="create")
    assert entry.postchange_data["township_id"] == qingcheng.pk
    assert entry.postchange_data == audit.snapshot(unit) | {
        k: entry.postchange_data[k] for k in ("business_lines", "tags")
    }

    # the list export carries the township (by name) in its column, so it imports again
    from shuangsuiji.directory.importers import UNIT_COLUMNS
    from shuangsuiji.directory.selectors import unit_export_rows

    at = [c.field for c in UNIT_COLUMNS].index("township")
    exported = {row[0]: row[at] for row in unit_export_rows(RegulatedUnit.objects.all())}
    assert [exported[credit(n)] for n in (1, 2, 3)] == ["青城镇", "田镇街道", ""]

    # an update import changes the township where the cell is filled and leaves it where it is empty
    hualou = Township.objects.get(county__code="370322", name="花沟镇")
    update = prepare(admin_user_gq, xlsx_bytes(HEADERS, rows("", "花沟镇", "芦湖街道")), mode="update")
    assert (update.count_update, update.count_unchanged) == (2, 1)
    services.import_commit(user=admin_user_gq, batch=update)
    update.refresh_from_db()
    assert [(e["key"], e["changes"]) for e in update.report] == [
        (credit(2), [["乡镇（街道）", "田镇街道（370322001）", f"花沟镇（{hualou.code}）"]]),
        (credit(3), [["乡镇（街道）", "", f"芦湖街道（{Township.objects.get(name='芦湖街道').code}）"]]),
    ]
    units = {u.credit_code: u for u in RegulatedUnit.objects.select_related("township")}
    assert units[credit(1)].township_id == qingcheng.pk
    assert units[credit(2)].township_id == hualou.pk
    assert units[credit(3)].township.name == "芦湖街道"


def test_moving_a_unit_to_another_county_drops_a_township_it_does_not_name(regions, admin_user_gq, city_approver):
    batch = prepare(admin_user_gq, xlsx_bytes(HEADERS, rows("青城镇", "青城镇")))
    services.import_commit(user=admin_user_gq, batch=batch)
    yiyuan_town = Township.objects.filter(county__code="370323").order_by("code").first()
    moved = [[*unit_row(1, "370323"), ""], [*unit_row(2, "370323"), yiyuan_town.code]]
    moved[0][0], moved[1][0] = credit(1), credit(2)  # the same units, now in 沂源县
    update = prepare(city_approver, xlsx_bytes(HEADERS, moved), mode="update")
    assert update.errors == []
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        services.import_commit(user=city_approver, batch=update)
    sqls = [q["sql"] for q in queries.captured_queries]
    one_by_one = [sql for sql in sqls if "\"regions_township\".\"id\" = " in sql and "county_id" in sql]
    assert not one_by_one  # the counties of the units' townships are read at once, not one unit at a time
    first, second = RegulatedUnit.objects.get(credit_code=credit(1)), RegulatedUnit.objects.get(credit_code=credit(2))
    assert (first.region.code, first.township_id) == ("370323", None)
    assert (second.region.code, second.township_id) == ("370323", yiyuan_town.pk)


def test_api_sync_takes_the_township(client, regions, approver_gq):
    code = credit(700)
    record = {"credit_code": code, "name": "青城浴池", "region": "370322", "business_lines": ["ggcs"]}
    refused = sync(client, approver_gq, [{**record, "township": "沂源县的镇"}])
    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        {"record": 1, "field": "乡镇（街道）",
         "message": "“沂源县的镇”不是高青县的乡镇（街道）（请填写本县乡镇（街道）的名称或9位代码）"},
    ]  # fmt: skip
    assert not RegulatedUnit.objects.filter(credit_code=code).exists()
    done = sync(client, approver_gq, [{**record, "township": "青城镇"}])
    assert done.status_code == 200, done.json()
    assert RegulatedUnit.objects.get(credit_code=code).township.name == "青城镇"
    assert client.get(f"/api/v1/units/{code}/", **auth(approver_gq)).status_code == 200
