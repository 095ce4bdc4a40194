import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shuangsuiji.core.models import ObjectChange
from shuangsuiji.directory import selectors, services
from shuangsuiji.directory.choices import ConflictRelation, ItemStatus, UnitStatus
from shuangsuiji.directory.models import InspectionItem, RegulatedUnit

from .factories import credit, line, make_inspector, make_unit

pytestmark = pytest.mark.django_db


def _changes(obj):
    return ObjectChange.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("id")


def test_unit_create_and_update_are_audited_with_diff(regions, admin_user_gq):
    unit = services.unit_create(
        user=admin_user_gq, data={"credit_code": credit(5).lower(), "name": "甲宾馆", "region": regions["370322"]},
        business_lines=[line("ggcs")],
    )  # fmt: skip
    assert unit.credit_code == credit(5)  # normalised (upper case) by the form/field path
    services.unit_update(user=admin_user_gq, unit=unit, data={"name": "甲宾馆（新）", "status": UnitStatus.SUSPENDED})
    unit.refresh_from_db()
    assert unit.status_changed_on is not None
    rows = list(_changes(unit))
    assert [r.action for r in rows] == ["create", "update"]
    diff = dict((k, (a, b)) for k, a, b in selectors.history(unit)[0]["diff"])
    assert diff["单位名称"] == ("甲宾馆", "甲宾馆（新）")
    assert diff["经营状态"] == ("在营", "停业")  # choice labels, never stored codes (issue #17)


def test_unit_create_refuses_other_county(regions, admin_yy):
    with pytest.raises(PermissionDenied):
        services.unit_create(
            user=admin_yy, data={"credit_code": credit(6), "name": "乙", "region": regions["370322"]},
            business_lines=[line("ggcs")],
        )  # fmt: skip
    assert not RegulatedUnit.objects.exists()


def test_unit_create_needs_a_business_line(regions, admin_user_gq):
    with pytest.raises(ValidationError):
        services.unit_create(
            user=admin_user_gq, data={"credit_code": credit(7), "name": "丙", "region": regions["370322"]},
            business_lines=[],
        )  # fmt: skip


def test_risk_rating_history_and_current_level(regions, admin_user_gq):
    unit = make_unit(regions, 1)
    services.unit_set_risk(user=admin_user_gq, unit=unit, level="B", as_of=dt.date(2026, 3, 1), source="市场监管")
    services.unit_set_risk(user=admin_user_gq, unit=unit, level="C", as_of=dt.date(2025, 3, 1), source="旧")
    unit.refresh_from_db()
    assert (unit.risk_level, unit.risk_as_of) == ("B", dt.date(2026, 3, 1))  # older rating does not override
    assert unit.ratings.count() == 2


def test_violation_and_inspection_history_update_counters(regions, admin_user_gq):
    unit = make_unit(regions, 1)
    services.violation_add(
        user=admin_user_gq, unit=unit, occurred_on=dt.date(2025, 6, 1), description="未取得卫生许可证"
    )
    services.inspection_history_add(
        user=admin_user_gq,
        unit=unit,
        inspected_on=dt.date(2025, 7, 1),
        item_name="公共场所卫生监督检查",
        result="未发现问题",
    )
    unit.refresh_from_db()
    assert (unit.violation_count, unit.inspection_count, unit.last_inspected_on) == (1, 1, dt.date(2025, 7, 1))


def test_leave_and_conflict_are_recorded_and_validated(regions, orgs, admin_user_gq):
    unit = make_unit(regions, 1)
    a = make_inspector(orgs["gaoqing_agency"], 1)
    c = make_inspector(orgs["gaoqing_agency"], 3)
    services.leave_add(
        user=admin_user_gq, inspector=c, start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 31), reason="培训"
    )
    services.conflict_add(
        user=admin_user_gq, inspector=a, unit=unit, relation=ConflictRelation.RELATIVE, start=dt.date(2026, 1, 1)
    )
    assert c.leaves.get().reason == "培训" and a.conflicts.get().unit == unit
    with pytest.raises(ValidationError):
        services.leave_add(
            user=admin_user_gq, inspector=a, start=dt.date(2026, 5, 2), end=dt.date(2026, 5, 1), reason="x"
        )


def test_inspector_of_other_county_cannot_be_edited(orgs, admin_yy):
    inspector = make_inspector(orgs["gaoqing_agency"], 1)
    with pytest.raises(PermissionDenied):
        services.inspector_save(user=admin_yy, inspector=inspector, data={"position": "科长"})


def _item(actor, region, code="GGCS-01", **extra):
    data = {
        "code": code, "business_line": line("ggcs"), "name": "住宿场所卫生监督检查", "target": "住宿场所",
        "legal_basis": "《公共场所卫生管理条例》", "responsible_body": "卫生健康部门",
        "content": "卫生许可、从业人员健康检查", "method": "现场检查", "default_ratio": Decimal("5"),
        "frequency": "每年1次", "category": "general", "region": region,
        **extra,
    }  # fmt: skip
    return services.item_create(user=actor, data=data)


def test_published_item_is_immutable_and_new_version_supersedes(regions, admin_user_gq):
    item = _item(admin_user_gq, regions["370322"])
    assert item.level == "county" and item.status == ItemStatus.DRAFT
    services.item_update(user=admin_user_gq, item=item, data={"default_ratio": Decimal("8")})
    item = services.item_publish(user=admin_user_gq, item=item)
    with pytest.raises(ValidationError, match="不可修改"):
        services.item_update(user=admin_user_gq, item=item, data={"name": "改名"})
    draft = services.item_new_version(user=admin_user_gq, item=item)
    assert (draft.version, draft.status, draft.previous_version_id) == (2, ItemStatus.DRAFT, item.pk)
    with pytest.raises(ValidationError):
        services.item_new_version(user=admin_user_gq, item=item)  # only one successor
    services.item_update(user=admin_user_gq, item=draft, data={"default_ratio": Decimal("10")})
    services.item_publish(user=admin_user_gq, item=draft)
    item.refresh_from_db()
    assert item.status == ItemStatus.SUPERSEDED and item.default_ratio == Decimal("8")
    assert list(selectors.published_items(region_code="370322")) == [InspectionItem.objects.get(pk=draft.pk)]


def test_county_claims_city_item(regions, city_approver, admin_user_gq, admin_yy):
    city_item = services.item_publish(user=city_approver, item=_item(city_approver, regions["370300"], "SJ-01"))
    assert city_item.level == "city"
    assert list(selectors.claimable_items(admin_user_gq)) == [city_item]
    claimed = services.item_claim(user=admin_user_gq, item=city_item, region=regions["370322"])
    assert (claimed.region.code, claimed.level, claimed.claimed_from_id, claimed.status) == (
        "370322", "county", city_item.pk, ItemStatus.DRAFT,
    )  # fmt: skip
    assert selectors.claimable_items(admin_user_gq).get().already
    with pytest.raises(ValidationError):
        services.item_claim(user=admin_user_gq, item=city_item, region=regions["370322"])
    with pytest.raises(PermissionDenied):  # 沂源 cannot claim into 高青
        services.item_claim(user=admin_yy, item=city_item, region=regions["370322"])
    draft = _item(city_approver, regions["370300"], "SJ-02")
    with pytest.raises(ValidationError, match="已发布"):
        services.item_claim(user=admin_user_gq, item=draft, region=regions["370322"])


def test_county_cannot_claim_sibling_or_own_item(regions, admin_user_gq, admin_yy):
    own = services.item_publish(user=admin_user_gq, item=_item(admin_user_gq, regions["370322"]))
    with pytest.raises(ValidationError):
        services.item_claim(user=admin_user_gq, item=own, region=regions["370322"])
    with pytest.raises(ValidationError):
        services.item_claim(user=admin_yy, item=own, region=regions["370323"])


def test_inspector_role_cannot_publish(regions, admin_user_gq, inspector_gq):
    item = _item(admin_user_gq, regions["370322"])
    with pytest.raises(PermissionDenied):
        services.item_publish(user=inspector_gq, item=item)
