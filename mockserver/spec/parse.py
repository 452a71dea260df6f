"""Spec text into data: JSON, or YAML read the way JSON would have it."""

from __future__ import annotations

import json
from typing import Any, ClassVar

import yaml

_BASE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _YamlLoader(_BASE_LOADER):  # type: ignore[misc]
    """libyaml's parser where PyYAML was built with it (several times faster on large specs), without
    YAML 1.1's timestamps: `2024-01-01` in a spec is a string (JSON Schema has no date type)."""

    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {
        first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _BASE_LOADER.yaml_implicit_resolvers.items()
    }


def parse_text(text: str, *, json_text: bool) -> Any:
    """The data in `text`; raises `json.JSONDecodeError` or `yaml.YAMLError`."""
    if json_text:
        return json.loads(text)
    return string_keys(yaml.load(text, Loader=_YamlLoader))


def string_keys(node: Any) -> Any:
    """YAML keys as JSON has them: `200:` unquoted is the status "200", not the integer 200."""
    if isinstance(node, dict):
        return {_key(k): string_keys(v) for k, v in node.items()}
    if isinstance(node, list):
        return [string_keys(v) for v in node]
    return node


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    return json.dumps(key) if isinstance(key, bool) or key is None else str(key)
