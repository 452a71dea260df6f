"""What a diff found: one `Finding` per change, each naming its rule and the place in both documents."""

from __future__ import annotations

from dataclasses import dataclass, field

from mockserver.diff.rules import RULES, Rule, Severity


@dataclass(frozen=True)
class Finding:
    rule: Rule
    operation: str  # "GET /users/{id}"; "" for the document as a whole
    where: str  # a readable place: "response 200 body: data[].name", "query parameter limit"
    detail: str  # what changed, in a few words
    base: str | None  # JSON pointer into BASE (None: not there), `file.yaml#/…` inside another file
    revision: str | None  # JSON pointer into REVISION

    @property
    def severity(self) -> Severity:
        return self.rule.severity


@dataclass
class Findings:
    """Collects findings, once each (a shared schema reached from two places is reported where met first)."""

    items: list[Finding] = field(default_factory=list)
    _seen: set[tuple[str, str, str, str | None, str | None]] = field(default_factory=set)

    def add(
        self, rule_id: str, operation: str, where: str, detail: str, base: str | None, revision: str | None
    ) -> None:
        key = (rule_id, operation, detail, base, revision)
        if key in self._seen:
            return
        self._seen.add(key)
        self.items.append(Finding(RULES[rule_id], operation, where, detail, base, revision))

    def ordered(self) -> list[Finding]:
        """Most severe first, then in the order met (document order)."""
        return sorted(self.items, key=lambda f: -f.severity)
