"""Writes for regions (行政区划)."""

import csv
from pathlib import Path

from django.db import transaction

from shuangsuiji.core import audit
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.permissions import require
from shuangsuiji.core.validators import validate_region_code

from .models import Region

FIXTURE = Path(__file__).parent / "fixtures" / "regions.csv"


def _parent_code(code: str) -> str | None:
    if code[2:] == "0000":
        return None
    if code[4:] == "00":
        return code[:2] + "0000"
    city = code[:4] + "00"
    return city


@transaction.atomic
def region_upsert(*, user, code: str, name: str) -> Region:
    require(user, "regions.change_region", code)
    validate_region_code(code)
    parent = None
    pcode = _parent_code(code)
    while pcode and parent is None:
        parent = Region.objects.filter(code=pcode).first()
        pcode = _parent_code(pcode) if parent is None else None
    region = Region.objects.filter(code=code).first()
    if region is None:
        region = Region.objects.create(code=code, name=name, parent=parent)
        audit.log_change(region, ObjectChange.Action.CREATE, user=user)
    elif region.name != name or region.parent_id != (parent.pk if parent else None):
        before = audit.snapshot(region)
        region.name, region.parent = name, parent
        region.save()
        audit.log_change(region, ObjectChange.Action.UPDATE, user=user, before=before)
    return region


@transaction.atomic
def regions_load_csv(path: Path = FIXTURE, *, user) -> int:
    require(user, "regions.change_region")
    with open(path, encoding="utf-8") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda r: r["code"])
    for row in rows:
        region_upsert(code=row["code"].strip(), name=row["name"].strip(), user=user)
    return len(rows)
