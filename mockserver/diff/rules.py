"""Every kind of change `mockserver diff` reports: one id, a severity, who it breaks, and a one-line explanation.

Severity: `breaking` (a client written against BASE fails against REVISION), `warning` (the server side must
change — a server, or this mock's fixtures, built for BASE no longer conforms — or a change that may break
some clients), `info` (compatible). docs/diff.md describes each id; a test checks both name the same ids.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.IntEnum):
    INFO = 0
    WARNING = 1
    BREAKING = 2

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    side: str  # whom it breaks: "client", "server", or "none"
    explanation: str


RULES: dict[str, Rule] = {}


def _rule(rule_id: str, severity: Severity, side: str, explanation: str) -> None:
    if rule_id in RULES:
        raise ValueError(f"rule {rule_id!r} is registered twice")
    RULES[rule_id] = Rule(rule_id, severity, side, explanation)


B, W, OK = Severity.BREAKING, Severity.WARNING, Severity.INFO

# --- operations, servers, security
_rule("operation-removed", B, "client", "the operation is gone: clients calling it get 404/405")
_rule("operation-added", OK, "none", "a new operation")
_rule("operation-id-changed", W, "client", "the operationId changed: generated SDKs rename the method")
_rule("operation-deprecated", OK, "none", "the operation is now deprecated")
_rule("base-path-changed", B, "client", "the first server's path changed: every request URL moves")
_rule("security-added", B, "client", "the operation now requires authentication it did not require")
_rule("security-changed", B, "client", "the operation requires a credential none of its former schemes gave")
_rule("security-scope-added", B, "client", "the operation requires an OAuth scope a client's token was not asked for")
_rule("security-removed", OK, "none", "the operation no longer requires authentication")
# --- parameters
_rule("parameter-removed", B, "client", "a parameter clients send is no longer defined")
_rule("parameter-added-required", B, "client", "a new required parameter: existing requests lack it")
_rule("parameter-added", OK, "none", "a new optional parameter")
_rule("parameter-now-required", B, "client", "an optional parameter became required")
_rule("parameter-now-optional", W, "server", "a required parameter became optional: the server must handle its absence")
_rule("parameter-style-changed", B, "client", "the parameter is serialised differently (style/explode/location)")
# --- request bodies
_rule("request-body-now-required", B, "client", "a request body is now required")
_rule("request-body-removed", W, "client", "the operation no longer takes the body clients send")
_rule("request-media-type-removed", B, "client", "a request media type clients send is no longer accepted")
_rule("request-media-type-added", OK, "none", "a new request media type")
_rule("request-property-removed", W, "client", "a request field is no longer defined: the server ignores it")
_rule(
    "request-property-rejected",
    B,
    "client",
    "a request field clients send is now refused (additionalProperties: false)",
)
_rule("request-required-property-added", B, "client", "a new required request field: existing requests lack it")
_rule("request-property-added", OK, "none", "a new optional request field")
_rule("request-property-now-required", B, "client", "an optional request field became required")
_rule(
    "request-property-now-optional",
    W,
    "server",
    "a required request field became optional: the server must handle its absence",
)
# --- request values (bodies and parameters)
_rule("request-type-narrowed", B, "client", "the request value takes fewer types: values clients send are refused")
_rule("request-type-widened", W, "server", "the request value takes more types: the server must accept them")
_rule("request-no-longer-nullable", B, "client", "the request value no longer takes null")
_rule("request-now-nullable", W, "server", "the request value now takes null: the server must accept it")
_rule("request-enum-value-removed", B, "client", "a value clients may send is no longer in the enum")
_rule("request-enum-value-added", W, "server", "a new enum value the server must accept")
_rule("request-constraint-narrowed", B, "client", "a request bound is tighter (length, range, items, pattern added)")
_rule("request-constraint-widened", OK, "none", "a request bound is looser")
_rule(
    "request-default-changed",
    W,
    "client",
    "the default of a request value changed: requests omitting it behave differently",
)
_rule(
    "request-union-narrowed",
    B,
    "client",
    "a oneOf/anyOf branch of the request is gone: values of that shape are refused",
)
_rule("request-union-widened", W, "server", "a new oneOf/anyOf branch the server must accept")
# --- responses
_rule("response-status-removed", B, "client", "a documented response status is gone")
_rule("response-status-added", OK, "none", "a new documented response status")
_rule("response-media-type-removed", B, "client", "a response media type clients accept is no longer sent")
_rule("response-media-type-added", OK, "none", "a new response media type")
_rule("response-header-removed", W, "client", "a documented response header is gone")
_rule("response-property-removed", B, "client", "a response field clients read is gone")
_rule("response-property-now-optional", B, "client", "a response field that was always sent may now be missing")
_rule(
    "response-property-now-required", W, "server", "a response field must now always be sent: the server must send it"
)
_rule("response-property-added", OK, "none", "a new response field")
_rule("response-now-nullable", B, "client", "a response value may now be null")
_rule("response-no-longer-nullable", OK, "none", "a response value is no longer null")
_rule("response-type-widened", B, "client", "a response value may have a type clients cannot parse")
_rule("response-type-narrowed", OK, "none", "a response value has fewer possible types")
_rule("response-enum-value-added", B, "client", "a response enum gained a value clients do not know")
_rule("response-enum-value-removed", OK, "none", "a response enum lost a value")
_rule(
    "response-constraint-widened",
    W,
    "client",
    "a response bound is looser (length, range, items): client-side checks may fail",
)
_rule("response-constraint-narrowed", OK, "none", "a response bound is tighter")
_rule("response-default-changed", OK, "none", "the default of a response value changed (documentation only)")
_rule("response-union-widened", B, "client", "a new oneOf/anyOf branch: responses of a shape clients cannot parse")
_rule("response-union-narrowed", OK, "none", "a oneOf/anyOf branch of the response is gone")
# --- both directions
_rule("format-changed", W, "client", "the value's format changed (e.g. date → date-time)")
_rule("pattern-changed", W, "client", "the value's pattern changed")
# --- x-mock rules
_rule("xmock-filter-removed", W, "client", "an x-mock filter is gone: the mock (and the checks) no longer filter by it")
_rule("xmock-filter-added", OK, "none", "a new x-mock filter")
_rule("xmock-echo-removed", W, "client", "an x-mock echo is gone: the answer no longer repeats that request value")
_rule("xmock-limit-removed", W, "client", "the x-mock limit is gone: the list is no longer bounded by the parameter")
_rule("xmock-limit-changed", W, "client", "the x-mock limit names another parameter or list")
_rule("xmock-series-removed", W, "client", "the x-mock series is gone: the list is no longer one item per period")
_rule("xmock-series-changed", W, "client", "the x-mock series names other parameters or fields")
_rule("xmock-request-rule-added", B, "client", "a new request rule refuses requests that were accepted")
_rule("xmock-request-rule-removed", OK, "none", "a request rule is gone: requests it refused are accepted")
_rule("xmock-range-tightened", B, "client", "a request rule's limit is tighter (max_days, within_days)")
_rule("xmock-range-loosened", OK, "none", "a request rule's limit is looser")
# --- examples and fixtures
_rule("example-breaks-revision", B, "server", "an example or fixture of BASE does not match REVISION's schema")
_rule("example-invalid", W, "server", "an inline example or fixture of REVISION does not match its own schema")


def rule(rule_id: str) -> Rule:
    return RULES[rule_id]
