"""The apps depend one way (docs/architecture.md, layers): notifications >
requests_app > pods > mutualaid. import-linter checks the module-level imports
(`lint-imports`, a step of scripts/test.sh); this checks that nobody hides an
import of an app inside a function to get round it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("mutualaid", "pods", "requests_app", "notifications")


def app_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def imported_apps(node):
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        names = [node.module]
    else:
        return []
    return [name for name in names if name.split(".")[0] in APPS]


def nested_app_imports(path):
    """(line, module) of every import of an app inside a function body of ``path``.

    An AppConfig's ``ready()`` is the one exception: Django loads the models only
    then, so that is where an app connects its signal receivers.
    """
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if path.name == "apps.py" and function.name == "ready":
            continue
        for node in ast.walk(function):
            found += [(node.lineno, name) for name in imported_apps(node)]
    return found


def test_the_check_finds_a_nested_import(tmp_path):
    module = tmp_path / "views.py"
    module.write_text("def view():\n    from pods.models import Pod\n    return Pod\n")
    assert nested_app_imports(module) == [(2, "pods.models")]


@pytest.mark.parametrize("path", list(app_modules()), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_app_is_imported_inside_a_function(path):
    assert nested_app_imports(path) == []
