"""Proof that `mockserver contract` tells right from wrong, against stand-in upstreams on loopback.

Each bundled API has a faithful stand-in (contract_tests/upstreams) and drifting variants with one
realistic defect each. The run must pass every faithful one and fail every drifting one, naming the
defect through the check that caught it.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from contract_support import APIS
from upstreams.hostile import Upstream, misbehaving, write_spec
from upstreams.server import VARIANTS, base_url, serve_all
from uvicorn_thread import serving_in_thread

from mockserver.contract.limits import ResponseLimits
from mockserver.contract.report import ApiResult, render_text, write_junit
from mockserver.contract.runner import ContractOptions, Target, run_contract
from mockserver.openapi.loader import load

TOKEN = "good-token"
OPTIONS = ContractOptions(headers={"Authorization": f"Bearer {TOKEN}"}, max_examples=12, rate_limit="500/s")
# Which checks name each defect: the report must carry at least one of them.
NAMED_BY: dict[str, set[str]] = {
    "missing_required_field": {"response_schema_conformance"},
    "wrong_type": {"response_schema_conformance"},
    "enum_out_of_spec": {"response_schema_conformance"},
    "undocumented_status": {"status_code_conformance"},
    "wrong_content_type": {"content_type_conformance"},
    "auth_not_enforced": {"ignored_auth"},
    "server_error_on_bad_input": {"not_a_server_error"},
    "xmock_rule_broken": {"xmock_rules", "xmock_filter", "xmock_limit", "xmock_series", "xmock_echo"},
    "wrong_error_envelope": {"response_schema_conformance", "error_envelope", "xmock_request_rule_probe"},
}
# Lightdash documents one `default` error and no parameter to get wrong: its envelope is only reached by
# a method the path does not declare, which a real server is only sent with --allow-unsafe.
NEEDS_UNSAFE = {("lightdash", "wrong_error_envelope")}
CASES = [(api, variant) for api, variants in VARIANTS.items() for variant in variants]


@pytest.fixture(scope="module")
def root() -> Iterator[str]:
    with serve_all() as url:
        yield url


def check(root: str, api: str, variant: str) -> ApiResult:
    options = OPTIONS
    if (api, variant) in NEEDS_UNSAFE:
        options = ContractOptions(**{**OPTIONS.__dict__, "allow_unsafe": True})
    return run_contract(APIS[api], Target(base_url=base_url(root, api, variant)), options)


@pytest.mark.parametrize(("api", "variant"), CASES, ids=[f"{a}-{v}" for a, v in CASES])
def test_contract_run_passes_faithful_and_names_each_defect(root: str, api: str, variant: str) -> None:
    result = check(root, api, variant)
    report = render_text([result])
    assert not result.errors, report
    if variant == "faithful":
        assert result.ok, f"false positive against a faithful {api}:\n{report}"
        return
    assert not result.ok, f"{api} with {variant} passed the contract:\n{report}"
    found = {v.check for v in result.violations}
    assert found & NAMED_BY[variant], f"{variant} not named; checks that fired: {sorted(found)}\n{report}"


def test_every_variant_is_exercised() -> None:
    # Three APIs have all nine defects; Lightdash has no auth, no prose rule, and a `default` error.
    assert {len(v) for v in VARIANTS.values()} == {10, 7}
    assert set(NAMED_BY) == {v for variants in VARIANTS.values() for v in variants} - {"faithful"}


def test_report_is_deduplicated_reproducible_and_masks_the_token(root: str) -> None:
    result = check(root, "onepin", "wrong_type")
    keys = [v.key for v in result.violations]
    assert len(keys) == len(set(keys)), "a violation was reported twice"
    report = render_text([result])
    assert TOKEN not in report
    assert "reproduce: curl -X GET" in report and "Bearer ***" in report
    assert report.splitlines()[-1].startswith("onepin: ") and "violation" in report.splitlines()[-1]


def test_junit_xml_has_a_failure_per_violation(root: str, tmp_path: Path) -> None:
    result = check(root, "openrouter", "missing_required_field")
    path = str(tmp_path / "junit.xml")
    write_junit([result], path)
    text = Path(path).read_text(encoding="utf-8")
    assert TOKEN not in text
    suite = ElementTree.parse(path).getroot().find("testsuite")
    assert suite is not None and suite.get("name") == "openrouter"
    assert int(suite.get("failures", "0")) == len(result.violations) > 0
    assert suite.find("testcase/failure") is not None


def test_only_safe_methods_reach_a_real_url_unless_allowed(root: str) -> None:
    result = check(root, "onepin", "faithful")
    assert result.ok
    # The faithful stand-in answers 405 to anything but GET/HEAD/OPTIONS: none was sent.
    assert 405 not in result.statuses_seen.get("GET /api/v1/usage/activity", set())
    unsafe = run_contract(
        APIS["onepin"],
        Target(base_url=base_url(root, "onepin", "faithful")),
        ContractOptions(**{**OPTIONS.__dict__, "allow_unsafe": True}),
    )
    assert 405 in unsafe.statuses_seen.get("GET /api/v1/usage/activity", set())
    assert unsafe.ok, render_text([unsafe])


def test_a_throttling_server_is_waited_for_not_reported() -> None:
    from upstreams.server import create_app

    inner = create_app("onepin")
    calls = {"all": 0}

    async def throttling(scope: Any, receive: Any, send: Any) -> None:
        # Every fourth request is told to come back (Retry-After: 0 keeps the test fast).
        if scope["type"] == "http":
            calls["all"] += 1
            if calls["all"] % 4 == 0:
                await send({"type": "http.response.start", "status": 429, "headers": [(b"retry-after", b"0")]})
                await send({"type": "http.response.body", "body": b""})
                return
        await inner(scope, receive, send)

    with serving_in_thread(throttling, log_level="error") as port:
        result = run_contract(APIS["onepin"], Target(base_url=f"http://127.0.0.1:{port}"), OPTIONS)
    assert result.ok, render_text([result])
    assert result.throttling.retries > 0
    assert "throttled" in result.summary()


# Upstreams that misbehave at the transport level (issue 10, item 7): each response is bounded in bytes and time.

SMALL = ResponseLimits(max_bytes=64 * 1024, timeout=1.0)


def _hostile(tmp_path: Path, mode: str, limits: ResponseLimits = SMALL) -> tuple[ApiResult, Upstream]:
    api = load(write_spec(tmp_path))
    with misbehaving(mode) as upstream:
        options = ContractOptions(headers={"Authorization": "Bearer t0ken"}, max_examples=3, limits=limits)
        result = run_contract(api, Target(base_url=upstream.url), options)
        # Every connection closed by the checker, well before the upstream's own budget ran out.
        assert upstream.wait_finished(within=10), f"{mode}: the checker left a connection open"
    assert not upstream.overrun, f"{mode}: the checker kept reading ({upstream.sent} bytes sent)"
    return result, upstream


@pytest.mark.parametrize("mode", ["endless", "huge"])
def test_a_response_larger_than_the_limit_is_cut_short_and_reported_as_a_run_error(tmp_path: Path, mode: str) -> None:
    tracemalloc.start()
    try:
        result, upstream = _hostile(tmp_path, mode)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    report = render_text([result])
    assert result.errors and not result.violations, report
    assert "GET /items on http://127.0.0.1" in report and "exceeded 64 KB (--max-response-bytes)" in report, report
    assert "Traceback" not in report
    assert peak < 32 * 1024 * 1024, f"peak {peak} bytes while reading {upstream.sent}"


def test_a_trickling_response_is_given_up_at_the_deadline(tmp_path: Path) -> None:
    result, _ = _hostile(tmp_path, "trickle")
    report = render_text([result])
    assert result.errors, report
    assert "no complete response within 1 s (--response-timeout)" in result.summary(), report


def test_a_response_within_the_limits_is_checked_as_usual(root: str) -> None:
    limits = ResponseLimits(max_bytes=256 * 1024, timeout=20)
    result = run_contract(
        APIS["onepin"], Target(base_url=base_url(root, "onepin", "wrong_type")), replace(OPTIONS, limits=limits)
    )
    assert not result.errors and "response_schema_conformance" in {v.check for v in result.violations}


# One defect, one report (issue 10, item 14): the no-credentials probe sends none, and its 200 is not an envelope.


@pytest.mark.parametrize(
    ("api", "variant", "checks"),
    [
        ("openrouter", "wrong_type", {"response_schema_conformance"}),
        ("onepin", "missing_required_field", {"response_schema_conformance"}),
        ("openrouter", "auth_not_enforced", {"ignored_auth"}),
    ],
)
def test_a_single_defect_is_reported_once_under_its_own_check(
    root: str, api: str, variant: str, checks: set[str]
) -> None:
    result = check(root, api, variant)
    found = [v.check for v in result.violations]
    # schemathesis may add its own reading of the same defect (missing_required_header for ignored auth);
    # the probes must not add another one, nor file a 200 under `error_envelope`.
    assert checks <= set(found) and "error_envelope" not in found, render_text([result])
    assert len(found) == len(set(found)), render_text([result])


def test_the_no_credentials_probe_sends_no_credential_at_all(tmp_path: Path) -> None:
    api = load(write_spec(tmp_path))
    with misbehaving("echo") as upstream:
        url = upstream.url.replace("http://", "http://user:pass-word@")
        headers = {"Authorization": "Bearer t0ken-1", "X-Session-Id": "sess-2"}
        run_contract(api, Target(base_url=url), ContractOptions(headers=headers, max_examples=2))
        sent = list(upstream.requests)
    bare = [r for r in sent if "t0ken-1" not in r and "sess-2" not in r and "authorization" not in r.lower()]
    assert any(r.startswith("GET /items") for r in bare), "no request went out without credentials"


def test_a_run_where_every_answer_is_401_is_an_error_not_a_pass(root: str) -> None:
    # Onepin's stand-in answers schemathesis' OPTIONS request with 204: that is not a 2xx of the operation.
    options = replace(OPTIONS, headers={"Authorization": "Bearer wrong-token"})
    result = run_contract(APIS["onepin"], Target(base_url=base_url(root, "onepin", "faithful")), options)
    assert any("no request got a 2xx answer" in error for error in result.errors), result.errors
    assert result.statuses_seen == {"GET /api/v1/usage/activity": {401}}
    assert not result.ok
