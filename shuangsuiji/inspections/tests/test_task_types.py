"""Task types (issue #15 point 1): 上级下达 tasks imported with their units and officers, 非随机检查 recorded in the
same ledger, the 高青 coverage rule; on the real database with real spreadsheet bytes."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shuangsuiji.core.models import ObjectChange
from shuangsuiji.draws import services as draw_services
from shuangsuiji.draws.choices import DrawOrigin, DrawStatus
from shuangsuiji.draws.selectors import public_draws
from shuangsuiji.imports.spreadsheets import read_table
from shuangsuiji.imports.tests.helpers import xlsx_bytes
from shuangsuiji.inspections import services, upper_tasks
from shuangsuiji.inspections.choices import ResultStatus
from shuangsuiji.inspections.models import InspectionResult
from shuangsuiji.inspections.selectors import public_results
from shuangsuiji.inspections.testing import link_users
from shuangsuiji.plans import selectors as plan_selectors
from shuangsuiji.plans import services as plan_services
from shuangsuiji.plans.choices import InspectionType

from .fixtures import LOCK_TIME

pytestmark = pytest.mark.django_db

UPPER = {
    "name": "2026年度国家随机监督抽查（公共场所）", "upper_level": "province",
    "upper_authority": "山东省卫生健康委员会",
    "upper_task_no": "鲁卫监督〔2026〕12号", "window_start": dt.date(2026, 6, 1), "window_end": dt.date(2026, 11, 30),
}  # fmt: skip


def xlsx(rows, headers=("统一社会信用代码", "单位名称", "执法证号")) -> bytes:
    return xlsx_bytes(headers, rows)


def table(rows, **kw):
    return read_table(xlsx(rows, **kw), "上级任务.xlsx")


def upper_data(gq, **kw):
    return {**UPPER, "lead_organization": gq["plan"].organization, **kw}


def test_upper_task_import_records_targets_without_a_draw(gq, approver_gq):
    units, officers = gq["units"], gq["inspectors"]
    rows = [
        (units[0].credit_code, "", f"{officers[0].cert_no}、{officers[1].cert_no}"),
        ("", units[1].name, ""),  # matched by name; the page's group
    ]
    task, draw = services.upper_task_import(
        user=approver_gq,
        plan=gq["plan"],
        task_data=upper_data(gq),
        table=table(rows),
        items=[gq["item"]],
        default_group=officers[2:4],
        now=LOCK_TIME,
    )
    assert (
        task.inspection_type == InspectionType.UPPER
        and task.source_label == "山东省卫生健康委员会下达（鲁卫监督〔2026〕12号）"
    )
    assert (draw.origin, draw.status, draw.is_public, draw.commitment_hash) == (
        DrawOrigin.IMPORTED,
        DrawStatus.LOCKED,
        False,
        "",
    )
    targets = list(draw.targets.order_by("rank"))
    assert [t.unit for t in targets] == units[:2]
    assert [sorted(a.inspector_id for a in t.assignments.all()) for t in targets] == [
        sorted(i.pk for i in officers[:2]),
        sorted(i.pk for i in officers[2:4]),
    ]
    results = InspectionResult.objects.filter(draw=draw)
    assert {r.status for r in results} == {ResultStatus.PENDING} and results.count() == 2
    assert draw not in public_draws()  # never shown as a verifiable random draw
    assert task not in plan_selectors.tasks_ready_to_draw(approver_gq)
    event = ObjectChange.objects.filter(object_type="draws.draw", object_id=str(draw.pk)).get()
    assert "上级下达" in event.message and event.postchange_data["units"] == [u.credit_code for u in units[:2]]
    # the plan's published version does not list it; the plan's own task is untouched
    assert [t["code"] for t in gq["plan"].versions.get().snapshot["tasks"]] == [gq["task"].code]
    with pytest.raises(ValidationError, match="不在本平台抽取"):
        draw_services.draw_freeze(user=approver_gq, task=task, sources=[])


def test_upper_task_import_refuses_unknown_units_and_officers_with_row_errors(gq, approver_gq, yy_units):
    units = gq["units"]
    rows = [
        ("92370322MA0000000X", "", "370322900"),  # unknown code, unknown 执法证号
        ("", "不存在的单位", gq["inspectors"][0].cert_no),
        (yy_units[0].credit_code, "", ""),  # another county's unit: not in this directory
        (units[0].credit_code, "", ""),
        ("", units[0].name, ""),  # the same unit again
    ]
    with pytest.raises(ValidationError) as exc:
        services.upper_task_import(
            user=approver_gq,
            plan=gq["plan"],
            task_data=upper_data(gq),
            table=table(rows),
            default_group=gq["inspectors"][:2],
        )
    messages = exc.value.messages
    assert (
        "第2行“统一社会信用代码”：“92370322MA0000000X”在本辖区检查对象名录库中不存在，请先在名录库登记该单位"
        in messages
    )
    assert "第2行“执法证号”：“370322900”在本辖区执法人员名录库中不存在" in messages
    assert any(m.startswith("第3行“单位名称”：“不存在的单位”在本辖区检查对象名录库中不存在") for m in messages)
    assert any(m.startswith(f"第4行“统一社会信用代码”：“{yy_units[0].credit_code}”") for m in messages)
    assert f"第6行“统一社会信用代码”：与第5行是同一检查对象（{units[0].name}）" in messages
    assert not InspectionResult.objects.exists()
    assert not type(gq["task"]).objects.filter(inspection_type=InspectionType.UPPER).exists()


def test_upper_task_import_checks_groups_numbers_and_permission(gq, approver_gq, inspector_gq):
    units, officers = gq["units"], gq["inspectors"]
    with pytest.raises(ValidationError, match="未填写执法证号，页面上也没有选择检查组"):
        services.upper_task_import(
            user=approver_gq, plan=gq["plan"], task_data=upper_data(gq), table=table([(units[0].credit_code, "", "")])
        )
    with pytest.raises(ValidationError, match="至少需要 2 名持执法证的执法人员"):
        services.upper_task_import(
            user=approver_gq,
            plan=gq["plan"],
            task_data=upper_data(gq),
            table=table([(units[0].credit_code, "", officers[0].cert_no)]),
        )
    with pytest.raises(ValidationError) as exc:
        services.upper_task_import(
            user=approver_gq,
            plan=gq["plan"],
            task_data=upper_data(gq, upper_task_no=""),
            records=[{"credit_code": units[0].credit_code}],
            default_group=officers[:2],
        )
    assert "上级下达任务须填写上级任务编号" in str(exc.value)
    with pytest.raises(PermissionDenied):  # 执法人员 do not import tasks
        services.upper_task_import(
            user=inspector_gq,
            plan=gq["plan"],
            task_data=upper_data(gq),
            records=[{"credit_code": units[0].credit_code}],
            default_group=officers[:2],
        )
    services.upper_task_import(
        user=approver_gq,
        plan=gq["plan"],
        task_data=upper_data(gq),
        records=[{"credit_code": units[0].credit_code}],
        default_group=officers[:2],
    )
    with pytest.raises(ValidationError, match="已导入"):
        services.upper_task_import(
            user=approver_gq,
            plan=gq["plan"],
            task_data=upper_data(gq),
            records=[{"credit_code": units[1].credit_code}],
            default_group=officers[:2],
        )


def test_upper_task_result_flows_to_publication(client, gq, approver_gq, inspector_gq, make_user):
    units, officers = gq["units"], gq["inspectors"]
    _task, draw = services.upper_task_import(
        user=approver_gq,
        plan=gq["plan"],
        task_data=upper_data(gq),
        default_group=officers[:2],
        records=[{"credit_code": units[3].credit_code}],
        now=LOCK_TIME,
    )
    result = InspectionResult.objects.get(draw=draw)
    second = make_user("gq_inspector2", org="gaoqing_agency")
    link_users(result.target, inspector_gq, second)
    data = {"category": "1", "checked_on": dt.date(2026, 6, 10), "methods": ["onsite"], "findings": ""}
    services.result_save(user=inspector_gq, result=result, data=data)
    services.result_sign(user=inspector_gq, result=result)
    services.result_sign(user=second, result=result)
    services.result_publish(user=approver_gq, results=[result])
    published = public_results().get(pk=result.pk)
    assert published.unit_code == units[3].credit_code
    assert published.draw.task.source_label.endswith("（鲁卫监督〔2026〕12号）")
    # the portal labels it and never links it as a verifiable draw
    page = client.get(reverse("disclosure:result_search"), {"q": units[3].credit_code}).content.decode()
    assert "上级下达" in page and "山东省卫生健康委员会下达（鲁卫监督〔2026〕12号）" in page
    assert reverse("disclosure:draw_detail", args=[draw.code]) not in page
    assert client.get(reverse("disclosure:draw_detail", args=[draw.code])).status_code == 404


def test_portal_names_a_non_random_check_by_reason_only(client, gq, approver_gq, inspector_gq, make_user):
    result, _warning = non_random(gq, inspector_gq, gq["units"][0], source="12345-2026-0601")
    second = make_user("gq_inspector2", org="gaoqing_agency")
    link_users(result.target, inspector_gq, second)
    data = {"category": "1", "checked_on": dt.date(2026, 6, 12), "methods": ["onsite"], "findings": ""}
    services.result_save(user=inspector_gq, result=result, data=data)
    services.result_sign(user=inspector_gq, result=result)
    services.result_sign(user=second, result=result)
    services.result_publish(user=approver_gq, results=[result])
    page = client.get(reverse("disclosure:result_search"), {"q": gq["units"][0].credit_code}).content.decode()
    assert "非随机检查" in page and "投诉举报" in page
    assert "12345-2026-0601" not in page  # the complaint's number stays internal


def covered(gq, approver_gq):
    """Lock the plan's random task: its 8 targets are covered this year."""
    from shuangsuiji.inspections.testing import locked_draw

    draw = locked_draw(gq["task"], approver_gq, now=LOCK_TIME)
    return draw, [t.unit for t in draw.targets.filter(status="active")]


def non_random(gq, user, unit, reason="complaint", **kw):
    return services.non_random_check_record(
        user=user,
        plan=gq["plan"],
        unit=unit,
        check_reason=reason,
        check_source=kw.pop("source", "12345-2026-0601"),
        inspectors=gq["inspectors"][:2],
        window_start=dt.date(2026, 6, 10),
        window_end=dt.date(2026, 6, 30),
        lead_organization=gq["plan"].organization,
        **kw,
    )


def test_non_random_check_is_recorded_in_the_ledger_never_random(gq, approver_gq, inspector_gq):
    draw, covered_units = covered(gq, approver_gq)
    free = next(u for u in gq["units"] if u not in covered_units)
    result, warning = non_random(gq, inspector_gq, free, reason="referral", source="淄卫转〔2026〕3号")
    assert warning == ""
    task = result.draw.task
    assert (task.inspection_type, task.check_reason, task.source_label) == (
        InspectionType.NON_RANDOM,
        "referral",
        "转办交办（淄卫转〔2026〕3号）",
    )
    assert task.name == f"转办交办检查：{free.name}" and result.draw.origin == DrawOrigin.RECORDED
    assert result.status == ResultStatus.PENDING and not result.draw.is_public
    # a non-random check never covers a unit
    assert free.pk not in plan_selectors.random_coverage([free.pk], 2026)
    coverage = plan_selectors.random_coverage([covered_units[0].pk], 2026)[covered_units[0].pk]
    assert [e["code"] for e in coverage] == [gq["task"].code]


def test_covered_unit_warns_and_says_why(gq, approver_gq, inspector_gq):
    draw, covered_units = covered(gq, approver_gq)
    unit = covered_units[0]
    why = f"本年度已纳入随机抽查：日常监督随机抽查任务 {gq['task'].code}“{gq['task'].name}”（2026年3月1日 22:00纳入"
    with pytest.raises(ValidationError) as exc:
        non_random(gq, inspector_gq, unit, reason="supervised")
    assert why in exc.value.message_dict["confirm_covered"][0]
    assert "除投诉举报外，原则上不再开展日常监督检查" in exc.value.message_dict["confirm_covered"][0]
    result, warning = non_random(gq, inspector_gq, unit, reason="supervised", confirm_covered=True)
    assert why in warning
    assert ObjectChange.objects.filter(
        object_type="plans.task", object_id=str(result.draw.task_id), message__contains="登记时提示"
    ).exists()
    # 投诉举报 is the exception: recorded at once, with the warning shown
    _result, warning = non_random(gq, inspector_gq, covered_units[1])
    assert why.split("（")[0] in warning


def _other_task_over_covered_units(gq, approver_gq):
    """Lock the plan's random task (8 units covered this year), then another office's draft task of the same year
    over the same units."""
    from shuangsuiji.plans.testing import task_data

    _draw, covered_units = covered(gq, approver_gq)
    agency = gq["inspectors"][0].organization
    plan = plan_services.plan_create(user=approver_gq, year=2026, title="监督所计划", organization=agency)
    task = plan_services.task_create(user=approver_gq, plan=plan, **task_data(plan, agency, inspection_type="key"))
    return task, covered_units


def test_pool_preview_names_covered_units(gq, approver_gq, inspector_gq):
    from shuangsuiji.plans import pool

    task, covered_units = _other_task_over_covered_units(gq, approver_gq)
    assert pool.task_preview(gq["task"])["covered_count"] == 0  # a task does not cover its own pool
    # the other task's preview names the covered ones
    preview = pool.task_preview(task)
    assert preview["covered_count"] == len(covered_units) == 8
    assert {c["code"] for c in preview["covered"]} == {u.credit_code for u in covered_units}
    assert preview["covered"][0]["reason"].startswith(f"本年度已纳入随机抽查：日常监督随机抽查任务 {gq['task'].code}")


def test_draw_page_preview_lists_covered_units_and_why(client, gq, approver_gq, inspector_gq):
    """The 发起抽取 page shows the 高青 rule's warning: each covered unit by name and code, and the task covering it."""
    task, covered_units = _other_task_over_covered_units(gq, approver_gq)
    client.force_login(approver_gq)
    page = client.get(reverse("draws:draw_start", args=[task.pk])).content.decode()
    box = page.split('id="preview-covered"', 1)[1].split("</div>", 1)[0]
    assert "范围内有 <strong>8</strong> 户本年度已纳入其他随机抽查任务" in box
    assert "已纳入随机抽查的单位，除投诉举报外，原则上不再开展日常监督检查" in box
    why = f"本年度已纳入随机抽查：日常监督随机抽查任务 {gq['task'].code}“{gq['task'].name}”"
    for unit in covered_units:
        assert f"<li>{unit.name}（{unit.credit_code}）：{why}" in box
    # the task that covers them shows no such list (a task does not cover its own pool)
    own = client.get(reverse("draws:draw_start", args=[gq["task"].pk])).content.decode()
    assert 'id="preview-covered"' not in own


def test_task_form_cannot_create_upper_or_non_random_tasks(gq, approver_gq):
    plan = plan_services.plan_create(
        user=approver_gq, year=2027, title="2027年度计划", organization=gq["plan"].organization
    )
    from shuangsuiji.plans.testing import task_data

    with pytest.raises(ValidationError, match="导入上级任务"):
        plan_services.task_create(
            user=approver_gq, plan=plan, **task_data(plan, plan.organization, inspection_type="upper")
        )
    task = plan_services.task_create(
        user=approver_gq, plan=plan, **task_data(plan, plan.organization, inspection_type="key")
    )
    assert task.get_inspection_type_display() == "重点/专项监督"


def test_template_has_the_import_columns():
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(upper_tasks.template()))
    sheet = workbook.active
    assert [c.value for c in sheet[1]] == ["统一社会信用代码", "单位名称", "执法证号", "备注"]
    assert not any(c.value for row in sheet.iter_rows(min_row=2) for c in row)  # no data row to delete first


def test_template_shows_a_filled_in_example_row_that_the_import_does_not_read():
    """The 示例 sheet carries one row in the expected format (several 执法证号 in one cell, separated by “、”);
    the import reads the first sheet only, so the example never becomes a check target."""
    from openpyxl import load_workbook

    from shuangsuiji.imports.spreadsheets import EXAMPLE_SHEET, SpreadsheetError, read_table

    data = upper_tasks.template()
    example = load_workbook(io.BytesIO(data))[EXAMPLE_SHEET]
    assert [c.value for c in example[2]] == [
        "913703220000082U01", "高青县示例宾馆有限公司", "37032200001、37032200002", "市卫健委下达第1号任务第3户"
    ]  # fmt: skip
    with pytest.raises(SpreadsheetError, match="文件中没有数据行（只有表头）"):
        read_table(data, "上级下达任务检查对象.xlsx")


def test_upper_task_import_is_bounded_in_size(gq, approver_gq, monkeypatch):
    """The import runs in the request: a file beyond MAX_ROWS is refused whole, with the limit in the message."""
    monkeypatch.setattr(upper_tasks, "MAX_ROWS", 2)
    units = gq["units"]
    rows = [(u.credit_code, "", "") for u in units[:3]]
    with pytest.raises(ValidationError, match="一个上级下达任务最多导入 2 行检查对象，本文件有 3 行，请分批导入"):
        services.upper_task_import(user=approver_gq, plan=gq["plan"], task_data=upper_data(gq), table=table(rows),
                                   default_group=gq["inspectors"][:2])  # fmt: skip
    assert not InspectionResult.objects.exists()
