"""Reports: credentials masked everywhere, one entry per defect, JUnit XML a CI system can read."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

from mockserver.contract.report import ApiResult, Violation, curl, render_text, write_junit
from mockserver.redact import mask_headers


def _violation(
    check: str = "response_schema_conformance", message: str = "'model' is a required property"
) -> Violation:
    return Violation(
        "openrouter",
        "GET /activity",
        check,
        "Response violates schema",
        message,
        200,
        '{"data": []}',
        curl("GET", "http://127.0.0.1:1/activity", {"Authorization": "Bearer sk-secret"}),
    )


def test_credentials_are_masked_keeping_the_scheme() -> None:
    masked = mask_headers({"Authorization": "Bearer sk-secret", "X-Api-Key": "k", "Accept": "*/*"})
    assert masked == {"Authorization": "Bearer ***", "X-Api-Key": "***", "Accept": "*/*"}


def test_curl_is_copy_pastable_and_secret_free() -> None:
    command = curl("GET", "http://h/a?x=1&y=2", {"Authorization": "Bearer sk-secret", "User-Agent": "x"}, None)
    assert command == "curl -X GET 'http://h/a?x=1&y=2' -H 'Authorization: Bearer ***'"


def test_same_defect_is_reported_once_and_counted() -> None:
    result = ApiResult("openrouter", "http://127.0.0.1:1")
    for _ in range(3):
        result.add(_violation())
    result.add(_violation(message="'usage' is a required property"))
    assert len(result.violations) == 2
    assert "seen 3 times" in render_text([result])


def test_an_x_mock_rule_is_one_defect_whatever_values_showed_it() -> None:
    result = ApiResult("onepin", "http://127.0.0.1:1")
    result.add(_violation("xmock_limit", "query.limit=20 should bound `data`, got 21 items"))
    result.add(_violation("xmock_limit", "query.limit=1 should bound `data`, got 2 items"))
    assert len(result.violations) == 1


def test_summary_names_statuses_never_answered() -> None:
    result = ApiResult("openrouter", "http://127.0.0.1:1", operations=["GET /activity"])
    result.documented = {"GET /activity": ["200", "400", "403"]}
    result.statuses_seen = {"GET /activity": {200, 400}}
    assert render_text([result]).endswith("never answered, so unchecked: GET /activity 403")


def test_junit_xml_counts_failures_and_keeps_secrets_out(tmp_path: Path) -> None:
    result = ApiResult("openrouter", "http://127.0.0.1:1", operations=["GET /activity"])
    result.add(_violation())
    path = tmp_path / "junit.xml"
    write_junit([result], str(path))
    assert "sk-secret" not in path.read_text(encoding="utf-8")
    suite = ElementTree.parse(path).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "1"


def test_a_schema_violation_is_keyed_by_where_and_how_it_broke_not_by_the_value() -> None:
    def broke(value: str) -> Violation:
        message = f'{value} is not of type "number"\n\nSchema at /components/schemas/Item/properties/n:\n\n    {{}}'
        return _violation(message=message)

    assert broke('"217"').key == broke('"12"').key
    assert broke('"217"').key[2] == '/components/schemas/Item/properties/n: <value> is not of type "number"'
    assert _violation(message="'model' is a required property").key[2] == "'model' is a required property"
    assert _violation(message="'not mail' is not a 'email'").key[2] == "<value> is not a 'email'"
