"""KPIs by 检查类型 (issue #15 point 1): random-check indicators count 上级下达 targets but never 非随机检查, which is
shown on its own line; this platform's draw counts ignore the imported record."""

import datetime as dt

import pytest
from django.utils import timezone

from shuangsuiji.dashboards.kpis import kpi_report, pct
from shuangsuiji.inspections import services
from shuangsuiji.inspections.models import InspectionResult

pytestmark = pytest.mark.django_db


def test_non_random_checks_are_counted_apart(locked, approver_gq, inspector_gq, regions):
    plan, units, officers = locked["plan"], locked["units"], locked["inspectors"]
    drawn = {r.unit_id for r in locked["results"]}
    free = [u for u in units if u.pk not in drawn]
    services.upper_task_import(
        user=approver_gq, plan=plan, default_group=officers[:2],
        task_data={"name": "省级随机监督抽查", "upper_level": "province", "upper_task_no": "鲁卫〔2026〕9号",
                   "lead_organization": plan.organization, "window_start": dt.date(2026, 3, 1),
                   "window_end": dt.date(2026, 12, 31)},
        records=[{"credit_code": free[0].credit_code}, {"credit_code": free[1].credit_code}],
    )  # fmt: skip
    result, _warning = services.non_random_check_record(
        user=inspector_gq, plan=plan, unit=free[2], check_reason="complaint", check_source="12345-0001",
        inspectors=officers[:2], window_start=dt.date(2026, 6, 1), window_end=dt.date(2026, 6, 30),
        lead_organization=plan.organization,
    )  # fmt: skip
    InspectionResult.objects.filter(pk=result.pk).update(
        status="submitted", checked_on=dt.date(2026, 6, 2), category="4", is_problem=True
    )
    values = kpi_report(approver_gq, region=regions["370322"], year=2026, today=dt.date(2026, 6, 15)).values()
    random_targets = len(locked["results"]) + 2
    assert values["draws"] == 1  # the imported record is no draw of this platform
    assert values["targets"] == random_targets and values["upper_targets"] == 2
    assert values["checked"] == 0 and values["problem_rate"] is None  # the complaint check is not a random one
    assert values["completion"] == pct(0, random_targets)
    assert (values["non_random_checks"], values["non_random_problems"]) == (1, 1)
    summary = {row["key"]: row for row in kpi_report(approver_gq, region=regions["370322"], year=2026).summary()}
    assert summary["non_random_checks"]["value"] == 1 and "不计入" in summary["non_random_checks"]["definition"]
    # and the 公示系统 export of 双随机抽查结果 leaves it out
    import io

    from openpyxl import load_workbook

    from shuangsuiji.paperwork.exports import gsxt_xlsx

    published_at = timezone.make_aware(dt.datetime(2026, 6, 1, 9, 0))
    InspectionResult.objects.filter(pk=result.pk).update(status="published", published_at=published_at)
    sheet = load_workbook(io.BytesIO(gsxt_xlsx(InspectionResult.objects.all()))).active
    assert sheet.max_row == 1  # the header only
