"""Database-level append-only guard for the audit trail.

PostgreSQL: a trigger refuses UPDATE and DELETE on core_objectchange.
SQLite: a trigger refuses UPDATE (deletes stay possible so the test runner can flush tables;
the hash chain and the published chain head detect them).
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION core_objectchange_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '审计日志只能追加，不能修改或删除';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_objectchange_no_update BEFORE UPDATE OR DELETE ON core_objectchange
  FOR EACH ROW EXECUTE FUNCTION core_objectchange_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS core_objectchange_no_update ON core_objectchange;
DROP FUNCTION IF EXISTS core_objectchange_append_only();
"""
SQLITE_UP = """
CREATE TRIGGER core_objectchange_no_update BEFORE UPDATE ON core_objectchange
BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能修改'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS core_objectchange_no_update;"


def forwards(apps, schema_editor):
    sql = {"postgresql": PG_UP, "sqlite": SQLITE_UP}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql.strip())


def backwards(apps, schema_editor):
    sql = {"postgresql": PG_DOWN, "sqlite": SQLITE_DOWN}.get(schema_editor.connection.vendor)
    if sql:
        for statement in filter(None, (s.strip() for s in sql.split(";\n"))):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
