"""Result entry in the browser: an assigned inspector fills the result, both inspectors sign with their
own logins, the approver publishes; the result is then read-only."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from shuangsuiji.inspections import services
from shuangsuiji.inspections.testing import link_users, locked_draw
from shuangsuiji.plans import testing

from . import CERTS_VALID_TO

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="待办事项")).to_be_visible()


def logout(page):
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("button", name="登录")).to_be_visible()


def second_signature_and_publication(page, base, result, unit_name):
    """gq_inspector2 signs the result the first officer signed (it is then 已提交), gq_approver publishes it from
    the 待公示 list (and stays logged in)."""
    login(page, base, "gq_inspector2")
    page.goto(f"{base}/inspections/{result.pk}/")
    page.get_by_role("button", name="本人签名确认").click()
    expect(page.locator("#result-status")).to_have_text("已提交")
    logout(page)

    login(page, base, "gq_approver")
    page.goto(f"{base}/inspections/publish/")
    page.get_by_label(f"选择 {unit_name}").check()
    page.get_by_role("button", name="批量公示所选结果").click()
    expect(page.get_by_text("已公示 1 条检查结果")).to_be_visible()


def test_enter_sign_and_publish(page, live_server, regions, orgs, approver_gq, inspector_gq, make_user, screenshot_dir):
    csp_errors = []
    page.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("dialog", lambda dialog: dialog.accept())  # data-confirm prompts
    region = regions["370322"]
    testing.make_units(region, 20)
    testing.make_inspectors(orgs["gaoqing_agency"], 4, valid_to=CERTS_VALID_TO)
    item = testing.make_item(region)
    _plan, task = testing.published_plan_with_task(  # 检查时间 from the lock day: the check on 2 March is inside it
        author=inspector_gq,
        approver=approver_gq,
        organization=orgs["gaoqing"],
        item=item,
        window_start=dt.date(2026, 3, 1),
        window_end=dt.date(2026, 12, 31),
    )
    draw = locked_draw(task, approver_gq, now=timezone.make_aware(dt.datetime(2026, 3, 1, 10, 0)))
    result = sorted(services.results_open_for_draw(draw=draw, user=approver_gq), key=lambda r: r.pk)[0]
    second = make_user("gq_inspector2", org="gaoqing_agency")
    link_users(result.target, inspector_gq, second)
    base = live_server.url

    login(page, base, "gq_inspector")
    expect(page.get_by_text("检查结果待录入")).to_be_visible()
    page.get_by_text("检查结果待录入").click()
    page.get_by_role("link", name=result.target.unit_name).click()
    expect(page.locator("#result-status")).to_have_text("未检查")
    page.get_by_label("检查日期").fill("2026-03-02")
    page.get_by_label("实地检查").check()
    page.get_by_label("抽查结果").select_option("1")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#result-status")).to_have_text("录入中")
    expect(page.locator("#publish-due")).to_have_text("2026年3月30日")
    page.get_by_role("button", name="本人签名确认").click()
    expect(page.locator("#signatures")).to_contain_text("由账号 gq_inspector")
    page.screenshot(path=screenshot_dir / "result-entry.png", full_page=True)
    logout(page)

    second_signature_and_publication(page, base, result, result.target.unit_name)
    page.goto(f"{base}/inspections/{result.pk}/")
    expect(page.locator("#result-status")).to_have_text("已公示")
    expect(page.locator("#result-form")).to_have_count(0)  # immutable: only 更正 remains
    expect(page.get_by_role("link", name="更正")).to_be_visible()
    assert csp_errors == [], csp_errors
