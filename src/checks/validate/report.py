"""Reports for people (problems, then a one-screen summary) and for machines (--json)."""

from __future__ import annotations

import json

from checks.problems import Problem, Report, counted, shown  # noqa: F401 - shown: where the reports have always kept it

SHOWN_PER_RULE = 20
VERDICTS = {
    0: "VALID",
    1: "INVALID (exit 1: the data breaks a rule)",
    2: "UNUSABLE INPUT (exit 2: the package cannot be validated)",
}


def _problem_lines(p: Problem) -> list[str]:
    where = [p.file, *([f"row {p.row}"] if p.row else []), *([f"column {p.column}"] if p.column else [])]
    lines = [f"  {shown('  '.join(where))}  [{p.rule}]"]
    if p.message and not (p.expected or p.found):
        lines.append(f"    {shown(p.message)}")
    if p.expected:
        lines.append(f"    expected: {shown(p.expected)}")
    if p.found:
        lines.append(f"    found:    {shown(p.found)}")
    return lines


def unusable_lines(p: Problem) -> list[str]:
    """The refusal of unusable input: rule, file (and line), why, expected against found."""
    out = [
        f"UNUSABLE INPUT [{p.rule}] {shown(p.file)}" + (f" ({shown(p.row)})" if p.row else ""),
        f"  {shown(p.message)}",
    ]
    if p.expected or p.found:
        out += [f"  expected: {shown(p.expected)}", f"  found:    {shown(p.found)}"]
    return out


def summary_line(report: Report) -> str:
    """How many rules ran, passed and failed, and how many problems they found: one line."""
    passed = sum(r.passed for r in report.results)
    return (
        f"{counted(len(report.results), 'rule')}: {passed} passed, {len(report.results) - passed} failed, "
        f"{counted(report.problem_count, 'problem')}"
    )


def as_text(report: Report) -> str:
    if report.unusable is not None:
        return "\n".join([*unusable_lines(report.unusable), VERDICTS[2]]) + "\n"
    out: list[str] = []
    for result in report.results:
        if result.passed:
            continue
        out.append(f"FAIL {result.rule}: {shown(result.description)}")
        for p in result.problems[:SHOWN_PER_RULE]:
            out += _problem_lines(p)
        if result.count > SHOWN_PER_RULE:
            listed = (
                "them all"
                if not result.omitted
                else f"the first {len(result.problems)}; the rule stopped keeping problems there"
            )
            out.append(f"  … and {result.count - SHOWN_PER_RULE} more (--json lists {listed})")
        out.append("")
    out.append(summary_line(report))
    width = max(len(r.rule) for r in report.results)
    for r in report.results:
        detail = f"{r.checked:>4} checked" + ("" if r.passed else f", {counted(r.count, 'problem')}")
        out.append(f"  {'pass' if r.passed else 'FAIL'}  {r.rule:<{width}}  {detail}")
    out.append(VERDICTS[report.exit_code])
    return "\n".join(out) + "\n"


def as_json(report: Report) -> str:
    passed = sum(r.passed for r in report.results)
    data = {
        "valid": report.exit_code == 0,
        "exit_code": report.exit_code,
        "unusable": None if report.unusable is None else report.unusable.as_dict(),
        "summary": {
            "rules": len(report.results),
            "passed": passed,
            "failed": len(report.results) - passed,
            "problems": report.problem_count,
        },
        "rules": [
            {
                "rule": r.rule,
                "description": r.description,
                "checked": r.checked,
                "passed": r.passed,
                "problems": [p.as_dict() for p in r.problems],
                "problem_count": r.count,
                "omitted": r.omitted,
            }
            for r in report.results
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
