"""Demo-data loaders, run in order by `manage.py load_demo`. Each app adds its own step.

A loader is `fn(context: dict, stdout) -> None`; `context` carries shared objects
(e.g. context["orgs"]), a seeded `random.Random` in context["rng"], so the demo is reproducible, and the day
of loading in context["today"]: every date of the demo is relative to it, so it loads in any year.
Loaders must be idempotent (skip when their data is already there).
"""

from collections.abc import Callable

LOADERS: list[tuple[int, str, Callable]] = []


def demo_loader(order: int, label: str):
    def decorator(fn):
        LOADERS.append((order, label, fn))
        return fn

    return decorator
