"""Uniqueness the importer relies on is enforced by the database, with Chinese messages instead of a 500."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.directory import services
from shuangsuiji.directory.choices import ConflictRelation, ImportKind, ImportStatus
from shuangsuiji.directory.models import Expert, InspectionItem

from .factories import credit, make_inspector, make_unit, xlsx_bytes
from .test_import_items_experts import EXPERT_HEADERS, expert_row, make_expert, make_item, prepare

pytestmark = pytest.mark.django_db


def test_national_items_are_unique_on_code_and_version(regions):
    item = make_item(regions, "GJ-001", region="370322")
    national = InspectionItem.objects.filter(pk=item.pk).values().get()
    for key in ("id", "region_id", "previous_version_id", "claimed_from_id"):
        national.pop(key)
    InspectionItem.objects.create(**national, region=None)
    duplicate = InspectionItem(**national, region=None)
    with pytest.raises(ValidationError, match="国家级抽查事项中已有相同事项编码和版本号"):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    InspectionItem.objects.create(**{**national, "version": 2}, region=None)  # another version is fine


def test_expert_numbers_are_unique_when_filled_in(regions):
    make_expert(regions, "李四", qualification_no="ZJ00001")
    with pytest.raises(ValidationError, match="资质证书编号已被专家库中的另一条记录使用"):
        make_expert(regions, "张三", qualification_no="zj00001")  # case-insensitive, as the importer matches
    services.expert_save(user=SYSTEM, data={"kind": "agency", "name": "检测公司", "credit_code": credit(3),
                                           "region": regions["370322"]})  # fmt: skip
    with pytest.raises(ValidationError, match="统一社会信用代码已被专家库中的另一条记录使用"):
        services.expert_save(user=SYSTEM, data={"kind": "agency", "name": "另一公司", "credit_code": credit(3),
                                               "region": regions["370323"]})  # fmt: skip
    make_expert(regions, "王五")
    make_expert(regions, "赵六")  # blank numbers never collide
    assert Expert.objects.count() == 4


def test_identical_conflict_declarations_are_refused(regions, orgs, admin_user_gq):
    unit = make_unit(regions, 1)
    inspector = make_inspector(orgs["gaoqing_agency"], 1)
    for end in (None, dt.date(2026, 12, 31)):
        args = {"inspector": inspector, "unit": unit, "relation": ConflictRelation.RELATIVE,
                "start": dt.date(2026, 1, 1), "end": end}  # fmt: skip
        services.conflict_add(user=admin_user_gq, **args)
        with pytest.raises(ValidationError, match="已有相同的回避申报"):
            services.conflict_add(user=admin_user_gq, **args)
    assert inspector.conflicts.count() == 2


def test_expert_import_names_rows_whose_numbers_belong_to_another_expert(regions, admin_user_gq):
    make_expert(regions, "李四", qualification_no="ZJ00001")
    services.expert_save(user=SYSTEM, data={"kind": "agency", "name": "检测公司", "credit_code": credit(3),
                                           "region": regions["370322"]})  # fmt: skip
    rows = [
        expert_row(2),  # fine
        expert_row(5, **{"统一社会信用代码": credit(3)}),  # new expert carrying the agency's credit code
        expert_row(6, **{"统一社会信用代码": credit(7)}),
        expert_row(8, **{"统一社会信用代码": credit(7)}),  # same code as the row above
    ]
    batch = prepare(admin_user_gq, xlsx_bytes(EXPERT_HEADERS, rows), ImportKind.EXPERT)
    assert batch.status != ImportStatus.READY
    errors = {(row, column): message for row, column, message in batch.errors}
    # (a row with a 资质证书编号 is matched by it, so only the credit code can collide with another record)
    assert "已被专家库中的另一条记录使用" in errors[3, "统一社会信用代码"]
    assert "与第4行的统一社会信用代码重复" in errors[5, "统一社会信用代码"]
    assert 2 not in {row for row, _ in errors} and Expert.objects.count() == 2
