"""Background work of 统计监督 (core/jobs.py): the draw fairness report reads every locked draw's committed
files of a year (a province's year is thousands of pools), so it is computed by a job and kept on it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from shuangsuiji.core import jobs
from shuangsuiji.regions.models import Region

from . import fairness as fair
from . import kpis

FAIRNESS = "dashboards.fairness"


@jobs.register(FAIRNESS, unit="次抽取")
def fairness_report(job, *, user, progress):
    params = job.params
    region = Region.objects.get(code=params["region"])
    if not jobs.is_system(user) and not kpis.may_report_on(user, region):
        raise PermissionDenied("只能查看本区划及下级区划的统计")
    report = fair.fairness_report(
        user, region=region, year=params["year"], alpha=params.get("alpha", fair.DEFAULT_ALPHA), progress=progress
    )
    progress(len(report.draws), len(report.draws))
    text = (
        f"{region.full_name} {params['year']}年：{len(report.draws)} 次已锁定抽取，"
        + (f"{report.flagged} 项经检验显著偏离公布的概率" if report.flagged else "未发现显著偏离公布概率的情况")
        + ("；数据库中的抽取结果与结果清单不一致" if report.mismatches else "")
    )
    url = f"{reverse('dashboards:fairness')}?job={job.pk}"
    return jobs.Outcome(url=url, text=text, data={"report": fair.report_json(report)})
