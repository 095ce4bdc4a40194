"""Audit rows carry only the indexes their reads use (each index is paid on every one of an import's audit rows).

The fields lose `db_index` in the model state; in the database the old per-field indexes (and on PostgreSQL their
LIKE-only `_pattern_ops` twins, also the one the unique hash got) are dropped by name — Django's own AlterField
would rebuild the whole table on SQLite, losing its append-only trigger — and three indexes take their place.
"""

from django.db import migrations, models

TABLE = "core_objectchange"
DB_INDEXED = ("object_type", "object_id", "region_code", "request_id")  # db_index=True until now


def _old_indexes(schema_editor) -> list[str]:
    name = schema_editor._create_index_name
    names = [name(TABLE, [column]) for column in DB_INDEXED]
    if schema_editor.connection.vendor == "postgresql":
        names += [name(TABLE, [column], suffix="_like") for column in (*DB_INDEXED, "hash")]
    return names


def drop_old(apps, schema_editor):
    for index in _old_indexes(schema_editor):
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(index)}")


def restore_old(apps, schema_editor):
    name, quote = schema_editor._create_index_name, schema_editor.quote_name
    for column in DB_INDEXED:
        schema_editor.execute(f"CREATE INDEX {quote(name(TABLE, [column]))} ON {quote(TABLE)} ({quote(column)})")
    if schema_editor.connection.vendor == "postgresql":
        for column in (*DB_INDEXED, "hash"):
            index = quote(name(TABLE, [column], suffix="_like"))
            schema_editor.execute(f"CREATE INDEX {index} ON {quote(TABLE)} ({quote(column)} varchar_pattern_ops)")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_background_job"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="objectchange",
                    name="object_id",
                    field=models.CharField(blank=True, max_length=64, verbose_name="对象ID"),
                ),
                migrations.AlterField(
                    model_name="objectchange",
                    name="object_type",
                    field=models.CharField(blank=True, max_length=100, verbose_name="对象类型"),
                ),
                migrations.AlterField(
                    model_name="objectchange",
                    name="region_code",
                    field=models.CharField(blank=True, max_length=12, verbose_name="所属区划"),
                ),
                migrations.AlterField(
                    model_name="objectchange",
                    name="request_id",
                    field=models.CharField(blank=True, max_length=36, verbose_name="请求ID"),
                ),
            ],
            database_operations=[migrations.RunPython(drop_old, restore_old)],
        ),
        migrations.AddIndex(
            model_name="objectchange",
            index=models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ),
        migrations.AddIndex(
            model_name="objectchange",
            index=models.Index(fields=["region_code"], name="audit_region_idx", opclasses=["varchar_pattern_ops"]),
        ),
        migrations.AddIndex(
            model_name="objectchange",
            index=models.Index(fields=["request_id"], name="audit_request_idx"),
        ),
    ]
