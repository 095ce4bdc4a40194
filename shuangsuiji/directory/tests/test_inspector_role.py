"""Role review (issue #11): what an 执法人员 may do in 一单两库 — only their own leave and 回避 declarations;
withdrawing a 回避 declaration needs the approver; no risk classes, inspector records, plans or item versions."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from shuangsuiji.accounts.roles import Role
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.directory import services
from shuangsuiji.directory.models import ConflictDeclaration, LeavePeriod, RiskRating

from .factories import make_inspector, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(regions, orgs, inspector_gq, approver_gq):
    own = make_inspector(orgs["gaoqing_agency"], 1, user=inspector_gq)
    colleague = make_inspector(orgs["gaoqing_agency"], 2)
    unit = make_unit(regions, 1)
    return own, colleague, unit


def test_inspector_declares_and_withdraws_own_leave_only(client, team, inspector_gq):
    own, colleague, _unit = team
    client.force_login(inspector_gq)
    page = client.get(reverse("directory:inspector_detail", args=[own.pk])).text
    assert (
        "登记不可选派期间" in page
        and "回避申报" in page
        and reverse("directory:inspector_edit", args=[own.pk]) not in page
    )
    other = client.get(reverse("directory:inspector_detail", args=[colleague.pk])).text
    assert "登记不可选派期间" not in other and "回避申报</a>" not in other
    data = {"start": "2026-12-01", "end": "2026-12-05", "reason": "年休假"}
    assert client.post(reverse("directory:leave_add", args=[own.pk]), data).status_code == 302
    assert client.post(reverse("directory:leave_add", args=[colleague.pk]), data).status_code == 403
    assert client.get(reverse("directory:leave_add", args=[colleague.pk])).status_code == 403
    mine = LeavePeriod.objects.get(inspector=own)
    theirs = services.leave_add(user=SYSTEM, inspector=colleague, start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 2),
                                reason="培训")  # fmt: skip
    assert client.post(reverse("directory:leave_delete", args=[theirs.pk])).status_code == 403
    assert client.post(reverse("directory:leave_delete", args=[mine.pk])).status_code == 302
    assert list(LeavePeriod.objects.all()) == [theirs]


def test_conflict_declaration_is_added_by_the_inspector_and_withdrawn_by_the_approver(
    client, team, inspector_gq, approver_gq
):
    own, colleague, unit = team
    client.force_login(inspector_gq)
    data = {"unit_code": unit.credit_code, "relation": "relative", "start": "2026-01-01"}
    assert client.post(reverse("directory:conflict_add", args=[colleague.pk]), data).status_code == 403
    response = client.post(reverse("directory:conflict_add", args=[own.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    declaration = ConflictDeclaration.objects.get(inspector=own)
    assert "撤销</button>" not in client.get(reverse("directory:inspector_detail", args=[own.pk])).text
    assert client.post(reverse("directory:conflict_delete", args=[declaration.pk])).status_code == 403
    with pytest.raises(PermissionDenied, match="科室负责人"):
        services.conflict_delete(user=inspector_gq, declaration=declaration)
    assert ConflictDeclaration.objects.filter(pk=declaration.pk).exists()
    client.force_login(approver_gq)
    assert "撤销</button>" in client.get(reverse("directory:inspector_detail", args=[own.pk])).text
    assert client.post(reverse("directory:conflict_delete", args=[declaration.pk])).status_code == 302
    assert not ConflictDeclaration.objects.exists()
    assert ObjectChange.objects.filter(object_type="directory.conflictdeclaration", action="delete").count() == 1


def test_inspector_sets_no_risk_class_and_edits_no_inspector(client, team, inspector_gq, approver_gq):
    own, colleague, unit = team
    client.force_login(inspector_gq)
    assert "登记信用风险分类" not in client.get(reverse("directory:unit_detail", args=[unit.pk])).text
    data = {"level": "D", "as_of": "2026-03-01", "source": "越权"}
    assert client.post(reverse("directory:unit_risk_add", args=[unit.pk]), data).status_code == 403
    with pytest.raises(PermissionDenied):
        services.unit_set_risk(user=inspector_gq, unit=unit, level="D", as_of=dt.date(2026, 3, 1))
    for target in (own, colleague):
        assert client.get(reverse("directory:inspector_edit", args=[target.pk])).status_code == 403
        with pytest.raises(PermissionDenied):
            services.inspector_save(user=inspector_gq, inspector=target, data={"phone": "1"})
    assert client.get(reverse("directory:inspector_create")).status_code == 403
    assert not RiskRating.objects.filter(level="D").exists()
    # the approver still does all of it, and the rating remembers who changed what
    rating = services.unit_set_risk(
        user=approver_gq, unit=unit, level="D", as_of=dt.date(2026, 3, 1), source="年度评定"
    )
    assert (rating.previous_level, rating.level, rating.created_by) == ("", "D", approver_gq)


@pytest.mark.parametrize(
    "perm, allowed",
    [
        ("directory.add_riskrating", False), ("directory.change_inspector", False), ("directory.add_inspector", False),
        ("plans.add_annualplan", False), ("directory.add_inspectionitem", False),
        ("directory.approve_conflictdeclaration", False), ("directory.add_conflictdeclaration", True),
        ("directory.add_leaveperiod", True), ("directory.change_leaveperiod", True), ("inspections.enter_result", True),
        ("directory.change_regulatedunit", True),
    ],
)  # fmt: skip
def test_inspector_role_table(make_user, perm, allowed):
    assert make_user("zf", Role.INSPECTOR).has_perm(perm) is allowed
    assert make_user("ld", Role.APPROVER).has_perm(perm)  # the approver keeps every one of them
