"""Print the pipeline's speed and geodesic accuracy figures on the bundled samples.

    python benchmarks/bench_pipeline.py

Figures, not pass/fail: targets live in the issues and are compared by people reading this.
"""

from __future__ import annotations

import resource
import statistics
import time

from geopy.distance import geodesic

from geo.gazetteer import open_gazetteer
from geo.geoparsing import geoparse
from geo.mapping import build_map
from geo.pipeline import analyse
from geo.samples import list_samples
from geo.text import document_from_text, load_path
from geo.zones import geodesic_circle


def main() -> None:
    t0 = time.perf_counter()
    gaz = open_gazetteer()
    print(f"gazetteer open (build if missing): {time.perf_counter() - t0:.3f} s  [{gaz.path}]")

    docs = [d for p in list_samples() for d in load_path(p)]
    corpus = "\n\n".join(d.text for d in docs)
    big = document_from_text("\n\n".join([corpus] * 40))
    geoparse(big, gaz)  # warm the SQLite page cache and the lookup cache
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        mentions = geoparse(big, gaz)
        runs.append(time.perf_counter() - t0)
    chars = len(big.text)
    print(
        f"geoparse warm, 5 runs: median {chars / statistics.median(runs) / 1e6:.2f} MB/s, "
        f"best {chars / min(runs) / 1e6:.2f} MB/s ({chars} chars, {len(mentions)} mentions)"
    )

    t0 = time.perf_counter()
    analysis = analyse(docs, gazetteer=gaz)
    html = build_map(analysis).get_root().render()
    print(
        f"analyse + map of {len(docs)} samples: {time.perf_counter() - t0:.3f} s, "
        f"{len(html) / 1e3:.0f} kB HTML"
    )

    centre = (33.5058, 38.6178)
    circle = geodesic_circle(*centre, 55.0)
    errors = [
        abs(geodesic(centre, (lat, lon)).km - 55.0) / 55.0 for lon, lat in circle.exterior.coords
    ]
    print(f"geodesic circle: max relative radius error {max(errors):.2e} (target < 1e-3)")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {rss:.0f} MB")


if __name__ == "__main__":
    main()
