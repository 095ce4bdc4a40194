"""The national GB/T 2260 list (省/市/县, 6 digits) ships with the product: a new county finds itself after
`migrate` without typing a code. Data: regions/data/gbt2260.csv (see data/SOURCE.md). Existing rows are kept
(a name that differs is left for `manage.py load_regions`, which renames with an audit entry). 乡镇（街道）
follow in migration 0004."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "gbt2260.csv"


def level_of(code: str) -> str:
    if code[2:] == "0000":
        return "province"
    return "city" if code[4:] == "00" else "county"


def parent_codes(code: str):
    if code[2:] == "0000":
        return []
    if code[4:] == "00":
        return [code[:2] + "0000"]
    return [code[:4] + "00", code[:2] + "0000"]


def load(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    with open(DATA, encoding="utf-8") as handle:
        rows = sorted((r["code"], r["name"]) for r in csv.DictReader(handle))
    known = {r.code: r for r in Region.objects.all()}
    for level in ("province", "city", "county"):
        new = []
        for code, name in rows:
            if level_of(code) != level or code in known:
                continue
            parent = next((known[c] for c in parent_codes(code) if c in known), None)
            new.append(Region(code=code, name=name, level=level, parent=parent, valid=True))
        Region.objects.bulk_create(new, batch_size=1000)
        known.update({r.code: r for r in Region.objects.filter(code__in=[r.code for r in new])})


class Migration(migrations.Migration):
    dependencies = [("regions", "0002_township")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
