"""The dependency rule of DESIGN.md: judging → ideas → home, never the other way."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {"home": {"ideas", "judging"}, "ideas": {"judging"}, "judging": set()}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_app_imports_only_apps_below_it(app):
    offending = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) & FORBIDDEN[app])
        for path in (ROOT / app).rglob("*.py")
        if imported_apps(path) & FORBIDDEN[app]
    }
    assert offending == {}


def test_the_rule_catches_a_forbidden_import(tmp_path):
    module = tmp_path / "sample.py"
    module.write_text("from judging.models import Criterion\nimport ideas.models\n")
    assert imported_apps(module) == {"judging", "ideas"}
