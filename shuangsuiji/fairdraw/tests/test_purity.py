"""The package is pure Python: no Django, no numpy, no floats on the decision path."""

import ast
import pathlib
import subprocess
import sys

PKG = pathlib.Path(__file__).resolve().parents[1]
ROOT = PKG.parents[1]
MODULES = sorted(p for p in PKG.glob("*.py"))
FORBIDDEN_IMPORTS = {"django", "numpy", "random", "secrets", "math"}
# math is allowed only for floor of Fractions in allocate.py (exact); see test below.
FORBIDDEN_CALLS = {"float", "log", "exp", "pow", "sqrt", "random", "choice"}


def _imports(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name.split(".")[0], node
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0], node


def test_no_forbidden_imports_in_any_module():
    assert MODULES, "package modules not found"
    for path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for mod, node in _imports(tree):
            if mod == "math" and path.name == "allocate.py":
                names = {a.name for a in node.names}
                assert names == {"floor"}, names  # floor(Fraction) is exact integer arithmetic
                continue
            assert mod not in FORBIDDEN_IMPORTS, f"{path.name} imports {mod}"


def test_no_float_or_libm_calls():
    for path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                f = node.func
                name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
                assert name not in FORBIDDEN_CALLS, f"{path.name}:{node.lineno} calls {name}"
            if isinstance(node, ast.Constant) and isinstance(node.value, float):
                raise AssertionError(f"{path.name}:{node.lineno} has a float literal")


def test_import_and_run_without_django_or_numpy():
    code = (
        "import sys\n"
        "sys.modules['numpy'] = None\n"  # any import of numpy would fail
        "sys.modules['django'] = None\n"
        "import json, pathlib\n"
        "from shuangsuiji import fairdraw as fd\n"
        "from shuangsuiji.fairdraw import verify\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'numpy') and sys.modules[m] is not None]\n"
        "assert not bad, bad\n"
        "for p in sorted(pathlib.Path('docs/fairdraw-vectors').glob('*.json')):\n"
        "    case = json.loads(p.read_text(encoding='utf-8'))\n"
        "    i = case['inputs']\n"
        "    out = fd.run_draw(i['pool'].encode(), i['commitment'], i['public_values'], roster=i['roster'],\n"
        "                      public_evidence=i['public_evidence'], conflict_key=i.get('conflict_key'))\n"
        "    assert out.manifest == case['expected']['manifest'], p\n"
        "print('ok')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"
