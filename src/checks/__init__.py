"""Validation for the Wuqing paired-assistance data package; `checks.load()` gives its tables as typed DataFrames."""


def load(root=None):
    """Every table of the package as a typed pandas DataFrame, by name (see checks.frames)."""
    from .frames import load as load_tables

    return load_tables(root)
