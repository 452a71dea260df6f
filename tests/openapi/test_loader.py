"""Loading spec files: the bundled specs are valid, broken ones fail with a SpecLoadError that says why."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import openapi_spec_validator
import pytest
import yaml

from mockserver.errors import SpecErrorKind, SpecLoadError
from mockserver.openapi.loader import load, load_all
from mockserver.openapi.model import ApiSpec
from mockserver.openapi.validation import schema_validator

SPECS = Path(__file__).resolve().parents[2] / "specs"
BUNDLED = sorted(SPECS.glob("*.yaml"))

MOUNTS = {
    "openrouter": "/openrouter/api/v1",
    "lightdash": "/lightdash",
    "onepin": "/onepin",
    "client-analytics": "/client-analytics/v2",
}

MINIMAL_PATHS = """\
paths:
  /things:
    get:
      operationId: listThings
      responses:
        '200':
          description: ok
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def expect_load_error(path: Path, kind: SpecErrorKind) -> SpecLoadError:
    """The error loading `path` raises: of `kind`, and naming the file."""
    error = load_error(path)
    assert error.kind is kind
    assert str(path) in str(error)
    return error


def load_error(path: Path) -> SpecLoadError:
    with pytest.raises(SpecLoadError) as caught:
        load(path, strict=True)
    return caught.value


# --- the bundled specs ---------------------------------------------------------------------------


def test_four_specs_are_bundled() -> None:
    assert {p.stem for p in BUNDLED} == set(MOUNTS)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_spec_passes_openapi_spec_validator(path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    openapi_spec_validator.validate(document, base_uri=path.resolve().as_uri())


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_spec_loads_with_operations(path: Path) -> None:
    api = load(path)
    assert api.name == path.stem
    assert api.operations, f"{path.name} has no operations"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert api.version == str(raw["openapi"])
    assert api.title == raw["info"]["title"]


def test_bundled_spec_versions_keep_their_dialect() -> None:
    versions = {api.name: api.is_31 for api in load_all([SPECS])}
    assert versions == {"openrouter": True, "lightdash": False, "onepin": True, "client-analytics": True}


@pytest.mark.parametrize(("name", "mount"), sorted(MOUNTS.items()))
def test_api_is_mounted_at_file_stem_plus_server_base_path(name: str, mount: str) -> None:
    api = load(SPECS / f"{name}.yaml")
    assert api.mount_path == mount


def test_load_all_of_a_folder_gives_every_spec_once() -> None:
    apis = load_all([SPECS])
    assert sorted(a.name for a in apis) == sorted(MOUNTS)
    assert all(isinstance(a, ApiSpec) for a in apis)


def test_load_all_rejects_two_specs_with_the_same_stem(tmp_path: Path) -> None:
    text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n" + MINIMAL_PATHS
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write(tmp_path / "a", "same.yaml", text)
    second = write(tmp_path / "b", "same.yaml", text)
    with pytest.raises(SpecLoadError) as caught:
        load_all([first, second])
    assert caught.value.kind is SpecErrorKind.DUPLICATE_NAME
    assert "same" in str(caught.value)


# --- broken inputs -------------------------------------------------------------------------------


def test_missing_file_is_not_found_and_named(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    error = expect_load_error(path, SpecErrorKind.NOT_FOUND)
    assert "no such file" in str(error)


def test_load_all_of_a_missing_path_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(SpecLoadError) as caught:
        load_all([tmp_path / "nothing-here"])
    assert caught.value.kind is SpecErrorKind.NOT_FOUND
    assert "nothing-here" in str(caught.value)


def test_yaml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.yaml", "openapi: 3.0.3\ninfo: [unclosed\npaths: {}\n")
    error = expect_load_error(path, SpecErrorKind.SYNTAX)
    assert "line 3, column 6" in str(error)


def test_json_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.json", '{"openapi": "3.0.3",\n  "info": }')
    error = expect_load_error(path, SpecErrorKind.SYNTAX)
    assert "line 2, column" in str(error)


def test_top_level_list_is_not_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "list.yaml", "- openapi\n- 3.0.3\n")
    error = expect_load_error(path, SpecErrorKind.NOT_OPENAPI)
    assert "not a mapping" in str(error)


def test_document_without_openapi_field_is_not_openapi(tmp_path: Path) -> None:
    path = write(tmp_path, "plain.yaml", "info: {title: t, version: '1'}\n" + MINIMAL_PATHS)
    error = load_error(path)
    assert error.kind is SpecErrorKind.NOT_OPENAPI
    assert "openapi" in str(error)


def test_swagger_2_is_loaded_as_openapi_303(tmp_path: Path) -> None:
    path = write(tmp_path, "old.yaml", "swagger: '2.0'\ninfo: {title: t, version: '1'}\n" + MINIMAL_PATHS)
    api = load(path)
    assert api.version == "3.0.3" and api.document["openapi"] == "3.0.3"
    assert [o.operation_id for o in api.operations] == ["listThings"]


@pytest.mark.parametrize("version", ["1.2", "3.0"])
def test_swagger_other_than_2_0_is_an_unsupported_version(tmp_path: Path, version: str) -> None:
    path = write(tmp_path, "old.yaml", f"swagger: '{version}'\ninfo: {{title: t, version: '1'}}\npaths: {{}}\n")
    error = expect_load_error(path, SpecErrorKind.UNSUPPORTED_VERSION)
    assert "swagger" in str(error) and repr(version) in str(error)


@pytest.mark.parametrize("version", ["3.2.0", "banana", "2.0", "3.1"])
def test_openapi_version_other_than_30x_31x_is_unsupported(tmp_path: Path, version: str) -> None:
    path = write(tmp_path, "future.yaml", f"openapi: '{version}'\ninfo: {{title: t, version: '1'}}\n" + MINIMAL_PATHS)
    error = expect_load_error(path, SpecErrorKind.UNSUPPORTED_VERSION)
    assert repr(version) in str(error)


def test_missing_info_version_is_an_invalid_document(tmp_path: Path) -> None:
    path = write(tmp_path, "noversion.yaml", "openapi: 3.0.3\ninfo: {title: t}\n" + MINIMAL_PATHS)
    error = expect_load_error(path, SpecErrorKind.INVALID)
    assert "info" in str(error) and "version" in str(error)


BAD_REF = """\
openapi: {version}
info: {{title: t, version: '1'}}
paths:
  /things:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Missing'
components:
  schemas:
    Present: {{type: string}}
"""


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_dangling_local_ref_is_a_bad_reference(tmp_path: Path, version: str) -> None:
    path = write(tmp_path, "dangling.yaml", BAD_REF.format(version=version))
    error = expect_load_error(path, SpecErrorKind.BAD_REFERENCE)
    assert "Missing" in str(error)


def test_ref_to_missing_file_is_a_bad_reference(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "external.yaml",
        """\
        openapi: 3.0.3
        info: {title: t, version: '1'}
        paths:
          /things:
            get:
              responses:
                '200':
                  $ref: 'elsewhere.yaml#/Thing'
        """,
    )
    error = load_error(path)
    assert error.kind is SpecErrorKind.BAD_REFERENCE
    assert "elsewhere.yaml" in str(error)


def test_x_mock_that_is_not_a_mapping_is_a_bad_extension(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ext.yaml",
        """\
        openapi: 3.0.3
        info: {title: t, version: '1'}
        paths:
          /things:
            get:
              x-mock: [not, a, mapping]
              responses:
                '200':
                  description: ok
        """,
    )
    error = load_error(path)
    assert error.kind is SpecErrorKind.BAD_EXTENSION
    assert "x-mock" in str(error)


# --- what a loaded spec holds --------------------------------------------------------------------


def test_recursive_ref_resolves_to_a_cyclic_structure(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "tree.yaml",
        """\
        openapi: 3.0.3
        info: {title: t, version: '1'}
        paths:
          /tree:
            get:
              operationId: getTree
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema: {$ref: '#/components/schemas/Node'}
        components:
          schemas:
            Node:
              type: object
              properties:
                name: {type: string}
                children:
                  type: array
                  items: {$ref: '#/components/schemas/Node'}
        """,
    )
    api = load(path)
    node = api.operation("getTree").responses["200"].schema
    assert node is not None
    assert node["properties"]["children"]["items"] is node
    # The original document is the contract and keeps its $refs.
    assert api.document["components"]["schemas"]["Node"]["properties"]["children"]["items"] == {
        "$ref": "#/components/schemas/Node"
    }


def test_required_authorization_header_parameter_becomes_security(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "headerauth.yaml",
        """\
        openapi: 3.1.0
        info: {title: t, version: '1'}
        paths:
          /things:
            get:
              operationId: listThings
              parameters:
                - name: Authorization
                  in: header
                  required: true
                  schema: {type: string}
              responses:
                '200':
                  description: ok
        """,
    )
    op = load(path).operation("listThings")
    assert len(op.security) == 1
    (scheme,) = op.security[0]
    assert scheme.type == "apiKey"
    assert scheme.location == "header"
    assert scheme.param_name == "Authorization"


def test_optional_authorization_header_parameter_is_not_security(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "optional.yaml",
        """\
        openapi: 3.0.3
        info: {title: t, version: '1'}
        paths:
          /things:
            get:
              operationId: listThings
              parameters:
                - {name: Authorization, in: header, required: false, schema: {type: string}}
              responses:
                '200': {description: ok}
        """,
    )
    assert load(path).operation("listThings").security == ()


def test_empty_security_requirement_makes_auth_optional() -> None:
    lightdash = load(SPECS / "lightdash.yaml")
    assert all(op.security == () for op in lightdash.operations)


@pytest.mark.parametrize("name", ["openrouter", "onepin", "client-analytics"])
def test_bearer_security_scheme_is_indexed(name: str) -> None:
    api = load(SPECS / f"{name}.yaml")
    for op in api.operations:
        assert [[(s.type, s.scheme) for s in alt] for alt in op.security] == [[("http", "bearer")]]


def test_operation_lookup_names_known_operations() -> None:
    api = load(SPECS / "openrouter.yaml")
    assert api.operation("get-user-activity").path == "/activity"
    with pytest.raises(KeyError, match="get-user-activity"):
        api.operation("nope")


def test_documented_statuses_and_success_status() -> None:
    api = load(SPECS / "onepin.yaml")
    op = api.operations[0]
    assert op.documented_statuses == ["200", "401", "404", "422"]
    assert op.success_status == 200
    assert op.response_for(422) is op.responses["422"]
    assert op.response_for(500) is None
    lightdash = load(SPECS / "lightdash.yaml").operations[0]
    assert lightdash.response_for(503) is lightdash.responses["default"]


# --- lenient loading: what can be served is served, with warnings -------------------------------------

# Real vendor mistakes: a 3.0-style boolean bound in a 3.1 document (OpenRouter), unquoted status codes and
# dates (Asana), a literal `$ref` key inside example data (GitHub).
SERVABLE = """\
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /things:
    get:
      parameters:
        - {name: limit, in: query, schema: {type: integer, minimum: 0, exclusiveMinimum: true}}
      responses:
        200:
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {price: {type: number, minimum: 0, exclusiveMinimum: true}}}
              examples:
                literal: {value: {$ref: /etc/passwd, since: 2024-01-01}}
"""


def test_an_invalid_but_servable_spec_loads_with_one_warning_line_per_kind(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write(tmp_path, "servable.yaml", SERVABLE)
    with caplog.at_level("WARNING", logger="mockserver"):
        api = load(path)
    [op] = api.operations
    assert [p.name for p in op.parameters] == ["limit"]
    lines = [r.getMessage() for r in caplog.records]
    assert lines and all(line.startswith(f"{path}: served despite") for line in lines)
    assert len(lines) == len(set(lines))
    assert any("2 × … is not of type 'number'" in line and "exclusiveMinimum" in line for line in lines), lines


def test_strict_refuses_the_same_spec_naming_the_file(tmp_path: Path) -> None:
    expect_load_error(write(tmp_path, "servable.yaml", SERVABLE), SpecErrorKind.INVALID)


def test_unquoted_yaml_status_codes_and_dates_read_as_json_would(tmp_path: Path) -> None:
    [op] = load(write(tmp_path, "servable.yaml", SERVABLE)).operations
    assert list(op.responses) == ["200"]
    assert op.responses["200"].examples["literal"]["since"] == "2024-01-01"


def test_a_ref_key_inside_example_data_is_data_and_never_read_from_disk(tmp_path: Path) -> None:
    [op] = load(write(tmp_path, "servable.yaml", SERVABLE)).operations
    assert op.responses["200"].examples["literal"]["$ref"] == "/etc/passwd"


def test_a_property_named_like_a_keyword_is_still_resolved(tmp_path: Path) -> None:
    text = """\
    openapi: 3.0.3
    info: {title: t, version: '1'}
    paths:
      /things:
        get:
          responses:
            '200':
              description: ok
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      default: {$ref: '#/components/schemas/Flag'}
                      example: {$ref: '#/components/schemas/Flag'}
    components:
      schemas:
        Flag: {type: boolean}
    """
    [op] = load(write(tmp_path, "named.yaml", text)).operations
    props = op.responses["200"].schema["properties"]  # type: ignore[index]
    assert props["default"]["type"] == "boolean" and props["example"]["type"] == "boolean"


def test_garbage_where_objects_belong_is_left_out_not_a_crash(tmp_path: Path) -> None:
    text = """\
    openapi: 3.0.3
    info: {title: t, version: '1'}
    servers: [{url: 'https://api.example.com/{version}/v1'}]
    paths:
      /things:
        parameters: oops
        get:
          parameters: [7, {name: q}, {in: query}, {name: b, in: body}]
          responses: {'200': nope, '999': {description: x}, 'default': {description: d}}
          security: [nope]
        post: just a string
      not-a-path: {get: {responses: {}}}
    """
    api = load(write(tmp_path, "garbage.yaml", text))  # `in: body` is not a 3.x location: left out too
    assert api.base_path == "/v1"
    [op] = api.operations
    assert op.parameters == () and sorted(op.responses) == ["200", "default"]


def test_a_body_documented_for_204_is_named_once_as_a_spec_problem(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = """\
    openapi: 3.0.3
    info: {title: t, version: '1'}
    paths:
      /a: {post: {responses: {'204': {description: x, content: {application/json: {schema: {type: object}}}}}}}
      /b: {post: {responses: {'204': {description: x, content: {application/json: {schema: {type: object}}}}}}}
    """
    with caplog.at_level("WARNING", logger="mockserver"):
        load(write(tmp_path, "nobody.yaml", text))
    [line] = [r.getMessage() for r in caplog.records]
    assert "2 × a body is documented for a status that HTTP sends without one" in line and "POST /a 204" in line


def test_a_path_with_a_fragment_is_named_once_as_unreachable(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    text = """\
    openapi: 3.0.3
    info: {title: t, version: '1'}
    paths:
      /shared_items: {get: {responses: {'200': {description: x}}}}
      /shared_items#folders: {get: {responses: {'200': {description: x}}}}
    """
    with caplog.at_level("WARNING", logger="mockserver"):
        api = load(write(tmp_path, "box.yaml", text))
    assert [op.routable for op in api.operations] == [True, False]
    [line] = [r.getMessage() for r in caplog.records]
    assert "/shared_items#folders" in line and "not routed" in line


def test_a_multi_file_spec_laid_out_like_digitaloceans_loads(tmp_path: Path) -> None:
    # DigitalOcean's tree: operations are `$ref`s to files, `$ref` sits beside `description`, files refer
    # upwards (its published tree was refused as a whole before).
    (tmp_path / "resources" / "droplets" / "models").mkdir(parents=True)
    (tmp_path / "shared").mkdir()
    write(
        tmp_path,
        "DigitalOcean-public.v2.yaml",
        """\
        openapi: 3.0.0
        info: {title: DigitalOcean API, version: '2.0'}
        servers: [{url: 'https://api.digitalocean.com'}]
        paths:
          /v2/droplets:
            get: {$ref: 'resources/droplets/droplets_list.yml'}
        """,
    )
    write(
        tmp_path / "resources" / "droplets",
        "droplets_list.yml",
        """\
        operationId: droplets_list
        parameters: [{$ref: '../../shared/parameters.yml#/per_page'}]
        responses:
          '200':
            description: ok
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    droplets:
                      type: array
                      description: the droplets
                      items: {$ref: 'models/droplet.yml', description: 'a sibling 3.0 ignores'}
        """,
    )
    write(
        tmp_path / "resources" / "droplets" / "models",
        "droplet.yml",
        "type: object\nrequired: [id]\nproperties: {id: {type: integer}}\n",
    )
    write(
        tmp_path / "shared",
        "parameters.yml",
        "per_page: {name: per_page, in: query, schema: {type: integer, maximum: 200}}\n",
    )
    # An operation that is a `$ref` is not OpenAPI (only path items may be): served, with a warning.
    api = load(tmp_path / "DigitalOcean-public.v2.yaml")
    [op] = api.operations
    assert op.operation_id == "droplets_list" and [p.name for p in op.parameters] == ["per_page"]
    items = op.responses["200"].schema["properties"]["droplets"]["items"]  # type: ignore[index]
    assert items["required"] == ["id"]


@pytest.mark.parametrize(
    ("schema", "valid", "invalid"),
    [
        # OpenAI: {$ref, nullable: true} in a 3.1 document
        ({"$ref": "#/components/schemas/Format", "nullable": True}, [None, {"type": "text"}], [{"type": 7}]),
        # OpenAI: nullable beside a typeless anyOf
        ({"anyOf": [{"type": "string"}, {"type": "integer"}], "nullable": True}, [None, "a", 1], [True]),
        # OpenAI's `stop`: an explicit null branch and a 3.0-nullable sibling stay exclusive
        ({"oneOf": [{"type": "null"}, {"type": "string", "nullable": True}]}, [None, "a"], [1]),
        ({"type": "string", "enum": ["a", "b"], "nullable": True}, [None, "a"], ["c"]),
    ],
)
def test_30_nullable_in_a_31_document_means_what_its_author_meant(
    tmp_path: Path, schema: dict[str, Any], valid: list[Any], invalid: list[Any]
) -> None:
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/x": {
                "post": {
                    "requestBody": {
                        "content": {"application/json": {"schema": {"type": "object", "properties": {"v": schema}}}}
                    },
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
        "components": {
            "schemas": {"Format": {"type": "object", "required": ["type"], "properties": {"type": {"type": "string"}}}}
        },
    }
    path = tmp_path / "n.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    [op] = load(path).operations
    check = schema_validator(op.request_content["application/json"]["schema"], openapi_31=True)
    assert [v for v in valid if check({"v": v})] == []
    assert [v for v in invalid if not check({"v": v})] == []


@pytest.mark.parametrize("ref", ["/etc/passwd", "../outside.yaml", "../outside.yaml#/Secret"])
def test_a_ref_outside_the_specs_folder_is_refused_and_never_read(tmp_path: Path, ref: str) -> None:
    # Issue 10: `$ref: ../.env` printed the file's secret in a validation message.
    (tmp_path / "outside.yaml").write_text(
        "Secret: {type: string, example: OPENAI_API_KEY=sk-live-XYZ}\n", encoding="utf-8"
    )
    folder = tmp_path / "spec"
    folder.mkdir()
    text = f"""\
    openapi: 3.0.3
    info: {{title: t, version: '1'}}
    paths:
      /x:
        get:
          responses:
            '200': {{description: ok, content: {{application/json: {{schema: {{$ref: '{ref}'}}}}}}}}
    """
    path = write(folder, "leaky.yaml", text)
    for strict in (False, True):  # strict: the validator, refused the file too, says it does not resolve
        with pytest.raises(SpecLoadError) as raised:
            load(path, strict=strict)
        assert raised.value.kind is SpecErrorKind.BAD_REFERENCE
        assert strict or "leaves the spec's folder" in str(raised.value)
        assert "sk-live" not in str(raised.value) and "root:" not in str(raised.value)


def test_a_wider_ref_root_lets_a_multi_file_spec_refer_upwards(tmp_path: Path) -> None:
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "Error.yaml").write_text("type: object\nproperties: {message: {type: string}}\n")
    folder = tmp_path / "spec"
    folder.mkdir()
    text = """\
    openapi: 3.0.3
    info: {title: t, version: '1'}
    paths:
      /x:
        get:
          responses:
            default: {description: e, content: {application/json: {schema: {$ref: '../common/Error.yaml'}}}}
    """
    path = write(folder, "api.yaml", text)
    with pytest.raises(SpecLoadError, match="--ref-root"):
        load(path)
    [op] = load(path, ref_root=tmp_path, strict=True).operations
    assert op.responses["default"].schema["properties"]["message"]["type"] == "string"  # type: ignore[index]
