"""`python -m checks diff BASE`: the rows a change adds, removes or edits, and the schema constraints it loosens."""

from __future__ import annotations

from pathlib import Path

from helpers import (
    edit,
    edit_schema,
    read_rows,
    write_rows,
)


def test_diff_shows_rows_and_loosened_constraints(repo):
    """A schema weakened in the same change as rows it used to refuse: exit 1, each loosening and each row named."""
    from checks.cli import main
    from checks.diff import diff

    def weaken(schema):
        schema["fields"][0]["constraints"].pop("pattern", None)
        schema["foreignKeys"] = []
        schema.pop("primaryKey")

    edit_schema(repo, "figure_readings", weaken)
    header, rows = read_rows(repo / "data/figure_readings.csv")
    write_rows(repo / "data/figure_readings.csv", header, rows + [{**rows[0], "figure_id": "NOT-A-FIGURE"}])
    edit(repo, "figures", "F006", scope_en="the 208 villages")
    found = diff(repo, "main")
    text = "\n".join(found.lines)
    assert (
        "figure_readings: 1 added" in text
        and "~ F006  scope_en: 'the 208 paired villages' → 'the 208 villages'" in text
    )
    assert any("primaryKey" in line for line in found.loosened) and any(
        "foreignKeys entry removed" in line for line in found.loosened
    )
    assert any("pattern" in line and "removed" in line for line in found.loosened)
    assert main(["--root", str(repo), "diff", "main"]) == 1


def test_diff_of_data_only_passes_and_a_bad_ref_is_unusable(repo, capsys):
    from checks.cli import main

    edit(repo, "figures", "F006", scope_en="the 208 villages")
    assert main(["--root", str(repo), "diff", "main"]) == 0
    assert "no constraint removed or loosened" in capsys.readouterr().out
    assert main(["--root", str(repo), "diff", "no-such-branch"]) == 2
    assert main(["--root", str(repo), "diff", "--", "--output=/tmp/x"]) == 2 and not Path("/tmp/x").exists()
