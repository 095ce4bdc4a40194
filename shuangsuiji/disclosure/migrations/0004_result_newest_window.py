"""The result search's window (disclosure/paging.py): the newest published rows with their names, read
newest first from the index alone. Database-only (not in the model state), like 0002/0003."""

from django.db import migrations

INDEX_NAME = "disclosure_result_newest"
PG_FORWARD = (
    f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON inspections_inspectionresult (published_at, id) INCLUDE (unit_name) "
    f"WHERE status = 'published'"
)
SQLITE_FORWARD = (
    f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON inspections_inspectionresult (published_at, id, unit_name) "
    f"WHERE status = 'published'"
)
BACKWARD = f"DROP INDEX IF EXISTS {INDEX_NAME}"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor in ("postgresql", "sqlite"):
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0003_result_name_pairs")]

    operations = [migrations.RunPython(forwards, backwards)]
