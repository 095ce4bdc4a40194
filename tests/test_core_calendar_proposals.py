"""The working-day calendar is national data (issue #11): only a province-level administrator or a superuser
changes it; county and city administrators propose changes and see them pending; the province decides."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.roles import Role
from shuangsuiji.core import services
from shuangsuiji.core.models import CalendarProposal, CalendarYear, HolidayOverride, ObjectChange

pytestmark = pytest.mark.django_db

DAY = {"date": "2031-01-02", "name": "越权假日", "is_workday": ""}


@pytest.fixture
def people(make_user, admin_user_gq, approver_gq, inspector_gq, admin_yy, province_admin):
    return {
        "province_admin": province_admin,
        "city_admin": make_user("zb_admin", Role.ADMIN, org="city"),
        "county_admin": admin_user_gq,
        "other_county_admin": admin_yy,
        "approver": approver_gq,
        "inspector": inspector_gq,
        "province_approver": make_user("sd_leader", Role.APPROVER, org="province"),
        "superuser": User.objects.create_superuser("root", password="Root@2026!x"),
    }


EDITORS = {"province_admin", "superuser"}
PROPOSERS = {"city_admin", "county_admin", "other_county_admin"}


@pytest.mark.parametrize(
    "who",
    ["province_admin", "superuser", "city_admin", "county_admin", "other_county_admin", "approver", "inspector",
     "province_approver"],
)  # fmt: skip
def test_who_edits_and_who_proposes(client, people, who):
    user = people[who]
    client.force_login(user)
    assert services.can_edit_calendar(user) is (who in EDITORS)
    assert services.can_propose_calendar(user) is (who in PROPOSERS)
    response = client.post(reverse("core:holiday_add"), DAY)
    assert response.status_code == (302 if who in EDITORS else 403)
    assert HolidayOverride.objects.filter(date="2031-01-02").exists() is (who in EDITORS)
    response = client.post(reverse("core:calendar_year_confirm"), {"year": "2031", "source": "伪造依据"})
    assert response.status_code == (302 if who in EDITORS else 403)
    assert CalendarYear.objects.filter(year=2031).exists() is (who in EDITORS)
    proposal = {"kind": "set_day", "date": "2031-01-03", "source": "国办发明电", "reason": "漏录"}
    response = client.post(reverse("core:calendar_propose"), proposal)
    assert response.status_code == (302 if who in PROPOSERS else 403)
    assert CalendarProposal.objects.exists() is (who in PROPOSERS)
    page = client.get(reverse("core:holiday_list")).text
    assert ('action="/calendar/add/"' in page) is (who in EDITORS)
    assert ('id="calendar-propose"' in page) is (who in PROPOSERS)
    if who not in EDITORS:
        with pytest.raises(PermissionDenied, match="省级系统管理员"):
            services.holiday_save(user=user, date=dt.date(2031, 1, 4), is_workday=False)


def test_county_proposes_the_province_accepts_and_the_change_applies(client, people):
    county, other, province = people["county_admin"], people["other_county_admin"], people["province_admin"]
    client.force_login(county)
    client.post(
        reverse("core:calendar_propose"),
        {"kind": "set_day", "date": "2031-10-08", "is_workday": "on", "name": "国庆节调休上班",
         "source": "国务院办公厅关于2031年部分节假日安排的通知", "reason": "通知已发布，系统尚未录入"},
    )  # fmt: skip
    proposal = CalendarProposal.objects.get()
    assert (proposal.status, proposal.region_code, proposal.proposed_by) == ("pending", "370322", county)
    assert not HolidayOverride.objects.exists()  # a proposal changes nothing
    page = client.get(reverse("core:holiday_list")).text
    assert "2031年10月8日 设为上班" in page and "待审核" in page and "采纳</button>" not in page
    # another county's administrator does not see it; the province does, and decides
    client.force_login(other)
    assert "2031年10月8日" not in client.get(reverse("core:holiday_list")).text
    assert (
        client.post(reverse("core:calendar_proposal_decide", args=[proposal.pk]), {"decision": "accept"}).status_code
        == 403
    )
    client.force_login(province)
    assert "采纳</button>" in client.get(reverse("core:holiday_list")).text
    response = client.post(reverse("core:calendar_proposal_decide", args=[proposal.pk]), {"decision": "accept"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == ("accepted", province)
    assert HolidayOverride.objects.get(date="2031-10-08").is_workday is True
    assert ObjectChange.objects.filter(object_type="core.calendarproposal").count() == 2
    assert ObjectChange.objects.filter(
        object_type="core.holidayoverride", action="create", user_id=province.pk
    ).exists()
    with pytest.raises(ValidationError, match="已采纳"):
        services.proposal_decide(user=province, proposal=proposal, accept=False, note="重复")


def test_rejection_needs_a_note_and_changes_nothing(people):
    county, province = people["city_admin"], people["province_admin"]
    proposal = services.proposal_create(user=county, kind="confirm_year", year=2031, source="伪造依据", reason="想确认")
    with pytest.raises(ValidationError):
        services.proposal_decide(user=province, proposal=proposal, accept=False)
    services.proposal_decide(user=province, proposal=proposal, accept=False, note="通知尚未发布")
    proposal.refresh_from_db()
    assert proposal.status == "rejected" and not CalendarYear.objects.exists()
    with pytest.raises(PermissionDenied):
        services.proposal_decide(user=county, proposal=proposal, accept=True)


def test_proposal_input_errors_are_chinese(people):
    county = people["county_admin"]
    with pytest.raises(ValidationError, match="请填写日期"):
        services.proposal_create(user=county, kind="set_day", source="依据", reason="理由")
    with pytest.raises(ValidationError, match="没有本系统维护的调整"):
        services.proposal_create(user=county, kind="delete_day", date=dt.date(2031, 5, 5), source="依据", reason="理由")
    with pytest.raises(ValidationError):
        services.proposal_create(user=county, kind="set_day", date=dt.date(2031, 5, 5), source="依据", reason="")
    with pytest.raises(PermissionDenied):
        services.proposal_create(user=people["approver"], kind="confirm_year", year=2031, source="依据", reason="理由")
