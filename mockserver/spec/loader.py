"""Read spec files into `ApiSpec`s: read → parse → check version → validate → resolve → index."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from mockserver.errors import SpecErrorKind, SpecLoadError
from mockserver.spec.conformance import Checked, ForkedCheck, can_fork, check_document, first_problem
from mockserver.spec.model import HTTP_METHODS, ApiSpec, Operation, Parameter, ResponseSpec, SecurityScheme
from mockserver.spec.refs import RefResolver
from mockserver.spec.swagger2 import to_openapi30

SPEC_SUFFIXES = (".yaml", ".yml", ".json")
# libyaml's parser where PyYAML was built with it: several times faster on large specs.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NAME_RE = re.compile(r"[^A-Za-z0-9._-]+")


def discover(paths: Iterable[Path | str]) -> list[Path]:
    """Spec files named by `paths`: files as given, folders by their *.yaml/*.yml/*.json files."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in SPEC_SUFFIXES and p.is_file()))
        elif path.exists():
            found.append(path)
        else:
            raise SpecLoadError(path, SpecErrorKind.NOT_FOUND, "no such file or directory")
    return found


def load_all(paths: Iterable[Path | str], *, validated: Mapping[str, str] | None = None) -> list[ApiSpec]:
    """Load every spec named by `paths`; two specs may not share a file stem (their mount path).

    `validated` maps a resolved file path to the `ApiSpec.digest` it had when this process's parent
    validated it (`serve --workers`): a file with that very content is not validated again."""
    parsed = _parse_all(paths)
    trusted = validated or {}
    problem = first_problem([c for c, digest in parsed if trusted.get(str(c[0].resolve())) != digest])
    if problem is not None:
        raise problem
    return _index_all(parsed)


@contextmanager
def loading(paths: Iterable[Path | str]) -> Iterator[list[ApiSpec]]:
    """`load_all`, with validation running in a forked process while the with-block runs.

    The block gets the specs before they are known valid, so it should only prepare (compile, build
    the app); on leaving, an invalid spec raises its `SpecLoadError`, which wins over anything the
    block raised because of it. Without fork (not Linux), validation runs first, as in `load_all`.
    """
    parsed = _parse_all(paths)
    if not can_fork():
        problem = first_problem([checked for checked, _ in parsed])
        if problem is not None:
            raise problem
        yield _index_all(parsed)
        return
    check = ForkedCheck([checked for checked, _ in parsed])
    try:
        yield _index_all(parsed)
    except Exception:
        problem = check.result()
        if problem is not None:
            raise problem from None
        raise
    problem = check.result()
    if problem is not None:
        raise problem


def load(path: Path | str) -> ApiSpec:
    """Load one spec file, or raise `SpecLoadError` naming the file and the problem."""
    path = Path(path)
    (_, document, version), digest = _prepare(path)
    check_document(path, document, version)
    return _index(path, document, version, digest)


def _parse_all(paths: Iterable[Path | str]) -> list[tuple[Checked, str]]:
    parsed: list[tuple[Checked, str]] = []
    seen: dict[str, Path] = {}
    for path in discover(paths):
        name = _NAME_RE.sub("-", path.stem)
        if name in seen:
            raise SpecLoadError(path, SpecErrorKind.DUPLICATE_NAME, f"{name!r} is already served from {seen[name]}")
        seen[name] = path
        parsed.append(_prepare(path))
    return parsed


def _index_all(parsed: list[tuple[Checked, str]]) -> list[ApiSpec]:
    return [_index(path, document, version, digest) for (path, document, version), digest in parsed]


def _prepare(path: Path) -> tuple[Checked, str]:
    """The parsed document, its version and the SHA-256 of its text."""
    text = _read(path)
    document = _parse(path, text)
    if str(document.get("swagger")) == "2.0":  # served as its OpenAPI 3.0.3 equivalent
        document = to_openapi30(document)
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return (path, document, _check_version(path, document)), digest


def _index(path: Path, document: dict[str, Any], version: str, digest: str) -> ApiSpec:
    resolved = RefResolver(document, path, keep_siblings=version.startswith("3.1")).resolve(document)
    return ApiSpec(
        name=_NAME_RE.sub("-", path.stem),
        path=path,
        version=version,
        title=str(document.get("info", {}).get("title", path.stem)),
        base_path=_base_path(document),
        document=document,
        operations=tuple(_operations(path, resolved)),
        digest=digest,
    )


def _read(path: Path) -> str:
    if not path.exists():
        raise SpecLoadError(path, SpecErrorKind.NOT_FOUND, "no such file")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SpecLoadError(
            path, SpecErrorKind.UNREADABLE, f"not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from exc
    except OSError as exc:
        raise SpecLoadError(path, SpecErrorKind.UNREADABLE, exc.strerror or str(exc)) from exc


def _parse(path: Path, text: str) -> dict[str, Any]:
    try:
        document = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=_YAML_LOADER)
    except json.JSONDecodeError as exc:
        raise SpecLoadError(path, SpecErrorKind.SYNTAX, f"line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecLoadError(path, SpecErrorKind.SYNTAX, f"{where}{problem}") from exc
    if not isinstance(document, dict):
        raise SpecLoadError(path, SpecErrorKind.NOT_OPENAPI, f"top level is {type(document).__name__}, not a mapping")
    return document


def _check_version(path: Path, document: dict[str, Any]) -> str:
    if "swagger" in document:
        raise SpecLoadError(
            path,
            SpecErrorKind.UNSUPPORTED_VERSION,
            f"swagger={document['swagger']!r}: convert it to OpenAPI 3.0 or 3.1",
        )
    version = document.get("openapi")
    if version is None:
        raise SpecLoadError(path, SpecErrorKind.NOT_OPENAPI, "no 'openapi' field")
    version = str(version)
    if not re.match(r"^3\.[01]\.\d+$", version):
        raise SpecLoadError(
            path, SpecErrorKind.UNSUPPORTED_VERSION, f"openapi={version!r}: 3.0.x and 3.1.x are supported"
        )
    return version


def _base_path(document: dict[str, Any]) -> str:
    servers = document.get("servers") or [{"url": "/"}]
    server = servers[0]
    url = str(server.get("url", "/"))
    for name, var in (server.get("variables") or {}).items():
        url = url.replace("{" + name + "}", str(var.get("default", "")))
    return urlparse(url).path.rstrip("/")


def _operations(path: Path, document: dict[str, Any]) -> list[Operation]:
    schemes = document.get("components", {}).get("securitySchemes", {}) or {}
    global_security = document.get("security")
    operations: list[Operation] = []
    used_ids: set[str] = set()
    for route, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        shared = item.get("parameters", [])
        for method in HTTP_METHODS:
            raw = item.get(method)
            if not isinstance(raw, dict):
                continue
            operation_id = str(raw.get("operationId") or _default_operation_id(method, route))
            if operation_id in used_ids:
                operation_id = f"{operation_id}_{method}"
            used_ids.add(operation_id)
            body = (raw.get("requestBody") or {}).get("content", {})
            body_schema = next((c.get("schema") for m, c in body.items() if "json" in m), None)
            parameters = tuple(_parameters(shared, raw.get("parameters", [])))
            security = _security(raw.get("security", global_security), schemes)
            if not security and any(
                p.location == "header" and p.name.lower() == "authorization" and p.required for p in parameters
            ):
                # A required Authorization header parameter is authentication by another name.
                security = ((SecurityScheme("Authorization", "apiKey", location="header"),),)
            mock = raw.get("x-mock") or {}
            if not isinstance(mock, dict):
                raise SpecLoadError(
                    path, SpecErrorKind.BAD_EXTENSION, f"{method.upper()} {route}: x-mock must be a mapping"
                )
            operations.append(
                Operation(
                    method=method,
                    path=route,
                    operation_id=operation_id,
                    summary=str(raw.get("summary") or raw.get("description") or ""),
                    parameters=parameters,
                    responses={str(code): _response(str(code), r) for code, r in (raw.get("responses") or {}).items()},
                    security=security,
                    request_body=body_schema,
                    request_body_required=bool((raw.get("requestBody") or {}).get("required")),
                    mock=mock,
                )
            )
    return operations


def _default_operation_id(method: str, route: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "_", route).strip("_")
    return f"{method}_{slug}" if slug else method


def _parameters(shared: list[dict[str, Any]], own: list[dict[str, Any]]) -> list[Parameter]:
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*shared, *own]:  # operation-level parameters override path-level ones
        merged[(raw["name"], raw["in"])] = raw
    return [
        Parameter(
            name=raw["name"],
            location=raw["in"],
            required=bool(raw.get("required", raw["in"] == "path")),
            schema=raw.get("schema") or {},
            description=str(raw.get("description", "")),
        )
        for raw in merged.values()
    ]


def _response(status: str, raw: dict[str, Any]) -> ResponseSpec:
    content = raw.get("content") or {}
    media_type = next((m for m in content if m == "application/json"), None)
    media_type = media_type or next((m for m in content if "json" in m), None) or next(iter(content), None)
    media = content.get(media_type, {}) if media_type else {}
    examples = {name: ex.get("value") for name, ex in (media.get("examples") or {}).items() if isinstance(ex, dict)}
    if "example" in media:
        examples.setdefault("default", media["example"])
    headers = {name: (h.get("schema") or {}) for name, h in (raw.get("headers") or {}).items() if isinstance(h, dict)}
    return ResponseSpec(
        status=status,
        description=str(raw.get("description", "")),
        media_type=media_type,
        schema=media.get("schema") if media_type else None,
        examples=examples,
        headers=headers,
    )


def _security(requirements: Any, schemes: dict[str, Any]) -> tuple[tuple[SecurityScheme, ...], ...]:
    if not requirements:
        return ()
    alternatives: list[tuple[SecurityScheme, ...]] = []
    for requirement in requirements:
        if not requirement:  # `{}` makes authentication optional
            return ()
        alternatives.append(tuple(_scheme(name, schemes.get(name, {})) for name in requirement))
    return tuple(alternatives)


def _scheme(name: str, raw: dict[str, Any]) -> SecurityScheme:
    kind = str(raw.get("type", "http"))
    if kind == "apiKey":
        return SecurityScheme(name, kind, location=str(raw.get("in", "header")), param_name=str(raw.get("name", "")))
    if kind == "http":
        return SecurityScheme(name, kind, scheme=str(raw.get("scheme", "bearer")).lower())
    # oauth2 / openIdConnect tokens travel as bearer tokens.
    return SecurityScheme(name, kind, scheme="bearer")
