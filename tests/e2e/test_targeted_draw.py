"""Targeting the draw and the changes after it (issue #15 points 2 and 6), in the browser: a task weighted
“一般单位 1；有投诉举报或违法记录 2；重点单位 3” with a yearly cap on checks shows each unit's weight and exact
probability before the freeze; the commitment shows the probability by weight; after the draw an inspector is
replaced by the committed random order and an expert is drawn; the load summary is shown before locking; the
locked result re-verifies, the portal says in plain Chinese how weighting works, and the stand-alone verifier
prints VERIFIED on the downloaded files."""

import datetime as dt
import subprocess
import sys

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from shuangsuiji.core.testing import run_jobs
from shuangsuiji.directory.models import BusinessLine, Expert, InspectionHistory, Tag, Violation
from shuangsuiji.draws import services as draw_services
from shuangsuiji.draws.models import Draw
from shuangsuiji.draws.testing import enter_and_confirm
from shuangsuiji.plans import testing
from shuangsuiji.plans.choices import StratifyBy, WeightFormula
from shuangsuiji.plans.tests.fixtures import KL8_NUMBERS, after_draw_time

from . import CERTS_VALID_TO
from .test_draw_path import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_targeted_draw_to_verified(page, live_server, regions, orgs, inspector_gq, approver_gq, admin_user_gq,
                                   tmp_path, screenshot_dir, time_machine):  # fmt: skip
    page.on("dialog", lambda dialog: dialog.accept())
    region = regions["370322"]
    units = testing.make_units(region, 30)
    testing.make_inspectors(orgs["gaoqing_agency"], 6, valid_to=CERTS_VALID_TO)
    item = testing.make_item(region)
    today = timezone.localdate()
    for u in units[:4]:
        u.complaint_count = 3
        u.save(update_fields=["complaint_count"])
    Violation.objects.create(unit=units[4], occurred_on=today - dt.timedelta(days=200), description="无证经营")
    units[5].tags.add(Tag.objects.create(name="重点单位"))
    for _ in range(2):
        InspectionHistory.objects.create(
            unit=units[6], inspected_on=dt.date(today.year, 1, 1), item_name="公共场所卫生", result="合格"
        )
    expert = Expert.objects.create(name="孙专家", region=region, employer="市疾控中心")
    expert.specialties.add(BusinessLine.objects.get(code="ggcs"))
    plan, task = testing.published_plan_with_task(
        author=inspector_gq, approver=approver_gq, organization=orgs["gaoqing"], item=item, year=today.year,
        stratify_by=StratifyBy.NONE, default_rate=30, default_min=0, window_start=today,
        window_end=dt.date(today.year, 12, 31), weight_formula=WeightFormula.FLAGGED_2_KEY_3, yearly_check_cap=2,
    )  # fmt: skip

    # 1. The task and the draw preview: the formula, each unit's weight and exact probability, the cap.
    login(page, live_server, "gq_approver")
    page.goto(live_server.url + reverse("plans:task_detail", args=[task.pk]))
    expect(page.locator("#weight-formula")).to_contain_text("一般单位 1；有投诉举报或违法记录 2；重点单位 3")
    page.get_by_role("link", name="开始抽取").click()
    expect(page.locator("#weight-sentence")).to_contain_text("被抽中的机会是一般单位的 2 倍")
    expect(page.locator("#yearly-cap")).to_contain_text("1 户已达上限，不参加本次抽取")
    weights = page.locator("#unit-weights")
    expect(weights).to_contain_text(units[5].name)
    expect(weights.locator("tbody tr").first).to_contain_text("重点单位")
    expect(weights).to_contain_text("本年度检查次数已达上限")
    page.screenshot(path=screenshot_dir / "targeted-preview.png", full_page=True)

    # 2. Freeze: the commitment shows the probability by weight.
    page.get_by_label("彩票种类").select_option(label="中国福利彩票快乐8")
    page.get_by_label("开奖期号").fill("2026321")
    local = timezone.localtime()
    day = local.date() if local.hour < 21 else local.date() + dt.timedelta(days=1)
    page.get_by_label("开奖日期").fill(day.isoformat())
    page.get_by_role("button", name="冻结号池并公布承诺").click()
    run_jobs()
    page.reload()
    page.get_by_role("link", name="查看结果").click()
    expect(page.locator("#strata")).to_contain_text("按权重抽取（与权重成正比）：权重 1 的")
    draw_url = page.url

    # 3. The numbers are entered and confirmed by two people, then the draw runs (covered page by page in
    #    test_draw_path); here the services do it after the lottery draw.
    draw = Draw.objects.get(task=task)
    after = after_draw_time(draw.published_at)  # 22:00 of the lottery day the commitment named
    time_machine.move_to(after, tick=True)
    enter_and_confirm(draw, approver_gq, KL8_NUMBERS, now=after)
    draw_services.draw_run(user=approver_gq, draw=draw, now=after)

    # 4. After the draw: replace an inspector by the random order, draw an expert, read the load summary, lock.
    login(page, live_server, "gq_approver")
    page.goto(draw_url)
    expect(page.locator("#load-table")).to_be_visible()
    page.locator("#replace-forms summary").click()
    row = page.locator("#replace-forms tbody tr").first
    row.get_by_label("情况说明").fill("因病住院，无法参加检查")
    row.get_by_role("button", name="按随机顺序更换").click()
    expect(page.locator("#inspector-changes")).to_contain_text("因病住院，无法参加检查")
    expect(page.locator("#inspector-changes")).to_contain_text("已更换")
    page.locator("#expert-forms summary").click()
    page.locator("#expert-forms tbody tr").first.get_by_role("button", name="随机抽取").click()
    expect(page.locator("#expert-attachments")).to_contain_text("孙专家")
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
    page.screenshot(path=screenshot_dir / "targeted-locked.png", full_page=True)

    # 5. The files verify with the stand-alone verifier.
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
    assert "\tYEARLY_CHECK_CAP\n" in files["pool"].read_text(encoding="utf-8")

    # 6. The portal explains the weighting in plain Chinese and shows the replacement.
    draw.refresh_from_db()
    page.goto(live_server.url + reverse("disclosure:draw_detail", args=[draw.code]))
    sentence = "投诉举报多、有违法记录（近 3 年）的单位被抽中的机会是一般单位的 2 倍"
    expect(page.locator("#weighting")).to_contain_text(sentence)
    expect(page.locator("#public-inspector-changes")).to_be_visible()
    expect(page.locator("body")).to_contain_text("因故不能参加检查")  # the public wording, never the illness
    expect(page.locator("body")).not_to_contain_text("因病住院")
    with page.expect_download() as info:
        page.get_by_role("link", name="更换记录 replacements.json").click()
    files["replacements"] = tmp_path / "replacements.json"
    info.value.save_as(files["replacements"])
    result = subprocess.run(
        [sys.executable, "-m", "shuangsuiji.fairdraw.replace", str(files["manifest"]), str(files["pool"]),
         str(files["roster"]), str(files["replacements"])], capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0 and result.stdout.startswith("VERIFIED"), result.stdout + result.stderr
    page.screenshot(path=screenshot_dir / "targeted-portal.png", full_page=True)
