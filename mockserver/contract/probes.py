"""Targeted requests for the x-mock rules: random requests rarely hit them, so each gets one on purpose.

Each probe starts from a schema-valid request that keeps every documented rule, then changes one
thing: a filter set to a value the API itself returned, the smallest limit, a date range crossing a
weekend, or a rule broken on purpose (which must be refused in the documented envelope).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import schemathesis
from schemathesis.core.result import Ok
from schemathesis.schemas import BaseSchema

from mockserver.contract import rule_checks
from mockserver.contract.cases import minimal_case
from mockserver.contract.options import ContractOptions, Target
from mockserver.contract.report import ApiResult, Violation, curl, excerpt
from mockserver.openapi.model import ApiSpec, Operation
from mockserver.openapi.params import request_values
from mockserver.openapi.rules import values_at
from mockserver.redact import NOT_SECRET_HEADERS, mask_headers

Sent = tuple[int, Any, Any]  # status, parsed body (or None), the response


def probe(
    api: ApiSpec, op: Operation, schema: BaseSchema, target: Target, options: ContractOptions, result: ApiResult
) -> None:
    """Run every probe `op`'s `x-mock` calls for; violations land in `result`."""
    operations = (o.ok() for o in schema.get_all_operations() if isinstance(o, Ok))
    operation = next((o for o in operations if o.method.upper() == op.method.upper() and o.path == op.path), None)
    if operation is None:
        return
    base = minimal_case(operation)
    today = options.today()
    query = _keeping_rules(op, dict(base.query or {}), today)
    runner = _Prober(api, op, base, target, options, result)
    runner.envelopes(query, unsafe_allowed=options.allow_unsafe or target.base_url is None)
    if target.base_url is None:
        runner.preferred_statuses(query)
    if not op.x_mock:
        return
    status, body, _ = runner.send(query, "baseline")
    if not 200 <= status < 300:
        return  # positive_data_acceptance reports a refused valid request
    mock = op.x_mock
    for binding in mock.filter:
        name = binding.ref.name
        value = next((v for v in values_at(body, binding.path) if v is not None), None)
        if binding.ref.location == "query" and value is not None:
            runner.send({**query, name: value}, f"filter {name}={value}")
    limit = mock.limit
    if limit is not None and limit.param.location == "query":
        name = limit.param.name
        param = next((p for p in op.parameters if p.name == name and p.location == "query"), None)
        smallest = int(param.schema.get("minimum", 1)) if param else 1
        runner.send({**query, name: smallest}, f"{name}={smallest}")
    series = mock.series
    if series is not None:
        first = today - timedelta(days=20)
        two_weeks = {series.start.name: first.isoformat(), series.end.name: (first + timedelta(days=13)).isoformat()}
        runner.send({**query, **two_weeks}, "a two-week series")
    for rule in mock.request_rules:  # each rule kind knows how to break itself
        broken = dict(query)
        how = rule.breaking(broken, today)
        if how:
            runner.refused(broken, how)


class _Prober:
    def __init__(
        self, api: ApiSpec, op: Operation, base: Any, target: Target, options: ContractOptions, result: ApiResult
    ) -> None:
        self.api, self.op, self.base, self.target, self.options, self.result = api, op, base, target, options, result
        self.label = f"{op.method.upper()} {op.path}"

    def send(self, query: dict[str, Any], why: str) -> Sent:
        self.base.query = query
        response = self.base.call(base_url=self.target.url, headers=dict(self.options.headers))
        self.result.answered(self.label, response.status_code)
        try:
            body = json.loads(response.content) if response.content else None
        except ValueError:
            body = None
        values = request_values(
            self.op,
            [(k, str(v)) for k, v in query.items()],
            self.base.path_parameters or {},
            (self.base.headers or {}).items(),
        )
        for check, message in rule_checks.check_answer(
            self.op, values, response.status_code, body, self.options.today()
        ):
            self._report(check, "x-mock rule broken", f"{message} (probe: {why})", response)
        return response.status_code, body, response

    def envelopes(self, query: dict[str, Any], *, unsafe_allowed: bool) -> None:
        """Reach documented error statuses on purpose and check their bodies against the contract."""
        self.base.query = query
        if self.op.security:
            response = self._without_credentials()
            if 200 <= response.status_code < 300:
                self._accepted_without_credentials(response)
            else:
                self._error_body(response, "no credentials")
        if unsafe_allowed:
            # A method the path does not declare: routers answer 405, in the API's envelope where it has one.
            declared = {o.method for o in self.api.operations if o.path == self.op.path}
            method = (
                next(m for m in ("delete", "patch", "put", "post") if m not in declared) if len(declared) < 8 else None
            )
            if method:
                original = self.base.method
                self.base.method = method.upper()
                try:
                    response = self.base.call(
                        base_url=self.target.url, headers=dict(self.options.headers), params=query
                    )
                finally:
                    self.base.method = original
                self._error_body(response, f"{method.upper()} is not declared", own_method=False)

    def _without_credentials(self) -> Any:
        """The request with no credential at all: none of the user's headers (they are the credentials the
        run sends, merged into the case), none the security schemes name, no userinfo in the URL."""
        schemes = [scheme for alternative in self.op.security for scheme in alternative]
        headers = {k.lower() for k in self.options.headers if k.lower() not in NOT_SECRET_HEADERS}
        headers |= {s.param_name.lower() for s in schemes if s.type == "apiKey" and s.location == "header"}
        headers |= {"authorization"} if any(s.type in ("http", "oauth2", "openIdConnect") for s in schemes) else set()
        query = {s.param_name for s in schemes if s.type == "apiKey" and s.location == "query"}
        cookies = {s.param_name for s in schemes if s.type == "apiKey" and s.location == "cookie"} | {"cookie"}
        saved = self.base.headers, self.base.query, self.base.cookies
        self.base.headers = {k: v for k, v in (saved[0] or {}).items() if k.lower() not in headers | {"cookie"}}
        self.base.query = {k: v for k, v in (saved[1] or {}).items() if k not in query}
        self.base.cookies = {k: v for k, v in (saved[2] or {}).items() if k not in cookies}
        try:
            return self.base.call(base_url=_without_userinfo(self.target.url), headers={})
        finally:
            self.base.headers, self.base.query, self.base.cookies = saved

    def _accepted_without_credentials(self, response: Any) -> None:
        """A 2xx without credentials is `ignored_auth`'s defect: reported under that name, once."""
        self.result.answered(self.label, response.status_code)
        if any(v.operation == self.label and v.check == "ignored_auth" for v in self.result.violations):
            return
        self._report(
            "ignored_auth",
            "Authentication declared but not enforced",
            f"a request without any credential was answered {response.status_code}",
            response,
        )

    def preferred_statuses(self, query: dict[str, Any]) -> None:
        """The mock answers `Prefer: code=N`: every documented status no request provoked is asked for."""
        self.base.query = query
        seen = {str(s) for s in self.result.statuses_seen.get(self.label, set())}
        for key in self.op.documented_statuses:
            if not key.isdigit() or key in seen:
                continue
            headers = {**self.options.headers, "Prefer": f"code={key}"}
            response = self.base.call(base_url=self.target.url, headers=headers)
            if response.status_code != int(key):
                self.result.answered(self.label, response.status_code, provoked=True)
                self._report(
                    "status_code_conformance",
                    "Documented status not served",
                    f"Prefer: code={key} answered {response.status_code}",
                    response,
                )
                continue
            self._error_body(response, f"Prefer: code={key}", provoked=True)

    def _error_body(self, response: Any, why: str, *, provoked: bool = False, own_method: bool = True) -> None:
        self.result.answered(self.label, response.status_code, provoked=provoked, own_method=own_method)
        if not own_method:  # the path's answer to another method: seen on the path, not in the operation's matrix
            self.result.statuses_seen.setdefault(self.label, set()).add(response.status_code)
        documented = self.op.response_for(response.status_code)
        if documented is None or documented.schema is None:
            return
        problem = self._schema_problem(response)
        if problem:
            self._report(
                "error_envelope",
                f"Error {response.status_code} not in the documented envelope",
                f"{why}: {problem}",
                response,
            )

    def refused(self, query: dict[str, Any], how: str) -> None:
        status, _, response = self.send(query, how)
        documented = [s for s in (400, 422) if self.op.response_for(s) is not None]
        if status not in documented:
            expected = " or ".join(map(str, documented)) or "a 4xx"
            self._report(
                "xmock_request_rule_probe",
                "x-mock rule not enforced",
                f"{how}: expected {expected}, got {status}",
                response,
            )
            return
        problem = self._schema_problem(response)
        if problem:
            self._report(
                "xmock_request_rule_probe",
                "x-mock rule refused in the wrong envelope",
                f"{how}: {problem}",
                response,
            )

    def _schema_problem(self, response: Any) -> str | None:
        """What is wrong with the response body against the status's documented schema, or None."""
        try:
            self.base.validate_response(response, checks=[schemathesis.checks.response_schema_conformance])
        except BaseExceptionGroup as exc:  # schemathesis raises its FailureGroup
            return str(exc).strip()[:800]
        return None

    def _report(self, check: str, title: str, message: str, response: Any) -> None:
        request = response.request
        headers = mask_headers({k: str(v) for k, v in request.headers.items()})
        self.result.add(
            Violation(
                self.api.name,
                self.label,
                check,
                title,
                message,
                response.status_code,
                excerpt(response.content, self.result.secrets),
                curl(request.method, self.target.shown_url(request.url), headers),
            )
        )


def _without_userinfo(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _keeping_rules(op: Operation, query: dict[str, Any], today: date) -> dict[str, Any]:
    """`query` moved inside every documented request rule (recent dates, a short range)."""
    for rule in op.x_mock.request_rules:
        rule.keeping(query, today)
    return query
