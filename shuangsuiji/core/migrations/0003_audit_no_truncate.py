"""PostgreSQL: refuse TRUNCATE of the audit trail (row-level triggers do not see TRUNCATE).

SQLite has no TRUNCATE. The test suite's flush of transactional tests runs with
`session_replication_role = replica` (superuser only, see conftest.py), which production's application
role cannot set (docs/production.md, `manage.py pg_app_role`).
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION core_objectchange_no_truncate() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '审计日志只能追加，不能清空（TRUNCATE）';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_objectchange_no_truncate BEFORE TRUNCATE ON core_objectchange
  FOR EACH STATEMENT EXECUTE FUNCTION core_objectchange_no_truncate();
"""
PG_DOWN = [
    "DROP TRIGGER IF EXISTS core_objectchange_no_truncate ON core_objectchange",
    "DROP FUNCTION IF EXISTS core_objectchange_no_truncate()",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UP.strip())


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_append_only")]
    operations = [migrations.RunPython(forwards, backwards)]
