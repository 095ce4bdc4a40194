import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from shuangsuiji.directory.business_lines import BUSINESS_LINES
from shuangsuiji.directory.models import BusinessLine, LeavePeriod, RegulatedUnit

from .factories import credit, make_inspector, make_unit

pytestmark = pytest.mark.django_db


def test_business_lines_are_seeded_with_stable_codes():
    assert list(BusinessLine.objects.values_list("code", flat=True)) == [code for code, _, _ in BUSINESS_LINES]
    assert BusinessLine.objects.get(code="ggcs").name == "公共场所卫生"
    assert BusinessLine.objects.get(code="zyy").name == "中医药服务"  # 蓟州 2022 附件10 (issue #15 point 7)
    assert BusinessLine.objects.count() == 14


def test_unit_rejects_bad_credit_code_in_full_clean(regions):
    bad = credit(1)[:17] + ("0" if credit(1)[17] != "0" else "1")
    unit = RegulatedUnit(credit_code=bad, name="甲", region=regions["370322"])
    with pytest.raises(ValidationError) as exc:
        unit.full_clean()
    assert "校验位错误" in str(exc.value.message_dict["credit_code"])


def test_credit_code_is_unique_across_regions(regions):
    make_unit(regions, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        RegulatedUnit.objects.create(credit_code=credit(1), name="重复", region=regions["370323"])


def test_leave_period_end_must_not_precede_start(orgs):
    inspector = make_inspector(orgs["gaoqing_agency"], 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        LeavePeriod.objects.create(inspector=inspector, start=dt.date(2026, 5, 2), end=dt.date(2026, 5, 1), reason="x")


def test_inspector_certificate_and_leave_helpers(orgs):
    inspector = make_inspector(orgs["gaoqing_agency"], 1, cert_valid_from=dt.date(2024, 1, 1))
    LeavePeriod.objects.create(
        inspector=inspector, start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 10), reason="年休假"
    )
    assert inspector.cert_valid_on(dt.date(2026, 1, 1))
    assert not inspector.cert_valid_on(dt.date(2031, 1, 1))
    assert not inspector.cert_valid_on(dt.date(2023, 12, 31))
    assert inspector.on_leave(dt.date(2026, 5, 10))
    assert not inspector.on_leave(dt.date(2026, 5, 11))


def test_unit_scope_follows_region(regions, admin_user_gq, admin_yy):
    gq = make_unit(regions, 1, "370322")
    yy = make_unit(regions, 2, "370323")
    assert list(RegulatedUnit.objects.restrict(admin_user_gq, "view")) == [gq]
    assert list(RegulatedUnit.objects.restrict(admin_yy, "view")) == [yy]
