"""What a contract run found: violations (deduplicated), per-API summaries, text and JUnit XML.

Secrets never reach a report: every credential-bearing header is masked before it is stored, and every
value the user gave as a credential (`ApiResult.secrets`) is masked by value wherever it shows: in a
message, an echoed body, a curl line or a run error.
"""

from __future__ import annotations

import dataclasses
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from xml.etree import ElementTree

from mockserver.contract.coverage import Exercised
from mockserver.contract.throttle import Throttling
from mockserver.redact import mask_headers, mask_values

EXCERPT = 300


def excerpt(content: bytes, secrets: Iterable[str] = ()) -> str:
    """The start of a body on one line, secrets masked before it is cut (a cut could split one)."""
    text = mask_values(content.decode("utf-8", "replace").replace("\n", " "), secrets)
    return text if len(text) <= EXCERPT else text[:EXCERPT] + "…"


def curl(method: str, url: str, headers: dict[str, str], body: bytes | None = None) -> str:
    """A copy-pastable curl command, secrets masked."""
    parts = ["curl", "-X", method.upper(), shlex.quote(url)]
    for name, value in mask_headers(headers).items():
        if name.lower() in (
            "content-length",
            "user-agent",
            "accept-encoding",
            "connection",
            "x-schemathesis-testcaseid",
        ):
            continue
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    if body:
        parts += ["--data", shlex.quote(body.decode("utf-8", "replace"))]
    return " ".join(parts)


@dataclass(frozen=True)
class Violation:
    api: str
    operation: str  # "GET /activity"
    check: str  # schemathesis check or xmock_* name
    title: str
    message: str
    status: int | None
    body_excerpt: str
    request: str  # curl, secrets masked

    @property
    def key(self) -> tuple[str, str, str]:
        # One report per kind of defect: an x-mock rule is one defect whatever values showed it; a schema
        # violation is named by where in the schema it broke and how, not by the value that broke it (so the
        # key is the same from one run to the next: a baseline is a list of these keys).
        if self.check.startswith("xmock_"):
            return (self.operation, self.check, "")
        return (self.operation, self.check, defect(self.message) if self.message else self.title)


# jsonschema's messages start with the instance that failed ("217" is not of type "number"): the value varies
# from run to run, the rest does not.
_INSTANCE_FIRST = re.compile(
    r"^.+? (?=(is not of type|is not one of|is too long|is too short|is less than|is greater than|is not a multiple"
    r"|does not match|is not valid under|is valid under|has non-unique elements|is not a |should be non-empty"
    r"|is expected to be empty))",
    re.DOTALL,
)
SCHEMA_AT = re.compile(r"^Schema at (\S+?):?$", re.MULTILINE)  # how schemathesis names the schema that failed


def defect(message: str) -> str:
    """What a violation's message says broke, without the value that showed it: a stable dedup key."""
    first = message.strip().splitlines()[0] if message.strip() else ""
    where = SCHEMA_AT.search(message)
    first = _INSTANCE_FIRST.sub("<value> ", first, count=1)
    return (f"{where.group(1)}: {first}" if where else first)[:160]


@dataclass
class ApiResult:
    api: str
    target: str
    operations: list[str] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    requests: int = 0
    statuses_seen: dict[str, set[int]] = field(default_factory=dict)
    documented: dict[str, list[str]] = field(default_factory=dict)  # operation -> documented status keys
    errors: list[str] = field(default_factory=list)  # the run itself failed (unreachable, bad spec)
    seen: dict[tuple[str, str, str], int] = field(default_factory=dict)  # violation key -> times found
    throttling: Throttling = field(default_factory=Throttling)
    secrets: tuple[str, ...] = ()  # values hidden wherever they appear (see `mockserver.redact.secret_values`)
    # What the coverage matrix is drawn from: per operation, answers to its own method by status (provoked:
    # asked for with `Prefer: code=N`, the mock only), requests sent, and what schemathesis' cases exercised.
    answers: dict[str, dict[int, int]] = field(default_factory=dict)
    provoked: dict[str, dict[int, int]] = field(default_factory=dict)
    requests_by_op: dict[str, int] = field(default_factory=dict)
    exercised: dict[str, Exercised] = field(default_factory=dict)
    excluded: frozenset[str] = frozenset()  # checks the user turned off (--exclude-check): never added
    baselined: list[Violation] = field(default_factory=list)  # found, but accepted by --baseline
    reproduce: str = ""  # how to replay a curl line, when the target was not a URL (the mock, in process)

    def mask(self, text: str) -> str:
        return mask_values(text, self.secrets)

    def answered(self, operation: str, status: int, *, provoked: bool = False, own_method: bool = True) -> None:
        """One request of `operation` was answered `status` (own_method: sent with the operation's own method)."""
        self.requests += 1
        self.requests_by_op[operation] = self.requests_by_op.get(operation, 0) + 1
        if not own_method:
            return
        self.statuses_seen.setdefault(operation, set()).add(status)
        counts = (self.provoked if provoked else self.answers).setdefault(operation, {})
        counts[status] = counts.get(status, 0) + 1

    def add(self, violation: Violation) -> None:
        if violation.check in self.excluded:
            return
        violation = dataclasses.replace(
            violation,
            title=self.mask(violation.title),
            message=self.mask(violation.message),
            body_excerpt=self.mask(violation.body_excerpt),
            request=self.mask(violation.request),
        )
        self.seen[violation.key] = self.seen.get(violation.key, 0) + 1
        if self.seen[violation.key] == 1:
            self.violations.append(violation)

    @property
    def ok(self) -> bool:
        return not self.violations and not self.errors

    def summary(self) -> str:
        return self.mask(self._summary())

    def _summary(self) -> str:
        if self.errors:
            return f"{self.api}: ERROR — {self.errors[0]}"
        verdict = "conforms" if self.ok else f"{len(self.violations)} violation(s)"
        line = (
            f"{self.api}: {verdict} — {len(self.operations)} operation(s), {self.requests} request(s) to {self.target}"
        )
        if self.throttling.retries:
            line += f"; throttled {self.throttling.retries} time(s), waited {self.throttling.waited:.0f} s as asked"
        if self.baselined:
            line += f"; {len(self.baselined)} known violation(s) accepted by the baseline"
        unseen = self.unexercised()
        return line + (f"; never answered, so unchecked: {', '.join(unseen)}" if unseen else "")

    def unexercised(self) -> list[str]:
        """Documented statuses no request provoked, so their bodies went unchecked ("GET /x 403")."""
        out = []
        for op, keys in self.documented.items():
            seen = {str(s) for s in self.statuses_seen.get(op, set())}
            seen |= {f"{s[0]}XX" for s in seen}
            out += [f"{op} {k}" for k in keys if k not in seen and k != "default"]
        return out


def render_text(results: list[ApiResult]) -> str:
    lines: list[str] = []
    for result in results:
        for n, v in enumerate(result.violations, 1):
            lines += [
                f"[{result.api}] {n}. {v.operation} — {v.title} ({v.check})"
                + (f", seen {result.seen[v.key]} times" if result.seen.get(v.key, 1) > 1 else ""),
                *(f"    {line}" for line in v.message.strip().splitlines()[:12]),
                f"    got: {v.status if v.status is not None else 'no response'} {v.body_excerpt}",
                f"    reproduce: {v.request}",
                "",
            ]
        if result.violations and result.reproduce:
            lines += [f"[{result.api}] {result.reproduce}", ""]
        for error in result.errors:
            lines.append(f"[{result.api}] run failed: {result.mask(error)}")
    lines += [r.summary() for r in results]
    return "\n".join(lines)


def write_junit(results: list[ApiResult], path: str) -> None:
    """One test suite per API, one test case per (operation, check) that failed, plus one per clean operation."""
    suites = ElementTree.Element("testsuites", name="mockserver contract")
    for result in results:
        failed_ops = {v.operation for v in result.violations}
        cases: list[tuple[str, str, Violation | None]] = [(v.operation, v.check, v) for v in result.violations]
        cases += [(op, "conforms", None) for op in result.operations if op not in failed_ops]
        suite = ElementTree.SubElement(
            suites,
            "testsuite",
            name=result.api,
            tests=str(len(cases) + len(result.errors)),
            failures=str(len(result.violations)),
            errors=str(len(result.errors)),
        )
        for op, check, violation in cases:
            case = ElementTree.SubElement(suite, "testcase", classname=f"{result.api}.{op}", name=check)
            if violation is not None:
                failure = ElementTree.SubElement(case, "failure", message=violation.title, type=violation.check)
                failure.text = (
                    f"{violation.message}\n\ngot: {violation.status} {violation.body_excerpt}\n"
                    f"reproduce: {violation.request}"
                )
        for error in result.errors:
            case = ElementTree.SubElement(suite, "testcase", classname=result.api, name="run")
            ElementTree.SubElement(case, "error", message=result.mask(error))
    ElementTree.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)
