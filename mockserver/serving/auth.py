"""Credentials the operation's security asks for: present (any token) or, with --token, one of those."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from mockserver.spec.model import Operation, SecurityScheme


def credential_problem(
    op: Operation,
    headers: Mapping[str, str],
    query: Mapping[str, str],
    cookies: Mapping[str, str],
    tokens: Collection[str],
) -> str | None:
    """Why the request is not authenticated for `op`, or None when it is (or `op` needs nothing)."""
    if not op.security:
        return None
    reasons = []
    for alternative in op.security:
        problems = [p for s in alternative if (p := _scheme_problem(s, headers, query, cookies, tokens))]
        if not problems:
            return None
        reasons.append(problems[0])
    return reasons[0]


def _scheme_problem(
    scheme: SecurityScheme,
    headers: Mapping[str, str],
    query: Mapping[str, str],
    cookies: Mapping[str, str],
    tokens: Collection[str],
) -> str | None:
    if scheme.type == "apiKey":
        source = {"header": headers, "query": query, "cookie": cookies}.get(scheme.location, headers)
        key = scheme.param_name.lower() if scheme.location == "header" else scheme.param_name
        value = source.get(key, "").strip()
        if not value:
            return f"Missing credentials: {scheme.location} '{scheme.param_name}' is required"
        if tokens and value not in tokens and _bearer(value) not in tokens:
            return "Invalid credentials"
        return None
    authorization = headers.get("authorization", "").strip()
    wanted = scheme.scheme or "bearer"
    given, _, credential = authorization.partition(" ")
    if not authorization:
        return f"Missing credentials: an Authorization: {wanted.title()} header is required"
    if given.lower() != wanted or not credential.strip():
        return f"Invalid Authorization header: expected the {wanted.title()} scheme"
    if tokens and credential.strip() not in tokens:
        return "Invalid credentials"
    return None


def _bearer(value: str) -> str:
    scheme, _, rest = value.partition(" ")
    return rest.strip() if scheme.lower() == "bearer" else value
