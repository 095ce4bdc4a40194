"""The public portal as a visitor meets it (no login): find a draw, verify it on the server (验证通过),
check one's own unit against the threshold, and search published results by credit code.
Also: the oversight dashboard draws its ECharts charts under the CSP."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from shuangsuiji.core.testing import run_jobs
from shuangsuiji.disclosure.tests.conftest import locked, publish  # noqa: F401
from shuangsuiji.plans.tests.fixtures import gq  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def watch_csp(page) -> list:
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    return errors


def test_visitor_finds_verifies_and_searches(page, live_server, locked, screenshot_dir):  # noqa: F811
    csp_errors = watch_csp(page)
    draw = locked["draw"]
    results = sorted(locked["results"], key=lambda r: r.pk)
    publish(results[:3], category="E", problem=True)
    first = results[0].target

    page.goto(f"{live_server.url}/gs/")
    expect(page.get_by_text("“双随机、一公开”信息公示平台")).to_be_visible()
    expect(page.get_by_role("button", name="退出")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "gs-home.png", full_page=True)

    page.get_by_role("navigation", name="公示栏目").get_by_role("link", name="随机抽取公示").click()
    page.locator("#draw-table").get_by_role("link", name=draw.code).first.click()
    expect(page.locator("#commitment-hash")).to_have_text(draw.commitment_hash)
    expect(page.locator("#seed")).to_have_text(draw.seed)
    expect(page.locator("#targets")).to_contain_text(first.unit_code)
    page.screenshot(path=screenshot_dir / "gs-draw.png", full_page=True)

    page.get_by_label("统一社会信用代码").fill(first.unit_code)
    page.get_by_role("button", name="自查").click()
    expect(page.locator("#self-verdict")).to_contain_text("本单位已被抽中")

    page.get_by_role("link", name="验证本次抽取").click()
    expect(page.locator("#verify-result")).to_contain_text("正在服务器上重新计算")  # one background job
    run_jobs()
    page.reload()
    expect(page.locator("#verify-result")).to_contain_text("核验通过")
    expect(page.locator("#verify-cmd")).to_contain_text(
        f"python -m shuangsuiji.fairdraw.verify {draw.code}-manifest.json"
    )
    with page.expect_download() as download:
        page.get_by_role("link", name=f"{draw.code}-manifest.json").click()
    assert download.value.suggested_filename == f"{draw.code}-manifest.json"
    page.screenshot(path=screenshot_dir / "gs-verify.png", full_page=True)

    page.get_by_role("navigation", name="公示栏目").get_by_role("link", name="抽查结果查询").click()
    page.get_by_label("单位名称或统一社会信用代码").fill(first.unit_code)
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#result-table")).to_contain_text(first.unit_name)
    expect(page.locator("#result-table")).to_contain_text("发现问题已责令改正")
    expect(page.locator("#result-table tbody tr")).to_have_count(1)
    page.screenshot(path=screenshot_dir / "gs-results.png", full_page=True)
    assert csp_errors == [], csp_errors


def test_oversight_dashboard_renders_charts(page, live_server, locked, oversight_gq, screenshot_dir):  # noqa: F811
    csp_errors = watch_csp(page)
    results = sorted(locked["results"], key=lambda r: r.pk)
    publish(results[:2])
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("gq_oversight")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="监管指标").click()
    page.get_by_label("年度").select_option("2026")
    page.get_by_role("button", name="查询").click()
    for name in ("coverage", "draws", "rates"):
        expect(page.locator(f'[data-chart="{name}"][data-chart-ready="1"] canvas')).to_have_count(1)
    expect(page.locator("#kpi-cards")).to_contain_text("抽查覆盖率")
    page.screenshot(path=screenshot_dir / "dashboard-kpi.png", full_page=True)
    page.get_by_role("link", name="抽取公平性报告").first.click()
    expect(page.locator("#job-progress")).to_be_visible()  # computed by a background job
    run_jobs()
    page.reload()
    page.get_by_role("link", name="查看结果").click()
    expect(page.locator("#fairness-summary")).to_contain_text("霍尔姆")
    expect(page.locator('[data-chart="strata"] canvas')).to_have_count(1)
    page.screenshot(path=screenshot_dir / "dashboard-fairness.png", full_page=True)
    assert csp_errors == [], csp_errors
