"""Who can be drawn (issue #15 point 7): staff without a 执法证 are on the roster for 协助检查 but never drawn as
one of the certified officers (excluded at the snapshot, with the reason); inspector tags narrow a task's roster."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.directory import services as directory_services
from shuangsuiji.directory.models import Inspector, Tag
from shuangsuiji.draws.snapshot import ASSIST_ONLY_REASON, roster_entries, roster_exclusions
from shuangsuiji.plans.models import Task

pytestmark = pytest.mark.django_db


def test_assist_only_staff_on_roster_never_drawn(gq, orgs):
    helper = directory_services.inspector_save(
        user=SYSTEM, data={"name": "王协管", "assist_only": True, "organization": orgs["gaoqing_agency"]}
    )
    second = directory_services.inspector_save(  # two without a number: the uniqueness is for given numbers only
        user=SYSTEM, data={"name": "赵协管", "assist_only": True, "organization": orgs["gaoqing_agency"]}
    )
    assert helper.cert_no == second.cert_no == "" and str(helper) == "王协管（无执法证）"
    assert not helper.cert_valid_on(dt.date(2026, 6, 15))
    with pytest.raises(ValidationError, match="请填写执法证号"):
        directory_services.inspector_save(user=SYSTEM, data={"name": "钱某", "organization": orgs["gaoqing_agency"]})
    with pytest.raises(ValidationError, match="执法证号已被"):
        directory_services.inspector_save(
            user=SYSTEM, data={"name": "孙某", "organization": orgs["gaoqing_agency"],
                               "cert_no": gq["inspectors"][0].cert_no, "cert_valid_to": dt.date(2030, 1, 1)},
        )  # fmt: skip

    entries = roster_entries(gq["task"])
    assert {e.pk for e in entries} == {i.pk for i in gq["inspectors"]}
    assert [(i.name, reason) for i, reason in roster_exclusions(gq["task"])] == [
        ("王协管", ASSIST_ONLY_REASON),
        ("赵协管", ASSIST_ONLY_REASON),
    ]


def test_inspector_tags_narrow_the_roster(gq):
    tag = Tag.objects.create(name="公共场所专业组")
    chosen = gq["inspectors"][:3]
    for inspector in chosen:
        inspector.tags.add(tag)
    task = Task.objects.get(pk=gq["task"].pk)
    task.roster_tags.set([tag])
    assert {e.pk for e in roster_entries(task)} == {i.pk for i in chosen}
    task.roster_tags.clear()
    assert len(roster_entries(task)) == Inspector.objects.filter(organization__region=gq["region"]).count()
