"""Ingest rate for generated articles into a corpus store (target: 100 articles/s on 2 cores).

    python benchmarks/bench_ingest.py [--articles 10000] [--workers 2]

Generates distinct news-style dispatches (about 600 characters, eight place names each, from
a pool of real flashpoint places and dates), ingests them with all cores, and prints the rate,
the store's size and its counts; then ingests them again to time the duplicate check.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

from geo.gazetteer import open_gazetteer
from geo.ingest import ingest
from geo.store import Store
from geo.text import document_from_text

PLACES = [
    "al Tanf",
    "Rukban",
    "Raqqa",
    "Sinjar",
    "Deir ez-Zor",
    "Abu Kamal",
    "Palmyra",
    "Mosul",
    "Kharkiv",
    "Vovchansk",
    "Kupiansk",
    "Goma",
    "El Fasher",
    "Nyala",
    "Menaka",
    "Gao",
    "Lashio",
    "Cúcuta",
    "Eagle Pass",
    "Mandera",
    "Panmunjom",
    "Galwan Valley",
    "Torkham",
]
ACTORS = ["Coalition jets", "Pro-government militias", "Rebel fighters", "Border guards"]
VERBS = ["struck", "shelled", "attacked", "captured", "reinforced positions near"]


def article(i: int, rnd: random.Random):
    a, b, c, d = rnd.sample(PLACES, 4)
    text = (
        f"Report {i}. {rnd.choice(ACTORS)} {rnd.choice(VERBS)} {a} on May {1 + i % 28}, "
        f"officials said. Residents fled toward {b}, where aid groups reported shortages. "
        f"Analysts in the region said the fighting near {c} could spread to {d}. "
        f"The clashes followed a week of rising tension around {a} and {b}, and a ceasefire "
        f"agreed in {c} last month appeared to be fraying. Further talks were expected."
    )
    return document_from_text(text, published="2024-06-30", doc_id=f"bench-{i}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    open_gazetteer()
    rnd = random.Random(42)
    docs = [article(i, rnd) for i in range(args.articles)]
    chars = sum(len(d.text) for d in docs)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        with Store(db) as store:
            t0 = time.perf_counter()
            result = ingest(docs, store, workers=args.workers)
            elapsed = time.perf_counter() - t0
            t1 = time.perf_counter()
            again = ingest(docs, store, workers=args.workers)
            dup_s = time.perf_counter() - t1
            counts = store.counts()
        size = sum(p.stat().st_size for p in Path(tmp).glob("bench.db*"))
    print(
        f"{result['added']} articles ({chars / 1e6:.1f} MB) with {args.workers} worker(s):"
        f" {elapsed:.1f} s, {result['added'] / elapsed:.0f} articles/s (target >= 100)"
    )
    print(
        f"store: {size / 1e6:.1f} MB for {counts['documents']} articles, {counts['mentions']}"
        f" mentions, {counts['places']} places, {counts['events']} events"
        f" ({size / max(1, counts['documents']) / 1e3:.1f} kB per article)"
    )
    print(f"second ingest (all duplicates): {again['duplicates']} skipped in {dup_s:.1f} s")


if __name__ == "__main__":
    main()
