"""Serve every spec of the corpus with the real mock and run schemathesis against it, valid requests only.

    .venv/bin/python tests/corpus/run.py                        # every spec, full run (make corpus; specs over
                                                                # 200 operations sampled to 200: --max-operations)
    .venv/bin/python tests/corpus/run.py --sample 5 --max-examples 5    # quick: 5 operations per spec
    .venv/bin/python tests/corpus/run.py --only stripe --only github

For each spec: start `python -m mockserver serve SPEC --port 0 --quiet` as a subprocess, read the port it
bound from its banner, poll `GET /` until it answers (or the process exits: "did not start: <its last stderr
line>"), read the mount path from `apis[0].base_path`, run `st run` against it with the four response checks,
stop the server.
One summary line per spec; the whole schemathesis output goes to `.corpus-out/<name>.txt` and its JSON
report to `.corpus-out/<name>.json`. Exit 1 if any spec did not start or had a failure or an error.

Only the standard library and what `.venv` has (PyYAML) are used.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parent
ROOT = CORPUS.parents[1]
OUT = ROOT / ".corpus-out"
VENV_BIN = ROOT / ".venv" / "bin"
if not (VENV_BIN / "st").exists():  # another environment: the one running this script
    VENV_BIN = Path(sys.executable).parent
SPEC_SUFFIXES = (".yaml", ".yml", ".json")
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
START_TIMEOUT = 120.0  # seconds: GitHub's and Stripe's specs take long to load
TOKEN = "corpus"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@dataclass
class CorpusSpec:
    name: str  # short API name: file stem (without .gz and the extension) or folder name
    source: Path  # the file in tests/corpus (the entry file for a multi-file spec)
    served: Path = field(default=Path())  # what the mock and schemathesis read (decompressed if .gz)


@dataclass
class Result:
    name: str
    started: bool = False
    problem: str = ""  # why the run could not happen (did not start, st crashed, timeout)
    note: str = ""
    operations: int = 0
    total_operations: int = 0
    failures: dict[str, int] = field(default_factory=dict)  # check name -> unique failures
    server_errors: int = 0  # unique failures whose response was a 5xx
    errors: int = 0  # schemathesis errors (requests that could not be made, generation errors)
    rejected_valid: list[str] = field(default_factory=list)  # operations answering 4xx to most valid input
    excluded: int = 0  # operations left out as vendor spec defects (tests/corpus/defects.yaml)
    test_cases: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.started and not self.problem and not self.failures and not self.errors

    def line(self) -> str:
        head = f"{self.name:<24} "
        if not self.started:
            return head + f"FAIL  did not start: {self.problem}  ({self.seconds:.1f}s)"
        verdict = "ok  " if self.ok else "FAIL"
        checks = ", ".join(f"{k}={v}" for k, v in sorted(self.failures.items())) or "no failures"
        parts = [
            f"{verdict}  {self.operations}/{self.total_operations} operations, {self.test_cases} cases",
            checks,
            f"5xx={self.server_errors}",
        ]
        if self.errors:
            parts.append(f"errors={self.errors}")
        if self.rejected_valid:
            parts.append(f"rejects-valid-input={len(self.rejected_valid)} ops")
        if self.excluded:
            parts.append(f"{self.excluded} ops left out as spec defects")
        if self.problem:
            parts.append(self.problem)
        if self.note:
            parts.append(self.note)
        return head + "; ".join(parts) + f"  ({self.seconds:.1f}s)"


# ---------------------------------------------------------------------------------------------- corpus


DEFECTS = "defects.yaml"  # beside the specs, not one of them


def defects() -> dict[str, list[dict[str, str]]]:
    """tests/corpus/defects.yaml: per spec, operations whose spec contradicts itself (no answer can pass)."""
    import yaml  # .venv's PyYAML; the rest of the harness is the standard library

    loaded = yaml.safe_load((CORPUS / DEFECTS).read_text(encoding="utf-8")) or {}
    return {str(name): list(entries) for name, entries in loaded.items()}


def defect(spec: str, operation: str) -> str | None:
    """Why `operation` ("GET /path") of `spec` is left out, or None."""
    for entry in defects().get(spec, []):
        if re.fullmatch(str(entry["operations"]), operation):
            return str(entry["why"])
    return None


def discover() -> list[CorpusSpec]:
    """Top-level spec files (optionally .gz), and each folder's `openapi.yaml|json` (a multi-file spec)."""
    specs = []
    for path in sorted(CORPUS.iterdir()):
        if path.is_file():
            inner = path.name[:-3] if path.name.endswith(".gz") else path.name
            stem, suffix = os.path.splitext(inner)
            if suffix in SPEC_SUFFIXES and path.name != DEFECTS:
                specs.append(CorpusSpec(stem, path))
        elif path.is_dir() and not path.name.startswith((".", "_")):
            entries = sorted(p for p in path.rglob("openapi.*") if p.suffix in SPEC_SUFFIXES)
            if entries:
                specs.append(CorpusSpec(path.name, entries[0]))
    return specs


def prepare(spec: CorpusSpec) -> None:
    """A .gz spec is decompressed into .corpus-out/specs/<name><ext> (the mock mounts it at /<name>)."""
    if not spec.source.name.endswith(".gz"):
        spec.served = spec.source
        return
    target = OUT / "specs" / (spec.name + os.path.splitext(spec.source.name[:-3])[1])
    if not target.exists() or target.stat().st_mtime < spec.source.stat().st_mtime:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".part")
        with gzip.open(spec.source, "rb") as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst)
        tmp.replace(target)
    spec.served = target


def load_document(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".json":
        return json.loads(text)  # type: ignore[no-any-return]
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # type: ignore[no-any-return]


def credential_headers(document: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Headers that satisfy the spec's security schemes (any value is accepted), and notes on what can't be sent.

    Bearer by default (also what oauth2 / openIdConnect take); Basic when the spec's only HTTP scheme is basic;
    plus one header per apiKey-in-header scheme and a Cookie for apiKey-in-cookie schemes.
    """
    schemes = (document.get("components") or {}).get("securitySchemes") or document.get("securityDefinitions") or {}
    kinds = set()
    headers: list[str] = []
    cookies: list[str] = []
    notes: list[str] = []
    for scheme in schemes.values():
        if not isinstance(scheme, dict):
            continue
        kind = scheme.get("type")
        if kind == "http":
            kinds.add(str(scheme.get("scheme", "")).lower())
        elif kind in ("oauth2", "openIdConnect"):
            kinds.add("bearer")
        elif kind == "basic":  # Swagger 2.0
            kinds.add("basic")
        elif kind == "apiKey":
            where, name = scheme.get("in"), str(scheme.get("name", ""))
            if where == "header" and name.lower() != "authorization":
                headers.append(f"{name}: {TOKEN}")
            elif where == "cookie":
                cookies.append(f"{name}={TOKEN}")
            elif where == "query":
                notes.append(f"apiKey in query '{name}' not sent")
    if "basic" in kinds and "bearer" not in kinds:
        authorization = "Authorization: Basic Y29ycHVzOmNvcnB1cw=="  # corpus:corpus
    else:
        authorization = f"Authorization: Bearer {TOKEN}"
    headers.insert(0, authorization)
    if cookies:
        headers.append("Cookie: " + "; ".join(cookies))
    return list(dict.fromkeys(headers)), notes


def sample_operations(operations: list[tuple[str, str]], n: int) -> list[tuple[str, str]]:
    """n operations spread evenly over the sorted list (deterministic)."""
    ordered = sorted(
        operations, key=lambda op: (op[1], METHODS.index(op[0].lower()) if op[0].lower() in METHODS else 9)
    )
    if n <= 0 or n >= len(ordered):
        return ordered
    return [ordered[(i * len(ordered)) // n] for i in range(n)]


# ---------------------------------------------------------------------------------------------- server


# `serve --port 0` binds a port the system chooses and names it in its banner: no port picked, released and
# bound again (another process may take it in between).
BANNER_PORT = re.compile(r"index at http://127\.0\.0\.1:(\d+)/")


def last_line(path: Path) -> str:
    try:
        lines = [line.strip() for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return lines[-1] if lines else ""


def wait_ready(
    proc: subprocess.Popen[bytes], stdout_path: Path, stderr_path: Path, timeout: float
) -> tuple[int, dict[str, Any]]:
    """The port the server bound (from its banner) and its index, once `GET /` answers JSON.

    Raise RuntimeError with the reason if the server exits or does not answer within `timeout`."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    port: int | None = None
    while True:
        code = proc.poll()
        if code is not None:
            raise RuntimeError(f"exit {code}: {last_line(stderr_path) or '(no output)'}")
        if port is None and (found := BANNER_PORT.search(stdout_path.read_text(errors="replace"))):
            port = int(found.group(1))
        if port is not None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    return port, json.loads(response.read())
            except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
                pass
        if time.monotonic() > deadline:
            said = "no answer on GET /" if port else "no port named in the banner"
            raise RuntimeError(f"{said} within {timeout:.0f}s")
        time.sleep(delay)
        delay = min(delay * 1.5, 0.5)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """End the server we started (its own process group: it may have forked a validator)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


# ---------------------------------------------------------------------------------------------- one spec


# Failure types of schemathesis' JSON report -> the check that raises them.
CHECK_OF_TYPE = {
    "ServerError": "not_a_server_error",
    "UndefinedStatusCode": "status_code_conformance",
    "MissingContentType": "content_type_conformance",
    "UndefinedContentType": "content_type_conformance",
    "MalformedMediaType": "content_type_conformance",
    "JsonSchemaError": "response_schema_conformance",
    "MalformedJson": "response_schema_conformance",
}


def summarise(result: Result, report: dict[str, Any]) -> None:
    ops = report.get("operations") or {}
    result.operations = int(ops.get("tested") or 0)
    result.total_operations = int(ops.get("total") or 0)
    result.test_cases = int((report.get("test_cases") or {}).get("generated") or 0)
    for failure in report.get("failures") or []:
        kind = str(failure.get("type") or failure.get("title") or "unknown")
        check = CHECK_OF_TYPE.get(kind, kind)
        count = int(failure.get("count") or 1)
        result.failures[check] = result.failures.get(check, 0) + count
        if kind == "ServerError":
            result.server_errors += count
    result.errors = len(report.get("errors") or [])
    result.rejected_valid = list((report.get("warnings") or {}).get("validation_mismatch") or [])


def run_spec(spec: CorpusSpec, args: argparse.Namespace) -> Result:
    result = Result(spec.name)
    started_at = time.monotonic()
    text_path = OUT / f"{spec.name}.txt"
    report_path = OUT / f"{spec.name}.json"
    stderr_path = OUT / "servers" / f"{spec.name}.stderr"
    stdout_path = stderr_path.with_suffix(".stdout")
    stderr_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.unlink(missing_ok=True)
    prepare(spec)
    log = [f"# corpus spec {spec.name}: {spec.source.relative_to(ROOT)} (served from {spec.served})"]
    command = [str(VENV_BIN / "python"), "-m", "mockserver", "serve", str(spec.served), "--port", "0", "--quiet"]
    folder = CORPUS / spec.name
    if spec.source.is_relative_to(folder):  # a multi-file spec refers to files across its folder
        command += ["--ref-root", str(folder)]
    log.append("$ " + " ".join(command))
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        proc = subprocess.Popen(
            command, cwd=ROOT, stdout=out, stderr=err, stdin=subprocess.DEVNULL, start_new_session=True
        )
    try:
        try:
            port, index = wait_ready(proc, stdout_path, stderr_path, args.start_timeout)
        except RuntimeError as exc:
            result.problem = str(exc)
            log.append(f"did not start: {exc}")
            log.append(stderr_path.read_text(errors="replace"))
            return result
        result.started = True
        log.append(f"started in {time.monotonic() - started_at:.1f}s")
        api = index["apis"][0]
        mount = str(api["base_path"])
        operations = [(str(o["method"]), str(o["path"])[len(mount) :] or "/") for o in api.get("operations", [])]
        if not operations:
            result.note = "no operations to test (the spec has no paths)"
            log.append(result.note)
            return result
        document = load_document(spec.served)
        headers, notes = credential_headers(document)
        command = [
            str(VENV_BIN / "st"), "run", str(spec.served),
            "--url", f"http://127.0.0.1:{port}{mount}",
            "--mode", "positive",
            "--checks", CHECKS,
            "--phases", args.phases,
            "--max-examples", str(args.max_examples),
            "--seed", str(args.seed),
            "--workers", "1",
            "--request-timeout", "30",
            "--suppress-health-check", "all",
            "--generation-database", "none",  # no replay of earlier runs' examples: the same seed, the same run
            "--no-color",
            "--output-sanitize", "false",  # the token is a dummy: keep the curl commands copy-pastable
            "--report", "json", "--report-json-path", str(report_path),
        ]  # fmt: skip
        for header in headers:
            command += ["-H", header]
        kept = [op for op in operations if not defect(spec.name, f"{op[0].upper()} {op[1]}")]
        result.excluded = len(operations) - len(kept)
        chosen = sample_operations(kept, args.sample or args.max_operations)
        known = {(method.upper(), path) for method, path in operations}
        for name in args.operation:  # operations asked for by name come on top of the sample
            method, _, path = name.strip().partition(" ")
            if (method.upper(), path) not in known:
                result.problem = f"no such operation: {name}"
                return result
            if (method.upper(), path) not in {(m.upper(), p) for m, p in chosen}:
                chosen.append((method.upper(), path))
        if len(chosen) < len(operations):
            names = "|".join(re.escape(f"{method.upper()} {path}") for method, path in chosen)
            command += ["--include-name-regex", f"^({names})$"]
        log.append("$ " + " ".join(c if " " not in c and "|" not in c else repr(c) for c in command))
        log.extend(f"note: {n}" for n in notes)
        try:
            completed = subprocess.run(
                command, cwd=ROOT, capture_output=True, text=True, timeout=args.spec_timeout, stdin=subprocess.DEVNULL
            )
            log.append(completed.stdout)
            log.append(completed.stderr)
        except subprocess.TimeoutExpired as exc:
            result.problem = f"schemathesis did not finish within {args.spec_timeout:.0f}s"
            log.append(str(exc.stdout or ""))
            log.append(result.problem)
            return result
        if not report_path.exists():
            result.problem = f"schemathesis exit {completed.returncode} without a report: {last_text(completed)}"
            return result
        summarise(result, json.loads(report_path.read_text()))
        if result.operations == 0 and not result.failures:
            result.problem = "schemathesis tested no operation"
        return result
    finally:
        stop(proc)
        result.seconds = time.monotonic() - started_at
        log.append("# server stderr:\n" + stderr_path.read_text(errors="replace")[-4000:])
        log.append("# summary: " + result.line())
        text_path.write_text("\n".join(log))


def last_text(completed: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in (completed.stderr + completed.stdout).splitlines() if line.strip()]
    return lines[-1].strip() if lines else "(no output)"


# ---------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", default=[], metavar="NAME", help="this spec only (repeatable)")
    parser.add_argument("--sample", type=int, default=0, metavar="N", help="N operations per spec (0: all)")
    parser.add_argument(
        "--max-operations",
        type=int,
        default=200,
        metavar="N",
        help="without --sample, specs with more operations are sampled down to N (0: no cap); keeps a full run "
        "under 15 minutes on 2 cores",
    )
    parser.add_argument(
        "--operation",
        action="append",
        default=[],
        metavar="'METHOD /path'",
        help="also test this operation (repeatable; spec path as in the spec, e.g. 'GET /pets/{id}')",
    )
    parser.add_argument("--max-examples", type=int, default=10, metavar="N", help="examples per operation and phase")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--phases", default="examples,coverage,fuzzing")
    parser.add_argument("--start-timeout", type=float, default=START_TIMEOUT, metavar="SECONDS")
    parser.add_argument("--spec-timeout", type=float, default=900.0, metavar="SECONDS", help="per schemathesis run")
    parser.add_argument("--list", action="store_true", help="list the corpus and exit")
    args = parser.parse_args(argv)

    specs = discover()
    if args.list:
        for spec in specs:
            print(f"{spec.name:<24} {spec.source.relative_to(ROOT)}")
        return 0
    if args.only:
        unknown = sorted(set(args.only) - {s.name for s in specs})
        if unknown:
            parser.error(f"not in the corpus: {', '.join(unknown)} (see --list)")
        specs = [s for s in specs if s.name in args.only]
    OUT.mkdir(exist_ok=True)
    began = time.monotonic()
    results = []
    for spec in specs:
        result = run_spec(spec, args)
        results.append(result)
        print(result.line(), flush=True)
    failed = [r.name for r in results if not r.ok]
    print(
        f"corpus: {len(results) - len(failed)}/{len(results)} specs pass"
        + (f"; failing: {', '.join(failed)}" if failed else "")
        + f"  ({time.monotonic() - began:.0f}s; outputs in {OUT.relative_to(ROOT)}/)"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
