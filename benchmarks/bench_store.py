"""The corpus store at scale: SQLite against PostgreSQL/PostGIS on the same synthetic reports.

    python benchmarks/bench_store.py [--reports 100000] [--pg postgresql://...]

Ingests ``--reports`` one-event reports (each an article with two mentions and one event,
stored one article per transaction as ``ingest`` does, so the same-event merge runs on each)
into a new SQLite file and a new PostGIS database, then asks both the questions an analyst
asks: events in a zone in a date range, events within N km of a zone, events near a point.
Prints rows/s for ingest and the median latency of each query (5 runs), and checks that both
stores give the same answers. Without ``--pg``, a throwaway server is started from Debian's
PostgreSQL + PostGIS packages (as the tests do) and stopped at the end.

Reports are scattered over the Middle East (5,000 places, 10 years, 6 kinds); a few hundred
are deliberately repeats of earlier ones, which the store must join, not duplicate.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.events import Event
from geo.model import Document, Mention, Place
from geo.query import EventQuery
from geo.store import Store, open_store
from geo.zones import load_zones

KINDS = ("airstrike", "shelling", "clash", "protest", "arrest", "attack")


def reports(n: int, seed: int = 11):
    rnd = random.Random(seed)
    places = [
        Place(
            f"bench:{i}",
            f"place {i}",
            round(rnd.uniform(29.0, 38.0), 5),
            round(rnd.uniform(35.0, 48.0), 5),
            "town",
            "SY",
            "",
            1000,
            "bench",
        )
        for i in range(5000)
    ]
    start = date(2015, 1, 1)
    for i in range(n):
        place, other = rnd.choice(places), rnd.choice(places)
        day = start + timedelta(days=rnd.randrange(3650))
        kind = rnd.choice(KINDS)
        text = f"Report {i}: {kind} near {place.name} on {day}; people fled to {other.name}."
        doc = Document(id=f"b{i}", title=f"Report {i}", text=text, source="bench", published=day)
        sentence = text
        mentions = [
            Mention(doc.id, 20, 20 + len(place.name), place.name, place, 0.9, "town", sentence),
            Mention(doc.id, 60, 60 + len(other.name), other.name, other, 0.9, "town", sentence),
        ]
        event = Event(
            f"event-{i:07d}", kind, day, "day", str(day), place, (), sentence, doc.id, 0.8, kind
        )
        yield doc, mentions, [event]


def ingest(store: Store, n: int) -> float:
    t0 = time.perf_counter()
    for doc, mentions, events in reports(n):
        store.add(doc, mentions, events)
    return time.perf_counter() - t0


def timed(store: Store, query: EventQuery) -> tuple[float, set[str]]:
    runs, ids = [], set()
    for _ in range(5):
        t0 = time.perf_counter()
        found = store.query_events(query)
        runs.append(time.perf_counter() - t0)
        ids = {e.id for e in found}
    return statistics.median(runs), ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--pg", default=None, help="an empty PostGIS database to use")
    parser.add_argument("--only", choices=["sqlite", "postgis"], default=None)
    args = parser.parse_args()
    cluster = None
    url = args.pg
    if url is None and args.only != "sqlite":
        from tests.pgcluster import Cluster, server_bin, why_missing

        if server_bin() is None:
            sys.exit(f"bench_store: {why_missing()}")
        cluster = Cluster().start()
        url = cluster.create_database("bench")
    zones = {z.id: z for z in load_zones()}
    queries = {
        "al Tanf 55 km zone, 2019": EventQuery(
            zone=zones["al-tanf-55km"], since=date(2019, 1, 1), until=date(2019, 12, 31)
        ),
        "within 30 km of the Euphrates line since 2020-03": EventQuery(
            zone=zones["euphrates-line"], within_km=30, since=date(2020, 3, 1)
        ),
        "within 50 km of Aleppo, airstrikes": EventQuery(
            near=(36.2, 37.15), within_km=50, kinds=("airstrike",)
        ),
    }
    answers: dict[str, dict[str, set[str]]] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            backends = [("SQLite", str(Path(tmp) / "bench.db")), ("PostGIS", url)]
            for name, target in backends:
                if args.only and name.lower() != args.only:
                    continue
                with open_store(target) as store:
                    seconds = ingest(store, args.reports)
                    counts = store.counts()
                    print(
                        f"{name:8s} ingest {args.reports:,} reports in {seconds:.1f} s:"
                        f" {args.reports / seconds:,.0f} reports/s"
                        f" ({counts['documents']:,} articles, {counts['mentions']:,} mentions,"
                        f" {counts['events']:,} events)"
                    )
                    answers[name] = {}
                    for label, query in queries.items():
                        latency, ids = timed(store, query)
                        answers[name][label] = ids
                        print(
                            f"{name:8s} query {label}: {len(ids):,} events, {latency * 1000:.0f} ms"
                        )
    finally:
        if cluster is not None:
            cluster.stop()
    if len(answers) == 2:
        same = all(answers["SQLite"][q] == answers["PostGIS"][q] for q in queries)
        print(f"same answers on both stores: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
