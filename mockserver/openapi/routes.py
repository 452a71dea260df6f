"""Which operation a request path names, the way OpenAPI means it: literal segments win over templates.

"When matching URLs, concrete (non-templated) paths would be matched before their templated
counterparts" (OpenAPI 3.1, Paths Object). Matching walks a tree of path segments, so its cost
depends on the depth of the path, not on how many operations the API has. Segments are matched
percent-decoded, one at a time: a parameter may hold any character, `/` (as %2F) included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Generic, TypeVar
from urllib.parse import unquote

T = TypeVar("T")
_TEMPLATE = re.compile(r"\{([^{}/]+)\}")


@dataclass
class _Node(Generic[T]):
    literals: dict[str, _Node[T]] = field(default_factory=dict)
    # Segments mixing text and templates (`{sid}.json`, `{name}:cancel`): most literal text first.
    mixed: list[tuple[re.Pattern[str], int, _Node[T]]] = field(default_factory=list)
    param: _Node[T] | None = None  # a whole-segment template: `{id}` and `{name}` are the same place
    # Per method: the value, and the template's parameter names in order (a template names its own).
    methods: dict[str, tuple[T, tuple[str, ...]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Match(Generic[T]):
    """A path's match: the operations by (upper-case) method, and the path parameters' values."""

    methods: dict[str, T]
    params: dict[str, dict[str, str]]  # by method: the path parameters' values, by name


class RouteTable(Generic[T]):
    """Path templates (`/things/{id}`) with a value per method; `match` finds the most concrete one."""

    def __init__(self) -> None:
        self._root: _Node[T] = _Node()

    def add(self, template: str, method: str, value: T) -> None:
        node = self._root
        for segment in _segments(template):
            names = _TEMPLATE.findall(segment)
            if not names:
                node = node.literals.setdefault(segment, _Node())
            elif segment == "{" + names[0] + "}":
                if node.param is None:
                    node.param = _Node()
                node = node.param
            else:
                node = self._mixed(node, segment)
        node.methods.setdefault(method.upper(), (value, tuple(_TEMPLATE.findall(template))))

    @staticmethod
    def _mixed(node: _Node[T], segment: str) -> _Node[T]:
        pieces = _TEMPLATE.split(segment)  # text, name, text, name, …, text
        pattern = "^" + "".join(re.escape(p) if i % 2 == 0 else "(.+?)" for i, p in enumerate(pieces)) + "$"
        for existing, _, child in node.mixed:
            if existing.pattern == pattern:
                return child
        child = _Node[T]()
        node.mixed.append((re.compile(pattern, re.DOTALL), sum(len(p) for p in pieces[::2]), child))
        node.mixed.sort(key=lambda m: -m[1])  # `{sid}.json` after `Local{x}.json`: more literal text first
        return child

    def match(self, path: str) -> Match[T] | None:
        """The most concrete template matching `path` (raw, still percent-encoded), or None."""
        if not path.startswith("/"):
            return None
        values: list[str] = []
        node = _walk(self._root, [unquote(s) for s in path.split("/")[1:]], 0, values)
        if node is None:
            return None
        values.reverse()  # collected on the way back up
        methods = {method: value for method, (value, _) in node.methods.items()}
        # Every method of one template names its parameters alike; another template of the same shape may not.
        params = {m: dict(zip(names, values, strict=False)) for m, (_, names) in node.methods.items()}
        return Match(methods, params)


def _walk(node: _Node[T], segments: list[str], i: int, values: list[str]) -> _Node[T] | None:
    if i == len(segments):
        return node if node.methods else None
    segment = segments[i]
    child = node.literals.get(segment)
    if child is not None:
        found = _walk(child, segments, i + 1, values)
        if found is not None:
            return found
    if segment:  # a parameter is never empty
        for pattern, _, mixed in node.mixed:
            matched = pattern.match(segment)
            if matched is not None:
                found = _walk(mixed, segments, i + 1, values)
                if found is not None:
                    values.extend(reversed(matched.groups()))
                    return found
        if node.param is not None:
            found = _walk(node.param, segments, i + 1, values)
            if found is not None:
                values.append(segment)
                return found
    return None


def _segments(template: str) -> list[str]:
    return template.split("/")[1:] if template.startswith("/") else template.split("/")
