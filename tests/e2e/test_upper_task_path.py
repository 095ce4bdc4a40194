"""The whole path of an upper-level task in the browser (issue #15 point 1): the 科室负责人 imports the province's
task with the unit list it drew (Excel), the two officers enter and sign the result, the approver publishes it,
and the portal shows it labelled 上级下达 with its 上级任务编号 — never as a verifiable draw of this platform."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook
from playwright.sync_api import expect

from shuangsuiji.inspections.models import InspectionResult
from shuangsuiji.inspections.testing import link_users
from shuangsuiji.plans import testing

from . import CERTS_VALID_TO
from .test_result_entry import login, logout, second_signature_and_publication

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TASK_NO = "鲁卫监督抽〔2026〕5号"


def unit_list(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["统一社会信用代码", "单位名称", "执法证号"])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_upper_task_import_entry_and_publication(
    page, live_server, regions, orgs, approver_gq, inspector_gq, make_user, screenshot_dir
):
    page.on("dialog", lambda dialog: dialog.accept())
    today = timezone.localdate()  # browser tests run on the real clock: every date follows it
    start = max(dt.date(today.year, 1, 1), today - dt.timedelta(days=30))
    region = regions["370322"]
    units = testing.make_units(region, 12)
    officers = testing.make_inspectors(orgs["gaoqing_agency"], 4, valid_to=CERTS_VALID_TO)
    testing.published_plan_with_task(
        author=inspector_gq, approver=approver_gq, organization=orgs["gaoqing"], item=testing.make_item(region),
        year=today.year, window_start=start, window_end=dt.date(today.year, 12, 31),
    )  # fmt: skip
    base = live_server.url

    login(page, base, "gq_approver")
    page.goto(f"{base}{reverse('inspections:upper_task_import')}")
    expect(page.get_by_role("heading", name="导入上级下达任务")).to_be_visible()
    page.get_by_label("任务名称").fill("国家随机监督抽查（公共场所卫生）")
    page.get_by_label("下达级别").select_option(label="省级")
    page.get_by_label("下达机关").fill("山东省卫生健康委员会")
    page.get_by_label("上级任务编号").fill(TASK_NO)
    page.get_by_label("检查开始日期").fill(start.isoformat())
    page.get_by_label("检查结束日期").fill(f"{today.year}-12-31")
    page.get_by_label("默认检查组").select_option([str(officers[0].pk), str(officers[1].pk)])
    # first an unknown unit: the row error names the row and column, and what was typed stays
    unknown = unit_list([("92370322MA0000000X", "", "")])
    page.get_by_label("检查对象名单").set_input_files(
        files=[{"name": "名单.xlsx", "mimeType": "application/octet-stream", "buffer": unknown}]
    )
    page.get_by_role("button", name="导入").click()
    expect(page.locator("#form-errors")).to_contain_text(
        "第2行“统一社会信用代码”：“92370322MA0000000X”在本辖区检查对象名录库中不存在"
    )
    expect(page.get_by_label("上级任务编号")).to_have_value(TASK_NO)
    page.get_by_label("检查对象名单").set_input_files(
        files=[{"name": "名单.xlsx", "mimeType": "application/octet-stream",
                "buffer": unit_list([(units[0].credit_code, "", ""), ("", units[1].name, "")])}]
    )  # fmt: skip
    page.get_by_role("button", name="导入").click()
    expect(page.get_by_text("已导入上级下达任务")).to_be_visible()
    expect(page.get_by_role("link", name=units[0].name)).to_be_visible()
    expect(page.get_by_text(f"山东省卫生健康委员会下达（{TASK_NO}）").first).to_be_visible()
    page.screenshot(path=screenshot_dir / "upper-task-imported.png", full_page=True)
    logout(page)

    result = InspectionResult.objects.get(draw__task__upper_task_no=TASK_NO, unit=units[0])
    link_users(result.target, inspector_gq, make_user("gq_inspector2", org="gaoqing_agency"))
    login(page, base, "gq_inspector")
    page.goto(f"{base}/inspections/{result.pk}/")
    expect(page.locator("#result-status")).to_have_text("未检查")
    page.get_by_label("检查日期").fill(today.isoformat())
    page.get_by_label("实地检查").check()
    page.get_by_label("抽查结果").select_option("1")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#result-status")).to_have_text("录入中")
    page.get_by_role("button", name="本人签名确认").click()
    logout(page)
    second_signature_and_publication(page, base, result, units[0].name)
    logout(page)

    page.goto(f"{base}{reverse('disclosure:result_search')}?q={units[0].credit_code}")
    row = page.locator("#result-table tbody tr").first
    expect(row).to_contain_text(units[0].name)
    expect(row.locator(".result-type")).to_contain_text("上级下达")
    expect(row.locator(".result-type")).to_contain_text(f"山东省卫生健康委员会下达（{TASK_NO}）")
    expect(row.get_by_role("link", name="国家随机监督抽查（公共场所卫生）")).to_have_count(0)  # no verifiable draw
    page.screenshot(path=screenshot_dir / "upper-task-portal.png", full_page=True)
