"""Privileges of the PostgreSQL application role (docs/production.md).

The tables belong to an owner role that only runs `migrate`/`restore`. The web and worker processes
connect as an application role that owns nothing: it reads and writes business tables, may only
INSERT and SELECT the audit log, and so cannot UPDATE/DELETE/TRUNCATE it, drop or disable its
triggers, or set `session_replication_role` (superuser only).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from shuangsuiji.core.models import ObjectChange

APPEND_ONLY_TABLES = (ObjectChange._meta.db_table,)


def _ident(name: str) -> str:
    return connection.ops.quote_name(name)


def grant_sql(role: str, owner: str, schema: str = "public") -> list[str]:
    r, o, s = _ident(role), _ident(owner), _ident(schema)
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {r}",
        f"REVOKE CREATE ON SCHEMA {s} FROM {r}",
        f"GRANT USAGE ON SCHEMA {s} TO {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {r}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {s} TO {r}",
    ]
    for table in APPEND_ONLY_TABLES:
        statements.append(f"REVOKE UPDATE, DELETE, TRUNCATE ON {s}.{_ident(table)} FROM {r}")
    statements.append(f"REVOKE INSERT, UPDATE, DELETE ON {s}.{_ident('django_migrations')} FROM {r}")  # owner only
    statements += [  # tables and sequences that later migrations create (as the owner)
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {r}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {s} GRANT USAGE ON SEQUENCES TO {r}",
    ]
    return statements


class Command(BaseCommand):
    help = "输出（或以表所有者身份执行）PostgreSQL 应用账户的授权语句：应用账户不拥有任何表，审计日志只能追加"

    def add_arguments(self, parser):
        parser.add_argument("--role", required=True, help="应用账户（数据库角色）名，如 shuangsuiji_app")
        parser.add_argument("--owner", default=None, help="表所有者角色（默认：当前连接的用户）")
        parser.add_argument("--schema", default="public")
        parser.add_argument("--apply", action="store_true", help="直接在当前数据库执行（须以表所有者连接）")

    def handle(self, *args, role, owner=None, schema="public", apply=False, **options):
        if connection.vendor != "postgresql":
            raise CommandError("仅适用于 PostgreSQL")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            current = cursor.fetchone()[0]
            cursor.execute(
                "SELECT r.rolsuper, r.rolbypassrls, pg_has_role(r.oid, c.relowner, 'MEMBER')"
                " FROM pg_roles r, pg_class c WHERE r.rolname = %s AND c.oid = %s::regclass",
                [role, f"{schema}.{ObjectChange._meta.db_table}"],
            )
            found = cursor.fetchone()
        owner = owner or current
        if role == owner:
            raise CommandError("应用账户不能是表所有者：请另建一个只用于 migrate 的所有者账户")
        if found and any(found):
            raise CommandError(f"角色 {role} 是超级用户、可绕过行级安全或（属于）审计日志表的所有者，不能作为应用账户")
        statements = grant_sql(role, owner, schema)
        if apply:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
            self.stdout.write(f"已为 {role} 授权（{len(statements)} 条语句）")
            return
        self.stdout.write(f"-- 以表所有者 {owner} 在本数据库执行；每次 migrate 之后可重复执行")
        for statement in statements:
            self.stdout.write(statement + ";")
