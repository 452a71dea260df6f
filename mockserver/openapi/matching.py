"""`x-mock.match`: which named example or fixture a request selects, as pure functions of the request.

A rule is a list of conditions (all must hold) and a target; the first rule whose conditions hold wins, and
no rule holding means the mock generates the answer as usual. A condition reads one request value (a query,
path or header parameter, or a JSON pointer into the decoded body) and applies one operator: `equals`,
`regex` (matched in linear time by `patterns.py`), `min`/`max` (a number range, inclusive) or `present`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from mockserver.openapi.patterns import PatternTimeout, matcher
from mockserver.openapi.rules import RequestValues

SOURCES = ("query", "path", "header", "body")
OPERATORS = ("equals", "regex", "min", "max", "present")


class _Unset:
    """`equals` not given (None is a value one may compare with: JSON null)."""

    def __repr__(self) -> str:
        return "UNSET"


_UNSET: Any = _Unset()


@dataclass(frozen=True)
class Condition:
    """One request value and what it must be: `query.status: {equals: shipped}`."""

    source: str  # query, path, header, body
    name: str  # the parameter's name (headers lower-case), or the JSON pointer into the body
    equals: Any = _UNSET
    regex: str | None = None
    min: float | None = None
    max: float | None = None
    present: bool | None = None

    def holds(self, request: RequestValues, sent_query: Collection[str]) -> bool:
        """Whether the request meets every operator given; `sent_query`: the query names the client sent."""
        found, value = self.lookup(request, sent_query)
        if self.present is not None and found != self.present:
            return False
        if not found:
            return self.present is False
        if self.equals is not _UNSET and not _equal(value, self.equals):
            return False
        if self.regex is not None and not _searches(self.regex, value):
            return False
        if self.min is not None or self.max is not None:
            number = _number(value)
            if number is None:
                return False
            if (self.min is not None and number < self.min) or (self.max is not None and number > self.max):
                return False
        return True

    def lookup(self, request: RequestValues, sent_query: Collection[str]) -> tuple[bool, Any]:
        """(whether the request holds the value, the value); a query default the client did not send is absent."""
        if self.source == "body":
            return resolve_pointer(request.body, self.name)
        if self.source == "query" and self.name not in sent_query:
            return False, None
        value = request.get(f"{self.source}.{self.name}")
        return value is not None, value


@dataclass(frozen=True)
class MatchRule:
    """`{when: {...}, example: NAME}` or `{when: {...}, fixture: NAME}`."""

    when: tuple[Condition, ...]
    example: str | None = None
    fixture: str | None = None

    def holds(self, request: RequestValues, sent_query: Collection[str]) -> bool:
        return all(condition.holds(request, sent_query) for condition in self.when)


def select(rules: Sequence[MatchRule], request: RequestValues, sent_query: Collection[str]) -> MatchRule | None:
    """The first rule the request meets, or None (the answer is generated)."""
    return next((rule for rule in rules if rule.holds(request, sent_query)), None)


def query_names(pairs: Collection[tuple[str, str]]) -> frozenset[str]:
    """The query parameter names a client sent (`filter[status]=x` sends `filter`)."""
    return frozenset(name.split("[", 1)[0] for name, _ in pairs)


def resolve_pointer(document: Any, pointer: str) -> tuple[bool, Any]:
    """(found, value) at RFC 6901 `pointer` in `document`; "" is the whole document."""
    if pointer == "":
        return document is not None, document
    value = document
    for token in pointer[1:].split("/"):
        step = token.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict) and step in value:
            value = value[step]
        elif isinstance(value, list) and step.isdigit() and (step == "0" or not step.startswith("0")):
            index = int(step)
            if index >= len(value):
                return False, None
            value = value[index]
        else:
            return False, None
    return True, value


def valid_pointer(pointer: str) -> bool:
    """RFC 6901 syntax: empty, or `/`-separated tokens where `~` is only `~0` or `~1`."""
    if pointer == "":
        return True
    if not pointer.startswith("/"):
        return False
    return all(part[:1] in ("0", "1") for part in pointer.split("~")[1:])


def _text(value: Any) -> str:
    """A scalar as a query string or header would carry it (`true`, `5`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _equal(value: Any, expected: Any) -> bool:
    """Equal as values, or as the text a request carries (`5` and `"5"`), never `true` and `1`."""
    if isinstance(value, (dict, list)) or isinstance(expected, (dict, list)):
        return bool(value == expected)
    if value is None or expected is None:
        return value is expected
    return _text(value) == _text(expected)


def _searches(pattern: str, value: Any) -> bool:
    if isinstance(value, (dict, list)) or value is None:
        return False
    try:
        return matcher(pattern)(_text(value))
    except PatternTimeout:  # the backtracking fallback gave up: not a match, and the request goes on
        return False


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None
