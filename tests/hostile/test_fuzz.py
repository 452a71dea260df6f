"""Random bytes, headers, `Prefer` values and bodies thrown at the in-process app (the bundled specs plus a
hostile one): no undocumented 5xx, no traceback, every answer in bounded time and size, memory bounded.

Derandomized, so a failure reproduces: hypothesis prints the falsifying request.
"""

from __future__ import annotations

import faulthandler
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hostile_support import BUNDLED_SPECS, HOSTILE_SPEC, TRACEBACK_MARKS, RawResponse, raw_call, rss_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.openapi.loader import load_all
from mockserver.serving.app import build_app
from mockserver.serving.config import ServerConfig

MAX_SECONDS = 10.0  # per request, on a loaded 2-core CI machine; the bugs this guards against never answer
MAX_BODY = 4 * 1024 * 1024
MAX_RSS_GROWTH = 200 * 1024 * 1024
EXAMPLES = 400
# A request that never ends (Python's `re` holds the GIL while it backtracks) would hang CI: past this the
# process prints every thread's stack and exits, so the run fails with the culprit named instead.
WATCHDOG_SECONDS = 300

MOUNTS = (
    b"/hostile/v1",
    b"/openrouter/api/v1",
    b"/lightdash/api/v1",
    b"/onepin/api/v1",
    b"/client-analytics/v2",
    b"/__mock",
    b"",
)
PATHS = (
    b"/search",
    b"/nodes/1",
    b"/nodes/-1",
    b"/nodes/99999999999999999999999999",
    b"/numbers",
    b"/upload",
    b"/activity",
    b"/usage/activity",
    b"/analytics/user-activity/3c6a0b0e-8f7e-4a43-9d1e-2a1b5c9e7f10",
    b"/requests",
    b"/openapi.json",
    b"/ui/",
    b"/nodes/%2e%2e%2f%2e%2e",
    b"/nodes/%0a%0d",
    b"/",
)
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND", "G\x00T")
HEADER_NAMES = (
    b"authorization",
    b"x-session-id",
    b"content-type",
    b"accept",
    b"origin",
    b"cookie",
    b"content-encoding",
    b"x-forwarded-host",
    b"host",
    b"sec-fetch-site",
)
CONTENT_TYPES = (
    b"application/json",
    b"application/json; charset=utf-16",
    b"multipart/form-data; boundary=x",
    b"multipart/form-data",
    b"application/x-www-form-urlencoded",
    b"text/plain",
    b"application/xml",
    b"*/*",
    b"",
)
ACCEPTS = (b"application/json", b"application/xml", b"text/csv", b"*/*", b"image/png", b"text/event-stream", b";;;")

latin1 = st.binary(max_size=64)
words = st.text(alphabet=st.characters(codec="latin-1", exclude_categories=["Cs"]), max_size=24)
numbers_as_text = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["1_0", "\uff11\uff10", "4_00", " 10 ", "+10", "1e309", "NaN", "-0", "0x1f", "9" * 5000]),
)


@st.composite
def prefer(draw: st.DrawFn) -> bytes:
    parts = draw(
        st.lists(
            st.one_of(
                numbers_as_text.map(lambda v: f"code={v}"),
                st.sampled_from(["200", "400", "401", "404", "500", "501", "599", "100"]).map(lambda v: f"code={v}"),
                words.map(lambda v: f"example={v}"),
                st.sampled_from(["true", "false", "maybe", ""]).map(lambda v: f"dynamic={v}"),
                numbers_as_text.map(lambda v: f"seed={v}"),
                st.sampled_from(["0", "1", "0.5", "-1", "2", "x"]).map(lambda v: f"edge={v}"),
                st.sampled_from(["0", "1", "0.5", "nan"]).map(lambda v: f"chaos={v}"),
                words,
            ),
            max_size=4,
        )
    )
    return draw(st.sampled_from([", ", ";", ",,"])).join(parts).encode("utf-8")


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


bodies: st.SearchStrategy[list[bytes]] = st.one_of(
    st.just([]),
    st.lists(st.binary(max_size=256), min_size=1, max_size=3),
    st.integers(1, 3000).map(lambda d: [nested(d)]),
    st.sampled_from(
        [
            [b'{"name": "x"}'],
            [b'{"name": ' + b"9" * 5000 + b"}"],
            [b'{"name": "x", "children": [' + b'{"name": "y"},' * 2000 + b'{"name": "z"}]}'],
            [b'{"name": "\\ud800"}'],
            [b"\xff\xfe{\x00}\x00"],
            [b'{"name": "x"', b"}"],
            [b"--x\r\nContent-Disposition: form-data; name=note\r\n\r\n" + b"a" * 100 + b"\r\n--x--\r\n"],
            [b"note=" + b"%" * 300],
            [b"[1e999999]"],
        ]
    ),
)


# Documented operations, so that most requests get past routing into credentials, checks and generation.
OPERATIONS = (
    ("GET", b"/hostile/v1/search"),
    ("GET", b"/hostile/v1/nodes/7"),
    ("PUT", b"/hostile/v1/nodes/7"),
    ("GET", b"/hostile/v1/numbers"),
    ("POST", b"/hostile/v1/upload"),
    ("GET", b"/openrouter/api/v1/activity"),
    ("GET", b"/onepin/api/v1/usage/activity"),
    ("GET", b"/lightdash/api/v1/analytics/user-activity/3c6a0b0e-8f7e-4a43-9d1e-2a1b5c9e7f10"),
    ("GET", b"/__mock/requests"),
    ("DELETE", b"/__mock/requests"),
)
QUERIES = (
    b"q=" + b"a" * 40 + b"!",
    b"q=aaaa&limit=1_0",
    b"q=a&limit=\xef\xbc\x91",
    b"q=a&sig=SECRET",
    b"q=a&api_%6Bey=SECRET",
    b"q=a&date=2026-01-02&date=x",
    b"q[a][b][c][d][e][f][g][h][i][j][k]=1",
    b"q=%ff%fe",
    b"q=a&limit=" + b"9" * 5000,
)


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.integers(0, 9)) < 7:
        method, path = draw(st.sampled_from(OPERATIONS))
    else:
        method = draw(st.sampled_from(METHODS))
        path = draw(st.sampled_from(MOUNTS)) + draw(st.one_of(st.sampled_from(PATHS), latin1.map(lambda b: b"/" + b)))
    query = draw(st.one_of(st.sampled_from(QUERIES), st.just(b"q=a"), latin1))
    headers = [(name, draw(latin1)) for name in draw(st.lists(st.sampled_from(HEADER_NAMES), max_size=3, unique=True))]
    headers.append((b"authorization", b"Bearer test-token"))
    headers.append((b"x-session-id", b"SESSION-SECRET"))
    if draw(st.booleans()):
        headers.append((b"prefer", draw(prefer())))
    if draw(st.booleans()):
        headers.append((b"content-type", draw(st.sampled_from(CONTENT_TYPES))))
    if draw(st.booleans()):
        headers.append((b"accept", draw(st.sampled_from(ACCEPTS))))
    return {"method": method, "path": path, "query": query, "headers": headers, "body_chunks": draw(bodies)}


@pytest.fixture(scope="module")
def app() -> Iterator[Any]:
    apis = load_all([BUNDLED_SPECS, HOSTILE_SPEC])
    yield build_app(apis, ServerConfig(seed=3, access_log=False))


def prefer_code(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name == b"prefer":
            for part in value.decode("latin-1").replace(";", ",").split(","):
                key, _, number = part.strip().partition("=")
                if key.strip().lower() == "code" and number.strip().isascii() and number.strip().isdigit():
                    return int(number)
    return None


def assert_well_behaved(request: dict[str, Any], response: RawResponse) -> None:
    described = f"{request['method']} {request['path']!r}?{request['query']!r} → {response.status}"
    assert response.seconds < MAX_SECONDS, f"{described} took {response.seconds:.1f} s"
    assert len(response.body) <= MAX_BODY, f"{described}: a {len(response.body)}-byte answer"
    for mark in TRACEBACK_MARKS:
        assert mark not in response.body, f"{described} shows Python internals: {response.body[:300]!r}"
    assert b"The mock failed" not in response.body, f"{described}: {response.body[:300]!r}"
    if response.status >= 500:
        asked = prefer_code(request["headers"]) == response.status
        chaos = "x-mock-chaos" in response.headers
        own = response.status in (501, 503) and "x-mock-error" in response.headers
        assert asked or chaos or own, f"{described}: an undocumented server error: {response.body[:300]!r}"
    is_json = response.headers.get("content-type", "").startswith(("application/json", "application/problem+json"))
    if is_json and request["method"] != "HEAD" and response.body:
        json.loads(response.body)  # valid JSON (no NaN, no truncation)


def test_random_requests_get_bounded_documented_answers(app: Any) -> None:
    before = rss_bytes()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(requests())
    def check(request: dict[str, Any]) -> None:
        assert_well_behaved(request, raw_call(app, **request))

    faulthandler.dump_traceback_later(WATCHDOG_SECONDS, exit=True)
    try:
        check()
    finally:
        faulthandler.cancel_dump_traceback_later()
    grown = rss_bytes() - before
    assert grown < MAX_RSS_GROWTH, f"RSS grew by {grown / 2**20:.0f} MiB over {EXAMPLES} hostile requests"
