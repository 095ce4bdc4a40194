"""The public portal on a phone (issue 17): 360, 390 and 430 px wide, every portal page — the header and the
collapsible menu leave the content on the first screen, nothing is wider than the viewport (wide tables scroll
inside their own box), and the menu, its entries, buttons and form fields are at least 44 px tall."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from shuangsuiji.disclosure.tests.conftest import locked, publish  # noqa: F401
from shuangsuiji.plans.tests.fixtures import gq  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HEIGHT = 844

# Elements whose box passes the viewport's edges, unless a scrolling (or clipping) ancestor inside the
# viewport holds them; plus the document's own scroll width.
OVERFLOW_JS = """() => {
  const w = document.documentElement.clientWidth;
  const held = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (['auto', 'scroll', 'hidden', 'clip'].includes(s.overflowX)) {
        const r = p.getBoundingClientRect();
        return r.left >= -1 && r.right <= w + 1;
      }
    }
    return false;
  };
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if ((r.right > w + 1 || r.left < -1) && !held(el)) {
      wide.push(`${el.tagName}.${el.className} ${Math.round(r.right)}px`);
    }
  }
  return {viewport: w, scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 8)};
}"""


# Touch targets under 44 px: the menu toggle and entries, buttons, paging and form fields (links inside running
# text and table cells are exempt, as WCAG 2.5.8 allows). A field counts with its label row.
TARGETS_JS = """() => {
  const small = [];
  const sel = '.gs-menu-label, .gs-nav-links a, .gs-btn, .gs-btn-outline, main button, main select, '
    + 'main input:not([type=hidden]):not(.gs-menu-toggle), main .page-link';
  for (const el of document.querySelectorAll(sel)) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const row = el.closest('label, .form-check');
    const h = Math.max(r.height, row ? row.getBoundingClientRect().height : 0);
    if (h < 44) small.push((el.textContent.trim() || el.name || el.tagName).slice(0, 16) + ' ' + h.toFixed(1));
  }
  return small;
}"""


@pytest.fixture(params=(360, 390, 430))
def phone(browser, request):
    context = browser.new_context(
        viewport={"width": request.param, "height": HEIGHT}, device_scale_factor=2, is_mobile=True, has_touch=True,
        locale="zh-CN", timezone_id="Asia/Shanghai",
    )  # fmt: skip
    page = context.new_page()
    yield page
    context.close()


def portal_urls(world) -> list[str]:
    draw = world["draw"]
    return [
        reverse("disclosure:home"), reverse("disclosure:item_list"),
        reverse("disclosure:item_detail", args=[world["item"].pk]),
        reverse("disclosure:plan_list"), reverse("disclosure:plan_detail", args=[world["plan"].pk]),
        reverse("disclosure:task_list"), reverse("disclosure:task_detail", args=[world["task"].code]),
        reverse("disclosure:draw_list"), reverse("disclosure:draw_detail", args=[draw.code]),
        reverse("disclosure:draw_verify", args=[draw.code]), reverse("disclosure:result_search") + "?q=高青",
    ]  # fmt: skip


def test_every_portal_page_fits_a_phone(phone, live_server, locked, screenshot_dir):  # noqa: F811
    publish(sorted(locked["results"], key=lambda r: r.pk)[:5], category="E", problem=True)
    for url in portal_urls(locked):
        phone.goto(live_server.url + url)
        box = phone.locator("main h1").first.bounding_box() if url != "/gs/" else None
        content = phone.locator("main").bounding_box()
        first_heading = box or phone.locator("main h2").first.bounding_box()
        assert content["y"] < HEIGHT / 3, f"{url}: the content starts at {content['y']:.0f}px"
        assert first_heading["y"] + first_heading["height"] < HEIGHT / 2, f"{url}: heading at {first_heading}"
        found = phone.evaluate(OVERFLOW_JS)
        assert found["scrollWidth"] <= found["viewport"] and not found["wide"], f"{url}: {found}"
        small = phone.evaluate(TARGETS_JS)
        assert not small, f"{url}: touch targets under 44 px: {small[:8]}"
        name = url.strip("/").replace("/", "-").replace("?", "-").replace("=", "-") or "gs"
        width = phone.viewport_size["width"]
        phone.screenshot(path=screenshot_dir / f"phone-{width}-{name}.png", full_page=True)
    # the opened menu: every entry a 44 px target
    phone.goto(live_server.url + reverse("disclosure:home"))
    phone.get_by_text("栏目导航").click()
    expect(phone.locator(".gs-nav-links a").first).to_be_visible()
    small = phone.evaluate(TARGETS_JS)
    assert not small, f"menu: touch targets under 44 px: {small[:8]}"


def test_phone_menu_is_collapsed_and_opens(phone, live_server, locked):  # noqa: F811
    phone.goto(live_server.url + reverse("disclosure:home"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("“双随机、一公开”信息公示平台")
    menu = phone.get_by_role("navigation", name="公示栏目")
    link = menu.get_by_role("link", name="随机抽取公示")
    expect(link).to_be_hidden()
    menu.get_by_text("栏目导航").click()
    expect(link).to_be_visible()
    link.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("随机抽取公示")
    expect(phone.locator("#draw-table")).to_contain_text(locked["draw"].code)
