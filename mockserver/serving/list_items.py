"""The entities of a list-only resource (a paged list with no item path): made from the list's own answer.

Such a list has no operation answering one entity, so entity number n is the first item of the list as
generated for it (from the seed: the same after a restart). A feed is read newest first: when the items
carry a date-time saying when each happened, entity n happened a little before entity n-1, all of them
within `FEED_DAYS` days before the clock's today, so that walking the pages walks back in time.
`Prefer: seed=N` reads the data set seed N makes (made and kept apart, as the server's own); edge cases
(`Prefer: edge=`, `serve --edge`) are generated per request, as without state: they are about one answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from starlette.datastructures import Headers
from starlette.types import Scope

from mockserver.generation.context import GenContext
from mockserver.generation.responses import OperationMock, Rendered
from mockserver.openapi.resources import Resource, normalize
from mockserver.openapi.rules import Path, RequestValues
from mockserver.openapi.validation import Check
from mockserver.serving.prefer import PreferError, parse_prefer

Checker = Callable[[Any], Check]

__all__ = ["FEED_DAYS", "ListItemMaker", "data_seed", "data_set", "in_feed_order", "timestamp_field"]

FEED_DAYS = 28  # a list-only resource's dated items spread over these many days before today (newest first)
_SPREAD = 137  # the entities the spread is cut for; later ones (a larger set) go further back in time
_WHEN = frozenset(
    {"timestamp", "created_at", "created", "occurred_at", "happened_at", "event_time", "time", "date_time", "at"}
)
_SEEDED = " #seed="  # a data set made from a `Prefer: seed` other than the server's: `/feed #seed=8`


def data_set(name: str, scope: Scope, server_seed: int) -> str:
    """The data set a request reads, by collection name: the server seed's, or with `Prefer: seed=N` seed N's
    (kept apart: the entities a server started with `--seed N` has, so that the preference means what it
    means for generated answers)."""
    try:
        seed = parse_prefer(Headers(scope=scope).get("prefer")).seed
    except PreferError:  # refused before the request got here; without a valid preference, nothing is asked
        seed = None
    return name if seed is None or seed == server_seed else f"{name}{_SEEDED}{seed}"


def data_seed(name: str, server_seed: int) -> tuple[str, int]:
    """The collection and the seed a data set's name (`data_set`) stands for."""
    head, sep, tail = name.rpartition(_SEEDED)
    if sep and tail.removeprefix("-").isdigit():
        return head, int(tail)
    return name, server_seed


class ListItemMaker:
    """Renders one entity of a list-only resource: the first item of its list operation's generated answer."""

    def __init__(self, mock: OperationMock, items: Path) -> None:
        self.mock = mock
        self.op = mock.op
        self.items = items

    def render(self, status: int, ctx: GenContext, request: RequestValues, *, accept: str | None = None) -> Rendered:
        rendered = self.mock.render(status, ctx, request, accept=accept)
        node: Any = rendered.body
        for step in self.items:
            node = node.get(step) if isinstance(node, dict) else None
        first = node[0] if isinstance(node, list) and node else None
        return Rendered(rendered.status, first, rendered.media_type, {})


def in_feed_order(entity: dict[str, Any], resource: Resource, seq: int, ctx: GenContext, check: Checker) -> None:
    """Entity number `seq` dated (n-1)·Δ plus a jitter within Δ before the clock's now, Δ spreading the
    initial entities over `FEED_DAYS` days: later numbers are older, as a feed lists them. Left as generated
    where the field's schema (`check(schema)` validates it) refuses the date-time."""
    field = timestamp_field(resource)
    if field is None or field not in entity:
        return
    step = timedelta(days=FEED_DAYS) / _SPREAD
    jitter = timedelta(seconds=int(ctx.rng.random() * (step.total_seconds() - 1)))
    when = ctx.now - step * (seq - 1) - jitter - timedelta(seconds=1)
    value = when.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    if not check(resource.properties[field])(value):
        entity[field] = value


def timestamp_field(resource: Resource) -> str | None:
    """The item field that says when each happened: a `format: date-time` one, named like an event's time
    (`timestamp`, `created_at`, `occurred_at`, …) first."""
    dated = [
        name for name, sub in resource.properties.items() if isinstance(sub, dict) and sub.get("format") == "date-time"
    ]
    return next((name for name in dated if normalize(name) in _WHEN), dated[0] if dated else None)
