"""Where a bench finds its PostgreSQL server: an administrative URL from the environment (never a database name
the bench was not given); the bench creates and drops its own database on that server."""

import os

DEFAULT = "postgres://postgres@127.0.0.1:5432/postgres"


def admin_url(*names: str) -> str:
    """The first of the environment variables `names` (then PG_ADMIN_URL, DATABASE_URL) that holds a PostgreSQL URL."""
    for name in (*names, "PG_ADMIN_URL", "DATABASE_URL"):
        url = os.environ.get(name, "")
        if url.startswith(("postgres://", "postgresql://")):
            return url
    return DEFAULT
