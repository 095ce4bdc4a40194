"""Pagination of the public result search over a million published rows.

The page shows the newest matches first. A database answers “the 20 newest rows whose name contains q”
well in one of two ways — walk the rows newest first until 20 match (good when q is common), or collect
every match from the name index and sort them (good when q is rare) — and its planner cannot tell which
from a substring, so a common query planned the second way sorts tens of thousands of rows. Hence:

* the window: the newest WINDOW published rows (same region/year/category filters) are read once, newest
  first (from the index alone: migration 0004) and matched by `LIKE` in the database; if they hold the page,
  the page is those rows — exact, since every match outside the window is older than every row in it.
  A common query never touches the name index. SQLite reads the window from that covering index only when the
  query names it (`INDEXED BY`) and states its condition as a literal; otherwise it reads a table row per window
  row (15 ms instead of 1 ms at 1M results), so `window` does both there. (On SQLite, `LIKE` folds only ASCII
  letters where the FTS5 index folds every cased letter: a Latin letter with a diacritic in another case can be
  missed by the window; Chinese names are unaffected. On PostgreSQL both sides are `UPPER(…) LIKE UPPER(…)`.)
* otherwise (a rare query) the indexed query runs; it returns few rows.
* the count stops at COUNT_CAP (+1 row): “共 N 条” beyond a few hundred helps nobody, and counting every
  match of a common pair of characters would read most of the table for each search. When the window
  already holds more than COUNT_CAP matches, or all rows, no count query runs; nor when the first page
  is not full (its rows are the whole answer).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property

from shuangsuiji.inspections.choices import ResultStatus

COUNT_CAP = 500
WINDOW = 10000
NEWEST_INDEX = "disclosure_result_newest"  # migration 0004: (published_at, id, unit_name) of published rows


def _has_index(connection, table: str, name: str) -> bool:
    """SQLite: whether index `name` exists on `table` (checked once per connection; a database not migrated to
    0004 has none)."""
    known = connection.__dict__.setdefault("_gs_indexes", {})
    if (table, name) not in known:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND name = %s",
                           [table, name])  # fmt: skip
            known[table, name] = cursor.fetchone() is not None
    return known[table, name]


class CappedPaginator(Paginator):
    cap = COUNT_CAP
    window_size = WINDOW

    def __init__(self, object_list, per_page, *, newest=None, match: str | None = None, **kw):
        """`newest`: the same rows without the name filter; `match`: the name query (a substring)."""
        super().__init__(object_list, per_page, **kw)
        self.newest, self.match = newest, match

    @cached_property
    def window(self) -> tuple[list[int], bool] | None:
        """(ids of matching rows among the newest WINDOW, newest first; whether the window holds every row).
        The match runs in the database over the window (`LIKE`, no index), so only the hits travel."""
        if self.newest is None or self.match is None:
            return None
        newest = self.newest
        connection = connections[newest.db]
        table = newest.model._meta.db_table
        covering = connection.vendor == "sqlite" and _has_index(connection, table, NEWEST_INDEX)
        if covering:
            # SQLite uses a partial index only when its condition is a literal of the query (a bound parameter does
            # not imply it), and even then prefers (status, published_at) with a table read per row — 15 ms for
            # the window instead of 1 ms: state the condition literally and name the covering index (0004).
            literal = RawSQL(f"{connection.ops.quote_name(table)}.status = '{ResultStatus.PUBLISHED.value}'", (),
                             output_field=BooleanField())  # fmt: skip
            newest = newest.filter(literal)
        inner = newest.order_by("-published_at", "-id").values_list("id", "published_at", "unit_name")
        sql, params = inner[: self.window_size].query.sql_with_params()
        if covering:
            quoted = connection.ops.quote_name(table)
            sql = sql.replace(f"FROM {quoted}", f"FROM {quoted} INDEXED BY {NEWEST_INDEX}", 1)
        pattern = f"%{connection.ops.prep_for_like_query(self.match)}%"
        test = "UPPER(w.unit_name::text) LIKE UPPER(%s)" if connection.vendor == "postgresql" else "w.unit_name LIKE %s"
        if covering:  # two reads of the window from the index alone (a window function would copy it: 8 ms more)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT w.id FROM ({sql}) w WHERE {test} ESCAPE '\\' ORDER BY w.published_at DESC, w.id DESC",
                    [*params, pattern],
                )  # fmt: skip
                ids = [pk for (pk,) in cursor.fetchall()]
                if len(ids) > self.cap:
                    return ids, False  # the total is known to exceed the cap: completeness does not matter
                cursor.execute(f"SELECT COUNT(*) FROM ({sql}) w", params)
                return ids, cursor.fetchone()[0] < self.window_size
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT w.id, w.n FROM (SELECT i.*, COUNT(*) OVER () AS n FROM ({sql}) i) w WHERE {test} ESCAPE '\\' "
                "ORDER BY w.published_at DESC, w.id DESC",
                [*params, pattern],
            )  # fmt: skip
            rows = cursor.fetchall()
        if rows:
            return [pk for pk, _n in rows], rows[0][1] < self.window_size
        return [], not inner[self.window_size - 1 : self.window_size].exists()

    @cached_property
    def total(self) -> int:
        if self.window is not None:
            ids, complete = self.window
            if complete or len(ids) > self.cap:
                return len(ids)
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.total, self.cap)

    @property
    def capped(self) -> bool:
        return self.total > self.cap

    def _window_holds(self, top: int) -> bool:
        return self.window is not None and (self.window[1] or len(self.window[0]) >= top)

    def get_page(self, number):
        try:
            first = int(number or 1) <= 1
        except (TypeError, ValueError):
            first = True
        if first and not self._window_holds(self.per_page + 1):
            head = list(self.object_list[: self.per_page + 1])
            if len(head) <= self.per_page:
                self.__dict__["total"] = len(head)
                return self._get_page(head, 1, self)
            self._head = head[: self.per_page]  # page 1, once the count is known
        return super().get_page(number)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if self._window_holds(top):
            ids = self.window[0][bottom:top]
            order = {pk: i for i, pk in enumerate(ids)}
            # the ids already match: read them through the rows without the name filter, which would run the
            # name index again inside this query (5,000 matches of a trigram to find 20 known ids)
            source = self.newest.prefetch_related(*self.object_list._prefetch_related_lookups)
            rows = sorted(source.filter(pk__in=ids), key=lambda r: order[r.pk])
            return self._get_page(rows, number, self)
        if number == 1 and getattr(self, "_head", None) is not None:
            return self._get_page(self._head, 1, self)
        return super().page(number)
