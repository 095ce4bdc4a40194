"""`manage.py load_demo` loads on any date: its plan year, draws and results follow the day of loading, and a
year the holiday package does not cover gets a clearly marked sample calendar."""

import io

import pytest
from django.core.management import call_command

from shuangsuiji.core.models import CalendarYear, HolidayOverride
from shuangsuiji.directory.models import Inspector, RegulatedUnit
from shuangsuiji.draws.choices import FileKind
from shuangsuiji.draws.downloads import replacements_bytes
from shuangsuiji.draws.models import Draw, ExpertAttachment, InspectorChange
from shuangsuiji.fairdraw.replace import check_file
from shuangsuiji.inspections.models import InspectionResult
from shuangsuiji.plans.models import AnnualPlan
from shuangsuiji.plans.pool import weight_sentence
from shuangsuiji.plans.selectors import items_without_checklist
from shuangsuiji.plans.services import item_fit_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("moment", "year", "sample_years"),
    [
        ("2026-12-31 21:30 +0800", 2026, [2027]),  # New Year's Eve after the lottery: tomorrow is another year
        ("2031-01-10 10:00 +0800", 2031, [2030, 2031]),  # outside the holiday package; draws in December 2030
    ],
)
def test_demo_loads_on_any_date(time_machine, moment, year, sample_years):
    time_machine.move_to(moment, tick=False)
    out = io.StringIO()
    call_command("load_demo", stdout=out)

    plan = AnnualPlan.objects.get(region__code="370322", year=year)
    assert plan.status == "published" and plan.tasks.filter(inspection_type__in=("daily", "key")).count() == 4
    assert Draw.objects.filter(region__code="370322", status="locked", origin="drawn").count() == 2
    # issue #15 point 1: one 上级下达 task (one result published) and two 非随机检查, recorded without a draw
    assert sorted(
        plan.tasks.exclude(inspection_type__in=("daily", "key")).values_list("inspection_type", flat=True)
    ) == ["nonrandom", "nonrandom", "upper"]
    assert InspectionResult.objects.filter(draw__task__inspection_type="upper", status="published").count() == 1
    assert not Draw.objects.exclude(origin="drawn").filter(is_public=True).exists()
    assert Draw.objects.filter(region__code="370322", status="committed").count() == 1  # the waiting draw
    assert InspectionResult.objects.filter(status="published").exists()
    assert AnnualPlan.objects.filter(region__code="370323", year=year, status="draft").exists()
    # issue #15: every item of the demo tasks has its own 检查表, no item sits outside its task's scope, every
    # entered check date lies in its task's 检查时间, and 沂源 lists staff without a 执法证
    for task in plan.tasks.all():
        assert items_without_checklist(task) == []
        lines = set(task.business_lines.values_list("pk", flat=True))
        assert all(not item_fit_error(i.item, lines) for i in task.items.select_related("item"))
    for result in InspectionResult.objects.exclude(checked_on=None).select_related("draw__task"):
        assert result.draw.task.window_start <= result.checked_on <= result.draw.task.window_end
    assert Inspector.objects.filter(organization__region__code="370323", assist_only=True).count() == 2
    assert RegulatedUnit.objects.filter(region__code="370322").exclude(township=None).exists()
    # issue #15 points 2 and 6: a targeted task (its sentence on the portal), and a locked draw with an inspector
    # replaced (with its reason) on a 递补 unit and an expert drawn, re-checkable from the published files
    assert any(weight_sentence(t) for t in plan.tasks.all())
    change = InspectorChange.objects.get(status="applied")
    assert change.draw.status == "locked" and change.reason and change.target.replaces_id is not None
    assert ExpertAttachment.objects.filter(target__draw=change.draw).count() == 1
    files = [change.draw.file_bytes(k) for k in (FileKind.MANIFEST, FileKind.POOL, FileKind.ROSTER)]
    assert check_file(*files, replacements_bytes(change.draw)) == []

    assert sorted(CalendarYear.objects.values_list("year", flat=True)) == sample_years
    for calendar in CalendarYear.objects.all():
        assert calendar.source.startswith("演示示例")
        assert HolidayOverride.objects.filter(date__year=calendar.year, name__contains="演示示例").count() == 14
    text = out.getvalue()
    assert "已录入演示示例节假日安排" in text and "节假日维护" in text

    call_command("load_demo", stdout=io.StringIO())  # a second run changes nothing
    assert AnnualPlan.objects.filter(region__code="370322").count() == 1
    assert CalendarYear.objects.count() == len(sample_years)
