"""Hostile specs (issue 10): nothing a spec names leaks, reaches the network, hangs or is silently hidden."""

from __future__ import annotations

import http.server
import logging
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_app_type import ServeApp

from mockserver.cli import main
from mockserver.errors import SpecErrorKind, SpecLoadError
from mockserver.openapi import model
from mockserver.openapi.fixtures import load_fixtures
from mockserver.openapi.loader import load, load_all, loading
from mockserver.openapi.remote import RemoteDocuments, RemoteRefError, fetch
from mockserver.serving.app import build_app
from mockserver.serving.config import ServerConfig

SECRET = "sk-live-XYZ0123456789"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def spec_with_schema_ref(folder: Path, ref: str, name: str = "api.yaml") -> Path:
    return write(
        folder,
        name,
        f"""\
        openapi: 3.0.3
        info: {{title: t, version: '1'}}
        paths:
          /x:
            get:
              operationId: getX
              responses:
                '200': {{description: ok, content: {{application/json: {{schema: {{$ref: '{ref}'}}}}}}}}
        """,
    )


# --- item 1: a referenced file's content is never printed -------------------------------------------


@pytest.mark.parametrize("ref", ["./secret.env", "./config.yaml#/api_key", "./config.yaml#/nested"])
@pytest.mark.parametrize("strict", [False, True], ids=["lenient", "strict"])
def test_a_referenced_secret_never_appears_in_list_output(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, ref: str, strict: bool
) -> None:
    (tmp_path / "secret.env").write_text(f"OPENAI_API_KEY={SECRET}\n", encoding="utf-8")
    (tmp_path / "config.yaml").write_text(f"api_key: {SECRET}\nnested: [{SECRET}]\n", encoding="utf-8")
    path = spec_with_schema_ref(tmp_path, ref)
    code = main(["list", str(path), *(["--strict"] if strict else [])])
    out, err = capfd.readouterr()
    printed = out + err + caplog.text
    assert SECRET not in printed and "sk-live" not in printed
    # The problem is named: which file and pointer, and what kind of problem, with no excerpt of the value.
    assert ref.split("#")[0].lstrip("./") in printed
    assert code == (2 if strict else 0)


@pytest.mark.parametrize("ref", ["./secret.env", "./config.yaml#/api_key"])
def test_a_referenced_secret_is_never_served_nor_named_by_serves_loading(
    serve_app: ServeApp, tmp_path: Path, caplog: pytest.LogCaptureFixture, ref: str
) -> None:
    (tmp_path / "secret.env").write_text(f"OPENAI_API_KEY={SECRET}\n", encoding="utf-8")
    (tmp_path / "config.yaml").write_text(f"api_key: {SECRET}\n", encoding="utf-8")
    path = spec_with_schema_ref(tmp_path, ref)
    with pytest.raises(SpecLoadError) as raised, loading([path], strict=True) as apis:
        build_app(apis, ServerConfig())
    assert SECRET not in str(raised.value) and ref.split("#")[0].lstrip("./") in str(raised.value)
    with caplog.at_level(logging.WARNING, "mockserver"), loading([path]) as apis, serve_app(apis) as client:
        served = client.get("/api/x", headers={"Prefer": "dynamic=false"}).text
        document = client.get("/api/openapi.json").text
    assert SECRET not in served + document + caplog.text


def test_a_file_ref_to_a_non_spec_file_is_left_out_naming_file_and_pointer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "secret.env").write_text(f"KEY={SECRET}\n", encoding="utf-8")
    path = spec_with_schema_ref(tmp_path, "./secret.env")
    with caplog.at_level(logging.WARNING, "mockserver"):
        [op] = load(path).operations
    assert op.responses["200"].schema == {}
    assert "#/paths/~1x/get/responses/200/content/application~1json/schema" in caplog.text
    assert "not a .yaml, .yml or .json file" in caplog.text
    with pytest.raises(SpecLoadError) as raised:
        load(path, strict=True)
    assert raised.value.kind is SpecErrorKind.BAD_REFERENCE and SECRET not in str(raised.value)


# --- item 2: remote $refs ----------------------------------------------------------------------------


class _Upstream(http.server.ThreadingHTTPServer):
    daemon_threads = True
    hits: list[str]


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Upstream

    def do_GET(self) -> None:
        self.server.hits.append(self.path)
        if self.path.startswith("/huge"):
            self.send_response(200)
            self.end_headers()  # no Content-Length: the body never ends
            chunk = b"#" * 65536
            try:
                for _ in range(100_000):
                    self.wfile.write(chunk)
            except OSError:
                pass
            return
        if self.path.startswith("/slow"):
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass
            return
        body = b"type: object\nproperties: {name: {type: string}}\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def upstream() -> Iterator[_Upstream]:
    server = _Upstream(("127.0.0.1", 0), _Handler)
    server.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def url(server: _Upstream, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def test_without_the_flag_a_remote_ref_is_never_fetched(
    tmp_path: Path, upstream: _Upstream, caplog: pytest.LogCaptureFixture
) -> None:
    remote = url(upstream, "/schema.yaml")
    path = spec_with_schema_ref(tmp_path, remote)
    with caplog.at_level(logging.WARNING, "mockserver"):
        [api] = load_all([path])  # lenient: the validator runs too, in this process
    [op] = api.operations
    assert op.responses["200"].schema == {}  # the part is left out
    assert remote in caplog.text and "--allow-remote-refs" in caplog.text
    assert "#/paths/~1x/get/responses/200/content/application~1json/schema" in caplog.text
    with pytest.raises(SpecLoadError) as raised:
        load_all([path], strict=True)
    assert raised.value.kind is SpecErrorKind.BAD_REFERENCE and remote in str(raised.value)
    assert upstream.hits == []


def test_with_the_flag_a_remote_ref_is_fetched_once(tmp_path: Path, upstream: _Upstream) -> None:
    remote = url(upstream, "/schema.yaml")
    path = spec_with_schema_ref(tmp_path, remote)
    [api] = load_all([path], strict=True, allow_remote_refs=True)  # validated and resolved: one fetch
    schema = api.operations[0].responses["200"].schema
    assert schema is not None and schema["properties"]["name"]["type"] == "string"
    assert upstream.hits == ["/schema.yaml"]


def test_an_endless_remote_document_is_cut_off_with_a_clear_error(tmp_path: Path, upstream: _Upstream) -> None:
    with pytest.raises(RemoteRefError, match=r"more than the 1048576 bytes allowed; cut off"):
        fetch(url(upstream, "/huge"), max_bytes=1 << 20, timeout=10)
    path = spec_with_schema_ref(tmp_path, url(upstream, "/huge.yaml"))
    started = time.monotonic()
    with pytest.raises(SpecLoadError, match="cut off"):
        load_all([path], strict=True, allow_remote_refs=True)  # the default 10 MB
    assert time.monotonic() - started < 30


def test_a_slow_remote_document_is_abandoned_at_its_deadline(upstream: _Upstream) -> None:
    started = time.monotonic()
    with pytest.raises(RemoteRefError, match="not fetched within 1 s"):
        RemoteDocuments(allowed=True, timeout=1).get(url(upstream, "/slow.yaml"))
    assert time.monotonic() - started < 8  # the trickle would take 20 s


# --- item 11: alias bombs, shared refs ---------------------------------------------------------------


def test_a_yaml_alias_bomb_is_refused_quickly_naming_the_file(tmp_path: Path) -> None:
    levels = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    path = write(
        tmp_path, "bomb.yaml", "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n" + "\n".join(levels)
    )
    started = time.monotonic()
    with pytest.raises(SpecLoadError) as raised:
        load(path)
    assert time.monotonic() - started < 10
    assert raised.value.kind is SpecErrorKind.SYNTAX and str(path) in str(raised.value)
    assert "alias" in raised.value.detail


def test_a_few_yaml_anchors_still_load(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "anchors.yaml",
        """\
        openapi: 3.0.3
        info: {title: t, version: '1'}
        paths:
          /a: {get: {responses: &ok {'200': {description: ok}}}}
          /b: {get: {responses: *ok}}
        """,
    )
    assert [op.path for op in load(path, strict=True).operations] == ["/a", "/b"]


def test_ten_thousand_refs_to_one_big_schema_share_one_resolved_object(tmp_path: Path) -> None:
    big = {f"field{i}": {"type": "string", "description": "x" * 50} for i in range(2000)}
    paths = {
        f"/r{i}": {
            "get": {
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Big"}}},
                    }
                }
            }
        }
        for i in range(10_000)
    }
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": paths,
        "components": {"schemas": {"Big": {"type": "object", "properties": big}}},
    }
    import json

    path = tmp_path / "big.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    started = time.monotonic()
    api = load(path, strict=False)
    assert time.monotonic() - started < 60
    schemas = {id(op.responses["200"].schema) for op in api.operations}
    assert len(schemas) == 1


# --- item 14: routes and names the mock's own endpoints would hide -----------------------------------


def test_the_reserved_paths_match_what_the_serving_layer_answers_itself() -> None:
    from mockserver.serving.journal import JOURNAL_PATH
    from mockserver.serving.middleware import SPEC_PATH, UI_PATH

    assert JOURNAL_PATH.startswith(model.ADMIN_PREFIX + "/")
    assert (SPEC_PATH, UI_PATH) == (model.SPEC_DOCUMENT, model.DOCS_PREFIX)


def test_an_api_named_like_the_mocks_own_endpoints_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "__mock.yaml", "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n")
    for strict in (False, True):
        with pytest.raises(SpecLoadError) as raised:
            load_all([path], strict=strict)
        assert raised.value.kind is SpecErrorKind.RESERVED_ROUTE and "/__mock" in str(raised.value)


@pytest.mark.parametrize("route", ["/openapi.json", "/ui", "/ui/settings"])
def test_a_route_under_the_mocks_own_endpoints_is_named_not_silently_hidden(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, route: str
) -> None:
    text = f"""\
    openapi: 3.0.3
    info: {{title: t, version: '1'}}
    paths:
      {route}: {{get: {{responses: {{'200': {{description: ok}}}}}}}}
      /fine: {{get: {{responses: {{'200': {{description: ok}}}}}}}}
    """
    path = write(tmp_path, "api.yaml", text)
    with pytest.raises(SpecLoadError) as raised:
        load(path, strict=True)
    assert raised.value.kind is SpecErrorKind.RESERVED_ROUTE and f"GET {route}" in str(raised.value)
    with caplog.at_level(logging.WARNING, "mockserver"):
        api = load(path)
    assert [op.path for op in api.operations] == ["/fine"]
    assert f"GET {route}" in caplog.text


def test_an_operation_id_leading_out_of_the_fixtures_folder_is_never_used(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    path = write(
        specs,
        "api.yaml",
        """\
        openapi: 3.0.3
        info: {title: t, version: '1'}
        paths:
          /x: {get: {operationId: ../../outside, responses: {'200': {description: ok}}}}
        """,
    )
    (tmp_path / "fixtures" / "api").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "leak.yaml").write_text("status: 200\nbody: leaked\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, "mockserver"):
        found = load_fixtures(load(path))
    assert found == {}
    assert "'../../outside' is not a safe folder name" in caplog.text


# --- item 10: ordinary input that used to 500 or stop the server ------------------------------------


def test_a_fixture_with_malformed_headers_is_one_line_and_skipped(serve_app: ServeApp, tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    path = write(
        specs,
        "api.yaml",
        """\
        openapi: 3.0.3
        info: {title: t, version: '1'}
        paths:
          /x:
            get:
              operationId: getX
              responses:
                '200': {description: ok, content: {application/json: {schema: {type: string}}}}
        """,
    )
    folder = tmp_path / "fixtures" / "api" / "getX"
    folder.mkdir(parents=True)
    (folder / "bad.yaml").write_text("status: 200\nheaders: [1, 2]\nbody: hi\n", encoding="utf-8")
    (folder / "good.yaml").write_text("status: 200\nheaders: {X-A: 1}\nbody: hi\n", encoding="utf-8")
    with serve_app(load_all([path]), ServerConfig()) as client:  # the server starts
        assert client.get("/api/x", headers={"Prefer": "example=good"}).json() == "hi"
        assert client.get("/api/x", headers={"Prefer": "example=bad"}).status_code != 500


def test_a_fixture_with_malformed_headers_names_the_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    path = write(
        specs,
        "api.yaml",
        """\
        openapi: 3.0.3
        info: {title: t, version: '1'}
        paths:
          /x: {get: {operationId: getX, responses: {'200': {description: ok}}}}
        """,
    )
    folder = tmp_path / "fixtures" / "api" / "getX"
    folder.mkdir(parents=True)
    (folder / "bad.yaml").write_text("status: 200\nheaders: [1, 2]\nbody: hi\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, "mockserver"):
        assert load_fixtures(load(path)) == {}
    [line] = [r.getMessage() for r in caplog.records if "bad.yaml" in r.getMessage()]
    assert "headers is a list" in line and "not served" in line


def test_an_unquoted_yaml_date_in_an_example_is_served_not_a_500(serve_app: ServeApp, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "dates.yaml",
        """\
        openapi: 3.0.3
        info: {title: t, version: '1'}
        paths:
          /days:
            get:
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema: {type: object, properties: {day: {type: string, format: date}}}
                      example: {day: 2024-01-15}
        """,
    )
    with serve_app(load_all([path], strict=True), ServerConfig()) as client:
        static = client.get("/dates/days", headers={"Prefer": "dynamic=false"})
        document = client.get("/dates/openapi.json")
    assert static.status_code == 200 and static.json() == {"day": "2024-01-15"}
    assert document.status_code == 200
    example = document.json()["paths"]["/days"]["get"]["responses"]["200"]["content"]["application/json"]["example"]
    assert example == {"day": "2024-01-15"}
