"""State from the spec: the entities of each inferred resource, kept in the server's store.

Which operations are a resource's list, create, read, replace, update and delete is read from the spec
(openapi/resources.py). Here they answer from the store, so that what a client writes it reads back:

- Each resource starts with `INITIAL_ITEMS` entities generated from the server's seed (the same after a
  restart, or after `DELETE /__mock/state`), made at the resource's first request, not at start-up.
- POST (create) and PUT (replace) keep the request's writable fields and generate the read-only ones (id,
  timestamps); PATCH merges; DELETE removes; GET reads (404 in the API's envelope, when documented).
- A list pages through one ordered set (creation order): a cursor names the last entity seen, so entities
  created or deleted meanwhile cause neither repeats nor gaps; a cursor the mock did not issue is refused
  with the operation's 400 (or 422). Query parameters named like an entity's field filter it.
- At most `MAX_ENTITIES` per resource: past it, creating answers 507 in the API's envelope.

Every answer is checked against its documented schema; one that would not be valid (a list item schema
narrower than the entity's, say) is generated as without state instead.
"""

from __future__ import annotations

import hashlib
import json
import logging
import weakref
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Scope

from mockserver.generation.context import FieldError, GenContext, Problem, make_context
from mockserver.generation.media import kind as media_kind
from mockserver.generation.responses import OperationMock, Rendered
from mockserver.generation.statuses import status_phrase
from mockserver.openapi.resources import (
    Pagination,
    Resource,
    Role,
    infer_resources,
    normalize,
    pagination,
)
from mockserver.openapi.rules import Path, RequestValues
from mockserver.openapi.validation import Check, schema_validator
from mockserver.serving.answers import to_response
from mockserver.serving.envelopes import error_response
from mockserver.serving.state import BoundOperation, MockState, query_items
from mockserver.serving.store import Store

logger = logging.getLogger("mockserver")

INITIAL_ITEMS = 137  # entities a resource starts with
MAX_ENTITIES = 10_000  # entities a resource holds at most (initial ones included)
_SIG = 8  # hex digits of a cursor's signature

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entities (
    api TEXT NOT NULL, resource TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (api, resource, id));
CREATE INDEX IF NOT EXISTS entities_order ON entities (api, resource, seq);
CREATE TABLE IF NOT EXISTS resource_sets (api TEXT NOT NULL, resource TEXT NOT NULL, next_seq INTEGER NOT NULL,
    PRIMARY KEY (api, resource));
"""
_UPDATED = frozenset({"updated_at", "modified_at", "last_modified", "updated", "modified", "last_updated"})

_CREATED = frozenset({"created_at", "created", "creation_date", "inserted_at", "created_on"})

_ALL: weakref.WeakKeyDictionary[MockState, Resources] = weakref.WeakKeyDictionary()


def stateful_answer(
    state: MockState, bound: BoundOperation, scope: Scope, request: RequestValues, ctx: GenContext
) -> Response | None:
    """The answer from stored state to an operation of a resource, or None (not one, or state is off)."""
    if state.config.stateless:
        return None
    resources = _ALL.get(state)
    if resources is None:
        resources = _ALL[state] = Resources(state)
    return resources.answer(bound, scope, request, ctx)


def _key(value: Any) -> str:
    """An id as the store keys it: `5` in a path and `5` in a body are one entity."""
    return value if isinstance(value, str) else json.dumps(value)


class Resources:
    """The resources of every API one server serves, and their entities in its store."""

    def __init__(self, state: MockState) -> None:
        self.state = state
        self.store: Store = state.store
        self.store.extend(_SCHEMA, state_tables=("entities", "resource_sets"))
        self._roles: dict[str, dict[tuple[str, str], tuple[Resource, Role]]] = {}
        self._pages: dict[int, Pagination] = {}
        self._checks: dict[int, Check] = {}

    def roles(self, bound: BoundOperation) -> dict[tuple[str, str], tuple[Resource, Role]]:
        mount = bound.api.api.mount_path
        if mount not in self._roles:
            self._roles[mount] = infer_resources(bound.api.api)
        return self._roles[mount]

    def answer(self, bound: BoundOperation, scope: Scope, request: RequestValues, ctx: GenContext) -> Response | None:
        found = self.roles(bound).get((bound.op.method, bound.op.path))
        if found is None:
            return None
        resource, role = found
        api = bound.api.api.mount_path
        if not self._seed(bound, resource, api):
            return None
        if role == "list":
            return self._list(bound, scope, request, ctx, resource, api)
        if role == "create":
            return self._create(bound, scope, request, ctx, resource, api)
        entity_id = request.path.get(resource.param)
        if entity_id is None:
            return None
        current = self._get(api, resource, entity_id)
        if role == "replace":
            return self._write(bound, scope, request, ctx, resource, api, current, entity_id)
        if current is None:
            return self._not_found(bound, scope, resource, entity_id)
        if role == "read":
            return self._answer(bound, scope, request, ctx, bound.op.success_status, current)
        if role == "update":
            merged = _merge(current, self._writable(resource, request.body, bound.api.api.is_31))
            _touch(merged, resource)
            self._put(api, resource, entity_id, merged)
            return self._answer(bound, scope, request, ctx, bound.op.success_status, merged)
        with self.store.write() as db:  # delete
            db.execute(
                "DELETE FROM entities WHERE api = ? AND resource = ? AND id = ?", (api, resource.name, _key(entity_id))
            )
        return self._answer(bound, scope, request, ctx, bound.op.success_status, current)

    # The initial data set -------------------------------------------------------------------------------

    def _seed(self, bound: BoundOperation, resource: Resource, api: str) -> bool:
        """Make the resource's initial entities if nobody has since the last reset; False: it cannot have any."""
        if self.store.read("SELECT 1 FROM resource_sets WHERE api = ? AND resource = ?", (api, resource.name)):
            return True
        maker = self._maker(bound, resource)
        if maker is None:
            return False
        rows: list[tuple[str, str, str, int, str]] = []
        seen: set[str] = set()
        for seq in range(1, min(INITIAL_ITEMS, MAX_ENTITIES) + 1):
            entity = self._generate(maker, resource, api, seq, seen, bound.api.api.is_31)
            if entity is None:
                return False
            seen.add(_key(entity[resource.id_field]))
            rows.append((api, resource.name, _key(entity[resource.id_field]), seq, json.dumps(entity)))
        with self.store.write() as db:
            # Another worker may have made them meanwhile (the same ones: same seed): keep the first.
            if not db.execute(
                "SELECT 1 FROM resource_sets WHERE api = ? AND resource = ?", (api, resource.name)
            ).fetchone():
                db.executemany("INSERT OR REPLACE INTO entities VALUES (?, ?, ?, ?, ?)", rows)
                db.execute("INSERT INTO resource_sets VALUES (?, ?, ?)", (api, resource.name, len(rows) + 1))
        return True

    def _maker(self, bound: BoundOperation, resource: Resource) -> OperationMock | None:
        """The operation whose success answer is an entity: the item's GET, else its PUT or PATCH, else the POST."""
        ops = {(m.op.method, m.op.path): m for m in bound.api.operations.values()}
        for key in (
            ("get", resource.item),
            ("put", resource.item),
            ("patch", resource.item),
            ("post", resource.collection),
        ):
            if key in ops:
                return ops[key]
        return None

    def _generate(
        self, maker: OperationMock, resource: Resource, api: str, seq: int, taken: set[str], is_31: bool
    ) -> dict[str, Any] | None:
        """Entity number `seq`, from the seed: its id unique (integer ids count up from 1)."""
        check = self._check(resource.schema.get("properties", {}).get(resource.id_field, {}), is_31)
        for attempt in range(4):
            ctx = make_context(
                self.state.config.seed, "resource", api, resource.name, seq, attempt, today=self.state.config.today()
            )
            body = maker.render(maker.op.success_status, ctx, RequestValues(), accept="application/json").body
            if not isinstance(body, dict) or resource.id_field not in body:
                return None
            if isinstance(body[resource.id_field], int) and not check(seq):
                body[resource.id_field] = seq
            if _key(body[resource.id_field]) not in taken:
                return body
        return None

    # Reading and writing entities -----------------------------------------------------------------------

    def _get(self, api: str, resource: Resource, entity_id: Any) -> dict[str, Any] | None:
        rows = self.store.read(
            "SELECT body FROM entities WHERE api = ? AND resource = ? AND id = ?", (api, resource.name, _key(entity_id))
        )
        return json.loads(rows[0][0]) if rows else None

    def _put(self, api: str, resource: Resource, entity_id: Any, entity: dict[str, Any]) -> None:
        with self.store.write() as db:
            db.execute(
                "UPDATE entities SET body = ? WHERE api = ? AND resource = ? AND id = ?",
                (json.dumps(entity), api, resource.name, _key(entity_id)),
            )

    def _writable(self, resource: Resource, body: Any, is_31: bool) -> dict[str, Any]:
        """The request body's fields a client may set: entity fields, not read-only, valid for the entity."""
        if not isinstance(body, dict):
            return {}
        properties = resource.schema.get("properties", {})
        out: dict[str, Any] = {}
        for name, value in body.items():
            sub = properties.get(name)
            if isinstance(sub, dict) and not sub.get("readOnly") and not self._check(sub, is_31)(value):
                out[name] = value
        return out

    def _create(
        self, bound: BoundOperation, scope: Scope, request: RequestValues, ctx: GenContext, resource: Resource, api: str
    ) -> Response | None:
        return self._write(bound, scope, request, ctx, resource, api, None, None)

    def _write(
        self,
        bound: BoundOperation,
        scope: Scope,
        request: RequestValues,
        ctx: GenContext,
        resource: Resource,
        api: str,
        current: dict[str, Any] | None,
        entity_id: Any,
    ) -> Response | None:
        """Create (POST, or PUT on an id not kept) or replace (PUT on a kept id) one entity."""
        is_31 = bound.api.api.is_31
        if current is None:
            with self.store.write() as db:
                count = db.execute(
                    "SELECT count(*) FROM entities WHERE api = ? AND resource = ?", (api, resource.name)
                ).fetchone()[0]
                if count >= MAX_ENTITIES:
                    seq = None
                else:
                    seq = db.execute(
                        "UPDATE resource_sets SET next_seq = next_seq + 1 WHERE api = ? AND resource = ? "
                        "RETURNING next_seq - 1",
                        (api, resource.name),
                    ).fetchone()[0]
            if seq is None:
                message = f"The mock keeps at most {MAX_ENTITIES} entities of {resource.name}: delete some first"
                problem = Problem(status=507, message=message, code=status_phrase(507)[0])
                return error_response(self.state, bound.api, bound, scope, problem, {"X-Mock-Error": "true"})
            maker = self._maker(bound, resource)
            base = self._generate(maker, resource, api, seq, set(), is_31) if maker is not None else None
            if base is None:
                return None
            _touch(base, resource, created=True)
        else:
            base = current
            seq = None
        sent = self._writable(resource, request.body, is_31)
        if current is None:
            base = _unsent(base, resource, sent)
        entity = {**base, **sent}
        if entity_id is not None:
            entity[resource.id_field] = entity_id
        key = _key(entity[resource.id_field])
        with self.store.write() as db:
            if seq is None:
                row = db.execute(
                    "SELECT seq FROM entities WHERE api = ? AND resource = ? AND id = ?", (api, resource.name, key)
                ).fetchone()
                seq = row[0] if row else 0
            db.execute(
                "INSERT INTO entities VALUES (?, ?, ?, ?, ?) ON CONFLICT (api, resource, id) DO UPDATE SET body = excluded.body",
                (api, resource.name, key, seq, json.dumps(entity)),
            )
        status = bound.op.success_status
        if current is None and "201" in bound.op.responses:
            status = 201
        location = bound.api.api.mount_path + resource.item.replace("{" + resource.param + "}", quote(key, safe=""))
        extra = {"Location": location} if current is None else {}
        return self._answer(bound, scope, request, ctx, status, entity, extra)

    def _not_found(self, bound: BoundOperation, scope: Scope, resource: Resource, entity_id: Any) -> Response | None:
        if not bound.mock.documents(404):
            return None
        problem = Problem(
            status=404, message=f"No entity of {resource.name} has id {_key(entity_id)!r}", code=status_phrase(404)[0]
        )
        return error_response(self.state, bound.api, bound, scope, problem)

    # Answers --------------------------------------------------------------------------------------------

    def _answer(
        self,
        bound: BoundOperation,
        scope: Scope,
        request: RequestValues,
        ctx: GenContext,
        status: int,
        body: Any,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """`body` answered with `status` and the documented headers; generated instead if it would not fit the schema."""
        rendered = bound.mock.render(status, ctx, request, accept=Headers(scope=scope).get("accept"))
        extra = dict(headers or {})
        if rendered.media_type is None or rendered.body is None or media_kind(rendered.media_type) != "json":
            return to_response(rendered, extra)
        response = bound.op.response_for(status)
        content = (response.content.get(rendered.media_type) or {}) if response else {}
        schema = content.get("schema", response.schema if response else None)
        if isinstance(schema, dict) and self._check(schema, bound.api.api.is_31)(body):
            logger.debug("%s: the stored answer does not fit the %s schema; generated", bound.op.operation_id, status)
            return to_response(rendered, extra)
        return to_response(Rendered(status, body, rendered.media_type, rendered.headers), extra)

    def _check(self, schema: Any, is_31: bool) -> Check:
        key = id(schema)
        if key not in self._checks:
            self._checks[key] = schema_validator(schema, openapi_31=is_31)
        return self._checks[key]

    # Lists ----------------------------------------------------------------------------------------------

    def _list(
        self, bound: BoundOperation, scope: Scope, request: RequestValues, ctx: GenContext, resource: Resource, api: str
    ) -> Response | None:
        op = bound.op
        pages = self._pages.get(id(op))
        if pages is None:
            pages = self._pages[id(op)] = pagination(op, resource)
        size = request.query.get(pages.limit) if pages.limit else None
        size = size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else pages.default_size
        if pages.max_size is not None:
            size = min(size, pages.max_size)
        where, params = self._filters(bound, resource, request, pages)
        after = 0
        skip = 0
        sent = request.query.get(pages.param) if pages.param else None
        if pages.kind == "cursor" and sent not in (None, ""):
            after_seq = self._cursor_seq(api, resource, str(sent))
            if after_seq is None:
                return self._bad_cursor(bound, scope, pages, str(sent))
            after = after_seq
        elif pages.kind == "page" and isinstance(sent, int):
            skip = max(sent - pages.first_page, 0) * size
        elif pages.kind == "offset" and isinstance(sent, int):
            skip = max(sent, 0)
        rows = self.store.read(
            f"SELECT seq, body FROM entities WHERE api = ? AND resource = ? AND seq > ?{where} "
            "ORDER BY seq LIMIT ? OFFSET ?",
            (api, resource.name, after, *params, size + 1, skip),
        )
        more = len(rows) > size
        rows = rows[:size]
        items = [json.loads(body) for _, body in rows]
        rendered = bound.mock.render(op.success_status, ctx, request, accept=Headers(scope=scope).get("accept"))
        if rendered.media_type is None or media_kind(rendered.media_type) != "json" or resource.items is None:
            return to_response(rendered)
        body = _place(rendered.body, resource.items, items)
        if body is None:
            return to_response(rendered)
        if pages.next_field is not None:
            following = self._next_value(scope, pages, api, resource, rows, sent, size, skip) if more else None
            self._set(body, pages.next_field, following, pages.next_schema, bound.api.api.is_31)
        if pages.previous_field is not None and after == 0 and skip == 0:
            self._set(body, pages.previous_field, None, None, bound.api.api.is_31)
        if pages.has_more_field is not None:
            _assign(body, pages.has_more_field, more)
        if pages.total_field is not None:
            total = self.store.read(
                f"SELECT count(*) FROM entities WHERE api = ? AND resource = ?{where}", (api, resource.name, *params)
            )[0][0]
            _assign(body, pages.total_field, total)
        return self._answer_body(bound, rendered, body)

    def _answer_body(self, bound: BoundOperation, rendered: Rendered, body: Any) -> Response:
        response = bound.op.response_for(rendered.status)
        content = (response.content.get(rendered.media_type or "") or {}) if response else {}
        schema = content.get("schema", response.schema if response else None)
        if isinstance(schema, dict):
            problems = self._check(schema, bound.api.api.is_31)(body)
            if problems:
                logger.debug(
                    "%s: the stored page does not fit its schema (%s); generated", bound.op.operation_id, problems[0]
                )
                return to_response(rendered)
        return to_response(Rendered(rendered.status, body, rendered.media_type, rendered.headers))

    def _filters(
        self, bound: BoundOperation, resource: Resource, request: RequestValues, pages: Pagination
    ) -> tuple[str, list[Any]]:
        """SQL conditions for the query parameters named like an entity field (or bound by `x-mock.filter`)."""
        skip = {pages.param, pages.limit}
        fields = {normalize(name): name for name in resource.schema.get("properties", {})}
        targets: dict[str, str] = {}
        items = resource.items or ()
        for binding in bound.op.x_mock.filter:
            path = binding.path
            if binding.ref.location == "query" and len(path) == len(items) + 2 and path[: len(items)] == items:
                targets[binding.ref.name] = path[-1]
        for param in bound.op.parameters:
            if param.location == "query" and param.name not in skip and param.name not in targets:
                field = fields.get(normalize(param.name))
                if field is not None:
                    targets[param.name] = field
        where, params = "", []
        for name, field in targets.items():
            value = request.query.get(name)
            if value is None:
                continue
            values = value if isinstance(value, list) else [value]
            if not values or any(isinstance(v, (dict, list)) for v in values):
                continue
            where += f" AND json_extract(body, ?) IN ({', '.join('?' * len(values))})"
            params += [f'$."{field}"', *values]
        return where, params

    def _signature(self, api: str, resource: Resource, seq: int) -> str:
        text = f"{self.state.config.seed}\x1f{api}\x1f{resource.name}\x1f{seq}"
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=_SIG // 2).hexdigest()

    def _cursor(self, api: str, resource: Resource, seq: int) -> str:
        return f"{seq:x}{self._signature(api, resource, seq)}"

    def _cursor_seq(self, api: str, resource: Resource, cursor: str) -> int | None:
        head, sig = cursor[:-_SIG], cursor[-_SIG:]
        try:
            seq = int(head, 16) if head and head.isalnum() else None
        except ValueError:
            return None
        return seq if seq is not None and sig == self._signature(api, resource, seq) else None

    def _next_value(
        self,
        scope: Scope,
        pages: Pagination,
        api: str,
        resource: Resource,
        rows: list[Any],
        sent: Any,
        size: int,
        skip: int,
    ) -> Any:
        if pages.kind == "cursor":
            value: Any = self._cursor(api, resource, rows[-1][0])
        elif pages.kind == "page":
            value = (sent if isinstance(sent, int) else pages.first_page) + 1
        elif pages.kind == "offset":
            value = skip + size
        else:
            return None
        schema = pages.next_schema or {}
        if schema.get("format") in ("uri", "url", "uri-reference", "iri") and pages.param:
            query = [(k, v) for k, v in query_items(scope) if k != pages.param] + [(pages.param, str(value))]
            return f"{scope.get('path', '')}?{urlencode(query)}"
        if schema.get("type") == "integer" or (isinstance(value, int) and schema.get("type") not in ("string", None)):
            return value
        return str(value)

    def _set(self, body: Any, path: Path, value: Any, schema: Any, is_31: bool) -> None:
        """A next/previous field: the value, or on the last page null where allowed, else absent."""
        node = body
        for step in path[:-1]:
            node = node.get(step) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            return
        if value is not None or (isinstance(schema, dict) and not self._check(schema, is_31)(None)):
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


def _unsent(entity: dict[str, Any], resource: Resource, sent: dict[str, Any]) -> dict[str, Any]:
    """A new entity's writable fields the client did not send: the schema's default, else absent where the
    schema allows it (never a generated value the client did not write), else as generated."""
    properties = resource.schema.get("properties", {})
    required = set(resource.schema.get("required") or [])
    out = dict(entity)
    for name, sub in properties.items():
        if name in sent or name == resource.id_field or not isinstance(sub, dict) or sub.get("readOnly"):
            continue
        if "default" in sub:
            out[name] = sub["default"]
        elif name not in required:
            out.pop(name, None)
    return out


def _merge(current: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """JSON merge patch (RFC 7386) of the fields a client may write: objects merge, other values replace."""
    out = dict(current)
    for name, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(name), dict):
            out[name] = _merge(out[name], value)
        else:
            out[name] = value
    return out


def _touch(entity: dict[str, Any], resource: Resource, *, created: bool = False) -> None:
    """An entity written now: its last-modified (and, when created, its creation) date-time fields say so."""
    properties = resource.schema.get("properties", {})
    stamp = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    names = _UPDATED | _CREATED if created else _UPDATED
    for name, sub in properties.items():
        if normalize(name) in names and isinstance(sub, dict) and sub.get("format") == "date-time":
            entity[name] = stamp


def _place(body: Any, items: Path, entities: list[Any]) -> Any:
    """`body` with the list at `items` replaced by `entities`; None when it has no list there."""
    if not items:
        return entities
    node = body
    for step in items[:-1]:
        node = node.get(step) if isinstance(node, dict) else None
    if not isinstance(node, dict):
        return None
    node[items[-1]] = entities
    return body


def _assign(body: Any, path: Path, value: Any) -> None:
    node = body
    for step in path[:-1]:
        node = node.get(step) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node[path[-1]] = value


__all__ = ["INITIAL_ITEMS", "MAX_ENTITIES", "Resources", "stateful_answer"]
