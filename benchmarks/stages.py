"""Time each stage of one validation in-process: `python -m benchmarks.stages ROOT` prints JSON.

The validator is not changed for this: the stage functions that `checks.validate` calls are wrapped with a
clock for this process only. Frictionless runs in a worker beside the rules, so its row shows how long validation
waited for it at the end; it is also timed alone, in-process, after validation (not part of `total`). Pandera per table includes that table's row rules; `sql` (DuckDB loading the
frames and running relation_results) is part of pandera.relations and is also shown on its own; `rules` gives
each row rule's own time, so a slow rule is named.
"""
from __future__ import annotations

import json
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

from checks import duck, frictionless_stage, frictionless_worker, pandera_stage, validate as validation
from checks.validate.rules import base, coverage

seconds: dict[str, float] = defaultdict(float)
rules: dict[str, float] = defaultdict(float)


def _timed(name_of, function, into=seconds):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            into[name_of(*args, **kwargs)] += time.perf_counter() - start

    return wrapper


def main(argv: list[str]) -> int:
    root = Path(argv[0]).resolve()
    validation.preflighted = _timed(lambda *a: "preflight", validation.preflighted)
    validation.loaded = _timed(lambda *a: "load", validation.loaded)
    frictionless_stage.finish = _timed(lambda *a: "frictionless (waited for)", frictionless_stage.finish)
    frictionless_stage.done = lambda running: False  # every stage in this process, where its clock is (no idle_core child)
    pandera_stage.check_table = _timed(lambda ctx, table: f"pandera.{table}", pandera_stage.check_table)
    coverage.check_coverage = _timed(lambda *a: "coverage", coverage.check_coverage)
    duck.evaluate_relations_sql = _timed(lambda *a: "sql", duck.evaluate_relations_sql)
    base.RowRule.evaluate = _timed(lambda rule, *a: rule.name, base.RowRule.evaluate, rules)
    start = time.perf_counter()
    report = validation.validate(root)
    total = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    start = time.perf_counter()  # what the worker did beside the rules, measured alone after them
    frictionless_worker.findings(str(root / "datapackage.json"))
    seconds["frictionless (alone, after)"] = time.perf_counter() - start
    print(json.dumps({"exit_code": report.exit_code, "total": total, "stages": seconds, "rules": rules, "peak_bytes": peak,
                      "failed": report.failed_rules()}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
