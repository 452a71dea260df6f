"""Named canned responses under `fixtures/<api>/<operationId>/<name>.yaml|json`: `{status, body, headers}`.

(`fixtures/<api>/_state/` holds a resource's initial entities instead: see state_fixtures.py.)

Its `headers` are served with it, except the ones the server itself writes for every answer: hop-by-hop
headers and the body's own `Content-Length`/`Content-Type` (a recorded fixture holds them; they are dropped).

A fixture that does not match its operation's schema is reported at start-up (file and path
inside it) and not served.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mockserver.bundled import bundled_fixtures_dir, is_bundled
from mockserver.openapi.model import ApiSpec
from mockserver.openapi.parse import parse_text, yaml_problem
from mockserver.openapi.validation import schema_validator

logger = logging.getLogger("mockserver")
STATE_FOLDER = "_state"  # fixtures/<api>/_state/: initial entities (state_fixtures.py), not an operation's


@dataclass(frozen=True)
class Fixture:
    name: str
    status: int
    body: Any
    path: Path
    headers: dict[str, str] = field(default_factory=dict)


def fixtures_dir(api: ApiSpec) -> Path:
    """A bundled spec's bundled fixtures; else `fixtures/<api>` beside the folder holding the spec
    (the repo layout: specs/ and fixtures/ side by side)."""
    found = bundled_fixtures_dir(api.name) if is_bundled(api.file) else None
    return found or api.file.resolve().parent.parent / "fixtures" / api.name


def load_fixtures(api: ApiSpec) -> dict[str, dict[str, Fixture]]:
    """Valid fixtures by operationId and name; invalid ones are logged and left out."""
    root = fixtures_dir(api)
    found: dict[str, dict[str, Fixture]] = {}
    if not root.is_dir():
        return found
    unsafe = [op.operation_id for op in api.operations if not _safe_folder(op.operation_id)]
    if unsafe:
        # An operationId is the spec author's text: `../../outside` must not lead out of fixtures/<api>/.
        more = f" (and {len(unsafe) - 1} more)" if len(unsafe) > 1 else ""
        logger.warning(
            "%s: operationId %r is not a safe folder name%s; no fixtures are looked for it",
            api.file,
            unsafe[0][:80],
            more,
        )
    for op in api.operations:
        if not _safe_folder(op.operation_id) or op.operation_id == STATE_FOLDER:
            continue
        folder = root / op.operation_id
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix not in (".yaml", ".yml", ".json"):
                continue
            fixture = _read(path)
            if fixture is None:
                continue
            response = op.response_for(fixture.status)
            if response is None:
                logger.warning(
                    "%s: status %s is not documented for %s; not served", path, fixture.status, op.operation_id
                )
                continue
            problems = schema_validator(response.schema, openapi_31=api.is_31, reading=True)(fixture.body) if response.schema else []
            if problems:
                logger.warning(
                    "%s: body does not match the %s schema at %s; not served", path, fixture.status, problems[0]
                )
                continue
            found.setdefault(op.operation_id, {})[fixture.name] = fixture
    return found


class UnreadableFixture(ValueError):
    """A fixture file that is not UTF-8 YAML or JSON: why, without its text."""


def read_data(path: Path) -> Any:
    """The data in a fixture file (`.json`: JSON, else YAML); raises `UnreadableFixture`."""
    try:
        return parse_text(path.read_text(encoding="utf-8"), json_text=path.suffix == ".json")
    except OSError as exc:
        raise UnreadableFixture(f"cannot read fixture: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UnreadableFixture("cannot read fixture: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise UnreadableFixture(f"cannot read fixture: line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except yaml.YAMLError as exc:
        raise UnreadableFixture(f"cannot read fixture: {yaml_problem(exc)}") from None
    except RecursionError:
        raise UnreadableFixture("cannot read fixture: nested too deep") from None


def _read(path: Path) -> Fixture | None:
    try:
        raw = read_data(path)
    except UnreadableFixture as exc:
        return _skip(path, str(exc))
    if not isinstance(raw, dict) or "body" not in raw:
        return _skip(path, "a fixture is a mapping with `body` (and `status`, `headers`)")
    status = raw.get("status", 200)
    if isinstance(status, str) and status.isascii() and status.isdigit() and len(status) == 3:
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        return _skip(path, f"status is {_shape(status)}, not a number from 100 to 599 (an HTTP status)")
    headers = raw.get("headers") or {}
    if not isinstance(headers, dict):
        return _skip(path, f"headers is {_shape(headers)}, not a mapping of names to values")
    for name, value in headers.items():
        if not _HEADER_NAME.fullmatch(name) or not isinstance(value, (str, int, float)) or isinstance(value, bool):
            return _skip(path, f"header {name[:40]!r} is not a header name with a text or number value")
        if any(c in str(value) for c in "\r\n\0"):
            return _skip(path, f"header {name[:40]!r} holds a line break")
        if not str(value).isprintable() or any(ord(c) > 0xFF for c in str(value)):
            # HTTP header values are Latin-1 octets: anything else cannot be sent (and would fail the answer).
            return _skip(path, f"header {name[:40]!r} holds a character a header cannot carry")
    return Fixture(
        name=path.stem,
        status=status,
        body=raw["body"],
        path=path,
        headers={name: str(value) for name, value in headers.items() if name.lower() not in SERVER_WRITTEN},
    )


def _skip(path: Path, problem: str) -> Fixture | None:
    logger.warning("%s: %s; not served", path, problem)
    return None


def _shape(value: Any) -> str:
    """What a malformed field holds, by type: a short excerpt for a scalar, nothing of a container."""
    if isinstance(value, (list, dict)):
        return f"a {'list' if isinstance(value, list) else 'mapping'}"
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:40] + "…"


def _safe_folder(operation_id: str) -> bool:
    """Names joined by `/` (GitHub's `repos/list-for-org` is a folder in a folder), none of them `.` or `..`."""
    parts = operation_id.split("/")
    return all(_SAFE_NAME.fullmatch(part) and part not in (".", "..") for part in parts)


# Headers a fixture cannot set: the connection's own (RFC 9110 7.6.1) and the ones describing the body as sent.
SERVER_WRITTEN = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
        "content-type",
        "content-encoding",
    }
)
_SAFE_NAME = re.compile(r"[A-Za-z0-9._-]+")  # a file or folder name on every platform, never a path
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an HTTP token (RFC 9110)
