"""Two versions of an API compared operation by operation: paths, parameters, bodies, responses, security.

Operations are matched by method and path, the names of path parameters aside (`/users/{id}` and
`/users/{user_id}` are one route). Schemas go to `schemas.SchemaComparer`, in the direction they travel.
"""

from __future__ import annotations

import re
from typing import Any

from mockserver.diff.findings import Findings
from mockserver.diff.schemas import Place, SchemaComparer
from mockserver.openapi.examples import escape, follow, value_at
from mockserver.openapi.model import ApiSpec, Operation, Parameter, ResponseSpec, SecurityScheme

_TEMPLATE = re.compile(r"\{[^}/]*\}")


def route_key(op: Operation) -> tuple[str, str]:
    return op.method, _TEMPLATE.sub("{}", op.path)


def label(op: Operation) -> str:
    return f"{op.method.upper()} {op.path}"


def matched(base: ApiSpec, revision: ApiSpec) -> list[tuple[Operation | None, Operation | None]]:
    """Pairs of (BASE, REVISION) operations, in BASE's order then REVISION's new ones; None where one side lacks it."""
    after = {route_key(op): op for op in revision.operations}
    pairs: list[tuple[Operation | None, Operation | None]] = []
    seen = set()
    for op in base.operations:
        seen.add(route_key(op))
        pairs.append((op, after.get(route_key(op))))
    pairs.extend((None, op) for op in revision.operations if route_key(op) not in seen)
    return pairs


class OperationComparer:
    def __init__(self, base: ApiSpec, revision: ApiSpec, findings: Findings) -> None:
        self.base, self.revision, self.findings = base, revision, findings
        self.schemas = SchemaComparer(findings)

    def compare(self) -> None:
        if self.base.base_path != self.revision.base_path:
            self.findings.add(
                "base-path-changed",
                "",
                "servers",
                f"{self.base.base_path or '/'} → {self.revision.base_path or '/'}",
                "/servers/0/url",
                "/servers/0/url",
            )
        for old, new in matched(self.base, self.revision):
            if old is None and new is not None:
                self.findings.add("operation-added", label(new), "operation", "added", None, _op_pointer(new))
            elif new is None and old is not None:
                self.findings.add("operation-removed", label(old), "operation", "removed", _op_pointer(old), None)
            elif old is not None and new is not None:
                self._operation(old, new)

    def _operation(self, old: Operation, new: Operation) -> None:
        name, at_old, at_new = label(new), _op_pointer(old), _op_pointer(new)
        add = self.findings.add
        if old.operation_id != new.operation_id:
            add("operation-id-changed", name, "operationId", f"{old.operation_id} → {new.operation_id}", at_old, at_new)
        if not _deprecated(self.base, old) and _deprecated(self.revision, new):
            add("operation-deprecated", name, "operation", "deprecated", at_old, at_new)
        self._security(old, new, name, at_old, at_new)
        self._parameters(old, new, name)
        self._body(old, new, name, at_old, at_new)
        self._responses(old, new, name)

    def _security(self, old: Operation, new: Operation, name: str, at_old: str, at_new: str) -> None:
        # A scheme by what a client sends (kind, scheme, where, under which name), not only by its name.
        before = {frozenset(_credential(s) for s in alt) for alt in old.security}
        after = {frozenset(_credential(s) for s in alt) for alt in new.security}
        if before == after:
            self._scopes(old, new, name, at_old, at_new)
            return
        if not before:
            shown = " or ".join(sorted("+".join(sorted(c[0] for c in a)) for a in after))
            self.findings.add("security-added", name, "security", f"now requires {shown}", at_old, at_new)
        elif not after:
            self.findings.add("security-removed", name, "security", "no longer requires authentication", at_old, at_new)
        elif not any(alt_new <= alt_old for alt_old in before for alt_new in after):
            # No credential set a client had satisfies any requirement now.
            shown = " or ".join(sorted("+".join(sorted(c[0] for c in a)) for a in after))
            self.findings.add("security-changed", name, "security", f"now requires {shown}", at_old, at_new)

    def _scopes(self, old: Operation, new: Operation, name: str, at_old: str, at_new: str) -> None:
        """The same schemes: a scope a client's token was never asked for is now required (OAuth2, OpenID Connect)."""
        before, after = _requirements(self.base, old), _requirements(self.revision, new)
        for had in before:
            # A client that met `had` still gets in if some requirement asks for no scheme nor scope beyond it.
            if any(all(k in had and want <= had[k] for k, want in alt.items()) for alt in after):
                continue
            missing = sorted(
                f"{k}: {s}"
                for alt in after
                if alt.keys() <= had.keys()
                for k, want in alt.items()
                for s in want - had[k]
            )
            if missing:
                shown = ", ".join(missing)
                self.findings.add(
                    "security-scope-added", name, "security", f"now requires scope {shown}", at_old, at_new
                )
                return

    def _parameters(self, old: Operation, new: Operation, name: str) -> None:
        before = {(p.location, _pname(p)): p for p in old.parameters}
        after = {(p.location, _pname(p)): p for p in new.parameters}
        if old.path != new.path:  # a path parameter renamed is the same parameter (matched by position)
            for old_name, new_name in zip(_path_names(old.path), _path_names(new.path), strict=False):
                if ("path", old_name) in before and ("path", new_name) in after and old_name != new_name:
                    after[("path", old_name)] = after.pop(("path", new_name))
        for key, param in before.items():
            where = f"{param.location} parameter {param.name}"
            p_old = self._param_pointer(self.base, old, param)
            other = after.get(key)
            if other is None:
                moved = next(
                    (p for (loc, n), p in after.items() if n.lower() == key[1].lower() and (loc, n) not in before), None
                )
                if moved is not None and moved.location != param.location:
                    p_new = self._param_pointer(self.revision, new, moved)
                    detail = f"in: {param.location} → {moved.location}"
                    self.findings.add("parameter-style-changed", name, where, detail, p_old, p_new)
                else:
                    self.findings.add("parameter-removed", name, where, "removed", p_old, None)
                continue
            p_new = self._param_pointer(self.revision, new, other)
            if other.required and not param.required:
                self.findings.add("parameter-now-required", name, where, "now required", p_old, p_new)
            elif param.required and not other.required:
                self.findings.add("parameter-now-optional", name, where, "no longer required", p_old, p_new)
            if (param.style, param.explode) != (other.style, other.explode):
                detail = f"style {param.style or 'default'}/explode {param.explode} → {other.style or 'default'}/explode {other.explode}"
                self.findings.add("parameter-style-changed", name, where, detail, p_old, p_new)
            place = Place(name, where, "", f"{p_old}/schema", f"{p_new}/schema")
            self.schemas.compare(param.schema, other.schema, place, response=False)
        for key, param in after.items():
            if key in before or any(n.lower() == key[1].lower() and (loc, n) not in after for loc, n in before):
                continue
            where = f"{param.location} parameter {param.name}"
            p_new = self._param_pointer(self.revision, new, param)
            rule = "parameter-added-required" if param.required else "parameter-added"
            self.findings.add(rule, name, where, "added, required" if param.required else "added", None, p_new)

    def _body(self, old: Operation, new: Operation, name: str, at_old: str, at_new: str) -> None:
        b_old = follow(self.base.document, f"{at_old}/requestBody")
        b_new = follow(self.revision.document, f"{at_new}/requestBody")
        if new.request_content and new.request_body_required and not old.request_body_required:
            self.findings.add("request-body-now-required", name, "request body", "now required", b_old, b_new)
        if old.request_content and not new.request_content:
            self.findings.add("request-body-removed", name, "request body", "removed", b_old, None)
            return
        for media, content in old.request_content.items():
            other = _media(new.request_content, media)
            m_old = f"{b_old}/content/{escape(media)}"
            if other is None:
                if new.request_content:
                    self.findings.add("request-media-type-removed", name, "request body", media, m_old, None)
                continue
            m_new = f"{b_new}/content/{escape(other[0])}"
            place = Place(name, "request body", "", f"{m_old}/schema", f"{m_new}/schema")
            if "schema" in content and "schema" in other[1]:
                self.schemas.compare(content["schema"], other[1]["schema"], place, response=False)
        for media in new.request_content:
            if _media(old.request_content, media) is None and not (
                new.request_body_required and not old.request_content
            ):
                m_new = f"{b_new}/content/{escape(media)}"
                self.findings.add("request-media-type-added", name, "request body", media, None, m_new)

    def _responses(self, old: Operation, new: Operation, name: str) -> None:
        for status, response in old.responses.items():
            r_old = follow(self.base.document, f"{_op_pointer(old)}/responses/{escape(status)}")
            other = new.responses.get(status)
            if other is None:
                self.findings.add("response-status-removed", name, f"response {status}", "removed", r_old, None)
                continue
            r_new = follow(self.revision.document, f"{_op_pointer(new)}/responses/{escape(status)}")
            self._response(response, other, name, status, r_old, r_new)
        for status in new.responses:
            if status not in old.responses:
                r_new = follow(self.revision.document, f"{_op_pointer(new)}/responses/{escape(status)}")
                self.findings.add("response-status-added", name, f"response {status}", "added", None, r_new)

    def _response(self, old: ResponseSpec, new: ResponseSpec, name: str, status: str, r_old: str, r_new: str) -> None:
        where = f"response {status}"
        for header in old.headers:
            if not any(h.lower() == header.lower() for h in new.headers):
                h_old = f"{r_old}/headers/{escape(header)}"
                self.findings.add("response-header-removed", name, where, f"header {header} removed", h_old, None)
        for media, content in old.content.items():
            other = _media(new.content, media)
            m_old = f"{r_old}/content/{escape(media)}"
            if other is None:
                self.findings.add("response-media-type-removed", name, where, media, m_old, None)
                continue
            m_new = f"{r_new}/content/{escape(other[0])}"
            if "schema" in content and "schema" in other[1]:
                place = Place(name, f"{where} body", "", f"{m_old}/schema", f"{m_new}/schema")
                self.schemas.compare(content["schema"], other[1]["schema"], place, response=True)
        for media in new.content:
            if _media(old.content, media) is None:
                m_new = f"{r_new}/content/{escape(media)}"
                self.findings.add("response-media-type-added", name, where, media, None, m_new)

    def _param_pointer(self, api: ApiSpec, op: Operation, param: Parameter) -> str:
        """Where `param` is written: the operation's list, else the path's, each `$ref` followed."""
        for owner in (_op_pointer(op), f"/paths/{escape(op.path)}"):
            listed = value_at(api.document, f"{owner}/parameters")
            for i, _raw in enumerate(listed if isinstance(listed, list) else []):
                pointer = follow(api.document, f"{owner}/parameters/{i}")
                raw = value_at(api.document, pointer) if pointer.startswith("/") else None
                if isinstance(raw, dict) and raw.get("name") == param.name and raw.get("in") == param.location:
                    return pointer
                if not pointer.startswith("/") and pointer.rsplit("/", 1)[-1] == param.name:
                    return pointer
        return f"{_op_pointer(op)}/parameters"


def _credential(scheme: SecurityScheme) -> tuple[str, str, str, str, str]:
    return scheme.name, scheme.type, scheme.scheme, scheme.location, scheme.param_name


def _op_pointer(op: Operation) -> str:
    return f"/paths/{escape(op.path)}/{op.method}"


def _pname(param: Parameter) -> str:
    return param.name.lower() if param.location == "header" else param.name


def _path_names(path: str) -> list[str]:
    return [m.group(0)[1:-1] for m in _TEMPLATE.finditer(path)]


def _media(content: dict[str, Any], media: str) -> tuple[str, dict[str, Any]] | None:
    """The entry for `media` (parameters such as `; charset=utf-8` aside)."""
    if media in content:
        return media, content[media]
    bare = media.split(";", 1)[0].strip().lower()
    for key, value in content.items():
        if key.split(";", 1)[0].strip().lower() == bare:
            return key, value
    return None


def _requirements(api: ApiSpec, op: Operation) -> list[dict[str, frozenset[str]]]:
    """The operation's security requirements as written (its own, else the document's): scheme -> scopes."""
    raw = value_at(api.document, _op_pointer(op))
    listed = raw.get("security") if isinstance(raw, dict) and "security" in raw else api.document.get("security")
    if not isinstance(listed, list):
        return []
    return [
        {str(k): frozenset(str(s) for s in v) if isinstance(v, list) else frozenset() for k, v in alt.items()}
        for alt in listed
        if isinstance(alt, dict)
    ]


def _deprecated(api: ApiSpec, op: Operation) -> bool:
    raw = value_at(api.document, _op_pointer(op))
    return isinstance(raw, dict) and raw.get("deprecated") is True
