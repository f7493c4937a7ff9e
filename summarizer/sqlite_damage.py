"""Telling a damaged SQLite file from a busy or full one, and moving a damaged one aside.

The extraction cache and the batch store are SQLite files that a crash, a full disk or a
careless copy can damage. SQLite says so with two result codes; everything else (locked, full,
read-only) is a passing or a configuration problem, not damage.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

#: SQLite's result codes for a damaged file: "malformed" and "not a database".
_DAMAGED = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})


def is_damaged_database(error: BaseException) -> bool:
    """Whether a SQLite error says the database file itself is damaged.

    Args:
        error: Any exception.

    Returns:
        True for "database disk image is malformed" and "file is not a database" (in any of
        their extended forms); False for a busy, full or read-only database and the rest.

    """
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(error, sqlite3.DatabaseError) and code is not None and code & 0xFF in _DAMAGED


def move_aside(path: Path) -> Path:
    """Rename a damaged SQLite file (and its WAL and shared-memory files) out of the way.

    The WAL goes with it: left behind, SQLite would replay its pages into a fresh file.

    Args:
        path: The database file.

    Returns:
        Its new path: ``NAME.damaged-YYYYmmddTHHMMSS`` (``-N`` appended when that is taken).

    Raises:
        OSError: The file cannot be renamed.

    """
    stamp = time.strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    path.rename(aside)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.rename(aside.with_name(aside.name + suffix))
    return aside
