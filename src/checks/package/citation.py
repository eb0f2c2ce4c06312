"""CITATION.cff, read safely: plain YAML without aliases, bounded in size, a mapping with a title. An alias repeated
inside an alias (a "billion laughs") grows a 1 KB file into gigabytes in PyYAML's safe loader; a citation needs none."""

from __future__ import annotations

import datetime

import yaml

from checks.package import Package, files, lone_surrogate

CITATION = "CITATION.cff"
#: A citation is a page of text; this bounds what the YAML parser is given.
MAX_CITATION_BYTES = 2**20
#: What the workbook's citation reads (checks.outputs.workbook.cite): each must be a scalar.
CITED = ("title", "version", "license", "date-released")
AUTHOR_KEYS = ("name", "family-names", "given-names")
REFERENCE_KEYS = ("title", "url", "date-published")


class _NoAliases(yaml.SafeLoader):
    """The safe loader, refusing anchors and aliases as it composes the document."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.MarkedYAMLError(
                problem="anchors and aliases are not accepted in a citation", problem_mark=event.start_mark
            )
        return super().compose_node(parent, index)


def read_citation(package: Package) -> dict:
    """CITATION.cff as a mapping; unusable input (naming the file and the rule) when it is not one a build can cite."""
    path = files.regular_file(package.root, CITATION, "the citation file")
    raw = files.read_bytes(path, CITATION)
    if len(raw) > MAX_CITATION_BYTES:
        raise files.refuse(
            "input.too_large",
            CITATION,
            f"{CITATION} is {len(raw):,} bytes, over the limit of {MAX_CITATION_BYTES:,} for a citation",
        )
    text = package.read_text(path)
    try:
        cff = yaml.load(text, Loader=_NoAliases)  # a SafeLoader subclass
    except yaml.YAMLError as err:
        raise files.refuse(
            "input.malformed_citation", CITATION, f"{CITATION} is not valid YAML: {' '.join(str(err).split())}"
        ) from None
    except RecursionError:
        raise files.refuse("input.malformed_citation", CITATION, f"{CITATION} nests too deeply to be read") from None
    except (ValueError, OverflowError) as err:  # a date that cannot exist (2020-02-30), an integer too long to read
        raise files.refuse(
            "input.malformed_citation", CITATION, f"{CITATION} holds a value YAML cannot read: {err}"
        ) from None
    if not isinstance(cff, dict) or not isinstance(cff.get("title"), str):
        raise files.refuse(
            "input.malformed_citation",
            CITATION,
            f"{CITATION} must be a YAML mapping with a title (Citation File Format)",
        )
    lists = [("authors", cff.get("authors", [])), ("references", cff.get("references", []))]
    lists += [("references[].authors", ref.get("authors", [])) for ref in lists[1][1] if isinstance(ref, dict)]
    for key, items in lists:
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise files.refuse(
                "input.malformed_citation",
                CITATION,
                f"{CITATION}: {key} must be a list of mappings (Citation File Format)",
            )
    _check_values(cff)
    return cff


def _cited(cff: dict) -> list[tuple[str, object]]:
    """(where, value) of every value the workbook's citation reads."""
    out = [(key, cff.get(key)) for key in CITED]
    for i, author in enumerate(cff.get("authors", [])):
        out += [(f"authors[{i}].{key}", author.get(key)) for key in AUTHOR_KEYS]
    for i, ref in enumerate(cff.get("references", [])):
        if isinstance(ref, dict):
            out += [(f"references[{i}].{key}", ref.get(key)) for key in REFERENCE_KEYS]
            for j, author in enumerate(ref.get("authors", [])):
                out.append((f"references[{i}].authors[{j}].name", author.get("name")))
    return out


def _check_values(cff: dict) -> None:
    """Each value a build cites is a scalar (an author's name given as a list is refused, naming it), and no text of
    the citation holds a lone surrogate (which no output file could encode)."""
    for where, value in _cited(cff):
        if value is not None and not isinstance(value, (str, int, float, datetime.date)):
            raise files.refuse(
                "input.malformed_citation",
                CITATION,
                f"{CITATION}: {where} must be text (Citation File Format), not a {type(value).__name__}",
                row=where,
            )
    where = lone_surrogate(cff)
    if where is not None:
        raise files.refuse(
            "input.malformed_citation",
            CITATION,
            f"{CITATION}: {where} holds a lone surrogate (\\ud800-\\udfff), which no UTF-8 file can hold",
            row=where,
        )
