"""Two-character name queries on PostgreSQL (disclosure/search.py): a pg_trgm GIN index on the name with every
character doubled, so that “美发” (searched as “美美发发”) has trigrams. Database-only, PostgreSQL-only."""

from django.db import migrations

INDEX_NAME = "disclosure_result_name_pairs"
PG_FORWARD = (
    f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON inspections_inspectionresult USING gin "
    r"((regexp_replace(upper(unit_name::text), '(.)', '\1\1', 'g')) gin_trgm_ops) WHERE status = 'published'"
)
PG_BACKWARD = f"DROP INDEX IF EXISTS {INDEX_NAME}"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0002_result_name_search")]

    operations = [migrations.RunPython(forwards, backwards)]
