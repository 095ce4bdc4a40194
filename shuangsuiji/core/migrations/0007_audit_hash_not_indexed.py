"""The audit row's hash loses its unique index: no read looks a row up by hash (chain reads go by id), a unique
index cannot stop a fork (two rows chained on one prev_hash differ in content, so in hash; the chain lock and
`audit_verify` are what keep one chain), and its random keys made it the costliest index an import paid on each of
its 100,000 audit rows.

On SQLite the unique constraint is part of the table, so Django rebuilds the table, which drops its append-only
trigger: it is created again after the rebuild (and before the reverse rebuild's end, when migrating back).
"""

import importlib

from django.db import migrations, models

append_only = importlib.import_module("shuangsuiji.core.migrations.0002_audit_append_only")


def ensure_sqlite_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(append_only.SQLITE_DOWN)
        schema_editor.execute(append_only.SQLITE_UP.strip())


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_audit_lean_indexes"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, ensure_sqlite_trigger),  # after the reverse rebuild
        migrations.AlterField(
            model_name="objectchange",
            name="hash",
            field=models.CharField(max_length=64, verbose_name="本条哈希"),
        ),
        migrations.RunPython(ensure_sqlite_trigger, migrations.RunPython.noop),
    ]
