"""Bulk writing for the large-import path (a 100,000-row unit import): database rows built straight from payload
values, written by `core.bulk.insert_rows` (COPY on PostgreSQL, multi-row INSERT elsewhere), and plain audit
snapshots.

Only writers run by `imports.services.commit`/`sync` use these, inside their transaction, with an audit entry per
row through `audit.append_many`; they skip model `save()` and signals on purpose (speed), so the writer validates
first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from itertools import repeat
from types import SimpleNamespace

from django.db import connection

from shuangsuiji.core.audit import CanonicalTemplate, _json_default
from shuangsuiji.core.bulk import allocate_ids, insert_rows

__all__ = [
    "CHUNK_ROWS", "RowMaker", "allocate_ids", "date_text", "fast_snapshot", "insert_links", "insert_objects",
    "insert_rows", "ids_by_key", "parse_date", "read_back_ids",
]  # fmt: skip

CHUNK_ROWS = 5000  # rows a writer builds, inserts and audits at a time (bounds memory)


class RowMaker:
    """Database rows of one model from plain values (text dates as YYYY-MM-DD, ids, numbers): each column's
    default is prepared once (auto_now/auto_now_add get `now`), a row only sets what it is given.

    `snapshot(pk, values, m2m)` is the audit snapshot of the same row (attname -> plain JSON value), as
    `audit.snapshot()` of the saved object would read (str keys and JSON values only: its entries may say
    `plain=True`, given plain values), and `text(values)` is `str()` of the object."""

    def __init__(self, model, now: dt.datetime):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.columns = [f.column for f in self.fields]
        self.position = {f.attname: i for i, f in enumerate(self.fields)}
        self.pk_name = model._meta.pk.attname
        base, plain = [], {}
        for field in self.fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
            else:
                value = field.get_default()  # the default, or "" / None as the field's empty value
            if isinstance(value, str):
                value = str(value)  # a choices member: plain text for the driver and the snapshot
            base.append(field.get_db_prep_save(value, connection))
            plain[field.attname] = _plain(value)
        self.base, self.plain = base, plain
        self.text_of = model.__str__

    def row(self, values: dict) -> tuple:
        row = list(self.base)
        position = self.position
        for name, value in values.items():
            row[position[name]] = value
        return tuple(row)

    def insert(self, rows: Iterable[tuple], *, with_pk: bool = False) -> int:
        """Insert rows (a list or a stream); `with_pk`: rows led by their primary key (`column_rows` with `pks`)."""
        columns = [self.model._meta.pk.column, *self.columns] if with_pk else self.columns
        return insert_rows(self.model._meta.db_table, columns, rows)

    def snapshot(self, pk, values: dict, m2m: dict[str, list[int]] | None = None) -> dict:
        data = {self.pk_name: pk, **self.plain, **values}
        if m2m:
            data.update({name: sorted(ids) for name, ids in m2m.items()})
        return data

    def snapshot_template(self, variable: Iterable[str]) -> CanonicalTemplate:
        """The canonical JSON of `snapshot(...)` for rows that set only `variable` (attnames and many-to-many
        names; the primary key is always variable): `template.render({pk_name: pk, **values, **m2m})`."""
        variable = {self.pk_name, *variable}
        return CanonicalTemplate({k: v for k, v in self.plain.items() if k not in variable}, variable)

    def column_rows(self, pks: Sequence | None, columns: dict[str, Iterable]) -> Iterator[tuple]:
        """`row` of many rows given column-wise ({attname: values}, at least one a sized column; all as long as
        `pks`), each led by its primary key from `pks` (ids taken beforehand: `core.bulk.allocate_ids`) unless
        `pks` is None: zipped from the columns and the defaults, no call per row."""
        base = self.base
        sources = [columns[f.attname] if f.attname in columns else repeat(base[n]) for n, f in enumerate(self.fields)]
        return zip(*sources, strict=False) if pks is None else zip(pks, *sources, strict=False)  # defaults repeat

    def text_column(self, columns: dict[str, Sequence], count: int) -> list[str]:
        """`text(values)` of `count` rows given column-wise: str() of the model read through a row view."""
        view = _RowView(columns, self.plain)
        text_of = self.text_of
        out = []
        for i in range(count):
            view._i = i
            out.append(str(text_of(view)))
        return out

    def text(self, values: dict) -> str:
        return str(self.text_of(SimpleNamespace(**{**self.plain, **values})))


class _RowView:
    """Row `_i` of columns, attribute-style (a model's __str__ reads its fields); defaults for the rest."""

    def __init__(self, columns: dict, defaults: dict):
        self._columns, self._defaults, self._i = columns, defaults, 0

    def __getattr__(self, name):
        column = self._columns.get(name)
        if column is not None:
            return column[self._i]
        try:
            return self._defaults[name]
        except KeyError:
            raise AttributeError(name) from None


def _plain(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return _json_default(value)


def insert_links(through, left: str, right: str, pairs: Iterable[tuple[int, int]]) -> None:
    """Many-to-many link rows (e.g. unit id, line/tag id; a list or a stream)."""
    insert_rows(through._meta.db_table, [left, right], pairs)


def insert_objects(model, objs: list) -> None:
    """INSERT unsaved instances; values are prepared by the fields themselves (defaults, auto_now_add,
    database adapters). Primary keys are not returned: callers read them back by natural key."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    rows = [tuple(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields) for obj in objs]
    insert_rows(model._meta.db_table, [f.column for f in fields], rows)


KEYS_PER_QUERY = 5000  # SQLite's IN list (PostgreSQL takes all keys as one array)
KEY_SEPARATOR = "\x1f"  # ASCII unit separator: joins the keys into the one text PostgreSQL splits


def ids_by_key(model, field: str, keys) -> dict[str, int]:
    """{key: primary key} of the rows whose `field` is one of `keys`, by raw SQL: the ORM spends ~10 ms building
    an IN list of a few thousand values, which a 100,000-key lookup repeats 50 times per pass."""
    keys = [key for key in keys if "\x00" not in key]  # a NUL is never stored (PostgreSQL refuses it in text)
    if not keys:
        return {}
    quote = connection.ops.quote_name
    opts = model._meta
    head = f"SELECT {quote(opts.get_field(field).column)}, {quote(opts.pk.column)} FROM {quote(opts.db_table)} WHERE "
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            column = quote(opts.get_field(field).column)
            if not any(KEY_SEPARATOR in key for key in keys):  # one text the server splits: psycopg dumps a list
                cursor.execute(
                    head + f"{column} = ANY(string_to_array(%s, %s))", [KEY_SEPARATOR.join(keys), KEY_SEPARATOR]
                )
            else:  # of 100,000 str as an array in Python (~1 s)
                cursor.execute(head + f"{column} = ANY(%s)", [keys])
            return dict(cursor.fetchall())
        for start in range(0, len(keys), KEYS_PER_QUERY):
            chunk = keys[start : start + KEYS_PER_QUERY]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(head + f"{quote(opts.get_field(field).column)} IN ({marks})", chunk)
            found.update(cursor.fetchall())
    return found


def read_back_ids(model, field: str, keys: list[str]) -> dict[str, int]:
    """Primary keys of just-inserted rows by a unique text column."""
    return ids_by_key(model, field, keys)


def fast_snapshot(obj, m2m: dict[str, list[int]]) -> dict:
    """audit.snapshot() without one query per many-to-many field (ids come from the import)."""
    data = {f.attname: f.value_from_object(obj) for f in obj._meta.concrete_fields}
    data.update({name: sorted(ids) for name, ids in m2m.items()})
    return data


def parse_date(text: str):
    """A payload date (YYYY-MM-DD or empty) back to a date."""
    return dt.date.fromisoformat(text) if text else None


def date_text(text: str):
    """A payload date as the database and the audit snapshot take it (YYYY-MM-DD, or None when empty)."""
    return text or None
