"""The DuckDB sandbox: a connection that can read or write no file but its own database, reach no network, load no
extension and not unlock its settings, with a time limit. Only DuckDB is imported, so that a query starts fast."""

from __future__ import annotations

import atexit
import os
import select
import shutil
import signal
import socket
import tempfile
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import duckdb

#: Settings applied before any package SQL runs; `lock_configuration` makes them final.
_LOCKDOWN = ("SET enable_external_access = false", "SET lock_configuration = true")
_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "python_enable_replacements": False,
}
#: What the package's SQL may use (each overridable): memory (CHECKS_SQL_MEMORY, a DuckDB size), and disk, in a temp
#: folder of its own under the system temp, removed when the connection closes (CHECKS_SQL_TEMP_BYTES). Without a
#: bound DuckDB spills an in-memory database into `.tmp` in the working folder, up to 90 % of the disk.
SQL_MEMORY = "4GB"
SQL_TEMP_BYTES = 2**30
_spill: list[str] = []  # this process's folder for DuckDB's temp files, made once, removed at exit


def sql_temp_bytes() -> int:
    value = os.environ.get("CHECKS_SQL_TEMP_BYTES", "")
    return int(value) if value.isdigit() else SQL_TEMP_BYTES


def _spill_folder() -> str:
    """A fresh folder (mode 0700) under the system temp for one connection's temp files: DuckDB creates it when it
    first spills and removes it when the connection closes; its parent, one per process, is removed at exit."""
    if not _spill:
        _spill.append(tempfile.mkdtemp(prefix="checks-sql-"))
        atexit.register(shutil.rmtree, _spill[0], True)
    return os.path.join(_spill[0], uuid.uuid4().hex)


def limits() -> dict:
    """The memory and disk bounds of a connection running the package's SQL."""
    return {
        "memory_limit": os.environ.get("CHECKS_SQL_MEMORY", SQL_MEMORY),
        "temp_directory": _spill_folder(),
        "max_temp_directory_size": f"{sql_temp_bytes()}B",
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


def out_of_space(error: duckdb.Error) -> bool:
    """Whether DuckDB stopped because the SQL needed more memory or temp disk than the limits give it."""
    return isinstance(error, duckdb.OutOfMemoryException)


def out_of_space_message(what: str) -> str:
    memory = os.environ.get("CHECKS_SQL_MEMORY", SQL_MEMORY)
    return (
        f"{what} needed more than {memory} of memory (CHECKS_SQL_MEMORY) and {sql_temp_bytes():,} bytes of temp "
        "files (CHECKS_SQL_TEMP_BYTES), and was stopped"
    )


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
    con = duckdb.connect(str(database), read_only=read_only, config={**_CONFIG, **limits(), **(config or {})})
    for statement in _LOCKDOWN:
        con.execute(statement)
    return con
