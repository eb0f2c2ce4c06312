"""What validation reports: problems a user can act on, grouped by the rule that found them."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong: where (file, row id, column), which rule, expected against found."""

    rule: str
    file: str
    row: str | None = None
    column: str | None = None
    expected: str = ""
    found: str = ""
    message: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class RuleResult:
    """The outcome of one rule: how many things it checked and what it found wrong."""

    rule: str
    description: str
    checked: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


class UnusableInput(Exception):
    """The input cannot be validated at all (missing file, bad encoding, changed seed): exit code 2."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


@dataclass
class Report:
    results: list[RuleResult] = field(default_factory=list)
    unusable: Problem | None = None

    @property
    def problems(self) -> list[Problem]:
        return [p for r in self.results for p in r.problems]

    @property
    def exit_code(self) -> int:
        if self.unusable is not None:
            return 2
        return 1 if self.problems else 0

    def rule(self, name: str) -> RuleResult | None:
        return next((r for r in self.results if r.rule == name), None)

    def failed_rules(self) -> list[str]:
        names = [r.rule for r in self.results if not r.passed]
        if self.unusable is not None:
            names.append(self.unusable.rule)
        return names
