"""`x-mock.match` read at load (every mistake a one-line load error) and applied as a pure function."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.errors import SpecErrorKind, SpecLoadError
from mockserver.generation.responses import ApiMock
from mockserver.generation.values import Pools
from mockserver.openapi.loader import load
from mockserver.openapi.matching import Condition, MatchRule, resolve_pointer, select, valid_pointer
from mockserver.openapi.rules import RequestValues

ANSWERS = Path(__file__).resolve().parents[1] / "serving" / "answers_api"
ORDERS = yaml.safe_load((ANSWERS / "specs" / "orders.yaml").read_text(encoding="utf-8"))
ITEM = "/orders/{order_id}"


def _load_with(tmp_path: Path, match: Any, route: str = ITEM, method: str = "get") -> SpecLoadError:
    changed = copy.deepcopy(ORDERS)
    changed["paths"][route][method]["x-mock"] = {"match": match}
    (tmp_path / "specs").mkdir()
    path = tmp_path / "specs" / "orders.yaml"
    path.write_text(yaml.safe_dump(changed, sort_keys=False), encoding="utf-8")
    with pytest.raises(SpecLoadError) as raised:
        ApiMock(load(path), Pools(1))
    assert raised.value.kind is SpecErrorKind.BAD_EXTENSION
    assert str(path) in str(raised.value) and len(str(raised.value).splitlines()) == 1
    return raised.value


def test_the_match_rules_load_as_typed_conditions() -> None:
    rules = load(ANSWERS / "specs" / "orders.yaml").operation("getOrder").x_mock.match
    assert rules[0] == MatchRule((Condition("path", "order_id", equals="ord_shipped"),), example="shipped")
    assert rules[1].fixture == "tenant"
    assert rules[1].when == (Condition("header", "x-tenant", regex="^acme-"), Condition("query", "view", present=True))


@pytest.mark.parametrize(
    ("match", "named"),
    [
        ({"when": {"query.view": "x"}, "example": "x"}, "x-mock.match: must be a list"),
        ([{"when": {"query.view": "x"}, "example": "shiped"}], "x-mock.match[0].example: 'shiped' is no named example"),
        ([{"when": {"query.view": "x"}}], "x-mock.match[0]: needs exactly one of `example` or `fixture`"),
        ([{"when": {"query.view": "x"}, "example": "shipped", "fixture": "tenant"}], "needs exactly one of"),
        ([{"example": "shipped"}], "x-mock.match[0].when: is required"),
        ([{"when": {}, "example": "shipped"}], "x-mock.match[0].when: needs at least one condition"),
        ([{"when": {"query.veiw": "x"}, "example": "shipped"}], "'query.veiw' names no parameter of the operation"),
        ([{"when": {"cookie.view": "x"}, "example": "shipped"}], "'cookie.view' is not a parameter reference"),
        ([{"when": {"query.view": {"equal": "x"}}, "example": "shipped"}], "when.query.view.equal: unknown operator"),
        (
            [{"when": {"query.view": {"regex": "(unclosed"}}, "example": "shipped"}],
            "when.query.view.regex: cannot compile",
        ),
        ([{"when": {"query.view": {"min": "one"}}, "example": "shipped"}], "when.query.view.min: must be a number"),
        ([{"when": {"query.view": {"min": 5, "max": 1}}, "example": "shipped"}], "min 5.0 is above max 1.0"),
        ([{"when": {"query.view": {"present": "yes"}}, "example": "shipped"}], "present: must be true or false"),
        ([{"when": {"body#/qty": 1}, "example": "shipped"}], "when.body#/qty: the operation takes no request body"),
        (
            [{"when": {"query.view": "x"}, "fixture": "tennant"}],
            "x-mock.match[0].fixture: 'tennant' is no served fixture",
        ),
        ([{"when": {"query.view": "x"}, "exmaple": "shipped"}], "x-mock.match[0].exmaple: unknown key"),
    ],
)
def test_a_mistake_in_match_is_a_load_error_naming_the_operation_and_key(
    tmp_path: Path, match: Any, named: str
) -> None:
    if "fixture" in str(match):  # fixtures are looked for beside the spec's folder
        fixtures = tmp_path / "fixtures" / "orders" / "getOrder"
        fixtures.mkdir(parents=True)
        (fixtures / "tenant.yaml").write_text("status: 200\nbody: {id: a, status: pending, qty: 1}\n", encoding="utf-8")
    error = _load_with(tmp_path, match)
    assert f"GET {ITEM}" in str(error) and named in str(error), str(error)


def test_a_body_pointer_must_be_a_json_pointer(tmp_path: Path) -> None:
    error = _load_with(tmp_path, [{"when": {"body#qty": 1}, "example": "rush"}], "/orders", "post")
    assert "'qty' is not a JSON pointer" in str(error)


REQUEST = RequestValues(
    query={"view": "full", "limit": 10},
    path={"order_id": "ord_1"},
    headers={"x-tenant": "acme-eu"},
    body={"qty": 12, "customer": {"tier": "gold"}, "items": [{"sku": "a/b"}], "flag": True},
)
SENT = frozenset({"view"})  # `limit` holds its default: the client did not send it


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        (Condition("query", "view", equals="full"), True),
        (Condition("query", "view", equals="summary"), False),
        (Condition("query", "limit", equals=10), False),  # a default the client did not send is not there
        (Condition("query", "limit", present=False), True),
        (Condition("query", "view", present=True), True),
        (Condition("path", "order_id", regex="^ord_[0-9]+$"), True),
        (Condition("header", "x-tenant", regex="^globex"), False),
        (Condition("header", "x-missing", present=False), True),
        (Condition("body", "/qty", min=10, max=12), True),
        (Condition("body", "/qty", min=13), False),
        (Condition("body", "/qty", equals="12"), True),  # as the text a request would carry
        (Condition("body", "/flag", equals=1), False),  # true is not 1
        (Condition("body", "/flag", equals=True), True),
        (Condition("body", "/customer/tier", equals="gold"), True),
        (Condition("body", "/customer", equals={"tier": "gold"}), True),
        (Condition("body", "/items/0/sku", equals="a/b"), True),
        (Condition("body", "/items/1/sku", present=True), False),
        (Condition("body", "/customer/tier", min=1), False),  # not a number: outside every range
        (Condition("body", "/customer", regex="gold"), False),  # an object is not text
    ],
)
def test_a_condition_reads_one_request_value(condition: Condition, holds: bool) -> None:
    assert condition.holds(REQUEST, SENT) is holds


def test_the_first_rule_whose_conditions_all_hold_is_selected() -> None:
    gold = Condition("body", "/customer/tier", equals="gold")
    rules = [
        MatchRule((gold, Condition("body", "/qty", min=100)), example="bulk"),
        MatchRule((gold,), example="gold"),
        MatchRule((Condition("query", "view", present=True),), example="view"),
    ]
    chosen = select(rules, REQUEST, SENT)
    assert chosen is not None and chosen.example == "gold"
    assert select(rules[:1], REQUEST, SENT) is None


def test_json_pointers_unescape_and_index_arrays() -> None:
    document = {"a/b": {"m~n": [1, 2]}}
    assert resolve_pointer(document, "/a~1b/m~0n/1") == (True, 2)
    assert resolve_pointer(document, "/a~1b/m~0n/01") == (False, None)
    assert resolve_pointer(document, "") == (True, document)
    assert valid_pointer("/a~1b") and not valid_pointer("a") and not valid_pointer("/a~2")


def test_a_match_may_name_the_headers_openapi_does_not_let_one_declare(tmp_path: Path) -> None:
    changed = copy.deepcopy(ORDERS)
    match = [{"when": {"header.Authorization": {"regex": "^Bearer vip-"}}, "example": "shipped"}]
    changed["paths"][ITEM]["get"]["x-mock"] = {"match": match}
    path = tmp_path / "orders.yaml"
    path.write_text(yaml.safe_dump(changed, sort_keys=False), encoding="utf-8")
    (rule,) = load(path).operation("getOrder").x_mock.match
    assert rule.when == (Condition("header", "authorization", regex="^Bearer vip-"),)
    assert rule.holds(RequestValues(headers={"authorization": "Bearer vip-7"}), frozenset())
