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
from itertools import chain, islice

from django.db import connection

ROWS_PER_INSERT = 400  # x at most 23 columns stays far below SQLite's and PostgreSQL's parameter limits
COPY_MIN_ROWS = 50  # below this a plain INSERT is as fast and needs no COPY round trips


BULK_CACHE_KIB = 16 * 1024  # SQLite page cache while a bulk write runs (default 2 MB: index pages thrash)


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
    """Insert `rows` (tuples in `columns` order; a list or a stream read once); returns how many.

    COPY on PostgreSQL, multi-row INSERT elsewhere. A stream goes into one COPY as it is produced, so the server
    stores rows while the caller is still making the next ones (hashing an audit chain, say)."""
    iterator = iter(rows)
    first = list(islice(iterator, COPY_MIN_ROWS))
    if not first:
        return 0
    rows = chain(first, iterator)
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if use_copy() and len(first) >= COPY_MIN_ROWS:
            raw = getattr(cursor, "cursor", cursor)  # Django's wrapper -> the psycopg cursor
            with raw.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                write = copy.write_row
                for row in rows:
                    write(row)
                    count += 1
            return count
        mark = "%s"
        execute = cursor.execute
        if connection.vendor == "sqlite":  # the driver's own cursor: no %s -> ? rewrite of a long statement each time
            raw = getattr(cursor, "cursor", cursor)
            mark, execute = "?", partial(sqlite3.Cursor.execute, raw)
        head = f"INSERT INTO {quote(table)} ({names}) VALUES "
        one = "(" + ", ".join([mark] * len(columns)) + ")"
        full = head + ", ".join([one] * ROWS_PER_INSERT)
        while chunk := list(islice(rows, ROWS_PER_INSERT)):
            sql = full if len(chunk) == ROWS_PER_INSERT else head + ", ".join([one] * len(chunk))
            execute(sql, [value for row in chunk for value in row])
            count += len(chunk)
    return count


def allocate_ids(model, count: int) -> list[int] | None:
    """`count` primary keys for rows inserted with their ids: no read-back of the ids the insert gave.

    PostgreSQL: drawn from the table's own sequence (concurrent writers draw distinct ids). SQLite: the ids after
    the largest ever given (the table's AUTOINCREMENT counter or its largest id, whichever is higher; the insert
    raises the counter), read inside the writer's transaction, which holds SQLite's one write lock (IMMEDIATE
    transactions, config/settings.py): no other writer can take them before the insert. None elsewhere."""
    if count <= 0:
        return None
    opts = model._meta
    if connection.vendor == "sqlite":
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0),"
                f" COALESCE((SELECT MAX({quote(opts.pk.column)}) FROM {quote(opts.db_table)}), 0))",
                [opts.db_table],
            )
            top = cursor.fetchone()[0]
        return list(range(top + 1, top + 1 + count))
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [opts.db_table, opts.pk.column])
        sequence = cursor.fetchone()[0]  # looked up once, not once per id
        cursor.execute(  # one text row, not 100,000 rows through the driver
            "SELECT string_agg(nextval(%s::regclass)::text, ',') FROM generate_series(1, %s)", [sequence, count]
        )
        return list(map(int, cursor.fetchone()[0].split(",")))
