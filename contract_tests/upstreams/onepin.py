"""Onepin `GET /api/v1/usage/activity` (specs/onepin.yaml; seed 003 and PyPI onepin 0.16.1), as documented.

- Bearer auth (`good-token` only; it stands for both documented forms, Clerk JWT and op_live_ key):
  missing/invalid → 401 in Onepin's envelope `{"error": {code, message}, "meta": {...}}`.
- Query validation the FastAPI way: every bad parameter is one entry of a 422 HTTPValidationError
  `{"detail": [{"type", "loc": ["query", name], "msg", "input", "ctx"?}]}` (Pydantic v2 wording):
  `range` ∈ 30d/60d/90d, `type` ∈ UsageActivityAction, `user_id` a UUID, `limit` an integer in
  1..100. `cursor`, `timezone` and X-Workspace-Id are free strings (an unknown timezone or an
  undecodable cursor fall back to UTC / the first page).
- 404 (envelope, `not_found`) when `user_id` is a valid UUID but not a member of the workspace.
- 200: ApiListResponse[UsageActivityOut], newest first, limited to the rolling `range` of local
  calendar days (today included) in `timezone`; `type` keeps one action, `user_id` one actor;
  `data` holds at most `limit` items (default 20), `pagination.limit` echoes it, `next`/`prev` are
  opaque cursors (null at the ends).

`wrong_error_envelope`: 401/404/405 as `{"message": ...}`, 422 items as `{"field", "message"}`.
`xmock_rule_broken`: `limit` is not honoured: the page holds limit+1 items (the look-ahead row
fetched to know whether a next page exists is not trimmed).
"""

from __future__ import annotations

import base64
import json
import random
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request

from upstreams.common import ApiDef, ApiError, Context, build_app, is_uuid, iso_z, map_items, query_value

BASE_PATH = ""  # servers: https://api.onepin.ai; the path itself is /api/v1/usage/activity
ROUTE = "/api/v1/usage/activity"
RANGES = {"30d": 30, "60d": 60, "90d": 90}
ACTIONS = (
    "workflow_run",
    "voice_generated",
    "template_applied",
    "member_invited",
    "api_key_created",
    "settings_changed",
)
DEFAULT_LIMIT, MIN_LIMIT, MAX_LIMIT = 20, 1, 100
_NS = uuid.UUID("0b8e4f0c-5a9d-4c61-8a57-3f0a9d3c2e11")
MEMBERS: list[dict[str, str]] = [
    {"id": str(uuid.uuid5(_NS, f"member:{name}")), "name": name}
    for name in ("Alice Johnson", "Bob Martinez", "Chen Wei", "Dana Okafor", "Erik Lindqvist")
]
_MEMBER_IDS = {m["id"] for m in MEMBERS}
_WORKFLOWS = ("Monthly Report Generation", "Lead Enrichment", "Invoice Reminder", "Weekly KPI Digest", "Support Triage")
_TEMPLATES = ("Sales Follow-up", "Onboarding Sequence", "Churn Risk Alert")
_VOICES = ("Aria", "Marcus", "Sofia", "Kenji")
_KINDS = {
    "workflow_run": "workflow_execution",
    "voice_generated": "voice_generation",
    "template_applied": "template_application",
    "member_invited": "member_invitation",
    "api_key_created": "api_key_creation",
    "settings_changed": "settings_update",
}


def _expected(values: tuple[str, ...] | list[str]) -> str:
    quoted = [f"'{v}'" for v in values]
    return ", ".join(quoted[:-1]) + f" or {quoted[-1]}"


def _event(rng: random.Random, moment: datetime, seq: str) -> dict[str, Any]:
    action = rng.choices(ACTIONS, weights=(50, 20, 10, 5, 5, 10))[0]
    user: dict[str, str] | None = dict(rng.choice(MEMBERS))
    resource: dict[str, Any]
    metadata: dict[str, Any] | None
    if action == "workflow_run":
        resource = {"type": "workflow", "id": f"wf_{rng.randrange(10**9, 10**10)}", "name": rng.choice(_WORKFLOWS)}
        metadata = {"duration_seconds": rng.randint(3, 600), "status": rng.choice(("success", "success", "failed"))}
        if rng.random() < 0.2:
            user = None  # a scheduled run
    elif action == "voice_generated":
        resource = {"type": "voice", "id": f"voice_{rng.randrange(10**7, 10**8)}", "name": rng.choice(_VOICES)}
        metadata = {"characters": rng.randint(80, 4000), "language": rng.choice(("en", "es", "de"))}
    elif action == "template_applied":
        resource = {"type": "template", "id": f"tpl_{rng.randrange(10**6, 10**7)}", "name": rng.choice(_TEMPLATES)}
        metadata = {"workflow_id": f"wf_{rng.randrange(10**9, 10**10)}"}
    elif action == "member_invited":
        resource = {"type": "member", "id": None, "name": f"invitee{rng.randint(1, 99)}@example.com"}
        metadata = {"role": rng.choice(("viewer", "editor", "admin"))}
    elif action == "api_key_created":
        resource = {"type": "api_key", "id": f"key_{rng.randrange(10**7, 10**8)}", "name": "CI deploy key"}
        metadata = {"scopes": ["workspace:read"]}
    else:
        resource = {"type": "workspace_settings", "id": None, "name": None}
        metadata = {"changed": [rng.choice(("timezone", "billing_email", "default_voice"))]}
        if rng.random() < 0.3:
            user, metadata = None, None  # a system change
    ip = (
        None
        if user is None
        else rng.choice((f"192.168.1.{rng.randint(2, 254)}", f"2001:db8::{rng.randint(1, 0xFFFF):x}"))
    )
    return {
        "id": str(uuid.uuid5(_NS, f"event:{seq}")),
        "timestamp": iso_z(moment),
        "user": user,
        "action": action,
        "kind": _KINDS[action],
        "resource": resource,
        "metadata": metadata,
        "ip": ip,
    }


def events(now: datetime) -> list[dict[str, Any]]:
    """The workspace's feed for the last 91 UTC days before today's midnight, newest first."""
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    out = []
    for k in range(1, 92):
        day = (midnight - timedelta(days=k)).date()
        rng = random.Random(f"onepin:{day.isoformat()}")
        seconds = sorted(rng.sample(range(86400), rng.randint(1, 4)), reverse=True)
        for i, second in enumerate(seconds):
            out.append(_event(rng, midnight - timedelta(days=k) + timedelta(seconds=second), f"{day}:{i}"))
    return out


def _cursor(offset: int) -> str:
    raw = json.dumps({"offset": offset}, separators=(",", ":")).encode()
    return "cursor_" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _offset(cursor: str | None) -> int:
    if not cursor or not cursor.startswith("cursor_"):
        return 0
    text = cursor[len("cursor_") :]
    try:
        offset = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))["offset"]
    except (ValueError, KeyError, TypeError):
        return 0
    return offset if isinstance(offset, int) and offset >= 0 else 0


def _uuid_message(value: str) -> str:
    for i, char in enumerate(value):
        if char not in "0123456789abcdefABCDEF-":
            return (
                "Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` "
                f"followed by [0-9a-fA-F-], found `{char}` at {i + 1}"
            )
    return f"Input should be a valid UUID, invalid length: expected length 32 for simple format, found {len(value)}"


def _validate(request: Request) -> tuple[int, str | None, str | None, int]:
    problems: list[dict[str, Any]] = []
    range_ = query_value(request, "range")
    range_ = "30d" if range_ is None else range_  # `?range=` is a bad value, not the default
    if range_ not in RANGES:
        expected = _expected(list(RANGES))
        problems.append(
            {
                "type": "enum",
                "loc": ["query", "range"],
                "msg": f"Input should be {expected}",
                "input": range_,
                "ctx": {"expected": expected},
            }
        )
    action = query_value(request, "type")
    if action is not None and action not in ACTIONS:
        expected = _expected(ACTIONS)
        problems.append(
            {
                "type": "enum",
                "loc": ["query", "type"],
                "msg": f"Input should be {expected}",
                "input": action,
                "ctx": {"expected": expected},
            }
        )
    user_id = query_value(request, "user_id")
    if user_id is not None and not is_uuid(user_id):
        problems.append(
            {"type": "uuid_parsing", "loc": ["query", "user_id"], "msg": _uuid_message(user_id), "input": user_id}
        )
    raw_limit = query_value(request, "limit")
    limit = DEFAULT_LIMIT
    if raw_limit is not None:
        if not re.fullmatch(r"[+-]?[0-9]+", raw_limit.strip()):
            problems.append(
                {
                    "type": "int_parsing",
                    "loc": ["query", "limit"],
                    "msg": "Input should be a valid integer, unable to parse string as an integer",
                    "input": raw_limit,
                }
            )
        else:
            limit = int(raw_limit.strip())
            if limit < MIN_LIMIT:
                problems.append(
                    {
                        "type": "greater_than_equal",
                        "loc": ["query", "limit"],
                        "msg": f"Input should be greater than or equal to {MIN_LIMIT}",
                        "input": raw_limit,
                        "ctx": {"ge": MIN_LIMIT},
                    }
                )
            elif limit > MAX_LIMIT:
                problems.append(
                    {
                        "type": "less_than_equal",
                        "loc": ["query", "limit"],
                        "msg": f"Input should be less than or equal to {MAX_LIMIT}",
                        "input": raw_limit,
                        "ctx": {"le": MAX_LIMIT},
                    }
                )
    if problems:
        raise ApiError(422, "validation_error", "Validation Error", problems, bad_input=True)
    return RANGES[range_], action, user_id, limit


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return ZoneInfo("UTC")


def _handle(request: Request, ctx: Context) -> Any:
    days, action, user_id, limit = _validate(request)
    if user_id is not None and user_id.lower() not in _MEMBER_IDS:
        raise ApiError(404, "not_found", "User not found in this workspace")
    zone = _zone(query_value(request, "timezone"))
    first_day = ctx.now.astimezone(zone).date() - timedelta(days=days - 1)
    feed = [
        e
        for e in events(ctx.now)
        if datetime.fromisoformat(e["timestamp"]).astimezone(zone).date() >= first_day
        and (action is None or e["action"] == action)
        and (user_id is None or (e["user"] is not None and e["user"]["id"] == user_id.lower()))
    ]
    offset = _offset(query_value(request, "cursor"))
    page = feed[offset : offset + limit + (1 if ctx.rule_broken else 0)]
    return {
        "data": page,
        "meta": _meta(request, ctx),
        "pagination": {
            "limit": limit,
            "next": _cursor(offset + limit) if offset + limit < len(feed) else None,
            "prev": _cursor(max(offset - limit, 0)) if offset > 0 else None,
        },
    }


def _meta(request: Request, ctx: Context) -> dict[str, str]:
    seed = f"{ROUTE}?{request.url.query}@{iso_z(ctx.now)}"  # not url.path: that holds the mount prefix
    return {"request_id": f"req_{uuid.uuid5(_NS, seed)}", "timestamp": iso_z(ctx.now)}


def _error_body(err: ApiError, ctx: Context) -> Any:
    if err.status == 422:
        return {"detail": err.details}
    seed = f"{err.status}:{err.message}@{iso_z(ctx.now)}"
    return {
        "error": {"code": err.code, "message": err.message},
        "meta": {"request_id": f"req_{uuid.uuid5(_NS, seed)}", "timestamp": iso_z(ctx.now)},
    }


def _drifted_error_body(err: ApiError, ctx: Context) -> Any:
    # A custom validation handler reshaping FastAPI's items. Not `{"errors": [...]}`: FastAPI's
    # published HTTPValidationError requires nothing, so an object without `detail` still conforms;
    # items without loc/msg/type do not.
    if err.status == 422:
        return {"detail": [{"field": p["loc"][-1], "message": p["msg"]} for p in err.details]}
    return {"message": err.message}


def _unauthorized(problem: str | None) -> ApiError:
    return ApiError(401, "unauthorized", "Invalid or missing API key", headers={"WWW-Authenticate": "Bearer"})


def _server_error() -> ApiError:
    return ApiError(500, "internal_error", "Internal server error")


def _drop_timestamp(body: Any) -> Any:
    return map_items(body, "data", lambda item: item.pop("timestamp", None))


def _limit_as_string(body: Any) -> Any:
    body["pagination"]["limit"] = str(body["pagination"]["limit"])
    return body


def _unknown_action(body: Any) -> Any:
    return map_items(body, "data", lambda item: item.update(action="deleted_everything"), first_only=True)


API = ApiDef(
    name="onepin",
    base_path=BASE_PATH,
    route=ROUTE,
    secured=True,
    handle=_handle,
    error_body=_error_body,
    drifted_error_body=_drifted_error_body,
    body_drifts={
        "missing_required_field": _drop_timestamp,
        "wrong_type": _limit_as_string,
        "enum_out_of_spec": _unknown_action,
    },
    unauthorized=_unauthorized,
    server_error=_server_error,
)


def create_app(defect: str | None = None, **kwargs: Any) -> Any:
    return build_app(API, defect, **kwargs)
