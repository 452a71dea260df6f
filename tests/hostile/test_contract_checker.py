"""The contract checker against hostile input, without sockets: what it hides and how it reads its limits.

The socket-level halves (upstreams that stream forever, trickle or echo credentials) are in
contract_tests/: test_contract_upstreams.py, test_contract_cli.py and test_record_http.py.
"""

from __future__ import annotations

import base64

import pytest

from mockserver.cli import main
from mockserver.contract.limits import describe_size
from mockserver.contract.report import EXCERPT, ApiResult, Violation, excerpt, render_text
from mockserver.redact import mask_values, secret_values


def test_every_header_value_is_hidden_by_value_whatever_the_header_is_called() -> None:
    secrets = secret_values({"X-Session-Id": "sess-1234", "Authorization": "Bearer tok/en+5"})
    text = mask_values("sess-1234 and tok/en+5 and tok%2Fen%2B5 and tok\\/en+5", secrets)
    assert "sess-1234" not in text and "tok" not in text, text


def test_the_password_of_a_url_is_hidden_as_itself_as_basic_credentials_and_in_every_url() -> None:
    url = "https://alice:pa55word@api.example.com/v1"
    basic = base64.b64encode(b"alice:pa55word").decode()
    text = mask_values(f"curl {url}/items -H 'Authorization: Basic {basic}' got pa55word", secret_values({}, url))
    assert "pa55word" not in text and basic not in text and "alice" not in text, text
    assert "https://***@api.example.com/v1/items" in text


def test_a_key_used_as_the_url_user_name_is_hidden() -> None:
    assert "sk_live_9" not in mask_values("echo sk_live_9", secret_values({}, "https://sk_live_9@api.example.com"))


def test_content_negotiation_values_and_very_short_values_are_left_alone() -> None:
    secrets = secret_values({"Accept": "application/json", "X-Flag": "on"})
    assert mask_values("expected application/json, flag on", secrets) == "expected application/json, flag on"


def test_an_excerpt_is_masked_before_it_is_cut() -> None:
    secret = "s3cr3t-value-0123456789"
    body = ("x" * (EXCERPT - 5) + secret).encode()
    assert "s3cr3t" not in excerpt(body, secret_values({"X-Key-Id": secret}))


def test_a_violation_is_stored_masked_and_so_is_a_run_error() -> None:
    result = ApiResult(api="a", target="t", secrets=secret_values({"X-Session-Id": "sess-SECRET"}))
    result.add(Violation("a", "GET /x", "c", "t", "saw sess-SECRET", 200, "sess-SECRET", "curl -H 'X: sess-SECRET'"))
    result.errors.append("ConnectionError: http://u:sess-SECRET@host/x")
    assert "sess-SECRET" not in render_text([result])


def test_sizes_read_like_a_person_wrote_them() -> None:
    assert [describe_size(n) for n in (300, 64 * 1024, 8 * 1024 * 1024)] == ["300 bytes", "64 KB", "8 MB"]


@pytest.mark.parametrize(
    ("option", "value"),
    [("--max-response-bytes", "lots"), ("--max-response-bytes", "0"), ("--response-timeout", "0"),
     ("--response-timeout", "soon")],
)  # fmt: skip
def test_a_malformed_response_limit_is_refused_before_anything_is_sent(
    option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["contract", "onepin", "--base-url", "http://127.0.0.1:9", option, value]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and option in err and "cannot reach" not in err
