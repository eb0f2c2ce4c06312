"""Stage 2: one pandera schema per table, derived from its Table Schema, carrying that table's row rules as checks."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from checks.package.fields import explain, primary_key
from checks.package.tables import pandera_schema, row_id
from checks.problems import Problem, RuleResult
from checks.validate.rules import rules_for
from checks.validate.rules.base import Context, RowRule
from checks.validate.rules.cells import check_canonical_form


def _as_check(rule: RowRule, ctx: Context, outcomes: dict) -> pa.Check:
    def run(df: pd.DataFrame) -> pd.Series:
        outcome = rule.evaluate(df, ctx)
        outcomes[rule.name] = outcome.checked, outcome.failures  # read back when the table is reported
        return outcome.ok.fillna(True).astype(bool)

    return pa.Check(run, name=rule.name, description=rule.description)


def check_table(ctx: Context, table: str, only: str | None = None) -> list[RuleResult]:
    """The column rules of the table's pandera schema (from schemas/<table>.json) as one result, then one result per
    row rule (each a DataFrame check of that schema); with `only`, that one row rule alone."""
    df, schema, rel = ctx.tables[table], ctx.package.schema(table), ctx.package.resource(table)["path"]
    key = primary_key(schema)
    rules = {rule.name: rule for rule in rules_for(table) if only in (None, rule.name)}
    outcomes: dict = {}
    columns = RuleResult(
        f"pandera.{table}",
        f"{table}: column types, required values, uniqueness, enums and patterns from schemas/{table}.json",
        checked=len(df),
    )
    by_rule = {name: RuleResult(name, rule.description) for name, rule in rules.items()}
    try:
        pandera_schema(schema, [_as_check(rule, ctx, outcomes) for rule in rules.values()]).validate(df, lazy=True)
        failures = pd.DataFrame(columns=["check", "column", "index", "failure_case"])
    except SchemaErrors as err:
        # pandera sorts by schema_context with an unstable sort where Python (not pyarrow) backs pandas' strings: its
        # order (the rows' order within a context) restored from the index it numbered before sorting
        failures = err.failure_cases.sort_index().sort_values("schema_context", ascending=False, kind="stable")
    for name, (checked, _) in outcomes.items():
        by_rule[name].checked = checked
    seen: set = set()
    cases = zip(*(failures[c].tolist() for c in ("check", "column", "index", "failure_case")))
    for check, column, index, case in cases:
        check = str(check)
        if check not in by_rule:
            column = None if pd.isna(column) else str(column)
            columns.problems.append(
                Problem(
                    columns.rule,
                    rel,
                    row=row_id(df, key, index),
                    column=column,
                    expected=explain(check),
                    found=str(case),
                    message=f"{column or table} fails {explain(check)}",
                )
            )
        elif (check, index) not in seen:  # a DataFrame check reports each failing row once per column
            seen.add((check, index))
            failed = outcomes[check][1] if check in outcomes else None
            if failed is None or index is None or pd.isna(index) or index not in failed.index:
                problem = Problem(check, rel, message=f"the rule could not run: {case}", found=str(case))
            else:
                problem = Problem(
                    check,
                    rel,
                    row=row_id(df, key, index),
                    column=rules[check].column,
                    expected=failed.at[index, "expected"],
                    found=failed.at[index, "found"],
                    message=rules[check].description,
                )
            by_rule[check].problems.append(problem)
    return [columns, *check_canonical_form(ctx, table), *by_rule.values()]
