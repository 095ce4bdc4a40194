"""The 乡镇（街道）level (9-digit 统计用区划代码, about 41 000 rows) ships with the product too, loaded by `migrate`
(issue #15 point 9): a new county finds its townships without running anything else. Data:
regions/data/townships.csv (see data/SOURCE.md). Only codes not yet present are added, under their county (a town
whose county is not in the table is skipped); renames and later versions are `manage.py load_regions`' work,
audited there. COPY on PostgreSQL and multi-row INSERTs on SQLite keep this within about half a second (measured
0.4-0.6 s and 0.15-0.2 s; the whole `migrate` of a new SQLite database takes about 18 s)."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "townships.csv"
COLUMNS = ("code", "name", "county_id", "valid")
CHUNK = 200  # rows a statement on SQLite: 4 parameters a row, within its oldest limit of 999 bound parameters


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
    table = schema_editor.quote_name(Township._meta.db_table)
    columns = ", ".join(schema_editor.quote_name(c) for c in COLUMNS)
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":  # COPY: the server takes the rows as one stream
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:  # multi-row INSERTs
            for start in range(0, len(rows), CHUNK):
                chunk = rows[start : start + CHUNK]
                values = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
                cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values}", [v for row in chunk for v in row])


class Migration(migrations.Migration):
    dependencies = [("regions", "0003_gbt2260_regions")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
