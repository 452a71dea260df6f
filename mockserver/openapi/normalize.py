"""Tolerate 3.0 spellings in 3.1 documents: vendors mix them, and a keyword read in the wrong dialect
changes its meaning (`exclusiveMinimum: true` is the number 1 to a 2020-12 validator)."""

from __future__ import annotations

from typing import Any

# Values, not schemas: never rewritten.
_LITERAL = frozenset({"example", "examples", "default", "enum", "const"})


def normalize_31(root: Any) -> None:
    """Rewrite, in place, 3.0-style `nullable` and boolean exclusive bounds in a resolved 3.1 document."""
    seen: set[int] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
            continue
        if not isinstance(node, dict) or id(node) in seen:
            continue
        seen.add(id(node))
        _bounds(node)
        _exclusive_null(node)
        _nullable(node)
        pending.extend(v for k, v in node.items() if k not in _LITERAL and not k.startswith("x-"))


def _bounds(schema: dict[str, Any]) -> None:
    for exclusive, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        flag = schema.get(exclusive)
        if not isinstance(flag, bool):
            continue
        if flag and isinstance(schema.get(plain), (int, float)):
            schema[exclusive] = schema.pop(plain)
        else:
            del schema[exclusive]


def _nullable(schema: dict[str, Any]) -> None:
    if schema.get("nullable") is not True:
        return
    kind = schema.get("type")
    if isinstance(kind, str) and kind != "null":
        schema["type"] = [kind, "null"]
    elif isinstance(kind, list) and "null" not in kind:
        schema["type"] = [*kind, "null"]
    elif kind is None:
        _null_branch(schema)
    if isinstance(schema.get("enum"), list) and None not in schema["enum"]:
        schema["enum"] = [*schema["enum"], None]


def _null_branch(schema: dict[str, Any]) -> None:
    """`nullable` without `type` (beside a union, or a `$ref`): null becomes a branch of its own."""
    for combiner in ("anyOf", "oneOf"):
        if isinstance(schema.get(combiner), list):
            if not any(_takes_null(b) for b in schema[combiner]):
                schema[combiner] = [*schema[combiner], {"type": "null"}]
            return
    # `{$ref: X, nullable: true}` (resolved as allOf [X]) and the like: null, or everything else it says.
    rest = {k: v for k, v in schema.items() if k not in _ANNOTATIONS and k != "nullable"}
    if rest:
        for key in rest:
            del schema[key]
        schema["anyOf"] = [{"type": "null"}, rest]


def _exclusive_null(schema: dict[str, Any]) -> None:
    # `oneOf: [{type: null}, {type: string, nullable: true}]`: read in 3.1, the second `nullable` would
    # make null match two branches, which oneOf forbids; the null branch already says it.
    branches = schema.get("oneOf")
    if isinstance(branches, list) and any(isinstance(b, dict) and b.get("type") == "null" for b in branches):
        for branch in branches:
            if isinstance(branch, dict) and branch.get("type") != "null" and branch.get("nullable") is True:
                del branch["nullable"]


def _takes_null(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    kind = schema.get("type")
    return kind == "null" or (isinstance(kind, list) and "null" in kind) or schema.get("nullable") is True


_ANNOTATIONS = frozenset({"description", "title", "example", "examples", "default", "deprecated", "x-ref"})
