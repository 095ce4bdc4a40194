"""The national GB/T 2260 list ships with the product (issue #15 point 9): 省/市/县 and 乡镇/街道 by migration,
updates by `load_regions`, every change audited."""

import io

import pytest
from django.core.management import call_command
from django.db import models

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


def test_migrate_ships_every_township():
    """A new county finds its 乡镇（街道）after `migrate` alone."""
    assert Township.objects.count() > 40000
    town = Township.objects.get(code="370322001")
    assert (town.name, town.county.code, town.valid) == ("田镇街道", "370322", True)
    assert set(Township.objects.filter(county__code="370322").values_list("name", flat=True)) >= {
        "青城镇", "花沟镇", "芦湖街道",
    }  # fmt: skip
    assert Township.objects.filter(county__code="120119").count() > 20  # 蓟州区
    assert not Township.objects.exclude(code__startswith=models.F("county__code")).exists()


def test_load_towns_rename_and_idempotent():
    gaoqing = Region.objects.get(code="370322")
    Region.objects.filter(code="370323").update(name="沂源县（旧名）")
    Township.objects.filter(code="370322001").update(name="田镇（旧名）")
    gone = Township.objects.filter(county__code="370323").order_by("code")[:3]
    removed = {t.code for t in gone}
    Township.objects.filter(code__in=removed).delete()
    counts = regions_load_gbt2260(user=SYSTEM, prefix="3703")
    assert (counts["regions_renamed"], counts["towns_renamed"], counts["towns_created"]) == (1, 1, 3)
    assert Region.objects.get(code="370323").name == "沂源县"
    town = Township.objects.get(code="370322001")
    assert (town.name, town.county) == ("田镇街道", gaoqing)
    assert set(Township.objects.filter(code__in=removed).values_list("county__code", flat=True)) == {"370323"}
    assert ObjectChange.objects.filter(object_type="regions.region", action="update").exists()
    assert ObjectChange.objects.filter(object_type="regions.township", action="update").exists()
    again = regions_load_gbt2260(user=SYSTEM, prefix="3703")
    assert (again["regions_created"], again["regions_renamed"], again["towns_created"], again["towns_renamed"]) == (
        0, 0, 0, 0,
    )  # fmt: skip


def test_load_regions_command():
    Township.objects.filter(county__code="120119").delete()
    out = io.StringIO()
    call_command("load_regions", "--prefix", "1201", stdout=out)
    assert "乡镇（街道）新增" in out.getvalue()
    assert Township.objects.filter(county__code="120119").count() > 20  # 蓟州区
