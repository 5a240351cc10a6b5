"""Membership and geodesic edge distances for many points against many zones.

    python benchmarks/bench_zones.py [--points 1000000] [--zones 1000]

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--zones", type=int, default=1_000)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    t0 = time.perf_counter()
    zones = make_zones(args.zones, rng)
    print(f"built {len(zones)} zones in {time.perf_counter() - t0:.1f} s")
    west, south, east, north = BOX
    lats = rng.uniform(south, north, args.points)
    lons = rng.uniform(west, east, args.points)
    t0 = time.perf_counter()
    result = measure_bulk(lats, lons, zones)
    dt = time.perf_counter() - t0
    inside = len(np.unique(result.pairs[0]))
    print(
        f"{args.points:,} points x {len(zones):,} zones: {dt:.1f} s "
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
    centre = (33.5058, 38.6178)
    circle = geodesic_circle(*centre, 55.0)
    error = max(
        abs(geodesic(centre, (la, lo)).km - 55.0) / 55.0 for lo, la in circle.exterior.coords
    )
    print(f"geodesic circle radius error vs geopy: {error:.1e} (target < 1e-3)")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
