"""Nothing is silently left out: every numeral character of the seed lies in a figure, a non-figure or a reading."""
from __future__ import annotations

from ..numerals import NUMERAL_CHAR
from ..problems import Problem, RuleResult
from .anchoring import ANCHORED
from .base import Context, present

NAME = "seed.numeral_coverage"
DESCRIPTION = ("every Arabic digit and Chinese numeral character of the seed is inside a figure quote or a non-figure, "
               "or inside a reading that is unrecoverable or page chrome")


def _excuses(row) -> bool:
    """Only a reading that says the number is lost, or is page furniture, stands in for a figure or non-figure."""
    return row["status"] == "unrecoverable" or row["kind"] == "page_chrome"


def covered_spans(ctx: Context) -> list[tuple[int, int, str]]:
    """(start, end, id) of every anchored span in the tables that account for numerals."""
    spans = []
    for table in ("figures", "non_figures", "readings"):
        df = ctx.tables[table]
        key = df.columns[0]
        for _, row in df.iterrows():
            if table == "readings" and not _excuses(row):
                continue
            if present(row[ANCHORED[table]]) and present(row["char_start"]) and present(row["char_end"]):
                spans.append((int(row["char_start"]), int(row["char_end"]), row[key]))
    return spans


def uncovered_runs(ctx: Context) -> list[tuple[int, int]]:
    """Runs of adjacent numeral characters that no span covers."""
    covered = bytearray(len(ctx.seed))
    for start, end, _ in covered_spans(ctx):
        covered[max(start, 0): max(end, 0)] = b"\x01" * (max(end, 0) - max(start, 0))
    runs: list[tuple[int, int]] = []
    for match in NUMERAL_CHAR.finditer(ctx.seed):
        i = match.start()
        if i < len(covered) and covered[i]:
            continue
        if runs and runs[-1][1] == i:
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    return runs


def check_coverage(ctx: Context) -> RuleResult:
    result = RuleResult(NAME, DESCRIPTION, checked=len(NUMERAL_CHAR.findall(ctx.seed)))
    seed_file = ctx.package.resource("source_text")["path"]
    for start, end in uncovered_runs(ctx):
        context = ctx.seed[max(0, start - 8): end + 8].replace("\n", "⏎")
        result.problems.append(Problem(
            NAME, seed_file, row=f"offset {start}-{end}", column=None,
            expected="a figure or non-figure covering it (or an unrecoverable or page-chrome reading)",
            found=f"{ctx.seed[start:end]!r} uncovered in …{context}…",
            message=f"numeral {ctx.seed[start:end]!r} at {start}-{end} is in no figure, non-figure or reading"))
    return result
