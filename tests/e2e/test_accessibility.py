"""WCAG 2.1 A/AA (which GB/T 37668-2019 follows) on the staff pages and the portal, checked by axe-core
(vendored beside this file, never downloaded) at desktop and phone widths (issue #18). Any serious or critical
violation fails, named with the rule, the page and the first offending elements."""

import hashlib
from pathlib import Path

import pytest
from django.urls import reverse

from conftest import PASSWORD
from shuangsuiji.plans import testing

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
VIEWPORTS = {"桌面": {"width": 1366, "height": 900}, "手机": {"width": 390, "height": 844}}
RUN = """async () => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""


@pytest.fixture
def world(staff_world, orgs, approver_gq, inspector_gq):
    """The staff world plus next year's plan — published with a task not yet drawn (the draw's start page) — and
    a draft (the task form)."""
    from shuangsuiji.plans import services as plan_services

    _next, waiting = testing.published_plan_with_task(
        author=inspector_gq, approver=approver_gq, organization=orgs["gaoqing"], item=staff_world["item"],
        year=testing.PLAN_YEAR + 1,
    )  # fmt: skip
    draft = plan_services.plan_create(
        user=approver_gq, year=testing.PLAN_YEAR + 2, title="草稿计划", organization=orgs["gaoqing"]
    )
    return {**staff_world, "waiting": waiting, "draft": draft}


def staff_pages(w):
    return {
        "首页": reverse("core:home"),
        "检查对象名录": reverse("directory:unit_list"),
        "检查对象": reverse("directory:unit_detail", args=[w["unit"].pk]),
        "新增检查对象": reverse("directory:unit_create"),
        "导入检查对象": reverse("directory:unit_import"),
        "执法人员名录": reverse("directory:inspector_list"),
        "抽查事项清单": reverse("directory:item_list"),
        "年度计划列表": reverse("plans:plan_list"),
        "年度计划": reverse("plans:plan_detail", args=[w["plan"].pk]),
        "新建年度计划": reverse("plans:plan_create"),
        "新增抽查任务": reverse("plans:task_create", args=[w["draft"].pk]),
        "开始抽取": reverse("draws:draw_start", args=[w["waiting"].pk]),
        "编辑检查对象": reverse("directory:unit_edit", args=[w["unit"].pk]),
        "抽查任务": reverse("plans:task_detail", args=[w["task"].pk]),
        "抽取列表": reverse("draws:draw_list"),
        "抽取记录": reverse("draws:draw_detail", args=[w["draw"].pk]),
        "检查结果列表": reverse("inspections:result_list"),
        "结果录入": reverse("inspections:result_detail", args=[w["result"].pk]),
        "统计分析": reverse("dashboards:kpi"),
        "审计日志": reverse("core:audit_list"),
        "修改密码": reverse("accounts:password_change"),
    }


def portal_pages(w):
    return {
        "公示首页": reverse("disclosure:home"),
        "公示计划": reverse("disclosure:plan_list"),
        "公示抽取": reverse("disclosure:draw_detail", args=[w["draw"].code]),
        "公示核验": reverse("disclosure:draw_verify", args=[w["draw"].code]),
        "公示结果": reverse("disclosure:result_search") + "?q=单位",
        "登录": reverse("accounts:login"),
    }


def violations(browser, base, pages, *, username=None):
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256
    found = []
    for label, viewport in VIEWPORTS.items():
        # bypass_csp: axe is injected by the test; the pages' own CSP stays as served
        context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", bypass_csp=True)
        page = context.new_page()
        if username:
            page.goto(f"{base}/accounts/login/")
            page.get_by_label("用户名").fill(username)
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.wait_for_url(f"{base}/")
        for name, url in pages.items():
            page.goto(base + url)
            page.add_script_tag(path=str(AXE))
            found.extend(f"{label} {name}（{url}）{v}" for v in page.evaluate(RUN))
        context.close()
    return found


def test_staff_pages_meet_wcag_aa(browser, live_server, world):
    problems = violations(browser, live_server.url, staff_pages(world), username="gq_approver")
    assert not problems, "\n".join(problems)


def test_portal_meets_wcag_aa(browser, live_server, world):
    problems = violations(browser, live_server.url, portal_pages(world))
    assert not problems, "\n".join(problems)
