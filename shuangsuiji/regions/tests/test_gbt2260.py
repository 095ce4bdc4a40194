"""The national GB/T 2260 list ships with the product (issue #15 point 9): 省/市/县 by migration, 乡镇/街道 and
updates by `load_regions`, every change audited."""

import io

import pytest
from django.core.management import call_command

from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.regions.models import Region, Township
from shuangsuiji.regions.services import regions_load_gbt2260

pytestmark = pytest.mark.django_db


def test_migrate_ships_every_county():
    assert Region.objects.filter(level="county").count() > 2800
    jizhou = Region.objects.get(code="120119")
    assert (jizhou.name, jizhou.level, jizhou.parent.code) == ("蓟州区", "county", "120000")
    shenze = Region.objects.get(code="130128")
    assert (shenze.name, shenze.parent.name, shenze.parent.parent.name) == ("深泽县", "石家庄市", "河北省")
    assert Region.objects.get(code="370323").full_name == "山东省淄博市沂源县"


def test_load_towns_rename_and_idempotent():
    gaoqing = Region.objects.get(code="370322")
    Region.objects.filter(code="370323").update(name="沂源县（旧名）")
    counts = regions_load_gbt2260(user=SYSTEM, prefix="3703")
    assert counts["regions_renamed"] == 1 and counts["towns_created"] > 50
    assert Region.objects.get(code="370323").name == "沂源县"
    town = Township.objects.get(code="370322001")
    assert (town.name, town.county) == ("田镇街道", gaoqing)
    assert set(gaoqing.townships.values_list("name", flat=True)) >= {"青城镇", "花沟镇", "芦湖街道"}
    assert ObjectChange.objects.filter(object_type="regions.region", action="update").exists()
    again = regions_load_gbt2260(user=SYSTEM, prefix="3703")
    assert (again["regions_created"], again["regions_renamed"], again["towns_created"]) == (0, 0, 0)


def test_load_regions_command():
    out = io.StringIO()
    call_command("load_regions", "--prefix", "1201", stdout=out)
    assert "乡镇（街道）新增" in out.getvalue()
    assert Township.objects.filter(county__code="120119").count() > 20  # 蓟州区
