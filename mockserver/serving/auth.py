"""Credentials the operation's security asks for: present (any token) or, with --token, one of those."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from starlette.datastructures import Headers, QueryParams
from starlette.requests import cookie_parser
from starlette.types import Scope

from mockserver.openapi.model import ApiSpec, Operation, SecurityScheme


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


@dataclass(frozen=True)
class CredentialNames:
    """Where the served specs say credentials travel, beyond the names that say so themselves."""

    query: frozenset[str] = frozenset()
    headers: frozenset[str] = frozenset()  # lower-case
    cookies: frozenset[str] = frozenset()


def credential_names(apis: Iterable[ApiSpec]) -> CredentialNames:
    """The apiKey parameter names of every security scheme the specs declare or use."""
    schemes: list[tuple[str, str]] = []
    for api in apis:
        schemes += [(s.location, s.param_name) for op in api.operations for alt in op.security for s in alt]
        components = api.document.get("components")
        declared = components.get("securitySchemes") if isinstance(components, dict) else None
        for scheme in declared.values() if isinstance(declared, dict) else []:
            if isinstance(scheme, dict) and scheme.get("type") == "apiKey" and isinstance(scheme.get("name"), str):
                schemes.append((str(scheme.get("in", "header")), scheme["name"]))
    return CredentialNames(
        query=frozenset(name for where, name in schemes if where == "query"),
        headers=frozenset(name.lower() for where, name in schemes if where == "header"),
        cookies=frozenset(name for where, name in schemes if where == "cookie"),
    )


def challenge(op: Operation) -> str:
    """The `WWW-Authenticate` value a 401 of `op` carries: the scheme its security asks for first."""
    for alternative in op.security:
        for scheme in alternative:
            if scheme.type == "http" and scheme.scheme:
                word = scheme.scheme.title()
                return f'{word} realm="mockserver"' if word == "Basic" else word
    return "Bearer"


def credential_key(op: Operation, scope: Scope, query: Iterable[tuple[str, str]]) -> str:
    """Who is asking, as a hash (never the secret): the Authorization header, else the operation's API key,
    else the client's address. What rate limits and rate-limit headers count by."""
    headers = Headers(scope=scope)
    found = ""
    authorization = headers.get("authorization", "").strip()
    if authorization:
        found = "authorization:" + authorization
    for alternative in op.security if not found else ():
        for scheme in alternative:
            if scheme.type != "apiKey" or found:
                continue
            if scheme.location == "query":
                value = QueryParams(list(query)).get(scheme.param_name)
            elif scheme.location == "cookie":
                value = cookie_parser(headers.get("cookie", "")).get(scheme.param_name)
            else:
                value = headers.get(scheme.param_name)
            if value:
                found = f"key:{scheme.param_name}:{value}"
    if not found:
        client = scope.get("client")
        found = f"client:{client[0] if client else ''}"
    return hashlib.blake2b(found.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
