"""Oversight: KPIs per region and month, the 月报表 export and the fairness report (scoped by region)."""

import datetime as dt
import io
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from shuangsuiji.accounts.tests.test_views import login
from shuangsuiji.core.testing import finished_job
from shuangsuiji.dashboards import fairness, kpis
from shuangsuiji.disclosure.tests.conftest import publish
from shuangsuiji.draws.models import DrawTarget
from shuangsuiji.inspections.models import InspectionResult

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 15)


@pytest.fixture
def scenario(locked):
    """8 drawn targets (March): 2 published (1 with a problem), 1 checked but overdue, 5 not yet checked."""
    results = sorted(locked["results"], key=lambda r: r.pk)
    publish(results[:1], category="E", problem=True, checked_on=dt.date(2026, 3, 10), due=dt.date(2026, 4, 8))
    publish(results[1:2], category="1", problem=False, checked_on=dt.date(2026, 4, 1), due=dt.date(2026, 4, 29))
    InspectionResult.objects.filter(pk=results[2].pk).update(
        status="submitted", category="1", checked_on=dt.date(2026, 4, 2), publish_due=dt.date(2026, 4, 30)
    )
    return {**locked, "results": results}


def test_kpis_follow_the_stated_definitions(scenario, approver_gq, regions):
    report = kpis.kpi_report(approver_gq, region=regions["370322"], year=2026, today=TODAY)
    v = report.values()
    assert v["units"] == 40 and v["checked_units"] == 3
    assert v["coverage"] == 7.5  # 3 checked ÷ 40 open units
    assert v["planned_coverage"] == 20.0  # 8 drawn ÷ 40
    # The fixture task is stratified by risk class with 20 % for every class: not a risk-based draw.
    assert v["draws"] == 1 and v["risk_based"] == 0.0 and v["joint_tasks"] == 0.0 and v["joint_units"] == 0.0
    assert v["completed"] == 3 and v["completion"] == 37.5  # 3 of 8 drawn targets checked
    assert v["unchecked_overdue"] == 0  # the window (1 June–31 December) is still open
    assert v["checked"] == 3 and v["problems"] == 1 and v["problem_rate"] == pytest.approx(33.33)
    assert v["due"] == 3 and v["published"] == 2 and v["publication"] == pytest.approx(66.67)
    assert v["overdue"] == 1
    march, april = report.values(month=3), report.values(month=4)
    assert march["draws"] == 1 and march["targets"] == 8 and april["draws"] == 0
    assert april["due"] == 3 and april["checked"] == 2
    summary = {k["key"]: k for k in report.summary()}
    assert summary["coverage"]["ok"] is True and summary["publication"]["ok"] is False
    assert summary["joint_tasks"]["ok"] is False and summary["risk_based"]["ok"] is False
    assert all(k["definition"] for k in report.summary())
    assert summary["overdue"]["ok"] is False


def test_publication_rate_counts_targets_left_unchecked_after_the_window(scenario, approver_gq, regions):
    """After 31 December the 5 unchecked targets are due and unpublished: 2 published of 3 + 5 due = 25 %."""
    report = kpis.kpi_report(approver_gq, region=regions["370322"], year=2026, today=dt.date(2027, 1, 10))
    v = report.values()
    assert v["due"] == 8 and v["published"] == 2 and v["publication"] == 25.0
    assert v["timely_published"] == 2 and v["timely"] == 25.0  # both published before their due dates
    assert v["unchecked_overdue"] == 5 and v["overdue"] == 1
    assert report.values(month=12)["unchecked_overdue"] == 5  # by the end of the task window
    summary = {k["key"]: k for k in report.summary()}
    assert summary["unchecked_overdue"]["ok"] is False and summary["publication"]["ok"] is False


def test_risk_share_counts_only_draws_whose_class_rates_differ(scenario, approver_gq, regions):
    """The fixture draw committed 20 % for every class: not risk-based, and a rule added to the task after
    the draw (here behind the services' back) does not change what the draw committed to."""
    from shuangsuiji.plans.models import TaskStratumRule

    TaskStratumRule.objects.create(task=scenario["task"], stratum="A", rate=5)
    report = kpis.kpi_report(approver_gq, region=regions["370322"], year=2026, today=TODAY)
    assert report.values()["risk_draws"] == 0 and report.values()["risk_based"] == 0.0


def test_risk_share_reads_the_rates_the_draw_committed_to(gq, approver_gq, regions):  # noqa: F811
    """A task whose A class is drawn at 5 % and the others at 20 % is risk-based, from its commitment record;
    setting every class back to 20 % afterwards changes nothing."""
    from shuangsuiji.disclosure.tests.conftest import LOCK_TIME
    from shuangsuiji.draws.testing import locked_draw
    from shuangsuiji.plans.models import TaskStratumRule

    TaskStratumRule.objects.create(task=gq["task"], stratum="A", rate=5)
    draw = locked_draw(gq["task"], approver_gq, now=LOCK_TIME)
    plan = kpis.committed_plans([draw.pk])[draw.pk]
    assert plan["strata"]["A"]["rate"] == "1/20" and plan["default"]["rate"] == "1/5"
    report = kpis.kpi_report(approver_gq, region=regions["370322"], year=2026, today=TODAY)
    assert report.values()["risk_draws"] == 1 and report.values()["risk_based"] == 100.0
    TaskStratumRule.objects.filter(task=gq["task"]).update(rate=20)
    assert kpis.kpi_report(approver_gq, region=regions["370322"], year=2026, today=TODAY).values()["risk_based"] == 100


def test_risk_share_for_line_by_risk_draws_needs_rates_that_differ_within_a_line(
    gq, approver_gq, inspector_gq, orgs, regions
):  # noqa: F811
    """专业×风险: 饮用水 drawn at 50 % and 公共场所 at 20 % differ by 专业 only, which is not risk-based; a 公共场所
    A class at 5 % beside B–D at 20 % is."""
    from shuangsuiji.directory.models import BusinessLine
    from shuangsuiji.draws.testing import locked_draw
    from shuangsuiji.plans.choices import StratifyBy
    from shuangsuiji.plans.models import TaskStratumRule
    from shuangsuiji.plans.testing import make_inspectors, make_units, published_plan_with_task

    make_units(regions["370322"], 20, lines=("yys",), start=41)
    make_inspectors(orgs["gaoqing_agency"], 4, lines=("ggcs", "yys"), start=7)
    lines = list(BusinessLine.objects.filter(code__in=("ggcs", "yys")))

    def line_risk_task(year, rules):
        _plan, task = published_plan_with_task(author=inspector_gq, approver=approver_gq, year=year,
                                               organization=orgs["gaoqing"], item=gq["item"],
                                               stratify_by=StratifyBy.LINE_RISK, business_lines=lines)  # fmt: skip
        for stratum, rate in rules.items():
            TaskStratumRule.objects.create(task=task, stratum=stratum, rate=rate)
        return task

    by_line = line_risk_task(2027, {f"yys|{c}": 50 for c in "ABCD"})
    draw = locked_draw(by_line, approver_gq, now=timezone.make_aware(dt.datetime(2026, 11, 20, 10, 0)),
                       issue="2026330")  # fmt: skip
    assert {s.rpartition("|")[0] for s in draw.pool_entries.values_list("stratum", flat=True)} == {"ggcs", "yys"}
    v = kpis.kpi_report(approver_gq, region=regions["370322"], year=2027, today=TODAY).values()
    assert (v["draws"], v["risk_draws"], v["risk_based"]) == (1, 0, 0.0)

    within_line = line_risk_task(2028, {"ggcs|A": 5})
    locked_draw(within_line, approver_gq, now=timezone.make_aware(dt.datetime(2026, 11, 23, 10, 0)), issue="2026332")
    v = kpis.kpi_report(approver_gq, region=regions["370322"], year=2028, today=TODAY).values()
    assert (v["draws"], v["risk_draws"], v["risk_based"]) == (1, 1, 100.0)


def test_joint_shares_count_departments_not_sections(scenario, approver_gq, regions, orgs):
    from shuangsuiji.accounts.models import Organization
    from shuangsuiji.plans.models import TaskItem

    task = scenario["task"]
    section = Organization.objects.create(name="公共卫生监督科", kind="section", region=regions["370322"],
                                          parent=orgs["gaoqing"])  # fmt: skip
    item = TaskItem.objects.create(task=task, organization=section, item_name="生活饮用水卫生", order=5)

    def values():
        return kpis.kpi_report(approver_gq, region=regions["370322"], year=2026, today=TODAY).values()

    v = values()  # a 科室 of the lead bureau: one department, not joint
    assert v["joint_draws"] == 0 and v["system_joint_draws"] == 0
    item.organization = orgs["gaoqing_agency"]
    item.save()
    v = values()  # 卫生健康局 + 卫生监督所: 系统内联合, shown apart, not in the 部门联合 share
    assert v["system_joint_draws"] == 1 and v["system_joint_tasks"] == 100.0 and v["joint_tasks"] == 0.0
    market = Organization.objects.create(name="高青县市场监督管理局", kind="other", region=regions["370322"])
    TaskItem.objects.create(task=task, organization=market, item_name="公共场所营业执照", order=6)
    v = values()  # another department joins: 部门联合, task share 1/1, unit share 8/8
    assert v["joint_draws"] == 1 and v["joint_tasks"] == 100.0 and v["joint_units"] == 100.0
    assert v["system_joint_draws"] == 0


def test_statistics_are_by_plan_year(scenario, gq, approver_gq, inspector_gq, orgs, regions):
    """A 2027 plan's draw made in 2026 counts in 2027, not in 2026."""
    from shuangsuiji.draws.testing import locked_draw
    from shuangsuiji.plans.testing import published_plan_with_task

    _plan, task = published_plan_with_task(author=inspector_gq, approver=approver_gq, organization=orgs["gaoqing"],
                                           item=gq["item"], year=2027)  # fmt: skip
    locked_draw(task, approver_gq, now=timezone.make_aware(dt.datetime(2026, 11, 20, 10, 0)), issue="2026330")
    v2026 = kpis.kpi_report(approver_gq, region=regions["370322"], year=2026, today=TODAY).values()
    v2027 = kpis.kpi_report(approver_gq, region=regions["370322"], year=2027, today=TODAY).values()
    assert v2026["draws"] == 1 and v2026["targets"] == 8
    assert v2027["draws"] == 1 and v2027["targets"] == 8 and v2027["checked"] == 0


def test_coverage_counts_by_plan_year(scenario, gq, approver_gq, inspector_gq, orgs, regions):
    """A unit of the 2027 plan checked in November 2026 covers 2027 (1 ÷ 40 = 2.5 %), not 2026 (still 3 ÷ 40)."""
    from shuangsuiji.draws.testing import locked_draw
    from shuangsuiji.inspections.services import results_open_for_draw
    from shuangsuiji.plans.testing import published_plan_with_task

    _plan, task = published_plan_with_task(author=inspector_gq, approver=approver_gq, organization=orgs["gaoqing"],
                                           item=gq["item"], year=2027)  # fmt: skip
    draw = locked_draw(task, approver_gq, now=timezone.make_aware(dt.datetime(2026, 11, 20, 10, 0)), issue="2026330")
    checked_2026 = {r.unit_id for r in scenario["results"][:3]}
    (fresh, *_) = [r for r in results_open_for_draw(draw=draw, user=approver_gq) if r.unit_id not in checked_2026]
    InspectionResult.objects.filter(pk=fresh.pk).update(status="submitted", category="1",
                                                        checked_on=dt.date(2026, 11, 25))  # fmt: skip
    today = dt.date(2026, 12, 1)
    v2026 = kpis.kpi_report(approver_gq, region=regions["370322"], year=2026, today=today).values()
    v2027 = kpis.kpi_report(approver_gq, region=regions["370322"], year=2027, today=today).values()
    assert (v2026["checked_units"], v2026["coverage"]) == (3, 7.5)
    assert (v2027["checked_units"], v2027["coverage"], v2027["completion"]) == (1, 2.5, 12.5)


def test_kpi_page_shows_definitions_and_every_plan_year(client, scenario, approver_gq, inspector_gq, orgs, gq):
    """The page states each indicator's definition, and the year selector lists every plan year in scope (an
    old one and one years ahead), besides this year and the next."""
    from shuangsuiji.plans.testing import published_plan_with_task

    for year in (2023, 2030):
        published_plan_with_task(author=inspector_gq, approver=approver_gq, organization=orgs["gaoqing"],
                                 item=gq["item"], year=year)  # fmt: skip
    login(client, approver_gq)
    body = client.get(reverse("dashboards:kpi"), {"year": 2023}).content.decode()
    select = body.split('id="f-year"')[1].split("</select>")[0]
    assert re.findall(r'<option value="(\d+)"', select) == ["2030", "2027", "2026", "2023"]
    assert '<option value="2023" selected>' in select
    definitions = body.split('id="kpi-definitions"')[1].split("</section>")[0]
    assert "指标口径" in definitions
    for key in ("coverage", "completion", "publication", "timely", "risk_based", "joint_tasks", "joint_units"):
        assert kpis.DEFINITIONS[key] in definitions, key


def test_work_summary_by_line_year_and_quarter(client, scenario, approver_gq, regions):
    from shuangsuiji.dashboards import summaries

    s = summaries.work_summary(approver_gq, region=regions["370322"], year=2026)
    (row,) = s["rows"]
    assert row["label"] == "公共场所卫生" and row["targets"] == 8 and row["closed_out"] == 3 and row["checked"] == 3
    assert row["not_operating"] == 0 and row["no_problem"] == 2 and row["problems"] == 1 and row["published"] == 2
    assert (row["completion"], row["closure"], row["publication"]) == (37.5, 37.5, pytest.approx(66.67))
    assert s["total"]["targets"] == 8
    q1 = summaries.work_summary(approver_gq, region=regions["370322"], year=2026, quarter=1)
    (row,) = q1["rows"]  # by 31 March: 1 checked (10 March) and published
    assert q1["until"] == dt.date(2026, 3, 31) and row["targets"] == 8 and row["closed_out"] == 1
    assert row["published"] == 1 and row["completion"] == 12.5 and row["publication"] == 100.0
    assert summaries.work_summary(approver_gq, region=regions["370322"], year=2027)["rows"] == []
    login(client, approver_gq)
    body = client.get(reverse("dashboards:work_summary"), {"year": 2026}).content.decode()
    assert "工作总结统计" in body and "完成率(%)" in body and 'data-chart="summary"' in body and "37.5" in body
    response = client.get(reverse("dashboards:work_summary"), {"year": 2026, "quarter": 1, "format": "xlsx"})
    ws = load_workbook(io.BytesIO(response.content)).active
    assert "2026年第1季度（累计）" in ws["A1"].value and "填报单位：山东省淄博市高青县卫生健康局" in ws["A2"].value
    assert [c.value for c in ws[3]][:5] == ["专业", "任务数（户）", "已检查", "关闭/无经营活动", "完成率(%)"]


def test_task_report_and_follow_up_ledger(client, scenario, approver_gq, regions):
    from shuangsuiji.cases.models import FollowUpCase

    r0 = scenario["results"][0]
    InspectionResult.objects.filter(pk=r0.pk).update(findings="未设置禁烟标识", disposal="opinion",
                                                      disposal_note="责令立即改正")  # fmt: skip
    FollowUpCase.objects.create(result=r0, unit=r0.unit, region=r0.region, kind="rectify",
                                description="设置禁烟标识", deadline=dt.date(2026, 3, 20))  # fmt: skip
    login(client, approver_gq)
    page = client.get(reverse("dashboards:task_report", args=[scenario["task"].pk])).content.decode()
    assert "问题及处理结果" in page and "未设置禁烟标识" in page and "责令整改（未完结，设置禁烟标识）" in page
    ws = load_workbook(io.BytesIO(client.get(reverse("dashboards:task_report", args=[scenario["task"].pk]),
                                             {"format": "xlsx"}).content)).active  # fmt: skip
    assert "承担单位：山东省淄博市高青县卫生健康局" in ws["A2"].value
    headers = [c.value for c in ws[4]]
    assert headers[4:7] == ["检查结果", "发现问题情况", "处置情况"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5)]
    assert len(rows) == 8 and any(r[5] == "未设置禁烟标识" and r[6] == "下达卫生监督意见书（责令整改）" for r in rows)
    ws = load_workbook(io.BytesIO(client.get(reverse("dashboards:ledger"), {"year": 2026}).content)).active
    headers = [c.value for c in ws[3]]
    assert headers[:5] == ["抽查任务编号", "单位名称", "统一社会信用代码", "发现问题情况", "处置方式"]
    assert [c.value for c in ws[4]][3:6] == ["未设置禁烟标识", "责令整改", "设置禁烟标识"]


def test_public_task_summary_counts_published_results_only(client, scenario):
    from shuangsuiji.disclosure import selectors

    out = selectors.task_outcomes(scenario["task"].code)
    assert out["targets"] == 8 and out["published"] == 2 and out["pending"] == 6
    assert out["checked"] == 2 and out["problems"] == 1 and out["no_problem"] == 1  # the submitted one is not shown
    body = client.get(reverse("disclosure:task_detail", args=[scenario["task"].code])).content.decode()
    assert "汇总分析" in body and "本任务共抽取检查对象 8 户，已公示检查结果 2 户" in body


def test_public_task_summary_counts_dispositions_of_published_results(client, scenario):
    """高青 汇总分析: 意见书/立案/移送/抄告 are counted from published results only, on the page too."""
    from shuangsuiji.disclosure import selectors

    r = scenario["results"]
    publish(r[3:7], category="E", problem=True, checked_on=dt.date(2026, 3, 12))
    for result, disposal in zip(
        r[:7], ["case", "none", "case", "opinion", "opinion", "transfer", "notify"], strict=True
    ):
        InspectionResult.objects.filter(pk=result.pk).update(disposal=disposal)  # r[2] is submitted, not public
    out = selectors.task_outcomes(scenario["task"].code)
    assert out["published"] == 6 and out["problems"] == 5
    assert (out["opinion"], out["case"], out["transfer"], out["notify"]) == (2, 1, 1, 1)
    body = client.get(reverse("disclosure:task_detail", args=[scenario["task"].code])).content.decode()
    cells = re.findall(r"<td>(\d+)</td>", body.split("汇总分析")[1].split("</table>")[0])
    assert cells == ["6", "6", "0", "1", "5", "2", "1", "1", "1"]


def test_region_scope_is_enforced(client, scenario, admin_yy, city_approver, regions):
    report = kpis.kpi_report(admin_yy, region=regions["370323"], year=2026, today=TODAY)
    assert report.values()["draws"] == 0  # 沂源 sees nothing of 高青
    login(client, admin_yy)
    assert client.get(reverse("dashboards:kpi"), {"region": "370322", "year": 2026}).status_code == 403
    assert client.get(reverse("dashboards:monthly_report"), {"region": "370300"}).status_code == 403
    client.logout()
    login(client, city_approver)
    response = client.get(reverse("dashboards:kpi"), {"region": "370300", "year": 2026})
    assert response.status_code == 200
    table = response.content.decode().split('id="region-table"')[1]
    assert "高青县" in table and "沂源县" in table  # one row per county of the city


def test_kpi_page_feeds_echarts_through_json_script(client, scenario, oversight_gq):
    login(client, oversight_gq)
    response = client.get(reverse("dashboards:kpi"), {"year": 2026})
    body = response.content.decode()
    assert response.status_code == 200
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", body)
    data = json.loads(
        re.search(r'<script id="dashboard-charts" type="application/json">(.*?)</script>', body, re.S).group(1)
    )
    assert set(data) == {"coverage", "rates", "draws"}
    assert data["coverage"]["series"][0]["markLine"]["data"] == [{"yAxis": 3.0}]
    assert 'data-chart="coverage"' in body and "js/dashboards.js" in body and "echarts.min.js" in body
    assert "监管指标" in body and "统计监督" in body  # menu entry


def test_monthly_report_xlsx(client, scenario, oversight_gq):
    login(client, oversight_gq)
    response = client.get(reverse("dashboards:monthly_report"), {"year": 2026, "month": 4})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    assert "月报表（2026年4月）" in ws["A1"].value
    # 填报单位 is the agency (the user's organisation), with 填报人, 审核人 and the date.
    assert f"填报单位：山东省淄博市高青县卫生健康局　　填报人：{oversight_gq.full_name}　　审核人：" in ws["A2"].value
    assert "填报日期：2026年6月15日" in ws["A2"].value and "按计划年度" in ws["A2"].value
    headers = [c.value for c in ws[4]]
    assert headers[0] is None or headers[0] == "地区"
    assert "结果公示率(%)" in headers and "联合抽查任务占比(%)" in headers and "抽查覆盖率(%)" in headers
    rows = {r[0].value: [c.value for c in r] for r in ws.iter_rows(min_row=5) if r[0].value}
    total = rows["合计"]
    col = {h: i for i, h in enumerate(headers) if h}
    month_due = total[col["应公示结果数"]]  # first occurrence = 本月
    assert month_due == 3
    assert "高青县" in rows
    from shuangsuiji.core.models import ObjectChange

    assert ObjectChange.objects.filter(action="export", message__contains="月报表").exists()


def test_monthly_report_prints_the_reporter_and_reviewer_filled_in(client, scenario, oversight_gq):
    """The KPI page's export form asks for 填报人 (filled with the user) and 审核人; the sheet prints both with the
    填报日期, and the audit row records them. Too long a name is refused in Chinese, naming the field."""
    from shuangsuiji.core.models import ObjectChange

    login(client, oversight_gq)
    page = client.get(reverse("dashboards:kpi"), {"year": 2026, "month": 4}).content.decode()
    form = page.split('id="monthly-export"')[1].split("</form>")[0]
    assert 'name="reporter"' in form and f'value="{oversight_gq.full_name}"' in form and 'name="reviewer"' in form
    assert '<input type="hidden" name="month" value="4">' in form

    def head(**signers) -> str:
        response = client.get(reverse("dashboards:monthly_report"), {"year": 2026, "month": 4, **signers})
        assert response.status_code == 200
        return load_workbook(io.BytesIO(response.content)).active["A2"].value

    assert "填报人：王填表　　审核人：李审核　　填报日期：2026年6月15日" in head(reporter="王填表", reviewer="李审核")
    assert f"填报人：{oversight_gq.full_name}　　审核人：李审核　　填报日期：" in head(reporter=" ", reviewer="李审核")
    assert f"填报人：{oversight_gq.full_name}　　审核人：＿＿＿＿　　填报日期：" in head()  # a line to sign on paper
    assert "审核人：'=1+1" in head(reviewer="=1+1")  # formula-safe
    row = ObjectChange.objects.filter(action="export", message__contains="月报表").order_by("-pk")[2]
    assert row.postchange_data["reporter"] == oversight_gq.full_name and row.postchange_data["reviewer"] == "李审核"
    response = client.get(reverse("dashboards:monthly_report"), {"year": 2026, "month": 4, "reviewer": "审" * 31})
    assert response.status_code == 400 and response.content.decode() == "审核人不能超过 30 个字"


def test_fairness_report_is_clean_for_an_honest_draw_and_catches_a_tampered_result(
    client, scenario, approver_gq, regions
):
    report = fairness.fairness_report(approver_gq, region=regions["370322"], year=2026)
    assert [r.key for r in report.strata] == ["A", "B", "C", "D"]
    for row in report.strata:  # 20 % of 10 = exactly 2: fixed by rule, nothing random to test
        assert row.expected == pytest.approx(2.0) and row.observed == 2 and not row.flagged
        assert row.p_value is None and row.p_display == "不检验"
    assert report.units_checked == 40 and report.mismatches == [] and report.flagged == 0
    assert report.tests == 40  # every unit (p = 0.2 once) is tested; none is flagged
    loads = sum(r.observed for r in report.inspectors)
    assert loads == 16 and sum(r.expected for r in report.inspectors) == pytest.approx(16)
    # Someone swaps a drawn unit in the database: the manifest no longer matches.
    target = DrawTarget.objects.filter(draw=scenario["draw"], role="selected").first()
    DrawTarget.objects.filter(pk=target.pk).update(role="substitute", rank=99)
    report = fairness.fairness_report(approver_gq, region=regions["370322"], year=2026)
    assert report.mismatches and any(r.observed == 1 for r in report.strata)
    login(client, approver_gq)
    job = finished_job(client.get(reverse("dashboards:fairness"), {"year": 2026}))  # a background job
    assert job.status == "succeeded" and "不一致" in job.result["text"]
    body = client.get(job.result_url).content.decode()
    assert "不一致" in body and 'data-chart="strata"' in body and "本报告由后台任务" in body
    assert client.get(reverse("dashboards:fairness"), {"job": "not-a-uuid"}).status_code == 404
    job_body = body
    report = fairness.report_from_json(job.result["report"])
    body = job_body
    assert "霍尔姆" in body and "本专业人员" in body and "随机舍入" in body
    # The chart plots the table's own rows and numbers.
    chart = json.loads(re.search(r'<script id="dashboard-charts" type="application/json">(.*?)</script>', body,
                                 re.S).group(1))["strata"]  # fmt: skip
    assert chart["xAxis"]["data"] == [r.label for r in report.strata]
    assert chart["series"][0]["data"] == [round(r.expected, 2) for r in report.strata]
    assert chart["series"][1]["data"] == [r.observed for r in report.strata]


def test_poisson_binomial_exact_test_and_holm_by_hand():
    assert fairness.poisson_binomial([0.5, 0.5]) == pytest.approx([0.25, 0.5, 0.25])
    assert fairness.poisson_binomial([0.2, 0.5]) == pytest.approx([0.4, 0.5, 0.1])
    assert fairness.exact_p_value([0.5] * 4, 4) == pytest.approx(0.125)  # P(0) + P(4) = 2/16
    assert fairness.exact_p_value([0.5] * 4, 2) == pytest.approx(1.0)
    assert fairness.exact_p_value([0.2] * 8, 8) == pytest.approx(0.2**8)  # nothing else is that unlikely
    assert fairness.holm([0.01, 0.04, 0.03], 0.05) == [True, False, False]  # 0.01 ≤ 0.05/3; 0.03 > 0.05/2
    assert fairness.holm([0.01, 0.02, 0.04], 0.05) == [True, True, True]  # 0.01≤.0167, 0.02≤.025, 0.04≤.05


def _rounds(picks_per_round):
    """Units of 4 strata × 10, 8 rounds, 2 drawn per stratum and round (p = 0.2 each time)."""
    units = {}
    for h in "ABCD":
        for i in range(10):
            units[f"{h}{i}"] = fairness.Row(f"{h}{i}", f"{h}{i}")
    for r in range(8):
        for h in "ABCD":
            chosen = picks_per_round(h, r)
            for i in range(10):
                row = units[f"{h}{i}"]
                row.draws += 1
                row.expected += 0.2
                row.chances.append(0.2)
                row.observed += i in chosen
    return list(units.values())


def test_honest_rotation_raises_no_alarm_and_one_unit_drawn_every_round_does():
    honest = _rounds(lambda h, r: {(2 * r) % 10, (2 * r + 1) % 10})
    assert fairness.evaluate([], honest) == 40 and not any(r.flagged for r in honest)
    # Another honest-looking spread: some units twice, some never — still no alarm after Holm.
    spread = _rounds(lambda h, r: {r % 10, (r + 3) % 10})
    fairness.evaluate([], spread)
    assert not any(r.flagged for r in spread)
    biased = _rounds(lambda h, r: {0, 1 + r % 9} if h == "A" else {(2 * r) % 10, (2 * r + 1) % 10})
    fairness.evaluate([], biased)
    assert [r.key for r in biased if r.flagged] == ["A0"]  # drawn in all 8 rounds: p = 0.2⁸ ≈ 2.6e-6 < 0.05/40
    a0 = next(r for r in biased if r.key == "A0")
    assert a0.observed == 8 and a0.p_value == pytest.approx(0.2**8)


def test_z_scores():
    assert fairness.z_score(5, 1, 1) == 4
    assert fairness.z_score(2, 2, 0) is None
    assert fairness.z_score(3, 2, 0) == float("inf")
