"""Lightdash `GET /api/v1/analytics/user-activity/{projectUuid}` (specs/lightdash.yaml; seed 004), as published.

- No security (the excerpt says `security: []`), nothing to validate: `projectUuid` is any string.
- 200: `{"status": "ok", "results": UserActivity}` with every required field, deterministic per
  projectUuid (counts as numbers; the weekly series' figures as strings, like the Postgres numerics
  Lightdash passes through, which is what the schema types them as).
- `projectUuid` "not-found" → 404 ApiErrorPayload (`{"status": "error", "error": {name, statusCode,
  message, data}}`), the envelope of the documented `default` response.

Unsupported defects (see UNSUPPORTED): `auth_not_enforced` (no auth), `xmock_rule_broken` (no prose
rule beyond the schema), `undocumented_status` (the `default` response documents every status).
`server_error_on_bad_input`: a projectUuid that is not a UUID crashes the query (500
UnexpectedDatabaseError, as Postgres' "invalid input syntax for type uuid" would): the spec allows
any string there, so a 5xx for it is the drift (its body is still the `default` envelope).
"""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from typing import Any

from starlette.requests import Request

from upstreams.common import ApiDef, ApiError, Context, build_app, is_uuid

BASE_PATH = ""  # servers: [{url: /}]
NOT_FOUND_PROJECT = "not-found"
UNSUPPORTED = {
    "auth_not_enforced": "the operation declares no security (security: [])",
    "xmock_rule_broken": "the operation has no documented rule beyond its schema",
    "undocumented_status": "the `default` response documents every status code",
}
_NS = uuid.UUID("5d0b6a2e-93c4-4f6b-b1e7-7a6c0e2f9d34")
_FIRST = ("Ada", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "Tim", "Radia")
_LAST = (
    "Lovelace",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Thompson",
    "Liskov",
    "Ritchie",
    "Allen",
    "Berners-Lee",
    "Perlman",
)
_CHARTS = ("Revenue by month", "Weekly active users", "Churn by plan", "Orders funnel", "Top customers", "NPS trend")
_DASHBOARDS = ("Executive overview", "Sales pipeline", "Product usage", "Marketing attribution")
_NAMES = {
    "not_found": "NotFoundError",
    "method_not_allowed": "MethodNotAllowedError",
    "internal_error": "UnexpectedServerError",
}


def _user(rng: random.Random, i: int, project: str) -> dict[str, Any]:
    return {
        "userUuid": str(uuid.uuid5(_NS, f"{project}:user:{i}")),
        "firstName": _FIRST[i % len(_FIRST)],
        "lastName": _LAST[(i * 3 + rng.randint(0, 2)) % len(_LAST)],
    }


def _views(rng: random.Random, names: tuple[str, ...], project: str, kind: str) -> list[dict[str, Any]]:
    rows = [
        {"name": name, "uuid": str(uuid.uuid5(_NS, f"{project}:{kind}:{name}")), "count": rng.randint(3, 400)}
        for name in rng.sample(names, min(len(names), 4))
    ]
    return sorted(rows, key=lambda r: -r["count"])


def _handle(request: Request, ctx: Context) -> Any:
    project = request.path_params["projectUuid"]
    if project == NOT_FOUND_PROJECT:
        raise ApiError(404, "not_found", f"Project {project} not found", {})
    if ctx.defect == "server_error_on_bad_input" and not is_uuid(project):
        raise ApiError(500, "UnexpectedDatabaseError", f'invalid input syntax for type uuid: "{project}"', {})
    rng = random.Random(f"lightdash:{project}")
    users = [_user(rng, i, project) for i in range(rng.randint(8, 12))]
    admins, editors, interactive = 1, rng.randint(1, 3), rng.randint(1, 3)
    viewers = len(users) - admins - editors - interactive
    weekly_active = rng.randint(2, len(users))
    monday = ctx.today - timedelta(days=ctx.today.weekday())
    weeks = [monday - timedelta(weeks=k) for k in range(8, 0, -1)]
    queried = rng.sample(users, 4)
    return {
        "status": "ok",
        "results": {
            "numberUsers": len(users),
            "numberViewers": viewers,
            "numberInteractiveViewers": interactive,
            "numberEditors": editors,
            "numberAdmins": admins,
            "numberWeeklyQueryingUsers": weekly_active,
            "tableMostQueries": [{**u, "count": rng.randint(20, 300)} for u in queried],
            "tableMostCreatedCharts": [{**u, "count": rng.randint(1, 25)} for u in rng.sample(users, 3)],
            "tableNoQueries": [u for u in users if u not in queried][:3],
            "chartWeeklyQueryingUsers": [
                {
                    "date": f"{week.isoformat()}T00:00:00.000Z",
                    "num_7d_active_users": str(n),
                    "percent_7d_active_users": f"{100 * n / len(users):.2f}",
                }
                for week in weeks
                for n in [rng.randint(1, len(users))]
            ],
            "chartWeeklyAverageQueries": [
                {
                    "date": f"{week.isoformat()}T00:00:00.000Z",
                    "average_number_of_weekly_queries_per_user": f"{rng.uniform(1, 30):.2f}",
                }
                for week in weeks
            ],
            "dashboardViews": _views(rng, _DASHBOARDS, project, "dashboard"),
            "userMostViewedDashboards": [
                {
                    **u,
                    "count": rng.randint(5, 120),
                    "dashboardUuid": str(uuid.uuid5(_NS, f"{project}:dashboard:{name}")),
                    "dashboardName": name,
                }
                for u, name in zip(rng.sample(users, 3), rng.sample(_DASHBOARDS, 3), strict=True)
            ],
            "chartViews": _views(rng, _CHARTS, project, "chart"),
        },
    }


def _error_body(err: ApiError, ctx: Context) -> Any:
    error: dict[str, Any] = {"name": _NAMES.get(err.code, err.code), "statusCode": err.status, "message": err.message}
    if err.details is not None:
        error["data"] = err.details
    return {"status": "error", "error": error}


def _drifted_error_body(err: ApiError, ctx: Context) -> Any:
    return {"message": err.message}


def _unauthorized(problem: str | None) -> ApiError:  # never used: the API is not secured
    return ApiError(401, "AuthorizationError", "Unauthorized")


def _server_error() -> ApiError:
    return ApiError(500, "internal_error", "Something went wrong.", {})


def _drop_number_users(body: Any) -> Any:
    body["results"].pop("numberUsers", None)
    return body


def _chart_view_counts_as_strings(body: Any) -> Any:
    for row in body["results"]["chartViews"]:
        row["count"] = str(row["count"])
    return body


def _status_out_of_enum(body: Any) -> Any:
    body["status"] = "okay"
    return body


API = ApiDef(
    name="lightdash",
    base_path=BASE_PATH,
    route="/api/v1/analytics/user-activity/{projectUuid}",
    secured=False,
    handle=_handle,
    error_body=_error_body,
    drifted_error_body=_drifted_error_body,
    body_drifts={
        "missing_required_field": _drop_number_users,
        "wrong_type": _chart_view_counts_as_strings,
        "enum_out_of_spec": _status_out_of_enum,
    },
    unauthorized=_unauthorized,
    server_error=_server_error,
    unsupported=UNSUPPORTED,
)


def create_app(defect: str | None = None, **kwargs: Any) -> Any:
    return build_app(API, defect, **kwargs)
