"""The 乡镇（街道）level (9-digit 统计用区划代码, about 41 000 rows) ships with the product too, loaded by `migrate`
(issue #15 point 9): a new county finds its townships without running anything else. Data:
regions/data/townships.csv (see data/SOURCE.md). Only codes not yet present are added, under their county (a town
whose county is not in the table is skipped); renames and later versions are `manage.py load_regions`' work,
audited there. COPY on PostgreSQL and multi-row INSERTs on SQLite keep this within about half a second (measured
0.4-0.6 s and 0.15-0.2 s; the whole `migrate` of a new SQLite database takes about 18 s)."""

import csv
from pathlib import Path

from django.db import migrations

from shuangsuiji.core.bulk import insert_rows

DATA = Path(__file__).resolve().parent.parent / "data" / "townships.csv"
COLUMNS = ("code", "name", "county_id", "valid")


def load(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    Township = apps.get_model("regions", "Township")
    counties = dict(Region.objects.filter(level="county").values_list("code", "pk"))
    known = set(Township.objects.values_list("code", flat=True))
    with open(DATA, encoding="utf-8") as handle:
        rows = [
            (r["code"], r["name"], counties[r["code"][:6]], True)
            for r in csv.DictReader(handle)
            if r["code"] not in known and r["code"][:6] in counties
        ]
    insert_rows(Township._meta.db_table, list(COLUMNS), rows)  # COPY on PostgreSQL, multi-row INSERTs on SQLite

class Migration(migrations.Migration):
    dependencies = [("regions", "0003_gbt2260_regions")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
