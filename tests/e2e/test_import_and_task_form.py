"""Import preview and re-upload, and the task form in steps with searchable tag pickers (issue #17), in Chromium
at 1366×900 and at 390×844 (a phone)."""

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from shuangsuiji.directory.models import Tag
from shuangsuiji.directory.tests.factories import UNIT_HEADERS, unit_row

from .test_accessibility import violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
SMALL_CONTROLS = """(selector) => {
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    const r = el.getBoundingClientRect();
    if (r.width === 0) continue;
    const row = el.closest('label, .form-check');
    const h = Math.max(r.height, row ? row.getBoundingClientRect().height : 0);
    if (h < 44) small.push((el.name || el.textContent.trim() || el.tagName).slice(0, 20) + ' ' + Math.round(h));
  }
  return small;
}"""
TOO_WIDE = """() => {
  const vw = document.documentElement.clientWidth;
  return [...document.querySelectorAll('form *')].filter(el => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.right > vw + 1 && !el.closest('table');
  }).map(el => el.tagName + (el.id ? '#' + el.id : '')).slice(0, 5);
}"""


def xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(UNIT_HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def open_page(browser, base, username, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    return context, page


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_import_preview_pages_and_reupload_in_place(browser, live_server, regions, admin_user_gq, size):
    from shuangsuiji.plans.testing import ensure_business_lines

    ensure_business_lines()  # a transactional test before this one flushed the migration's rows
    context, page = open_page(browser, live_server.url, "gq_admin", VIEWPORTS[size])
    page.goto(f"{live_server.url}/directory/units/import/")
    radio, label = page.locator("#id_mode_1"), page.locator("label[for=id_mode_1]")
    box, text = radio.bounding_box(), label.bounding_box()
    assert abs((box["y"] + box["height"] / 2) - (text["y"] + text["height"] / 2)) < 8 and text["x"] > box["x"]
    radio.check()
    bad = [unit_row(n) for n in range(1, 61)] + [unit_row(61, 行政区划="999999")]
    page.locator("#id_file").set_input_files(
        files=[{"name": "units.xlsx", "mimeType": "application/octet-stream", "buffer": xlsx(bad)}]
    )
    page.get_by_role("button", name="上传并校验").click()
    expect(page.locator("#batch-status")).to_have_text("校验未通过")
    expect(page.locator("#counts-note")).to_contain_text("只计无错误的 60 行")
    expect(page.locator("#errors")).to_contain_text("第62行")
    # the valid rows are listed, 50 a page; the next page comes in place (htmx) and the address follows
    expect(page.locator("#preview-table tbody tr")).to_have_count(50)
    page.locator("#preview-rows").get_by_role("link", name="下一页").click()
    expect(page.locator("#preview-page")).to_have_text("第 2 / 2 页（共 60 行）")
    expect(page.locator("#preview-table tbody tr")).to_have_count(10)
    assert "page=2" in page.url
    expect(page.locator('#preview-table tr[data-row="52"] .badge')).to_have_text("新增")
    # re-upload on the same page: the chosen 更新导入 is kept
    form = page.locator("#reupload-form")
    expect(form.locator("#id_mode_1")).to_be_checked()
    form.locator("#id_file").set_input_files(
        files=[{"name": "units.xlsx", "mimeType": "application/octet-stream", "buffer": xlsx(bad[:60])}]
    )
    form.get_by_role("button", name="上传并校验").click()
    expect(page.locator("#batch-status")).to_have_text("待确认")
    expect(page.locator("#commit-button")).to_be_visible()
    expect(page.locator("#reupload-form")).to_have_count(0)
    expect(page.locator("#counts")).to_contain_text("60")
    assert page.evaluate(TOO_WIDE) == []
    if size == "phone":
        assert page.evaluate(SMALL_CONTROLS, "#preview-rows .page-link, #preview-rows .nav-link") == []
    context.close()


@pytest.fixture
def draft(regions, orgs, approver_gq, inspector_gq):
    from shuangsuiji.plans import services, testing

    testing.ensure_business_lines()
    for name in ["学校周边", "重点单位", "住宿", "美容美发", "游泳场所", "二次供水", *[f"标签{n}" for n in range(20)]]:
        Tag.objects.create(name=name)
    testing.make_item(regions["370322"])
    return services.plan_create(
        user=approver_gq, year=testing.PLAN_YEAR, title="草稿计划", organization=orgs["gaoqing"]
    )


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_task_form_in_steps_with_tag_search(browser, live_server, draft, inspector_gq, size):
    context, page = open_page(browser, live_server.url, "gq_inspector", VIEWPORTS[size])
    page.goto(f"{live_server.url}/plans/{draft.pk}/tasks/new/")
    steps = page.locator("fieldset[data-step]")
    expect(steps).to_have_count(4)
    expect(page.locator("#step-basic")).to_be_visible()
    expect(page.locator("#step-scope")).to_be_hidden()
    expect(page.locator('#step-indicator [aria-current="step"]')).to_contain_text("基本信息")
    page.get_by_label("任务名称").fill("公共场所卫生抽查")
    page.get_by_label("检查开始日期").fill("2026-06-15")
    page.get_by_label("检查结束日期").fill("2026-12-31")
    page.get_by_role("button", name="下一步：抽查范围").click()
    expect(page.locator("#step-scope")).to_be_visible()
    expect(page.locator("#step-basic")).to_be_hidden()
    # the tag picker: type to filter, Enter picks the one match, a chip shows it and removes it again
    search = page.get_by_role("searchbox", name="筛选标签（输入文字，回车选中唯一匹配项）")
    search.fill("学校")
    visible = page.locator("#id_tags label:visible")
    expect(visible).to_have_count(1)
    search.press("Enter")
    chip = page.get_by_role("button", name="移除标签：学校周边")
    expect(chip).to_be_visible()
    expect(page.locator("#id_tags input[value]:checked")).to_have_count(1)
    search.fill("住")
    page.locator("#id_tags label:visible").first.click()
    expect(page.locator("#id_tags input:checked")).to_have_count(2)
    page.get_by_role("button", name="移除标签：住宿").focus()
    page.keyboard.press("Enter")  # keyboard removes a chip
    expect(page.locator("#id_tags input:checked")).to_have_count(1)
    assert page.evaluate(TOO_WIDE) == []
    if size == "phone":
        assert page.evaluate(SMALL_CONTROLS, "#step-scope .app-picker input, #step-scope .app-chip") == []
        assert page.evaluate(SMALL_CONTROLS, "#step-indicator a, [data-step-nav] button") == []
    # the indicator jumps to a step; an error brings the form back on that step with everything kept
    page.locator("#step-indicator").get_by_role("link", name="检查人员").click()
    expect(page.locator("#step-staff")).to_be_visible()
    page.get_by_label("每组执法人员数").fill("")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#step-errors")).to_be_visible()
    expect(page.locator("#step-staff")).to_be_visible()
    expect(page.locator("#step-basic")).to_be_hidden()
    expect(page.locator('#step-indicator [aria-current="step"]')).to_contain_text("检查人员")
    expect(page.get_by_label("每组执法人员数")).to_be_focused()
    page.locator("#step-indicator").get_by_role("link", name="基本信息").click()
    expect(page.get_by_label("任务名称")).to_have_value("公共场所卫生抽查")
    page.locator("#step-indicator").get_by_role("link", name="抽查范围").click()
    expect(page.get_by_role("button", name="移除标签：学校周边")).to_be_visible()
    context.close()


def test_stepped_form_and_import_preview_meet_wcag_aa(browser, live_server, draft, admin_user_gq):
    from django.urls import reverse

    from shuangsuiji.directory import services

    batch = services.import_prepare(user=admin_user_gq, kind="unit", mode="create", filename="u.xlsx",
                                    data=xlsx([unit_row(1), unit_row(2, 行政区划="999999")]))  # fmt: skip
    pages = {
        "新增抽查任务": reverse("plans:task_create", args=[draft.pk]),
        "导入预览": reverse("directory:import_detail", args=[batch.pk]),
    }
    assert violations(browser, live_server.url, {"导入预览": pages["导入预览"]}, username="gq_admin") == []
    assert violations(browser, live_server.url, {"新增抽查任务": pages["新增抽查任务"]}, username="gq_inspector") == []


def test_task_form_without_javascript_is_one_long_form(browser, live_server, draft, inspector_gq):
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("gq_inspector")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/plans/{draft.pk}/tasks/new/")
    for key in ("basic", "scope", "items", "staff"):
        expect(page.locator(f"#step-{key}")).to_be_visible()
    expect(page.locator("[data-step-nav]").first).to_be_hidden()  # 上一步/下一步 only with the script
    expect(page.locator("#id_tags input[type=checkbox]").first).to_be_visible()
    context.close()
