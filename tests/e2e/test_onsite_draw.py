"""The draw finished in one sitting (issue #17), at 1366 px: the clerk invites two witnesses (纪检 and a unit
representative); each, in their own browser with their own login, hands in the SHA-256 of a secret computed
in the browser; the clerk publishes the commitment (no lottery, no drand: offline); each reveals; the clerk
draws and locks (offered only once nothing is missing); each witness confirms the locked record with their
login; the record shows who confirmed and how."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from shuangsuiji.accounts.roles import Role
from shuangsuiji.core.testing import run_jobs
from shuangsuiji.draws.models import Draw
from shuangsuiji.plans import testing

from . import CERTS_VALID_TO

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}


def open_as(browser, live_server, username):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="待办事项")).to_be_visible()
    return page


def test_meeting_draw_with_two_witnesses(browser, live_server, regions, orgs, approver_gq, oversight_gq, make_user,
                                         screenshot_dir, time_machine):  # fmt: skip
    csp_errors = []
    region = regions["370322"]
    testing.make_units(region, 20)
    testing.make_inspectors(orgs["gaoqing_agency"], 4, valid_to=CERTS_VALID_TO)
    rep = make_user("gq_rep", Role.INSPECTOR, org="gaoqing_agency")
    for user, name in ((rep, "钱代表"), (oversight_gq, "赵纪检")):
        user.full_name = name
        user.save()
    today = timezone.localdate()
    _plan, task = testing.published_plan_with_task(
        author=make_user("gq_author"), approver=approver_gq, organization=orgs["gaoqing"], year=today.year,
        item=testing.make_item(region), window_start=today, window_end=dt.date(today.year, 12, 31),
    )  # fmt: skip

    # 1. The clerk invites both witnesses on the start page.
    clerk = open_as(browser, live_server, "gq_approver")
    clerk.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    clerk.goto(f"{live_server.url}/draws/new/{task.pk}/")
    expect(clerk.locator("#source-protections")).to_contain_text("监督人随机数：防止经办人预先知道或挑选结果")
    expect(clerk.locator("#source-protections")).to_contain_text("drand 公共随机信标：防止在场人员")
    for user in (oversight_gq, rep):
        clerk.get_by_label("有账号的监督人").select_option(value=str(user.pk))
        clerk.get_by_role("button", name="登记监督人").click()
    expect(clerk.locator("#start-witness-table tbody tr")).to_have_count(2)
    expect(clerk.locator("#start-witness-table")).to_contain_text("尚未交来")

    # 2. Each witness, with their own login, hands in the hash of a secret (computed in their browser).
    witnesses = {}
    for username, secret in (("gq_oversight", "3141 5926 5358"), ("gq_rep", "2718 2818 2845")):
        page = open_as(browser, live_server, username)
        page.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
        page.get_by_text("监督人待办").click()
        expect(page.locator("#witness-step")).to_contain_text("请交来随机数的承诺哈希")
        page.wait_for_load_state("load")  # the hashing script is at the end of the page
        page.get_by_label("我的随机数（不发送）").fill(secret)
        expect(page.get_by_label("承诺哈希（发送）")).to_have_value(re.compile(r"^[0-9a-f]{64}$"))
        page.get_by_role("button", name="交来承诺哈希").click()
        expect(page.locator("body")).to_contain_text("已记录监督人")
        witnesses[username] = page

    # 3. The clerk publishes the commitment with both hashes in it (offline: no lottery, no drand).
    clerk.reload()
    expect(clerk.locator("#start-witness-table")).not_to_contain_text("尚未交来")
    clerk.get_by_role("button", name="冻结号池并公布承诺").click()
    expect(clerk.locator("#job-progress")).to_be_visible()
    run_jobs()
    clerk.reload()
    clerk.get_by_role("link", name="查看结果").click()
    expect(clerk.locator("#draw-status")).to_contain_text("待公开随机值")
    expect(clerk.locator("#sources-table")).to_contain_text("监督人 赵纪检 的承诺随机数")
    expect(clerk.locator("#sources-table")).to_contain_text("监督人 钱代表 的承诺随机数")
    expect(clerk.locator("section[id^=step-] h2")).to_have_text([
        re.compile("^① 冻结号池"), re.compile("^② 录入或揭示"), re.compile("^③ 监督人"), re.compile("^④ 锁定并公示")
    ])  # fmt: skip
    expect(clerk.locator("#lock-missing")).to_contain_text("监督人 赵纪检 尚未揭示随机数")
    expect(clerk.get_by_role("button", name="锁定并公示结果")).to_have_count(0)
    draw_url = clerk.url
    draw = Draw.objects.get(task=task)
    assert [s["kind"] for s in draw.sources.values_list("spec", flat=True)] == ["witness", "witness"]

    # 4. Each witness reveals (the secret is prefilled from their own browser); the clerk draws and locks.
    time_machine.move_to(draw.published_at + dt.timedelta(minutes=1), tick=True)  # reveals come after the log entry
    for page in witnesses.values():
        page.reload()
        expect(page.locator("#witness-step")).to_contain_text("请揭示您的随机数")
        expect(page.get_by_label("我的随机数")).not_to_have_value("")
        page.get_by_role("button", name="揭示").click()
        expect(page.locator("body")).to_contain_text("与承诺哈希相符")
    clerk.goto(draw_url)
    clerk.get_by_role("button", name="核对随机值").click()
    clerk.get_by_role("button", name="确认无误，执行抽取").click()
    expect(clerk.locator("#draw-status")).to_contain_text("待锁定")
    expect(clerk.locator("section[id^=step-] h2")).to_have_count(6)
    expect(clerk.locator("section[id^=step-] h2").nth(4)).to_have_text(re.compile("^⑤ 监督人"))
    clerk.get_by_role("button", name="锁定并公示结果").click()
    expect(clerk.locator("#draw-status")).to_contain_text("已锁定公示")
    clerk.screenshot(path=screenshot_dir / "onsite-locked.png", full_page=True)

    # 5. Each witness confirms the locked record with their own login.
    for page in witnesses.values():
        page.reload()
        expect(page.locator("#witness-step")).to_contain_text("请核对后确认")
        page.get_by_role("button", name="我已核对，确认抽取记录").click()
        expect(page.locator("#witness-confirmed")).to_contain_text("确认锁定的抽取记录")
        page.context.close()
    clerk.goto(draw_url)
    expect(clerk.locator("#witnesses")).to_contain_text("本人登录")
    expect(clerk.locator("#witnesses")).not_to_contain_text("待确认")
    clerk.get_by_role("link", name="抽取记录（打印）").click()
    expect(clerk.locator("body")).to_contain_text("本人登录确认")
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}（本人登录确认）", clerk.locator("body").inner_text())
    clerk.context.close()
    assert csp_errors == [], csp_errors
