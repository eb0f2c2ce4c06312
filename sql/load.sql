-- Every table and view of the package, in order. From the package root, in the DuckDB CLI:
--     .read sql/load.sql
-- Python (`checks.duck.run_package_sql`) takes its order from this file too; it loads the tables itself,
-- from the typed frames, and skips sql/tables.sql.
.read sql/tables.sql
.read sql/views.sql
.read sql/relations.sql
.read sql/topics.sql
