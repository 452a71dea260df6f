"""Self-test of the stand-in upstreams, over real HTTP against `serve_all()`.

1. Every faithful API answers valid requests with 200 bodies that validate against its spec, and its
   errors (auth, bad input, not found) with the documented status and envelope.
2. The prose rules hold on the faithful APIs (date filter, series per period, echoes, limit, filters).
3. Every defect variant differs from the faithful one in the way its name says: one assertion each.

Specs are read with PyYAML and bodies validated with openapi-schema-validator (OAS 3.1 / 3.0
dialect, formats asserted), `$ref`s resolved through a `referencing` registry holding the document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from openapi_schema_validator import OAS30Validator, OAS31Validator, oas30_format_checker, oas31_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

from upstreams.common import DEFECTS, GOOD_TOKEN
from upstreams.onepin import MEMBERS
from upstreams.server import APIS, BASE_PATHS, UNSUPPORTED, VARIANTS, base_url, create_app, serve_all

SPECS = Path(__file__).resolve().parents[2] / "specs"
NOW = datetime(2026, 3, 15, 12, 30, tzinfo=UTC)  # pinned clock: date windows do not move with the run
TODAY = NOW.date()
AUTH = {"Authorization": f"Bearer {GOOD_TOKEN}"}
CLIENT = "aa7cf840-9ca9-46a3-9778-9015d6580d50"
USER = "a1d97031-04e2-4907-a249-093f7436207b"
CA_PATH = f"/clients/{CLIENT}/analytics/users/{USER}/activity"
MEMBER = MEMBERS[0]["id"]


def days_ago(n: int) -> str:
    return (TODAY - timedelta(days=n)).isoformat()


# ---------------------------------------------------------------------------------------------- spec


@cache
def spec(api: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((SPECS / f"{api}.yaml").read_text())
    return loaded


@cache
def operation(api: str) -> tuple[str, dict[str, Any]]:
    ((path, item),) = spec(api)["paths"].items()
    return path, item["get"]


def documented_statuses(api: str) -> set[str]:
    return set(operation(api)[1]["responses"])


def body_errors(api: str, status: int, body: Any) -> list[str]:
    """Schema errors of `body` against the response the spec documents for `status` ("default" else)."""
    path, op = operation(api)
    code = str(status) if str(status) in op["responses"] else "default"
    assert code in op["responses"], f"{api}: status {status} is not documented"
    pointer = (
        "/paths/"
        + path.replace("~", "~0").replace("/", "~1")
        + f"/get/responses/{code}/content/application~1json/schema"
    )
    is_31 = str(spec(api)["openapi"]).startswith("3.1")
    uri = f"urn:spec:{api}"
    resource = Resource.from_contents(spec(api), default_specification=DRAFT202012 if is_31 else DRAFT4)
    registry: Registry[Any] = Registry().with_resource(uri, resource)
    cls, formats = (OAS31Validator, oas31_format_checker) if is_31 else (OAS30Validator, oas30_format_checker)
    validator = cls({"$ref": f"{uri}#{pointer}"}, registry=registry, format_checker=formats)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]


# ---------------------------------------------------------------------------------------------- http


@pytest.fixture(scope="module")
def root() -> Iterator[str]:
    with serve_all(clock=lambda: NOW) as url:
        yield url


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


@dataclass(frozen=True)
class Req:
    path: str
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=lambda: dict(AUTH))
    method: str = "GET"


def send(http: httpx.Client, root: str, api: str, variant: str, req: Req) -> httpx.Response:
    return http.request(req.method, base_url(root, api, variant) + req.path, params=req.params, headers=req.headers)


def no_auth(req: Req) -> Req:
    return Req(req.path, req.params, headers={})


def bad_token(req: Req) -> Req:
    return Req(req.path, req.params, headers={"Authorization": "Bearer not-the-token"})


@dataclass(frozen=True)
class Probe:
    """Requests and expectations for one API."""

    valid: list[Req]  # each answered 200
    errors: list[tuple[Req, int]]  # (request, documented status)
    bad_input: Req  # answered 400/422
    error_sample: Req  # any documented error, for the envelope defect
    prose: Req  # a valid request on which the prose rule is observable
    prose_holds: Callable[[Req, Any], bool]
    missing: Callable[[Any], bool]  # the dropped field is gone
    wrong_type: Callable[[Any], bool]  # the field has the drifted type
    enum: Callable[[Any], bool]  # the value is outside the spec


def _openrouter_prose(req: Req, body: Any) -> bool:
    return bool(body["data"]) and all(item["date"] == req.params["date"] for item in body["data"])


def _daily(start: str, end: str) -> list[str]:
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    return [(first + timedelta(days=k)).isoformat() for k in range((last - first).days + 1)]


def _ca_prose(req: Req, body: Any) -> bool:
    p = req.params
    return [pt["date"] for pt in body["data"]] == _daily(p["start_date"], p["end_date"]) and body["period"] == {
        "start": p["start_date"],
        "end": p["end_date"],
    }


def _onepin_prose(req: Req, body: Any) -> bool:
    limit = int(req.params["limit"])
    return 0 < len(body["data"]) <= limit and body["pagination"]["limit"] == limit


def ca(**params: str) -> Req:
    base = {"granularity": "daily", "start_date": "2026-01-01", "end_date": "2026-01-15", "metric": "activity-count"}
    return Req(CA_PATH, {k: v for k, v in {**base, **params}.items() if v != "-"})


ONEPIN = "/api/v1/usage/activity"
LD = "/api/v1/analytics/user-activity/"

PROBES: dict[str, Probe] = {
    "openrouter": Probe(
        valid=[
            Req("/activity"),
            Req("/activity", {"date": days_ago(1)}),
            Req("/activity", {"date": days_ago(30)}),
            Req("/activity", {"date": TODAY.isoformat()}),
            Req("/activity", {"unknown_param": "x"}),
        ],
        errors=[
            (Req("/activity", {"date": "2026/03/10"}), 400),
            (Req("/activity", {"date": "2026-02-30"}), 400),
            (Req("/activity", {"date": days_ago(31)}), 400),
            (Req("/activity", {"date": days_ago(-1)}), 400),
            (Req("/activity", {"date": ""}), 400),
            (no_auth(Req("/activity")), 401),
            (bad_token(Req("/activity")), 401),
        ],
        bad_input=Req("/activity", {"date": "yesterday"}),
        error_sample=Req("/activity", {"date": days_ago(45)}),
        prose=Req("/activity", {"date": days_ago(3)}),
        prose_holds=_openrouter_prose,
        missing=lambda b: bool(b["data"]) and all("model" not in i for i in b["data"]),
        wrong_type=lambda b: bool(b["data"]) and all(isinstance(i["requests"], str) for i in b["data"]),
        enum=lambda b: b["data"][0]["cached_tokens"] < 0,
    ),
    "lightdash": Probe(
        valid=[
            Req(LD + "3fa85f64-5717-4562-b3fc-2c963f66afa6", headers={}),
            Req(LD + "any string", headers={}),
            Req(LD + "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
        ],
        errors=[(Req(LD + "not-found", headers={}), 404), (Req(LD + "x", headers={}, method="DELETE"), 405)],
        bad_input=Req(LD + "not-a-uuid", headers={}),
        error_sample=Req(LD + "not-found", headers={}),
        prose=Req(LD + "3fa85f64-5717-4562-b3fc-2c963f66afa6", headers={}),
        prose_holds=lambda req, body: True,
        missing=lambda b: "numberUsers" not in b["results"],
        wrong_type=lambda b: all(isinstance(v["count"], str) for v in b["results"]["chartViews"]),
        enum=lambda b: b["status"] == "okay",
    ),
    "client-analytics": Probe(
        valid=[
            ca(),
            ca(granularity="weekly"),
            ca(granularity="monthly", end_date="2026-03-31"),
            ca(granularity="quarterly", start_date="2025-12-20", end_date="2026-03-15"),
            ca(start_date="2026-01-01", end_date="2026-04-01"),
            ca(start_date="2026-01-01", end_date="2026-01-01"),
        ],
        errors=[
            (ca(end_date="2026-06-01"), 400),
            (ca(end_date="2026-04-02"), 400),
            (ca(start_date="2026-01-16"), 400),
            (ca(start_date="01/01/2026"), 400),
            (ca(end_date="2026-02-30"), 400),
            (ca(metric="page-views"), 400),
            (ca(granularity="hourly"), 400),
            (ca(granularity="-"), 400),
            (ca(metric="-"), 400),
            (Req(CA_PATH.replace(CLIENT, "not-a-uuid"), ca().params), 400),
            (Req(CA_PATH.replace(USER, "00000000-0000-0000-0000-000000000000"), ca().params), 404),
            (no_auth(ca()), 401),
            (bad_token(ca()), 401),
        ],
        bad_input=ca(start_date="2026-13-01"),
        error_sample=ca(end_date="2026-06-01"),
        prose=ca(),  # 2026-01-01..15 holds two weekends
        prose_holds=_ca_prose,
        missing=lambda b: bool(b["data"]) and all("value" not in p for p in b["data"]),
        wrong_type=lambda b: bool(b["data"]) and all(isinstance(p["value"], str) for p in b["data"]),
        enum=lambda b: b["metric"] == "activity_count",
    ),
    "onepin": Probe(
        valid=[
            Req(ONEPIN),
            Req(ONEPIN, {"limit": "5"}),
            Req(ONEPIN, {"limit": "100", "range": "90d"}),
            Req(ONEPIN, {"type": "workflow_run"}),
            Req(ONEPIN, {"user_id": MEMBER, "range": "60d"}),
            Req(ONEPIN, {"timezone": "Europe/Berlin", "limit": "1"}),
            Req(ONEPIN, {"cursor": "garbage"}),
        ],
        errors=[
            (Req(ONEPIN, {"limit": "0"}), 422),
            (Req(ONEPIN, {"limit": "101"}), 422),
            (Req(ONEPIN, {"limit": "ten"}), 422),
            (Req(ONEPIN, {"range": "7d"}), 422),
            (Req(ONEPIN, {"range": ""}), 422),
            (Req(ONEPIN, {"type": "deleted"}), 422),
            (Req(ONEPIN, {"user_id": "bob"}), 422),
            (Req(ONEPIN, {"user_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}), 404),
            (no_auth(Req(ONEPIN)), 401),
            (bad_token(Req(ONEPIN)), 401),
        ],
        bad_input=Req(ONEPIN, {"limit": "1000"}),
        error_sample=Req(ONEPIN, {"limit": "0", "range": "1y"}),
        prose=Req(ONEPIN, {"limit": "3"}),
        prose_holds=_onepin_prose,
        missing=lambda b: bool(b["data"]) and all("timestamp" not in i for i in b["data"]),
        wrong_type=lambda b: isinstance(b["pagination"]["limit"], str),
        enum=lambda b: b["data"][0]["action"] == "deleted_everything",
    ),
}


# ------------------------------------------------------------------------------------- the layout


def test_variant_table_and_layout(root: str) -> None:
    assert set(VARIANTS) == set(APIS) == {"openrouter", "lightdash", "client-analytics", "onepin"}
    for api in ("openrouter", "client-analytics", "onepin"):
        assert VARIANTS[api] == ["faithful", *DEFECTS]
    assert sorted(UNSUPPORTED["lightdash"]) == ["auth_not_enforced", "undocumented_status", "xmock_rule_broken"]
    assert VARIANTS["lightdash"] == ["faithful", *(d for d in DEFECTS if d not in UNSUPPORTED["lightdash"])]
    for defect in UNSUPPORTED["lightdash"]:
        with pytest.raises(ValueError, match="does not support"):
            create_app("lightdash", defect)
    assert BASE_PATHS == {"openrouter": "/api/v1", "lightdash": "", "client-analytics": "/v2", "onepin": ""}
    assert base_url("http://h:1", "client-analytics") == "http://h:1/client-analytics/faithful/v2"
    assert base_url("http://h:1/", "openrouter", "wrong_type") == "http://h:1/openrouter/wrong_type/api/v1"
    assert root.startswith("http://127.0.0.1:")


# --------------------------------------------------------------------------------- faithful: bodies


@pytest.mark.parametrize("api", list(PROBES))
def test_faithful_success_bodies_validate(api: str, root: str, http: httpx.Client) -> None:
    for req in PROBES[api].valid:
        r = send(http, root, api, "faithful", req)
        assert r.status_code == 200, (req, r.text)
        assert r.headers["content-type"] == "application/json"
        assert body_errors(api, 200, r.json()) == [], req
        assert send(http, root, api, "faithful", req).json() == r.json(), "answers are deterministic"


@pytest.mark.parametrize("api", list(PROBES))
def test_faithful_error_bodies_validate(api: str, root: str, http: httpx.Client) -> None:
    for req, status in PROBES[api].errors:
        r = send(http, root, api, "faithful", req)
        assert r.status_code == status, (req, r.text)
        assert r.headers["content-type"] == "application/json"
        assert body_errors(api, status, r.json()) == [], (req, r.text)
        if status == 401:
            assert r.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("api", list(PROBES))
def test_faithful_methods(api: str, root: str, http: httpx.Client) -> None:
    req = PROBES[api].valid[0]
    url = base_url(root, api) + req.path
    options = http.options(url)
    assert (options.status_code, options.headers["allow"]) == (204, "GET, HEAD, OPTIONS")
    for method in ("POST", "PUT", "DELETE", "PATCH", "FOO"):
        r = http.request(method, url, headers=AUTH)
        assert (r.status_code, r.headers["allow"], r.headers["content-type"]) == (
            405,
            "GET, HEAD, OPTIONS",
            "application/json",
        )
    head = http.head(url, params=req.params, headers=req.headers)
    assert (head.status_code, head.content) == (200, b"")
    missing = http.get(base_url(root, api) + "/no/such/path", headers=AUTH)
    assert (missing.status_code, missing.headers["content-type"]) == (404, "application/json")


# --------------------------------------------------------------------------------- faithful: prose


def test_openrouter_prose(root: str, http: httpx.Client) -> None:
    def get(**params: str) -> httpx.Response:
        return send(http, root, "openrouter", "faithful", Req("/activity", params))

    window = {days_ago(n) for n in range(1, 31)}
    everything = get().json()["data"]
    assert {item["date"] for item in everything} == window  # the last 30 completed UTC days
    assert all("cached_tokens" in item for item in everything)
    for n in (1, 7, 30):
        rows = get(date=days_ago(n)).json()["data"]
        assert rows and {row["date"] for row in rows} == {days_ago(n)}
        assert rows == [item for item in everything if item["date"] == days_ago(n)]
    assert get(date=TODAY.isoformat()).json() == {"data": []}  # within 30 days, not completed yet
    too_old = get(date=days_ago(31))
    assert (too_old.status_code, too_old.json()["error"]["message"]) == (400, "Date must be within the last 30 days")


def test_client_analytics_prose(root: str, http: httpx.Client) -> None:
    def series(**params: str) -> list[str]:
        r = send(http, root, "client-analytics", "faithful", ca(**params))
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["metric"], body["label"]) == ("activity-count", "Total Activity")
        assert body["period"] == {"start": ca(**params).params["start_date"], "end": ca(**params).params["end_date"]}
        return [point["date"] for point in body["data"]]

    assert series() == _daily("2026-01-01", "2026-01-15")
    assert series(start_date="2026-01-01", end_date="2026-04-01") == _daily("2026-01-01", "2026-04-01")  # 90 days: ok
    assert series(start_date="2026-02-10", end_date="2026-02-10") == ["2026-02-10"]
    assert series(granularity="weekly", end_date="2026-01-31") == [
        "2026-01-01",
        "2026-01-08",
        "2026-01-15",
        "2026-01-22",
        "2026-01-29",
    ]
    assert series(granularity="monthly", start_date="2026-01-15", end_date="2026-03-20") == [
        "2026-01-15",
        "2026-02-01",
        "2026-03-01",
    ]
    assert series(granularity="quarterly", start_date="2025-12-20", end_date="2026-03-15") == [
        "2025-12-20",
        "2026-01-01",
    ]
    daily = send(http, root, "client-analytics", "faithful", ca()).json()["data"]
    weekends = [p for p in daily if date.fromisoformat(p["date"]).weekday() >= 5]
    assert weekends and all(p["value"] == 0 for p in weekends)  # present, with value 0
    weekly = send(http, root, "client-analytics", "faithful", ca(granularity="weekly")).json()["data"]
    assert weekly[0]["value"] == sum(p["value"] for p in daily[:7])  # a period is the sum of its days
    too_long = send(http, root, "client-analytics", "faithful", ca(end_date="2026-06-01"))
    assert too_long.json() == {
        "error": {
            "code": "invalid_parameter",
            "message": "Date range cannot exceed 90 days",
            "details": {"start_date": "2026-01-01", "end_date": "2026-06-01"},
        }
    }
    assert send(http, root, "client-analytics", "faithful", ca(end_date="2026-04-02")).status_code == 400


def test_onepin_prose(root: str, http: httpx.Client) -> None:
    def get(**params: str) -> Any:
        r = send(http, root, "onepin", "faithful", Req(ONEPIN, params))
        assert r.status_code == 200, r.text
        return r.json()

    default = get()
    assert (len(default["data"]), default["pagination"]["limit"]) == (20, 20)
    for limit in ("1", "7", "100"):
        body = get(limit=limit, range="90d")
        assert len(body["data"]) == int(limit) == body["pagination"]["limit"]
    stamps = [item["timestamp"] for item in get(limit="100", range="90d")["data"]]
    assert stamps == sorted(stamps, reverse=True)  # newest first
    assert {item["action"] for item in get(type="workflow_run", limit="100")["data"]} == {"workflow_run"}
    assert {item["user"]["id"] for item in get(user_id=MEMBER, limit="100", range="90d")["data"]} == {MEMBER}
    combined = get(user_id=MEMBER, type="workflow_run", limit="100", range="90d")["data"]
    assert combined and all(i["action"] == "workflow_run" and i["user"]["id"] == MEMBER for i in combined)
    oldest = {r: min(i["timestamp"] for i in get(limit="100", range=r)["data"]) for r in ("30d", "60d")}
    assert oldest["30d"] >= f"{days_ago(29)}T00:00:00Z" > oldest["60d"]
    first = get(limit="5")
    second = get(limit="5", cursor=first["pagination"]["next"])
    assert second["pagination"]["prev"] and not {i["id"] for i in first["data"]} & {i["id"] for i in second["data"]}
    assert second["data"] == get(limit="10")["data"][5:]
    bad = send(http, root, "onepin", "faithful", Req(ONEPIN, {"limit": "0", "range": "1y", "user_id": "x"})).json()
    assert [(e["loc"], e["type"]) for e in bad["detail"]] == [
        (["query", "range"], "enum"),
        (["query", "user_id"], "uuid_parsing"),
        (["query", "limit"], "greater_than_equal"),
    ]


def test_lightdash_answers_any_project(root: str, http: httpx.Client) -> None:
    for project in ("3fa85f64-5717-4562-b3fc-2c963f66afa6", "not-a-uuid", "42"):
        r = send(http, root, "lightdash", "faithful", Req(LD + project, headers={}))
        assert (r.status_code, r.json()["status"]) == (200, "ok")


# -------------------------------------------------------------------------------------- defects

CASES = [(api, defect) for api in APIS for defect in VARIANTS[api] if defect != "faithful"]


@pytest.mark.parametrize(("api", "defect"), CASES, ids=[f"{a}-{d}" for a, d in CASES])
def test_defect_differs_from_faithful(api: str, defect: str, root: str, http: httpx.Client) -> None:
    probe = PROBES[api]

    def both(req: Req) -> tuple[httpx.Response, httpx.Response]:
        return send(http, root, api, "faithful", req), send(http, root, api, defect, req)

    if defect in ("missing_required_field", "wrong_type", "enum_out_of_spec"):
        drifted = {
            "missing_required_field": probe.missing,
            "wrong_type": probe.wrong_type,
            "enum_out_of_spec": probe.enum,
        }[defect]
        good, bad = both(probe.valid[0])
        assert (
            good.status_code,
            body_errors(api, 200, good.json()) == [],
            drifted(good.json()),
            bad.status_code,
            body_errors(api, 200, bad.json()) == [],
            drifted(bad.json()),
        ) == (200, True, False, 200, False, True)
    elif defect == "undocumented_status":
        good, bad = both(probe.valid[0])
        assert (
            good.status_code,
            bad.status_code,
            str(bad.status_code) in documented_statuses(api),
            bad.json() == good.json(),
        ) == (200, 202, False, True)
    elif defect == "wrong_content_type":
        good, bad = both(probe.valid[0])
        assert (
            good.headers["content-type"],
            bad.headers["content-type"].split(";")[0],
            bad.status_code,
            bad.json() == good.json(),
        ) == ("application/json", "text/plain", 200, True)
    elif defect == "auth_not_enforced":
        statuses = [r.status_code for req in (no_auth(probe.valid[0]), bad_token(probe.valid[0])) for r in both(req)]
        assert statuses == [401, 200, 401, 200]
    elif defect == "server_error_on_bad_input":
        good, bad = both(probe.bad_input)
        expected = 200 if api == "lightdash" else (422 if api == "onepin" else 400)  # lightdash: any string is valid
        assert (good.status_code, bad.status_code, bad.headers["content-type"]) == (expected, 500, "application/json")
    elif defect == "xmock_rule_broken":
        good, bad = both(probe.prose)
        assert (
            good.status_code,
            probe.prose_holds(probe.prose, good.json()),
            bad.status_code,
            body_errors(api, 200, bad.json()) == [],
            probe.prose_holds(probe.prose, bad.json()),
        ) == (200, True, 200, True, False)
    elif defect == "wrong_error_envelope":
        requests = [probe.error_sample, *([no_auth(probe.valid[0])] if api != "lightdash" else [])]
        for req in requests:
            good, bad = both(req)
            assert (
                good.status_code == bad.status_code >= 400,
                body_errors(api, good.status_code, good.json()) == [],
                body_errors(api, bad.status_code, bad.json()) == [],
            ) == (True, True, False), req
    else:  # pragma: no cover
        pytest.fail(f"no check for defect {defect}")
