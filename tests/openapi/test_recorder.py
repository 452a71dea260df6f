"""FixtureRecorder: each distinct answer one fixture file, redacted and schema-checked; what is not written says why."""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from serve_app_type import ServeApp

from mockserver.openapi.fixtures import load_fixtures
from mockserver.openapi.loader import load
from mockserver.openapi.model import ApiSpec, Operation
from mockserver.openapi.recorder import FixtureRecorder, Outcome, Refusal, UnsafeName, request_secrets
from mockserver.redact import secret_values

TOKEN = "tok-Zq81xRecorderSecret"  # distinctive: found nowhere else
SPEC = """\
openapi: 3.0.3
info: {title: Shop, version: "1"}
paths:
  /items/{id}:
    get:
      operationId: getItem
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: one item
          headers:
            X-Request-Id: {schema: {type: string}}
            Set-Cookie: {schema: {type: string}}
            X-Auth-Token: {schema: {type: string}}
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties:
                  id: {type: string}
                  count: {type: integer}
                  owner: {type: object, properties: {notes: {type: array, items: {type: string}}}}
        "404":
          description: none
          content:
            application/json:
              schema: {type: object, required: [error], properties: {error: {type: string}}}
        "401": {description: no credentials}
  /notes:
    get:
      operationId: getNotes
      responses:
        "200":
          description: text
          content: {text/plain: {schema: {type: string}}}
  /escape:
    get:
      operationId: ../../escape
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
"""
JSON = "application/json"


@pytest.fixture
def api(tmp_path: Path) -> ApiSpec:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "shop.yaml").write_text(SPEC, encoding="utf-8")
    return load(tmp_path / "specs" / "shop.yaml")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "fixtures"  # where load_fixtures looks for specs/shop.yaml's fixtures


def _op(api: ApiSpec, operation_id: str = "getItem") -> Operation:
    return api.operation(operation_id)


def _body(**fields: object) -> bytes:
    return json.dumps({"id": "i-1", **fields}).encode()


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_distinct_answers_get_distinct_files_and_a_repeat_is_a_duplicate(api: ApiSpec, root: Path) -> None:
    recorder = FixtureRecorder(api, root, "live")
    first = recorder.record(_op(api), 200, {}, _body(count=1), JSON)
    second = recorder.record(_op(api), 200, {}, _body(count=2), JSON)
    again = recorder.record(_op(api), 200, {}, _body(count=1), JSON)
    assert first.outcome is Outcome.WRITTEN and second.outcome is Outcome.WRITTEN and first.path != second.path
    assert again.outcome is Outcome.DUPLICATE and again.path == first.path
    assert first.path is not None and first.path.parent == root / "shop" / "getItem"
    assert first.name is not None and first.name.startswith("live-200-") and len(first.name) == len("live-200-") + 8
    assert len(_files(root)) == 2


def test_the_same_answer_recorded_by_a_later_run_is_not_written_again(api: ApiSpec, root: Path) -> None:
    first = FixtureRecorder(api, root).record(_op(api), 200, {}, _body(count=1), JSON)
    later = FixtureRecorder(api, root).record(_op(api), 200, {}, _body(count=1), JSON)
    assert first.outcome is Outcome.WRITTEN and later.outcome is Outcome.DUPLICATE and later.path == first.path


def test_answers_differing_only_by_a_masked_credential_are_one_fixture(api: ApiSpec, root: Path) -> None:
    recorder = FixtureRecorder(api, root)
    one = recorder.record(_op(api), 200, {}, _body(owner={"notes": ["tok-AAAA1111"]}), JSON, secrets=["tok-AAAA1111"])
    two = recorder.record(_op(api), 200, {}, _body(owner={"notes": ["tok-BBBB2222"]}), JSON, secrets=["tok-BBBB2222"])
    assert one.outcome is Outcome.WRITTEN and two.outcome is Outcome.DUPLICATE


def test_credentials_are_masked_in_nested_strings_and_only_documented_headers_are_kept(
    api: ApiSpec, root: Path
) -> None:
    secrets = secret_values({"Authorization": f"Bearer {TOKEN}"})
    body = _body(owner={"notes": [f"seen Bearer {TOKEN} here", "fine"]})
    headers = [
        ("Content-Type", "application/json; charset=utf-8"),
        ("X-Request-Id", f"req-1-{TOKEN}"),
        ("Set-Cookie", f"session={TOKEN}"),  # documented, still never kept
        ("X-Auth-Token", TOKEN),  # documented, credential-like: never kept
        ("X-Undocumented", "drop me"),
        ("Content-Length", str(len(body))),
    ]
    recording = FixtureRecorder(api, root, secrets=secrets).record(_op(api), 200, headers, body, JSON)
    assert recording.outcome is Outcome.WRITTEN and recording.path is not None
    text = recording.path.read_text(encoding="utf-8")
    assert TOKEN not in text and "session" not in text.lower() and "cookie" not in text.lower()
    stored = yaml.safe_load(text)
    assert stored["headers"] == {"Content-Type": "application/json; charset=utf-8", "X-Request-Id": "req-1-***"}
    assert stored["body"]["owner"]["notes"] == ["seen *** here", "fine"]  # the whole "Bearer …" value is one secret


def test_request_secrets_cover_a_requests_credential_headers_cookies_and_query(api: ApiSpec, root: Path) -> None:
    headers = {"Authorization": "Bearer tok-header-1234", "Cookie": "sid=cookie-5678; theme=dark", "Accept": JSON}
    secrets = request_secrets(headers, "http://up.example/items/1?api_key=query-9012&page=2")
    body = _body(owner={"notes": ["tok-header-1234", "cookie-5678", "query-9012", JSON]})
    recording = FixtureRecorder(api, root).record(_op(api), 200, {}, body, JSON, secrets=secrets)
    assert recording.path is not None
    stored = yaml.safe_load(recording.path.read_text(encoding="utf-8"))
    assert stored["body"]["owner"]["notes"] == ["***", "***", "***", JSON]  # a content type is not a credential


def test_a_body_not_matching_the_schema_is_refused_with_the_schema_error(api: ApiSpec, root: Path) -> None:
    recording = FixtureRecorder(api, root).record(_op(api), 200, {}, b'{"count": "many"}', JSON)
    assert recording.outcome is Outcome.REFUSED and recording.refusal is Refusal.INVALID
    assert "'id' is a required property" in recording.reason and recording.path is None
    assert not _files(root)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"<html>oops</html>", "not JSON"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b'{"id": NaN}', "not JSON"),
        (b"", "the body is empty and the 200 schema wants one"),
    ],
)
def test_a_body_a_fixture_cannot_hold_is_refused(api: ApiSpec, root: Path, body: bytes, why: str) -> None:
    recording = FixtureRecorder(api, root).record(_op(api), 200, {}, body, JSON)
    assert recording.refusal is Refusal.INVALID and why in recording.reason and not _files(root)


@pytest.mark.parametrize("status", [401, 403])
def test_a_refusal_of_the_credentials_is_never_recorded(api: ApiSpec, root: Path, status: int) -> None:
    recording = FixtureRecorder(api, root, record_errors=True).record(_op(api), status, {}, b"", None)
    assert recording.refusal is Refusal.CREDENTIALS and "credentials" in recording.reason and not _files(root)


def test_an_error_answer_is_refused_unless_documented_and_opted_in(api: ApiSpec, root: Path) -> None:
    error = b'{"error": "no such item"}'
    by_default = FixtureRecorder(api, root).record(_op(api), 404, {}, error, JSON)
    undocumented = FixtureRecorder(api, root, record_errors=True).record(_op(api), 500, {}, error, JSON)
    assert by_default.refusal is Refusal.ERROR and "404 is an error answer" in by_default.reason
    assert undocumented.refusal is Refusal.ERROR and "undocumented" in undocumented.reason
    assert not _files(root)
    opted_in = FixtureRecorder(api, root, record_errors=True).record(_op(api), 404, {}, error, JSON)
    assert opted_in.outcome is Outcome.WRITTEN


def test_an_undocumented_success_status_is_refused(api: ApiSpec, root: Path) -> None:
    recording = FixtureRecorder(api, root).record(_op(api, "getNotes"), 202, {}, b"queued", "text/plain")
    assert recording.refusal is Refusal.UNDOCUMENTED and not _files(root)


def test_a_text_answer_is_kept_as_text(api: ApiSpec, root: Path) -> None:
    recording = FixtureRecorder(api, root).record(_op(api, "getNotes"), 200, {}, b"line one\n", "text/plain")
    assert recording.path is not None and yaml.safe_load(recording.path.read_text(encoding="utf-8"))["body"] == (
        "line one\n"
    )


def test_a_body_over_the_size_limit_is_refused(api: ApiSpec, root: Path) -> None:
    body = _body(owner={"notes": ["x" * 2000]})
    recording = FixtureRecorder(api, root, max_body_bytes=1000).record(_op(api), 200, {}, body, JSON)
    assert recording.refusal is Refusal.TOO_LARGE and "1000-byte limit" in recording.reason and not _files(root)


def test_past_the_per_operation_limit_answers_are_refused_counting_earlier_runs(api: ApiSpec, root: Path) -> None:
    FixtureRecorder(api, root, max_per_operation=2).record(_op(api), 200, {}, _body(count=1), JSON)
    recorder = FixtureRecorder(api, root, max_per_operation=2)
    assert recorder.record(_op(api), 200, {}, _body(count=2), JSON).outcome is Outcome.WRITTEN
    over = recorder.record(_op(api), 200, {}, _body(count=3), JSON)
    assert over.refusal is Refusal.TOO_MANY and "2 recordings" in over.reason
    assert recorder.record(_op(api), 200, {}, _body(count=1), JSON).outcome is Outcome.DUPLICATE
    assert len(_files(root)) == 2


def test_an_operation_id_that_is_not_a_safe_folder_name_is_never_a_path(
    api: ApiSpec, root: Path, tmp_path: Path
) -> None:
    recording = FixtureRecorder(api, root).record(_op(api, "../../escape"), 200, {}, b"{}", JSON)
    assert recording.refusal is Refusal.UNSAFE_NAME and recording.path is None
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix == ".yaml" and p.parent.name != "specs"]


@pytest.mark.parametrize("prefix", ["../out", "a/b", ".hidden", ""])
def test_a_name_prefix_that_is_not_a_file_name_is_refused(api: ApiSpec, root: Path, prefix: str) -> None:
    with pytest.raises(UnsafeName, match="not a safe file name"):
        FixtureRecorder(api, root, prefix)


def test_a_folder_linked_outside_the_root_is_not_written_through(api: ApiSpec, root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "shop").mkdir(parents=True)
    (root / "shop" / "getItem").symlink_to(outside, target_is_directory=True)
    recording = FixtureRecorder(api, root).record(_op(api), 200, {}, _body(), JSON)
    assert recording.refusal is Refusal.UNSAFE_NAME and not list(outside.iterdir())


def test_a_failed_write_leaves_no_partial_file_and_keeps_the_older_one(
    api: ApiSpec, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    older = FixtureRecorder(api, root, snapshot=True).record(_op(api), 200, {}, _body(count=1), JSON)
    assert older.path is not None and older.name == "recorded-200"
    before = older.path.read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    failed = FixtureRecorder(api, root, snapshot=True).record(_op(api), 200, {}, _body(count=2), JSON)
    assert failed.refusal is Refusal.FAILED and "No space left on device" in failed.reason
    assert _files(root) == [older.path] and older.path.read_bytes() == before


def test_snapshot_names_the_first_answer_by_status_and_replaces_an_older_one(api: ApiSpec, root: Path) -> None:
    FixtureRecorder(api, root, snapshot=True).record(_op(api), 200, {}, _body(count=1), JSON)
    again = FixtureRecorder(api, root, snapshot=True).record(_op(api), 200, {}, _body(count=2), JSON)
    assert again.outcome is Outcome.WRITTEN and again.path is not None and again.name == "recorded-200"
    assert yaml.safe_load(again.path.read_text(encoding="utf-8"))["body"]["count"] == 2 and len(_files(root)) == 1


def test_a_recorded_file_is_read_back_as_the_fixture_it_records(api: ApiSpec, root: Path) -> None:
    body = _body(count=3, owner={"notes": ["2024-01-01", "yes", "007"]})  # strings YAML would retype if unquoted
    headers = {"Content-Type": JSON, "X-Request-Id": "r-9"}
    recording = FixtureRecorder(api, root).record(_op(api), 200, headers, body, JSON)
    assert recording.name is not None
    fixture = load_fixtures(api)["getItem"][recording.name]
    assert fixture.status == 200 and fixture.body == json.loads(body) and fixture.headers == {"X-Request-Id": "r-9"}


def test_serve_replays_a_recorded_answer_by_its_name(api: ApiSpec, root: Path, serve_app: ServeApp) -> None:
    body = _body(count=42, owner={"notes": ["recorded upstream"]})
    recording = FixtureRecorder(api, root, "live").record(_op(api), 200, {"X-Request-Id": "r-42"}, body, JSON)
    assert recording.name is not None
    with serve_app([api]) as client:
        response = client.get("/shop/items/i-1", headers={"Prefer": f"example={recording.name}"})
    assert response.status_code == 200 and response.json() == json.loads(body)
    assert response.headers["X-Request-Id"] == "r-42"


def test_the_same_answer_from_many_threads_is_written_once(api: ApiSpec, root: Path) -> None:
    recorder = FixtureRecorder(api, root)
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda _: recorder.record(_op(api), 200, {}, _body(), JSON).outcome, range(16)))
    assert outcomes.count(Outcome.WRITTEN) == 1 and outcomes.count(Outcome.DUPLICATE) == 15
    assert len(_files(root)) == 1
