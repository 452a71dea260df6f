"""A synthetic large OpenAPI 3.0 spec for start-up benchmarks: operations × schemas with $ref, allOf,
oneOf, nullable and recursion, deterministic for a given scale.

    python bench/large_spec.py SCALE OUT.yaml    # scale 1: 200 resources, 250 operations, 1,200 schemas
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

RESOURCES = 200  # at scale 1; each has a list operation, every fourth a tree operation too, and six schemas


def _schemas(i: int) -> dict[str, Any]:
    """Six related schemas for resource i: base, detail (allOf), variant (oneOf), list, error, tree (recursive)."""
    name = f"Resource{i}"
    return {
        f"{name}Base": {
            "type": "object",
            "required": ["id", "name", "created_at"],
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "name": {"type": "string", "maxLength": 80},
                "created_at": {"type": "string", "format": "date-time"},
                "owner_email": {"type": "string", "format": "email", "nullable": True},
                "count": {"type": "integer", "minimum": 0},
                "status": {"type": "string", "enum": ["active", "archived", "pending"]},
            },
        },
        f"{name}Detail": {
            "allOf": [
                {"$ref": f"#/components/schemas/{name}Base"},
                {
                    "type": "object",
                    "properties": {
                        "usage": {"type": "number", "minimum": 0},
                        "tags": {"type": "array", "items": {"type": "string"}},
                    },
                },
            ]
        },
        f"{name}Variant": {
            "oneOf": [
                {"$ref": f"#/components/schemas/{name}Detail"},
                {
                    "type": "object",
                    "required": ["kind"],
                    "additionalProperties": False,
                    "properties": {"kind": {"type": "string", "enum": ["placeholder"]}},
                },
            ]
        },
        f"{name}List": {
            "type": "object",
            "required": ["data"],
            "properties": {
                "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}Variant"}},
                "next": {"type": "string", "nullable": True},
            },
        },
        f"{name}Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                }
            },
        },
        f"{name}Tree": {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}Tree"}},
            },
        },
    }


def build(scale: int) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for i in range(RESOURCES * scale):
        schemas.update(_schemas(i))
        ref = f"#/components/schemas/Resource{i}"
        paths[f"/resources{i}"] = {
            "get": {
                "operationId": f"listResources{i}",
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}}
                ],
                "responses": {
                    "200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": f"{ref}List"}}}},
                    "404": {
                        "description": "Not found",
                        "content": {"application/json": {"schema": {"$ref": f"{ref}Error"}}},
                    },
                },
            }
        }
        if i % 4 == 0:
            paths[f"/resources{i}/tree"] = {
                "get": {
                    "operationId": f"getTree{i}",
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {"application/json": {"schema": {"$ref": f"{ref}Tree"}}},
                        }
                    },
                }
            }
    return {
        "openapi": "3.0.3",
        "info": {"title": f"Synthetic x{scale}", "version": "1.0.0"},
        "servers": [{"url": "/api"}],
        "paths": paths,
        "components": {"schemas": schemas},
    }


def write(scale: int, out: Path) -> dict[str, Any]:
    """Build the spec for `scale`, write it to `out` as YAML and return the document."""
    document = build(scale)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when present: same text, ~4x faster
    out.write_text(yaml.dump(document, Dumper=dumper, sort_keys=False), encoding="utf-8")
    return document


def main(argv: list[str]) -> int:
    write(int(argv[1]), Path(argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
