"""Membership and geodesic edge distances for many points against many zones.

    python benchmarks/bench_zones.py [--points 1000000] [--zones 1000] [--save F] [--compare F]

``--save`` keeps the answers (npz) and ``--compare`` checks this run's against saved ones: run
once with ``--save`` before a change and with ``--compare`` after it to see that it answers the
same. Times are wall clock and CPU (the CPU figure is the one to trust on a busy machine).

Zones: half geodesic circles (5-60 km), half corridors (20-150 km long, 2-20 km wide), over
the Middle East; points uniformly over the same box. Also prints the geodesic circle's error
against geopy's geodesic distance (target < 0.1%).
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
from geopy.distance import geodesic
from shapely.geometry import LineString

from geo.model import Zone
from geo.zones import buffer_km, geodesic_circle, measure_bulk, zone_distance_km

BOX = (30.0, 25.0, 50.0, 42.0)  # west, south, east, north


def make_zones(n: int, rng: np.random.Generator) -> list[Zone]:
    zones = []
    west, south, east, north = BOX
    for i in range(n):
        lat, lon = rng.uniform(south, north), rng.uniform(west, east)
        if i % 2 == 0:
            r = float(rng.uniform(5, 60))
            zones.append(
                Zone(
                    f"c{i}",
                    f"circle {i}",
                    "custom",
                    geodesic_circle(lat, lon, r, 90),
                    {"center": [lon, lat], "radius_km": r},
                )
            )
        else:
            length = rng.uniform(0.2, 1.4)
            angle = rng.uniform(0, np.pi)
            line = LineString(
                [(lon, lat), (lon + length * np.cos(angle), lat + length * np.sin(angle))]
            )
            zones.append(
                Zone(
                    f"k{i}",
                    f"corridor {i}",
                    "corridor",
                    buffer_km(line, float(rng.uniform(1, 10))),
                    {},
                )
            )
    return zones


FIELDS = ("pairs", "pair_km", "nearest", "nearest_km")


def compare(new, old, zones: list[Zone], lats: np.ndarray, lons: np.ndarray) -> None:
    """Print how this run's answers differ from saved ones."""
    old_pairs = {(int(p), int(z)): k for k, (p, z) in enumerate(old["pairs"].T)}
    new_pairs = {(int(p), int(z)): k for k, (p, z) in enumerate(new.pairs.T)}
    same = old_pairs.keys() & new_pairs.keys()
    print(
        f"compare: inside pairs old {len(old_pairs):,}, new {len(new_pairs):,}, "
        f"only old {len(old_pairs.keys() - same):,}, only new {len(new_pairs.keys() - same):,}"
    )
    ko = np.array([old_pairs[p] for p in same])
    kn = np.array([new_pairs[p] for p in same])
    print(
        f"compare: pair km max difference {np.abs(old['pair_km'][ko] - new.pair_km[kn]).max():.2e}"
    )
    agree = old["nearest"] == new.nearest
    both = agree & (new.nearest >= 0)
    diff_km = np.abs(old["nearest_km"][both] - new.nearest_km[both]).max()
    print(
        f"compare: nearest zone same for {agree.sum():,} of {len(agree):,} points "
        f"(km max difference {diff_km:.2e})"
    )
    changed = np.nonzero(~agree)[0]
    inside = changed[new.nearest_km[changed] < 0]
    outside = changed[~(new.nearest_km[changed] < 0)]
    print(f"compare: {len(inside):,} differ inside zones (now the lowest-index zone it is in)")
    if len(outside):
        # Outside, the new nearest must be at least as near geodesically as the old one.
        gain = old["nearest_km"][outside] - new.nearest_km[outside]
        print(
            f"compare: {len(outside):,} differ outside zones (old: nearest in degrees, new: "
            f"geodesically); new nearer by {np.nanmedian(gain):.3f} km median, "
            f"{np.nanmin(gain):.3f} km min; now -1: {int((new.nearest[outside] < 0).sum())}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--zones", type=int, default=1_000)
    parser.add_argument("--save", help="keep this run's answers in this .npz file")
    parser.add_argument("--compare", help="compare this run's answers with a saved .npz file")
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    t0 = time.perf_counter()
    zones = make_zones(args.zones, rng)
    print(f"built {len(zones)} zones in {time.perf_counter() - t0:.1f} s")
    west, south, east, north = BOX
    lats = rng.uniform(south, north, args.points)
    lons = rng.uniform(west, east, args.points)
    t0 = time.perf_counter()
    import scipy.spatial  # noqa: F401  (measure_bulk's k-d tree: once per process)

    print(f"import scipy.spatial: {time.perf_counter() - t0:.2f} s (once per process)")
    t0, c0 = time.perf_counter(), time.process_time()
    result = measure_bulk(lats, lons, zones)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    inside = len(np.unique(result.pairs[0]))
    print(
        f"{args.points:,} points x {len(zones):,} zones: {dt:.2f} s wall, {cpu:.2f} s CPU "
        f"({args.points / dt:,.0f} points/s); {result.pairs.shape[1]:,} inside pairs, "
        f"{inside:,} points in some zone; nearest-edge distance for every point"
    )
    sample = [i for i in rng.choice(args.points, 200, replace=False) if result.nearest[i] >= 0]
    worst = max(
        abs(zone_distance_km(lats[i], lons[i], zones[result.nearest[i]])[1] - result.nearest_km[i])
        for i in sample
    )
    print(
        f"bulk vs per-point geodesic edge distance, {len(sample)} samples: "
        f"max difference {worst:.3f} km"
    )
    if args.save:
        np.savez(args.save, **{k: getattr(result, k) for k in FIELDS})
    if args.compare:
        compare(result, np.load(args.compare), zones, lats, lons)
    centre = (33.5058, 38.6178)
    circle = geodesic_circle(*centre, 55.0)
    error = max(
        abs(geodesic(centre, (la, lo)).km - 55.0) / 55.0 for lo, la in circle.exterior.coords
    )
    print(f"geodesic circle radius error vs geopy: {error:.1e} (target < 1e-3)")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
