"""DuckDB over the package, sandboxed: its tables from the typed frames (`tables`), then its own SQL with no file
access (`package_sql`, `sandbox`), comments derived for view columns (`view_comments`), and the generated files of
sql/ (`generated`). The names callers use are here."""

from checks.database.generated import CLI_MAX_LINE, load_sql, tables_sql
from checks.database.package_sql import (
    GENERATED_SQL,
    LOAD_SQL,
    TABLES_SQL,
    evaluate_relations_sql,
    populate,
    run_package_sql,
    sql_order,
)
from checks.database.sandbox import deadline, ident, literal, run_sql_file, sandboxed, sql_seconds
from checks.database.tables import SOURCE_TEXT, describe, load_frames, required_columns, table_comments

__all__ = [
    "CLI_MAX_LINE",
    "GENERATED_SQL",
    "LOAD_SQL",
    "SOURCE_TEXT",
    "TABLES_SQL",
    "deadline",
    "describe",
    "evaluate_relations_sql",
    "ident",
    "literal",
    "load_frames",
    "load_sql",
    "populate",
    "required_columns",
    "run_package_sql",
    "run_sql_file",
    "sandboxed",
    "sql_order",
    "sql_seconds",
    "table_comments",
    "tables_sql",
]
