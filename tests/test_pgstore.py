"""The team store on a real PostgreSQL with PostGIS: the same commands give the same results
as SQLite, spatial questions are answered by the database with the in-memory answers, many
writers at once lose and duplicate nothing, and corrections are shared.

The server is started for the run by the ``pg_cluster`` fixture (tests/pgcluster.py) from
Debian's packages, which ``scripts/test`` installs.
"""

from __future__ import annotations

import csv
import json
import random
import re
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from geo.cli import main
from geo.corrections import Correction, CorrectionStore
from geo.errors import InputError, StoreError
from geo.events import Event
from geo.model import Document, Place
from geo.pgstore import PostgisStore, redact
from geo.pipeline import analyse_store
from geo.query import EventQuery
from geo.store import SCHEMA_VERSION, Store, open_store
from geo.text import load_documents
from geo.zones import load_zones, zone_distance_km
from tests.newssite import NewsSite, Story, rss
from tests.test_store import corpus

pytestmark = pytest.mark.postgis


def _cli(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result


def test_open_store_picks_the_backend_and_migrates(pg_url, tmp_path):
    with open_store(pg_url) as store:
        assert isinstance(store, PostgisStore)
        assert store.counts() == {"documents": 0, "mentions": 0, "places": 0, "events": 0}
        version = store._con.execute("SELECT version FROM flashpoints_schema").fetchone()[0]
        assert version == SCHEMA_VERSION
        assert store._con.execute("SELECT postgis_version()").fetchone()[0]
    with open_store(pg_url) as again:  # a second open finds the schema made
        assert again.empty()
    assert type(open_store(tmp_path / "s.db")) is Store


def test_same_commands_same_results_as_sqlite(pg_url, tmp_path, samples_dir):
    db = str(tmp_path / "s.db")
    for target in (db, pg_url):
        assert "3 added" in _cli("ingest", str(samples_dir), "--db", target, "--quiet").stdout
        again = _cli("ingest", str(samples_dir), "--db", target, "--quiet")
        assert "0 added, 3 already stored" in again.stdout
    for args in (
        ["events", "--format", "json"],
        ["events", "--format", "acled-csv"],
        ["events", "--zone", "al-tanf-55km", "--within-km", "30", "--format", "csv"],
        ["events", "--since", "2017-05-01", "--until", "2017-05-31", "--format", "csv"],
    ):
        lite = _cli(*args, "--db", db).stdout
        pg = _cli(*args, "--db", pg_url).stdout
        assert lite == pg, args
    for fmt in ("geojson", "csv", "kml"):
        lite_file, pg_file = tmp_path / f"lite.{fmt}", tmp_path / f"pg.{fmt}"
        _cli("export", "--format", fmt, "--db", db, "-o", str(lite_file))
        _cli("export", "--format", fmt, "--db", pg_url, "-o", str(pg_file))
        # the same, but for the manifest's store and time of making
        assert _unstamped(lite_file.read_text(), db) == _unstamped(pg_file.read_text(), pg_url)
    events = json.loads(_cli("events", "--format", "json", "--db", pg_url).stdout)["events"]
    assert any(e["kind"] == "airstrike" and e["date"] == "2017-05-18" for e in events)
    html = tmp_path / "pg.html"
    _cli("map", "--db", pg_url, "-o", str(html), "--no-tiles")
    assert "Dated events" in html.read_text()
    with open_store(pg_url) as store:
        assert store.integrity_ok()


def _unstamped(text: str, store: str) -> str:
    text = text.replace(store, "STORE")
    return re.sub(r"(created(?:&quot;|\")?: (?:&quot;|\"))[^&\"]+", r"\1", text)


def _synthetic_events(n: int, seed: int = 3) -> list[tuple[Document, Event]]:
    """``n`` one-event reports scattered around al Tanf and the Euphrates line, a week
    apart (so no two are the same event)."""
    rnd = random.Random(seed)
    out = []
    start = date(2016, 1, 1)
    for i in range(n):
        lat, lon = rnd.uniform(32.3, 36.8), rnd.uniform(37.4, 41.8)
        place = Place(
            f"test:{i}", f"point {i}", round(lat, 5), round(lon, 5), "town", "SY", "", 0, "t"
        )
        day = start + timedelta(days=7 * i)
        doc = Document(id=f"r{i}", title="", text=f"Report {i}.", source="synthetic", published=day)
        kind = ("airstrike", "shelling", "clash")[i % 3]
        event = Event(
            f"event-{i:05d}",
            kind,
            day,
            "day",
            str(day),
            place,
            (),
            f"Report {i}.",
            doc.id,
            0.8,
            "x",
        )
        out.append((doc, event))
    return out


def test_zone_and_distance_filters_in_the_database_match_shapely(pg_url):
    zones = {z.id: z for z in load_zones()}
    reports = _synthetic_events(600)
    with open_store(pg_url) as store:
        for doc, event in reports:
            store.add(doc, [], [event])
        everything = store.events()
        assert len(everything) == 600
        queries = [
            EventQuery(zone=zones["al-tanf-55km"]),
            EventQuery(zone=zones["al-tanf-55km"], within_km=25),
            EventQuery(zone=zones["euphrates-line"]),
            EventQuery(zone=zones["euphrates-line"], within_km=10, kinds=("shelling",)),
            EventQuery(near=(33.4960, 38.6280), within_km=80),
            EventQuery(near=(34.45, 40.92), within_km=30, since=date(2018, 1, 1)),
            EventQuery(since=date(2017, 3, 1), until=date(2019, 6, 30)),
        ]
        for query in queries:
            in_db = {e.id for e in store.query_events(query)}
            in_memory = {e.id for e in query.apply(everything)}
            # Points within 50 m of a threshold may fall either way (edges drawn on the
            # ellipsoid or in lon/lat); none of the rest may differ.
            close = {e.id for e in everything if _near_threshold(query, e)}
            assert in_db - close == in_memory - close, query
            assert in_memory, query  # each query selects something
        inside = {e.id for e in store.query_events(queries[0])}
        assert inside
        assert len(inside) < 600


def _near_threshold(query: EventQuery, event: Event) -> bool:
    from geo.geodesy import GEOD

    lat, lon = event.place.lat, event.place.lon
    margins = []
    if query.zone is not None:
        _, d = zone_distance_km(lat, lon, query.zone)
        margins += [abs(d), abs(d - query.within_km)]
    if query.near is not None:
        km = GEOD.inv(lon, lat, query.near[1], query.near[0])[2] / 1000
        margins.append(abs(km - query.within_km))
    return any(m < 0.05 for m in margins)


def _ingest(db: str, source: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "geo", "ingest", str(source), "--db", db, "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_two_ingests_and_a_watch_at_once_lose_and_duplicate_nothing(pg_url, tmp_path):
    a = corpus(tmp_path / "a.jsonl", 40, seed=1)
    b = corpus(tmp_path / "b.jsonl", 40, seed=1)  # the same articles, another file
    c = tmp_path / "c.jsonl"
    c.write_text(
        "".join(
            json.dumps({"id": f"c{i}", "text": f"Report {i}: shelling hit Mosul on May 3."}) + "\n"
            for i in range(40)
        )
    )
    stories = [
        Story(
            f"/news/{i}.html", f"Story {i}", f"Dispatch {i}: jets struck Palmyra on June {i + 1}."
        )
        for i in range(8)
    ]
    with NewsSite() as site:
        site.publish(*stories)
        site.route("/rss.xml", rss(site, stories), etag='"1"')
        procs = [_ingest(pg_url, a), _ingest(pg_url, b), _ingest(pg_url, c)]
        watch = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "geo",
                "watch",
                site.url("/rss.xml"),
                "--db",
                pg_url,
                "--once",
                "--delay",
                "0.1s",
                "--alerts-out",
                str(tmp_path / "alerts.jsonl"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        codes = [p.wait(timeout=300) for p in [*procs, watch]]
        assert codes == [0, 0, 0, 0], [p.stderr.read() for p in [*procs, watch]]
    with open_store(pg_url) as store:
        texts = [d.text for d in store.documents()]
        assert store.integrity_ok()
        items = store.watch_items()
    expected = {d.text for d in load_documents([a, c])}
    assert len(texts) == len(set(texts)) == 40 + 40 + 8  # nothing twice, nothing lost
    assert expected <= set(texts)
    assert {i["status"] for i in items} == {"stored"}


def test_a_killed_writer_leaves_every_committed_article_whole(pg_url, tmp_path):
    source = corpus(tmp_path / "c.jsonl", 300)
    rnd = random.Random(5)
    for _ in range(3):
        proc = _ingest(pg_url, source)
        time.sleep(rnd.uniform(3.0, 6.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with open_store(pg_url) as store:
            assert store.integrity_ok()  # every article has all its mentions
            orphans = store._con.execute(
                "SELECT COUNT(*) FROM event_sources s LEFT JOIN events e ON e.id = s.event_id"
                " WHERE e.id IS NULL"
            ).fetchone()[0]
            assert orphans == 0
    done = subprocess.run(
        [sys.executable, "-m", "geo", "ingest", str(source), "--db", pg_url, "--quiet"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "already stored" in done.stdout
    with open_store(pg_url) as store:
        assert store.counts()["documents"] == 300


def test_corrections_live_in_the_shared_store(pg_url, tmp_path, samples_dir):
    _cli("ingest", str(samples_dir / "al-tanf-briefing.md"), "--db", pg_url, "--quiet")
    with open_store(pg_url) as store:
        before = analyse_store(store)
        mention = next(m for m in before.mentions if m.surface == "Sinjar")
        # One analyst says this "Sinjar" is not a place...
        store.corrections().save(Correction(mention.document_id, "Sinjar", "reject"))
    # ...and every other analyst's map, export and event list follows, from the database.
    with open_store(pg_url) as other:
        after = analyse_store(other, corrections=other.corrections())
        assert not any(m.surface == "Sinjar" for m in after.mentions)
    out = tmp_path / "team.geojson"
    _cli("export", "--db", pg_url, "--format", "geojson", "-o", str(out))
    names = {f["properties"].get("name") for f in json.loads(out.read_text())["features"]}
    assert "Sinjār" not in names
    events = json.loads(_cli("events", "--db", pg_url).stdout)["events"]
    assert not any(e["place"] == "Sinjār" for e in events)
    # The analyst's own corrections file is not where it went.
    assert not CorrectionStore().all()


def test_unreachable_and_newer_stores_are_one_line_errors(pg_url):
    result = CliRunner().invoke(
        main, ["events", "--db", "postgresql://nobody:secret@127.0.0.1:1/none"]
    )
    assert result.exit_code != 0
    assert result.stderr.startswith("flashpoints: error: ")
    assert result.stderr.count("\n") == 1
    assert "secret" not in result.stderr  # the password is never printed
    assert redact("postgresql://u:pw@h:5/d") == "postgresql://u:***@h:5/d"
    with open_store(pg_url) as store:
        store._con.execute("UPDATE flashpoints_schema SET version = 99")
    with pytest.raises(InputError, match="newer Flashpoints"):
        open_store(pg_url)


def test_a_busy_store_is_a_store_error_and_keeps_what_was_stored(pg_url, samples_dir):
    from geo.text import load_path

    doc = load_path(samples_dir / "al-tanf-briefing.md")[0]
    with open_store(pg_url) as store:
        store.add(doc, [], [])
    holder = open_store(pg_url)
    holder._begin()  # another writer holds the write lock
    try:
        with PostgisStore(pg_url, timeout_s=1) as store:
            other = load_path(samples_dir / "al-tanf-briefing.md")[0]
            with pytest.raises(StoreError, match="busy"):
                store.add(other.__class__(**{**other.__dict__, "text": other.text + " More."}), [])
    finally:
        holder._rollback()
        holder.close()
    with open_store(pg_url) as store:
        assert store.counts()["documents"] == 1


def test_the_dashboard_reads_a_team_store_and_keeps_corrections_in_it(
    pg_url, samples_dir, tmp_path
):
    from streamlit.testing.v1 import AppTest

    from tests.test_app import APP

    _cli("ingest", str(samples_dir), "--db", pg_url, "--quiet")
    in_file = len(CorrectionStore().all())
    app = AppTest.from_file(APP, default_timeout=120).run()
    app.text_input(key="corpus").set_value(pg_url).run()
    assert not app.exception
    assert "3 articles" in app.title[0].value
    assert " on 127" in app.title[0].value
    table = app.dataframe[0].value
    row = int(table.index[table["place"] == "Rukban camp"][0])
    app.session_state["places-table"] = {"selection": {"rows": [row], "columns": []}}
    app.run()
    next(b for b in app.button if b.label == "Not a place").click().run()
    assert not app.exception
    assert "Rukban camp" not in set(app.dataframe[0].value["place"])
    with open_store(pg_url) as store:
        assert [c.action for c in store.corrections().all()] == ["reject"]
    assert len(CorrectionStore().all()) == in_file  # not the analyst's own file
    # Another analyst's command line follows the team's correction.
    events = json.loads(_cli("events", "--db", pg_url).stdout)["events"]
    _cli("export", "--db", pg_url, "--format", "csv", "-o", str(tmp_path / "team.csv"))
    with (tmp_path / "team.csv").open() as table:
        names = {row["name"] for row in csv.DictReader(table)}
    assert "Rukban camp" not in names
    assert "al Tanf garrison" in names
    assert events
