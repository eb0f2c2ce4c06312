"""What leaves the repository, written into dist/: the DuckDB database, Parquet, the workbook, the report view
(`build`), the release (`release`), and what records or guards them (`fingerprint`, `staging`). Nothing is imported
here, so that `query` can read a fingerprint without loading pandas."""
