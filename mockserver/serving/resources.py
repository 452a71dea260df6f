"""State from the spec: a resource's operations answer from its stored entities (`serve --stateless`: not).

Which operations are a resource's list, create, read, replace, update and delete is read from the spec
(openapi/resources.py); the entities live in the server's store (entities.py), lists page in
resource_pages.py. What a client writes it reads back:

- Each resource starts with `INITIAL_ITEMS` entities generated from the server's seed (the same after a
  restart, or after `DELETE /__mock/state`), made at the resource's first request, not at start-up; or
  with the entities a fixture file gives (`fixtures/<api>/_state/`, see openapi/state_fixtures.py).
- POST (create) and PUT (create or replace) keep the request's writable fields and generate the read-only
  ones (id, timestamps); PATCH merges; DELETE removes; GET reads; an id not kept is 404 in the API's
  envelope, where the operation documents 404.
- At most `MAX_ENTITIES` per resource: past it, creating answers 507 in the API's envelope.
- A paged list with no item path is a list-only resource: its entities are made from the list's own answer
  and only listed (list_items.py).

Every answer is checked against its documented schema; one that would not be valid is generated as without
state instead, so the contract still holds.
"""

from __future__ import annotations

import uuid
import weakref
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Scope

from mockserver.generation.context import GenContext, Problem, make_context
from mockserver.generation.media import kind as media_kind
from mockserver.generation.responses import OperationMock
from mockserver.generation.statuses import status_phrase
from mockserver.openapi.resources import Resource, Role, infer_resources, normalize
from mockserver.openapi.rules import RequestValues
from mockserver.openapi.validation import Check, schema_validator
from mockserver.openapi.visibility import TooDeep, without_write_only
from mockserver.serving import entities as stored
from mockserver.serving.answer_headers import answer, origin
from mockserver.serving.entities import entity_key, first_free
from mockserver.serving.envelopes import error_response
from mockserver.serving.initial_data import fixture_entities
from mockserver.serving.list_items import ListItemMaker, data_seed, data_set, in_feed_order
from mockserver.serving.resource_pages import Lists
from mockserver.serving.state import BoundOperation, MockState

__all__ = ["INITIAL_ITEMS", "Resources", "stateful_answer"]

INITIAL_ITEMS = 137  # entities a resource starts with
_UPDATED = frozenset({"updated_at", "modified_at", "last_modified", "updated", "modified", "last_updated"})
_CREATED = frozenset({"created_at", "created", "creation_date", "inserted_at", "created_on"})
_ID_ATTEMPTS = 64  # numbers tried for a new entity's id past those clients chose with PUT
_ANY: dict[str, Any] = {}  # the schema of a list-only resource's position key: any value
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


class Resources:
    """The resources of every API one server serves."""

    def __init__(self, state: MockState) -> None:
        self.state = state
        self.entities = state.store.entities()  # SQLite or Redis (repositories.py)
        self.lists = Lists(state, self.entities, self.check)
        self._roles: dict[str, dict[tuple[str, str], tuple[Resource, Role]]] = {}
        self._checks: dict[int, tuple[Any, Check]] = {}
        self._makers: dict[tuple[str, str], OperationMock | ListItemMaker | None] = {}

    def answer(self, bound: BoundOperation, scope: Scope, request: RequestValues, ctx: GenContext) -> Response | None:
        api = bound.api.api.mount_path
        if api not in self._roles:
            self._roles[api] = infer_resources(bound.api.api)
        found = self._roles[api].get((bound.op.method, bound.op.path))
        if found is None:
            return None
        resource, role = found
        if resource.list_only and ctx.edge:
            return None  # edge cases are about one generated answer (list_items.py)
        name = resource.instance(request.path)
        if resource.list_only:
            name = data_set(name, scope, self.state.config.seed)
        if not self._made(bound, resource, name):
            return None
        if role == "list":
            return self.lists.answer(bound, scope, request, ctx, resource, name)
        if role == "create":
            return self._write(bound, scope, request, ctx, resource, name, None, None)
        entity_id = request.path.get(resource.param)
        if entity_id is None:
            return None
        key = entity_key(entity_id)
        current = self.entities.get(api, name, key)
        if role == "replace":
            return self._write(bound, scope, request, ctx, resource, name, current, entity_id)
        if current is None:
            return self._not_found(bound, scope, name, key)
        if role == "update":
            current = _merge(current, self._writable(resource, request.body, bound.api.api.is_31))
            _touch(current, resource)
            if not self.entities.put(api, name, key, current):
                return self._full(bound, scope, name)
        elif role == "delete":
            self.entities.delete(api, name, key)
        return self._answer(bound, scope, request, ctx, bound.op.success_status, current)

    def check(self, schema: Any, is_31: bool) -> Check:
        """`schema`'s validator, made once (schemas are shared objects, kept alive by the spec)."""
        key = id(schema)
        if key not in self._checks:
            # The schema is kept with its validator, so that its id is never another object's.
            self._checks[key] = (schema, schema_validator(schema, openapi_31=is_31, reading=True))
        return self._checks[key][1]

    # The initial data set -------------------------------------------------------------------------------

    def _made(self, bound: BoundOperation, resource: Resource, name: str) -> bool:
        """Make collection `name`'s initial entities unless made since the last reset; False: it cannot have any."""
        api = bound.api.api.mount_path
        if self.entities.made(api, name):
            return True
        given = fixture_entities(self.state, api, name, resource.collection)  # fixtures/<api>/_state/, checked
        if given is not None:
            initial = [(entity_key(e[resource.id_field]), e) for e in given[: stored.MAX_ENTITIES]]
            self.entities.make(api, name, initial, next_seq=first_free(initial))
            return True
        initial = []
        taken: set[str] = set()
        for seq in range(1, min(INITIAL_ITEMS, stored.MAX_ENTITIES) + 1):
            entity = self._generate(bound, resource, name, seq, taken)
            if entity is None:
                return False
            taken.add(key := entity_key(entity[resource.id_field]))
            initial.append((key, entity))
        self.entities.make(api, name, initial)
        return True

    def _generate(
        self, bound: BoundOperation, resource: Resource, name: str, seq: int, taken: set[str]
    ) -> dict[str, Any] | None:
        """Entity number `seq`, from the seed, as the resource's entity answer is generated: its id unique
        (integer ids count up from 1)."""
        config, api = self.state.config, bound.api.api.mount_path
        if (api, resource.name) not in self._makers:
            self._makers[(api, resource.name)] = _maker(bound, resource)
        maker = self._makers[(api, resource.name)]
        if maker is None:
            return None
        id_check = self.check(resource.properties.get(resource.id_field, _ANY), bound.api.api.is_31)
        for attempt in range(4):
            named, seed = data_seed(name, config.seed) if resource.list_only else (name, config.seed)
            ctx = make_context(seed, "resource", api, named, seq, attempt, today=config.today())
            body = maker.render(maker.op.success_status, ctx, RequestValues(), accept="application/json").body
            if not isinstance(body, dict):
                return None
            if resource.id_field not in body or isinstance(body[resource.id_field], int):
                # An id is never absent, and integer ids count up (when the schema allows the number).
                fallback = (seq, str(seq), str(uuid.UUID(int=ctx.rng.getrandbits(128), version=4)))
                found = next((value for value in fallback if not id_check(value)), body.get(resource.id_field))
                if found is None:
                    return None
                body[resource.id_field] = found
            if entity_key(body[resource.id_field]) not in taken:
                if resource.list_only:
                    in_feed_order(body, resource, seq, ctx, lambda schema: self.check(schema, bound.api.api.is_31))
                return _in_order(body, resource)
        return None

    # Writes ---------------------------------------------------------------------------------------------

    def _writable(self, resource: Resource, body: Any, is_31: bool) -> dict[str, Any]:
        """The request body's fields a client may set and read back: entity fields, neither read- nor
        write-only, valid for the entity."""
        if not isinstance(body, dict):
            return {}
        properties = resource.properties
        kept = {}
        for name, value in body.items():
            sub = properties.get(name)
            # A password is taken, never kept to be read back: nor one inside (Box's signers[].password).
            if not isinstance(sub, dict) or sub.get("readOnly") or sub.get("writeOnly"):
                continue
            try:
                value = without_write_only(value, sub)
            except TooDeep:
                continue  # not kept: the entity's generated value stands
            if not self.check(sub, is_31)(value):
                kept[name] = value
        return kept

    def _write(
        self,
        bound: BoundOperation,
        scope: Scope,
        request: RequestValues,
        ctx: GenContext,
        resource: Resource,
        name: str,
        current: dict[str, Any] | None,
        entity_id: Any,
    ) -> Response | None:
        """Create (POST, or PUT on an id not kept) or replace (PUT on a kept id) one entity."""
        api = bound.api.api.mount_path
        sent = self._writable(resource, request.body, bound.api.api.is_31)
        seq = None
        if current is None:
            base = None
            # A generated integer id is the entity's number; a client's PUT may have taken that id already
            # (or a later one): then the next number, never a silent overwrite of the client's entity.
            for _ in range(_ID_ATTEMPTS):
                seq = self.entities.reserve(api, name)
                if seq is None:
                    return self._full(bound, scope, name)
                base = self._generate(bound, resource, name, seq, set())
                if base is None:
                    return None
                taken_id = entity_id is None and self.entities.get(api, name, entity_key(base[resource.id_field]))
                if not taken_id:
                    break
            else:
                return None  # ids keep colliding: answer as without state rather than overwrite
            _touch(base, resource, created=True)
            current = _unsent(base, resource, sent)
            created = True
        else:
            # PUT replaces: a writable field the client left out is gone (or its default), not kept from before.
            current = _unsent(current, resource, sent)
            created = False
        entity = {**current, **sent}
        if not created:
            _touch(entity, resource)
        if entity_id is not None:
            entity[resource.id_field] = entity_id
        key = entity_key(entity[resource.id_field])
        if not self.entities.put(api, name, key, entity, seq):
            return self._full(bound, scope, name)
        status = 201 if created and "201" in bound.op.responses else bound.op.success_status
        location = origin(scope) + api + resource.item_path(request.path, key)
        return self._answer(bound, scope, request, ctx, status, entity, {"Location": location} if created else {})

    def _full(self, bound: BoundOperation, scope: Scope, name: str) -> Response:
        message = (
            f"The mock keeps at most {stored.MAX_ENTITIES} entities of {name} "
            f"({stored.MAX_TOTAL} in all, {stored.MAX_BYTES} bytes of JSON): delete some first"
        )
        problem = Problem(status=507, message=message, code=status_phrase(507)[0])
        return error_response(self.state, bound.api, bound, scope, problem, {"X-Mock-Error": "true"})

    def _not_found(self, bound: BoundOperation, scope: Scope, name: str, key: str) -> Response | None:
        if not bound.mock.documents(404):
            return None
        message = f"No entity of {name} has id {key!r}"
        problem = Problem(status=404, message=message, code=status_phrase(404)[0])
        return error_response(self.state, bound.api, bound, scope, problem)

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
        """`body` with `status` and the documented headers (worked out for this body: ETag, Link, the
        rate-limit counts); generated instead if it would not fit the schema."""
        here = origin(scope)
        rendered = bound.mock.render(status, ctx, request, accept=Headers(scope=scope).get("accept"), origin=here)
        if rendered.media_type is None or rendered.body is None or media_kind(rendered.media_type) != "json":
            return answer(self.state, bound.op, scope, rendered, headers)
        response = bound.op.response_for(status)
        content = (response.content.get(rendered.media_type) or {}) if response else {}
        schema = content.get("schema", response.schema if response else None)
        if isinstance(schema, dict) and self.check(schema, bound.api.api.is_31)(body):
            return answer(self.state, bound.op, scope, rendered, headers)
        return answer(self.state, bound.op, scope, bound.mock.with_body(rendered, body, request, here), headers)


def _maker(bound: BoundOperation, resource: Resource) -> OperationMock | ListItemMaker | None:
    """The operation whose success answer is an entity: the item's GET, else its PUT or PATCH, else the POST;
    for a list-only resource, its list (list_items.py)."""
    ops = {(m.op.method, m.op.path): m for m in bound.api.operations.values()}
    if resource.list_only:
        listing = ops.get(("get", resource.collection))
        return ListItemMaker(listing, resource.items or ()) if listing is not None else None
    wanted = [("get", resource.item), ("put", resource.item), ("patch", resource.item), ("post", resource.collection)]
    return next((ops[key] for key in wanted if key in ops), None)


def _unsent(entity: dict[str, Any], resource: Resource, sent: dict[str, Any]) -> dict[str, Any]:
    """The writable fields the client did not send, of a new entity or one a PUT replaces: the schema's
    default, else absent where the schema allows it (never a value the client did not write), else kept."""
    out = dict(entity)
    for name, sub in resource.properties.items():
        if name in sent or name == resource.id_field or not isinstance(sub, dict) or sub.get("readOnly"):
            continue
        if normalize(name) in _CREATED | _UPDATED:
            continue  # the server's own dates, even where the schema does not mark them read-only
        if "default" in sub:
            out[name] = sub["default"]
        elif name not in resource.required:
            out.pop(name, None)
    return out


def _merge(current: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """JSON merge patch (RFC 7386) of the fields a client may write: objects merge, other values replace."""
    out = dict(current)
    for name, value in patch.items():
        out[name] = _merge(out[name], value) if isinstance(value, dict) and isinstance(out.get(name), dict) else value
    return out


def _in_order(entity: dict[str, Any], resource: Resource) -> dict[str, Any]:
    """A generated entity is not modified before it was created: its last-modified date-times (generated each
    on its own) are moved to its creation date-time when earlier."""
    created = [entity[n] for n in resource.properties if normalize(n) in _CREATED and isinstance(entity.get(n), str)]
    if not created:
        return entity
    for name in resource.properties:
        value = entity.get(name)
        # RFC 3339 date-times in one form (UTC, `Z`), as the generator writes them, compare as text.
        if normalize(name) in _UPDATED and isinstance(value, str) and len(value) == len(created[0]):
            entity[name] = max(value, created[0])
    return entity


def _touch(entity: dict[str, Any], resource: Resource, *, created: bool = False) -> None:
    """An entity written now: its last-modified (and, when created, its creation) date-time fields say so."""
    stamp = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    names = _UPDATED | _CREATED if created else _UPDATED
    for name, sub in resource.properties.items():
        if normalize(name) in names and isinstance(sub, dict) and sub.get("format") == "date-time":
            entity[name] = stamp
