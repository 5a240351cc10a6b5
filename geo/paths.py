"""Where Flashpoints reads its data and keeps its caches, and the environment that moves them.

One module owns every path and every ``FLASHPOINTS_*`` setting so that an installed wheel, an
editable checkout and a test run with a private cache all agree. The bundled data (curated
places, aliases, borders, zones, samples) lives inside the package (``geo/data``) and is read
through :mod:`importlib.resources`, so it is found wherever the package is installed; the
checkout's top-level ``data`` is a link to the same folder.

Settings (all optional):

``FLASHPOINTS_CACHE``
    the cache folder (built gazetteer index, asset and geocoder caches, corrections);
    default ``$XDG_CACHE_HOME/flashpoints`` or ``~/.cache/flashpoints``.
``FLASHPOINTS_ASSETS``, ``FLASHPOINTS_GEOCODE_CACHE``, ``FLASHPOINTS_CORRECTIONS``
    one cache each, moved out of the cache folder.
``FLASHPOINTS_CONFIG``
    a TOML settings file (``[online]``, ``[watch]``, ``[[alert]]``).
``FLASHPOINTS_MAX_ARTICLE_MB``
    the largest article accepted, in MB of text (default 20).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

__all__ = [
    "DATA_DIR",
    "DEFAULT_ZONES_DIR",
    "SAMPLES_DIR",
    "assets_dir",
    "cache_dir",
    "config_path",
    "corrections_path",
    "geocode_cache_path",
    "setting",
]


def _data_dir() -> Path:
    # A wheel or an editable install both give a real folder here (the package is never
    # zipped: it is installed with pip), so a plain Path is safe to hand to SQLite and open().
    return Path(str(resources.files("geo") / "data"))


DATA_DIR = _data_dir()
DEFAULT_ZONES_DIR = DATA_DIR / "zones"
SAMPLES_DIR = DATA_DIR / "samples"


def setting(name: str, default: str | None = None) -> str | None:
    """``$FLASHPOINTS_<NAME>``, or ``default`` when it is unset or empty."""
    return os.environ.get(f"FLASHPOINTS_{name}") or default


def cache_dir() -> Path:
    """Where built indexes and caches live: ``$FLASHPOINTS_CACHE`` or the user cache folder."""
    env = setting("CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "flashpoints"


def assets_dir() -> Path:
    """Cached map assets (JavaScript and CSS from npm): ``$FLASHPOINTS_ASSETS``."""
    return Path(setting("ASSETS") or cache_dir() / "assets")


def geocode_cache_path() -> Path:
    """The online geocoder's answer cache: ``$FLASHPOINTS_GEOCODE_CACHE``."""
    return Path(setting("GEOCODE_CACHE") or cache_dir() / "geocode.sqlite")


def corrections_path() -> Path:
    """The analyst's corrections: ``$FLASHPOINTS_CORRECTIONS``."""
    return Path(setting("CORRECTIONS") or cache_dir() / "corrections.sqlite")


def config_path(explicit: str | Path | None = None) -> Path | None:
    """The settings file: the one given, else ``$FLASHPOINTS_CONFIG``, else none."""
    value = explicit or setting("CONFIG")
    return Path(value) if value else None
