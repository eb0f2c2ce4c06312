"""Validation for the Wuqing paired-assistance data package; `checks.load()` gives its tables as typed DataFrames."""


def load(root=None):
    """Every table of the package as a typed pandas DataFrame, by name, as the validator reads it, with the types of
    schemas/*.json (nullable Int64, boolean, datetime64, string) where `pd.read_csv` would guess."""
    from pathlib import Path

    from checks.package import find_root
    from checks.package.tables import for_readers
    from checks.validate import load_context

    return for_readers(load_context(Path(root).resolve() if root is not None else find_root()))
