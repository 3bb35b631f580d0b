"""The dependency rule of DESIGN.md: judging → ideas → home, never the other way."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "home": {"ideas", "judging", "privacy"},
    "ideas": {"judging", "privacy"},
    "judging": {"privacy"},
    "privacy": set(),
}


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


# --- a round's phase: only the round compares its dates -----------------------------------------

ROUND_DATES = {
    "opens_at",
    "closes_at",
    "screening_closes_at",
    "judging_closes_at",
    "results_at",
    "results_published_at",
}
ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
DATE_LOOKUPS = {"lt", "lte", "gt", "gte", "range", "date", "year", "month", "day"}
# The round model owns the rule; migrations record history.
ROUND_MODEL = ROOT / "ideas" / "models" / "pages.py"


def _names_a_round_date(node: ast.AST) -> bool:
    return any(
        (isinstance(part, ast.Attribute) and part.attr in ROUND_DATES)
        or (isinstance(part, ast.Name) and part.id in ROUND_DATES)
        for part in ast.walk(node)
    )


def _is_date_lookup(name: str) -> bool:
    parts = name.split("__")
    return len(parts) > 1 and parts[-2] in ROUND_DATES and parts[-1] in DATE_LOOKUPS


def round_date_comparisons(path: Path) -> list[str]:
    """Where a module compares a round's date field to a time: an ordering comparison that
    names one, or an ORM lookup such as ``closes_at__lte``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(isinstance(op, ORDERING) for op in node.ops):
            if _names_a_round_date(node):
                found.append(f"{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.keyword) and node.arg and _is_date_lookup(node.arg):
            found.append(f"{node.value.lineno}: {node.arg}=")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if _is_date_lookup(node.value):
                found.append(f"{node.lineno}: {node.value!r}")
    return found


TEMPLATE_COMPARISON = re.compile(r"{%\s*(?:el)?if\b[^%]*(?:<|>)[^%]*%}")


def template_round_date_comparisons(path: Path) -> list[str]:
    return [
        tag
        for tag in TEMPLATE_COMPARISON.findall(path.read_text())
        if any(re.search(rf"\b{name}\b", tag) for name in ROUND_DATES)
    ]


def project_files(pattern: str):
    for app in ("home", "ideas", "judging", "ideatori", "templates"):
        for path in (ROOT / app).rglob(pattern):
            if "migrations" not in path.parts:
                yield path


def test_only_the_round_compares_its_dates_to_a_time():
    offending = {
        str(path.relative_to(ROOT)): round_date_comparisons(path)
        for path in project_files("*.py")
        if path != ROUND_MODEL and round_date_comparisons(path)
    }
    offending |= {
        str(path.relative_to(ROOT)): template_round_date_comparisons(path)
        for suffix in ("*.html", "*.txt")
        for path in project_files(suffix)
        if template_round_date_comparisons(path)
    }
    assert offending == {}


def test_the_date_rule_catches_comparisons_and_lookups(tmp_path):
    module = tmp_path / "sample.py"
    module.write_text(
        "late = competition.closes_at <= now\n"
        "rounds = Page.objects.filter(judging_closes_at__gt=now)\n"
        "fine = competition.closes_at is None\n"
        "also_fine = sorted(rounds, key=lambda r: r.opens_at)\n"
        "ordered = rounds.order_by('-opens_at')\n"
        "caught = Q(**{'competition__results_at__lt': now})\n"
    )
    template = tmp_path / "sample.html"
    template.write_text(
        "{% if page.closes_at < now %}late{% endif %}{{ page.closes_at|date }}"
        "{% if page.phase == 'open' %}open{% endif %}"
    )

    assert [line.split(":")[0] for line in round_date_comparisons(module)] == ["1", "2", "6"]
    assert template_round_date_comparisons(template) == ["{% if page.closes_at < now %}"]
