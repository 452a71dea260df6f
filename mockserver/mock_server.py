"""A running mock, as a test sees it: where each API is, what it was asked, and how to steer it.

`MockServer` speaks to the mock's admin endpoints (`/__mock/requests`, `/__mock/overrides`, `/__mock/state`)
over HTTP, so it works with any running mock; the pytest plugin (`pytest_plugin.py`) starts one per session
and hands it to tests as the `mock_server` fixture. A top layer, like the command line: it imports no
serving code, and httpx only when a call needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockserver.errors import MockJournalUnavailable

if TYPE_CHECKING:
    from mockserver.openapi.model import ApiSpec
    from mockserver.serving.config import ServerConfig

OVERRIDES = "/__mock/overrides"
STATE = "/__mock/state"
JOURNAL = "/__mock/requests"
NEAR_MISSES = 10  # requests listed when assert_called fails


class MockServer:
    """A running mock: where it listens, where each API is mounted, what it was asked."""

    def __init__(
        self, url: str, apis: list[ApiSpec], config: ServerConfig, upstreams: dict[str, str] | None = None
    ) -> None:
        self.url = url  # http://127.0.0.1:PORT, no trailing slash
        self.apis = {api.name: api for api in apis}
        self.config = config
        self.upstreams = dict(upstreams or {})  # proxy mode: API name → the upstream its requests go to
        self.seeded: set[str] = set()  # /__mock/state/… paths this test seeded: forgotten after it

    def __repr__(self) -> str:
        proxied = f", upstreams={self.upstreams!r}" if self.upstreams else ""
        return f"MockServer({self.url!r}, apis={sorted(self.apis)}{proxied})"

    def base_url(self, api_name: str) -> str:
        """Where a client of `api_name` points: the url plus the API's mount path."""
        api = self.apis.get(api_name)
        if api is None:
            raise KeyError(f"mock_server serves no API {api_name!r}; served: {', '.join(sorted(self.apis))}")
        return self.url + api.mount_path

    def requests(self) -> list[dict[str, Any]]:
        """The requests the mock has received, as it lists them (`GET /__mock/requests`; newest first)."""
        import httpx

        body = self._journal(httpx.get).json()
        entries = body.get("requests") if isinstance(body, dict) else body
        if not isinstance(entries, list):
            raise MockJournalUnavailable(f"GET {JOURNAL} answered {str(body)[:200]!r}, not a list of requests")
        return entries

    def clear_requests(self) -> None:
        """Forget the requests received so far (`DELETE /__mock/requests`)."""
        import httpx

        self._journal(httpx.delete)

    def override(self, operation: str | None = None, /, **document: Any) -> Override:
        """Steer `operation`'s answers (`POST /__mock/overrides`): `status=`, `example=`, `body=`, `headers=`,
        `latency_ms=`, `fault=`, `times=`, `sequence=[503, 503, 200]`, `when={"query": {...}}`,
        `allow_undocumented=True`, `method=` and `path=` instead of an operationId.

        Removed when its `with` block ends, and in any case after the test."""
        import httpx

        body = {**({"operation": operation} if operation is not None else {}), **document}
        response = httpx.post(self.url + OVERRIDES, json=body, timeout=10)
        if response.status_code != 201:
            raise MockOverrideError(f"mock_server.override refused ({response.status_code}): {_detail(response)}")
        return Override(self, int(response.json()["id"]))

    def overrides(self) -> list[dict[str, Any]]:
        """The overrides in force, with how many requests each has answered (`GET /__mock/overrides`)."""
        import httpx

        listed: list[dict[str, Any]] = httpx.get(self.url + OVERRIDES, timeout=10).json()["overrides"]
        return listed

    def clear_overrides(self) -> None:
        import httpx

        httpx.delete(self.url + OVERRIDES, timeout=10)

    def chaos(self, rate: float, operation: str | None = None) -> Override:
        """A share `rate` of answers (of `operation`, or of every operation) fail with a documented error,
        for a `with` block (or until the test ends)."""
        document: dict[str, Any] = {"chaos": rate}
        return self.override(operation, **document) if operation else self.override(**document)

    @property
    def state(self) -> MockStateHandle:
        """What the server remembers: `.get()` shows it (`GET /__mock/state`), `.reset()` forgets it;
        `.seed(api, collection, entities)` and `.entities(api, collection)` set and read a collection's."""
        return MockStateHandle(self)

    def assert_called(
        self, operation: str, times: int | None = None, with_query: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Assert the mock received `operation` (an operationId, or `METHOD /path/template`) in this test:
        `times` exactly (else at least once), each with the `with_query` values. Returns the matching
        requests; a failure lists them and the near misses."""
        if " " not in operation.strip() and not any(
            operation in {o.operation_id for o in a.operations} for a in self.apis.values()
        ):
            known = ", ".join(sorted({o.operation_id for a in self.apis.values() for o in a.operations}))
            raise ValueError(f"assert_called: no operation {operation!r}; operations: {known} (or 'GET /path')")
        entries = [e for e in reversed(self.requests()) if not str(e.get("path", "")).startswith("/__mock/")]
        wanted = {k: str(v) for k, v in (with_query or {}).items()}
        same_op = [e for e in entries if self._is_operation(e, operation)]
        matched = [e for e in same_op if _query_has(e, wanted)]
        if (times is None and matched) or (times is not None and len(matched) == times):
            return matched
        expected = "at least once" if times is None else f"{times} time{'s' * (times != 1)}"
        query = f" with query {wanted}" if wanted else ""
        lines = [
            f"expected {operation} to be called {expected}{query}; it was called {len(matched)} time"
            + ("s" * (len(matched) != 1))
        ]
        if matched:
            lines.append("matching requests:")
            lines += [f"  {_described(e, wanted)}" for e in matched[:NEAR_MISSES]]
        misses = [e for e in same_op if e not in matched] + [e for e in entries if e not in same_op]
        if misses:
            lines.append("near misses (this test's other requests, closest first):")
            lines += [f"  {_described(e, wanted)}" for e in misses[:NEAR_MISSES]]
            if len(misses) > NEAR_MISSES:
                lines.append(f"  … and {len(misses) - NEAR_MISSES} more")
        elif not entries:
            lines.append("the mock received no request in this test")
        raise AssertionError("\n".join(lines))

    def _is_operation(self, entry: dict[str, Any], operation: str) -> bool:
        if entry.get("operation") == operation:
            return True
        method, _, template = operation.partition(" ")
        if not template or str(entry.get("method", "")).upper() != method.upper():
            return False
        path = str(entry.get("path", ""))
        return any(_template_matches(api.mount_path + template, path) for api in self.apis.values())

    def violations(self) -> list[str]:
        """Proxy mode: this test's contract violations, one line each, oldest first (from the journal)."""
        return _violation_lines(self.requests())

    def strict_problems(self) -> list[str]:
        """This test's requests the mock refused as invalid or unknown (not chaos, overrides or rate limits)."""
        found = []
        for entry in reversed(self.requests()):
            path = str(entry.get("path", ""))
            steered = any(entry.get(key) for key in ("override", "chaos", "rate_limited"))
            status = entry.get("status")
            if path.startswith("/__mock/") or steered or not isinstance(status, int) or not 400 <= status < 500:
                continue
            # Refused by the mock (a problem noted), or no operation at all (an unknown path or mount).
            if entry.get("problem") or not entry.get("operation"):
                found.append(_described(entry, {}) + (f": {entry['problem']}" if entry.get("problem") else ""))
        return found

    def _end_test(self) -> None:
        """After each test that used the server: every override goes (whoever made it), and every collection
        the test seeded."""
        import warnings

        import pytest

        try:
            self.clear_overrides()
        except Exception as exc:  # the server is gone: nothing left to undo; say so, do not mask the test
            warnings.warn(pytest.PytestWarning(f"mockserver: could not remove overrides: {exc}"), stacklevel=1)
        seeded, self.seeded = sorted(self.seeded), set()
        try:
            import httpx

            for path in seeded:
                httpx.delete(self.url + path, timeout=10).raise_for_status()
        except Exception as exc:
            warnings.warn(pytest.PytestWarning(f"mockserver: could not forget seeded state: {exc}"), stacklevel=1)

    def _journal(self, send: Any) -> Any:
        response = send(self.url + JOURNAL, timeout=10)
        if response.status_code in (404, 405):
            raise MockJournalUnavailable(
                f"{response.request.method} {JOURNAL} answered {response.status_code}: "
                "this mockserver does not record requests (it has no request journal)"
            )
        response.raise_for_status()
        return response


class MockOverrideError(ValueError):
    """The mock refused an override (unknown operation, undocumented status, …): its reason."""


class Override:
    """An override in force: a context manager that removes it on leaving."""

    def __init__(self, server: MockServer, ident: int) -> None:
        self.server = server
        self.id = ident

    def __repr__(self) -> str:
        return f"Override(id={self.id})"

    def __enter__(self) -> Override:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()

    @property
    def used(self) -> int:
        """How many requests it has answered so far."""
        return next((int(o["used"]) for o in self.server.overrides() if o["id"] == self.id), 0)

    def remove(self) -> None:
        import httpx

        httpx.delete(f"{self.server.url}{OVERRIDES}/{self.id}", timeout=10)  # 404 once gone: fine


class MockSeedError(ValueError):
    """The mock refused entities to seed (one does not match the entity schema, no such collection, …): why."""


class MockStateHandle:
    """`GET` / `DELETE /__mock/state`, and one collection's entities (`PUT` / `GET /__mock/state/<api><collection>`)."""

    def __init__(self, server: MockServer) -> None:
        self.server = server
        self.url = server.url

    def get(self) -> dict[str, Any]:
        import httpx

        found: dict[str, Any] = httpx.get(self.url + STATE, timeout=10).raise_for_status().json()
        return found

    def reset(self) -> None:
        import httpx

        httpx.delete(self.url + STATE, timeout=10).raise_for_status()

    def seed(self, api: str, collection: str, entities: list[dict[str, Any]]) -> int:
        """Make `entities` the only ones of `api`'s `collection` (its path below the API: "/tasks", or
        "/users/7/posts" for user 7's), in that order; returns how many. Each must match the entity schema
        and carry its id, else `MockSeedError` names the first that does not and its field. Forgotten after
        the test (the collection starts again from its initial entities)."""
        import httpx

        path = self._path(api, collection)
        response = httpx.put(self.url + path, json=entities, timeout=30)
        if response.status_code != 200:
            raise MockSeedError(f"mock_server.state.seed refused ({response.status_code}): {_detail(response)}")
        self.server.seeded.add(path)
        return int(response.json()["count"])

    def entities(self, api: str, collection: str) -> list[dict[str, Any]]:
        """The entities `api`'s `collection` holds now, oldest first (its initial ones, if no request made them yet)."""
        import httpx

        response = httpx.get(self.url + self._path(api, collection), timeout=30)
        if response.status_code != 200:
            raise MockSeedError(f"mock_server.state.entities: {response.status_code}: {_detail(response)}")
        found: list[dict[str, Any]] = response.json()["entities"]
        return found

    def _path(self, api: str, collection: str) -> str:
        mount = self.server.base_url(api)[len(self.url) :]  # a KeyError naming the served APIs when unknown
        return f"{STATE}{mount}/{collection.lstrip('/')}"


def _detail(response: Any) -> str:
    try:
        return str(response.json().get("detail"))
    except ValueError:
        return str(response.text[:300])


def _query_has(entry: dict[str, Any], wanted: dict[str, str]) -> bool:
    from urllib.parse import parse_qs

    query = parse_qs(str(entry.get("query") or ""), keep_blank_values=True)
    return all(value in query.get(name, []) for name, value in wanted.items())


def _described(entry: dict[str, Any], wanted: dict[str, str]) -> str:
    from urllib.parse import parse_qs

    query = str(entry.get("query") or "")
    text = f"{entry.get('method')} {entry.get('path')}{'?' + query if query else ''} -> {entry.get('status')}"
    text += f" ({entry['operation']})" if entry.get("operation") else " (no operation)"
    given = parse_qs(query, keep_blank_values=True)
    differs = [f"{k}={given.get(k, 'missing')}, wanted {v!r}" for k, v in wanted.items() if v not in given.get(k, [])]
    return text + (f" [{'; '.join(differs)}]" if differs else "")


def _template_matches(template: str, path: str) -> bool:
    import re

    pattern = "".join(
        "[^/]+" if part.startswith("{") else re.escape(part) for part in re.split(r"(\{[^}]*\})", template)
    )
    return re.fullmatch(pattern, path) is not None


def _violation_lines(entries: list[dict[str, Any]]) -> list[str]:
    """One line per violation in journal `entries` (newest first, as the journal lists them), oldest first:
    "GET /path -> 200: title (check): message"."""
    lines = []
    for entry in reversed(entries):
        found = entry.get("violations")
        if not isinstance(found, list):
            continue
        target = f"{entry.get('method', '?')} {entry.get('path', '?')}"
        if entry.get("query"):
            target += f"?{entry['query']}"
        for item in found:
            if isinstance(item, dict):
                message = str(item.get("message", "")).splitlines()[0] if item.get("message") else ""
                lines.append(
                    f"{target} -> {entry.get('status')}: {item.get('title')} ({item.get('check')}): {message[:300]}"
                )
    return lines
