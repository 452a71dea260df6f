"""Inline examples get the fixtures' check: one that breaks its schema is said at start-up (file and JSON
pointer) and not served by name, as an invalid fixture is not."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import yaml
from serve_app_type import ServeApp

from mockserver.openapi.examples import invalid_examples
from mockserver.openapi.loader import load

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/items": {
            "get": {
                "operationId": "listItems",
                "responses": {
                    "200": {"$ref": "#/components/responses/Items"},
                },
            }
        }
    },
    "components": {
        "responses": {
            "Items": {
                "description": "ok",
                "content": {
                    "application/json": {
                        "schema": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
                        "examples": {
                            "good": {"value": {"id": 7}},
                            "bad": {"value": {"id": "seven"}},
                            "shared": {"$ref": "#/components/examples/NoId"},
                        },
                    }
                },
            }
        },
        "examples": {"NoId": {"value": {"name": "x"}}},
    },
}


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "items.yaml"
    path.write_text(yaml.safe_dump(SPEC))
    return path


def test_each_invalid_example_is_named_by_the_pointer_where_it_is_written(spec: Path) -> None:
    found = {example.pointer: problem for example, problem in invalid_examples(load(spec))}
    assert found == {
        "/components/responses/Items/content/application~1json/examples/bad/value": "id: 'seven' is not of type 'integer'",
        "/components/examples/NoId/value": "(root): 'id' is a required property",
    }


def test_an_invalid_inline_example_is_warned_at_start_up_and_not_served(
    spec: Path, serve_app: ServeApp, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="mockserver"), serve_app([load(spec)]) as client:
        good = client.get("/items/items", headers={"Prefer": "example=good"})
        bad = client.get("/items/items", headers={"Prefer": "example=bad"})
    warned = [r.getMessage() for r in caplog.records if "example does not match" in r.getMessage()]
    assert f"{spec}#/components/responses/Items/content/application~1json/examples/bad/value" in warned[0]
    assert warned[0].endswith("; not served")
    assert len(warned) == 2
    assert good.json() == {"id": 7}
    # As for an invalid fixture: not served by name; the answer lists what is.
    assert bad.status_code == 404
    assert "examples: good" in bad.text


def _with_examples(tmp_path: Path, examples: dict[str, object], example: object = None) -> Path:
    spec = yaml.safe_load(yaml.safe_dump(SPEC))
    content = spec["components"]["responses"]["Items"]["content"]["application/json"]
    content["examples"] = {name: {"value": value} for name, value in examples.items()}
    if example is not None:
        content["example"] = example
    path = tmp_path / "items.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def test_prefer_dynamic_false_passes_over_an_invalid_first_example(tmp_path: Path, serve_app: ServeApp) -> None:
    spec = _with_examples(tmp_path, {"bad": {"id": "seven"}, "good": {"id": 7}}, example={"id": None})
    with serve_app([load(spec)]) as client:
        answer = client.get("/items/items", headers={"Prefer": "dynamic=false"})
    assert answer.status_code == 200 and answer.json() == {"id": 7}


def test_prefer_dynamic_false_with_only_invalid_examples_generates_a_valid_answer(
    tmp_path: Path, serve_app: ServeApp
) -> None:
    spec = _with_examples(tmp_path, {"bad": {"id": "seven"}})
    with serve_app([load(spec)]) as client:
        answers = [client.get("/items/items", headers={"Prefer": f"dynamic=false, seed={n}"}) for n in range(5)]
    assert all(a.status_code == 200 and isinstance(a.json()["id"], int) for a in answers)
