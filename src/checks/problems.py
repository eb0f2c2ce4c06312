"""What validation reports: problems a user can act on, grouped by the rule that found them."""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field

#: How many problems one rule keeps (CHECKS_MAX_PROBLEMS): a million rows breaking a foreign key are 1,000
#: problems and a count, not 8 GiB of them and a report of 1 GB.
MAX_PROBLEMS = 1000
#: Control characters (a cell may hold ESC sequences) are shown escaped, never sent to the terminal.
#: Control characters (ESC, BEL, CR, C1) and the characters that reorder or break what a terminal shows: bidi
#: controls (U+202E turns text around), marks, isolates, and the line and paragraph separators.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def counted(n: int, noun: str) -> str:
    """'1 problem', '2 problems', '0 problems': a count with its noun in the right number."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def shown(text: object) -> str:
    """Text for a terminal: every control character (ESC, BEL, CR, C1 controls such as CSI) as \\xNN, and every
    bidi control or line separator as \\uNNNN."""
    return _CONTROL.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", str(text)
    )


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


class Problems(list):
    """A rule's problems: the first MAX_PROBLEMS are kept, the rest only counted, so memory stays bounded."""

    def __init__(self, items=()):
        super().__init__()
        value = os.environ.get("CHECKS_MAX_PROBLEMS", "")
        self.limit = int(value) if value.isdigit() and int(value) > 0 else MAX_PROBLEMS
        self.omitted = 0
        self += items

    def append(self, problem: Problem) -> None:
        if len(self) < self.limit:
            super().append(problem)
        else:
            self.omitted += 1

    def __iadd__(self, problems):
        for problem in problems:
            self.append(problem)
        return self

    def extend(self, problems) -> None:
        self += problems


@dataclass
class RuleResult:
    """The outcome of one rule: how many things it checked and what it found wrong (the first problems, and a count)."""

    rule: str
    description: str
    checked: int = 0
    problems: Problems = field(default_factory=Problems)

    def __post_init__(self):
        if not isinstance(self.problems, Problems):
            self.problems = Problems(self.problems)

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def omitted(self) -> int:
        """Problems found beyond those kept."""
        return self.problems.omitted

    @property
    def count(self) -> int:
        """Every problem found, kept or not."""
        return len(self.problems) + self.omitted


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
    def problem_count(self) -> int:
        """Every problem found, including those beyond each rule's limit."""
        return sum(r.count for r in self.results)

    @property
    def exit_code(self) -> int:
        return 2 if self.unusable is not None else 1 if self.problems else 0

    def rule(self, name: str) -> RuleResult | None:
        return next((r for r in self.results if r.rule == name), None)

    def failed_rules(self) -> list[str]:
        return [r.rule for r in self.results if not r.passed] + ([self.unusable.rule] if self.unusable else [])
