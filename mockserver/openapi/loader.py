"""Read spec files into `ApiSpec`s: read → parse → check version → validate → resolve → index (`operations.py`)."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from mockserver.errors import SpecErrorKind, SpecLoadError
from mockserver.openapi.conformance import (
    Checked,
    ForkedCheck,
    can_fork,
    check_document,
    first_problem,
    warn,
    warn_in_background,
)
from mockserver.openapi.model import RESERVED_NAMES, ApiSpec
from mockserver.openapi.normalize import normalize_31
from mockserver.openapi.operations import index_operations, served
from mockserver.openapi.parse import parse_text, yaml_problem
from mockserver.openapi.refs import RefResolver, prefetch
from mockserver.openapi.remote import RemoteDocuments
from mockserver.openapi.swagger2 import to_openapi30

SPEC_SUFFIXES = (".yaml", ".yml", ".json")
_NAME_RE = re.compile(r"[^A-Za-z0-9._-]+")
logger = logging.getLogger("mockserver")


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


def load_all(
    paths: Iterable[Path | str],
    *,
    strict: bool = False,
    validated: Mapping[str, str] | None = None,
    ref_root: Path | str | None = None,
    allow_remote_refs: bool = False,
) -> list[ApiSpec]:
    """Load every spec named by `paths`; two specs may not share a file stem (their mount path).

    Lenient by default: what breaks the OpenAPI schema but can still be served is logged as warnings
    (one line per kind of problem); `strict` raises `SpecLoadError` for the first one instead.
    `validated` maps a resolved file path to the `ApiSpec.digest` it had when this process's parent
    validated it (`serve --workers`): a file with that very content is not validated again.
    `ref_root`: the folder whose files a `$ref` may read (default: each spec's own folder).
    `allow_remote_refs`: fetch http(s) `$ref`s (each URL once, within `remote.MAX_REMOTE_BYTES` and
    `remote.REMOTE_TIMEOUT`); without it a remote `$ref` is never fetched: left out (lenient) or refused."""
    parsed = _parse_all(paths, ref_root, RemoteDocuments(allowed=allow_remote_refs))
    trusted = validated or {}
    unchecked = [c for c, digest in parsed if trusted.get(str(c[0].resolve())) != digest]
    # Resolving first: its problems name the file and pointer of a bad `$ref`, the validator's cannot.
    apis = _index_all(parsed, strict)
    if strict:
        problem = first_problem(unchecked)
        if problem is not None:
            raise problem
    if not strict:
        warn(unchecked)
    return apis


@contextmanager
def loading(
    paths: Iterable[Path | str],
    *,
    strict: bool = False,
    ref_root: Path | str | None = None,
    allow_remote_refs: bool = False,
) -> Iterator[list[ApiSpec]]:
    """`load_all` for `serve`: validation runs in a forked process while the with-block runs.

    Strict: the block gets the specs before they are known valid, so it should only prepare (compile,
    build the app); on leaving, an invalid spec raises its `SpecLoadError`, which wins over anything the
    block raised because of it. Lenient: nothing waits for validation; its warnings come when it is
    done, while the mock already serves. Without fork (not Linux), validation runs first, inline.
    """
    parsed = _parse_all(paths, ref_root, RemoteDocuments(allowed=allow_remote_refs))
    if not strict:
        warn_in_background([checked for checked, _ in parsed])
        yield _index_all(parsed, strict)
        return
    if not can_fork():
        apis = _index_all(parsed, strict)
        problem = first_problem([checked for checked, _ in parsed])
        if problem is not None:
            raise problem
        yield apis
        return
    check = ForkedCheck([checked for checked, _ in parsed])
    try:
        apis = _index_all(parsed, strict)
    except SpecLoadError:
        check.result()  # reaped; the resolver's problem names the file and pointer of a bad `$ref`
        raise
    try:
        yield apis
    except Exception:
        problem = check.result()
        if problem is not None:
            raise problem from None
        raise
    problem = check.result()
    if problem is not None:
        raise problem


def load(
    path: Path | str, *, strict: bool = False, ref_root: Path | str | None = None, allow_remote_refs: bool = False
) -> ApiSpec:
    """Load one spec file, or raise `SpecLoadError` naming the file and the problem (see `load_all`)."""
    path = Path(path)
    checked, digest = _prepare(path, ref_root, RemoteDocuments(allowed=allow_remote_refs))
    api = _index(*checked, digest, strict=strict)
    if strict:
        check_document(*checked)
    if not strict:
        warn([checked])
    return api


def load_unchecked(path: Path | str, *, ref_root: Path | str | None = None) -> ApiSpec:
    """`load` without the OpenAPI schema check (`mockserver diff` compares two versions, it does not judge them);
    what cannot be read at all is still a `SpecLoadError`."""
    checked, digest = _prepare(Path(path), ref_root, RemoteDocuments())
    return _index(*checked, digest)


def _parse_all(
    paths: Iterable[Path | str], ref_root: Path | str | None, remote: RemoteDocuments
) -> list[tuple[Checked, str]]:
    parsed: list[tuple[Checked, str]] = []
    seen: dict[str, Path] = {}
    for path in discover(paths):
        name = _NAME_RE.sub("-", path.stem)
        if name in seen:
            raise SpecLoadError(path, SpecErrorKind.DUPLICATE_NAME, f"{name!r} is already served from {seen[name]}")
        seen[name] = path
        parsed.append(_prepare(path, ref_root, remote))
    return parsed


def _index_all(parsed: list[tuple[Checked, str]], strict: bool) -> list[ApiSpec]:
    return [_index(*checked, digest, strict=strict) for checked, digest in parsed]


def _prepare(path: Path, ref_root: Path | str | None, remote: RemoteDocuments) -> tuple[Checked, str]:
    """The parsed document, its version, the folder its `$ref`s may read, the remote documents it names
    (fetched here, before validation may fork, when allowed), and the SHA-256 of its text."""
    name = _NAME_RE.sub("-", path.stem)
    if name in RESERVED_NAMES:
        raise SpecLoadError(
            path, SpecErrorKind.RESERVED_ROUTE, f"an API named {name!r} would be mounted over the mock's own /{name}"
        )
    text = _read(path)
    document = _parse(path, text)
    if str(document.get("swagger")) == "2.0":  # served as its OpenAPI 3.0.3 equivalent
        document = to_openapi30(document)
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    root = Path(ref_root).resolve() if ref_root is not None else path.resolve().parent
    version = _check_version(path, document)
    if remote.allowed:
        prefetch(document, path, remote)
    return (path, document, version, root, remote), digest


def _index(
    path: Path,
    document: dict[str, Any],
    version: str,
    root: Path,
    remote: RemoteDocuments,
    digest: str,
    *,
    strict: bool = False,
) -> ApiSpec:
    resolver = RefResolver(
        document, path, keep_siblings=version.startswith("3.1"), root=root, remote=remote, strict=strict
    )
    resolved = resolver.resolve(document)
    _warn_left_out(path, resolver.problems)
    if version.startswith("3.1"):
        normalize_31(resolved)
    operations = served(path, tuple(index_operations(path, resolved)), strict)
    return ApiSpec(
        name=_NAME_RE.sub("-", path.stem),
        file=path,
        version=version,
        title=str(_dict(document.get("info")).get("title", path.stem)),
        base_path=_base_path(document),
        document=document,
        operations=operations,
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
        document = parse_text(text, json_text=path.suffix == ".json")
    except json.JSONDecodeError as exc:
        raise SpecLoadError(path, SpecErrorKind.SYNTAX, f"line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    except yaml.YAMLError as exc:
        raise SpecLoadError(path, SpecErrorKind.SYNTAX, yaml_problem(exc)) from exc
    except RecursionError as exc:
        raise SpecLoadError(path, SpecErrorKind.SYNTAX, "nested too deep to read") from exc
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
    servers = document.get("servers")
    server = servers[0] if isinstance(servers, list) and servers and isinstance(servers[0], dict) else {}
    url = str(server.get("url", "/"))
    variables = _dict(server.get("variables"))
    for name, var in variables.items():
        url = url.replace("{" + str(name) + "}", str(var.get("default", "")) if isinstance(var, dict) else "")
    # A variable left in the path (`/{version}`) cannot be a mount path; neither can odd characters.
    path = re.sub(r"\{[^}]*\}", "", urlparse(url).path)
    return re.sub(r"[^A-Za-z0-9._~!$&'()*+,;=:@%/-]", "", path).rstrip("/").replace("//", "/")


def _warn_left_out(path: Path, problems: list[str]) -> None:
    """References that could not be served (lenient): one line each, at most ten."""
    for problem in problems[:10]:
        logger.warning("%s: %s", path, problem)
    if len(problems) > 10:
        logger.warning("%s: %d more $refs left out", path, len(problems) - 10)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
