"""Raw multi-row writes for the large paths (a 100,000-row import and its audit rows).

`insert_rows` takes rows whose values are already what the database adapter expects (strings, numbers,
dates/datetimes, JSON as text) and writes them with PostgreSQL's COPY (psycopg 3 `cursor.copy`, rows streamed)
or, elsewhere, multi-row INSERTs whose SQL text is built once per chunk size. It skips model `save()`, signals
and field preparation on purpose: the callers validate first, inside their transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from contextlib import contextmanager
from functools import partial
from itertools import islice

from django.db import connection

ROWS_PER_INSERT = 400  # x at most 23 columns stays far below SQLite's and PostgreSQL's parameter limits
COPY_MIN_ROWS = 50  # below this a plain INSERT is as fast and needs no COPY round trips


BULK_CACHE_KIB = 32 * 1024  # SQLite page cache while a bulk write runs (default 2 MB: index pages thrash)


@contextmanager
def bulk_writes():
    """Around a large write: on SQLite a bigger page cache for this connection (a 100,000-row import updates
    six audit indexes; with 2 MB of cache their pages are re-read all the time), restored afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def use_copy() -> bool:
    return connection.vendor == "postgresql"


def insert_rows(table: str, columns: list[str], rows: Iterable[tuple]) -> int:
    """Insert `rows` (tuples in `columns` order); returns how many. COPY on PostgreSQL, multi-row INSERT elsewhere."""
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return 0
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if use_copy() and len(rows) >= COPY_MIN_ROWS:
            raw = getattr(cursor, "cursor", cursor)  # Django's wrapper -> the psycopg cursor
            with raw.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                write = copy.write_row
                for row in rows:
                    write(row)
            return len(rows)
        mark = "%s"
        execute = cursor.execute
        if connection.vendor == "sqlite":  # the driver's own cursor: no %s -> ? rewrite of a long statement each time
            raw = getattr(cursor, "cursor", cursor)
            mark, execute = "?", partial(sqlite3.Cursor.execute, raw)
        head = f"INSERT INTO {quote(table)} ({names}) VALUES "
        one = "(" + ", ".join([mark] * len(columns)) + ")"
        full = head + ", ".join([one] * ROWS_PER_INSERT)
        iterator = iter(rows)
        while chunk := list(islice(iterator, ROWS_PER_INSERT)):
            sql = full if len(chunk) == ROWS_PER_INSERT else head + ", ".join([one] * len(chunk))
            execute(sql, [value for row in chunk for value in row])
    return len(rows)
