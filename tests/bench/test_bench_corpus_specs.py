"""Reading corpus specs for the bench (bench/corpus_specs.py): which files are specs, the credentials and the
documented GET both servers are asked, and the 1-operation spec of the routing measurement."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "bench") not in sys.path:  # the bench is scripts beside each other, imported as bench/run.py does
    sys.path.append(str(ROOT / "bench"))

from corpus_specs import (  # noqa: E402
    CORPUS_DIR,
    corpus_specs,
    credentials,
    get_candidates,
    looks_like_spec,
    one_operation_spec,
)
from settings import BenchError  # noqa: E402


def spec(schemes: dict[str, Any], paths: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"openapi": "3.0.3", "paths": paths or {}, "components": {"securitySchemes": schemes}}


def test_corpus_specs_are_gzipped_files_and_folders_entry_files_not_data_files() -> None:
    found = {s.name: s for s in corpus_specs([])}
    assert found["github"].source == CORPUS_DIR / "github.json.gz"
    assert found["petstore-separate"].options == ("--ref-root", "tests/corpus/petstore-separate")
    assert found["asana"].options == ()
    assert "defects" not in found
    assert not looks_like_spec(CORPUS_DIR / "defects.yaml")


def test_an_unknown_corpus_name_is_a_bench_error_naming_it() -> None:
    with pytest.raises(BenchError, match=r"not in tests/corpus: nosuchapi"):
        corpus_specs(["asana", "nosuchapi"])


def test_credentials_default_to_a_bearer_token() -> None:
    assert credentials(spec({})) == (("Authorization: Bearer bench",), "")
    oauth = spec({"o": {"type": "oauth2", "flows": {}}, "b": {"type": "http", "scheme": "basic"}})
    assert credentials(oauth)[0] == ("Authorization: Bearer bench",)


def test_credentials_use_basic_when_basic_is_the_only_http_scheme() -> None:
    assert credentials(spec({"b": {"type": "http", "scheme": "Basic"}}))[0] == (
        "Authorization: Basic YmVuY2g6YmVuY2g=",
    )
    swagger2 = {"swagger": "2.0", "securityDefinitions": {"b": {"type": "basic"}}}
    assert credentials(swagger2)[0] == ("Authorization: Basic YmVuY2g6YmVuY2g=",)


def test_api_keys_go_where_their_scheme_says() -> None:
    schemes = {
        "h": {"type": "apiKey", "in": "header", "name": "X-Key"},
        "c1": {"type": "apiKey", "in": "cookie", "name": "sid"},
        "c2": {"type": "apiKey", "in": "cookie", "name": "csrf"},
        "q": {"type": "apiKey", "in": "query", "name": "api key"},
        "ref": {"$ref": "#/components/securitySchemes/h"},
    }
    headers, query = credentials(spec(schemes))
    assert headers == ("Authorization: Bearer bench", "X-Key: bench", "Cookie: sid=bench; csrf=bench")
    assert query == "api+key=bench"


def test_candidates_skip_gets_with_required_query_or_header_parameters() -> None:
    paths = {
        "/search": {"get": {"parameters": [{"name": "q", "in": "query", "required": True}]}},
        "/tenant": {"get": {"parameters": [{"name": "X-Tenant", "in": "header", "required": True}]}},
        "/items": {"get": {"parameters": [{"name": "limit", "in": "query"}]}},
        "/create": {"post": {}},
    }
    assert [c.path for c in get_candidates(spec({}, paths), ((), ""))] == ["/items"]


def test_candidates_fill_path_parameters_plausibly_fewest_parameters_first() -> None:
    paths = {
        "/orgs/{org}/users/{id}": {
            "parameters": [{"name": "org", "in": "path", "schema": {"type": "string", "enum": ["acme co", "x"]}}],
            "get": {"parameters": [{"$ref": "#/components/parameters/Id"}]},
        },
        "/days/{day}": {"get": {"parameters": [{"name": "day", "in": "path", "schema": {"format": "date"}}]}},
        "/health": {"get": {}},
    }
    document = spec({}, paths)
    document["components"]["parameters"] = {"Id": {"name": "id", "in": "path", "schema": {"format": "uuid"}}}
    candidates = get_candidates(document, (("Authorization: Bearer bench",), "key=bench"))
    assert [c.path for c in candidates] == [
        "/health?key=bench",
        "/days/2024-01-01?key=bench",
        "/orgs/acme%20co/users/00000000-0000-4000-8000-000000000001?key=bench",
    ]
    assert candidates[2].template == "/orgs/{org}/users/{id}"
    assert candidates[0].headers == ("Authorization: Bearer bench",)


def test_one_operation_spec_keeps_the_get_and_every_component_it_reaches() -> None:
    document = {
        "openapi": "3.0.3",
        "servers": [{"url": "https://api.example.com/v1"}],
        "security": [{"token": []}],
        "tags": [{"name": "t"}],
        "paths": {
            "/a/{id}": {
                "parameters": [{"$ref": "#/components/parameters/Id"}],
                "get": {"responses": {"200": {"$ref": "#/components/responses/A"}}},
                "delete": {"responses": {"204": {"description": "gone"}}},
            },
            "/b": {"get": {"responses": {"200": {"$ref": "#/components/responses/B"}}}},
        },
        "components": {
            "parameters": {"Id": {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}},
            "responses": {
                "A": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}},
                "B": {"description": "b"},
            },
            "schemas": {
                "A": {
                    "properties": {"next": {"$ref": "#/components/schemas/A"}, "c": {"$ref": "#/components/schemas/C"}}
                },
                "C": {"type": "string"},
                "Unused": {"type": "integer"},
            },
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
    }
    one = one_operation_spec(document, "/a/{id}")
    assert list(one["paths"]) == ["/a/{id}"]
    assert set(one["paths"]["/a/{id}"]) == {"parameters", "get"}
    assert {kind: sorted(names) for kind, names in one["components"].items()} == {
        "parameters": ["Id"],
        "responses": ["A"],
        "schemas": ["A", "C"],
        "securitySchemes": ["token"],
    }
    assert one["servers"] == document["servers"]
    assert "tags" not in one
