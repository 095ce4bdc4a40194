"""No import runs up the floors of `shuangsuiji/` (docs/architecture.md, "Floors").

`FLOORS` below is the one written order: an app may import its own modules and any app on a LOWER floor, never
an app on its own floor or above. The test parses every module under `shuangsuiji/` with `ast` (so imports inside
functions count too, and relative imports are resolved), including migrations and each app's `tests/`, and lists
every upward import as file:line. Tests that need apps above their own (a user with a role for core, a whole
world for the backup) live in the top-level `tests/` folder, which is not walked.

Apps that talk to a higher floor do it through a registry in `core.registry` (menu, to-dos, demo loaders), the
API router discovery (`<app>.api.urls.register`), a setting naming a class (`REST_FRAMEWORK` authentication), or
a reverse relation (`task.draws.live()`), never by importing it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

# Lowest first. Apps on one floor are siblings: neither may import the other.
FLOORS: list[tuple[str, ...]] = [
    ("fairdraw",),  # pure Python, no Django (fairdraw/tests/test_purity.py)
    ("core",),  # audit trail, permissions, registries, working days, API base classes
    ("regions",),
    ("accounts",),  # organisations, users, roles, API tokens
    ("imports",),  # the shared Excel import machinery (template, parse, preview, commit, reports)
    ("directory",),  # 一单两库: units, inspectors, items, experts
    ("plans",),
    ("draws",),
    ("inspections",),
    ("cases",),
    ("paperwork",),  # 执法文书: numbers (文号) and documents generated from results and cases
    ("disclosure",),  # the public portal: published data of every app below, read through their selectors
    ("dashboards",),  # statistics and reports over everything below
    ("demo",),  # `manage.py load_demo`: runs every app's demo loader
]

PACKAGE = "shuangsuiji"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE
FLOOR = {app: n for n, apps in enumerate(FLOORS) for app in apps}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported_modules(tree: ast.AST, module: str, is_package: bool):
    """(line, absolute dotted name) of every import in the module, at any depth."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target == PACKAGE:  # `from shuangsuiji import fairdraw`
                for alias in node.names:
                    yield node.lineno, f"{PACKAGE}.{alias.name}"
            else:
                yield node.lineno, target


def app_dirs() -> list[str]:
    return sorted(p.name for p in ROOT.iterdir() if (p / "__init__.py").exists())


def upward_imports() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if len(rel.parts) < 2:  # shuangsuiji/__init__.py
            continue
        app = rel.parts[0]
        module = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, target in _imported_modules(tree, module, path.name == "__init__.py"):
            parts = target.split(".")
            if parts[0] != PACKAGE or len(parts) < 2 or parts[1] == app:
                continue
            other = parts[1]
            if FLOOR[other] >= FLOOR[app]:
                found.append(
                    f"{PACKAGE}/{rel}:{line}: {app} (floor {FLOOR[app]}) imports {target} (floor {FLOOR[other]})"
                )
    return found


def test_every_app_has_a_floor():
    missing = sorted(set(app_dirs()) - set(FLOOR))
    assert not missing, f"apps without a floor in FLOORS (tests/test_layers.py, docs/architecture.md): {missing}"


def test_no_import_runs_up_the_floors():
    found = upward_imports()
    assert not found, "imports that run up the floors:\n" + "\n".join(found)


def test_the_architecture_doc_shows_this_order():
    """The doc cites this constant; its picture must list the floors in the same order (top floor first)."""
    doc = (ROOT.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    start = doc.index("<!-- floors -->")
    picture = doc[start : doc.index("<!-- /floors -->", start)]
    rows = [line.split("│")[1] for line in picture.splitlines() if line.startswith("│")]  # │ app · app │ note
    shown = [tuple(name.strip() for name in row.split("·")) for row in rows]
    assert shown == [tuple(apps) for apps in reversed(FLOORS)], shown


@pytest.mark.parametrize(
    ("source", "module", "expected"),
    [
        ("from shuangsuiji.draws.selectors import x", "shuangsuiji.plans.views", "shuangsuiji.draws.selectors"),
        ("def f():\n    from shuangsuiji.draws import services", "shuangsuiji.plans.views", "shuangsuiji.draws"),
        ("from ...draws import services", "shuangsuiji.plans.api.views", "shuangsuiji.draws"),
        ("from shuangsuiji import draws", "shuangsuiji.plans.views", "shuangsuiji.draws"),
        ("import shuangsuiji.draws.models", "shuangsuiji.plans.views", "shuangsuiji.draws.models"),
    ],
)
def test_the_walker_sees_every_form_of_import(source, module, expected):
    assert [t for _, t in _imported_modules(ast.parse(source), module, False)] == [expected]
