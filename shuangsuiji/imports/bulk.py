"""Bulk writing for the large-import path (a 100,000-row unit import): multi-row INSERTs and cheap audit snapshots.

Only writers run by `imports.services.commit`/`sync` use these, inside their transaction, with an audit entry per
row through `audit.append`; they skip model `save()` and signals on purpose (speed), so the writer validates first.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

ROWS_PER_INSERT = 400  # x at most 23 columns stays far below SQLite's and PostgreSQL's parameter limits


def insert_rows(table: str, columns: list[str], rows: list[tuple]) -> None:
    """Multi-row INSERT (one statement per ROWS_PER_INSERT rows), SQL text built once per size.

    Django's bulk_create compiles one placeholder per value through the field machinery, which
    dominates a 100,000-row import; here values are already prepared by the caller."""
    if not rows:
        return
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES "
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), ROWS_PER_INSERT):
            chunk = rows[start : start + ROWS_PER_INSERT]
            cursor.execute(head + ", ".join([one] * len(chunk)), [value for row in chunk for value in row])


def insert_links(through, left: str, right: str, pairs: list[tuple[int, int]]) -> None:
    """Many-to-many link rows (e.g. unit id, line/tag id)."""
    insert_rows(through._meta.db_table, [left, right], pairs)


def insert_objects(model, objs: list) -> None:
    """INSERT unsaved instances; values are prepared by the fields themselves (defaults, auto_now_add,
    database adapters). Primary keys are not returned: callers read them back by natural key."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    rows = [tuple(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields) for obj in objs]
    insert_rows(model._meta.db_table, [f.column for f in fields], rows)


def fast_snapshot(obj, m2m: dict[str, list[int]]) -> dict:
    """audit.snapshot() without one query per many-to-many field (ids come from the import)."""
    data = {f.attname: f.value_from_object(obj) for f in obj._meta.concrete_fields}
    data.update({name: sorted(ids) for name, ids in m2m.items()})
    return data


def parse_date(text: str):
    """A payload date (YYYY-MM-DD or empty) back to a date."""
    return dt.date.fromisoformat(text) if text else None
