"""The layers of ARCHITECTURE.md, checked from the import statements: an import that breaks the table fails here."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mockserver"
SHARED = {"mockserver.errors", "mockserver.redact", "mockserver.deadline"}

# layer → (mockserver layers it may import, third-party top-level packages it may import)
LAYERS: dict[str, tuple[set[str], set[str]]] = {
    "shared": (set(), set()),
    "bundled": ({"shared"}, set()),
    "openapi": (
        {"shared", "bundled"},
        {
            "yaml",
            "jsonschema",
            "jsonschema_path",
            "openapi_schema_validator",
            "openapi_spec_validator",
            "referencing",
            "re2",
            "regex",
        },
    ),
    "generation": ({"shared", "bundled", "openapi"}, {"faker"}),
    # redis: only serving/redis_store.py, imported only when `--state-url redis://…` asks for it
    "serving": ({"shared", "bundled", "openapi", "generation"}, {"connexion", "starlette", "uvicorn", "redis"}),
    "contract": (
        {"shared", "bundled", "openapi"},
        {"schemathesis", "hypothesis", "requests", "urllib3", "yaml", "httpx"},
    ),
    # `mockserver diff`: reads two specs (and git, as a subprocess); compares them as data
    "diff": ({"shared", "bundled", "openapi"}, set()),
    # the validating proxy: builds the mock's app and reads the contract's checks and report, like the CLI
    "proxy": (
        {"shared", "bundled", "openapi", "generation", "serving", "contract"},
        {"connexion", "starlette", "httpx", "aiohttp", "yarl"},
    ),
}
TOP = {
    "mockserver.cli",
    "mockserver.cli_serve",
    "mockserver.cli_contract",
    "mockserver.cli_proxy",
    "mockserver.cli_diff",
    "mockserver.__main__",
    "mockserver.strategies",
    "mockserver.pytest_plugin",
    "mockserver.pytest_proxy",
    "mockserver.mock_server",
    "mockserver",
}


def layer_of(module: str) -> str:
    if module in SHARED:
        return "shared"
    if module in TOP:
        return "top"
    return module.split(".")[1]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Absolute names imported by `path` (`from mockserver import deadline` counts as mockserver.deadline)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "mockserver":
                found |= {f"mockserver.{alias.name}" for alias in node.names}
            else:
                found.add(node.module)
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_each_module_imports_only_what_its_layer_may(path: Path) -> None:
    module = module_name(path)
    layer = layer_of(module)
    if layer == "top":
        return
    allowed_layers, allowed_packages = LAYERS[layer]
    wrong = []
    for name in sorted(imports(path)):
        top = name.split(".")[0]
        if top == "mockserver":
            target = layer_of(name)
            if target != layer and target not in allowed_layers:
                wrong.append(f"{name} ({target})")
        elif top not in sys.stdlib_module_names and top != "__future__" and top not in allowed_packages:
            wrong.append(name)
    assert not wrong, f"{module} ({layer}) imports what its layer may not: {wrong}"


def test_the_table_names_every_layer_of_the_package() -> None:
    layers = {layer_of(module_name(p)) for p in MODULES} - {"top"}
    assert layers == set(LAYERS), layers ^ set(LAYERS)
