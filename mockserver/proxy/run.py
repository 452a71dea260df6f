"""What a proxy run saw: every violation (deduplicated as `mockserver contract` does) and which documented
statuses the traffic exercised, per operation; printed with the contract's own text report and JUnit XML."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from xml.etree import ElementTree

from mockserver.contract.report import ApiResult, Violation, excerpt, render_text, write_junit
from mockserver.openapi.model import ApiSpec, Operation
from mockserver.proxy.checks import Finding
from mockserver.redact import mask_values


def label(op: Operation) -> str:
    """How reports name an operation ("GET /activity"), as `mockserver contract` does."""
    return f"{op.method.upper()} {op.path}"


class ProxyRun:
    """The report of one proxy run; safe to add to from the server's thread while another reads it."""

    def __init__(self, api: ApiSpec, upstream: str, secrets: tuple[str, ...] = ()) -> None:
        self.api = api
        self.result = ApiResult(api=api.name, target=upstream, secrets=secrets)
        self.result.operations = [label(op) for op in api.operations]
        self.result.documented = {label(op): list(op.documented_statuses) for op in api.operations}
        self._lock = threading.Lock()

    def answered(self, op: Operation, status: int) -> None:
        """An upstream answer was checked (coverage counts the upstream's answers, not the mock's)."""
        with self._lock:
            self.result.answered(label(op), status)

    def add(
        self, op: Operation, findings: Iterable[Finding], status: int, body: bytes, request: str, secrets: Iterable[str]
    ) -> None:
        """Each finding as a `Violation` (`secrets`: this request's credentials, masked wherever they show)."""
        secrets = tuple(secrets)
        with self._lock:
            for finding in findings:
                self.result.add(
                    Violation(
                        api=self.result.api,
                        operation=label(op),
                        check=finding.check,
                        title=finding.title,
                        message=mask_values(finding.message, secrets),
                        status=status,
                        body_excerpt=excerpt(body, secrets),
                        request=mask_values(request, secrets),
                    )
                )

    def coverage(self) -> list[tuple[str, str, bool]]:
        """(operation, documented status, seen) for every documented status of every operation."""
        with self._lock:
            out = []
            for op, keys in self.result.documented.items():
                seen = {str(s) for s in self.result.statuses_seen.get(op, set())}
                ranges = {f"{s[0]}XX" for s in seen}
                for key in keys:
                    hit = key in seen or key in ranges or (key == "default" and bool(seen))
                    out.append((op, key, hit))
            return out

    def text(self) -> str:
        """The contract's text report, then one line per operation × documented status."""
        lines = [render_text([self.result]), "coverage (operation × documented status):"]
        lines += [f"  {op} {status}: {'seen' if seen else 'not seen'}" for op, status, seen in self.coverage()]
        return "\n".join(lines)

    def write_junit(self, path: str) -> None:
        """The contract's JUnit file, plus one test case per operation × documented status (skipped: not seen)."""
        with self._lock:
            write_junit([self.result], path)
        tree = ElementTree.parse(path)
        suite = tree.getroot().find("testsuite")
        if suite is None:
            return
        unseen = 0
        for op, status, seen in self.coverage():
            case = ElementTree.SubElement(
                suite, "testcase", classname=f"{self.result.api}.{op}", name=f"status {status}"
            )
            if not seen:
                unseen += 1
                ElementTree.SubElement(case, "skipped", message=f"no upstream answer with status {status} was seen")
        suite.set("tests", str(int(suite.get("tests", "0")) + len(self.coverage())))
        suite.set("skipped", str(unseen))
        tree.write(path, encoding="utf-8", xml_declaration=True)


def write_reports(runs: list[ProxyRun], path: str, seed: int = 0) -> None:
    """The contract's HTML or JSON report (by the suffix) of the traffic the runs saw, one section per API: its
    matrix counts the upstreams' answers; nothing was generated (`max_examples` 0)."""
    from mockserver.contract.report_json import RunInfo, build_report, save

    results = []
    for run in runs:
        with run._lock:
            results.append((run.api, run.result))
    save(build_report(results, RunInfo(seed=seed, max_examples=0, allow_unsafe=True)), path)
