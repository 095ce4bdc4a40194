import pytest
from django.urls import reverse

from conftest import PASSWORD
from shuangsuiji.accounts.models import User
from shuangsuiji.core.models import ObjectChange

pytestmark = pytest.mark.django_db


def login(client, user):
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "login failed"


def test_login_page_is_chinese_and_protected_by_csp(client):
    response = client.get(reverse("accounts:login"))
    assert "登录" in response.text
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Request-ID"]


def test_pages_require_login(client):
    for name in ["core:home", "core:audit_list", "accounts:user_list", "core:holiday_list"]:
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_login_and_logout_are_audited(client, inspector_gq):
    login(client, inspector_gq)
    client.post(reverse("accounts:logout"))
    rows = ObjectChange.objects.filter(action__in=["login", "logout"]).order_by("id")
    actions = list(rows.values_list("action", "user_name"))
    assert actions == [("login", "gq_inspector"), ("logout", "gq_inspector")]


def test_failed_logins_lock_the_account_after_five(client, inspector_gq):
    for _ in range(5):
        response = client.post(reverse("accounts:login"), {"username": "gq_inspector", "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": "gq_inspector", "password": PASSWORD})
    assert response.status_code == 429
    assert "锁定" in response.text
    assert ObjectChange.objects.filter(action="login_failed").count() >= 5
    assert not client.session.get("_auth_user_id")


def test_wrong_password_message_in_chinese(client, inspector_gq):
    response = client.post(reverse("accounts:login"), {"username": "gq_inspector", "password": "wrong"})
    assert "用户名或密码错误" in response.text


def test_idle_session_is_logged_out(client, inspector_gq, settings):
    login(client, inspector_gq)
    session = client.session
    session["last_seen"] = 1  # long ago
    session.save()
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_home_shows_menu_by_role(client, admin_user_gq, inspector_gq):
    login(client, admin_user_gq)
    page = client.get(reverse("core:home")).text
    assert "用户管理" in page and "审计日志" in page
    client.post(reverse("accounts:logout"))
    login(client, inspector_gq)
    page = client.get(reverse("core:home")).text
    assert "用户管理" not in page and "审计日志" not in page


def test_admin_sees_calendar_todo_for_unmaintained_next_year(client, admin_user_gq, time_machine):
    time_machine.move_to("2026-11-23 10:00 +0800")
    login(client, admin_user_gq)
    assert "2027年节假日安排未维护" in client.get(reverse("core:home")).text


def test_user_list_is_scoped_and_htmx_returns_partial(client, admin_user_gq, admin_yy):
    login(client, admin_user_gq)
    page = client.get(reverse("accounts:user_list")).text
    assert "gq_admin" in page and "yy_admin" not in page
    partial = client.get(reverse("accounts:user_list"), {"q": "gq"}, headers={"HX-Request": "true"})
    assert 'id="results"' in partial.text and "<html" not in partial.text


def test_inspector_cannot_manage_users(client, inspector_gq):
    login(client, inspector_gq)
    assert client.get(reverse("accounts:user_list")).status_code == 403
    assert client.get(reverse("accounts:user_create")).status_code == 403


def test_admin_creates_user_through_the_form(client, admin_user_gq, orgs):
    login(client, admin_user_gq)
    response = client.post(
        reverse("accounts:user_create"),
        {"username": "zhang3", "full_name": "张三", "role": "inspector",
         "organization": orgs["gaoqing_agency"].pk, "password": "Zhang#2026x"},
    )  # fmt: skip
    assert response.status_code == 302
    assert User.objects.get(username="zhang3").organization == orgs["gaoqing_agency"]


def test_admin_cannot_pick_another_countys_organisation(client, admin_user_gq, orgs):
    login(client, admin_user_gq)
    response = client.post(
        reverse("accounts:user_create"),
        {"username": "spy", "full_name": "x", "role": "admin", "organization": orgs["yiyuan"].pk,
         "password": "Zhang#2026x"},
    )  # fmt: skip
    assert response.status_code == 200 and "选择一个有效的选项" in response.text
    assert not User.objects.filter(username="spy").exists()


def test_user_edit_of_other_county_is_404(client, admin_user_gq, admin_yy):
    login(client, admin_user_gq)
    assert client.get(reverse("accounts:user_edit", args=[admin_yy.pk])).status_code == 404
