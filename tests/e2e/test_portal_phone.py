"""The public portal on a phone (issue 17): 390×844, every portal page — the header and the collapsible
menu leave the content on the first screen, and nothing is wider than the viewport (wide tables scroll
inside their own box)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from shuangsuiji.disclosure.tests.conftest import locked, publish  # noqa: F401
from shuangsuiji.plans.tests.fixtures import gq  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 390, 844

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


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=2, is_mobile=True, has_touch=True,
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
        name = url.strip("/").replace("/", "-").replace("?", "-").replace("=", "-") or "gs"
        phone.screenshot(path=screenshot_dir / f"phone-{name}.png", full_page=True)


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
