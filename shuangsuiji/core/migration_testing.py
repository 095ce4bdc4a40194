"""Helpers for tests that move the schema backwards and forwards.

A test that migrates an app back must leave the database at the *whole* graph's leaves afterwards: migrating back to
``0003`` also unapplies every later migration of that app (and of apps that depend on it), and going forward only to
``0004`` would leave later columns missing for every test that runs after it.
"""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(targets):
    """Migrate to ``targets`` (a list of (app, name)) and return the historical apps at that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def leaves():
    """Every app's latest migration: the schema the rest of the suite expects."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def migrate_to_latest():
    migrate_to(leaves())
