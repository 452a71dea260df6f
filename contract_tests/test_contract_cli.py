"""`python -m mockserver contract ...` as a user runs it: a real subprocess, its exit code, stdout and stderr.

Exit codes: 0 the target conforms, 1 it has violations, 2 the run could not be made (bad spec, bad
option, unreachable server). The stand-in upstreams (contract_tests/upstreams) run in this test
process on loopback; the subprocess reaches them over HTTP. Credentials never reach the output.
"""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
from upstreams.hostile import misbehaving, write_spec
from upstreams.server import base_url, serve_all

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "good-token"  # the one token the stand-in upstreams accept
AUTH = f"Authorization: Bearer {TOKEN}"
FAST = ("--max-examples", "8", "--rate-limit", "500/s")


def _clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any `<API>_API_KEY` a developer may have set, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    return {**env, **extra}


def contract(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mockserver", "contract", *args],
        cwd=ROOT,
        env=env if env is not None else _clean_env(),
        capture_output=True,
        text=True,
        timeout=180,
    )


def shown(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A loopback port that refuses connections: bound and held for the test, never listened on.

    Held rather than released, so that no other process (another test's server) can start listening on it
    while the test expects nobody there."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture(scope="module")
def root() -> Iterator[str]:
    with serve_all() as url:
        yield url


@pytest.fixture(scope="module")
def drifting(root: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    """One run against OpenRouter with `wrong_type` (a count sent as a string), with --junit-xml."""
    xml = tmp_path_factory.mktemp("junit") / "contract.xml"
    result = contract(
        "openrouter", "--base-url", base_url(root, "openrouter", "wrong_type"), "--header", AUTH,
        "--junit-xml", str(xml), *FAST,
    )  # fmt: skip
    return result, xml


# 1. The bundled mock, in process


def test_contract_without_base_url_checks_the_bundled_mock_and_ends_with_a_conforms_summary() -> None:
    result = contract("onepin", *FAST)
    assert result.returncode == 0, shown(result)
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("onepin: conforms — "), shown(result)
    assert "the mock (in process)" in last


# 2. A real server by --base-url, credentials by --header


def test_faithful_upstream_with_header_token_exits_0_and_never_prints_the_token(root: str) -> None:
    result = contract("openrouter", "--base-url", base_url(root, "openrouter"), "--header", AUTH, *FAST)
    assert result.returncode == 0, shown(result)
    assert result.stdout.strip().splitlines()[-1].startswith("openrouter: conforms — "), shown(result)
    assert TOKEN not in result.stdout + result.stderr


def test_drifting_upstream_exits_1_naming_the_check_with_a_masked_curl_reproduction(
    drifting: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    result, _ = drifting
    assert result.returncode == 1, shown(result)
    assert "(response_schema_conformance)" in result.stdout, shown(result)
    reproduce = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("reproduce: curl")]
    assert reproduce, shown(result)
    assert any("Authorization: Bearer ***" in line for line in reproduce), reproduce
    assert "violation(s)" in result.stdout.strip().splitlines()[-1]


def test_drifting_upstream_run_never_prints_the_token(drifting: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    result, _ = drifting
    assert TOKEN not in result.stdout, shown(result)
    assert TOKEN not in result.stderr, shown(result)


# 3. Credentials from <API>_API_KEY


def test_api_key_from_environment_authenticates_against_faithful_and_is_not_printed(root: str) -> None:
    result = contract("openrouter", "--base-url", base_url(root, "openrouter"), *FAST,
                      env=_clean_env(OPENROUTER_API_KEY=TOKEN))  # fmt: skip
    assert result.returncode == 0, shown(result)
    assert TOKEN not in result.stdout + result.stderr


def test_api_key_from_environment_is_actually_sent_so_a_drifting_200_body_is_caught(root: str) -> None:
    # Without credentials every answer is a documented 401 and the run "conforms": exit 1 here proves the
    # environment's key reached the server (only `good-token` gets the drifting 200 body).
    result = contract("openrouter", "--base-url", base_url(root, "openrouter", "wrong_type"), *FAST,
                      env=_clean_env(OPENROUTER_API_KEY=TOKEN))  # fmt: skip
    assert result.returncode == 1, shown(result)
    assert "(response_schema_conformance)" in result.stdout
    assert "Authorization: Bearer ***" in result.stdout
    assert TOKEN not in result.stdout + result.stderr


# 4. Unreachable server


def test_unreachable_base_url_exits_2_saying_cannot_reach(refused_port: int) -> None:
    url = f"http://127.0.0.1:{refused_port}"
    result = contract("openrouter", "--base-url", url, *FAST)
    assert result.returncode == 2, shown(result)
    assert f"cannot reach {url}" in result.stdout + result.stderr, shown(result)
    assert "Traceback" not in result.stderr


# 5. Bad spec / unknown API


@pytest.mark.parametrize("kind", ["unknown-api-name", "missing-spec-file", "unparsable-spec-file", "not-openapi"])
def test_bad_target_exits_2_with_one_stderr_line_naming_it(kind: str, tmp_path: Path) -> None:
    if kind == "unknown-api-name":
        target = "no-such-api"
    elif kind == "missing-spec-file":
        target = str(tmp_path / "missing.yaml")
    elif kind == "unparsable-spec-file":
        target = str(tmp_path / "broken.yaml")
        Path(target).write_text("openapi: 3.0.3\ninfo: [unclosed\n", encoding="utf-8")
    else:
        target = str(tmp_path / "plain.yaml")
        Path(target).write_text("hello: world\n", encoding="utf-8")
    result = contract(target, *FAST)
    assert result.returncode == 2, shown(result)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, shown(result)
    assert target in lines[0] and lines[0].startswith("mockserver: "), lines[0]
    assert result.stdout == "", shown(result)


# 6. JUnit XML


def test_junit_xml_for_a_drifting_upstream_has_failures_and_no_secret(
    drifting: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    result, xml = drifting
    assert xml.is_file(), shown(result)
    assert TOKEN not in xml.read_text(encoding="utf-8")
    suite = ElementTree.parse(xml).getroot().find("testsuite")
    assert suite is not None and suite.get("name") == "openrouter"
    assert int(suite.get("failures", "0")) > 0
    failure = suite.find("testcase/failure")
    assert failure is not None and failure.get("type") == "response_schema_conformance"


# 7. Malformed --header


def test_header_without_colon_exits_2_explaining_the_expected_form() -> None:
    result = contract("openrouter", "--header", "NoColonHere", *FAST)
    assert result.returncode == 2, shown(result)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, shown(result)
    assert "--header" in lines[0] and "NoColonHere" in lines[0] and "'Name: value'" in lines[0]
    assert result.stdout == ""


# Bugs found while writing the above, pinned (strict: each must fail until fixed)


def test_api_key_in_environment_does_not_replace_the_in_process_mocks_token(monkeypatch: pytest.MonkeyPatch) -> None:
    # In process, to see what the run received (the summary alone cannot tell a 401-only run).
    import mockserver.contract.runner as runner
    from mockserver.cli import main

    seen: list[set[int]] = []
    real = runner.run_contract

    def spy(*args: object, **kwargs: object) -> object:
        result = real(*args, **kwargs)  # type: ignore[arg-type]
        seen.append({s for statuses in result.statuses_seen.values() for s in statuses})
        return result

    monkeypatch.setattr(runner, "run_contract", spy)
    monkeypatch.setenv("OPENROUTER_API_KEY", "a-real-key-for-the-real-api")
    assert main(["contract", "openrouter", *FAST]) == 0
    assert seen and 200 in seen[0], f"statuses the mock answered: {seen}"


def test_explicit_lowercase_authorization_header_wins_over_the_environment_key(root: str) -> None:
    # The explicit (wrong) token must be what is sent: then the drifting 200 body is never seen.
    result = contract("openrouter", "--base-url", base_url(root, "openrouter", "wrong_type"),
                      "--header", "authorization: Bearer explicit-token", *FAST,
                      env=_clean_env(OPENROUTER_API_KEY=TOKEN))  # fmt: skip
    assert "got: 200" not in result.stdout, shown(result)


def test_malformed_header_error_does_not_echo_the_credential() -> None:
    result = contract("openrouter", "--header", f"Authorization Bearer {TOKEN}", *FAST)
    assert result.returncode == 2, shown(result)
    assert TOKEN not in result.stdout + result.stderr, shown(result)


def test_malformed_rate_limit_exits_2_with_one_line() -> None:
    result = contract("onepin", "--max-examples", "8", "--rate-limit", "fast")
    assert result.returncode == 2, shown(result)
    assert "Traceback" not in result.stderr and "rate" in result.stderr, shown(result)


def test_unwritable_junit_path_exits_2_with_one_line(tmp_path: Path, refused_port: int) -> None:
    path = tmp_path / "no-such-dir" / "contract.xml"
    result = contract("openrouter", "--base-url", f"http://127.0.0.1:{refused_port}", "--junit-xml", str(path), *FAST)
    assert result.returncode == 2, shown(result)
    assert "Traceback" not in result.stderr and str(path) in result.stderr, shown(result)


def test_password_in_base_url_is_not_printed(refused_port: int) -> None:
    result = contract("openrouter", "--base-url", f"http://user:{TOKEN}@127.0.0.1:{refused_port}", *FAST)
    assert result.returncode == 2, shown(result)
    assert TOKEN not in result.stdout + result.stderr, shown(result)


# 8. Hostile upstreams (issue 10, items 7 and 8)


def test_an_endless_response_exits_2_with_one_line_in_the_report_and_the_junit(tmp_path: Path) -> None:
    xml = tmp_path / "contract.xml"
    with misbehaving("endless") as upstream:
        result = contract(str(write_spec(tmp_path)), "--base-url", upstream.url, "--header", AUTH,
                          "--max-response-bytes", "64K", "--response-timeout", "5", "--junit-xml", str(xml),
                          "--max-examples", "3")  # fmt: skip
        assert upstream.wait_finished(within=10)
    assert not upstream.overrun, f"the checker kept reading: {upstream.sent} bytes"
    assert result.returncode == 2, shown(result)
    assert "Traceback" not in result.stderr + result.stdout, shown(result)
    failed = [line for line in result.stdout.splitlines() if "run failed:" in line]
    assert failed and "exceeded 64 KB (--max-response-bytes)" in failed[0], shown(result)
    error = ElementTree.parse(xml).getroot().find("testsuite/testcase/error")
    assert error is not None and "exceeded 64 KB" in error.get("message", ""), xml.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("option", "value"), [("--max-response-bytes", "lots"), ("--max-response-bytes", "0"), ("--response-timeout", "-1")]
)
def test_a_malformed_response_limit_exits_2_with_one_line(option: str, value: str) -> None:
    result = contract("onepin", option, value, *FAST)
    assert result.returncode == 2, shown(result)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and option in lines[0], shown(result)


def test_no_secret_reaches_stdout_stderr_or_junit_even_when_the_upstream_echoes_it(tmp_path: Path) -> None:
    # A password in the URL, a header no name rule knows, and the environment's key: all three are sent (the
    # upstream echoes every header value and the URL into a body that breaks the schema), none is printed.
    password, session, key = "pw-SECRET-1", "sess-SECRET-2", "env-SECRET-3"
    basic = base64.b64encode(f"alice:{password}".encode()).decode()
    xml = tmp_path / "contract.xml"
    with misbehaving("echo") as upstream:
        url = upstream.url.replace("http://", f"http://alice:{password}@")
        result = contract(str(write_spec(tmp_path)), "--base-url", url, "--header", f"X-Session-Id: {session}",
                          "--junit-xml", str(xml), "--max-examples", "3",
                          env=_clean_env(HOSTILE_API_KEY=key))  # fmt: skip
        sent = "\n".join(upstream.requests)
    assert result.returncode == 1, shown(result)
    assert session in sent and basic in sent, "the credentials were not sent"
    junit = xml.read_text(encoding="utf-8")
    assert "reproduce: curl" in result.stdout and "got: 200" in result.stdout, shown(result)
    for secret in (password, session, key, basic):
        assert secret not in result.stdout + result.stderr, f"{secret} printed\n{shown(result)}"
        assert secret not in junit, f"{secret} in the JUnit file"


def test_the_environment_key_is_masked_where_the_upstream_echoes_it(tmp_path: Path) -> None:
    key = "env-SECRET-4"
    with misbehaving("echo") as upstream:
        result = contract(str(write_spec(tmp_path)), "--base-url", upstream.url, "--max-examples", "3",
                          env=_clean_env(HOSTILE_API_KEY=key))  # fmt: skip
        sent = "\n".join(upstream.requests)
    assert result.returncode == 1 and f"Bearer {key}" in sent, shown(result)
    assert "got: 200" in result.stdout and key not in result.stdout + result.stderr, shown(result)
