"""Items fit units (issue #15 point 3): an item states the business lines of the units it applies to; a task
only holds items of its scope; the task form offers each 事项 once, filtered by 专业, and takes items at creation."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from shuangsuiji.accounts.tests.test_views import login
from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.directory import services as directory_services
from shuangsuiji.directory.models import BusinessLine, InspectionItem
from shuangsuiji.plans import selectors, services, testing

pytestmark = pytest.mark.django_db


def published_item(region, code, line, name, unit_lines=None):
    data = {"code": code, "business_line": BusinessLine.objects.get(code=line), "name": name, "target": "检查对象",
            "legal_basis": "《中华人民共和国传染病防治法》", "responsible_body": "县级卫生健康行政部门",
            "content": "检查内容", "default_ratio": 5, "region": region}  # fmt: skip
    if unit_lines is not None:
        data["unit_lines"] = list(BusinessLine.objects.filter(code__in=unit_lines))
    return directory_services.item_publish(user=SYSTEM, item=directory_services.item_create(user=SYSTEM, data=data))


@pytest.fixture
def school_task(regions, orgs, inspector_gq, approver_gq):
    testing.make_units(regions["370322"], 10, lines=("xxws",))
    plan = services.plan_create(user=approver_gq, year=2026, title="2026年度计划", organization=orgs["gaoqing"])
    task = services.task_create(
        user=inspector_gq, plan=plan,
        **testing.task_data(plan, orgs["gaoqing"], business_lines=list(BusinessLine.objects.filter(code="xxws"))),
    )  # fmt: skip
    return plan, task


def test_medical_item_refused_on_school_task(school_task, regions, orgs, inspector_gq):
    plan, task = school_task
    hospital = published_item(regions["370322"], "GQ-CRB-01", "crb", "医疗机构传染病防治监督检查")
    with pytest.raises(ValidationError, match="医疗机构传染病防治监督检查.*传染病防治的检查对象.*学校卫生"):
        services.task_item_add(user=inspector_gq, task=task, organization=orgs["gaoqing"], item=hospital)
    # an item declared for schools as well fits (传染病防治 in 学校 and 托幼机构)
    schools = published_item(regions["370322"], "GQ-CRB-02", "crb", "学校传染病防控监督检查", unit_lines=("xxws",))
    services.task_item_add(user=inspector_gq, task=task, organization=orgs["gaoqing"], item=schools)
    assert [i.item for i in task.items.all()] == [schools]
    # narrowing the task's scope afterwards to lines the held item does not cover is refused, atomically
    with pytest.raises(ValidationError, match="学校传染病防控监督检查"):
        services.task_update(
            user=inspector_gq, task=task, business_lines=list(BusinessLine.objects.filter(code="ggcs"))
        )
    task.refresh_from_db()
    assert list(task.business_lines.values_list("code", flat=True)) == ["xxws"]


def test_unit_lines_survive_claim_and_new_version(regions):
    province = published_item(regions["370000"], "SD-CRB-09", "crb", "学校传染病防控", unit_lines=("xxws", "crb"))
    claimed = directory_services.item_claim(user=SYSTEM, item=province, region=regions["370322"])
    assert set(claimed.unit_lines.values_list("code", flat=True)) == {"xxws", "crb"}
    claimed = directory_services.item_publish(user=SYSTEM, item=claimed)
    second = directory_services.item_new_version(user=SYSTEM, item=claimed)
    assert set(second.unit_lines.values_list("code", flat=True)) == {"xxws", "crb"}


def test_item_choices_once_per_item_and_by_line(school_task, regions, orgs, inspector_gq):
    plan, task = school_task
    province = published_item(regions["370000"], "SD-XXWS-01", "xxws", "学校卫生监督检查")
    published_item(regions["370000"], "SD-GGCS-01", "ggcs", "住宿场所卫生监督检查")
    claimed = directory_services.item_publish(
        user=SYSTEM, item=directory_services.item_claim(user=SYSTEM, item=province, region=regions["370322"])
    )
    every = list(selectors.items_for_region(plan.region))
    assert [i.code for i in every] == ["SD-GGCS-01", "SD-XXWS-01"]  # one row per 事项
    assert every[1] == claimed  # the county's claimed copy, not the province's
    school_lines = BusinessLine.objects.filter(code="xxws").values_list("pk", flat=True)
    assert list(selectors.items_for_region(plan.region, school_lines)) == [claimed]
    # adding the same 事项 again through another row of its lineage is refused
    services.task_item_add(user=inspector_gq, task=task, organization=orgs["gaoqing"], item=claimed)
    with pytest.raises(ValidationError, match="该事项已在任务中"):
        services.task_item_add(user=inspector_gq, task=task, organization=orgs["gaoqing"], item=province)


def test_items_chosen_when_creating_the_task(client, regions, orgs, approver_gq, inspector_gq):
    testing.make_units(regions["370322"], 10, lines=("xxws",))
    school = published_item(regions["370322"], "GQ-XXWS-01", "xxws", "学校卫生监督检查")
    hospital = published_item(regions["370322"], "GQ-CRB-01", "crb", "医疗机构传染病防治监督检查")
    plan = services.plan_create(user=approver_gq, year=2026, title="2026年度计划", organization=orgs["gaoqing"])
    login(client, inspector_gq)
    url = reverse("plans:task_create", args=[plan.pk])
    page = client.get(url).content.decode()
    assert "GQ-XXWS-01 学校卫生监督检查（学校，县级）" in page and 'data-lines="' in page
    xxws = BusinessLine.objects.get(code="xxws")
    data = {
        "name": "学校卫生双随机抽查", "kind": "single", "lead_organization": orgs["gaoqing"].pk,
        "scope_region": regions["370322"].pk, "business_lines": [xxws.pk], "stratify_by": "none",
        "default_rate": "20", "default_min": "1", "substitutes": "3", "window_start": "2026-06-01",
        "window_end": "2026-12-31", "group_size": "2", "region_rule": "any", "items": [school.pk, hospital.pk],
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200  # the hospital item does not fit: nothing is saved, the form stays
    assert "不在本任务的抽查范围" in response.content.decode()
    assert not plan.tasks.exists()
    data["items"] = [school.pk]
    response = client.post(url, data)
    task = plan.tasks.get()
    assert response.status_code == 302 and [i.item for i in task.items.all()] == [school]
    page = client.get(reverse("plans:task_detail", args=[task.pk])).content.decode()
    assert "GQ-CRB-01" not in page.split('id="item-form"')[1]  # the add-item list is filtered by 专业
    assert InspectionItem.objects.filter(code="GQ-CRB-01").exists()
