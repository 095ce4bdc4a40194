"""Substring search of published results by unit name (issue 17): a pg_trgm GIN index on PostgreSQL,
an FTS5 trigram table kept in sync by triggers on SQLite (see disclosure/search.py). Database-only:
the model state does not change, so SQLite table rebuilds never try to create a GIN index."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX_NAME = "disclosure_result_name_trgm"
FTS = "disclosure_result_name_fts"
TABLE = "inspections_inspectionresult"

SQLITE_FORWARD = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(unit_name, content='{TABLE}', content_rowid='id', "
    f"tokenize='trigram')",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS}_ai AFTER INSERT ON {TABLE} BEGIN
        INSERT INTO {FTS}(rowid, unit_name) VALUES (new.id, new.unit_name); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS}_ad AFTER DELETE ON {TABLE} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, unit_name) VALUES ('delete', old.id, old.unit_name); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS}_au AFTER UPDATE OF unit_name ON {TABLE}
        BEGIN
        INSERT INTO {FTS}({FTS}, rowid, unit_name) VALUES ('delete', old.id, old.unit_name);
        INSERT INTO {FTS}(rowid, unit_name) VALUES (new.id, new.unit_name); END""",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS {FTS}_{t}" for t in ("ai", "ad", "au")] + [f"DROP TABLE IF EXISTS {FTS}"]


# GIN, gin_trgm_ops, on the very expression Django's `icontains` compares on PostgreSQL
# (`UPPER("unit_name"::text) LIKE UPPER(%s)`), for published rows only. Written out because
# GinIndex(OpClass(Upper(...))) renders as "((UPPER(...) gin_trgm_ops))", which PostgreSQL refuses.
PG_FORWARD = (
    f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON {TABLE} USING gin ((UPPER(unit_name::text)) gin_trgm_ops) "
    f"WHERE status = 'published'"
)
PG_BACKWARD = f"DROP INDEX IF EXISTS {INDEX_NAME}"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        for sql in SQLITE_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0001_portal_state"),
        ("inspections", "0001_initial"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(forwards, backwards),
    ]
