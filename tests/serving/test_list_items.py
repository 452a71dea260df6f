"""A list-only resource's entities: which field dates a feed, and which data set a `Prefer: seed` reads."""

from __future__ import annotations

from typing import Any

from mockserver.openapi.resources import Resource
from mockserver.serving.list_items import data_seed, data_set, timestamp_field


def _resource(properties: dict[str, Any]) -> Resource:
    return Resource("/feed", "", "", "id", {"type": "object", "properties": properties}, ("data",), list_only=True)


def test_a_feed_is_dated_by_its_event_time_before_other_date_times() -> None:
    when = {"type": "string", "format": "date-time"}
    assert timestamp_field(_resource({"expires_at": when, "created_at": when})) == "created_at"
    assert timestamp_field(_resource({"expires_at": when, "name": {"type": "string"}})) == "expires_at"
    assert timestamp_field(_resource({"day": {"type": "string", "format": "date"}})) is None


def test_prefer_seed_names_its_own_data_set_and_the_servers_seed_the_servers() -> None:
    def scope(prefer: str) -> dict[str, Any]:
        return {"type": "http", "headers": [(b"prefer", prefer.encode())]}

    assert data_set("/feed", scope("seed=8"), 7) == "/feed #seed=8"
    assert data_seed("/feed #seed=8", 7) == ("/feed", 8)
    assert data_seed("/feed #seed=-3", 7) == ("/feed", -3)
    assert data_set("/feed", scope("seed=7"), 7) == "/feed"
    assert data_set("/feed", scope("code=200"), 7) == "/feed"
    assert data_seed("/feed", 7) == ("/feed", 7)
