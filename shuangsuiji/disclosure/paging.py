"""Pagination of the public result search over a million published rows.

* The count stops at COUNT_CAP (+1 row): “共 N 条” beyond a few thousand helps nobody, and counting every
  match of a common pair of characters would read most of the table for each search.
* When the first page is not full, its rows are the whole answer and no count query runs at all — the
  common case of a specific name, and the one where counting would cost a second scan.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 2000


class CappedPaginator(Paginator):
    cap = COUNT_CAP

    @cached_property
    def total(self) -> int:
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.total, self.cap)

    @property
    def capped(self) -> bool:
        return self.total > self.cap

    def get_page(self, number):
        try:
            first = int(number or 1) <= 1
        except (TypeError, ValueError):
            first = True
        if first:
            head = list(self.object_list[: self.per_page + 1])
            if len(head) <= self.per_page:
                self.__dict__["total"] = len(head)
                return self._get_page(head, 1, self)
        return super().get_page(number)
