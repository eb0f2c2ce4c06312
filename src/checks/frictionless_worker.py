"""The frictionless stage's own process: `python -m checks.frictionless_worker DESCRIPTOR` prints its findings as JSON.

Frictionless costs as much as every other rule together and needs nothing they compute, so validation runs it
beside them, on the other core, instead of before them. The worker is started only after preflight has accepted
the descriptor, and it refuses any network connection itself, so that frictionless cannot fetch whatever
preflight might have missed.
"""
from __future__ import annotations

import gc
import json
import socket
import sys


def offline() -> None:
    """Make every socket connection and name lookup of this process fail."""

    def refuse(*args, **kwargs):
        raise OSError("validation is offline: no network connection is made")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse


def findings(descriptor: str) -> dict:
    """frictionless' report as plain data: per task its name, place and errors; then the package-level errors."""
    import frictionless

    report = frictionless.validate(descriptor)

    def error(e) -> dict:
        return {"type": e.type, "description": e.description, "message": e.message, "note": getattr(e, "note", ""),
                "row_number": getattr(e, "row_number", None), "field_name": getattr(e, "field_name", None)}

    return {"tasks": [{"name": t.name, "place": t.place, "errors": [error(e) for e in t.errors]} for t in report.tasks],
            "errors": [error(e) for e in report.errors]}


if __name__ == "__main__":
    offline()
    json.dump(findings(sys.argv[1]), sys.stdout)
    gc.freeze()  # skip the shutdown walk over frictionless' objects (see checks.__main__)
