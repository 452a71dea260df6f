"""Client analytics `GET /v2/clients/{client_id}/analytics/users/{user_id}/activity` (specs/client-analytics.yaml; seed 002).

- Bearer auth (`good-token` only): missing/invalid → 401 ErrorEnvelope (`unauthorized`).
- Every documented parameter is required and validated; the first problem found answers 400
  ErrorEnvelope with code `invalid_parameter` and the offending parameters in `details`:
  client_id/user_id not a UUID, a missing query parameter, granularity not one of
  daily/weekly/monthly/quarterly, start_date/end_date not YYYY-MM-DD calendar dates, metric not
  `activity-count`, end_date before start_date, or a range over 90 days ("Date range cannot exceed
  90 days", details echoing start_date and end_date). The 90-day bound is the project's agreed one
  (mockserver's `date_range` rule): (end - start).days > 90 is refused, so 91 calendar days pass.
- 404 (`not_found`) for the nil UUID as client_id or user_id: the one "unknown user or client".
- 200: ActivityTimeSeries. `metric` echoes the request, `label` is "Total Activity", `period`
  echoes start_date/end_date, and `data` has exactly one point per period from start_date to
  end_date inclusive, weekends and zero days included. Periods follow the project's agreed bucket
  semantics (mockserver/generation/shaping.py `periods()`, copied below): the first bucket is
  labelled start_date itself, the next ones start 1 day / 7 days later, or on the first day of
  the next month / calendar quarter. A coarser point's value is the sum of its days (clipped to
  the range). Weekends and days after today have value 0.

`xmock_rule_broken`: days (periods) with no activity are left out of the series, as a bare
`GROUP BY DATE(...)` without a calendar join would do; visible at daily granularity on any range
containing a Saturday or Sunday.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from starlette.requests import Request

from upstreams.common import ApiDef, ApiError, Context, build_app, is_uuid, map_items, parse_date, query_value

BASE_PATH = "/v2"
MAX_DAYS = 90
METRICS = {"activity-count": "Total Activity"}
GRANULARITIES = {"daily": "day", "weekly": "week", "monthly": "month", "quarterly": "quarter"}
NIL_UUID = "00000000-0000-0000-0000-000000000000"
_REQUIRED = ("granularity", "start_date", "end_date", "metric")


def periods(start: date, end: date, step: str) -> list[date]:
    """Bucket starts from `start` to `end` inclusive; the first bucket is labelled by `start` itself.

    A copy of mockserver.generation.shaping.periods (the agreed semantics), not an import.
    """
    out = [start]
    current = start
    while True:
        if step == "day":
            current = current + timedelta(days=1)
        elif step == "week":
            current = current + timedelta(days=7)
        else:
            months = 1 if step == "month" else 3
            first_month = current.month - 1 if step == "month" else (current.month - 1) // 3 * 3
            total = current.year * 12 + first_month + months
            current = date(total // 12, total % 12 + 1, 1)
        if current > end:
            return out
        out.append(current)


def daily_value(client_id: str, user_id: str, day: date, today: date) -> int:
    """SUM(total_activity_count) for one day: 0 on weekends, after today and on the odd idle weekday."""
    if day.weekday() >= 5 or day > today:
        return 0
    rng = random.Random(f"client-analytics:{client_id}:{user_id}:{day.isoformat()}")
    return 0 if rng.random() < 0.08 else rng.randint(25, 60)


def _bad(message: str, **details: Any) -> ApiError:
    return ApiError(400, "invalid_parameter", message, details, bad_input=True)


def _handle(request: Request, ctx: Context) -> Any:
    client_id = request.path_params["client_id"]
    user_id = request.path_params["user_id"]
    for name, value in (("client_id", client_id), ("user_id", user_id)):
        if not is_uuid(value):
            raise _bad(f"{name} must be a UUID", **{name: value})
    raw = {name: query_value(request, name) for name in _REQUIRED}
    missing = [name for name, value in raw.items() if value is None]
    if missing:
        raise _bad(f"Missing required parameter: {', '.join(missing)}", missing=missing)
    granularity, metric = str(raw["granularity"]), str(raw["metric"])
    if granularity not in GRANULARITIES:
        raise _bad("granularity must be one of: daily, weekly, monthly, quarterly", granularity=granularity)
    start, end = parse_date(raw["start_date"]), parse_date(raw["end_date"])
    if start is None:
        raise _bad("start_date must be a date in YYYY-MM-DD format", start_date=raw["start_date"])
    if end is None:
        raise _bad("end_date must be a date in YYYY-MM-DD format", end_date=raw["end_date"])
    if metric not in METRICS:
        raise _bad("Unknown metric", metric=metric)
    if end < start:
        raise _bad("start_date must not be after end_date", start_date=raw["start_date"], end_date=raw["end_date"])
    if (end - start).days > MAX_DAYS:
        raise _bad("Date range cannot exceed 90 days", start_date=raw["start_date"], end_date=raw["end_date"])
    if NIL_UUID in (client_id, user_id):
        raise ApiError(404, "not_found", "User or client not found")

    starts = periods(start, end, GRANULARITIES[granularity])
    data = []
    for i, first in enumerate(starts):
        last = starts[i + 1] - timedelta(days=1) if i + 1 < len(starts) else end
        days = (first + timedelta(days=k) for k in range((last - first).days + 1))
        value = sum(daily_value(client_id, user_id, day, ctx.today) for day in days)
        data.append({"date": first.isoformat(), "value": value})
    if ctx.rule_broken:
        data = [point for point in data if point["value"] != 0]
    return {
        "metric": metric,
        "label": METRICS[metric],
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "data": data,
    }


def _error_body(err: ApiError, ctx: Context) -> Any:
    error: dict[str, Any] = {"code": err.code, "message": err.message}
    if err.details is not None:
        error["details"] = err.details
    return {"error": error}


def _drifted_error_body(err: ApiError, ctx: Context) -> Any:
    return {"detail": err.message}


def _unauthorized(problem: str | None) -> ApiError:
    return ApiError(401, "unauthorized", "Authentication required", headers={"WWW-Authenticate": "Bearer"})


def _server_error() -> ApiError:
    return ApiError(500, "internal_error", "Server error")


def _drop_value(body: Any) -> Any:
    return map_items(body, "data", lambda point: point.pop("value", None))


def _value_as_string(body: Any) -> Any:
    return map_items(body, "data", lambda point: point.update(value=str(point["value"])))


def _metric_out_of_enum(body: Any) -> Any:
    body["metric"] = "activity_count"
    return body


API = ApiDef(
    name="client-analytics",
    base_path=BASE_PATH,
    route="/clients/{client_id}/analytics/users/{user_id}/activity",
    secured=True,
    handle=_handle,
    error_body=_error_body,
    drifted_error_body=_drifted_error_body,
    body_drifts={
        "missing_required_field": _drop_value,
        "wrong_type": _value_as_string,
        "enum_out_of_spec": _metric_out_of_enum,
    },
    unauthorized=_unauthorized,
    server_error=_server_error,
)


def create_app(defect: str | None = None, **kwargs: Any) -> Any:
    return build_app(API, defect, **kwargs)
