"""Seeding and inspecting a collection over the admin API: `/__mock/state/<API mount path><collection path>`.

The path is the collection's own URL prefixed with `/__mock/state`: `/__mock/state/tasks/v1/tasks` is what
`GET /tasks/v1/tasks` lists (a nested one names its parent: `/__mock/state/api/users/7/posts`).

- `GET`: the collection's entities, oldest first (its initial ones made first, as a request would).
- `PUT` with a JSON list of entities: they become the collection's only ones, in that order. Each must match
  the resource's entity schema and carry its own id; the first that does not is a 400 problem+json naming
  it (`entity`: its index) and the field. At most `MAX_ENTITIES` (else 413), `MAX_SEED_BYTES` of JSON (413),
  and the server's `MAX_TOTAL` and `MAX_BYTES` in all (507). Entities created afterwards are numbered past them.
- `DELETE`: forget the collection; its next request makes its initial entities again (from the seed, or
  from `fixtures/<api>/_state/`). `DELETE /__mock/state` forgets every collection.

A mock error (problem+json, `X-Mock-Error: true`) for a path naming no collection, and 409 under
`--stateless`. Like every `/__mock/` endpoint, same-origin only (serving/admin.py).
"""

from __future__ import annotations

import json

from starlette.responses import Response
from starlette.types import Receive, Scope

from mockserver.generation.responses import ApiMock
from mockserver.openapi.resources import Resource
from mockserver.openapi.state_fixtures import check_entities, collection_of, resources_of
from mockserver.serving import entities as stored
from mockserver.serving.answers import json_bytes, mock_error
from mockserver.serving.echo import clip
from mockserver.serving.entities import MAX_ENTITIES, entity_key
from mockserver.serving.initial_data import load_initial_data
from mockserver.serving.resources import Resources
from mockserver.serving.state import BoundOperation, MockState
from mockserver.serving.validation import BodyTooLarge, read_body

__all__ = ["MAX_SEED_BYTES", "STATE_PATH", "Seeding"]

STATE_PATH = "/__mock/state"
MAX_SEED_BYTES = 32 * 1024 * 1024  # bytes of one PUT's JSON; larger is 413
_ALLOW = "GET, HEAD, PUT, DELETE"


class Seeding:
    """The collections of one server's APIs, as `/__mock/state/…` shows and replaces them."""

    def __init__(self, state: MockState) -> None:
        self.state = state
        self.resources = Resources(state)  # its own look-ups; the entities are the store's, shared
        self._collections: dict[str, dict[str, Resource]] = {}
        load_initial_data(state)  # the state fixtures are checked now, when the server starts

    async def answer(self, scope: Scope, receive: Receive) -> Response:
        """The answer to a request under `/__mock/state/`."""
        method = scope["method"]
        if method not in ("GET", "HEAD", "PUT", "DELETE"):
            return Response(status_code=405, headers={"Allow": _ALLOW})
        if self.state.config.stateless:
            return mock_error(409, "State is off", "This server runs with --stateless: it keeps no entities")
        found = self._collection(scope["path"][len(STATE_PATH) :])
        if isinstance(found, Response):
            return found
        api, resource, name = found
        mount = api.api.mount_path
        if method == "DELETE":
            self.resources.entities.forget(mount, name)
            return Response(status_code=204)
        if method == "PUT":
            return await self._replace(receive, api, resource, name)
        # The initial entities are made as the collection's first request would make them.
        bound = BoundOperation(api, next(iter(api.operations.values())))
        self.resources._made(bound, resource, name)
        listed = [
            entity for _, entity in self.resources.entities.page(mount, name, [], after=0, skip=0, size=MAX_ENTITIES)
        ]
        body = {"api": mount, "collection": name, "count": len(listed), "entities": listed}
        return Response(json_bytes(body), media_type="application/json")

    def _collection(self, path: str) -> tuple[ApiMock, Resource, str] | Response:
        """The API, resource and collection (its path below the API) that `path` names, or the error saying why not."""
        api = self.state.api_for_path(path)
        if api is None:
            mounted = ", ".join(a.api.mount_path for a in self.state.apis)
            detail = (
                f"No API is mounted at {clip(path)}; mounted: {mounted}. The path is {STATE_PATH}<mount><collection>"
            )
            return mock_error(404, "Unknown collection", detail)
        mount = api.api.mount_path
        if mount not in self._collections:
            self._collections[mount] = resources_of(api.api)
        name = path[len(mount) :].rstrip("/") or "/"
        resource = collection_of(self._collections[mount], name)
        if resource is None:
            known = ", ".join(sorted(self._collections[mount])) or "none"
            detail = f"{clip(name)} is not a collection of {mount} (collections: {known})"
            return mock_error(404, "Unknown collection", detail)
        return api, resource, name

    async def _replace(self, receive: Receive, api: ApiMock, resource: Resource, name: str) -> Response:
        try:
            text = await read_body(receive, MAX_SEED_BYTES)
        except BodyTooLarge:
            return mock_error(413, "Too many entities", f"A seed may have at most {MAX_SEED_BYTES} bytes of JSON")
        try:
            raw = json.loads(text)
        except (UnicodeDecodeError, ValueError) as exc:
            return mock_error(400, "Invalid entities", f"The body is not JSON: {exc}")
        if not isinstance(raw, list):
            return mock_error(
                400, "Invalid entities", f"The body is a JSON {type(raw).__name__}, not a list of entities"
            )
        if len(raw) > MAX_ENTITIES:
            detail = f"{len(raw)} entities; a collection holds at most {MAX_ENTITIES}"
            return mock_error(413, "Too many entities", detail)
        kept, problems = check_entities(raw, resource, lambda schema: self.resources.check(schema, api.api.is_31))
        if problems:
            first = problems[0]
            detail = f"{name} {first}" + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
            return mock_error(400, "Invalid entities", detail, entity=first.index, field=first.field)
        mount = api.api.mount_path
        if not self.resources.entities.replace(mount, name, [(entity_key(e[resource.id_field]), e) for e in kept]):
            detail = (
                f"The mock keeps at most {stored.MAX_TOTAL} entities and {stored.MAX_BYTES} bytes of JSON in all: "
                f"delete some, or DELETE {STATE_PATH}, first"
            )
            return mock_error(507, "Too many entities", detail)
        body = {"api": mount, "collection": name, "count": len(kept)}
        return Response(json_bytes(body), media_type="application/json")
