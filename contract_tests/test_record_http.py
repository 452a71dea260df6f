"""`mockserver fixtures record`: real answers become fixtures the mock serves, credentials left behind."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
import yaml
from contract_support import APIS, ROOT
from starlette.testclient import TestClient
from upstreams.hostile import misbehaving, write_spec
from upstreams.server import base_url, serve_all

from mockserver.openapi.loader import load

TOKEN = "good-token"


@pytest.fixture(scope="module")
def root() -> Iterator[str]:
    with serve_all() as url:
        yield url


def _record(root: str, api: str, fixtures: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mockserver",
            "fixtures",
            "record",
            api,
            "--base-url",
            base_url(root, api),
            "--fixtures-dir",
            str(fixtures),
            *extra,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_recorded_answer_is_written_without_credentials(root: str, tmp_path: Path) -> None:
    result = _record(root, "onepin", tmp_path, "--header", f"Authorization: Bearer {TOKEN}")
    assert result.returncode == 0, result.stderr
    [written] = list((tmp_path / "onepin").rglob("*.yaml"))
    text = written.read_text(encoding="utf-8")
    assert TOKEN not in text and TOKEN not in result.stdout and "authorization" not in text.lower()
    fixture = yaml.safe_load(text)
    assert fixture["status"] == 200 and fixture["body"]["data"]


def test_mock_replays_a_recorded_answer(
    serve_app: Callable[..., AbstractContextManager[TestClient]], root: str, tmp_path: Path
) -> None:
    # The layout the mock reads: <root>/specs/<api>.yaml beside <root>/fixtures/<api>/<operationId>/.
    (tmp_path / "specs").mkdir()
    spec = tmp_path / "specs" / "openrouter.yaml"
    spec.write_text(APIS["openrouter"].file.read_text(encoding="utf-8"), encoding="utf-8")
    result = _record(
        root, "openrouter", tmp_path / "fixtures", "--header", f"Authorization: Bearer {TOKEN}", "--name", "live"
    )
    assert result.returncode == 0, result.stderr
    recorded = yaml.safe_load(next((tmp_path / "fixtures").rglob("live-200.yaml")).read_text(encoding="utf-8"))
    with serve_app([load(spec)]) as client:
        response = client.get(
            "/openrouter/api/v1/activity", headers={"Authorization": "Bearer x", "Prefer": "example=live-200"}
        )
    assert response.status_code == 200 and response.json() == recorded["body"]


def test_unreachable_host_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mockserver",
            "fixtures",
            "record",
            "onepin",
            "--base-url",
            "http://127.0.0.1:9",
            "--fixtures-dir",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_without_valid_credentials_nothing_is_recorded_and_the_exit_says_why(root: str, tmp_path: Path) -> None:
    # The stand-in refuses a missing token with 401: that is not the API's answer, so no `recorded-401.yaml`.
    result = _record(root, "onepin", tmp_path, "--header", "Authorization: Bearer wrong-token")
    assert result.returncode == 2, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "401" in lines[0] and "credentials are probably missing or invalid" in lines[0], lines
    assert "wrong-token" not in result.stdout + result.stderr
    assert not list(tmp_path.rglob("*.yaml")), "a refusal was written as a fixture"


def _echo_spec(folder: Path) -> Path:
    """The hostile spec with a 200 schema the echo upstream's body (`{url, seen}`) matches."""
    spec = write_spec(folder)
    text = spec.read_text(encoding="utf-8").replace(
        "required: [items], properties: {items:", "required: [seen], properties: {seen:"
    )
    spec.write_text(text, encoding="utf-8")
    return spec


def test_a_credential_the_server_echoes_is_not_stored_in_the_fixture(tmp_path: Path) -> None:
    spec = _echo_spec(tmp_path)
    with misbehaving("echo") as upstream:
        result = subprocess.run(
            [sys.executable, "-m", "mockserver", "fixtures", "record", str(spec), "--base-url", upstream.url,
             "--header", "X-Session-Id: sess-SECRET-5", "--fixtures-dir", str(tmp_path / "fixtures")],
            cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        sent = "\n".join(upstream.requests)
    assert result.returncode == 0, result.stderr
    assert "sess-SECRET-5" in sent
    [written] = list((tmp_path / "fixtures").rglob("*.yaml"))
    assert "sess-SECRET-5" not in written.read_text(encoding="utf-8")
    assert "***" in yaml.safe_load(written.read_text(encoding="utf-8"))["body"]["seen"]


def test_an_answer_not_matching_its_schema_is_reported_and_not_written(tmp_path: Path) -> None:
    # The echo's `{url, seen}` lacks the `items` the spec requires: the mock would not serve it as a fixture.
    spec = write_spec(tmp_path)
    with misbehaving("echo") as upstream:
        result = subprocess.run(
            [sys.executable, "-m", "mockserver", "fixtures", "record", str(spec), "--base-url", upstream.url,
             "--header", "X-Session-Id: sess-SECRET-6", "--fixtures-dir", str(tmp_path / "fixtures")],
            cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    assert "listItems: 200 not recorded" in result.stderr and "'items' is a required property" in result.stderr
    assert "sess-SECRET-6" not in result.stdout + result.stderr and "Traceback" not in result.stderr
    assert not list((tmp_path / "fixtures").rglob("*.yaml")), "an invalid answer was written"


def test_a_response_beyond_the_size_limit_is_not_recorded(tmp_path: Path) -> None:
    spec = write_spec(tmp_path)
    with misbehaving("endless") as upstream:
        result = subprocess.run(
            [sys.executable, "-m", "mockserver", "fixtures", "record", str(spec), "--base-url", upstream.url,
             "--max-response-bytes", "64K", "--fixtures-dir", str(tmp_path / "fixtures")],
            cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert upstream.wait_finished(within=10)
    assert not upstream.overrun
    assert result.returncode == 2 and "exceeded 64 KB" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_an_error_answer_is_reported_on_stderr_and_not_written(root: str, tmp_path: Path) -> None:
    # Today's `fixtures record` wrote such a 404 as `recorded-404.yaml` and exited 0.
    url = base_url(root, "onepin") + "/no-such-prefix"
    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "fixtures", "record", "onepin", "--base-url", url,
         "--header", f"Authorization: Bearer {TOKEN}", "--fixtures-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    assert "404 not recorded: 404 is an error answer" in result.stderr, result.stderr
    assert "nothing of onepin was recorded" in result.stderr and TOKEN not in result.stdout + result.stderr
    assert not list(tmp_path.rglob("*.yaml")), "an error answer was written as a fixture"


def test_record_errors_keeps_a_documented_error_answer(root: str, tmp_path: Path) -> None:
    url = base_url(root, "onepin") + "/no-such-prefix"
    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "fixtures", "record", "onepin", "--base-url", url,
         "--header", f"Authorization: Bearer {TOKEN}", "--fixtures-dir", str(tmp_path), "--record-errors"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    [written] = list(tmp_path.rglob("*.yaml"))
    assert written.stem == "recorded-404" and "status: 404" in written.read_text(encoding="utf-8")


def test_a_name_that_is_not_a_file_name_is_refused_and_nothing_is_written_outside(root: str, tmp_path: Path) -> None:
    result = _record(
        root, "onepin", tmp_path / "fixtures", "--header", f"Authorization: Bearer {TOKEN}", "--name", "../../../out"
    )
    assert result.returncode == 2 and "--name" in result.stderr and "not a safe file name" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not list(tmp_path.rglob("*.yaml")), "a fixture was written through the name"
