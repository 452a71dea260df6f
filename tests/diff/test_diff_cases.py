"""The before/after corpus: each file under cases/ is one change and the exact rule ids it must get.

A case file holds `expect` (the rule ids, in any order; `[]` for a change that means nothing) and the two
sides, written in one of these ways:
- `response:`, `request:` or `param:` with `base` and `revision`: a schema put in the response 200 of
  `GET /items`, the JSON body of `POST /items`, or a parameter of `GET /items`;
- `base` and `revision`: documents laid over a small 3.0.3 skeleton (`openapi` may be set per side);
- `base_files` / `revision_files`: more files beside the spec (what its `$ref`s name, fixtures).
`pointers` (optional): [base, revision] pairs that must appear among the findings.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.diff.compare import DiffResult, diff
from mockserver.diff.rules import RULES

CASES = Path(__file__).parent / "cases"
CASE_FILES = sorted(CASES.glob("*.yaml"))
SKELETON: dict[str, Any] = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}


def _side(case: dict[str, Any], which: str) -> dict[str, Any]:
    document = copy.deepcopy(SKELETON)
    if "response" in case:
        schema = case["response"][which]
        document["paths"]["/items"] = {
            "get": {
                "operationId": "listItems",
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}},
            }
        }
    elif "request" in case:
        schema = case["request"][which]
        document["paths"]["/items"] = {
            "post": {
                "operationId": "createItem",
                "requestBody": {"content": {"application/json": {"schema": schema}}},
                "responses": {"204": {"description": "created"}},
            }
        }
    elif "param" in case:
        document["paths"]["/items"] = {
            "get": {
                "operationId": "listItems",
                "parameters": [case["param"][which]],
                "responses": {"204": {"description": "ok"}},
            }
        }
    for key, value in (case.get(which) or {}).items():
        document[key] = value
    if "components" in case:
        document.setdefault("components", {}).update(copy.deepcopy(case["components"]))
    return document


def run_case(path: Path, tmp_path: Path) -> tuple[dict[str, Any], DiffResult]:
    case = yaml.safe_load(path.read_text())
    for which in ("base", "revision"):
        folder = tmp_path / which / "specs"
        folder.mkdir(parents=True)
        (folder / "api.yaml").write_text(yaml.safe_dump(_side(case, which), sort_keys=False))
        for name, content in (case.get(f"{which}_files") or {}).items():
            target = tmp_path / which / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(yaml.safe_dump(content, sort_keys=False))
    result = diff(str(tmp_path / "base/specs/api.yaml"), str(tmp_path / "revision/specs/api.yaml"))
    return case, result


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_case_gets_exactly_its_classification(path: Path, tmp_path: Path) -> None:
    case, result = run_case(path, tmp_path)
    found = sorted(f.rule.id for f in result.findings)
    assert found == sorted(case["expect"]), "\n".join(f"{f.rule.id}: {f.where}: {f.detail}" for f in result.findings)
    pointers = {(f.base, f.revision) for f in result.findings}
    for base, revision in case.get("pointers", []):
        assert (base, revision) in pointers, pointers


def test_the_corpus_has_a_case_for_every_rule_and_forty_in_all() -> None:
    expected = {rule for path in CASE_FILES for rule in yaml.safe_load(path.read_text())["expect"]}
    assert set(RULES) - expected == set()
    assert len(CASE_FILES) >= 40


def test_the_docs_describe_every_rule_id_and_no_other() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "diff.md").read_text()
    documented = set(re.findall(r"^\| `([a-z0-9-]+)` \|", text, flags=re.MULTILINE))
    assert documented == set(RULES)
