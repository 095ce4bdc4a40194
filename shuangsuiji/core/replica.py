"""Reads from a streaming read-only replica for the public portal and the dashboards (`DATABASE_REPLICA_URL`).

When the environment names a replica, `config/settings.py` adds the database alias ``replica`` and installs
`ReplicaRouter`; `ReplicaReadsMiddleware` marks GET/HEAD requests under `settings.REPLICA_READ_PATHS` (the
portal /gs/ and the dashboards). Inside such a request a read of a model of `settings.REPLICA_APPS` (the domain
data) goes to the replica; everything else stays on the primary:

* every write (the replica is read-only; an object read from it is saved on the primary);
* sessions, accounts, login lockouts, background jobs and the audit log (a login, a role change or a queued job
  must be seen at once, before the replica has caught up);
* any read inside a transaction on the primary (read-your-writes);
* a model that sets ``primary_reads = True`` (e.g. `draws.DrawVerification`: a portal visit that finds no stored
  re-verification starts one, so it must not miss one that is stored but not yet replicated);
* every request outside those paths, and every POST (a 异议 lodged on the portal).

The replica is a physical copy of the primary (PostgreSQL streaming replication): nothing is migrated on it.
A page read from it may lag the primary by the replication delay; the portal's page cache reads its version
row (`disclosure.PortalState`) from the same replica (`disclosure.caching`), so a page is never cached under a
version newer than its data.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads():
    """Within this block, reads of the domain apps go to the replica (when one is configured)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class ReplicaRouter:
    """Domain reads of marked requests to the replica; all else to the primary (see the module docstring)."""

    def db_for_read(self, model, **hints):
        if (
            _replica_reads.get()
            and model._meta.app_label in settings.REPLICA_APPS
            and not getattr(model, "primary_reads", False)
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
            and replica_configured()
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the primary's rows: an object from either may relate to the other

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # a physical replica receives the primary's schema by replication


class ReplicaReadsMiddleware:
    """Marks GET/HEAD requests under `settings.REPLICA_READ_PATHS` for replica reads (a no-op without a replica)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in ("GET", "HEAD")
            and request.path_info.startswith(tuple(settings.REPLICA_READ_PATHS))
            and replica_configured()
        ):
            with replica_reads():
                return self.get_response(request)
        return self.get_response(request)
