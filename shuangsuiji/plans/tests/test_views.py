"""Plan and task pages: building a plan with live coverage, the approval buttons, and scope."""

import pytest
from django.urls import reverse

from shuangsuiji.accounts.tests.test_views import login
from shuangsuiji.plans import testing
from shuangsuiji.plans.choices import PlanStatus
from shuangsuiji.plans.models import AnnualPlan, Task

pytestmark = pytest.mark.django_db


def test_build_plan_through_pages(client, regions, orgs, inspector_gq, approver_gq):
    testing.make_units(regions["370322"], 40)
    item = testing.make_item(regions["370322"])
    login(client, inspector_gq)
    assert client.get(reverse("plans:plan_create")).status_code == 403  # 执法人员 draft tasks, not plans
    client.logout()
    login(client, approver_gq)
    response = client.post(reverse("plans:plan_create"), {
        "year": 2026, "title": "高青县2026年度双随机抽查工作计划", "organization": orgs["gaoqing"].pk,
        "coverage_target": "3", "description": "",
    })  # fmt: skip
    plan = AnnualPlan.objects.get()
    assert response["Location"] == reverse("plans:plan_detail", args=[plan.pk])
    client.logout()
    login(client, inspector_gq)
    assert "还没有抽查任务" in client.get(response["Location"]).text  # no task yet: nothing to estimate

    form = {
        "name": "公共场所卫生抽查", "kind": "single", "lead_organization": orgs["gaoqing"].pk,
        "scope_region": regions["370322"].pk, "stratify_by": "risk", "default_rate": "10", "default_min": "1",
        "substitutes": "3", "window_start": "2026-06-15", "window_end": "2026-12-31",
        "group_size": "2", "require_specialist": "on", "region_rule": "any",
    }  # fmt: skip
    preview = client.post(reverse("plans:task_preview", args=[plan.pk]), form, HTTP_HX_REQUEST="true")
    assert preview.status_code == 200 and 'id="preview-expected">4<' in preview.text  # 10% of 40
    page = client.get(reverse("plans:task_create", args=[plan.pk]))
    assert f'hx-post="/plans/{plan.pk}/tasks/preview/"' in page.text
    response = client.post(reverse("plans:task_create", args=[plan.pk]), form)
    task = Task.objects.get()
    assert response["Location"] == reverse("plans:task_detail", args=[task.pk])
    client.post(reverse("plans:task_item_add", args=[task.pk]), {"organization": orgs["gaoqing"].pk, "item": item.pk})
    client.post(reverse("plans:task_suggest", args=[task.pk]), {"source": "gaoqing"})
    detail = client.get(reverse("plans:task_detail", args=[task.pk])).text
    assert item.name in detail and "高青县工作指引比例表" in detail and "3/10" in detail
    plan_page = client.get(reverse("plans:plan_detail", args=[plan.pk])).text
    assert "已达到目标" in plan_page and "30.00%" in plan_page

    client.post(reverse("plans:plan_transition", args=[plan.pk, "submit"]))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    # an inspector cannot approve: refused before the workflow runs (403, like every other permission check)
    response = client.post(reverse("plans:plan_transition", args=[plan.pk, "approve"]))
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    client.logout()
    login(client, approver_gq)
    home = client.get(reverse("core:home")).text
    assert "年度计划待审核" in home
    client.post(reverse("plans:plan_transition", args=[plan.pk, "approve"]))
    client.post(reverse("plans:plan_transition", args=[plan.pk, "publish"]))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED
    assert "抽查任务待抽取" in client.get(reverse("core:home")).text
    assert task.code in client.get(reverse("plans:task_ready")).text
    assert "开始抽取" in client.get(reverse("plans:task_detail", args=[task.pk])).text
    client.post(reverse("plans:plan_transition", args=[plan.pk, "revise"]), {"text": ""})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED  # no reason, no revision
    version_page = client.get(reverse("plans:plan_version", args=[plan.pk, 1]))
    assert version_page.status_code == 200 and task.code in version_page.text


def test_scope_and_read_only(client, gq, admin_yy, oversight_gq):
    plan, task = gq["plan"], gq["task"]
    login(client, admin_yy)
    assert client.get(reverse("plans:plan_detail", args=[plan.pk])).status_code == 404
    assert client.get(reverse("plans:task_detail", args=[task.pk])).status_code == 404
    assert plan.title not in client.get(reverse("plans:plan_list")).text
    assert task.code not in client.get(reverse("plans:task_ready")).text
    client.logout()
    login(client, oversight_gq)
    assert client.get(reverse("plans:plan_detail", args=[plan.pk])).status_code == 200
    assert client.get(reverse("plans:plan_create")).status_code == 403
    detail = client.get(reverse("plans:task_detail", args=[task.pk])).text
    assert "开始抽取" not in detail and "编辑任务" not in detail
    assert client.post(reverse("plans:task_suggest", args=[task.pk]), {"source": "risk"}).status_code == 403
