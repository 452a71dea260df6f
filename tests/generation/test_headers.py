"""Header meaning as pure functions: which names mean what, the next cursor a body carries, item URLs, ETags."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockserver.generation.headers import (
    NO_NEXT,
    etag,
    item_template,
    item_url,
    json_bytes,
    meaning,
    next_cursor,
    next_link,
)
from mockserver.openapi.loader import load
from mockserver.openapi.rules import RequestValues

ORDERS = load(Path(__file__).resolve().parents[1] / "serving" / "answers_api" / "specs" / "orders.yaml")


@pytest.mark.parametrize(
    ("name", "means"),
    [
        ("Location", "location"),
        ("etag", "etag"),
        ("Link", "link"),
        ("X-Next-Cursor", "cursor"),
        ("X-RateLimit-Remaining", "rate-remaining"),
        ("RateLimit-Limit", "rate-limit"),
        ("X-Rate-Limit-Reset", "rate-reset"),
        ("x-ratelimit-requests-remaining", "rate-remaining"),
        ("X-Request-Id", None),
        ("Retry-After", None),
    ],
)
def test_a_header_name_says_what_it_holds(name: str, means: str | None) -> None:
    assert meaning(name) == means


@pytest.mark.parametrize(
    ("body", "cursor"),
    [
        ({"next_cursor": "abc"}, "abc"),
        ({"pagination": {"next_cursor": "c2", "limit": 10}}, "c2"),
        ({"meta": {"nextPageToken": 7}}, "7"),
        ({"pagination": {"next_cursor": None}}, NO_NEXT),
        ({"data": [], "has_more": False}, NO_NEXT),
        ({"links": {"next": "https://api.example.com/things?page=2"}}, "https://api.example.com/things?page=2"),
        ({"data": [1, 2]}, None),  # nothing says: the header keeps its generated value
        ([1, 2], None),
    ],
)
def test_the_next_cursor_is_read_where_apis_write_it(body: object, cursor: str | None) -> None:
    assert next_cursor(body) == cursor


def test_a_next_link_keeps_the_query_and_sets_the_cursor_parameter() -> None:
    op = ORDERS.operation("listOrders")
    request = RequestValues(query={"status": "shipped", "cursor": "old", "limit": None})
    link = next_link("http://h:1", ORDERS.mount_path, op, request, "c/2")
    assert link == '<http://h:1/orders/v1/orders?status=shipped&cursor=c%2F2>; rel="next"'
    assert next_link("", "/m", op, request, "https://x.test/p?c=2") == '<https://x.test/p?c=2>; rel="next"'


def test_the_item_path_is_the_documented_item_under_a_collection() -> None:
    assert item_template(ORDERS, ORDERS.operation("createOrder")) == "/orders/{order_id}"
    assert item_template(ORDERS, ORDERS.operation("getOrder")) == "/orders/{order_id}"


def test_an_item_url_needs_an_id_in_the_body() -> None:
    request = RequestValues(path={"order_id": "old"})
    assert item_url("", "/orders/v1", "/orders/{order_id}", {"id": "a b"}, request) == "/orders/v1/orders/a%20b"
    assert item_url("", "/o", "/orders/{order_id}", {"order_id": 5, "id": 9}, request) == "/o/orders/5"
    assert item_url("", "/o", "/orders/{order_id}", {"name": "x"}, request) is None
    assert item_url("", "/o", "/orders/{order_id}", {"id": True}, request) is None


def test_the_etag_hashes_the_bytes_sent() -> None:
    body = {"b": "é", "a": 1}
    assert etag(body, as_json=True) == etag({"b": "é", "a": 1}, as_json=True) != etag({"a": 1, "b": "é"}, as_json=True)
    assert json_bytes(body) == '{"b":"é","a":1}'.encode()
    assert etag("text", as_json=False) != etag("text", as_json=True)  # JSON sends the string quoted
    assert etag("\ud800", as_json=False) is None
