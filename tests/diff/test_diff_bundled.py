"""Pairs made from the bundled specs: real documents, one change each, the exact classification."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.diff.compare import diff

SPECS = Path(__file__).resolve().parents[2] / "specs"


def _spec(name: str) -> dict[str, Any]:
    return yaml.safe_load((SPECS / f"{name}.yaml").read_text())


def _write(folder: Path, name: str, document: dict[str, Any]) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    return str(folder / f"{name}.yaml")


def without_cached_tokens(document: dict[str, Any]) -> dict[str, Any]:
    """OpenRouter as it was before SDK 1.3.84 added `cached_tokens` to an activity item (and its example)."""
    changed = copy.deepcopy(document)
    item = changed["components"]["schemas"]["ActivityItem"]
    del item["properties"]["cached_tokens"]
    item["required"].remove("cached_tokens")
    for example in _activity_examples(changed):
        for row in example["data"]:
            row.pop("cached_tokens", None)
    return changed


def _activity_examples(document: dict[str, Any]) -> list[dict[str, Any]]:
    content = document["paths"]["/activity"]["get"]["responses"]["200"]["content"]["application/json"]
    return [example["value"] for example in content.get("examples", {}).values()]


def as_openapi_30(document: dict[str, Any]) -> dict[str, Any]:
    """The same API written in OpenAPI 3.0: `type: [X, 'null']` → `nullable`, `const` → `enum`, numeric
    exclusive bounds → boolean ones, a schema's `examples` list → `example`."""
    changed = copy.deepcopy(document)
    changed["openapi"] = "3.0.3"
    pending: list[Any] = [changed]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        kind = node.get("type")
        if isinstance(kind, list) and "null" in kind and len(kind) == 2:
            node["type"] = next(k for k in kind if k != "null")
            node["nullable"] = True
        if "const" in node:
            node["enum"] = [node.pop("const")]
        for exclusive, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            if isinstance(node.get(exclusive), (int, float)) and not isinstance(node.get(exclusive), bool):
                node[plain], node[exclusive] = node[exclusive], True
        if isinstance(node.get("examples"), list) and "type" in node:
            node["example"] = node.pop("examples")[0]
        pending.extend(v for k, v in node.items() if k not in ("example", "examples", "x-mock", "enum", "default"))
    return changed


def max_days(days: int) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def change(document: dict[str, Any]) -> dict[str, Any]:
        changed = copy.deepcopy(document)
        rules = changed["paths"]["/clients/{client_id}/analytics/users/{user_id}/activity"]["get"]["x-mock"]
        rules["request_rules"][0]["max_days"] = days
        return changed

    return change


def identity(document: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(document)


CASES = [
    # (spec, how BASE is made, how REVISION is made, the rule ids)
    ("openrouter", without_cached_tokens, identity, ["response-property-added", "example-breaks-revision"]),
    ("openrouter", identity, without_cached_tokens, ["response-property-removed"]),
    ("openrouter", identity, as_openapi_30, []),
    ("onepin", as_openapi_30, identity, []),
    ("client-analytics", identity, max_days(31), ["xmock-range-tightened"]),
    ("client-analytics", identity, max_days(180), ["xmock-range-loosened"]),
    ("lightdash", identity, identity, []),
]


@pytest.mark.parametrize(
    ("name", "make_base", "make_revision", "expected"),
    CASES,
    ids=[f"{c[0]}-{c[1].__name__}-{c[2].__name__}" for c in CASES],
)
def test_bundled_pair_gets_exactly_its_classification(
    name: str,
    make_base: Callable[[dict[str, Any]], dict[str, Any]],
    make_revision: Callable[[dict[str, Any]], dict[str, Any]],
    expected: list[str],
    tmp_path: Path,
) -> None:
    document = _spec(name)
    base = _write(tmp_path / "base", name, make_base(document))
    revision = _write(tmp_path / "revision", name, make_revision(document))
    result = diff(base, revision)
    assert sorted(f.rule.id for f in result.findings) == sorted(expected), [
        f"{f.rule.id}: {f.operation} {f.where}: {f.detail}" for f in result.findings
    ]


def test_the_cached_tokens_finding_points_into_both_documents(tmp_path: Path) -> None:
    document = _spec("openrouter")
    base = _write(tmp_path / "base", "openrouter", document)
    revision = _write(tmp_path / "revision", "openrouter", without_cached_tokens(document))
    (found,) = diff(base, revision).findings
    assert (found.operation, found.where) == ("GET /activity", "response 200 body: data[].cached_tokens")
    assert found.base == "/components/schemas/ActivityItem/properties/cached_tokens"
    assert found.revision is None


@pytest.mark.parametrize("name", ["openrouter", "onepin", "client-analytics", "lightdash"])
def test_a_bundled_api_by_name_against_itself_has_no_findings(name: str) -> None:
    assert diff(name, name).findings == []
