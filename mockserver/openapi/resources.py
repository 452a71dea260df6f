"""Which paths of a spec are one resource (a collection and its items), and how its list pages: pure inference.

A collection path (`/things`) with an item path below it (`/things/{id}`) is a resource when the item's
schema has an id-like field matching the path parameter (`id`, `thingId` → `thingId`/`thing_id`/`id`,
`uuid`). `x-mock.resource` states it where inference cannot (see docs/x-mock.md); `resource: false` leaves
an operation out. A paged list with no item path below it (`GET /feed` with a cursor, page or offset
parameter; no `/feed/{id}`) is a list-only resource: its items are entities too, keyed by their id-like field or, without
one, by their position, so that its pages walk one stable data set. The serving layer
(serving/resources.py) keeps the entities; this module only reads specs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

from mockserver.openapi.model import ApiSpec, Operation, Schema
from mockserver.openapi.rules import Path, parse_path
from mockserver.openapi.xmock import ResourceKey

Role = Literal["list", "create", "read", "replace", "update", "delete"]
PageKind = Literal["cursor", "page", "offset"]

_ID_WORDS_IN_ORDER = ("id", "uuid", "guid", "key", "slug")
_ID_WORDS = frozenset(_ID_WORDS_IN_ORDER)
_CURSOR_NAMES = frozenset(
    {
        "cursor",
        "page_token",
        "after",
        "starting_after",
        "continuation_token",
        "next_token",
        "page_cursor",
        "start_cursor",
    }
)
_PAGE_NAMES = frozenset({"page", "page_number", "page_no"})
_OFFSET_NAMES = frozenset({"offset", "skip", "start", "start_index"})
_LIMIT_NAMES = frozenset({"limit", "page_size", "per_page", "max_results", "top", "size", "max_items"})
_NEXT_NAMES = frozenset(
    {
        "next",
        "next_cursor",
        "next_page_token",
        "next_token",
        "next_page",
        "end_cursor",
        "continuation_token",
        "cursor",
        "next_offset",
    }
)
_PREVIOUS_NAMES = frozenset(
    {"prev", "previous", "prev_cursor", "previous_cursor", "before", "previous_page", "prev_offset", "previous_offset"}
)
_HAS_MORE_NAMES = frozenset({"has_more", "has_next", "has_next_page", "more"})
_TOTAL_NAMES = frozenset({"total", "total_count", "total_items", "total_results", "total_size"})
POSITION = "__mock_position__"  # a list-only resource's key when its items have no id-like field (never sent)
_TEMPLATE = re.compile(r"\{([^}]+)\}")
_TOKEN = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def normalize(name: str) -> str:
    """A spelling-insensitive key: `nextCursor`, `next_cursor` and `next-cursor` are one name."""
    return "_".join(t.lower() for t in _TOKEN.findall(name))


@dataclass(frozen=True)
class Pagination:
    """How a list operation pages: the parameters it reads, the body fields that say where the next page is."""

    kind: PageKind | None = None  # None: one page, bounded by `limit` only
    param: str | None = None  # the query parameter holding the cursor, page number or offset
    limit: str | None = None  # the query parameter bounding the page size
    default_size: int = 20  # items per page when `limit` is not sent (its default, else 20)
    max_size: int | None = None  # the most items a page may hold (the limit's maximum, the array's maxItems)
    first_page: int = 1  # page numbering starts here (a `page` parameter with minimum 0 starts at 0)
    next_field: Path | None = None  # body field: the next cursor / page / URL; null or absent on the last page
    previous_field: Path | None = None
    has_more_field: Path | None = None
    total_field: Path | None = None
    first_id_field: Path | None = None  # OpenAI's `first_id`/`last_id`: the ids of the page's first and last entity
    last_id_field: Path | None = None
    next_schema: Schema | None = None
    previous_schema: Schema | None = None


@dataclass(frozen=True)
class Resource:
    """A collection of entities addressed by id: `name` is the collection path."""

    collection: str
    item: str
    param: str  # the item path's parameter
    id_field: str  # the entity's field holding it
    schema: Schema  # the entity's schema (the item's GET answer, else the create/replace/update answer)
    items: Path | None = None  # where a list body holds the entities: () a top-level array; None: no list
    list_only: bool = False  # a paged list without an item path: `item` and `param` are empty, it only lists

    @property
    def name(self) -> str:
        return self.collection

    def instance(self, path: Mapping[str, Any]) -> str:
        """The collection a request names: a nested one (`/users/{userId}/posts`) with its parent's id filled in."""
        return _TEMPLATE.sub(lambda m: str(path.get(m.group(1), m.group(0))), self.collection)

    def item_path(self, path: Mapping[str, Any], key: str) -> str:
        """The item path of the entity with id `key`, the request's other path values filled in (percent-encoded)."""
        values = {**{k: str(v) for k, v in path.items()}, self.param: key}
        return _TEMPLATE.sub(lambda m: quote(values.get(m.group(1), m.group(0)), safe=""), self.item)

    @property
    def properties(self) -> dict[str, Any]:
        """The entity's fields (its allOf parts' included)."""
        return _properties(self.schema)

    @property
    def required(self) -> frozenset[str]:
        return frozenset(_required(self.schema))


_COLLECTION_ROLES: dict[str, Role] = {"get": "list", "post": "create"}
_ITEM_ROLES: dict[str, Role] = {"get": "read", "put": "replace", "patch": "update", "delete": "delete"}


def infer_resources(api: ApiSpec) -> dict[tuple[str, str], tuple[Resource, Role]]:
    """Each stateful operation, by (method, path), with its resource and what it does to it."""
    by_path: dict[str, dict[str, Operation]] = {}
    for op in api.operations:
        by_path.setdefault(op.path, {})[op.method] = op
    declared: dict[str, ResourceKey] = {}  # by item path
    for op in api.operations:
        if isinstance(op.x_mock.resource, ResourceKey):
            key = op.x_mock.resource
            if key.array is not None or key.item not in declared:
                declared[key.item] = key
    found: list[Resource] = []
    for item, key in declared.items():
        resource = _resource(by_path, key.collection, item, key)
        if resource is not None:
            found.append(resource)
    for item in by_path:
        collection, _, last = item.rpartition("/")
        if item in declared or not collection or collection not in by_path or not _is_template(last):
            continue
        resource = _resource(by_path, collection, item, None)
        if resource is not None:
            found.append(resource)
    roles: dict[tuple[str, str], tuple[Resource, Role]] = {}
    for resource in found:
        for path, table in ((resource.collection, _COLLECTION_ROLES), (resource.item, _ITEM_ROLES)):
            for method, op in by_path.get(path, {}).items():
                role = table.get(method)
                if role is None or op.x_mock.resource is False or (role == "list" and resource.items is None):
                    continue
                roles.setdefault((method, path), (resource, role))
    for op in api.operations:
        below = op.path.rstrip("/") + "/"
        has_item = any(path.startswith(below) and _is_template(path[len(below) :].split("/")[0]) for path in by_path)
        if (op.method, op.path) not in roles and op.method == "get" and not has_item:
            listed = _list_only(op)
            if listed is not None:
                roles[(op.method, op.path)] = (listed, "list")
    return roles


def _list_only(op: Operation) -> Resource | None:
    """The list-only resource a paged GET is, if it is one: not opted out (`resource: false`) nor a series,
    with a cursor, page or offset parameter and a list of objects in its answer (x-mock.limit's array, else as
    for a resource's list); the entities keyed by their `id`/`uuid`/`guid`/`key`/`slug` field, else `POSITION`."""
    mock = op.x_mock
    if mock.resource is not None or mock.series is not None or _page_parameter(op) is None:
        return None
    listing = _success_schema(op)
    if listing is None:
        return None
    if mock.limit is not None:
        items: Path | None = mock.limit.array_path
        if items == ("[]",):
            items = ()
    elif _properties(_items(listing)):
        items = ()
    else:
        properties = _properties(listing)
        preferred = sorted(properties, key=lambda name: normalize(name) not in ("data", "items", "results"))
        items = next(((name,) for name in preferred if _properties(_items(properties[name]))), None)
    if items is None:
        return None
    schema = _items(_array_schema(listing, items))
    fields = _properties(schema)
    if not fields:
        return None
    id_field = next((name for word in _ID_WORDS_IN_ORDER for name in fields if normalize(name) == word), POSITION)
    return Resource(op.path, "", "", id_field, schema, items, list_only=True)


def _page_parameter(op: Operation) -> str | None:
    names = _CURSOR_NAMES | _PAGE_NAMES | _OFFSET_NAMES
    return next((p.name for p in op.parameters if p.location == "query" and normalize(p.name) in names), None)


def _resource(
    by_path: dict[str, dict[str, Operation]], collection: str, item: str, key: ResourceKey | None
) -> Resource | None:
    param = item.rpartition("/")[2][1:-1]
    item_ops, collection_ops = by_path.get(item, {}), by_path.get(collection, {})
    candidates = [item_ops.get("get"), item_ops.get("put"), item_ops.get("patch"), collection_ops.get("post")]
    schema = next((s for s in map(_success_schema, candidates) if _properties(s)), None)
    if schema is None:
        return None
    properties = _properties(schema)
    id_field = key.id if key is not None else _id_field(param, properties)
    if id_field is None or id_field not in properties:
        return None
    listing = _success_schema(collection_ops.get("get"))
    if key is not None and key.array is not None:
        items: Path | None = _array_path(key.array)
    else:
        items = _items_path(listing, id_field)
    return Resource(collection, item, param, id_field, schema, items)


def _is_template(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}") and segment.count("{") == 1


def _id_field(param: str, properties: dict[str, Any]) -> str | None:
    """The property the path parameter names: itself, or its last word when that is id-like (`thingId` → `id`)."""
    wanted = normalize(param)
    exact = next((name for name in properties if normalize(name) == wanted), None)
    if exact is not None:
        return exact
    last = wanted.rpartition("_")[2]
    if last not in _ID_WORDS:
        return None
    for word in (last, "id", "uuid"):
        found = next((name for name in properties if normalize(name) == word), None)
        if found is not None:
            return found
    return None


def _success_schema(op: Operation | None) -> Schema | None:
    if op is None:
        return None
    response = op.response_for(op.success_status)
    return response.schema if response is not None and response.is_json else None


def _properties(schema: Any, depth: int = 0) -> dict[str, Any]:
    """An object schema's properties, those of its allOf parts included."""
    if not isinstance(schema, dict) or depth > 6:
        return {}
    found: dict[str, Any] = {}
    for part in schema.get("allOf") or []:
        found.update(_properties(part, depth + 1))
    properties = schema.get("properties")
    if isinstance(properties, dict):
        found.update(properties)
    return found


def _required(schema: Any, depth: int = 0) -> list[str]:
    if not isinstance(schema, dict) or depth > 6:
        return []
    names = [str(n) for n in schema.get("required") or [] if isinstance(n, str)]
    for part in schema.get("allOf") or []:
        names += _required(part, depth + 1)
    return names


def _items(schema: Any) -> Any:
    return schema.get("items") if isinstance(schema, dict) and isinstance(schema.get("items"), dict) else None


def _items_path(listing: Schema | None, id_field: str) -> Path | None:
    """Where the list body holds entities: the top-level array, or the array property whose items carry the id."""
    if listing is None:
        return None
    if id_field in _properties(_items(listing)):
        return ()
    properties = _properties(listing)
    preferred = sorted(properties, key=lambda name: normalize(name) not in ("data", "items", "results"))
    return next(((name,) for name in preferred if id_field in _properties(_items(properties[name]))), None)


def _array_path(text: str) -> Path:
    path = parse_path(text)
    return path[:-1] if path and path[-1] == "[]" else path


def field_schemas(schema: Any, prefix: Path = (), depth: int = 0) -> dict[Path, Any]:
    """Every field path of a schema outside arrays, with its sub-schema (allOf parts included; bounded depth)."""
    out: dict[Path, Any] = {}
    if depth > 4:
        return out
    for name, sub in _properties(schema).items():
        out[(*prefix, name)] = sub
        if isinstance(sub, dict) and _items(sub) is None:
            out.update(field_schemas(sub, (*prefix, name), depth + 1))
    return out


def cursor_parameter(op: Operation) -> str | None:
    """The query parameter of `op` that carries an opaque page cursor (by its name), if any."""
    return next((p.name for p in op.parameters if p.location == "query" and normalize(p.name) in _CURSOR_NAMES), None)


def pagination(op: Operation, resource: Resource) -> Pagination:
    """How the list operation `op` pages, read from its query parameters and its answer's fields."""
    query = {normalize(p.name): p for p in op.parameters if p.location == "query"}
    kind: PageKind | None = None
    param = None
    kinds: tuple[tuple[frozenset[str], PageKind], ...] = (
        (_CURSOR_NAMES, "cursor"),
        (_PAGE_NAMES, "page"),
        (_OFFSET_NAMES, "offset"),
    )
    for names, found_kind in kinds:
        match = next((p for name, p in query.items() if name in names), None)
        if match is not None:
            kind, param = found_kind, match
            break
    limit = next((p for name, p in query.items() if name in _LIMIT_NAMES), None)
    declared = op.x_mock.limit
    if declared is not None and declared.param.location == "query":
        # x-mock.limit names the page size's parameter, whatever it is called.
        limit = next((p for p in op.parameters if p.location == "query" and p.name == declared.param.name), limit)
    listing = _success_schema(op)
    array = _array_schema(listing, resource.items)
    bounds = [b for b in (_int(limit.schema.get("maximum")) if limit else None, _int(array.get("maxItems"))) if b]
    max_size = min(bounds) if bounds else None
    default = (_int(limit.schema.get("default")) if limit else None) or 20
    fields = field_schemas(listing)  # outside arrays: the entities' own fields are not the page's

    def named(names: frozenset[str]) -> Path | None:
        return next((path for path in fields if normalize(path[-1]) in names and path != param_path), None)

    param_path = (param.name,) if param is not None else None
    next_field = named(_NEXT_NAMES)
    previous_field = named(_PREVIOUS_NAMES)
    return Pagination(
        kind=kind,
        param=param.name if param else None,
        limit=limit.name if limit else None,
        default_size=min(default, max_size) if max_size else default,
        max_size=max_size,
        first_page=0 if param is not None and kind == "page" and param.schema.get("minimum") == 0 else 1,
        next_field=next_field,
        previous_field=previous_field,
        has_more_field=named(_HAS_MORE_NAMES),
        total_field=named(_TOTAL_NAMES),
        first_id_field=named(frozenset({"first_id"})),
        last_id_field=named(frozenset({"last_id"})),
        next_schema=fields.get(next_field) if next_field else None,
        previous_schema=fields.get(previous_field) if previous_field else None,
    )


def _array_schema(listing: Schema | None, items: Path | None) -> dict[str, Any]:
    node: Any = listing
    for step in items or ():
        node = _properties(node).get(step)
    return node if isinstance(node, dict) else {}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
