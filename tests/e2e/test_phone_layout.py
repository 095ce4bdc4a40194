"""The staff pages on a phone (390×844, issue #17): the menu is behind a button, the page's content starts
within the first screen, nothing is wider than the viewport (wide tables scroll inside their own box), and
buttons, fields and menu entries are at least 44 px tall — result entry included."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

# Measured in the page: the first content element's top, elements wider than the viewport (outside a scroll
# box), and controls smaller than 44 px (a checkbox counts with its label row, as a finger hits either).
MEASURE = """() => {
  const vw = document.documentElement.clientWidth;
  const main = document.querySelector('main');
  const first = main.querySelector('h1, h2, form, table, .card, .alert');
  const scrolls = (el) => { for (let p = el.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p);
      if ((s.overflowX === 'auto' || s.overflowX === 'scroll') && p.clientWidth <= vw) return true;
    } return false; };
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || getComputedStyle(el).visibility === 'hidden') continue;
    if (r.right > vw + 1 && !scrolls(el))
      wide.push(el.tagName + (el.id ? '#' + el.id : '') + ' ' + Math.round(r.right));
  }
  const small = [];
  const controls = main.querySelectorAll('button, .btn, input:not([type=hidden]), select, textarea, .page-link');
  for (const el of controls) {
    const r = el.getBoundingClientRect();
    if (r.width === 0) continue;
    const row = el.closest('.form-check, label');
    const h = Math.max(r.height, row ? row.getBoundingClientRect().height : 0);
    if (h < 44) small.push((el.name || el.textContent.trim() || el.tagName).slice(0, 20) + ' ' + Math.round(h));
  }
  return {top: first ? first.getBoundingClientRect().top + window.scrollY : null, wide, small};
}"""


def login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="待办事项")).to_be_visible()


def test_staff_pages_fit_a_phone(browser, live_server, staff_world, screenshot_dir):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", is_mobile=True)
    page = context.new_page()
    base = live_server.url
    login(page, base, "gq_inspector")

    # the menu opens from its button and closes again
    menu = page.locator("#app-menu")
    expect(menu.get_by_role("link", name="检查对象名录")).not_to_be_visible()
    page.get_by_role("button", name="打开菜单").click()
    expect(menu.get_by_role("link", name="检查对象名录")).to_be_visible()
    page.get_by_role("button", name="关闭菜单").click()
    expect(menu.get_by_role("link", name="检查对象名录")).not_to_be_visible()

    w = staff_world
    pages = {
        "首页": reverse("core:home"),
        "检查对象名录": reverse("directory:unit_list"),
        "检查对象": reverse("directory:unit_detail", args=[w["unit"].pk]),
        "年度计划": reverse("plans:plan_detail", args=[w["plan"].pk]),
        "抽查任务": reverse("plans:task_detail", args=[w["task"].pk]),
        "抽取记录": reverse("draws:draw_detail", args=[w["draw"].pk]),
        "检查结果列表": reverse("inspections:result_list"),
        "结果录入": reverse("inspections:result_detail", args=[w["result"].pk]),
    }
    problems = []
    for name, url in pages.items():
        page.goto(base + url)
        found = page.evaluate(MEASURE)
        page.screenshot(path=screenshot_dir / f"phone-{name}.png", full_page=True)
        if found["top"] is None or found["top"] > PHONE["height"]:
            problems.append(f"{name}: content starts at {found['top']} px")
        if found["wide"]:
            problems.append(f"{name}: wider than the screen: {found['wide'][:5]}")
        if found["small"]:
            problems.append(f"{name}: touch targets under 44 px: {found['small'][:8]}")
    # on site, a photo comes straight from the phone's camera
    page.goto(base + pages["结果录入"])
    expect(page.locator('input[type=file][capture="environment"][accept="image/*"]')).to_be_visible()
    context.close()
    assert not problems, "\n".join(problems)
