"""KPIs of execution (issue #15 point 5): 检查完成率 and targets still unchecked after the task's 检查结束日期."""

import datetime as dt

import pytest
from django.utils import timezone

from shuangsuiji.dashboards.kpis import kpi_report, pct
from shuangsuiji.inspections.models import InspectionResult
from shuangsuiji.plans.models import Task

pytestmark = pytest.mark.django_db


def test_completion_and_overdue_unchecked(locked, approver_gq, regions):
    results = sorted(locked["results"], key=lambda r: r.pk)
    InspectionResult.objects.filter(pk=results[0].pk).update(status="submitted", checked_on=dt.date(2026, 3, 3))
    report = kpi_report(approver_gq, region=regions["370322"], year=2026, today=timezone.localdate())
    values = report.values()
    assert values["completion"] == pct(1, len(results)) and values["unchecked_overdue"] == 0  # window still open
    Task.objects.filter(pk=locked["task"].pk).update(window_end=dt.date(2026, 6, 10))
    values = kpi_report(approver_gq, region=regions["370322"], year=2026, today=timezone.localdate()).values()
    assert values["unchecked_overdue"] == len(results) - 1
    summary = {row["key"]: row for row in kpi_report(approver_gq, region=regions["370322"], year=2026).summary()}
    assert summary["unchecked_overdue"]["ok"] is False and summary["completion"]["label"].startswith("完成率")
