"""The corpus store: many articles, one picture, in one SQLite file.

Why SQLite: one file an analyst can copy, transactions so an interrupted ingest leaves every
committed article whole and nothing half-written, WAL so the dashboard can read while an ingest
writes, and foreign keys so a mention never points at a missing document. Each article goes in
with its mentions and events in a single transaction, keyed by a hash of its content, so the
same article ingested twice (or by two processes at once) is stored once. Places are one row
per gazetteer id; an event reported by several articles is one event with several sources.
Schema changes go through numbered migrations recorded in ``PRAGMA user_version``.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path
from typing import Any

from .errors import InputError, StoreError
from .events import Event, extract_events, precision_rank, same_event
from .model import Document, Mention, Place, Relation
from .text import parse_date

__all__ = ["SCHEMA_VERSION", "IngestResult", "Store", "content_hash"]

#: Each entry moves the schema up by one version; never edit an entry that has shipped.
MIGRATIONS = [
    """
    CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        content_hash TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        source TEXT NOT NULL,
        published TEXT,
        text TEXT NOT NULL,
        segments TEXT NOT NULL,
        mention_count INTEGER NOT NULL,
        ingested REAL NOT NULL
    );
    CREATE TABLE places (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL,
        kind TEXT NOT NULL, country_code TEXT NOT NULL, admin1 TEXT NOT NULL,
        population INTEGER NOT NULL, source TEXT NOT NULL
    );
    CREATE TABLE mentions (
        id INTEGER PRIMARY KEY,
        document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        place_id TEXT NOT NULL REFERENCES places(id),
        start INTEGER NOT NULL, end INTEGER NOT NULL, surface TEXT NOT NULL,
        confidence REAL NOT NULL, precision TEXT NOT NULL, sentence TEXT NOT NULL,
        candidates TEXT NOT NULL, relation TEXT
    );
    CREATE INDEX mentions_document ON mentions(document_id);
    CREATE INDEX mentions_place ON mentions(place_id);
    CREATE TABLE events (
        id TEXT PRIMARY KEY, kind TEXT NOT NULL, date TEXT, date_precision TEXT,
        date_text TEXT NOT NULL, place_id TEXT NOT NULL REFERENCES places(id),
        actors TEXT NOT NULL, sentence TEXT NOT NULL, confidence REAL NOT NULL,
        trigger TEXT NOT NULL
    );
    CREATE INDEX events_kind_date ON events(kind, date);
    CREATE TABLE event_sources (
        event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        PRIMARY KEY (event_id, document_id)
    );
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY, started REAL NOT NULL, finished REAL,
        manifest TEXT NOT NULL
    );
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


def content_hash(text: str) -> str:
    """What makes two articles the same: their text, whitespace folded."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


class IngestResult(dict):
    """Counts for a summary line: ``added``, ``duplicates``, ``mentions``, ``events``."""


class Store:
    """A corpus in SQLite. Open it with a path; it is created and migrated as needed."""

    def __init__(self, path: str | Path, *, timeout_s: float = 60.0):
        self.path = Path(path)
        self.timeout_s = timeout_s
        #: Rows that could not be read back (a bad date, broken JSON), one line each: the
        #: reading goes on without them and the CLI prints these as warnings.
        self.problems: list[str] = []
        try:
            if self.path.parent and not self.path.parent.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._con = sqlite3.connect(self.path, timeout=timeout_s, isolation_level=None)
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.execute("PRAGMA foreign_keys=ON")
            self._con.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.OperationalError as err:
            raise self._fault(err) from err
        except sqlite3.DatabaseError as err:
            raise InputError(f"{self.path}: not a Flashpoints store ({err})") from err
        except OSError as err:
            raise InputError(f"{self.path}: cannot open ({err.strerror or err})") from err

    # -- schema --------------------------------------------------------------------------

    def _migrate(self) -> None:
        version = self._con.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise InputError(
                f"{self.path}: made by a newer Flashpoints (schema {version}); upgrade to read it"
            )
        for number in range(version, SCHEMA_VERSION):
            try:
                self._con.execute("BEGIN IMMEDIATE")
                # Re-check under the write lock: another process may have migrated meanwhile.
                if self._con.execute("PRAGMA user_version").fetchone()[0] > number:
                    self._con.execute("ROLLBACK")
                    continue
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        self._con.execute(statement)
                self._con.execute(f"PRAGMA user_version = {number + 1}")
                self._con.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise

    def _fault(self, err: sqlite3.Error) -> StoreError:
        """One line for a fault of the store itself, saying what to do about it."""
        text = str(err)
        if "locked" in text or "busy" in text:
            why = (
                f"the store is locked by another program (waited {self.timeout_s:g} s);"
                " try again when it has finished"
            )
        elif "full" in text:
            why = "the disk is full; every article stored before this one is kept"
        else:
            why = f"cannot write the store ({text})"
        return StoreError(f"{self.path}: {why}")

    def _rollback(self) -> None:
        if self._con.in_transaction:
            self._con.execute("ROLLBACK")

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- writing -------------------------------------------------------------------------

    def has(self, text: str) -> bool:
        try:
            row = self._con.execute(
                "SELECT 1 FROM documents WHERE content_hash = ?", (content_hash(text),)
            ).fetchone()
        except sqlite3.OperationalError as err:
            raise self._fault(err) from err
        return row is not None

    def add(
        self, document: Document, mentions: Iterable[Mention], events: Iterable[Event] | None = None
    ) -> bool:
        """Store one geoparsed article, all or nothing; False if it was already there."""
        mentions = list(mentions)
        events = list(extract_events(document, mentions) if events is None else events)
        digest = content_hash(document.text)
        try:
            self._con.execute("BEGIN IMMEDIATE")
            if self._con.execute(
                "SELECT 1 FROM documents WHERE content_hash = ?", (digest,)
            ).fetchone():
                self._con.execute("ROLLBACK")
                return False
            # Corpus ids ("1", "d7") are not unique across corpora: another text under this
            # id keeps its own, and this one is stored under the id plus its content hash.
            doc_id = document.id
            if self._con.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone():
                doc_id = f"{document.id}~{digest[:12]}"
            self._con.execute(
                "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    doc_id,
                    digest,
                    document.title,
                    document.source,
                    document.published.isoformat() if document.published else None,
                    document.text,
                    json.dumps(document.segments),
                    len(mentions),
                    time.time(),
                ),
            )
            for m in mentions:
                self._place(m.place)
                if m.relation is not None:
                    self._place(m.relation.anchor)
            self._con.executemany(
                "INSERT INTO mentions (document_id, place_id, start, end, surface, confidence,"
                " precision, sentence, candidates, relation) VALUES (?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        doc_id,
                        m.place.id,
                        m.start,
                        m.end,
                        m.surface,
                        m.confidence,
                        m.precision,
                        m.sentence,
                        json.dumps(list(m.candidates)),
                        _relation_json(m.relation),
                    )
                    for m in mentions
                ],
            )
            for event in events:
                self._event(event, doc_id)
            self._con.execute("COMMIT")
        except sqlite3.OperationalError as err:
            self._rollback()
            raise self._fault(err) from err
        except BaseException:
            self._rollback()
            raise
        return True

    def _place(self, p: Place) -> None:
        self._con.execute(
            "INSERT OR IGNORE INTO places VALUES (?,?,?,?,?,?,?,?,?)",
            (p.id, p.name, p.lat, p.lon, p.kind, p.country_code, p.admin1, p.population, p.source),
        )

    def _event(self, event: Event, document_id: str) -> None:
        """Attach to an earlier report of the same event, or store a new one."""
        self._place(event.place)
        for existing in self._events_near(event):
            if same_event(existing, event):
                self._con.execute(
                    "INSERT OR IGNORE INTO event_sources VALUES (?, ?)", (existing.id, document_id)
                )
                if precision_rank(event) < precision_rank(existing):
                    self._con.execute(
                        "UPDATE events SET date = ?, date_precision = ?, date_text = ?"
                        " WHERE id = ?",
                        (
                            event.date.isoformat() if event.date else None,
                            event.date_precision,
                            event.date_text,
                            existing.id,
                        ),
                    )
                return
        self._con.execute(
            "INSERT OR IGNORE INTO events VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                event.id,
                event.kind,
                event.date.isoformat() if event.date else None,
                event.date_precision,
                event.date_text,
                event.place.id,
                json.dumps(list(event.actors)),
                event.sentence,
                event.confidence,
                event.trigger,
            ),
        )
        self._con.execute(
            "INSERT OR IGNORE INTO event_sources VALUES (?, ?)", (event.id, document_id)
        )

    def _events_near(self, event: Event) -> list[Event]:
        pad = 0.5  # degrees: a coarse box first, the exact test in same_event
        rows = self._con.execute(
            _EVENT_SQL + " WHERE e.kind = ? AND p.lat BETWEEN ? AND ? AND p.lon BETWEEN ? AND ?",
            (
                event.kind,
                event.place.lat - pad,
                event.place.lat + pad,
                event.place.lon - pad - 1,
                event.place.lon + pad + 1,
            ),
        ).fetchall()
        # Only kind, date and place decide whether reports match: no sources to read here.
        return [_event_from_row(r, ()) for r in rows]

    def record_run(self, manifest: dict[str, Any], started: float) -> int:
        try:
            cur = self._con.execute(
                "INSERT INTO runs (started, finished, manifest) VALUES (?, ?, ?)",
                (started, time.time(), json.dumps(manifest, default=str)),
            )
        except sqlite3.OperationalError as err:
            raise self._fault(err) from err
        return cur.lastrowid

    # -- reading -------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        return {
            table: self._con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("documents", "mentions", "places", "events")
        }

    def integrity_ok(self) -> bool:
        return self._con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    def _problem(self, what: str, err: Exception) -> None:
        self.problems.append(f"{self.path}: {what} skipped ({type(err).__name__}: {err})")

    def documents(self) -> Iterator[Document]:
        """Stored articles in the order they came; a row that cannot be read is skipped
        (see :attr:`problems`), and a date out of range is dropped, not the article."""
        for row in self._con.execute(
            "SELECT id, title, text, source, published, segments FROM documents ORDER BY rowid"
        ):
            try:
                doc = Document(
                    id=row[0],
                    title=row[1],
                    text=row[2],
                    source=row[3],
                    published=None,
                    segments=tuple((int(a), int(b)) for a, b in json.loads(row[5])),
                )
            except (ValueError, TypeError) as err:
                self._problem(f"article {row[0]!r}", err)
                continue
            try:
                doc = replace(doc, published=parse_date(row[4]))
            except InputError as err:
                self.problems.append(f"{self.path}: article {row[0]!r}: {err}; date dropped")
            yield doc

    def mentions(self) -> dict[str, list[Mention]]:
        """Stored mentions by document id, in text order."""
        places = {r[0]: Place(*r) for r in self._con.execute("SELECT * FROM places")}
        out: dict[str, list[Mention]] = {}
        for row in self._con.execute(
            "SELECT document_id, place_id, start, end, surface, confidence, precision, sentence,"
            " candidates, relation FROM mentions ORDER BY document_id, start, id"
        ):
            try:
                mention = Mention(
                    document_id=row[0],
                    start=row[2],
                    end=row[3],
                    surface=row[4],
                    place=places[row[1]],
                    confidence=row[5],
                    precision=row[6],
                    sentence=row[7],
                    candidates=tuple(json.loads(row[8])),
                    relation=_relation_from_json(row[9], places),
                )
            except (KeyError, ValueError, TypeError) as err:
                self._problem(f"a mention of {row[4]!r} in {row[0]!r}", err)
                continue
            out.setdefault(row[0], []).append(mention)
        return out

    def events(self) -> list[Event]:
        """Every stored event with all its sources (two queries, whatever the count)."""
        sources: dict[str, list[str]] = {}
        for event_id, document_id in self._con.execute(
            "SELECT event_id, document_id FROM event_sources ORDER BY rowid"
        ):
            sources.setdefault(event_id, []).append(document_id)
        out = []
        for row in self._con.execute(_EVENT_SQL + " ORDER BY e.date, e.id").fetchall():
            try:
                out.append(_event_from_row(row, tuple(sources.get(row[0], ()))))
            except (KeyError, ValueError, TypeError) as err:
                self._problem(f"event {row[0]!r}", err)
        return out

    def analysis(self, zones=None, *, generate: bool = True):
        """The whole corpus as one :class:`~geo.model.Analysis`, from stored mentions (no
        geoparsing again); zones default to the bundled declared zones."""
        from .analysis import assemble
        from .zones import load_zones

        by_doc = self.mentions()
        per_doc = [(d, by_doc.get(d.id, [])) for d in self.documents()]
        if not per_doc:
            raise InputError(f"{self.path}: the store holds no articles yet")
        zone_list = list(load_zones() if zones is None else zones)
        return assemble(per_doc, zone_list, generate=generate, events=self.events())

    def runs(self) -> list[dict[str, Any]]:
        return [
            {"id": r[0], "started": r[1], "finished": r[2], "manifest": json.loads(r[3])}
            for r in self._con.execute("SELECT id, started, finished, manifest FROM runs")
        ]


_EVENT_SQL = (
    "SELECT e.id, e.kind, e.date, e.date_precision, e.date_text, e.place_id, e.actors,"
    " e.sentence, e.confidence, e.trigger, p.id, p.name, p.lat, p.lon, p.kind,"
    " p.country_code, p.admin1, p.population, p.source"
    " FROM events e JOIN places p ON p.id = e.place_id"
)


def _event_from_row(row, sources: tuple[str, ...]) -> Event:
    return Event(
        id=row[0],
        kind=row[1],
        date=date.fromisoformat(row[2]) if row[2] else None,
        date_precision=row[3],
        date_text=row[4],
        place=Place(*row[10:19]),
        actors=tuple(json.loads(row[6])),
        sentence=row[7],
        document_id=sources[0] if sources else "",
        confidence=row[8],
        trigger=row[9],
        sources=sources,
    )


def _relation_json(rel: Relation | None) -> str | None:
    if rel is None:
        return None
    data = asdict(rel)
    data["anchor"] = rel.anchor.id
    return json.dumps(data)


def _relation_from_json(text: str | None, places: dict[str, Place]) -> Relation | None:
    if not text:
        return None
    data = json.loads(text)
    data["anchor"] = places[data["anchor"]]
    return Relation(**data)
