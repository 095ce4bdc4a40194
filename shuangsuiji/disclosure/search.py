"""Substring search of published inspection results by unit name (公示门户 抽查结果查询).

Any part of a name finds it (“丽人” in “永盛丽人美容美发店”), backed by an index on both databases:

* PostgreSQL: a `pg_trgm` GIN index on `UPPER(unit_name)` of published rows (migration
  `disclosure.0002_result_name_search`); Django's `icontains` is `UPPER(unit_name::text) LIKE UPPER('%q%')`,
  which that index answers for a query of three or more characters.
* SQLite: an FTS5 table with the `trigram` tokenizer over `inspections_inspectionresult.unit_name`
  (external content, kept in sync by triggers); a phrase query of three or more characters is a
  substring match.

A trigram index cannot answer a query shorter than three characters (there is no trigram in it), and
Chinese names are mostly searched by two characters (“美发”, “宾馆”). On PostgreSQL a second trigram
index covers them: it indexes the name with every character doubled (“美容美发店” → “美美容容美美发发店店”),
and a two-character query “美发” becomes “美美发发”, which has trigrams. This is exact: “xy” occurs in a
name iff “xxyy” occurs in its doubled form (at an even offset that is “xy” itself; at an odd offset it
forces x = y and the name holds “xxx”, which contains “xy” too). One-character queries, and two-character
ones on SQLite, use a plain `LIKE '%q%'` on the base table: still exact; on the portal's page query
(newest first, 20 rows) the database walks the (status, published_at) index and stops after 20 hits,
so a common character is fast, a rare one reads the published rows (see `make bench`). Correctness
first: every substring of length ≥ 1 is found on both databases.

(SQLite's own `LIKE` on an FTS5 trigram table returns nothing for a pattern shorter than three
characters but of three or more bytes — every CJK character — so the fallback never goes through it.)
"""

from __future__ import annotations

from django.db import connections
from django.db.models import Func, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Upper

MIN_INDEXED = 3
FTS_TABLE = "disclosure_result_name_fts"
RESULT_TABLE = "inspections_inspectionresult"

SQLITE_TRIGGERS = {
    f"{FTS_TABLE}_ai": f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON {RESULT_TABLE} BEGIN
        INSERT INTO {FTS_TABLE}(rowid, unit_name) VALUES (new.id, new.unit_name); END""",
    f"{FTS_TABLE}_ad": f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON {RESULT_TABLE} BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, unit_name) VALUES ('delete', old.id, old.unit_name); END""",
    f"{FTS_TABLE}_au": f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF unit_name ON {RESULT_TABLE}
        BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, unit_name) VALUES ('delete', old.id, old.unit_name);
        INSERT INTO {FTS_TABLE}(rowid, unit_name) VALUES (new.id, new.unit_name); END""",
}


def fts_phrase(q: str) -> str:
    """An FTS5 phrase (the whole query as one string; quotes doubled)."""
    return '"' + q.replace('"', '""') + '"'


def doubled_name():
    """`regexp_replace(upper(unit_name::text), '(.)', '\\1\\1', 'g')`: the expression of the PostgreSQL index
    `disclosure_result_name_pairs` (migration 0003), written the same way so the planner matches it."""
    return Func(
        Upper(Cast("unit_name", TextField())), Value("(.)"), Value(r"\1\1"), Value("g"),
        function="regexp_replace", output_field=TextField(),
    )  # fmt: skip


def name_contains(qs, q: str):
    """Narrow a queryset of InspectionResult to names containing `q` (case-insensitive)."""
    connection = connections[qs.db]
    if connection.vendor == "sqlite" and len(q) >= MIN_INDEXED:
        return qs.filter(pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [fts_phrase(q)]))
    if connection.vendor == "postgresql" and len(q) == MIN_INDEXED - 1:
        doubled = "".join(ch * 2 for ch in q.upper())
        return qs.alias(gs_name_pairs=doubled_name()).filter(gs_name_pairs__contains=doubled)
    return qs.filter(unit_name__icontains=q)


def ensure_sqlite_index(using: str = "default") -> bool:
    """SQLite: re-create the triggers if a migration rebuilt `inspections_inspectionresult` (SQLite
    drops a table's triggers with it) and rebuild the index from the table. Returns True when it did.
    A no-op on other databases and before migration `0002_result_name_search` created the FTS table."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {row[0] for row in cursor.fetchall()}
        if FTS_TABLE not in present or RESULT_TABLE not in present or present.issuperset(SQLITE_TRIGGERS):
            return False
        for sql in SQLITE_TRIGGERS.values():
            cursor.execute(sql)
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    return True
