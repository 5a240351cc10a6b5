"""Export time against the number of places: linear since Analysis is indexed once.

    python benchmarks/bench_export.py [--sizes 1000,2000,4000,10000]

Builds a synthetic analysis of N distinct places (each mentioned twice, measured against the
bundled zones) and times GeoJSON, CSV and KML export. Before the index, GeoJSON took 0.06 s
for 1,000 places, 0.26 s for 2,000 and 1.1 s for 4,000 (quadratic).
"""

from __future__ import annotations

import argparse
import random
import time

from geo.export import to_csv, to_geojson, to_kml
from geo.model import Mention, Place
from geo.pipeline import assemble
from geo.text import document_from_text
from geo.zones import load_zones


def synthetic(n: int):
    rng = random.Random(7)
    doc = document_from_text("Synthetic report. " * 4)
    mentions = []
    for i in range(n):
        place = Place(
            id=f"bench:{i}",
            name=f"Place {i}",
            lat=rng.uniform(29.0, 37.0),
            lon=rng.uniform(35.0, 45.0),
            kind="town",
            country_code="SY",
        )
        for k in range(2):
            mentions.append(
                Mention(doc.id, k, k + 1, "S", place, 0.9, "exact", "Synthetic report.")
            )
    return assemble([(doc, mentions)], load_zones(), generate=False, events=())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,2000,4000,10000")
    args = parser.parse_args()
    print(f"{'places':>7} {'geojson s':>10} {'csv s':>8} {'kml s':>8}")
    for n in (int(x) for x in args.sizes.split(",")):
        analysis = synthetic(n)
        row = []
        for export in (to_geojson, to_csv, to_kml):
            t0 = time.perf_counter()
            export(analysis)
            row.append(time.perf_counter() - t0)
        print(f"{n:>7} {row[0]:>10.3f} {row[1]:>8.3f} {row[2]:>8.3f}")


if __name__ == "__main__":
    main()
