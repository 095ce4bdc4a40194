"""The portal's own state: one row whose token changes whenever anything the portal shows changes.

The public pages are cached under this token (`disclosure.caching`); see `disclosure.signals` for what
changes it. It is a row in the database, not a cache entry, so a change made in one process is seen by
every process and node (per-process LocMem caches stay correct), and it changes inside the transaction
that publishes or withdraws: a reader never sees new data under an old token.
"""

from django.db import models


class PortalState(models.Model):
    token = models.CharField("版本标识", max_length=32)
    changed_at = models.DateTimeField("最近变更时间", null=True, blank=True)

    class Meta:
        verbose_name = "公示门户状态"
        verbose_name_plural = "公示门户状态"

    def __str__(self) -> str:
        return self.token
