"""A small client of OpenRouter's activity endpoint (`GET /activity`), as a team would write it.

    client = ActivityClient("https://openrouter.ai/api/v1", api_key=os.environ["OPENROUTER_API_KEY"])
    client.daily_usage("2026-11-15")   # {"openai/gpt-4o": 1.25, ...}: USD per model that day
    client.top_model()                 # the model that cost most in the last 30 days, None without activity

Parsing is kept apart from HTTP (`usage_by_model`, `top_model_of`) so it can be fuzzed without a server.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx


class ActivityError(Exception):
    """The API refused (or kept failing): its status and the message from its error envelope."""

    def __init__(self, status: int | None, message: str) -> None:
        super().__init__(f"{status or 'no answer'}: {message}")
        self.status = status
        self.message = message


def usage_by_model(body: Mapping[str, Any]) -> dict[str, float]:
    """USD spent per model: the sum of `usage` over every row (one row per date, model and endpoint)."""
    totals: dict[str, float] = {}
    for item in body["data"]:
        totals[item["model"]] = totals.get(item["model"], 0.0) + float(item["usage"])
    return totals


def usage_by_model_naive(body: Mapping[str, Any]) -> dict[str, float]:
    """FIRST VERSION, kept to show the bug: a model served by two endpoints (or on two days) loses all
    but its last row, because the API's rows are per (date, model, endpoint), not per model."""
    return {item["model"]: float(item["usage"]) for item in body["data"]}


def top_model_naive(usage: Mapping[str, float]) -> str:
    """FIRST VERSION, kept to show the bug: `ValueError: max() arg is an empty sequence` on a key
    without activity (`{"data": []}`)."""
    return max(usage, key=usage.__getitem__)


def top_model_of(usage: Mapping[str, float]) -> str | None:
    """The model with the most usage; None when there was no activity; ties go to the first by name."""
    if not usage:
        return None
    return max(sorted(usage), key=usage.__getitem__)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds to wait: delta-seconds or an HTTP date; None when absent or unreadable."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class ActivityClient:
    """`GET {base_url}/activity` with a bearer key; retries 429, 5xx and dropped connections.

    `retries` extra attempts at most; the wait is `Retry-After` when the server sends one (capped at
    `max_retry_after`), else `backoff * 2**attempt`. `headers` go with every request (e.g. the mock's
    `Prefer`); `transport` and `sleep` are for tests.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        retries: int = 3,
        backoff: float = 0.5,
        *,
        headers: Mapping[str, str] | None = None,
        max_retry_after: float = 30.0,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.retries = retries
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self._sleep = sleep
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json", **(headers or {})},
            timeout=timeout,
            transport=transport,
        )

    def __enter__(self) -> ActivityClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def activity(self, date: str | None = None) -> dict[str, Any]:
        """The raw answer: `{"data": [rows]}` for the last 30 days, or for one UTC day (YYYY-MM-DD)."""
        params = {"date": date} if date else {}
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = self._http.get("/activity", params=params)
            except httpx.TransportError as exc:
                if last:
                    raise ActivityError(None, f"{type(exc).__name__}: {exc}") from exc
                self._sleep(self.backoff * 2**attempt)
                continue
            if response.status_code == 429 or response.status_code >= 500:
                if last:
                    raise ActivityError(response.status_code, error_message(response))
                wait = retry_after_seconds(response.headers.get("Retry-After"))
                self._sleep(min(wait, self.max_retry_after) if wait is not None else self.backoff * 2**attempt)
                continue
            if response.is_success:
                body: dict[str, Any] = response.json()
                return body
            raise ActivityError(response.status_code, error_message(response))
        raise AssertionError("unreachable: the last attempt returns or raises")

    def daily_usage(self, date: str | None = None) -> dict[str, float]:
        """USD per model on `date` (default: the whole 30-day window)."""
        return usage_by_model(self.activity(date))

    def top_model(self, date: str | None = None) -> str | None:
        """The model that cost most on `date` (default: the 30-day window); None without activity."""
        return top_model_of(self.daily_usage(date))


def error_message(response: httpx.Response) -> str:
    """OpenRouter's `{"error": {"code", "message"}}`, else the raw text."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    return message if isinstance(message, str) else response.text[:200]
