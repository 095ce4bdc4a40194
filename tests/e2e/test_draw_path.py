"""The whole path as a new user meets it: an inspector drafts the 2026 plan and a task; the 科室负责人
approves and publishes it, freezes the pool and publishes the commitment (announcing a future 快乐8
issue); after the draw one person enters the numbers with the announcement, a second login confirms
them, the draw runs, a witness is recorded, the result is locked and re-verified, manifest + pool +
roster are downloaded and the stand-alone verifier prints VERIFIED.  (drand values with their real
signatures are covered by shuangsuiji/draws/tests/test_public_values.py.)"""

import datetime as dt
import subprocess
import sys

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from shuangsuiji.core.testing import run_jobs
from shuangsuiji.plans import testing
from shuangsuiji.plans.tests.fixtures import KL8_NUMBERS, after_draw_time, lottery_day

from . import CERTS_VALID_TO

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="待办事项")).to_be_visible()


def test_plan_to_verified_draw(page, live_server, regions, orgs, inspector_gq, approver_gq, admin_user_gq, tmp_path,
                               screenshot_dir, time_machine):  # fmt: skip
    csp_errors = []
    page.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("dialog", lambda dialog: dialog.accept())
    region = regions["370322"]
    testing.make_units(region, 30)
    testing.make_inspectors(orgs["gaoqing_agency"], 5, valid_to=CERTS_VALID_TO)
    item = testing.make_item(region)
    today = timezone.localdate()

    # 1. The 科室负责人 opens the plan (执法人员 may not create plans); the inspector drafts a task, watching
    #    the coverage estimate.
    login(page, live_server, "gq_approver")
    page.get_by_role("link", name="年度抽查工作计划").click()
    page.get_by_role("link", name="新增").click()
    page.get_by_label("年度").fill(str(today.year))
    page.get_by_label("计划名称").fill(f"高青县{today.year}年度卫生健康双随机抽查工作计划")
    page.get_by_label("编制单位").select_option(label="高青县卫生健康局")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#coverage")).to_contain_text("还没有抽查任务")
    page.get_by_role("button", name="退出").click()
    login(page, live_server, "gq_inspector")
    page.get_by_role("link", name="年度抽查工作计划").click()
    page.get_by_role("link", name=f"高青县{today.year}年度卫生健康双随机抽查工作计划").click()
    expect(page.locator("#coverage")).to_contain_text("还没有抽查任务")
    page.get_by_role("link", name="新增抽查任务").click()
    page.get_by_label("任务名称").fill("公共场所卫生监督抽查")
    page.get_by_label("检查开始日期").fill(today.isoformat())
    page.get_by_label("检查结束日期").fill(dt.date(today.year, 12, 31).isoformat())
    page.locator("#step-indicator").get_by_role("link", name="事项与比例").click()  # the form is in steps
    page.get_by_label("抽查比例（%）").fill("10")
    page.get_by_label("抽查比例（%）").blur()
    expect(page.locator("#preview")).to_contain_text("范围内检查对象 30 户")  # live preview (htmx)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", name="公共场所卫生监督抽查")).to_be_visible()
    page.get_by_label("抽查事项").select_option(value=str(item.pk))
    page.get_by_role("button", name="添加事项").click()
    expect(page.locator("#items")).to_contain_text(item.name)
    page.get_by_role("button", name="按高青比例表填入").click()
    expect(page.locator("#preview")).to_contain_text("3/10")  # 30 units: band 21–50 → 30%
    page.get_by_role("link", name=f"高青县{today.year}年度").first.click()
    expect(page.locator("#coverage")).to_contain_text("已达到目标")
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator("#plan-status")).to_have_text("待审核")
    page.get_by_role("button", name="退出").click()

    # 2. The 科室负责人 approves, publishes and starts the draw.
    login(page, live_server, "gq_approver")
    page.get_by_text("年度计划待审核").click()
    page.get_by_role("link", name=f"高青县{today.year}年度卫生健康双随机抽查工作计划").click()
    page.get_by_role("button", name="审核通过").click()
    page.get_by_role("button", name="公布计划").click()
    expect(page.locator("#plan-status")).to_have_text("已公布")
    expect(page.locator("#versions")).to_contain_text("第1版")
    page.get_by_role("link", name="待抽取任务").click()
    page.locator("#results tbody a").first.click()
    page.get_by_role("link", name="开始抽取").click()
    page.get_by_label("彩票种类").select_option(label="中国福利彩票快乐8")
    page.get_by_label("开奖期号").fill("2026321")
    page.get_by_label("开奖日期").fill(lottery_day().isoformat())  # the next draw still ahead
    page.get_by_role("button", name="冻结号池并公布承诺").click()
    expect(page.locator("#job-progress")).to_be_visible()  # the freeze is a background job
    run_jobs()  # the task worker, in this process
    page.reload()
    expect(page.locator("#job-result")).to_contain_text("号池已冻结")
    page.get_by_role("link", name="查看结果").click()
    expect(page.locator("#draw-status")).to_contain_text("待公开随机值")
    expect(page.locator("#strata")).to_contain_text("3/10")
    page.screenshot(path=screenshot_dir / "draw-commitment.png", full_page=True)

    draw_url = page.url

    # 3. After the lottery draw: one person enters the numbers with the announcement, a second confirms.
    time_machine.move_to(after_draw_time(), tick=True)
    login(page, live_server, "gq_approver")  # the idle timeout ended the session while "waiting"
    page.goto(draw_url)
    page.get_by_label("开奖号码", exact=True).fill(KL8_NUMBERS)
    page.get_by_label("开奖公告出处").fill("中国福利彩票官网 快乐8 第 2026321 期开奖公告")
    page.get_by_role("button", name="录入开奖号码").click()
    expect(page.locator("#sources-table")).to_contain_text("待复核")
    expect(page.locator("body")).to_contain_text("您是录入人，须由其他工作人员登录后复核")
    page.get_by_role("button", name="退出").click()
    login(page, live_server, "gq_admin")
    page.goto(draw_url)
    page.get_by_label("复核录入开奖号码").fill(KL8_NUMBERS.replace(" ", ","))
    page.get_by_role("button", name="复核确认").click()
    expect(page.locator("#sources-table")).to_contain_text("gq_admin")
    page.get_by_role("button", name="退出").click()
    login(page, live_server, "gq_approver")
    page.goto(draw_url)
    page.get_by_role("button", name="核对随机值").click()
    expect(page.locator("#confirm-values")).to_contain_text("01,05,09,12")
    expect(page.locator("#confirm-values")).to_contain_text("复核一致")
    page.get_by_role("button", name="确认无误，执行抽取").click()
    expect(page.locator("#draw-status")).to_contain_text("待锁定")
    expect(page.locator("#groups tbody tr")).to_have_count(9)  # 30% of 10 in each of three classes
    page.locator("#witness-form").get_by_label("姓名").fill("赵纪检")
    page.locator("#witness-form").get_by_label("单位/职务").fill("县纪委监委派驻纪检组")
    page.get_by_role("button", name="登记到场监督人").click()
    page.get_by_role("button", name="锁定并公示结果").click()
    expect(page.locator("#draw-status")).to_contain_text("已锁定公示")
    page.get_by_role("button", name="复核（重新计算并比对）").click()
    run_jobs()
    page.reload()
    expect(page.locator("#job-result")).to_contain_text("核验通过")
    page.get_by_role("link", name="查看结果").click()
    expect(page.locator("#stored-verification")).to_contain_text("核验通过")
    page.screenshot(path=screenshot_dir / "draw-locked.png", full_page=True)

    # 4. Download the files and verify them with the stand-alone verifier.
    files = {}
    for kind, link in (("manifest", "下载结果清单 manifest.json"), ("pool", "号池快照 pool.tsv"),
                       ("roster", "执法人员名录 roster.json")):  # fmt: skip
        with page.expect_download() as info:
            page.get_by_role("link", name=link).click()
        files[kind] = tmp_path / info.value.suggested_filename
        info.value.save_as(files[kind])
    result = subprocess.run(
        [sys.executable, "-m", "shuangsuiji.fairdraw.verify", str(files["manifest"]), str(files["pool"]),
         "--roster", str(files["roster"])], capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0 and result.stdout.startswith("VERIFIED"), result.stdout + result.stderr

    page.get_by_role("link", name="抽取记录（打印）").click()
    expect(page.get_by_role("heading", name="“双随机”抽查抽取记录")).to_be_visible()
    expect(page.locator("body")).to_contain_text("赵纪检")
    page.screenshot(path=screenshot_dir / "draw-record.png", full_page=True)
    assert csp_errors == [], csp_errors
