"""Honour 429 Too Many Requests: wait as long as `Retry-After` says, then send again (bounded).

schemathesis retries on 429 only on some of its request paths; a server that throttles must not
turn into contract violations. This wraps every `requests` send for the duration of one run.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import requests

MAX_RETRIES = 3
MAX_DELAY = 30.0  # seconds: a server asking for longer is treated as unavailable for this run


@dataclass
class Throttling:
    retries: int = 0
    waited: float = 0.0


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


@contextmanager
def honour_retry_after(stats: Throttling) -> Iterator[None]:
    original = requests.Session.send

    def send(session: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        response = original(session, request, **kwargs)
        for _ in range(MAX_RETRIES):
            delay = retry_after(response.headers.get("Retry-After")) if response.status_code == 429 else None
            if delay is None or delay > MAX_DELAY:
                break
            stats.retries += 1
            stats.waited += delay
            time.sleep(delay)  # the server asked for exactly this pause
            response = original(session, request, **kwargs)
        return response

    requests.Session.send = send  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        requests.Session.send = original  # type: ignore[method-assign]
