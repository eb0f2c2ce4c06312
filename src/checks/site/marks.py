"""Marked spans inside a sentence, nested into a tree so that HTML can wrap them without crossing tags.

A span that crosses another is cut where the other ends; figures rank first and are never cut (a test holds that).
"""

from __future__ import annotations

from bisect import insort
from dataclasses import dataclass, field

#: For spans with the same offsets: which wraps which (a reading wraps the figure it explains).
RANK = {"reading": 0, "figure": 1, "non_figure": 2}


@dataclass
class Mark:
    kind: str
    ident: str
    start: int
    end: int
    first: bool = True  # the first piece of a span cut in two carries its id
    children: list = field(default_factory=list)


@dataclass
class Node:
    """Text or a mark, as the template walks it."""

    text: str = ""
    mark: Mark | None = None
    children: list[Node] = field(default_factory=list)


def _order(piece: tuple) -> tuple:
    """Pieces by start, the longer first, then by RANK."""
    return piece[0], -piece[1], RANK[piece[2]]


def nest(spans: list[tuple[str, str, int, int]], start: int, end: int) -> list[Mark]:
    """Spans (kind, id, start, end) clipped to [start, end), as a forest of Marks without crossings."""
    queue = sorted(
        [(max(s, start), min(e, end), kind, ident, s >= start) for kind, ident, s, e in spans if s < end and start < e],
        key=_order,
    )
    roots: list[Mark] = []
    stack: list[Mark] = []
    while queue:
        s, e, kind, ident, first = queue.pop(0)
        while stack and stack[-1].end <= s:
            stack.pop()
        if stack and e > stack[-1].end:
            if kind == "figure":
                raise ValueError(f"figure {ident} crosses {stack[-1].ident}")
            insort(queue, (stack[-1].end, e, kind, ident, False), key=_order)
            e = stack[-1].end
        mark = Mark(kind, ident, s, e, first)
        (stack[-1].children if stack else roots).append(mark)
        stack.append(mark)
    return roots


def tree(text: str, offset: int, marks: list[Mark]) -> list[Node]:
    """The sentence text (starting at seed offset `offset`) split into text and mark nodes."""
    nodes, at = [], offset
    for mark in marks:
        if mark.start > at:
            nodes.append(Node(text=text[at - offset : mark.start - offset]))
        inside = text[mark.start - offset : mark.end - offset]
        nodes.append(Node(mark=mark, children=tree(inside, mark.start, mark.children)))
        at = mark.end
    if at < offset + len(text):
        nodes.append(Node(text=text[at - offset :]))
    return nodes
