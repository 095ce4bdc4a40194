"""Smoke test of the shell as a new user meets it: log in, see the menu, navigate, filter, log out."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_login_navigate_and_logout(page, live_server, admin_user_gq, admin_yy, screenshot_dir):
    csp_errors = []
    page.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    page.get_by_label("用户名").fill("gq_admin")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("heading", name="待办事项")).to_be_visible()
    expect(page.get_by_text("gq_admin（系统管理员）")).to_be_visible()
    page.screenshot(path=screenshot_dir / "home.png", full_page=True)

    page.get_by_role("link", name="用户管理").click()
    expect(page.get_by_role("heading", name="用户管理")).to_be_visible()
    table = page.locator("#results table")
    expect(table).to_contain_text("gq_admin")
    expect(table).not_to_contain_text("yy_admin")  # another county is never visible

    page.get_by_label("用户名/姓名").fill("nobody")
    page.get_by_role("button", name="查询").click()  # htmx swaps only the results
    expect(page.locator("#results")).to_contain_text("共 0 条")
    expect(page).to_have_url(f"{live_server.url}/accounts/users/?q=nobody&role=&is_active=unknown")

    page.get_by_role("link", name="审计日志").click()
    expect(page.locator("#results table")).to_contain_text("登录成功")
    # Whole-chain verification is for province/city admins and 纪检 (a county must not learn global counts).
    expect(page.get_by_role("button", name="校验审计链完整性")).to_have_count(0)

    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    assert csp_errors == [], csp_errors
