"""Make a generated body answer the request: filters honoured, limits kept, ids and periods echoed.

Driven by the operation's `x-mock` extension (see ARCHITECTURE.md) and, unless it says
`heuristics: false`, by what the names imply: a path parameter echoes into the field of the same
name, a query parameter named like an item field filters the items, `limit` bounds the main list.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

from mockserver.generation.context import GenContext
from mockserver.generation.merge import merge_all_of
from mockserver.generation.semantics import normalize
from mockserver.openapi.model import Operation
from mockserver.openapi.rules import STEPS, Path, Ref, Refusal, RequestValues, parse_date, parse_path, periods
from mockserver.openapi.validation import schema_validator
from mockserver.openapi.xmock import Limit, Series

Compile = Callable[..., Callable[[GenContext, int], Any]]
_CURSOR_NAMES = frozenset({"cursor", "page_token", "after", "starting_after", "continuation_token"})
_PREVIOUS_NAMES = frozenset({"prev", "previous", "prev_cursor", "previous_cursor", "before"})
_LIMIT_NAMES = frozenset({"limit", "page_size", "per_page", "max_results", "top", "size"})


class Shaper:
    """The request-driven edits for one operation's success body, prepared once."""

    def __init__(self, op: Operation, schema: Any, compile_schema: Compile, *, openapi_31: bool) -> None:
        self._openapi_31 = openapi_31
        self._compile = compile_schema
        self._schema = schema
        self._fields = _collect_fields(schema)
        # Fields reached through an anyOf/oneOf branch: which branch an answer took is not known, so the name
        # heuristics leave them alone (echoing into one would build another branch's object there).
        self._in_unions = _union_paths(schema)
        mock = op.x_mock
        self._echo = [(binding.path, binding.ref) for binding in mock.echo]
        self._filter = [(binding.path, binding.ref) for binding in mock.filter]
        self._limit: Limit | None = mock.limit
        self._series: Series | None = mock.series
        self._first_page: tuple[Ref, list[Path]] | None = None
        self._checks: dict[Path, Callable[[Any], list[str]]] = {}
        self._makers: dict[Path, Callable[[GenContext, int], Any]] = {}
        if mock.heuristics:
            self._add_heuristics(op)
        if self._series is not None:
            self._series_items = self._item_generator(self._series.array_path)
        self._prepare()

    def _prepare(self) -> None:
        """Compile every validator and generator a request may need now, so that answering compiles nothing."""
        paths = [path for path, _ in [*self._filter, *self._echo]]
        if self._limit is not None and self._limit.echo:
            paths.append(parse_path(self._limit.echo))
        paths += self._first_page[1] if self._first_page else []
        for path in paths:
            self._checks.setdefault(path, schema_validator(self._fields.get(path, {}), openapi_31=self._openapi_31))
            for end in range(1, len(path)):
                prefix = path[:end]
                if prefix[-1] != "[]" and prefix in self._fields and prefix not in self._makers:
                    # Named like the field, so that a `user` made here gets a person's name.
                    self._makers[prefix] = self._compile(_object_branch(self._fields[prefix]), name=prefix[-1])
        # Whatever does not depend on the request is worked out here, once, not per answer.
        previous = self._first_page[1] if self._first_page else []
        self._null_on_first_page = [path for path in previous if self._check(path, None)]
        self._edits = [
            (path, ref, self._maker(path), normalize(path[-1]).endswith(("id", "uuid")) and "[]" in path[:-2])
            for path, ref in [*self._filter, *self._echo]
        ]

    def _add_heuristics(self, op: Operation) -> None:
        # A first page (no cursor sent) has nothing before it.
        cursor = next((p for p in op.parameters if p.location == "query" and normalize(p.name) in _CURSOR_NAMES), None)
        if cursor is not None:
            self._first_page = (
                Ref("query", cursor.name),
                [path for path in self._fields if "[]" not in path and normalize(path[-1]) in _PREVIOUS_NAMES],
            )
        explicit = {r for _, r in [*self._echo, *self._filter]}
        by_name: dict[str, list[Path]] = {}
        for path in self._fields:
            if path[-1] != "[]" and path not in self._in_unions:
                by_name.setdefault(normalize(path[-1]), []).append(path)
        for param in op.parameters:
            ref = Ref(param.location, param.name)
            if ref in explicit or param.location not in ("path", "query"):
                continue
            if param.location == "query" and normalize(param.name) in _LIMIT_NAMES and self._limit is None:
                main = next(
                    (p for p in self._fields if p[-1] == "[]" and len(p) <= 2 and p not in self._in_unions), None
                )
                if main is not None:
                    echo = next((p for p in by_name.get(normalize(param.name), []) if "[]" not in p), None)
                    self._limit = Limit(
                        param=ref,
                        array=".".join(main[:-1]) + "[]" if main[:-1] else "[]",
                        echo=".".join(echo) if echo else None,
                    )
                continue
            for path in by_name.get(normalize(param.name), []):
                # Query filters reach list items and the top level; path ids echo anywhere they are named.
                if param.location == "path" or (path.count("[]") <= 1 and len(path) <= 3):
                    self._echo.append((path, ref))

    def _item_generator(self, array_path: Path) -> Callable[[GenContext, int], Any]:
        schema = self._fields.get((*array_path, "[]")) if array_path != ("[]",) else self._fields.get(("[]",))
        return self._compile(schema if schema is not None else {}, name=array_path[-1])

    def _check(self, path: Path, value: Any) -> bool:
        if path not in self._checks:
            self._checks[path] = schema_validator(self._fields.get(path, {}), openapi_31=self._openapi_31)
        return not self._checks[path](value)

    def shape(self, body: Any, request: RequestValues, ctx: GenContext) -> Any:
        """Apply series, limit, filters and echoes to `body` (in place where it can) and return it."""
        if self._series is not None:
            body = self._apply_series(body, request, ctx, self._series)
        if self._limit is not None:
            body = self._apply_limit(body, request, self._limit)
        if self._first_page is not None and self._null_on_first_page and request.get(self._first_page[0]) is None:
            for path in self._null_on_first_page:
                body = _assign(body, path, None, None, None)
        for path, ref, make, one_owner in self._edits:
            value = request.get(ref)
            if value is not None and self._check(path, value):
                body = _assign(body, path, value, make, ctx)
                if one_owner:
                    body = _same_owner(body, path)
        return body

    def _maker(self, path: Path) -> Callable[[Path, GenContext], Any]:
        def make(prefix: Path, ctx: GenContext) -> Any:
            return self._makers[prefix](ctx, 1) if prefix in self._makers else None

        return make

    def _apply_limit(self, body: Any, request: RequestValues, limit: Limit) -> Any:
        n = request.get(limit.param)
        if not isinstance(n, int) or isinstance(n, bool):
            return body
        where = limit.array_path
        # The schema wins over the request: a list with minItems 1 keeps one item even for limit=0 (Slack).
        floor = self._fields.get(where, {}).get("minItems", 0) if where else 0
        body = _truncate(body, where, max(n, int(floor) if isinstance(floor, int) else 0, 0))
        if limit.echo and self._check(parse_path(limit.echo), n):
            body = _assign(body, parse_path(limit.echo), n, None, None)
        return body

    def _apply_series(self, body: Any, request: RequestValues, ctx: GenContext, series: Series) -> Any:
        start = parse_date(request.get(series.start))
        end = parse_date(request.get(series.end))
        if start is None or end is None or end < start:
            return body
        step = STEPS.get(str((request.get(series.step) if series.step else None) or "daily"), "day")
        item_field = series.field
        items = []
        for day in periods(start, end, step):
            item = self._series_items(ctx, 1)
            if isinstance(item, dict):
                item[item_field] = day.isoformat()
            items.append(item)
        return _assign(body, series.array_path, items, None, ctx)

    def check_request(self, op: Operation, request: RequestValues, today: date) -> Refusal | None:
        """The first `x-mock.request_rules` refusal as (message, details), or None: each rule kind says."""
        for rule in op.x_mock.request_rules:
            found = rule.refusal(request, today)
            if found is not None:
                return found
        return None


def _collect_fields(schema: Any, prefix: Path = (), depth: int = 0) -> dict[Path, Any]:
    """Every reachable field path of a response schema, with its sub-schema (bounded depth)."""
    out: dict[Path, Any] = {}
    if not isinstance(schema, dict) or depth > 6:
        return out
    schema = merge_all_of(schema)
    for branch in [*(schema.get("anyOf") or []), *(schema.get("oneOf") or [])]:
        for path, sub in _collect_fields(branch, prefix, depth + 1).items():
            out.setdefault(path, sub)
    if isinstance(schema.get("items"), dict):
        out[(*prefix, "[]")] = schema["items"]
        out.update(_collect_fields(schema["items"], (*prefix, "[]"), depth + 1))
    for name, sub in (schema.get("properties") or {}).items():
        out[(*prefix, name)] = sub
        out.update(_collect_fields(sub, (*prefix, name), depth + 1))
    return out


def _union_paths(schema: Any, prefix: Path = (), depth: int = 0, inside: bool = False) -> set[Path]:
    """The field paths of `_collect_fields` that are reached through an anyOf/oneOf branch."""
    found: set[Path] = set()
    if not isinstance(schema, dict) or depth > 6:
        return found
    schema = merge_all_of(schema)
    for branch in [*(schema.get("anyOf") or []), *(schema.get("oneOf") or [])]:
        found |= _union_paths(branch, prefix, depth + 1, True)
    if isinstance(schema.get("items"), dict):
        if inside:
            found.add((*prefix, "[]"))
        found |= _union_paths(schema["items"], (*prefix, "[]"), depth + 1, inside)
    for name, sub in (schema.get("properties") or {}).items():
        if inside:
            found.add((*prefix, name))
        found |= _union_paths(sub, (*prefix, name), depth + 1, inside)
    return found


def _object_branch(schema: Any) -> Any:
    if not isinstance(schema, dict):
        return schema
    schema = merge_all_of(schema)  # every part of an allOf, not its first branch only
    if "properties" in schema:
        return schema
    for branch in [*(schema.get("anyOf") or []), *(schema.get("oneOf") or []), *(schema.get("allOf") or [])]:
        if isinstance(branch, dict) and ("properties" in branch or branch.get("type") == "object"):
            return branch
    return schema


def _assign(
    node: Any,
    path: Path,
    value: Any,
    make: Callable[[Path, GenContext], Any] | None,
    ctx: GenContext | None,
    done: Path = (),
) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if head == "[]":
        if isinstance(node, list):
            for i, item in enumerate(node):
                node[i] = _assign(item, rest, value, make, ctx, (*done, "[]"))
        return node
    if not isinstance(node, dict):
        return node
    if not rest:
        node[head] = value
        return node
    child = node.get(head)
    if child is None and make is not None and ctx is not None and rest[0] != "[]":
        child = make((*done, head), ctx)
    if child is not None:
        node[head] = _assign(child, rest, value, make, ctx, (*done, head))
    return node


def _same_owner(body: Any, path: Path) -> Any:
    """Items filtered to one `user.id` name one user: every item gets the first item's `user`."""
    cut = len(path) - 1 - path[::-1].index("[]")
    array_path, owner_path = path[:cut], path[cut + 1 : -1]
    items: Any = body
    for step in array_path:
        items = items.get(step) if isinstance(items, dict) else None
    if not isinstance(items, list) or not items or not owner_path:
        return body
    first: Any = items[0]
    for step in owner_path:
        first = first.get(step) if isinstance(first, dict) else None
    if isinstance(first, dict):
        for item in items[1:]:
            _assign(item, owner_path, copy.deepcopy(first), None, None)
    return body


def _truncate(node: Any, path: Path, n: int) -> Any:
    if not path:
        return node[:n] if isinstance(node, list) else node
    head, rest = path[0], path[1:]
    if isinstance(node, dict) and head in node:
        node[head] = _truncate(node[head], rest, n)
    return node
