"""The task form in steps (issue #17): four fieldsets in order with headings and an indicator, one long form
without JS; on errors the input stays and the step holding the error is marked (the script opens it)."""

import re

import pytest
from django.urls import reverse

from shuangsuiji.accounts.tests.test_views import login
from shuangsuiji.directory.models import Tag
from shuangsuiji.plans import services, testing
from shuangsuiji.plans.models import Task

pytestmark = pytest.mark.django_db


def draft_plan(approver, orgs):
    return services.plan_create(user=approver, year=testing.PLAN_YEAR, title="年度计划", organization=orgs["gaoqing"])


def steps_of(html: str) -> list[str]:
    return re.findall(r'<fieldset class="app-step mb-3" id="step-(\w+)"', html)


def fieldset(html: str, key: str) -> str:
    start = html.index(f'id="step-{key}"')
    return html[start : html.index("</fieldset>", start)]


def test_task_form_is_four_steps_with_every_field_once(client, regions, orgs, approver_gq, inspector_gq):
    plan = draft_plan(approver_gq, orgs)
    Tag.objects.create(name="学校周边")
    testing.make_item(regions["370322"])
    login(client, inspector_gq)
    page = client.get(reverse("plans:task_create", args=[plan.pk])).text
    assert steps_of(page) == ["basic", "scope", "items", "staff"]
    assert "第1步（共4步）：基本信息" in page and "第4步（共4步）：检查人员" in page
    assert 'id="step-indicator"' in page and page.count("data-step-link=") >= 4
    for key, names in (("basic", ["name", "window_start"]), ("scope", ["business_lines", "tags"]),
                       ("items", ["default_rate", "items"]), ("staff", ["group_size", "max_load"])):  # fmt: skip
        part = fieldset(page, key)
        assert all(f'name="{name}"' in part for name in names), key
    names = re.findall(r'<(?:input|select|textarea)[^>]*name="(\w+)"', page)
    assert names.count("name") == 1 and names.count("default_rate") == 1
    assert 'data-picker data-picker-label="标签"' in page and "js/task_form.js" in page
    assert "data-step-errors" not in page


def test_errors_keep_the_input_and_mark_their_step(client, regions, orgs, approver_gq, inspector_gq):
    plan = draft_plan(approver_gq, orgs)
    tag = Tag.objects.create(name="学校周边")
    login(client, inspector_gq)
    form = {
        "name": "公共场所卫生抽查", "kind": "single", "lead_organization": orgs["gaoqing"].pk,
        "scope_region": regions["370322"].pk, "stratify_by": "risk", "default_rate": "10", "default_min": "1",
        "substitutes": "3", "window_start": "2026-06-15", "window_end": "2026-12-31", "tags": [tag.pk],
        "group_size": "", "require_specialist": "on", "region_rule": "any",
    }  # fmt: skip
    response = client.post(reverse("plans:task_create", args=[plan.pk]), form)
    assert response.status_code == 200 and not Task.objects.exists()
    page = response.text
    assert 'id="step-staff" data-step="staff" data-step-errors' in page
    assert 'id="step-basic" data-step="basic">' in page  # the steps without errors are not marked
    assert 'href="#step-staff" class="alert-link"' in page
    assert 'value="公共场所卫生抽查"' in page and re.search(rf'value="{tag.pk}"[^>]*checked', page)
