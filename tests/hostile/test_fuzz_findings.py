"""What the fuzz test (and review) found, pinned one by one (each failed before its fix)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hostile_support import HOSTILE_SPEC, raw_call

from mockserver.openapi.loader import load_all
from mockserver.serving.app import build_app
from mockserver.serving.config import ServerConfig


@pytest.fixture(scope="module")
def app() -> Iterator[Any]:
    yield build_app(load_all([HOSTILE_SPEC]), ServerConfig(access_log=False))


@pytest.mark.parametrize("content_type", [None, b"multipart/form-data", b"multipart/form-data; charset=utf-8"])
def test_a_multipart_body_without_a_boundary_is_a_400_not_a_crash(app: Any, content_type: bytes | None) -> None:
    headers = [(b"content-type", content_type)] if content_type else []
    response = raw_call(app, "POST", b"/hostile/v1/upload", headers=headers, body_chunks=[b"[]"])
    assert response.status == 400, response.body
    assert b"boundary" in response.body


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
def test_a_json_body_with_a_python_only_constant_is_refused(app: Any, constant: bytes) -> None:
    # Python's json module reads these; JSON has no such values, and a real API's parser refuses them.
    body = b'{"name": "x", "weight": ' + constant + b"}"
    headers = [(b"content-type", b"application/json"), (b"x-session-id", b"s3ss10n")]
    response = raw_call(app, "PUT", b"/hostile/v1/nodes/7", headers=headers, body_chunks=[body])
    assert response.status == 400, response.body
    assert constant.lstrip(b"-") in response.body
