"""The small SQLite files beside a user's work: analyst corrections and the geocoding cache.

Both are opened the same way (folder made, one table created if missing, any failure a one-line
:class:`~geo.errors.InputError`), so that is written once here. The corpus store has its own
opening, with migrations (:mod:`geo.store`).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .errors import InputError

__all__ = ["open_sqlite"]


def open_sqlite(path: Path, schema: str, what: str, *, wal: bool = False) -> sqlite3.Connection:
    """Connect to ``path`` (made if missing) and run ``schema`` (a ``CREATE TABLE IF NOT
    EXISTS``). ``what`` names the file in the error, e.g. "the corrections file"; ``wal`` lets
    readers and a writer work at once (the geocoding cache is shared by parallel runs)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(path, timeout=30, check_same_thread=False)
        if wal:
            con.execute("PRAGMA journal_mode=WAL")
        con.execute(schema)
        con.commit()
    except (OSError, sqlite3.Error) as err:
        raise InputError(f"{path}: cannot open {what} ({err})") from err
    return con
