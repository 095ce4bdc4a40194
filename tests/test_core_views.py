import pytest
from django.urls import reverse

from shuangsuiji.accounts.roles import Role
from shuangsuiji.accounts.tests.test_views import login
from shuangsuiji.core.models import CalendarYear, HolidayOverride, ObjectChange
from shuangsuiji.core.testing import finished_job

pytestmark = pytest.mark.django_db


def test_audit_list_detail_and_verify(client, admin_user_gq, make_user):
    login(client, admin_user_gq)
    page = client.get(reverse("core:audit_list")).text
    assert "登录成功" in page
    change = ObjectChange.objects.first()
    detail = client.get(reverse("core:audit_detail", args=[change.pk])).text
    assert change.hash in detail
    assert client.post(reverse("core:audit_verify")).status_code == 403  # a county sees no global count
    client.post(reverse("accounts:logout"))
    login(client, make_user("zb_admin", Role.ADMIN, org="city"))
    job = finished_job(client.post(reverse("core:audit_verify")))
    assert "审计链完整" in client.get(job.get_absolute_url()).text


def test_oversight_can_read_audit_but_inspector_cannot(client, oversight_gq, inspector_gq):
    login(client, oversight_gq)
    assert client.get(reverse("core:audit_list")).status_code == 200
    client.post(reverse("accounts:logout"))
    login(client, inspector_gq)
    assert client.get(reverse("core:audit_list")).status_code == 403


def test_province_admin_maintains_holidays_and_confirms_a_year(client, province_admin):
    login(client, province_admin)
    response = client.post(reverse("core:holiday_add"), {"date": "2027-01-01", "name": "元旦"})
    assert response.status_code == 302
    assert HolidayOverride.objects.get(date="2027-01-01").is_workday is False
    client.post(reverse("core:calendar_year_confirm"), {"year": 2027, "source": "国办发明电〔2026〕"})
    assert CalendarYear.objects.filter(year=2027).exists()
    page = client.get(reverse("core:holiday_list"), {"year": 2027}).text
    assert 'id="workday-count"' in page
    holiday = HolidayOverride.objects.get(date="2027-01-01")
    client.post(reverse("core:holiday_delete", args=[holiday.pk]))
    assert not HolidayOverride.objects.exists()
    assert ObjectChange.objects.filter(object_type="core.holidayoverride", action="delete").exists()


def test_holiday_form_errors_are_reported_in_chinese(client, province_admin):
    login(client, province_admin)
    response = client.post(reverse("core:holiday_add"), {"date": "not-a-date"}, follow=True)
    assert "保存失败" in response.text and "日期" in response.text


def test_uncovered_year_page_says_so(client, admin_user_gq):
    login(client, admin_user_gq)
    page = client.get(reverse("core:holiday_list"), {"year": 2028}).text
    assert 'id="calendar-missing"' in page and "2028年的法定节假日安排尚未维护" in page


def test_approver_cannot_edit_calendar(client, approver_gq):
    login(client, approver_gq)
    assert client.post(reverse("core:holiday_add"), {"date": "2027-01-01"}).status_code == 403
