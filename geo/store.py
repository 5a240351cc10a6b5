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
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InputError, StoreError
from .events import (
    DATE_UNCERTAINTY_DAYS,
    SAME_EVENT_DAYS,
    TAXONOMY,
    Event,
    precision_rank,
    same_event,
)
from .model import Document, Mention, Place, Relation
from .query import EventQuery
from .text import parse_date

if TYPE_CHECKING:
    from .corrections import CorrectionStore

__all__ = [
    "SCHEMA_VERSION",
    "IngestResult",
    "Store",
    "content_hash",
    "open_store",
    "store_stamp",
]

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
    # 2: watch (feeds polled, their items, alert rules' progress and the alerts they raised).
    # An item is written as pending together with its feed's new validators, so a kill
    # between the two never loses it; an alert is unique per (rule, event).
    """
    CREATE TABLE watch_feeds (
        url TEXT PRIMARY KEY, title TEXT NOT NULL DEFAULT '', etag TEXT, last_modified TEXT,
        polled REAL, ok REAL, failures INTEGER NOT NULL DEFAULT 0, error TEXT
    );
    CREATE TABLE watch_items (
        url TEXT PRIMARY KEY, feed TEXT NOT NULL, title TEXT NOT NULL, published TEXT,
        status TEXT NOT NULL, content_hash TEXT, document_id TEXT,
        attempts INTEGER NOT NULL DEFAULT 0, error TEXT, seen REAL NOT NULL, fetched REAL
    );
    CREATE INDEX watch_items_status ON watch_items(status);
    CREATE INDEX documents_source ON documents(source);
    CREATE TABLE alert_rules (name TEXT PRIMARY KEY, checked INTEGER NOT NULL);
    CREATE TABLE alerts (
        id INTEGER PRIMARY KEY, rule TEXT NOT NULL,
        event_id TEXT NOT NULL REFERENCES events(id),
        zone_id TEXT, distance_km REAL, summary TEXT NOT NULL, payload TEXT NOT NULL,
        created REAL NOT NULL, notified REAL, webhook TEXT, webhook_sent REAL,
        attempts INTEGER NOT NULL DEFAULT 0, error TEXT,
        UNIQUE (rule, event_id)
    );
    """,
    # Events in ACLED's terms: type, sub-type, actor 1 and 2, fatalities, geo-precision and
    # modality, as one JSON object (older rows read as '{}': the kind's default reading).
    """
    ALTER TABLE events ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
    """,
    # 4: indexes for a corpus of millions: a new report finds earlier reports of the same
    # event through the places near it, not by reading every event of its kind.
    """
    CREATE INDEX places_lat ON places(lat);
    CREATE INDEX events_place ON events(place_id);
    CREATE INDEX events_date ON events(date);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


def content_hash(text: str) -> str:
    """What makes two articles the same: their text, whitespace folded."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def open_store(target: str | Path, *, timeout_s: float = 60.0) -> Store:
    """The store ``--db`` names: a ``postgresql://`` URL is the team's PostGIS store
    (:class:`geo.pgstore.PostgisStore`), anything else a SQLite file."""
    if isinstance(target, str) and target.lower().startswith(("postgresql://", "postgres://")):
        from .pgstore import PostgisStore

        return PostgisStore(target, timeout_s=timeout_s)
    return Store(target, timeout_s=timeout_s)


def store_stamp(path: str | Path) -> tuple[float, ...]:
    """What changes whenever anything is written to the store at ``path``: the size and time of
    the file and of its write-ahead log (WAL writes leave the main file alone until a
    checkpoint). The dashboard re-reads a store when its stamp changes. For a database URL,
    the newest row numbers and counts, read from the database."""
    if isinstance(path, str) and path.lower().startswith(("postgresql://", "postgres://")):
        with open_store(path) as store:
            return store.stamp()
    stamp: list[float] = []
    for name in (str(path), f"{path}-wal"):
        try:
            info = os.stat(name)
        except OSError:
            stamp += [0.0, 0.0]
        else:
            stamp += [info.st_mtime_ns, info.st_size]
    return tuple(stamp)


class IngestResult(dict):
    """Counts for a summary line: ``added``, ``duplicates``, ``mentions``, ``events``."""


class Store:
    """A corpus in SQLite. Open it with a path; it is created and migrated as needed.

    :class:`geo.pgstore.PostgisStore` is the same store on PostgreSQL with PostGIS, for a team;
    :func:`open_store` picks one from what the user wrote after ``--db``. The SQL here is
    written to run on both (``ON CONFLICT``, ``RETURNING``, quoted ``"end"``); the PostGIS store
    translates only the parameter marks and how a write transaction begins.
    """

    #: What the database raises when it cannot do what was asked (locked, disk full...).
    _FAULTS: tuple[type[Exception], ...] = (sqlite3.OperationalError,)
    #: Whether corrections live in the store itself (a shared database) or in the analyst's
    #: own corrections file.
    shared = False

    def __init__(self, path: str | Path, *, timeout_s: float = 60.0):
        self.path = Path(path)
        #: How messages name this store (a file path; a URL without its password).
        self.label = str(self.path)
        self.timeout_s = timeout_s
        #: Rows that could not be read back (a bad date, broken JSON), one line each: the
        #: reading goes on without them and the CLI prints these as warnings.
        self.problems: list[str] = []
        try:
            if self.path.parent and not self.path.parent.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._con: Any = sqlite3.connect(self.path, timeout=timeout_s, isolation_level=None)
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

    def _fault(self, err: Exception) -> StoreError:
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
            why = f"cannot write the store ({text.strip().splitlines()[0] if text else err!r})"
        return StoreError(f"{self.label}: {why}")

    def _begin(self) -> None:
        """Begin a write transaction, taking the write lock at once (two writers never both
        read first and then both try to write: no upgrade deadlock, no duplicate)."""
        self._con.execute("BEGIN IMMEDIATE")

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
        except self._FAULTS as err:
            raise self._fault(err) from err
        return row is not None

    def add(
        self, document: Document, mentions: Iterable[Mention], events: Iterable[Event] = ()
    ) -> bool:
        """Store one geoparsed article with its mentions and events, all or nothing; False if
        it was already there. The store only stores: what to store is the pipeline's
        (:func:`geo.pipeline.process_document`)."""
        mentions = list(mentions)
        events = list(events)
        digest = content_hash(document.text)
        try:
            self._begin()
            # One look answers both questions (one round trip to a database server).
            taken = self._con.execute(
                "SELECT content_hash FROM documents WHERE content_hash = ? OR id = ?",
                (digest, document.id),
            ).fetchall()
            if any(row[0] == digest for row in taken):
                self._con.execute("ROLLBACK")
                return False
            # Corpus ids ("1", "d7") are not unique across corpora: another text under this
            # id keeps its own, and this one is stored under the id plus its content hash.
            doc_id = f"{document.id}~{digest[:12]}" if taken else document.id
            self._con.execute(
                "INSERT INTO documents (id, content_hash, title, source, published, text,"
                " segments, mention_count, ingested) VALUES (?,?,?,?,?,?,?,?,?)",
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
            places = {m.place.id: m.place for m in mentions}
            places.update((m.relation.anchor.id, m.relation.anchor) for m in mentions if m.relation)
            places.update((e.place.id, e.place) for e in events)
            self._places(places.values())
            self._con.executemany(
                'INSERT INTO mentions (document_id, place_id, start, "end", surface, confidence,'
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
        except self._FAULTS as err:
            self._rollback()
            raise self._fault(err) from err
        except BaseException:
            self._rollback()
            raise
        return True

    def _places(self, places: Iterable[Place]) -> None:
        rows = [
            (p.id, p.name, p.lat, p.lon, p.kind, p.country_code, p.admin1, p.population, p.source)
            for p in places
        ]
        if rows:
            self._con.executemany(
                "INSERT INTO places (id, name, lat, lon, kind, country_code, admin1, population,"
                " source) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                rows,
            )

    def _event(self, event: Event, document_id: str) -> None:
        """Attach to earlier reports of the same event, or store a new one (its place is
        already stored: :meth:`add` stores every place first).

        A report that matches several stored events joins them into one (the one with the
        smallest id keeps the sources and alerts of the others), so the events stored are the
        connected groups of matching reports: the same whatever order articles arrive in.
        """
        matches = sorted(
            (e for e in self._events_near(event) if same_event(e, event)), key=lambda e: e.id
        )
        if matches:
            keep, others = matches[0], matches[1:]
            self._con.execute(
                "INSERT INTO event_sources (event_id, document_id) VALUES (?, ?)"
                " ON CONFLICT DO NOTHING",
                (keep.id, document_id),
            )
            for other in others:
                self._absorb(keep.id, other.id)
            best = min([event, *matches], key=lambda e: (precision_rank(e), e.id))
            if best.id != keep.id and precision_rank(best) < precision_rank(keep):
                self._con.execute(
                    "UPDATE events SET date = ?, date_precision = ?, date_text = ? WHERE id = ?",
                    (
                        best.date.isoformat() if best.date else None,
                        best.date_precision,
                        best.date_text,
                        keep.id,
                    ),
                )
            return
        self._con.execute(
            "INSERT INTO events (id, kind, date, date_precision, date_text, place_id, actors,"
            " sentence, confidence, trigger, details) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT DO NOTHING",
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
                json.dumps(
                    {
                        "event_type": event.event_type,
                        "sub_event_type": event.sub_event_type,
                        "actor1": event.actor1,
                        "actor2": event.actor2,
                        "fatalities": event.fatalities,
                        "geo_precision": event.geo_precision,
                        "modality": event.modality,
                    }
                ),
            ),
        )
        self._con.execute(
            "INSERT INTO event_sources (event_id, document_id) VALUES (?, ?)"
            " ON CONFLICT DO NOTHING",
            (event.id, document_id),
        )

    def _absorb(self, keep: str, other: str) -> None:
        """Fold stored event ``other`` into ``keep``: its sources and alerts move over."""
        self._con.execute(
            "INSERT INTO event_sources (event_id, document_id) SELECT ?, document_id"
            " FROM event_sources WHERE event_id = ? ON CONFLICT DO NOTHING",
            (keep, other),
        )
        # A rule that alerted on both keeps its alert on ``keep``: (rule, event) is unique.
        self._con.execute(
            "UPDATE alerts SET event_id = ? WHERE event_id = ? AND NOT EXISTS"
            " (SELECT 1 FROM alerts a WHERE a.rule = alerts.rule AND a.event_id = ?)",
            (keep, other, keep),
        )
        self._con.execute("DELETE FROM alerts WHERE event_id = ?", (other,))
        self._con.execute("DELETE FROM event_sources WHERE event_id = ?", (other,))
        self._con.execute("DELETE FROM events WHERE id = ?", (other,))

    def _events_near(self, event: Event) -> list[Event]:
        """Stored events that could be the same as ``event``: its kind, a coarse box around
        it, and dates that could overlap (the exact test is :func:`same_event`). The date
        window keeps this an index range in a corpus of millions."""
        pad = 0.5  # degrees: a coarse box first, the exact test in same_event
        sql = _EVENT_SQL + " WHERE e.kind = ?"
        params: list[Any] = [event.kind]
        if event.date is None:
            sql += " AND e.date IS NULL"
        else:
            slack = timedelta(
                days=SAME_EVENT_DAYS + (event.uncertainty_days or 0) + _MOST_UNCERTAIN_DAYS
            )
            sql += " AND e.date BETWEEN ? AND ?"
            params += [(event.date - slack).isoformat(), (event.date + slack).isoformat()]
        sql += " AND p.lat BETWEEN ? AND ? AND p.lon BETWEEN ? AND ?"
        params += [
            event.place.lat - pad,
            event.place.lat + pad,
            event.place.lon - pad - 1,
            event.place.lon + pad + 1,
        ]
        rows = self._con.execute(sql, params).fetchall()
        # Only kind, date and place decide whether reports match: no sources to read here.
        return [_event_from_row(r, ()) for r in rows]

    def record_run(self, manifest: dict[str, Any], started: float) -> int:
        try:
            row = self._con.execute(
                "INSERT INTO runs (started, finished, manifest) VALUES (?, ?, ?) RETURNING id",
                (started, time.time(), json.dumps(manifest, default=str)),
            ).fetchone()
        except self._FAULTS as err:
            raise self._fault(err) from err
        return int(row[0])

    # -- reading -------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        return {
            table: self._con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("documents", "mentions", "places", "events")
        }

    def empty(self) -> bool:
        """Holds no articles yet."""
        return self._con.execute("SELECT 1 FROM documents LIMIT 1").fetchone() is None

    def stamp(self) -> tuple[float, ...]:
        """Changes whenever anything is written to the store (see :func:`store_stamp`)."""
        return store_stamp(self.path)

    def corrections(self) -> CorrectionStore | None:
        """Corrections kept in the store itself; None for a SQLite store, whose analyst keeps
        them in their own corrections file (:class:`geo.corrections.CorrectionStore`)."""
        return None

    def query_events(self, query: EventQuery) -> list[Event]:
        """Stored events that ``query`` selects (all of them when it is empty): the dates,
        kinds and a box around the zone or point narrow the rows in SQL, then the exact
        geodesic test (:meth:`EventQuery.apply`) decides."""
        if query.empty:
            return self.events()
        where: list[str] = []
        params: list[Any] = []
        if query.since is not None:
            where.append("e.date >= ?")
            params.append(query.since.isoformat())
        if query.until is not None:
            where.append("e.date <= ?")
            params.append(query.until.isoformat())
        if query.kinds:
            where.append("e.kind IN (" + ",".join("?" * len(query.kinds)) + ")")
            params += list(query.kinds)
        box = query.box()
        if box is not None:
            south, north, west, east = box
            where.append("p.lat BETWEEN ? AND ?")
            params += [south, north]
            if west is not None and east is not None:
                where.append("p.lon BETWEEN ? AND ?")
                params += [west, east]
        sql = _EVENT_SQL + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY e.date IS NOT NULL, e.date, e.id"
        try:
            rows = self._con.execute(sql, params).fetchall()
        except self._FAULTS as err:
            raise self._fault(err) from err
        found = []
        for row in rows:
            try:
                found.append(_event_from_row(row, ()))
            except (KeyError, ValueError, TypeError) as err:
                self._problem(f"event {row[0]!r}", err)
        chosen = query.apply(found)
        sources = self._sources_of([e.id for e in chosen])
        return [
            replace(e, sources=s, document_id=s[0] if s else "")
            for e in chosen
            for s in [sources.get(e.id, ())]
        ]

    def _sources_of(self, ids: list[str]) -> dict[str, tuple[str, ...]]:
        """The documents reporting each event id, in the order they were stored."""
        out: dict[str, list[str]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for event_id, document_id in self._con.execute(
                "SELECT event_id, document_id FROM event_sources"
                f" WHERE event_id IN ({marks}) ORDER BY rowid",
                chunk,
            ):
                out.setdefault(event_id, []).append(document_id)
        return {k: tuple(v) for k, v in out.items()}

    def integrity_ok(self) -> bool:
        return self._con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    def _problem(self, what: str, err: Exception) -> None:
        self.problems.append(f"{self.label}: {what} skipped ({type(err).__name__}: {err})")

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
                self.problems.append(f"{self.label}: article {row[0]!r}: {err}; date dropped")
            yield doc

    def mentions(self) -> dict[str, list[Mention]]:
        """Stored mentions by document id, in text order."""
        places = {r[0]: Place(*r) for r in self._con.execute(_PLACE_SQL)}
        out: dict[str, list[Mention]] = {}
        for row in self._con.execute(
            'SELECT document_id, place_id, start, "end", surface, confidence, precision,'
            " sentence, candidates, relation FROM mentions ORDER BY document_id, start, id"
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
        ordered = _EVENT_SQL + " ORDER BY e.date IS NOT NULL, e.date, e.id"
        for row in self._con.execute(ordered).fetchall():
            try:
                out.append(_event_from_row(row, tuple(sources.get(row[0], ()))))
            except (KeyError, ValueError, TypeError) as err:
                self._problem(f"event {row[0]!r}", err)
        return out

    def runs(self) -> list[dict[str, Any]]:
        return [
            {"id": r[0], "started": r[1], "finished": r[2], "manifest": json.loads(r[3])}
            for r in self._con.execute("SELECT id, started, finished, manifest FROM runs")
        ]

    # -- watch: feeds, items, alerts -----------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Any]:
        """One write transaction, taken at once (no upgrade deadlock with another writer)."""
        self._begin()
        try:
            yield self._con
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        self._con.execute("COMMIT")

    def feed_state(self, url: str) -> dict[str, Any] | None:
        """A feed's validators and health (``etag``, ``last_modified``, ``failures``...)."""
        row = self._con.execute(
            "SELECT url, title, etag, last_modified, polled, ok, failures, error"
            " FROM watch_feeds WHERE url = ?",
            (url,),
        ).fetchone()
        keys = ("url", "title", "etag", "last_modified", "polled", "ok", "failures", "error")
        return dict(zip(keys, row, strict=True)) if row else None

    def feed_polled(
        self,
        url: str,
        items: Iterable[tuple[str, str, str | None]] = (),
        *,
        title: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> tuple[int, int]:
        """Record a good poll of ``url`` and its items ``(url, title, published)`` as pending,
        in one transaction; returns (items new to the store, items already known)."""
        now = time.time()
        new = known = 0
        with self._write() as con:
            con.execute(
                "INSERT INTO watch_feeds (url, title, etag, last_modified, polled, ok, failures)"
                " VALUES (?, ?, ?, ?, ?, ?, 0) ON CONFLICT(url) DO UPDATE SET"
                " title = COALESCE(excluded.title, watch_feeds.title), etag = excluded.etag,"
                " last_modified = excluded.last_modified, polled = excluded.polled,"
                " ok = excluded.ok, failures = 0, error = NULL",
                (url, title or "", etag, last_modified, now, now),
            )
            for item_url, item_title, published in items:
                cur = con.execute(
                    "INSERT INTO watch_items (url, feed, title, published, status,"
                    " seen) VALUES (?, ?, ?, ?, 'pending', ?) ON CONFLICT DO NOTHING",
                    (item_url, url, item_title, published, now),
                )
                new += cur.rowcount
                known += 1 - cur.rowcount
        return new, known

    def feed_unchanged(self, url: str) -> None:
        """A 304: the feed is fine and nothing in it is new."""
        now = time.time()
        with self._write() as con:
            con.execute(
                "UPDATE watch_feeds SET polled = ?, ok = ?, failures = 0, error = NULL"
                " WHERE url = ?",
                (now, now, url),
            )

    def feed_failed(self, url: str, error: str) -> int:
        """Count a failed poll of ``url``; returns how many failed in a row."""
        with self._write() as con:
            con.execute(
                "INSERT INTO watch_feeds (url, polled, failures, error) VALUES (?, ?, 1, ?)"
                " ON CONFLICT(url) DO UPDATE SET polled = excluded.polled,"
                " failures = watch_feeds.failures + 1, error = excluded.error",
                (url, time.time(), error),
            )
            return con.execute("SELECT failures FROM watch_feeds WHERE url = ?", (url,)).fetchone()[
                0
            ]

    def items_to_fetch(self, max_attempts: int) -> list[dict[str, Any]]:
        """Items not stored yet (new, or failed fewer than ``max_attempts`` times), oldest first."""
        rows = self._con.execute(
            "SELECT url, feed, title, published, attempts FROM watch_items"
            " WHERE status = 'pending' OR (status = 'failed' AND attempts < ?)"
            " ORDER BY seen, rowid",
            (max_attempts,),
        ).fetchall()
        keys = ("url", "feed", "title", "published", "attempts")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def document_from_source(self, source: str) -> tuple[str, str] | None:
        """(id, content hash) of a stored article read from ``source``, if there is one."""
        return self._con.execute(
            "SELECT id, content_hash FROM documents WHERE source = ? ORDER BY rowid LIMIT 1",
            (source,),
        ).fetchone()

    def item_done(
        self, url: str, status: str, *, content_hash: str | None, document_id: str | None
    ) -> None:
        """An item's article is stored (``stored``) or was already there (``duplicate``)."""
        with self._write() as con:
            con.execute(
                "UPDATE watch_items SET status = ?, content_hash = ?, document_id = ?,"
                " fetched = ?, attempts = attempts + 1, error = NULL WHERE url = ?",
                (status, content_hash, document_id, time.time(), url),
            )

    def item_failed(self, url: str, error: str, *, final: bool = False) -> int:
        """Count a failed fetch of an item (``final``: never to be tried again, status
        ``skipped``); returns its attempts so far."""
        with self._write() as con:
            con.execute(
                "UPDATE watch_items SET status = ?, attempts = attempts + 1, error = ?,"
                " fetched = ? WHERE url = ?",
                ("skipped" if final else "failed", error, time.time(), url),
            )
            return con.execute("SELECT attempts FROM watch_items WHERE url = ?", (url,)).fetchone()[
                0
            ]

    def watch_items(self) -> list[dict[str, Any]]:
        """Every item the watch has seen, oldest first (status, attempts, error...)."""
        keys: tuple[str, ...] = (
            "url",
            "feed",
            "title",
            "published",
            "status",
            "content_hash",
            "document_id",
        )
        keys = (*keys, "attempts", "error")
        rows = self._con.execute(
            f"SELECT {', '.join(keys)} FROM watch_items ORDER BY seen, rowid"
        ).fetchall()
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def last_event_mark(self) -> int:
        """The newest event's row number: alert rules remember how far they have looked."""
        return self._con.execute("SELECT COALESCE(MAX(rowid), 0) FROM events").fetchone()[0]

    def rule_mark(self, name: str) -> int:
        """How far rule ``name`` has looked; a rule seen for the first time starts now, so a
        new rule alerts on what happens next, not on the whole history of the corpus."""
        row = self._con.execute(
            "SELECT checked FROM alert_rules WHERE name = ?", (name,)
        ).fetchone()
        if row is not None:
            return row[0]
        mark = self.last_event_mark()
        with self._write() as con:
            con.execute(
                "INSERT INTO alert_rules (name, checked) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (name, mark),
            )
            return con.execute(
                "SELECT checked FROM alert_rules WHERE name = ?", (name,)
            ).fetchone()[0]

    def events_after(self, mark: int) -> list[tuple[int, Event]]:
        """Events stored after row ``mark``, each with its row number and sources."""
        rows = self._con.execute(
            "SELECT e.rowid, " + _EVENT_SQL[len("SELECT ") :] + " WHERE e.rowid > ?"
            " ORDER BY e.rowid",
            (mark,),
        ).fetchall()
        if not rows:
            return []
        sources: dict[str, list[str]] = {}
        for event_id, document_id in self._con.execute(
            "SELECT event_id, document_id FROM event_sources WHERE event_id IN"
            " (SELECT id FROM events WHERE rowid > ?) ORDER BY rowid",
            (mark,),
        ):
            sources.setdefault(event_id, []).append(document_id)
        return [(r[0], _event_from_row(r[1:], tuple(sources.get(r[1], ())))) for r in rows]

    def document_sources(self, ids: Iterable[str]) -> dict[str, tuple[str, str]]:
        """(title, source) of each document id given."""
        ids = list(ids)
        marks = ",".join("?" * len(ids))
        return {
            r[0]: (r[1], r[2])
            for r in self._con.execute(
                f"SELECT id, title, source FROM documents WHERE id IN ({marks})", ids
            )
        }

    def add_alerts(self, rule: str, alerts: Iterable[dict[str, Any]], mark: int) -> int:
        """Store a rule's new alerts and move its mark to ``mark``, all at once; an alert for
        an event the rule already raised is ignored. Returns how many were new."""
        added = 0
        with self._write() as con:
            for a in alerts:
                cur = con.execute(
                    "INSERT INTO alerts (rule, event_id, zone_id, distance_km, summary,"
                    " payload, created, webhook) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    (
                        rule,
                        a["event_id"],
                        a.get("zone_id"),
                        a.get("distance_km"),
                        a["summary"],
                        json.dumps(a["payload"], ensure_ascii=False, default=str),
                        time.time(),
                        a.get("webhook"),
                    ),
                )
                added += cur.rowcount
            con.execute(
                "INSERT INTO alert_rules (name, checked) VALUES (?, ?) ON CONFLICT(name) DO"
                " UPDATE SET checked = CASE WHEN excluded.checked > alert_rules.checked"
                " THEN excluded.checked ELSE alert_rules.checked END",
                (rule, mark),
            )
        return added

    def alerts_to_notify(self) -> list[tuple[int, dict[str, Any]]]:
        """Alerts not yet written out, oldest first: (alert id, payload)."""
        return [
            (r[0], json.loads(r[1]))
            for r in self._con.execute(
                "SELECT id, payload FROM alerts WHERE notified IS NULL ORDER BY id"
            )
        ]

    def alert_notified(self, alert_id: int) -> None:
        with self._write() as con:
            con.execute("UPDATE alerts SET notified = ? WHERE id = ?", (time.time(), alert_id))

    def alerts_to_post(self) -> list[tuple[int, str, dict[str, Any]]]:
        """Alerts whose webhook has not accepted them yet: (alert id, webhook, payload)."""
        return [
            (r[0], r[1], json.loads(r[2]))
            for r in self._con.execute(
                "SELECT id, webhook, payload FROM alerts WHERE webhook IS NOT NULL"
                " AND webhook_sent IS NULL ORDER BY id"
            )
        ]

    def alert_posted(self, alert_id: int, error: str | None = None) -> None:
        """Record a webhook attempt: accepted (``error`` None) or failed, to try next poll."""
        with self._write() as con:
            if error is None:
                con.execute(
                    "UPDATE alerts SET webhook_sent = ?, attempts = attempts + 1, error = NULL"
                    " WHERE id = ?",
                    (time.time(), alert_id),
                )
            else:
                con.execute(
                    "UPDATE alerts SET attempts = attempts + 1, error = ? WHERE id = ?",
                    (error, alert_id),
                )

    def alerts(self) -> list[dict[str, Any]]:
        """Every alert, newest first, with its event, place, sentence and delivery state."""
        out = []
        for row in self._con.execute(
            "SELECT a.id, a.rule, a.event_id, a.zone_id, a.distance_km, a.summary, a.payload,"
            " a.created, a.notified, a.webhook, a.webhook_sent, a.attempts, a.error"
            " FROM alerts a ORDER BY a.id DESC"
        ):
            payload = json.loads(row[6])
            event = payload.get("event", {})
            delivered = row[8] is not None and (row[9] is None or row[10] is not None)
            out.append(
                {
                    "id": row[0],
                    "rule": row[1],
                    "event_id": row[2],
                    "kind": event.get("kind"),
                    "event_type": event.get("event_type"),
                    "place": event.get("place"),
                    "country": event.get("country"),
                    "lat": event.get("lat"),
                    "lon": event.get("lon"),
                    "date": event.get("date"),
                    "zone": row[3],
                    "distance_km": row[4],
                    "confidence": event.get("confidence"),
                    "sentence": event.get("sentence"),
                    "summary": row[5],
                    "created": datetime.fromtimestamp(row[7], timezone.utc).isoformat(
                        timespec="seconds"
                    ),
                    "delivered": delivered,
                    "webhook": row[9],
                    "webhook_attempts": row[11],
                    "error": row[12],
                }
            )
        return out


_PLACE_SQL = "SELECT id, name, lat, lon, kind, country_code, admin1, population, source FROM places"
#: The widest date uncertainty a stored event can have (a month-precise date).
_MOST_UNCERTAIN_DAYS = max(DATE_UNCERTAINTY_DAYS.values())
_EVENT_SQL = (
    "SELECT e.id, e.kind, e.date, e.date_precision, e.date_text, e.place_id, e.actors,"
    " e.sentence, e.confidence, e.trigger, p.id, p.name, p.lat, p.lon, p.kind,"
    " p.country_code, p.admin1, p.population, p.source, e.details"
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
        **_details(row[19], row[1]),
    )


def _details(text: str | None, kind: str) -> dict[str, Any]:
    """The ACLED fields of a stored event; a row from before they were kept reads as its
    kind's default ACLED reading."""
    details = {k: v for k, v in json.loads(text or "{}").items() if k in _DETAIL_FIELDS}
    if not details.get("event_type") and kind in TAXONOMY:
        details["event_type"], details["sub_event_type"] = TAXONOMY[kind]
    return details


_DETAIL_FIELDS = frozenset(
    ["event_type", "sub_event_type", "actor1", "actor2", "fatalities", "geo_precision", "modality"]
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
