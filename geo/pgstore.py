"""The corpus store on PostgreSQL with PostGIS: one shared corpus for a team.

Why a second backend: SQLite is one analyst's file. A team monitoring several borders runs
several ``ingest`` and ``watch`` processes on different machines, dashboards that read while
they write, corrections one analyst makes that every map must follow, and spatial questions
over millions of events ("within 30 km of this zone since March"). PostgreSQL is made for many
writers and PostGIS answers those questions with spatial indexes.

The store is :class:`geo.store.Store` with another connection: its SQL is written to run on
both, so the two cannot drift. What differs lives here:

- the schema (the same numbered migrations, in PostgreSQL's types, recorded in
  ``flashpoints_schema``), with ``rowid`` a real column so the store's ordering and alert marks
  read the same;
- every write transaction takes one advisory lock first, as SQLite's ``BEGIN IMMEDIATE`` takes
  the file's write lock: two ingests and a watch writing at once never both decide that an
  article or event is new (content-hash keys and ``ON CONFLICT`` back this up), and a killed
  writer's open transaction is rolled back by the server, so every committed article is whole;
- places carry a geography point and zones a polygon, both with GiST indexes, so zone
  membership and "within N km" are answered in the database (:meth:`PostgisStore.query_events`)
  with the same answers as the in-memory path (:func:`geo.query.EventQuery.apply`);
- corrections live in the database (:class:`PostgisCorrections`), so they are shared.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .corrections import Correction, CorrectionStore
from .errors import InputError, StoreError
from .events import Event
from .model import Zone
from .query import EventQuery
from .store import _EVENT_SQL, SCHEMA_VERSION, Store, _event_from_row

__all__ = [
    "PG_MIGRATIONS",
    "PostgisCorrections",
    "PostgisStore",
    "database_name",
    "is_database_url",
    "redact",
]

#: An arbitrary constant: the advisory lock every Flashpoints writer takes on this database.
_WRITE_LOCK = 0x466C6173  # "Flas"

#: The same migrations as :data:`geo.store.MIGRATIONS`, one for one, in PostgreSQL's terms.
#: ``COLLATE "C"`` keeps text in byte order, as SQLite sorts it, whatever the server's locale.
PG_MIGRATIONS = [
    """
    CREATE TABLE documents (
        rowid BIGSERIAL UNIQUE,
        id TEXT COLLATE "C" PRIMARY KEY,
        content_hash TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        source TEXT NOT NULL,
        published TEXT,
        text TEXT NOT NULL,
        segments TEXT NOT NULL,
        mention_count INTEGER NOT NULL,
        ingested DOUBLE PRECISION NOT NULL
    );
    CREATE TABLE places (
        id TEXT COLLATE "C" PRIMARY KEY, name TEXT NOT NULL, lat DOUBLE PRECISION NOT NULL,
        lon DOUBLE PRECISION NOT NULL, kind TEXT NOT NULL, country_code TEXT NOT NULL,
        admin1 TEXT NOT NULL, population BIGINT NOT NULL, source TEXT NOT NULL
    );
    CREATE TABLE mentions (
        id BIGSERIAL PRIMARY KEY,
        document_id TEXT COLLATE "C" NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        place_id TEXT NOT NULL REFERENCES places(id),
        start INTEGER NOT NULL, "end" INTEGER NOT NULL, surface TEXT NOT NULL,
        confidence DOUBLE PRECISION NOT NULL, precision TEXT NOT NULL, sentence TEXT NOT NULL,
        candidates TEXT NOT NULL, relation TEXT
    );
    CREATE INDEX mentions_document ON mentions(document_id);
    CREATE INDEX mentions_place ON mentions(place_id);
    CREATE TABLE events (
        rowid BIGSERIAL UNIQUE,
        id TEXT COLLATE "C" PRIMARY KEY, kind TEXT NOT NULL, date TEXT COLLATE "C",
        date_precision TEXT, date_text TEXT NOT NULL,
        place_id TEXT NOT NULL REFERENCES places(id),
        actors TEXT NOT NULL, sentence TEXT NOT NULL, confidence DOUBLE PRECISION NOT NULL,
        trigger TEXT NOT NULL
    );
    CREATE INDEX events_kind_date ON events(kind, date);
    CREATE TABLE event_sources (
        rowid BIGSERIAL UNIQUE,
        event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        PRIMARY KEY (event_id, document_id)
    );
    CREATE TABLE runs (
        id BIGSERIAL PRIMARY KEY, started DOUBLE PRECISION NOT NULL,
        finished DOUBLE PRECISION, manifest TEXT NOT NULL
    );
    """,
    """
    CREATE TABLE watch_feeds (
        url TEXT PRIMARY KEY, title TEXT NOT NULL DEFAULT '', etag TEXT, last_modified TEXT,
        polled DOUBLE PRECISION, ok DOUBLE PRECISION, failures INTEGER NOT NULL DEFAULT 0,
        error TEXT
    );
    CREATE TABLE watch_items (
        rowid BIGSERIAL UNIQUE,
        url TEXT PRIMARY KEY, feed TEXT NOT NULL, title TEXT NOT NULL, published TEXT,
        status TEXT NOT NULL, content_hash TEXT, document_id TEXT,
        attempts INTEGER NOT NULL DEFAULT 0, error TEXT, seen DOUBLE PRECISION NOT NULL,
        fetched DOUBLE PRECISION
    );
    CREATE INDEX watch_items_status ON watch_items(status);
    CREATE INDEX documents_source ON documents(source);
    CREATE TABLE alert_rules (name TEXT PRIMARY KEY, checked BIGINT NOT NULL);
    CREATE TABLE alerts (
        id BIGSERIAL PRIMARY KEY, rule TEXT NOT NULL,
        event_id TEXT NOT NULL REFERENCES events(id),
        zone_id TEXT, distance_km DOUBLE PRECISION, summary TEXT NOT NULL, payload TEXT NOT NULL,
        created DOUBLE PRECISION NOT NULL, notified DOUBLE PRECISION, webhook TEXT,
        webhook_sent DOUBLE PRECISION, attempts INTEGER NOT NULL DEFAULT 0, error TEXT,
        UNIQUE (rule, event_id)
    );
    """,
    """
    ALTER TABLE events ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
    """,
    # 4: the same indexes as SQLite's, plus what only PostGIS has: a geography point for each
    # place (kept by the database from lat/lon), zone polygons, both indexed, and the shared
    # corrections. Zones are planar (lon, lat) geometry, as GeoJSON and shapely read them, so
    # membership matches the in-memory path exactly; distances are geodesic on geography.
    """
    CREATE INDEX places_lat ON places(lat);
    CREATE INDEX events_place ON events(place_id);
    CREATE INDEX events_date ON events(date);
    ALTER TABLE places ADD COLUMN geog geography(Point, 4326)
        GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography) STORED;
    CREATE INDEX places_geog ON places USING GIST (geog);
    CREATE INDEX places_geom ON places USING GIST ((geog::geometry));
    CREATE TABLE zones (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,
        properties TEXT NOT NULL, geom geometry(Geometry, 4326) NOT NULL,
        saved DOUBLE PRECISION NOT NULL
    );
    CREATE INDEX zones_geom ON zones USING GIST (geom);
    CREATE TABLE corrections (
        document_id TEXT NOT NULL, surface TEXT NOT NULL, action TEXT NOT NULL, place_id TEXT,
        lat DOUBLE PRECISION, lon DOUBLE PRECISION, saved DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (document_id, surface)
    );
    """,
]
assert len(PG_MIGRATIONS) == SCHEMA_VERSION, "a migration was added to one backend only"

_URL = re.compile(r"^postgres(?:ql)?://", re.IGNORECASE)


def is_database_url(target: str | Any) -> bool:
    """Whether ``--db`` names a PostgreSQL database (``postgresql://...``), not a file."""
    return isinstance(target, str) and bool(_URL.match(target))


def database_name(url: str) -> str:
    """A short name for a store URL: ``dbname on host``."""
    parts = urlsplit(url)
    return f"{parts.path.lstrip('/') or 'postgres'} on {parts.hostname or 'localhost'}"


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    return urlunsplit(parts._replace(netloc=netloc[0].split(":", 1)[0] + ":***@" + netloc[1]))


class _Connection:
    """psycopg's connection, spoken to as the store speaks to sqlite3: ``?`` marks,
    ``execute`` returning a cursor, ``executemany`` and ``in_transaction``."""

    def __init__(self, con: Any, fault: Callable[[Exception], StoreError]):
        self.raw = con
        self._fault = fault
        import psycopg

        self._errors = psycopg.Error

    @staticmethod
    def _sql(statement: str) -> str:
        return statement.replace("?", "%s")

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any:
        """Any database error leaves as one :class:`StoreError` line, never a traceback."""
        try:
            if statement == "BEGIN IMMEDIATE":  # one round trip: begin and take the lock
                return self.raw.execute(f"BEGIN; SELECT pg_advisory_xact_lock({_WRITE_LOCK})")
            return self.raw.execute(self._sql(statement), params or None)
        except self._errors as err:
            raise self._fault(err) from err

    def executemany(self, statement: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            with self.raw.cursor() as cur:
                cur.executemany(self._sql(statement), list(rows))
        except self._errors as err:
            raise self._fault(err) from err

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return bool(self.raw.info.transaction_status != TransactionStatus.IDLE)

    def close(self) -> None:
        self.raw.close()


class PostgisStore(Store):
    """A corpus in PostgreSQL with PostGIS, opened by URL (``postgresql://user@host/db``);
    created (tables, extension) and migrated as needed."""

    shared = True

    def __init__(self, url: str, *, timeout_s: float = 60.0):
        try:
            import psycopg
        except ImportError as err:  # pragma: no cover - psycopg is a dependency
            raise InputError(f"{redact(url)}: psycopg is not installed ({err})") from err
        self._psycopg = psycopg
        self._FAULTS = (psycopg.OperationalError, psycopg.errors.LockNotAvailable)
        self.url = url
        self.label = redact(url)
        self.timeout_s = timeout_s
        self.problems: list[str] = []
        try:
            raw = psycopg.connect(
                url,
                autocommit=True,
                connect_timeout=max(1, int(timeout_s)),
                application_name="flashpoints",
            )
        except psycopg.Error as err:
            raise InputError(f"{self.label}: cannot connect ({_first_line(err)})") from err
        self._con = _Connection(raw, self._fault)
        try:
            # A writer waits for the write lock at most timeout_s, then says the store is busy.
            raw.execute(f"SET lock_timeout = '{int(timeout_s * 1000)}ms'")
            # Plans for this store's values, not generic ones: a generic plan for the
            # same-event lookup (kind, date window, box) scans far more rows than it needs, and
            # ingest slowed as the corpus grew (367 -> 138 reports/s over the first 12,000).
            raw.execute("SET plan_cache_mode = force_custom_plan")
            self._migrate()
        except psycopg.errors.InsufficientPrivilege as err:
            raw.close()
            raise InputError(f"{self.label}: not allowed ({_first_line(err)})") from err
        except psycopg.Error as err:
            raw.close()
            raise StoreError(f"{self.label}: cannot open the store ({_first_line(err)})") from err

    # -- schema --------------------------------------------------------------------------

    def _migrate(self) -> None:
        con = self._con.raw
        found = con.execute("SELECT to_regclass('flashpoints_schema') IS NOT NULL").fetchone()[0]
        if found:
            row = con.execute("SELECT version FROM flashpoints_schema").fetchone()
            if row is not None and row[0] == SCHEMA_VERSION:
                return  # the usual case: no lock taken, so readers never wait for writers
        with con.transaction():
            # One process migrates; the others wait here and then find the work done.
            con.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK,))
            con.execute("CREATE TABLE IF NOT EXISTS flashpoints_schema (version INTEGER NOT NULL)")
            row = con.execute("SELECT version FROM flashpoints_schema").fetchone()
            version = row[0] if row else 0
            if row is None:
                con.execute("INSERT INTO flashpoints_schema VALUES (0)")
            if version > SCHEMA_VERSION:
                raise InputError(
                    f"{self.label}: made by a newer Flashpoints (schema {version});"
                    " upgrade to read it"
                )
            if version < SCHEMA_VERSION:
                con.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            for number in range(version, SCHEMA_VERSION):
                con.execute(PG_MIGRATIONS[number])
                con.execute("UPDATE flashpoints_schema SET version = %s", (number + 1,))

    def _fault(self, err: Exception) -> StoreError:
        if isinstance(err, self._psycopg.errors.LockNotAvailable):
            return StoreError(
                f"{self.label}: the store is busy with another writer (waited"
                f" {self.timeout_s:g} s); try again when it has finished"
            )
        if isinstance(err, self._psycopg.OperationalError):
            return StoreError(f"{self.label}: the database went away ({_first_line(err)})")
        return StoreError(f"{self.label}: the database refused a change ({_first_line(err)})")

    def _rollback(self) -> None:
        if self._con.in_transaction:
            # If the connection is gone, the server has rolled the transaction back itself.
            with contextlib.suppress(self._psycopg.Error):
                self._con.raw.execute("ROLLBACK")

    def integrity_ok(self) -> bool:
        """Every stored article has all its mentions (what a killed writer could break, if
        transactions did not hold)."""
        row = self._con.execute(
            "SELECT COUNT(*) FROM documents d WHERE d.mention_count <>"
            " (SELECT COUNT(*) FROM mentions m WHERE m.document_id = d.id)"
        ).fetchone()
        return bool(row[0] == 0)

    def stamp(self) -> tuple[float, ...]:
        """Changes whenever anything is written (the dashboard re-reads on a change)."""
        row = self._con.execute(
            "SELECT (SELECT COALESCE(MAX(rowid), 0) FROM documents),"
            " (SELECT COALESCE(MAX(rowid), 0) FROM events), (SELECT COUNT(*) FROM events),"
            " (SELECT COALESCE(MAX(rowid), 0) FROM event_sources),"
            " (SELECT COUNT(*) FROM alerts), (SELECT COALESCE(MAX(saved), 0) FROM corrections)"
        ).fetchone()
        return tuple(float(v) for v in row)

    def corrections(self) -> PostgisCorrections:
        """The team's corrections, kept in this database."""
        return PostgisCorrections(self)

    # -- spatial ------------------------------------------------------------------------

    def put_zones(self, zones: Iterable[Zone]) -> int:
        """Store (or replace) zone polygons by id; returns how many were written."""
        import shapely

        rows = [
            (
                z.id,
                z.name,
                z.kind,
                json.dumps(z.properties, default=str),
                shapely.to_wkb(z.geometry, hex=True),
                time.time(),
            )
            for z in zones
        ]
        if not rows:
            return 0
        with self._write() as con:
            con.executemany(
                "INSERT INTO zones (id, name, kind, properties, geom, saved) VALUES"
                " (?, ?, ?, ?, ST_SetSRID(ST_GeomFromWKB(decode(?, 'hex')), 4326), ?)"
                " ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind,"
                " properties = excluded.properties, geom = excluded.geom, saved = excluded.saved",
                rows,
            )
        return len(rows)

    def query_events(self, query: EventQuery) -> list[Event]:
        """Events that ``query`` selects, found by the database: zone membership with the
        zone's own polygon (``ST_Contains``, an edge point is outside, as in shapely), "within
        N km" as a geodesic distance on the WGS84 ellipsoid (``ST_DWithin`` on geography)."""
        where: list[str] = []
        params: list[Any] = []
        if query.zone is not None:
            self.put_zones([query.zone])
            test = "ST_Contains(z.geom, p.geog::geometry)"
            params.append(query.zone.id)
            if query.within_km > 0:
                test = f"({test} OR ST_DWithin(z.geom::geography, p.geog, ?))"
                params.append(query.within_km * 1000.0)
            where.append(f"EXISTS (SELECT 1 FROM zones z WHERE z.id = ? AND {test})")
        if query.near is not None:
            lat, lon = query.near
            where.append("ST_DWithin(p.geog, ST_SetSRID(ST_MakePoint(?, ?), 4326)::geography, ?)")
            params += [lon, lat, query.within_km * 1000.0]
        if query.since is not None:
            where.append("e.date >= ?")
            params.append(query.since.isoformat())
        if query.until is not None:
            where.append("e.date <= ?")
            params.append(query.until.isoformat())
        if query.kinds:
            where.append("e.kind IN (" + ",".join("?" * len(query.kinds)) + ")")
            params += list(query.kinds)
        sql = _EVENT_SQL + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY e.date IS NOT NULL, e.date, e.id"
        try:
            rows = self._con.execute(sql, params).fetchall()
            ids = [r[0] for r in rows]
            sources: dict[str, list[str]] = {}
            if ids:
                for event_id, document_id in self._con.execute(
                    "SELECT event_id, document_id FROM event_sources"
                    " WHERE event_id = ANY(?) ORDER BY rowid",
                    (ids,),
                ):
                    sources.setdefault(event_id, []).append(document_id)
        except self._FAULTS as err:
            raise self._fault(err) from err
        out = []
        for row in rows:
            try:
                out.append(_event_from_row(row, tuple(sources.get(row[0], ()))))
            except (KeyError, ValueError, TypeError) as err:
                self._problem(f"event {row[0]!r}", err)
        return out


class PostgisCorrections(CorrectionStore):
    """Corrections kept in the team's PostGIS store: one analyst corrects, every map follows.
    The same interface as the corrections file (:class:`geo.corrections.CorrectionStore`)."""

    def __init__(self, store: PostgisStore):  # the store's connection, not a file
        self.store = store
        self.path = None  # type: ignore[assignment]
        self._pg = store._con

    def save(self, correction: Correction) -> None:
        with self.store._write() as con:
            con.execute(
                "INSERT INTO corrections VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (document_id, surface) DO UPDATE SET action = excluded.action,"
                " place_id = excluded.place_id, lat = excluded.lat, lon = excluded.lon,"
                " saved = excluded.saved",
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
        with self.store._write() as con:
            con.execute(
                "DELETE FROM corrections WHERE document_id = ? AND surface = ?",
                (document_id, surface),
            )

    def for_documents(self, document_ids: Iterable[str]) -> list[Correction]:
        ids = list(document_ids)
        if not ids:
            return []
        rows = self._pg.execute(
            "SELECT document_id, surface, action, place_id, lat, lon FROM corrections"
            " WHERE document_id = ANY(?) ORDER BY saved",
            (ids,),
        ).fetchall()
        return [Correction(*row) for row in rows]

    def all(self) -> list[Correction]:
        rows = self._pg.execute(
            "SELECT document_id, surface, action, place_id, lat, lon FROM corrections"
            " ORDER BY saved"
        ).fetchall()
        return [Correction(*row) for row in rows]

    def version(self) -> tuple[int, float]:
        count, latest = self._pg.execute(
            "SELECT COUNT(*), COALESCE(MAX(saved), 0) FROM corrections"
        ).fetchone()
        return int(count), float(latest)

    def close(self) -> None:
        """The store owns the connection."""


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
