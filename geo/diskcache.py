"""Derived data built once into the cache folder, so that a run does not rebuild it.

Merging every country to find disputed land, reading Natural Earth at full resolution and
buffering zones take seconds, and their inputs change only with the package. Each result is
kept in :func:`geo.paths.cache_dir` under a name that carries a hash of its inputs, the
versions of the packages that built it and the build code itself (like the gazetteer index),
so a change to any of them builds a new file rather than reading a stale one.

Files are pickles of plain values (geometries as WKB) written atomically. A file that cannot
be read, or whose recorded key is not the one asked for, is rebuilt; a cache folder that
cannot be written costs only speed. The folder is the user's own, as for the gazetteer: a
pickle there is trusted as much as the code that wrote it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from .paths import cache_dir

__all__ = ["cache_key", "cached", "read_cached", "update_cached"]

#: Bump to invalidate every derived file at once.
SCHEMA = "1"

T = TypeVar("T")
_HERE = Path(__file__).resolve().parent


def cache_key(*inputs: bytes | str, modules: Iterable[str] = (), dists: Iterable[str] = ()) -> str:
    """A short hash of input bytes, this package's build ``modules`` (file names in ``geo/``)
    and the versions of the distributions ``dists``."""
    digest = hashlib.sha256(SCHEMA.encode())
    for part in inputs:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    for module in ("diskcache.py", *modules):
        digest.update((_HERE / module).read_bytes())
    for dist in dists:
        try:
            version = metadata.version(dist)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{dist}={version}".encode())
    return digest.hexdigest()[:16]


def _path(name: str, key: str) -> Path:
    return cache_dir() / "derived" / f"{name}-{key}.pickle"


def _read(name: str, key: str) -> tuple[bool, Any]:
    """(found, value) of a valid file; anything unreadable counts as not found."""
    try:
        with open(_path(name, key), "rb") as f:
            payload = pickle.load(f)
    except Exception:  # missing, truncated, corrupt or from another Python: rebuild
        return False, None
    if not isinstance(payload, dict) or payload.get("name") != name or payload.get("key") != key:
        return False, None
    return True, payload.get("value")


def _write(name: str, key: str, value: Any) -> None:
    path = _path(name, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{name}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump({"name": name, "key": key, "value": value}, f, protocol=5)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except (OSError, pickle.PicklingError):
        pass  # a read-only or full cache folder: the next run builds again


def cached(
    name: str, key: str, build: Callable[[], T], *, valid: Callable[[Any], bool] | None = None
) -> T:
    """The value kept as ``name``/``key``, or ``build()`` kept for next time.

    ``valid`` checks a value read back (its shape, its counts); a value it refuses, like a
    file that cannot be read, is rebuilt and written again.
    """
    found, value = _read(name, key)
    if found:
        try:
            ok = valid is None or valid(value)
        except Exception:
            ok = False
        if ok:
            return value
    value = build()
    _write(name, key, value)
    return value


def update_cached(name: str, key: str, entries: dict[Any, Any]) -> None:
    """Add ``entries`` to a kept dictionary (a memo filled a little on each run), merging
    with what another process may have written meanwhile."""
    found, value = _read(name, key)
    merged = dict(value) if found and isinstance(value, dict) else {}
    merged.update(entries)
    _write(name, key, merged)


def read_cached(name: str, key: str) -> Any:
    """The value kept as ``name``/``key``, or None."""
    return _read(name, key)[1]
