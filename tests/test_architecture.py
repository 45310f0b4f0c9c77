"""The layout is the architecture: which package may import which, and the one place a failure becomes a
QueryResult. Read from the source with ast, so a new import that breaks a layer fails here first."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "talk2tables"

# What each package must never import (beyond the shared modules at the top: errors, models, protocol, ...).
FORBIDDEN = {
    "database_mcp": {"product_metadata_mcp", "orchestrator", "sql_generation", "workflow", "api", "cli"},
    "product_metadata_mcp": {"database_mcp", "orchestrator", "sql_generation", "workflow", "api", "cli"},
    "sql_guard": {"database_mcp", "product_metadata_mcp", "orchestrator", "sql_generation", "workflow", "api", "cli"},
    "orchestrator": {"database_mcp", "product_metadata_mcp", "sql_generation", "workflow", "api", "cli"},
    "sql_generation": {"database_mcp", "product_metadata_mcp", "orchestrator", "workflow", "api", "cli"},
    "workflow": {"database_mcp", "product_metadata_mcp", "api", "cli"},
    "api": {"database_mcp", "product_metadata_mcp", "cli"},
}


def _modules(package: str) -> list[Path]:
    return sorted((PACKAGE / package).rglob("*.py"))


def _imported(path: Path) -> set[str]:
    """The talk2tables packages a module imports, at any depth (imports inside functions count too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {n.split(".")[1] for n in names if n.startswith("talk2tables.") and n.count(".") >= 1}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_each_package_imports_only_the_layers_beneath_it(package: str) -> None:
    offences = [
        f"{path.relative_to(PACKAGE)} imports talk2tables.{name}"
        for path in _modules(package)
        for name in sorted(_imported(path) & FORBIDDEN[package])
    ]
    assert offences == []


def _builds_a_failure(node: ast.AST) -> bool:
    if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "QueryResult"):
        return False
    return any(
        k.arg == "success" and isinstance(k.value, ast.Constant) and k.value.value is False for k in node.keywords
    )


def test_a_failure_becomes_a_query_result_in_exactly_one_place() -> None:
    builders = [
        str(path.relative_to(PACKAGE))
        for path in sorted(PACKAGE.rglob("*.py"))
        if any(_builds_a_failure(node) for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))))
    ]
    assert builders == ["workflow/outcome.py"]


def test_the_checker_sees_an_import_that_breaks_a_layer(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("def f():\n    from talk2tables.api.app import create_app\n    import talk2tables.cli.main\n")
    assert _imported(module) == {"api", "cli"}
