"""Upstream answers kept as fixtures the mock replays: `<root>/<api>/<operationId>/<name>.yaml`.

One `FixtureRecorder` per API and recording session (`fixtures record`, `proxy --record`). Each answer is
redacted (credentials masked by value anywhere in the body, cookies and undocumented headers dropped),
checked against the schema `fixtures.load_fixtures` will check it against, and written atomically; an
answer that is not written says why. No HTTP here: the caller hands over status, headers and body bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from mockserver.openapi.fixtures import _HEADER_NAME, _SAFE_NAME, SERVER_WRITTEN, STATE_FOLDER, _safe_folder
from mockserver.openapi.model import ApiSpec, Operation, ResponseSpec
from mockserver.openapi.validation import Check, schema_validator
from mockserver.redact import MASK, is_secret_header, longest_first, mask_values, secret_query_values, secret_values

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_PER_OPERATION",
    "FixtureRecorder",
    "Outcome",
    "Recording",
    "Refusal",
    "UnsafeName",
    "request_secrets",
]

DEFAULT_MAX_PER_OPERATION = 20  # files per operation and name prefix, counting the ones already on disk
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
CREDENTIALS_REFUSED = frozenset({401, 403})  # the upstream refused the credentials: not the API's answer
_NEVER_KEPT = frozenset({"set-cookie", "set-cookie2", "cookie", "www-authenticate"})
_REASON_CHARS = 200  # a schema error quotes the value: keep the line short


class Outcome(StrEnum):
    WRITTEN = "written"  # a new file at `Recording.path`
    DUPLICATE = "duplicate"  # the same status and (redacted) body is already at `Recording.path`
    REFUSED = "refused"  # nothing written: `Recording.refusal` and `.reason` say why


class Refusal(StrEnum):
    CREDENTIALS = "credentials"  # 401/403: the credentials were missing or refused
    ERROR = "error"  # another 4xx/5xx, not opted in (`record_errors`) or not documented
    UNDOCUMENTED = "undocumented"  # a status the operation does not document: the mock would not serve it
    INVALID = "invalid"  # not the JSON/text its content type says, or not matching the response schema
    TOO_LARGE = "too-large"  # the body is over `max_body_bytes`
    TOO_MANY = "too-many"  # `max_per_operation` files are already there
    UNSAFE_NAME = "unsafe-name"  # the operationId cannot be a folder name (`../x`)
    FAILED = "failed"  # the file could not be written (disk full, permissions)


@dataclass(frozen=True)
class Recording:
    """What became of one answer. `reason` is one line without credentials (safe to print)."""

    outcome: Outcome
    operation_id: str
    status: int
    path: Path | None = None  # WRITTEN, DUPLICATE: the file holding the answer
    refusal: Refusal | None = None  # REFUSED only
    reason: str = ""  # REFUSED only

    @property
    def name(self) -> str | None:
        """The name to replay it with (`Prefer: example=<name>`)."""
        return self.path.stem if self.path is not None else None


class UnsafeName(ValueError):
    """A name prefix or API name that cannot be a file name (it would lead out of the fixtures folder)."""


class _Refused(Exception):
    def __init__(self, refusal: Refusal, reason: str) -> None:
        super().__init__(reason)
        self.refusal = refusal
        self.reason = reason


def request_secrets(
    headers: Mapping[str, str], url: str | None = None, secret_names: Iterable[str] = ()
) -> tuple[str, ...]:
    """The credential values of one client request, for `record(secrets=…)`: its credential headers
    (as `redact.is_secret_header` knows them, or named in `secret_names`), each cookie's value, the
    credential query parameters and userinfo of `url`."""
    names = frozenset(n.lower() for n in secret_names)
    credentials = {k: v for k, v in headers.items() if is_secret_header(k, names)}
    found = set(secret_values(credentials, url))
    for name, value in headers.items():
        if name.lower() == "cookie":
            found |= {part.partition("=")[2].strip() for part in value.split(";")}
    if url:
        found |= secret_query_values(urlsplit(url).query, names)
    return longest_first(found)


class FixtureRecorder:
    """Writes each distinct answer of `api`'s operations under `root/<api.name>/<operationId>/`.

    Names are `<name_prefix>-<status>-<digest>` (8 hex digits of the status and redacted body): the same
    answer is the same file across runs, so it is written once. With `snapshot=True` (`fixtures record`)
    the first answer per operation and status is `<name_prefix>-<status>`, replacing an older one.
    `secrets`: values masked wherever they appear, for every answer (see `redact.secret_values`).
    Thread-safe; blocking file I/O (call it off the event loop)."""

    def __init__(
        self,
        api: ApiSpec,
        root: Path,
        name_prefix: str = "recorded",
        secrets: Iterable[str] = (),
        *,
        record_errors: bool = False,
        max_per_operation: int = DEFAULT_MAX_PER_OPERATION,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        snapshot: bool = False,
    ) -> None:
        for what, name in (("name prefix", name_prefix), ("API name", api.name)):
            if not _SAFE_NAME.fullmatch(name) or name.startswith("."):
                raise UnsafeName(f"{what} {name[:80]!r} is not a safe file name (letters, digits, '.', '_', '-')")
        self.api = api
        self.root = Path(root)
        self.folder = self.root / api.name
        self.name_prefix = name_prefix
        self.secrets = tuple(secrets)
        self.record_errors = record_errors
        self.max_per_operation = max_per_operation
        self.max_body_bytes = max_body_bytes
        self.snapshot = snapshot
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, int, str], Path] = {}  # (operationId, status, digest) → its file
        self._plain: set[tuple[str, int]] = set()  # snapshot: the plain names written this session
        self._counts: dict[str, int] = {}  # operationId → files of this prefix in its folder
        self._checks: dict[tuple[str, str], Check] = {}
        self._own_name = re.compile(rf"{re.escape(name_prefix)}-\d{{3}}(-[0-9a-f]{{8}})?\.yaml")

    def record(
        self,
        operation: Operation,
        status: int,
        headers: Mapping[str, str] | Iterable[tuple[str, str]],
        body: bytes,
        media_type: str | None = None,
        *,
        secrets: Iterable[str] = (),
    ) -> Recording:
        """Write one upstream answer of `operation` as a fixture, or say why not.

        `headers`: the response's, a mapping or (name, value) pairs (repeated names allowed); `media_type`:
        its content type (parameters allowed), None when it had none; `secrets`: this request's credential
        values (see `request_secrets`), masked on top of the recorder's own."""
        op_id = operation.operation_id
        try:
            response = self._admissible(operation, status, len(body))
            masks = longest_first((*self.secrets, *secrets))
            value = _masked(_decode(body, media_type, response), masks)
            problems = self._check(op_id, response)(value)
            if problems and value is None:  # (a HEAD's answer, say: it has no body to record)
                raise _Refused(Refusal.INVALID, f"the body is empty and the {status} schema wants one")
            if problems:
                raise _Refused(Refusal.INVALID, f"the body does not match the {status} schema at {problems[0]}")
            kept = _headers(headers, response, operation, masks)
            fixture = {"status": status, "headers": kept, "body": value}
            what = mask_values(f"{operation.method.upper()} {operation.path} ({status})", masks)
            text = _yaml(fixture, what)
        except RecursionError:
            return Recording(
                Outcome.REFUSED, op_id, status, refusal=Refusal.INVALID, reason="the body is nested too deep"
            )
        except _Refused as refused:
            return Recording(Outcome.REFUSED, op_id, status, refusal=refused.refusal, reason=_clip(refused.reason))
        if any(secret in text for secret in masks):  # masking is per string: never store one that slipped through
            return Recording(
                Outcome.REFUSED, op_id, status, refusal=Refusal.INVALID, reason="a credential would remain in the file"
            )
        digest = hashlib.sha256(json.dumps([status, value], sort_keys=True).encode()).hexdigest()[:8]
        with self._lock:
            return self._store(op_id, status, digest, text)

    def _admissible(self, operation: Operation, status: int, size: int) -> ResponseSpec:
        op_id = operation.operation_id
        if not _safe_folder(op_id) or op_id == STATE_FOLDER:
            raise _Refused(Refusal.UNSAFE_NAME, f"operationId {op_id[:80]!r} is not a safe folder name")
        if status in CREDENTIALS_REFUSED:
            raise _Refused(Refusal.CREDENTIALS, f"{status}: the credentials are probably missing or invalid")
        response = operation.response_for(status)
        if status >= 400 and not (self.record_errors and response is not None):
            hint = "" if response is None else " (record_errors to keep documented ones)"
            documented = "documented" if response is not None else "undocumented"
            raise _Refused(Refusal.ERROR, f"{status} is an error answer, {documented}; not kept{hint}")
        if response is None:
            raise _Refused(Refusal.UNDOCUMENTED, f"status {status} is not documented: the mock would not serve it")
        if size > self.max_body_bytes:
            raise _Refused(Refusal.TOO_LARGE, f"the body ({size} bytes) is over the {self.max_body_bytes}-byte limit")
        return response

    def _check(self, op_id: str, response: ResponseSpec) -> Check:
        key = (op_id, response.status)
        if key not in self._checks:
            schema = response.schema
            self._checks[key] = schema_validator(schema, openapi_31=self.api.is_31, reading=True) if schema else lambda _: []
        return self._checks[key]

    def _store(self, op_id: str, status: int, digest: str, text: str) -> Recording:
        seen = self._seen.get((op_id, status, digest))
        if seen is not None:
            return Recording(Outcome.DUPLICATE, op_id, status, path=seen)
        plain = self.snapshot and (op_id, status) not in self._plain
        name = f"{self.name_prefix}-{status}" if plain else f"{self.name_prefix}-{status}-{digest}"
        target = self.folder / op_id / f"{name}.yaml"
        if not target.resolve().is_relative_to(self.root.resolve()):  # a symlinked folder leading out
            reason = "the fixture folder leads outside the recording root (a symbolic link?)"
            return Recording(Outcome.REFUSED, op_id, status, refusal=Refusal.UNSAFE_NAME, reason=reason)
        exists = target.exists()
        if exists and not plain:  # written by an earlier run: the same answer
            self._seen[(op_id, status, digest)] = target
            return Recording(Outcome.DUPLICATE, op_id, status, path=target)
        if not exists and self._count(op_id) >= self.max_per_operation:
            reason = f"{self.max_per_operation} recordings of {op_id} are already there (the limit)"
            return Recording(Outcome.REFUSED, op_id, status, refusal=Refusal.TOO_MANY, reason=reason)
        try:
            _write_atomically(target, text)
        except OSError as exc:
            reason = f"cannot write {target.name}: {exc.strerror or type(exc).__name__}"
            return Recording(Outcome.REFUSED, op_id, status, refusal=Refusal.FAILED, reason=reason)
        self._seen[(op_id, status, digest)] = target
        if plain:
            self._plain.add((op_id, status))
        if not exists:
            self._counts[op_id] = self._count(op_id) + 1
        return Recording(Outcome.WRITTEN, op_id, status, path=target)

    def _count(self, op_id: str) -> int:
        if op_id not in self._counts:
            folder = self.folder / op_id
            names = [p.name for p in folder.iterdir()] if folder.is_dir() else []
            self._counts[op_id] = sum(1 for n in names if self._own_name.fullmatch(n))
        return self._counts[op_id]


def _decode(body: bytes, media_type: str | None, response: ResponseSpec) -> Any:
    """The body as the fixture holds it: JSON data, else text; None when empty."""
    if not body:
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _Refused(Refusal.INVALID, "the body is not UTF-8 text (a fixture holds JSON or text)") from None
    base = (media_type or "").split(";", 1)[0].strip().lower()
    says_json = base == "application/json" or base.endswith("+json") or (not base and response.is_json)
    if says_json or not base:
        try:
            return json.loads(text, parse_constant=_no_constant)
        except ValueError:
            if says_json:
                raise _Refused(Refusal.INVALID, f"the body is not JSON, though its type is {base or 'JSON'}") from None
    return text


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _masked(value: Any, secrets: tuple[str, ...]) -> Any:
    """`value` with every credential masked in every string (keys too); a number that is one becomes `***`."""
    if isinstance(value, str):
        return mask_values(value, secrets)
    if isinstance(value, list):
        return [_masked(item, secrets) for item in value]
    if isinstance(value, dict):
        return {mask_values(str(k), secrets): _masked(v, secrets) for k, v in value.items()}
    if isinstance(value, (int, float)) and not isinstance(value, bool) and str(value) in secrets:
        return MASK
    return value


def _headers(
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    response: ResponseSpec,
    operation: Operation,
    secrets: tuple[str, ...],
) -> dict[str, str]:
    """The content type and the headers documented for the status; never cookies or credential-like ones."""
    documented = {name.lower() for name in response.headers}
    scheme_names = {s.param_name.lower() for req in operation.security for s in req if s.location == "header"}
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    kept: dict[str, tuple[str, str]] = {}  # by lower-case name: (name as first sent, values joined)
    for name, raw in pairs:
        lowered = name.lower()
        if lowered == "content-type":
            name = "Content-Type"
        elif (
            lowered not in documented
            or lowered in SERVER_WRITTEN
            or lowered in _NEVER_KEPT
            or is_secret_header(name, scheme_names)
        ):
            continue
        value = mask_values(str(raw), secrets)
        if not _HEADER_NAME.fullmatch(name) or not value.isprintable() or any(ord(c) > 0xFF for c in value):
            continue  # the fixture loader would refuse the whole file for it
        first, before = kept.get(name.lower(), (name, ""))
        kept[name.lower()] = (first, f"{before}, {value}" if before else value)
    return dict(kept.values())


def _yaml(fixture: dict[str, Any], what: str) -> str:
    what = "".join(c if c.isprintable() else "?" for c in what)  # a spec's path is its author's text
    header = f"# Recorded from {what}; request credentials not stored.\n"
    return header + yaml.safe_dump(fixture, sort_keys=False, allow_unicode=True, width=2**31 - 1)


def _write_atomically(target: Path, text: str) -> None:
    """Write `text` to a temporary file beside `target`, then rename: a reader sees all of it or none."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # A dot name ending in .tmp: the fixture loader reads only .yaml/.yml/.json, so it never sees a partial one.
    fd, temporary = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _clip(reason: str) -> str:
    reason = " ".join(reason.split())
    return reason if len(reason) <= _REASON_CHARS else reason[: _REASON_CHARS - 1] + "…"
