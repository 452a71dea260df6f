"""A resource's initial entities from a file, instead of generated: `fixtures/<api>/_state/<collection>.yaml`.

The file's path below `_state/` is the collection's path below the API, without the suffix: `_state/tasks.yaml`
holds `/tasks`, `_state/users/7/posts.yaml` user 7's posts, `_state/users/{userId}/posts.yaml` every user's posts
that have no file of their own. It holds a YAML (or, `.json`, JSON) list of entities. Checked when the server
starts: an entity that does not match the resource's entity schema, has no id, repeats an earlier entity's id
or holds a `writeOnly` field is reported (file, entity, place) and left out; a file that is not a list, names no
collection of the API, or holds more than `MAX_ENTITIES` entities is reported and not used. `check_entities` is
the same check for entities sent to `PUT /__mock/state/…`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mockserver.openapi.fixtures import STATE_FOLDER, UnreadableFixture, fixtures_dir, read_data
from mockserver.openapi.model import ApiSpec
from mockserver.openapi.resources import Resource, infer_resources
from mockserver.openapi.validation import Check, schema_validator
from mockserver.openapi.visibility import TooDeep, without_write_only

logger = logging.getLogger("mockserver")
MAX_ENTITIES = 10_000  # entities one collection holds at most (as serving/entities.py bounds a collection)
MAX_FILES = 1000  # state files read per API; more are reported and left out
_SUFFIXES = (".yaml", ".yml", ".json")
_TEMPLATE = re.compile(r"\{[^}/]+\}")
_REQUIRED = re.compile(r"'([^']*)' is a required property")  # jsonschema's message for `required`


@dataclass(frozen=True)
class EntityProblem:
    """Why entity number `index` (from 0) cannot be kept: `message` names the field."""

    index: int
    message: str
    field: str | None = None  # the field at fault ("/"-separated path), None for the entity as a whole

    def __str__(self) -> str:
        return f"entity [{self.index}]: {self.message}"


def resources_of(api: ApiSpec) -> dict[str, Resource]:
    """The API's resources, by collection path (a template for nested ones: `/users/{userId}/posts`)."""
    return {resource.collection: resource for resource, _ in infer_resources(api).values()}


def collection_of(resources: dict[str, Resource], path: str) -> Resource | None:
    """The resource whose collection `path` is: the template itself, or the template with values filled in."""
    if path in resources:
        return resources[path]
    for template, resource in resources.items():
        pattern = "".join(
            "[^/]+" if _TEMPLATE.fullmatch(part) else re.escape(part) for part in re.split(r"(\{[^}/]+\})", template)
        )
        if re.fullmatch(pattern, path):
            return resource
    return None


def check_entities(
    entities: list[Any], resource: Resource, check: Callable[[Any], Check]
) -> tuple[list[dict[str, Any]], list[EntityProblem]]:
    """The entities that can be kept (objects valid for the entity schema, each with its own id), and the
    problems of the others, in order. `check` gives a schema's validator."""
    validate = check(resource.schema)
    kept: list[dict[str, Any]] = []
    problems: list[EntityProblem] = []
    seen: dict[Any, int] = {}
    for index, entity in enumerate(entities):
        if not isinstance(entity, dict):
            problems.append(EntityProblem(index, f"is {type(entity).__name__}, not an object"))
            continue
        found = validate(entity)
        identity = entity.get(resource.id_field)
        hidden = next((n for n, sub in resource.properties.items() if n in entity and _hides(entity[n], sub)), None)
        if hidden is not None:
            # The mock never keeps what a client may only write (a password): a seed cannot make it readable.
            what = "a writeOnly field" if _write_only(resource.properties[hidden]) else "holds a writeOnly field, which"
            problems.append(EntityProblem(index, f"{hidden}: {what} is never kept to be read back", hidden))
        elif found:
            place, _, message = found[0].partition(": ")
            missing = _REQUIRED.match(message)  # a missing field is named, not the object missing it
            field = "/".join(p for p in (place if place != "(root)" else "", missing and missing[1]) if p) or None
            problems.append(EntityProblem(index, f"does not match the entity schema at {found[0]}", field))
        elif not isinstance(identity, (str, int)) or isinstance(identity, bool):
            message = f"{resource.id_field}: an id (text or a whole number) is required"
            problems.append(EntityProblem(index, message, resource.id_field))
        elif (key := _key(identity)) in seen:
            message = f"{resource.id_field}: {identity!r} is entity [{seen[key]}]'s id too"
            problems.append(EntityProblem(index, message, resource.id_field))
        else:
            seen[key] = index
            kept.append(entity)
    return kept, problems


def load_state_fixtures(api: ApiSpec) -> dict[str, list[dict[str, Any]]]:
    """The initial entities `fixtures/<api>/_state/` gives, by collection path (as the file names it);
    problems are logged and what they concern left out."""
    root = fixtures_dir(api) / STATE_FOLDER
    if not root.is_dir():
        return {}
    resources = resources_of(api)
    checks: dict[int, Check] = {}

    def check(schema: Any) -> Check:
        if id(schema) not in checks:
            checks[id(schema)] = schema_validator(schema, openapi_31=api.is_31, reading=True)
        return checks[id(schema)]

    found: dict[str, list[dict[str, Any]]] = {}
    files = sorted(p for p in root.rglob("*") if p.suffix in _SUFFIXES and p.is_file())
    if len(files) > MAX_FILES:
        logger.warning("%s: %d state files; the first %d are read", root, len(files), MAX_FILES)
    for path in files[:MAX_FILES]:
        collection = "/" + path.relative_to(root).with_suffix("").as_posix()
        resource = collection_of(resources, collection)
        if resource is None:
            known = ", ".join(sorted(resources)) or "none"
            logger.warning("%s: %s is not a resource's collection (collections: %s); not used", path, collection, known)
            continue
        try:
            raw = read_data(path)
        except UnreadableFixture as exc:
            logger.warning("%s: %s; not used", path, exc)
            continue
        if not isinstance(raw, list):
            logger.warning("%s: a state fixture is a list of entities, not %s; not used", path, type(raw).__name__)
            continue
        if len(raw) > MAX_ENTITIES:
            logger.warning("%s: %d entities, more than a collection holds (%d); not used", path, len(raw), MAX_ENTITIES)
            continue
        kept, problems = check_entities(raw, resource, check)
        for problem in problems:
            logger.warning("%s: %s; left out", path, problem)
        found[collection] = kept
    return found


def _write_only(schema: Any) -> bool:
    return isinstance(schema, dict) and bool(schema.get("writeOnly"))


def _hides(value: Any, schema: Any) -> bool:
    """Whether the field is write-only, or holds one at any depth (Box's `signers[].password`)."""
    if not isinstance(schema, dict):
        return False
    if _write_only(schema):
        return True
    try:
        return bool(without_write_only(value, schema) != value)
    except TooDeep:
        return True


def _key(identity: str | int) -> str:
    """An id as the store keys it (serving/entities.py's `entity_key`): `5` and `"5"` are one id."""
    return identity if isinstance(identity, str) else str(identity)
