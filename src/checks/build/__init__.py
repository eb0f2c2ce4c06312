"""Building the outputs: dist/ (`dist`: the DuckDB database, Parquet, the workbook, the report view), the release
(`release`), and what records or guards them (`fingerprint`, `outputs`). Nothing is imported here, so that `query`
can read a fingerprint without loading pandas."""
