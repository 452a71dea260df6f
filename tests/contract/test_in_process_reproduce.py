"""Against an app in process no URL exists: the report's curl lines name where `mockserver serve` would answer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mockserver.contract.options import ContractOptions, Target
from mockserver.contract.report import render_text
from mockserver.contract.runner import run_contract
from mockserver.openapi.loader import load

SPEC = """
openapi: 3.0.3
info: {title: things, version: "1"}
paths:
  /things:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [count]
                properties: {count: {type: integer}}
"""


async def _wrong_type(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An app that sends `count` as a string: a schema violation on every answer."""
    if scope["type"] != "http":
        return
    body = json.dumps({"count": "7"}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture
def result(tmp_path: Path) -> Any:
    spec = tmp_path / "things.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    api = load(spec)
    target = Target(app=_wrong_type, mount_path="/things-api", serve_command="mockserver serve things.yaml --seed 0")
    return run_contract(api, target, ContractOptions(max_examples=3))


def test_in_process_curl_lines_name_the_served_mock_not_a_url_that_never_existed(result: Any) -> None:
    assert result.violations, render_text([result])
    for violation in result.violations:
        assert "testserver" not in violation.request, violation.request
        assert "http://127.0.0.1:8000/things-api/things" in violation.request


def test_in_process_text_report_says_how_to_replay(result: Any) -> None:
    text = render_text([result])
    assert "testserver" not in text
    assert "no server listened during this run" in text and "`mockserver serve things.yaml --seed 0`" in text
