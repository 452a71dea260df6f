"""A resource's list, answered from its stored entities: one ordered set, paged by cursor, page or offset.

A cursor names the last entity a page showed (its creation number, signed with the server's seed), so
entities created or deleted while a client walks the pages cause neither repeats nor gaps; a cursor the
mock did not sign is refused in the operation's 400 (else 422) envelope. The page's next field is null (or
absent, where null is not allowed) exactly on the last page.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Scope

from mockserver.generation.context import FieldError, GenContext, Problem
from mockserver.generation.media import kind as media_kind
from mockserver.generation.statuses import status_phrase
from mockserver.openapi.model import Schema
from mockserver.openapi.resources import POSITION, Pagination, Resource, normalize, pagination
from mockserver.openapi.rules import Path, RequestValues
from mockserver.openapi.validation import Check
from mockserver.serving.answer_headers import answer, origin
from mockserver.serving.entities import MAX_ENTITIES, entity_key
from mockserver.serving.envelopes import error_response
from mockserver.serving.list_items import data_seed
from mockserver.serving.repositories import EntityRepo, Filters
from mockserver.serving.state import BoundOperation, MockState, query_items

_SIG = 8  # hex digits of a cursor's signature
_END = 2**62  # after every entity
Checker = Callable[[Any, bool], Check]


class Lists:
    """Answers a resource's list operations."""

    def __init__(self, state: MockState, entities: EntityRepo, check: Checker) -> None:
        self.state = state
        self.entities = entities
        self.check = check
        self._pages: dict[int, Pagination] = {}

    def answer(
        self,
        bound: BoundOperation,
        scope: Scope,
        request: RequestValues,
        ctx: GenContext,
        resource: Resource,
        name: str,
    ) -> Response | None:
        """The page the request asks for of collection `name` (`resource`, its parent ids filled in)."""
        op, api, is_31 = bound.op, bound.api.api.mount_path, bound.api.api.is_31
        pages = self._pages.get(id(op))
        if pages is None:
            pages = self._pages[id(op)] = pagination(op, resource)
        size = request.query.get(pages.limit) if pages.limit else None
        size = size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else pages.default_size
        size = min(size, pages.max_size) if pages.max_size is not None else size
        filters = self._filters(bound, resource, request, pages)
        after, skip = 0, 0
        sent = request.query.get(pages.param) if pages.param else None
        if pages.kind == "cursor" and sent not in (None, ""):
            # A cursor this server issued, or (Stripe's `starting_after`, OpenAI's `after`) an entity's id.
            last_seen = self._cursor_seq(api, name, str(sent))
            if last_seen is None and resource.id_field != POSITION:  # a position is no id a client has seen
                last_seen = self.entities.number(api, name, entity_key(sent))
            if last_seen is None and bound.mock.documents(bound.api.error_status(op)):
                return self._bad_cursor(bound, scope, pages, str(sent))
            # Undocumented refusal: nothing follows a cursor that names nothing (an empty last page).
            after = last_seen if last_seen is not None else _END
        elif pages.kind == "page" and isinstance(sent, int):
            skip = max(sent - pages.first_page, 0) * size
        elif pages.kind == "offset" and isinstance(sent, int):
            skip = max(sent, 0)
        # A collection holds at most MAX_ENTITIES: a larger page or skip reads the same, and SQLite takes
        # no integer past 2**63 (GitHub's `per_page` has no maximum: schemathesis sent 3.5e30).
        size, skip = min(size, MAX_ENTITIES), min(skip, MAX_ENTITIES)
        found = self.entities.page(api, name, filters, after=after, skip=skip, size=size + 1)
        more, found = len(found) > size, found[:size]
        here = origin(scope)
        rendered = bound.mock.render(
            op.success_status, ctx, request, accept=Headers(scope=scope).get("accept"), origin=here
        )
        if rendered.media_type is None or media_kind(rendered.media_type) != "json" or resource.items is None:
            return answer(self.state, op, scope, rendered)
        # A copy: should the page not fit the schema, the generated answer is sent as it was.
        entities = [entity for _, entity in found]
        if resource.id_field == POSITION:
            entities = [{k: v for k, v in entity.items() if k != POSITION} for entity in entities]
        body = _place(copy.deepcopy(rendered.body), resource.items, entities)
        if body is None:
            return answer(self.state, op, scope, rendered)
        if pages.next_field is not None:
            # A page of no items (`limit=0`) leaves the next one where this one started.
            following = self._next(pages, found[-1][0] if found else after, sent, size, skip) if more else None
            value = self._reference(scope, pages, api, name, following, pages.next_schema)
            self._set(body, pages.next_field, value, pages.next_schema, is_31)
        if pages.previous_field is not None:
            # Where the page before this one starts, so that `prev` leads back as `next` led here.
            before = found[0][0] if found else min(after, _END - 1) + 1
            preceding = self._previous(pages, api, name, filters, before, after, sent, size, skip)
            value = self._reference(scope, pages, api, name, preceding, pages.previous_schema)
            self._set(body, pages.previous_field, value, pages.previous_schema, is_31)
        if pages.has_more_field is not None:
            _assign(body, pages.has_more_field, more)
        id_field = resource.id_field
        for field, index in ((pages.first_id_field, 0), (pages.last_id_field, -1)):
            if (
                field is not None and found and id_field != POSITION
            ):  # an empty page keeps what was generated (null where allowed)
                _assign(body, field, found[index][1].get(id_field))
        if pages.total_field is not None:
            _assign(body, pages.total_field, self.entities.count(api, name, filters))
        response = op.response_for(rendered.status)
        content = (response.content.get(rendered.media_type) or {}) if response else {}
        schema = content.get("schema", response.schema if response else None)
        if isinstance(schema, dict) and self.check(schema, is_31)(body):
            return answer(
                self.state, op, scope, rendered
            )  # a list schema narrower than the entities: generated, as without state
        # The headers said of this page (Link and cursor headers from its next field, ETag of its bytes).
        return answer(self.state, op, scope, bound.mock.with_body(rendered, body, request, here))

    def _filters(self, bound: BoundOperation, resource: Resource, request: RequestValues, pages: Pagination) -> Filters:
        """Conditions for the query parameters named like an entity field, or paired by `x-mock.filter` with a
        field of the listed entities, nested ones included (`data[].user.id`)."""
        fields = {normalize(name): name for name in resource.properties}
        targets: dict[str, Path] = {}
        items = (*(resource.items or ()), "[]")
        for binding in bound.op.x_mock.filter:
            path = binding.path
            if binding.ref.location == "query" and len(path) > len(items) and path[: len(items)] == items:
                targets[binding.ref.name] = path[len(items) :]
        for param in bound.op.parameters:
            if param.location == "query" and param.name not in (pages.param, pages.limit, *targets):
                field = fields.get(normalize(param.name))
                if field is not None:
                    targets[param.name] = (field,)
        filters: Filters = []
        for name, field_path in targets.items():
            value = request.query.get(name)
            values = value if isinstance(value, list) else [value]
            if (
                value is None
                or not values
                or "[]" in field_path  # a field inside a nested list: not one value per entity
                or any('"' in step for step in field_path)
                or any(isinstance(v, (dict, list)) for v in values)
            ):
                continue
            filters.append((tuple(field_path), values))
        return filters

    def _signature(self, api: str, name: str, seq: int) -> str:
        collection, seed = data_seed(name, self.state.config.seed)  # `Prefer: seed=N`'s data set: seed N's cursors
        text = f"{seed}\x1f{api}\x1f{collection}\x1f{seq}"
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=_SIG // 2).hexdigest()

    def _cursor_seq(self, api: str, name: str, cursor: str) -> int | None:
        """The entity number a cursor names, if this server issued it."""
        head, signature = cursor[:-_SIG], cursor[-_SIG:]
        try:
            seq = int(head, 16) if head.isascii() and head.isalnum() else None
        except ValueError:
            return None
        return seq if seq is not None and signature == self._signature(api, name, seq) else None

    def _next(self, pages: Pagination, last: int, sent: Any, size: int, skip: int) -> int | None:
        """The next page: the number of its anchor entity (cursor), its page number or its offset."""
        if pages.kind == "cursor":
            return last
        if pages.kind == "page":
            return (sent if isinstance(sent, int) else pages.first_page) + 1
        if pages.kind == "offset":
            return skip + size
        return None

    def _previous(
        self,
        pages: Pagination,
        api: str,
        name: str,
        filters: Filters,
        before: int,
        after: int,
        sent: Any,
        size: int,
        skip: int,
    ) -> int | None:
        """The page before this one, as `_next` says pages; None on the first page."""
        if pages.kind == "cursor":
            if after == 0 or size == 0:
                return None
            # The previous page is the `size` entities before this page's first: it follows the one before them.
            earlier = self.entities.before(api, name, filters, before=before, size=size + 1)
            return earlier[size] if len(earlier) > size else 0
        if pages.kind == "page" and isinstance(sent, int) and sent > pages.first_page:
            return sent - 1
        if pages.kind == "offset" and skip > 0:
            return max(skip - size, 0)
        return None

    def _reference(
        self, scope: Scope, pages: Pagination, api: str, name: str, value: int | None, schema: Schema | None
    ) -> Any:
        """A next/previous field's value: a signed cursor, a page number or an offset; a URL where the schema
        asks for one."""
        if value is None:
            return None
        found: Any = f"{value:x}{self._signature(api, name, value)}" if pages.kind == "cursor" else value
        schema = schema or {}
        if schema.get("format") in ("uri", "url", "uri-reference", "iri") and pages.param:
            query = [(k, v) for k, v in query_items(scope) if k != pages.param] + [(pages.param, str(found))]
            return f"{scope.get('path', '')}?{urlencode(query)}"
        return found if schema.get("type") == "integer" and isinstance(found, int) else str(found)

    def _set(self, body: Any, path: Path, value: Any, schema: Any, is_31: bool) -> None:
        """A next/previous field: the value, or (on the last page) null where allowed, else absent."""
        node = _parent(body, path)
        if node is None:
            return
        if value is not None or (isinstance(schema, dict) and not self.check(schema, is_31)(None)):
            node[path[-1]] = value
        else:
            node.pop(path[-1], None)

    def _bad_cursor(self, bound: BoundOperation, scope: Scope, pages: Pagination, sent: str) -> Response:
        status = bound.api.error_status(bound.op)
        message = f"{pages.param} {sent[:40]!r} was not issued by this server (pass a page's next cursor)"
        error = FieldError(("query", str(pages.param)), message, "value_error")
        problem = Problem(
            status=status,
            message=message,
            code=status_phrase(status)[0],
            details={str(pages.param): sent[:40]},
            errors=(error,),
        )
        return error_response(self.state, bound.api, bound, scope, problem)


def _parent(body: Any, path: Path) -> dict[str, Any] | None:
    node = body
    for step in path[:-1]:
        node = node.get(step) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


def _place(body: Any, items: Path, entities: list[Any]) -> Any:
    """`body` with the list at `items` replaced by `entities`; None when it has no list there."""
    if not items:
        return entities
    node = _parent(body, items)
    if node is None:
        return None
    node[items[-1]] = entities
    return body


def _assign(body: Any, path: Path, value: Any) -> None:
    node = _parent(body, path)
    if node is not None:
        node[path[-1]] = value
