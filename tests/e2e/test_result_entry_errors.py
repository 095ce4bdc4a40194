"""A refused result save in the browser (issue #15 point 8): the page comes back with what was typed, the browser
scrolls to the first invalid field (below a long checklist) and the error summary stays in sight at the top of the
viewport, uncovered — on a phone (390×844) and on a desktop screen."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}

# The page scrolls smoothly (Bootstrap's scroll-behavior): wait until it has come to rest with the focused field
# in view, then measure where the summary and the field are.
SETTLED = """() => {
  const y = window.scrollY, still = window.__lastY === y;
  window.__lastY = y;
  const r = document.activeElement.getBoundingClientRect();
  return still && r.top >= 0 && r.bottom <= window.innerHeight;
}"""
MEASURE = """() => {
  const box = document.querySelector('[data-error-summary]').getBoundingClientRect();
  const field = document.activeElement;
  const f = field.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + Math.min(box.height, 40) / 2);
  return {top: box.top, bottom: box.bottom, height: window.innerHeight, scrolled: window.scrollY,
          field: field.id, fieldTop: f.top, fieldBottom: f.bottom,
          uncovered: !!(hit && hit.closest('[data-error-summary]'))};
}"""


@pytest.fixture
def long_checklist(staff_world):
    """Twelve checklist lines for the world's item: the form's fields sit well below the first screen."""
    from shuangsuiji.core.permissions import SYSTEM
    from shuangsuiji.inspections import services
    from shuangsuiji.inspections.models import ChecklistTemplate

    item = staff_world["item"]
    template = ChecklistTemplate(name="公共场所卫生检查表", region=item.region, item=item)
    questions = [{"text": f"第{n}项：卫生许可证、从业人员健康合格证明、公共用品用具消毒记录齐全"} for n in range(1, 13)]
    services.checklist_save(user=SYSTEM, template=template, questions=questions)
    return template


@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_refused_save_shows_the_error_summary_in_view(browser, live_server, staff_world, long_checklist, screen,
                                                       screenshot_dir):  # fmt: skip
    context = browser.new_context(
        viewport=VIEWPORTS[screen], locale="zh-CN", timezone_id="Asia/Shanghai", is_mobile=screen == "phone"
    )
    page = context.new_page()
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill("gq_inspector")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="待办事项")).to_be_visible()

    result = staff_world["result"]
    page.goto(f"{base}/inspections/{result.pk}/")
    from shuangsuiji.inspections.models import ChecklistQuestion

    lines = ChecklistQuestion.objects.filter(template__item=staff_world["item"]).count()  # the world's 4 + these 12
    assert lines >= 12
    expect(page.locator("#checklist tbody tr")).to_have_count(lines)
    page.get_by_label("检查日期").fill("2026-01-15")  # before the lock and outside the task window: refused
    page.get_by_label("实地检查").check()
    page.get_by_label("抽查结果").select_option("1")
    page.get_by_label("发现问题情况").fill("现场记录文字")
    page.locator("#checklist select").first.select_option("yes")
    page.get_by_role("button", name="保存").click()

    summary = page.locator("#result-errors")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("未保存，请修改以下内容")
    expect(summary).to_contain_text("检查日期")
    expect(page.get_by_label("检查日期")).to_be_focused()
    page.wait_for_function(SETTLED, polling=100)
    m = page.evaluate(MEASURE)
    page.screenshot(path=screenshot_dir / f"result-errors-{screen}.png")
    assert m["scrolled"] > 0, m  # the page was scrolled down to the field, below the checklist...
    assert 0 <= m["top"] and m["bottom"] <= m["height"], m  # ...and the summary is still wholly in view
    assert m["uncovered"], m  # nothing (top bar, messages) lies over it
    assert m["field"] == "id_checked_on" and m["bottom"] <= m["fieldTop"] and m["fieldBottom"] <= m["height"], m
    # what was typed is still there
    expect(page.get_by_label("发现问题情况")).to_have_value("现场记录文字")
    expect(page.get_by_label("实地检查")).to_be_checked()
    expect(page.locator("#checklist select").first).to_have_value("yes")
    context.close()
