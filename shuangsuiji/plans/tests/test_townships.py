"""Units carry a 乡镇（街道）and a task's scope can be limited to some (issue #15 point 9)."""

import pytest
from django.core.exceptions import ValidationError

from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.directory import services as directory_services
from shuangsuiji.plans import pool, services, testing
from shuangsuiji.regions.models import Township
from shuangsuiji.regions.services import regions_load_gbt2260

pytestmark = pytest.mark.django_db


def test_unit_township_and_task_scope(regions, orgs, inspector_gq, approver_gq):
    regions_load_gbt2260(user=SYSTEM, prefix="3703")
    units = testing.make_units(regions["370322"], 10)
    qingcheng = Township.objects.get(county__code="370322", name="青城镇")
    yiyuan_town = Township.objects.filter(county__code="370323").first()
    for unit in units[:4]:
        directory_services.unit_update(user=SYSTEM, unit=unit, data={"township": qingcheng})
    with pytest.raises(ValidationError, match="不属于高青县"):
        directory_services.unit_update(user=SYSTEM, unit=units[5], data={"township": yiyuan_town})

    plan = services.plan_create(user=approver_gq, year=2026, title="2026年度计划", organization=orgs["gaoqing"])
    task = services.task_create(
        user=inspector_gq, plan=plan, **testing.task_data(plan, orgs["gaoqing"], townships=[qingcheng])
    )
    assert set(pool.scope_units(task)) == set(units[:4])
    services.task_update(user=inspector_gq, task=task, townships=[])
    assert set(pool.scope_units(task)) == set(units)
