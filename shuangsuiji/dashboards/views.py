"""统计监督: KPIs per region and month (ECharts), the 月报表 export and the draw fairness report.

Login required; every number is computed from `restrict()`-ed querysets, and the region picker only
offers the user's own scope.
"""

from __future__ import annotations

import math
import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from shuangsuiji.core import audit, jobs
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.plans.models import AnnualPlan
from shuangsuiji.regions.models import Region

from . import fairness as fair
from . import kpis, reports, summaries
from .jobs import FAIRNESS

PERM_VIEW = "dashboards.view_kpi"
PERM_EXPORT = "dashboards.export_kpi"


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied("您没有此操作的权限")


def _scope(request) -> tuple[Region, int, int]:
    """(region, year, month) from the query string, limited to the user's scope."""
    user = request.user
    today = timezone.localdate()
    code = request.GET.get("region", "")
    region = Region.objects.filter(code=code).first() if code else kpis.default_region(user)
    if region is None:
        raise PermissionDenied("您的账号没有所属区划，无法查看统计")
    if not kpis.may_report_on(user, region):
        raise PermissionDenied("只能查看本区划及下级区划的统计")
    year = request.GET.get("year", "")
    year = int(year) if year.isascii() and year.isdecimal() and 2000 <= int(year) <= 2100 else today.year
    month = request.GET.get("month", "")
    month_ok = month.isascii() and month.isdecimal() and 1 <= int(month) <= 12
    month = int(month) if month_ok else (today.month if year == today.year else 12)
    return region, year, month


def plan_years(user, this_year: int) -> list[int]:
    """Every plan year in the user's scope (statistics are by plan year), the current year and the year after."""
    years = set(AnnualPlan.objects.restrict(user, "view").values_list("year", flat=True).distinct())
    return sorted(years | {this_year, this_year + 1}, reverse=True)


def _filter_context(request, region, year, month) -> dict:
    this_year = timezone.localdate().year
    return {
        "region": region,
        "year": year,
        "month": month,
        "regions": kpis.allowed_regions(request.user),
        "years": plan_years(request.user, this_year),
        "months": list(range(1, 13)),
    }


@login_required
def kpi(request):
    _require(request.user, PERM_VIEW)
    region, year, month = _scope(request)
    report = kpis.kpi_report(request.user, region=region, year=year)
    return render(request, "dashboards/kpi.html", {
        **_filter_context(request, region, year, month),
        "title": "监管指标",
        "summary": report.summary(),
        "region_rows": report.region_rows(),
        "month_rows": report.month_rows(),
        "charts": kpis.charts(report),
        "targets": kpis.TARGETS,
        "can_export": request.user.has_perm(PERM_EXPORT),
    })  # fmt: skip


@login_required
def monthly_report(request):
    """月报表 (xlsx): per region, the month and the year to date."""
    from .forms import ReportSignersForm

    _require(request.user, PERM_EXPORT)
    region, year, month = _scope(request)
    signers = ReportSignersForm(request.GET)
    if not signers.is_valid():
        return HttpResponse(signers.error_text(), status=400, content_type="text/plain; charset=utf-8")
    reporter, reviewer = signers.signers(request.user)
    report = kpis.kpi_report(request.user, region=region, year=year)
    content = reports.monthly_xlsx(report, month=month, user=request.user, reporter=reporter, reviewer=reviewer)
    audit.log_event(
        ObjectChange.Action.EXPORT, obj=None, user=request.user, region_code=region.code,
        message=f"导出“双随机、一公开”监管工作月报表：{region.name} {year}年{month}月",
        data={"region": region.code, "year": year, "month": month, "reporter": reporter, "reviewer": reviewer},
    )  # fmt: skip
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"monthly-{region.code}-{year}-{month:02d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def fairness(request):
    """抽取公平性报告: computed by a background job (`dashboards.fairness`); `?job=<id>` shows a finished one."""
    _require(request.user, PERM_VIEW)
    job_id = request.GET.get("job", "")
    if job_id:
        return _fairness_page(request, job_id)
    region, year, month = _scope(request)
    try:
        alpha = float(request.GET.get("alpha", fair.DEFAULT_ALPHA))
    except ValueError:
        alpha = fair.DEFAULT_ALPHA
    alpha = min(max(alpha, 0.001), 0.1) if math.isfinite(alpha) else fair.DEFAULT_ALPHA
    job = jobs.start(
        user=request.user, kind=FAIRNESS, title=f"抽取公平性报告：{region.full_name} {year}年",
        params={"region": region.code, "year": year, "alpha": alpha}, region=region,
    )  # fmt: skip
    return redirect(job)


def _fairness_page(request, job_id: str):
    try:
        pk = uuid.UUID(job_id)
    except ValueError:
        raise Http404("没有该报告") from None
    job = get_object_or_404(jobs.visible_to(request.user).filter(kind=FAIRNESS, status="succeeded"), pk=pk)
    region = get_object_or_404(Region, code=job.params["region"])
    if not kpis.may_report_on(request.user, region):
        raise PermissionDenied("只能查看本区划及下级区划的统计")
    report = fair.report_from_json(job.result["report"])
    year = job.params["year"]
    return render(request, "dashboards/fairness.html", {
        **_filter_context(request, region, year, 12),
        "title": "抽取公平性报告",
        "report": report,
        "alpha": report.alpha,
        "computed_at": job.finished_at,
        "chart_data": {"strata": fair.chart(report)},
    })  # fmt: skip


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx_response(request, content: bytes, name: str, message: str, region) -> HttpResponse:
    from urllib.parse import quote

    audit.log_event(ObjectChange.Action.EXPORT, obj=None, user=request.user, region_code=region.code, message=message)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def _head(request) -> list[str]:
    org = request.user.organization
    today = timezone.localdate()
    return [
        f"填报单位：{org.full_name if org else ''}　　填报人：{request.user.full_name or request.user.username}"
        f"　　审核人：＿＿＿＿　　填报日期：{today.year}年{today.month}月{today.day}日"
    ]


@login_required
def work_summary(request):
    """季度/年度工作总结统计 by 专业, with a chart; ?format=xlsx exports it."""
    _require(request.user, PERM_VIEW)
    region, year, month = _scope(request)
    quarter = request.GET.get("quarter", "")
    quarter = int(quarter) if quarter in ("1", "2", "3", "4") else None
    summary = summaries.work_summary(request.user, region=region, year=year, quarter=quarter)
    period = f"{year}年第{quarter}季度（累计）" if quarter else f"{year}年度"
    if request.GET.get("format") == "xlsx":
        _require(request.user, PERM_EXPORT)
        rows = summary["rows"] + ([summary["total"]] if summary["total"] else [])
        content = summaries.xlsx(
            f"{region.full_name}“双随机、一公开”工作总结统计表（{period}）", _head(request),
            [("label", "专业"), *summaries.SUMMARY_COLUMNS], rows, summaries.DEFINITIONS,
        )  # fmt: skip
        name = f"工作总结统计-{region.code}-{year}{f'-Q{quarter}' if quarter else ''}.xlsx"
        return _xlsx_response(request, content, name, f"导出“双随机、一公开”工作总结统计表：{region.name} {period}",
                              region)  # fmt: skip
    return render(request, "dashboards/work_summary.html", {
        **_filter_context(request, region, year, month),
        "title": "工作总结统计", "summary": summary, "period": period, "quarter": quarter,
        "columns": summaries.SUMMARY_COLUMNS, "definitions": summaries.DEFINITIONS,
        "table_rows": [(r["label"], [r[k] for k, _ in summaries.SUMMARY_COLUMNS])
                       for r in summary["rows"] + ([summary["total"]] if summary["total"] else [])],
        "chart_data": {"summary": summaries.summary_chart(summary)},
        "can_export": request.user.has_perm(PERM_EXPORT),
    })  # fmt: skip


@login_required
def task_report(request, pk):
    """问题及处理结果 of one task (the 承担单位's report to the 综合监督科); ?format=xlsx exports it."""
    from django.shortcuts import get_object_or_404

    from shuangsuiji.plans.models import Task

    _require(request.user, PERM_VIEW)
    task = get_object_or_404(Task.objects.restrict(request.user, "view").select_related("plan", "lead_organization"),
                             pk=pk)  # fmt: skip
    rows = summaries.task_round_rows(request.user, task)
    title = f"{task.name}（{task.code}）问题及处理结果"
    if request.GET.get("format") == "xlsx":
        _require(request.user, PERM_EXPORT)
        head = [f"承担单位：{task.lead_organization.full_name}　　计划年度：{task.plan.year}", *_head(request)]
        content = summaries.xlsx(title, head, summaries.ROUND_HEADERS, rows)
        return _xlsx_response(request, content, f"问题及处理结果-{task.code}.xlsx", f"导出{title}",
                              task.plan.region)  # fmt: skip
    return render(request, "dashboards/task_report.html", {
        "title": title, "task": task, "rows": rows, "headers": summaries.ROUND_HEADERS,
        "can_export": request.user.has_perm(PERM_EXPORT),
    })  # fmt: skip


@login_required
def ledger(request):
    """后续处置台账 (xlsx) of the plan year."""
    _require(request.user, PERM_EXPORT)
    region, year, _month = _scope(request)
    rows = summaries.ledger_rows(request.user, region=region, year=year)
    content = summaries.xlsx(f"{region.full_name}{year}年度“双随机”抽查后续处置台账", _head(request),
                             summaries.LEDGER_HEADERS, rows)  # fmt: skip
    return _xlsx_response(request, content, f"后续处置台账-{region.code}-{year}.xlsx",
                          f"导出后续处置台账：{region.name} {year}年度", region)  # fmt: skip
