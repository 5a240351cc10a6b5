"""An analyst's corrections, kept and applied on every later run of the same text.

The geoparser will sometimes pick the wrong Sinjar or call a surname a town. A correction
says, for one name in one document (the document id is a hash of its text, so "the same
article" is recognised whatever file it arrives in): use this other gazetteer place, put it
at this point, or this is not a place. Corrections live in one SQLite file and win over the
geoparser in the map, the tables and every export.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import InputError
from .gazetteer import Gazetteer
from .model import Mention, Place
from .paths import corrections_path
from .sqlfiles import open_sqlite

__all__ = ["ACTIONS", "Correction", "CorrectionStore", "apply_corrections"]

ACTIONS = ("place", "move", "reject")


@dataclass(frozen=True)
class Correction:
    """``place``: use gazetteer place ``place_id``; ``move``: same place, at (lat, lon);
    ``reject``: the name is not a place here."""

    document_id: str
    surface: str
    action: str
    place_id: str | None = None
    lat: float | None = None
    lon: float | None = None

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise InputError(f"unknown correction {self.action!r}; use one of {ACTIONS}")
        if self.action == "place" and not self.place_id:
            raise InputError("a 'place' correction needs the id of the place to use")
        if self.action == "move" and not (
            self.lat is not None
            and self.lon is not None
            and -90 <= self.lat <= 90
            and -180 <= self.lon <= 180
        ):
            raise InputError("a 'move' correction needs a latitude and longitude in range")


class CorrectionStore:
    """Corrections in one SQLite file (``$FLASHPOINTS_CORRECTIONS`` or the cache folder);
    the newest correction of a name in a document replaces older ones."""

    @staticmethod
    def default_path() -> Path:
        """``$FLASHPOINTS_CORRECTIONS``, else ``corrections.sqlite`` in the cache folder."""
        return corrections_path()

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path or self.default_path())
        self._con = open_sqlite(
            self.path,
            "CREATE TABLE IF NOT EXISTS corrections (document_id TEXT NOT NULL, surface"
            " TEXT NOT NULL, action TEXT NOT NULL, place_id TEXT, lat REAL, lon REAL,"
            " saved REAL NOT NULL, PRIMARY KEY (document_id, surface))",
            "the corrections file",
        )

    def save(self, correction: Correction) -> None:
        with self._con:
            self._con.execute(
                "INSERT OR REPLACE INTO corrections VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    correction.document_id,
                    correction.surface,
                    correction.action,
                    correction.place_id,
                    correction.lat,
                    correction.lon,
                    time.time(),
                ),
            )

    def remove(self, document_id: str, surface: str) -> None:
        with self._con:
            self._con.execute(
                "DELETE FROM corrections WHERE document_id = ? AND surface = ?",
                (document_id, surface),
            )

    def for_documents(self, document_ids: Iterable[str]) -> list[Correction]:
        ids = list(document_ids)
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self._con.execute(
            "SELECT document_id, surface, action, place_id, lat, lon FROM corrections"
            f" WHERE document_id IN ({marks}) ORDER BY saved",
            ids,
        ).fetchall()
        return [Correction(*row) for row in rows]

    def all(self) -> list[Correction]:
        rows = self._con.execute(
            "SELECT document_id, surface, action, place_id, lat, lon FROM corrections"
            " ORDER BY saved"
        ).fetchall()
        return [Correction(*row) for row in rows]

    def version(self) -> tuple[int, float]:
        """Changes whenever a correction is saved or removed (a cache key for the dashboard)."""
        count, latest = self._con.execute(
            "SELECT COUNT(*), COALESCE(MAX(saved), 0) FROM corrections"
        ).fetchone()
        return count, latest

    def close(self) -> None:
        self._con.close()


def apply_corrections(
    mentions: Iterable[Mention], corrections: Iterable[Correction], gazetteer: Gazetteer
) -> list[Mention]:
    """``mentions`` with the corrections of their (document, surface) applied.

    A corrected mention keeps its text, sentence and offsets; its place changes, its
    confidence becomes 1.0 (a person checked it) and the place's source says so.
    """
    by_key = {(c.document_id, c.surface): c for c in corrections}
    if not by_key:
        return list(mentions)
    out = []
    for m in mentions:
        c = by_key.get((m.document_id, m.surface))
        if c is None:
            out.append(m)
        elif c.action == "reject":
            continue
        elif c.action == "place" and c.place_id:
            place = gazetteer.get(c.place_id)
            if place is None:
                out.append(m)  # the gazetteer no longer has it: the geoparser's answer stands
                continue
            out.append(replace(m, place=_checked(place), confidence=1.0, candidates=()))
        elif c.lat is not None and c.lon is not None:  # "move" (checked when made)
            moved = replace(
                m.place,
                id=f"corrected:{m.place.id}",
                lat=round(c.lat, 6),
                lon=round(c.lon, 6),
            )
            out.append(replace(m, place=_checked(moved), confidence=1.0))
        else:  # unreachable: a Correction is checked when made
            out.append(m)
    return out


def _checked(place: Place) -> Place:
    return replace(place, source=f"{place.source}; corrected by an analyst")
