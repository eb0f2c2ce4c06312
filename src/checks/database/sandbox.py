"""The DuckDB sandbox: a connection that can read or write no file but its own database, reach no network, load no
extension and not unlock its settings, with a time limit. Only DuckDB is imported, so that a query starts fast."""

from __future__ import annotations

import os
import select
import signal
import socket
import threading
from contextlib import contextmanager
from pathlib import Path

import duckdb

#: Settings applied before any package SQL runs; `lock_configuration` makes them final.
_LOCKDOWN = ("SET enable_external_access = false", "SET lock_configuration = true")
_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "python_enable_replacements": False,
    "memory_limit": os.environ.get("CHECKS_SQL_MEMORY", "4GB"),
}


def sql_seconds() -> float:
    """How long the package's SQL may run on one connection (CHECKS_SQL_SECONDS, default 120): a view cannot hang
    validation."""
    value = os.environ.get("CHECKS_SQL_SECONDS", "")
    return float(value) if value.replace(".", "", 1).isdigit() else 120.0


class Deadline:
    """Whether a deadline interrupted its connection (and not Ctrl-C)."""

    expired = False


_STOP = b"\xff"  # not a signal number: the block has ended


@contextmanager
def deadline(con: duckdb.DuckDBPyConnection):
    """Interrupt whatever the connection runs once CHECKS_SQL_SECONDS are up, or at Ctrl-C; DuckDB then raises an
    InterruptException. Yields a Deadline whose `expired` says whether it was the time limit.

    Ctrl-C needs the watcher thread: a Python signal handler runs only between bytecodes, and DuckDB, busy in a query,
    does not always look for it; so the C-level handler writes each signal's number to a socket the watcher reads."""
    state, limit = Deadline(), sql_seconds()
    receiver, sender = socket.socketpair()
    sender.setblocking(False)
    try:
        previous = signal.set_wakeup_fd(sender.fileno(), warn_on_full_buffer=False)
    except ValueError:  # not the main thread, where signals are not delivered
        previous = None

    def watch() -> None:
        ready, _, _ = select.select([receiver], [], [], limit)
        if not ready:
            state.expired = True
        elif _STOP in receiver.recv(64):
            return
        con.interrupt()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield state
    finally:
        sender.send(_STOP)
        watcher.join()
        if previous is not None:
            signal.set_wakeup_fd(previous)
        receiver.close()
        sender.close()


class SQLFileError(duckdb.Error):
    """A file of the package's SQL that DuckDB could not run: the message starts with the file's name."""

    def __init__(self, rel: str, error: duckdb.Error):
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        super().__init__(f"{rel}: {first}")
        self.file = rel
        self.timed_out = isinstance(error, duckdb.InterruptException)


def run_sql_file(con: duckdb.DuckDBPyConnection, rel: str, sql: str) -> None:
    """Run one file of the package's SQL; a failure names the file (not the table whose rule happened to need it)."""
    try:
        con.execute(sql)
    except duckdb.Error as err:
        raise SQLFileError(rel, err) from None


def timed_out_message(what: str) -> str:
    return f"{what} ran past {sql_seconds():g} s (CHECKS_SQL_SECONDS) and was stopped"


def literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    """A quoted SQL identifier: generated SQL never pastes a name unquoted."""
    return '"' + name.replace('"', '""') + '"'


def sandboxed(
    database: str | Path = ":memory:", config: dict | None = None, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """A connection that can touch no file but its own database, no network, no extension; locked."""
    con = duckdb.connect(str(database), read_only=read_only, config={**_CONFIG, **(config or {})})
    for statement in _LOCKDOWN:
        con.execute(statement)
    return con
