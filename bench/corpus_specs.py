"""The corpus specs (tests/corpus/) read as data: which files are specs, their credentials, the documented GETs a
benchmark can ask for, and a 1-operation spec cut out of a large one. No servers here."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from settings import HTTP_METHODS, ROOT, SPEC_SUFFIXES, BenchError, relative

CORPUS_DIR = ROOT / "tests" / "corpus"
CORPUS_TOKEN = "bench"
SPEC_HEAD = re.compile(rb'^(openapi|swagger|info|paths|components|servers)\s*:|"(openapi|swagger)"\s*:', re.M)
PATH_PARAM = re.compile(r"\{([^}/]+)\}")


@dataclass(frozen=True)
class CorpusSpec:
    name: str  # file stem without .gz and extension, or the folder's name: the mock mounts it at /<name>
    source: Path  # in tests/corpus (the entry file of a multi-file spec)

    @property
    def options(self) -> tuple[str, ...]:
        """A multi-file spec refers to files across its folder: the mock may read them (`--ref-root`)."""
        folder = CORPUS_DIR / self.name
        return ("--ref-root", relative(folder)) if self.source.is_relative_to(folder) else ()


@dataclass(frozen=True)
class Request:
    """One documented GET, asked of both servers: Prism at `path`, the mock at its mount + `path`."""

    template: str  # as in the spec: /repos/{owner}/{repo}/license
    path: str  # path parameters filled, plus a query string for apiKey-in-query schemes
    headers: tuple[str, ...]


def looks_like_spec(path: Path) -> bool:
    """A document whose head shows a top-level OpenAPI key (Stripe's begins with `components:`); the corpus
    also holds data files (tests/corpus/defects.yaml)."""
    with gzip.open(path, "rb") if path.name.endswith(".gz") else path.open("rb") as file:
        head = file.read(8192)
    return SPEC_HEAD.search(head) is not None


def corpus_specs(only: list[str]) -> list[CorpusSpec]:
    """As tests/corpus/run.py finds them: top-level spec files (optionally .gz) and each folder's openapi.*."""
    specs: list[CorpusSpec] = []
    for path in sorted(CORPUS_DIR.iterdir()):
        if path.is_file():
            stem, suffix = os.path.splitext(path.name.removesuffix(".gz"))
            if suffix in SPEC_SUFFIXES and looks_like_spec(path):
                specs.append(CorpusSpec(stem, path))
        elif path.is_dir() and not path.name.startswith((".", "_")):
            entries = sorted(p for p in path.rglob("openapi.*") if p.suffix in SPEC_SUFFIXES)
            if entries:
                specs.append(CorpusSpec(path.name, entries[0]))
    if only:
        unknown = sorted(set(only) - {s.name for s in specs})
        if unknown:
            raise BenchError(f"not in {CORPUS_DIR.relative_to(ROOT)}: {', '.join(unknown)}")
        specs = [s for s in specs if s.name in only]
    return specs


def served_file(spec: CorpusSpec, directory: Path) -> Path:
    """The file both servers read: a .gz spec decompressed into `directory` as <name><ext> (same mount)."""
    if not spec.source.name.endswith(".gz"):
        return spec.source
    target = directory / (spec.name + os.path.splitext(spec.source.name[:-3])[1])
    if not target.exists():
        with gzip.open(spec.source, "rb") as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst)
    return target


def read_document(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".json":
        loaded = json.loads(text)
    else:
        loaded = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return loaded if isinstance(loaded, dict) else {}


def count_operations(document: dict[str, Any]) -> int:
    paths = document.get("paths") or {}
    return sum(1 for item in paths.values() if isinstance(item, dict) for method in item if method in HTTP_METHODS)


def local(document: dict[str, Any], node: Any, depth: int = 0) -> Any:
    """`node` with a local `$ref` followed (others left as they are)."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        if depth > 20:
            return {}
        target: Any = document
        for part in node["$ref"][2:].split("/"):
            part = urllib.parse.unquote(part).replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, dict) else None
        node, depth = target, depth + 1
    return node


def credentials(document: dict[str, Any]) -> tuple[tuple[str, ...], str]:
    """Headers and a query string satisfying the spec's security schemes (the mock accepts any value).

    Bearer by default (also what oauth2 / openIdConnect take), Basic when the only HTTP scheme is basic,
    one header per apiKey-in-header scheme, a Cookie for apiKey-in-cookie, a parameter for apiKey-in-query.
    """
    components = document.get("components") or {}
    schemes = components.get("securitySchemes") or document.get("securityDefinitions") or {}
    kinds: set[str] = set()
    headers: list[str] = []
    cookies: list[str] = []
    query: list[str] = []
    for scheme in schemes.values():
        scheme = local(document, scheme)
        if not isinstance(scheme, dict):
            continue
        kind = scheme.get("type")
        if kind == "http":
            kinds.add(str(scheme.get("scheme", "")).lower())
        elif kind in ("oauth2", "openIdConnect"):
            kinds.add("bearer")
        elif kind == "basic":
            kinds.add("basic")
        elif kind == "apiKey":
            where, name = scheme.get("in"), str(scheme.get("name", ""))
            if where == "header" and name.lower() != "authorization":
                headers.append(f"{name}: {CORPUS_TOKEN}")
            elif where == "cookie":
                cookies.append(f"{name}={CORPUS_TOKEN}")
            elif where == "query":
                query.append(urllib.parse.urlencode({name: CORPUS_TOKEN}))
    if "basic" in kinds and "bearer" not in kinds:
        headers.insert(0, "Authorization: Basic YmVuY2g6YmVuY2g=")  # bench:bench
    else:
        headers.insert(0, f"Authorization: Bearer {CORPUS_TOKEN}")
    if cookies:
        headers.append("Cookie: " + "; ".join(cookies))
    return tuple(dict.fromkeys(headers)), "&".join(dict.fromkeys(query))


def plausible(schema: Any) -> str:
    """A path parameter's value: its first enum value, else one its type and format make plausible."""
    if not isinstance(schema, dict):
        return "1"
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return str(schema["enum"][0])
    fmt, kind = schema.get("format"), schema.get("type")
    if fmt == "uuid":
        return "00000000-0000-4000-8000-000000000001"
    if fmt == "date":
        return "2024-01-01"
    if fmt == "date-time":
        return "2024-01-01T00:00:00Z"
    if kind in ("integer", "number"):
        return "1"
    return "1"


def fill_path(template: str, values: dict[str, str]) -> str:
    return PATH_PARAM.sub(lambda m: urllib.parse.quote(values.get(m.group(1), "1"), safe=""), template)


def get_candidates(document: dict[str, Any], credentials_: tuple[tuple[str, ...], str]) -> list[Request]:
    """Documented GETs without required query/header/cookie parameters, those with fewer path parameters first."""
    headers, query = credentials_
    out: list[tuple[int, Request]] = []
    for template, item in (document.get("paths") or {}).items():
        item = local(document, item)
        if not isinstance(item, dict) or not isinstance(item.get("get"), dict):
            continue
        operation = item["get"]
        values: dict[str, str] = {}
        usable = True
        for parameter in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
            parameter = local(document, parameter)
            if not isinstance(parameter, dict):
                continue
            if parameter.get("in") == "path":
                values[str(parameter.get("name"))] = plausible(local(document, parameter.get("schema", parameter)))
            elif parameter.get("required"):
                usable = False
        if not usable:
            continue
        filled = fill_path(str(template), values)
        out.append(
            (
                len(PATH_PARAM.findall(str(template))),
                Request(str(template), filled + (f"?{query}" if query else ""), headers),
            )
        )
    return [request for _, request in sorted(out, key=lambda pair: pair[0])]


def header_dict(headers: tuple[str, ...]) -> dict[str, str]:
    return dict(h.split(": ", 1) for h in headers)


def components_closure(document: dict[str, Any], roots: Any) -> dict[str, dict[str, Any]]:
    """The components reachable through local $refs from `roots`, plus every security scheme."""
    components = document.get("components") or {}
    kept: dict[str, dict[str, Any]] = {}
    pending = [roots]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/"):
                kind, name = (p.replace("~1", "/").replace("~0", "~") for p in ref.split("/")[2:4])
                if name not in kept.setdefault(kind, {}) and name in (components.get(kind) or {}):
                    kept[kind][name] = components[kind][name]
                    pending.append(components[kind][name])
            pending.extend(v for k, v in node.items() if k != "$ref")
    if "securitySchemes" in components:
        kept["securitySchemes"] = components["securitySchemes"]
    return kept


def one_operation_spec(document: dict[str, Any], template: str) -> dict[str, Any]:
    """The document with a single GET: same servers, same path, its parameters and responses with every
    component they reference (so the same response schema)."""
    item = document["paths"][template]
    kept_item = {k: v for k, v in item.items() if k == "get" or k == "parameters"}
    out = {k: v for k, v in document.items() if k not in ("paths", "components", "webhooks", "x-webhooks", "tags")}
    out["paths"] = {template: kept_item}
    out["components"] = components_closure(document, [kept_item, document.get("security")])
    return out
