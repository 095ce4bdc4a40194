"""Per-draw pool index (DrawPoolEntry) for the public self-check, back-filled for draws that already ran.

From now on `services.draw_run` writes the index; here every draw with a result (a manifest file) is
indexed from its stored pool snapshot, which is hash-checked first.
"""

import hashlib
import itertools

import django.db.models.deletion
from django.db import migrations, models

BATCH = 5000


def backfill(apps, schema_editor):
    Draw = apps.get_model("draws", "Draw")
    DrawFile = apps.get_model("draws", "DrawFile")
    DrawPoolEntry = apps.get_model("draws", "DrawPoolEntry")
    drawn = DrawFile.objects.filter(kind="manifest").values_list("draw_id", flat=True)
    for draw in Draw.objects.filter(pk__in=drawn).order_by("pk"):
        row = DrawFile.objects.filter(draw=draw, kind="pool").first()
        if row is None:
            continue
        with row.file.storage.open(row.file.name, "rb") as handle:
            data = handle.read()
        if hashlib.sha256(data).hexdigest() != row.sha256:
            raise RuntimeError(f"Pool file of draw {draw.code} does not match its recorded SHA-256; restore it first.")
        lines = data.decode("utf-8").split("\n")[1:]  # header, then one unit per line (fairdraw spec §3)
        entries = (
            DrawPoolEntry(draw=draw, unit_id=f[0], stratum=f[1], excluded_reason=f[5])
            for f in (line.split("\t") for line in lines if line)
        )
        for batch in itertools.batched(entries, BATCH):
            DrawPoolEntry.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("draws", "0003_drawfile_in_file_storage"),
    ]

    operations = [
        migrations.CreateModel(
            name="DrawPoolEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("unit_id", models.CharField(max_length=200, verbose_name="统一社会信用代码")),
                ("stratum", models.CharField(max_length=200, verbose_name="分层")),
                ("excluded_reason", models.TextField(blank=True, verbose_name="排除原因")),
                (
                    "draw",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="pool_entries",
                        to="draws.draw",
                        verbose_name="抽取",
                    ),
                ),
            ],
            options={
                "verbose_name": "号池快照索引",
                "verbose_name_plural": "号池快照索引",
                "constraints": [models.UniqueConstraint(fields=("draw", "unit_id"), name="draw_pool_entry_unique")],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
    ]
