"""Spec text into data: JSON, or YAML read the way JSON would have it."""

from __future__ import annotations

import json
from typing import Any, ClassVar

import yaml

_BASE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# How many nodes YAML aliases may add to a document once each is read as a copy of its anchor. Real specs
# use a few anchors for shared parameters; "billion laughs" (9 levels of 9 aliases) adds 387 million.
MAX_ALIAS_NODES = 1_000_000


class AliasBomb(yaml.YAMLError):
    """A YAML document whose aliases would expand past `MAX_ALIAS_NODES` (or into themselves)."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


class _YamlLoader(_BASE_LOADER):  # type: ignore[misc]
    """libyaml's parser where PyYAML was built with it (several times faster on large specs), without
    YAML 1.1's timestamps: `2024-01-01` in a spec is a string (JSON Schema has no date type).

    Aliases are measured on the composed node graph, where each anchor is one shared node, before any
    data is built: everything after parsing (and `string_keys` first) copies what an alias names."""

    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {
        first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _BASE_LOADER.yaml_implicit_resolvers.items()
    }

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        _check_aliases(node)
        return self.construct_document(node)


def parse_text(text: str, *, json_text: bool) -> Any:
    """The data in `text`; raises `json.JSONDecodeError` or `yaml.YAMLError` (`AliasBomb` included)."""
    if json_text:
        return json.loads(text)
    return string_keys(yaml.load(text, Loader=_YamlLoader))


def yaml_problem(exc: yaml.YAMLError) -> str:
    """Where and what, from a YAML error, without the snippet of the text PyYAML's message quotes."""
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return f"{where}{getattr(exc, 'problem', None) or type(exc).__name__}"


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


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_aliases(root: yaml.Node) -> None:
    """Raise `AliasBomb` if the tree the node graph stands for has `MAX_ALIAS_NODES` more nodes than
    the graph itself, or is infinite (an alias inside its own anchor). One pass, each node once."""
    if not _shares_collections(root):
        return
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()  # entered, not finished: the current path from the root
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] - len(sizes) > MAX_ALIAS_NODES:
                raise AliasBomb(
                    f"YAML aliases expand to more than {MAX_ALIAS_NODES:,} extra nodes (an alias bomb?); not read"
                )
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise AliasBomb("a YAML alias refers to the node that holds it (an endless document); not read")
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


def _shares_collections(root: yaml.Node) -> bool:
    """Whether an alias names a mapping or list (the only way to multiply nodes): a quick pass that most
    specs, without such aliases, end with (a tenth of the time of the full count on Stripe's spec)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append(key)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        else:
            continue
        if id(node) in seen:
            return True
        seen.add(id(node))
    return False
