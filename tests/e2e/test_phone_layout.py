"""The staff pages on a phone (360, 390 and 430 px wide, issue #17): the menu is behind a button, the page's
content starts within the first screen, nothing is wider than the viewport (wide tables scroll inside their own
box), and buttons, fields and menu entries are at least 44 px tall — result entry, the witness page, the publish
queue and the draw start page included; the 检查表 reads as cards. A message after a save stays pinned in view
while the page scrolls."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
WIDTHS = (360, 390, 430)

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

# Every link and button of the opened off-canvas menu, measured like the controls above.
MENU_TARGETS = """() => {
  const small = [];
  for (const el of document.querySelectorAll('#app-menu a, #app-menu button')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0) continue;
    if (r.height < 44) small.push(el.textContent.trim().slice(0, 12) + ' ' + r.height.toFixed(1));
  }
  return small;
}"""


def login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="待办事项")).to_be_visible()


def measure(page, name, url, base, screen, screenshot_dir, problems):
    page.goto(base + url)
    found = page.evaluate(MEASURE)
    page.screenshot(path=screenshot_dir / f"phone-{screen['width']}-{name}.png", full_page=True)
    if found["top"] is None or found["top"] > screen["height"]:
        problems.append(f"{screen['width']} px, {name}: content starts at {found['top']} px")
    if found["wide"]:
        problems.append(f"{screen['width']} px, {name}: wider than the screen: {found['wide'][:5]}")
    if found["small"]:
        problems.append(f"{screen['width']} px, {name}: touch targets under 44 px: {found['small'][:8]}")


@pytest.mark.parametrize("width", WIDTHS)
def test_staff_pages_fit_a_phone(browser, live_server, staff_world, screenshot_dir, width):
    from shuangsuiji.inspections.models import InspectionResult

    screen = {**PHONE, "width": width}
    context = browser.new_context(viewport=screen, locale="zh-CN", timezone_id="Asia/Shanghai", is_mobile=True)
    page = context.new_page()
    base = live_server.url
    login(page, base, "gq_inspector")

    # the menu opens from its button, every entry is a 44 px target, and it closes again
    menu = page.locator("#app-menu")
    expect(menu.get_by_role("link", name="检查对象名录")).not_to_be_visible()
    page.get_by_role("button", name="打开菜单").click()
    expect(menu.get_by_role("link", name="检查对象名录")).to_be_visible()
    small_menu = page.evaluate(MENU_TARGETS)
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
    problems = [f"{width} px, menu entries under 44 px: {small_menu}"] if small_menu else []
    for name, url in pages.items():
        measure(page, name, url, base, screen, screenshot_dir, problems)
    # on site, a photo comes straight from the phone's camera
    page.goto(base + pages["结果录入"])
    expect(page.locator('input[type=file][capture="environment"][accept="image/*"]')).to_be_visible()
    # the 检查表 reads as cards, one per question, not four columns scrolling sideways
    checklist = page.evaluate("""() => {
      const table = document.querySelector('#checklist');
      const row = table.querySelector('tbody tr');
      return {rows: table.querySelectorAll('tbody tr').length, display: getComputedStyle(row).display,
              sideways: table.scrollWidth - table.clientWidth, rowWidth: row.getBoundingClientRect().width,
              tableWidth: table.getBoundingClientRect().width};
    }""")
    assert checklist["rows"] == 4 and checklist["display"] == "block", checklist
    assert checklist["sideways"] <= 1 and checklist["rowWidth"] >= checklist["tableWidth"] - 1, checklist
    labels = page.evaluate("""() => [...document.querySelectorAll('#checklist tbody tr:first-child td')]
      .map((td) => getComputedStyle(td, '::before').content)""")
    assert labels == ['"检查表"', '"检查内容"', '"检查情况"', '"说明"'], labels

    # the clerk's pages at the meeting and after: draw start, a witness's page, the publish queue
    submitted = list(InspectionResult.objects.filter(draw=w["draw"]).order_by("pk")[:3])
    InspectionResult.objects.filter(pk__in=[r.pk for r in submitted]).update(status="submitted", category="1")
    page.get_by_role("button", name="退出").click()
    login(page, base, "gq_approver")
    clerk_pages = {
        "发起抽取": reverse("draws:draw_start", args=[w["task"].pk]),
        "监督人页面": reverse("draws:witness_page", args=[w["draw"].witnesses.first().pk]),
        "批量公示": reverse("inspections:publish_queue"),
    }
    for name, url in clerk_pages.items():
        measure(page, name, url, base, screen, screenshot_dir, problems)
    context.close()
    assert not problems, "\n".join(problems)


def test_publish_queue_select_all_on_a_phone(browser, live_server, staff_world):
    """批量公示 on a phone: the header box ticks and clears every row of the queue."""
    from shuangsuiji.inspections.models import InspectionResult

    rows = InspectionResult.objects.filter(draw=staff_world["draw"])
    rows.update(status="submitted", category="1")
    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", is_mobile=True)
    page = context.new_page()
    login(page, live_server.url, "gq_approver")
    page.goto(live_server.url + reverse("inspections:publish_queue"))
    boxes = page.locator('#publish-queue input[name="ids"]')
    expect(boxes).to_have_count(rows.count())
    assert rows.count() > 1
    page.locator("#select-all").check()
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    boxes.first.uncheck()
    page.locator("#select-all").uncheck()
    assert not any(boxes.nth(i).is_checked() for i in range(boxes.count()))
    context.close()


def test_message_after_a_save_stays_in_view_on_a_phone(browser, live_server, staff_world):
    """After saving a result on site, the confirmation stays pinned at the top while the inspector scrolls down
    the long entry page to the signatures."""
    task = staff_world["task"]
    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", is_mobile=True)
    page = context.new_page()
    login(page, live_server.url, "gq_inspector")
    page.goto(live_server.url + reverse("inspections:result_detail", args=[staff_world["result"].pk]))
    page.get_by_label("检查日期").fill(task.window_start.isoformat())
    page.get_by_label("实地检查").check()
    page.get_by_label("抽查结果").select_option("1")
    page.get_by_role("button", name="保存").click()
    message = page.locator(".app-messages")
    expect(message).to_contain_text("检查结果已保存")
    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_function("() => window.scrollY > 300")
    expect(message).to_be_in_viewport()
    context.close()
