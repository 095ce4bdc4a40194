"""Extension points other apps register into: the side menu, the home page's to-do counts, demo-data loaders.

They live in core, the lowest floor, so that any app can register without importing an app above it
(see docs/architecture.md, "Floors")."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse


@dataclass(frozen=True)
class MenuItem:
    section: str  # 菜单分组, e.g. "一单两库"
    label: str
    url_name: str
    perm: str = ""  # Django permission required to see the entry ("" = any logged-in user)
    order: int = 100


@dataclass
class Todo:
    label: str
    count: int
    url: str = ""
    level: str = "warning"  # bootstrap contextual class: warning | danger | info


@dataclass
class _Registry:
    menu: list[MenuItem] = field(default_factory=list)
    todo_providers: list[Callable] = field(default_factory=list)


registry = _Registry()


def register_menu(*items: MenuItem) -> None:
    for item in items:
        if item not in registry.menu:
            registry.menu.append(item)


def register_todo(provider: Callable) -> Callable:
    """provider(user) -> iterable of Todo; registered once at import time of the app's `todos` module."""
    if provider not in registry.todo_providers:
        registry.todo_providers.append(provider)
    return provider


# Other append-only chains `manage.py audit_verify` checks and reports beside the audit trail (e.g. the draws app's
# public commitment log). A check is `fn() -> (ok: bool, line: str)`; the line names the chain's current head.
CHAIN_CHECKS: list[Callable] = []


def register_chain_check(fn: Callable) -> Callable:
    if fn not in CHAIN_CHECKS:
        CHAIN_CHECKS.append(fn)
    return fn


def menu_for(user) -> list[tuple[str, list[dict]]]:
    sections: dict[str, list[dict]] = {}
    for item in sorted(registry.menu, key=lambda i: i.order):
        if item.perm and not user.has_perm(item.perm):
            continue
        sections.setdefault(item.section, []).append({"label": item.label, "url": reverse(item.url_name)})
    return list(sections.items())


def todos_for(user) -> list[Todo]:
    todos: list[Todo] = []
    for provider in registry.todo_providers:
        todos.extend(provider(user))
    return todos


# Demo-data loaders, run in order by `manage.py load_demo` (app `demo`). Each app adds its own step in its `demo.py`.
#
# A loader is `fn(context: dict, stdout) -> None`; `context` carries shared objects
# (e.g. context["orgs"]), a seeded `random.Random` in context["rng"], so the demo is reproducible, and the day
# of loading in context["today"]: every date of the demo is relative to it, so it loads in any year.
# Loaders must be idempotent (skip when their data is already there).
DEMO_LOADERS: list[tuple[int, str, Callable]] = []


def demo_loader(order: int, label: str):
    def decorator(fn):
        DEMO_LOADERS.append((order, label, fn))
        return fn

    return decorator
