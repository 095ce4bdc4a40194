"""检查表 per 抽查事项 (issue #15 point 4): maintained by 科室负责人, lines with 依据 and 重点, found through the
item's lineage (new versions, county claims), and the task page's list of items still without one."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from shuangsuiji.accounts.tests.test_views import login
from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.directory import services as directory_services
from shuangsuiji.directory.models import BusinessLine
from shuangsuiji.inspections import services
from shuangsuiji.inspections.models import ChecklistTemplate
from shuangsuiji.plans.selectors import items_without_checklist

pytestmark = pytest.mark.django_db


def province_item_claimed_twice(regions):
    """A provincial item, claimed by 高青 and then revised there (version 2): three rows of one lineage."""
    province = directory_services.item_create(
        user=SYSTEM,
        data={"code": "SD-GGCS-01", "business_line": BusinessLine.objects.get(code="ggcs"),
              "name": "住宿场所卫生监督检查", "target": "住宿场所", "legal_basis": "《公共场所卫生管理条例》",
              "responsible_body": "县级卫生健康行政部门", "content": "卫生许可、从业人员健康证明",
              "default_ratio": 5, "region": regions["370000"]},
    )  # fmt: skip
    province = directory_services.item_publish(user=SYSTEM, item=province)
    claimed = directory_services.item_publish(
        user=SYSTEM, item=directory_services.item_claim(user=SYSTEM, item=province, region=regions["370322"])
    )
    second = directory_services.item_new_version(user=SYSTEM, item=claimed)
    second = directory_services.item_publish(user=SYSTEM, item=second)
    return province, claimed, second


def test_checklist_follows_lineage_and_snapshots_basis_and_key_point(team, locked, regions, approver_gq):
    province, claimed, second = province_item_claimed_twice(regions)
    assert set(second.lineage()) == set(province.lineage()) == {province, claimed, second}
    task_item = locked["task"].items.get()
    task_item.item = second  # the task holds the county's second version
    task_item.save()
    assert items_without_checklist(locked["task"]) == [task_item]

    template = ChecklistTemplate(name="住宿场所检查表", region=regions["370000"], item=province)
    services.checklist_save(
        user=SYSTEM, template=template,
        questions=[{"text": "卫生许可证在有效期内并公示", "basis": "《公共场所卫生管理条例》第四条", "key_point": True},
                   {"text": "顾客用品用具一客一换", "basis": "《公共场所卫生管理条例实施细则》第十四条"}],
    )  # fmt: skip
    assert items_without_checklist(locked["task"]) == []

    services.materialise_checklist(team["result"])
    answers = list(team["result"].answers.values_list("section", "text", "basis", "key_point"))
    assert answers == [
        ("住宿场所卫生监督检查", "卫生许可证在有效期内并公示", "《公共场所卫生管理条例》第四条", True),
        ("住宿场所卫生监督检查", "顾客用品用具一客一换", "《公共场所卫生管理条例实施细则》第十四条", False),
    ]


def test_other_countys_checklist_does_not_count(locked, regions):
    template = ChecklistTemplate(name="沂源的检查表", region=regions["370323"], item=locked["item"])
    services.checklist_save(user=SYSTEM, template=template, questions=[{"text": "卫生许可证"}])
    assert [i.item for i in items_without_checklist(locked["task"])] == [locked["item"]]


def test_section_head_maintains_checklists_inspector_cannot(locked, regions, approver_gq, inspector_gq):
    template = ChecklistTemplate(name="公共场所检查表", region=regions["370322"], item=locked["item"])
    saved = services.checklist_save(user=approver_gq, template=template, questions=[{"text": "卫生许可证"}])
    assert saved.questions.count() == 1
    with pytest.raises(PermissionDenied):
        services.checklist_save(user=inspector_gq, template=saved, questions=[{"text": "改"}])
    city = ChecklistTemplate.objects.create(name="淄博市通用检查表", region=regions["370300"])
    with pytest.raises(PermissionDenied):  # a county's section head does not edit the city's checklist
        services.checklist_save(user=approver_gq, template=city, questions=[{"text": "改"}])


def test_checklist_pages_for_section_head(client, locked, approver_gq, inspector_gq):
    login(client, approver_gq)
    url = reverse("inspections:checklist_create")
    page = client.get(url, {"item": locked["item"].pk}).content.decode()
    assert "依据" in page and "重点" in page and "公共场所卫生监督抽查检查表" in page
    data = {
        "name": "公共场所卫生监督抽查检查表", "item": locked["item"].pk, "active": "on",
        "q-TOTAL_FORMS": "3", "q-INITIAL_FORMS": "0", "q-MIN_NUM_FORMS": "0", "q-MAX_NUM_FORMS": "200",
        "q-0-text": "卫生许可证在有效期内", "q-0-basis": "《公共场所卫生管理条例》第四条", "q-0-key_point": "on",
        "q-0-kind": "check", "q-0-required": "on",
        "q-1-text": "", "q-1-basis": "《公共场所卫生管理条例》第七条", "q-1-kind": "check",
        "q-2-text": "", "q-2-kind": "check",
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200 and "已填写依据，请填写检查内容" in response.content.decode()
    assert "卫生许可证在有效期内" in response.content.decode()  # what was typed stays on the page
    data["q-1-basis"] = ""
    response = client.post(url, data)
    assert response.status_code == 302
    template = ChecklistTemplate.objects.get(name="公共场所卫生监督抽查检查表")
    question = template.questions.get()
    assert (question.text, question.basis, question.key_point) == (
        "卫生许可证在有效期内",
        "《公共场所卫生管理条例》第四条",
        True,
    )
    page = client.get(reverse("inspections:checklist_list")).content.decode()
    assert "公共场所卫生监督抽查检查表" in page
    task_page = client.get(reverse("plans:task_detail", args=[locked["task"].pk])).content.decode()
    assert "还没有检查表" not in task_page
    client.logout()
    login(client, inspector_gq)
    assert client.get(url).status_code == 403


def test_task_page_lists_items_without_checklist(client, locked, approver_gq):
    login(client, approver_gq)
    page = client.get(reverse("plans:task_detail", args=[locked["task"].pk])).content.decode()
    assert "以下抽查事项还没有检查表" in page and "GQ-GGCS-01 公共场所卫生监督抽查" in page
