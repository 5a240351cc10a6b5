"""measure_bulk's machinery: spatial order, segment distances, nearest-zone search.

Each faster part is held to a plain reference: shapely's own distances, numpy's stable sort,
every zone measured for every point, and the same points given in another order.
"""

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon

from geo.geodesy import buffer_km, geodesic_circle
from geo.model import Zone
from geo.zones import (
    NEAREST_MAX_KM,
    _edge_km,
    _edge_m,
    _edge_table,
    _radix_order,
    _zone_table,
    measure_bulk,
)


@pytest.mark.parametrize("bits", [0, 5, 16, 20, 33, 40])
def test_radix_order_is_a_stable_sort(bits):
    rng = np.random.default_rng(bits)
    key = rng.integers(0, 2**bits, 5000) if bits else np.zeros(5000, dtype=np.int64)
    assert np.array_equal(_radix_order(key, bits), np.argsort(key, kind="stable"))
    assert len(_radix_order(np.zeros(0, dtype=np.int64), bits)) == 0


def _lines():
    """Edges in metres: a long ring (many segments a chunk), a ring with a hole, a line with
    a repeated vertex (a zero-length segment), a short closed ring and an empty edge."""
    angle = np.linspace(0, 2 * np.pi, 701)
    long_ring = LineString(np.column_stack([40e3 * np.cos(angle), 25e3 * np.sin(angle)]))
    holed = Polygon(
        [(-3e4, -2e4), (3e4, -2e4), (3e4, 2e4), (-3e4, 2e4)],
        [[(-1e4, -5e3), (1e4, -5e3), (0.0, 1e4)]],
    ).boundary
    repeated = LineString([(0.0, 0.0), (5e3, 0.0), (5e3, 0.0), (5e3, 7e3), (0.0, 0.0)])
    small = LineString([(100.0, 100.0), (130.0, 100.0), (100.0, 140.0), (100.0, 100.0)])
    return [long_ring, holed, repeated, small, LineString()]


def test_segment_distances_are_shapely_distances_to_the_bit():
    lines = _lines()
    edges = _edge_table(np.array(lines, dtype=object), np.arange(len(lines)), len(lines))
    rng = np.random.default_rng(5)
    n = 4000
    zone = rng.integers(0, len(lines), n)
    x = rng.uniform(-6e4, 6e4, n)
    y = rng.uniform(-4e4, 4e4, n)
    # Points on the vertices and halfway along the segments too: distance 0, or its rounding.
    for k, line in enumerate(lines[:-1]):
        xy = shapely.get_coordinates(line)
        on = np.concatenate([xy, (xy[:-1] + xy[1:]) / 2])
        zone = np.r_[zone, np.full(len(on), k)]
        x, y = np.r_[x, on[:, 0]], np.r_[y, on[:, 1]]
    expected = shapely.distance(shapely.points(x, y), np.array(lines, dtype=object)[zone])
    got = _edge_m(edges, zone, x, y)
    assert np.array_equal(got, expected, equal_nan=True)
    assert np.isnan(got[zone == len(lines) - 1]).all()


def _zones():
    """Circles, corridors, a polygon with a hole and a multipolygon, crowded together."""
    zones = [
        Zone(
            f"c{i}",
            "circle",
            "custom",
            geodesic_circle(lat, lon, r, 90),
            {"center": [lon, lat], "radius_km": r},
        )
        for i, (lat, lon, r) in enumerate(
            [
                (34.0, 37.0, 30.0),
                (34.2, 37.9, 20.0),
                (35.1, 36.6, 8.0),
                (34.6, 39.5, 0.3),
            ]
        )
    ]
    # Two bands 2.2 km apart, their vertices out of step: between them the nearest vertex
    # is often on the farther edge.
    zones += [
        Zone("a", "a", "custom", Polygon([(39, 35), (40, 35), (40, 35.1), (39, 35.1)]), {}),
        Zone(
            "b",
            "b",
            "custom",
            Polygon([(39.013, 35.12), (40, 35.12), (40, 35.2), (39.013, 35.2)]),
            {},
        ),
    ]
    zones += [
        Zone(
            "k1", "road", "corridor", buffer_km(LineString([(36.0, 34.6), (38.5, 34.7)]), 3.0), {}
        ),
        Zone(
            "k2", "road", "corridor", buffer_km(LineString([(36.2, 35.3), (38.0, 34.8)]), 1.0), {}
        ),
        Zone(
            "holed",
            "holed",
            "custom",
            Polygon(
                [(38.2, 33.2), (39.2, 33.3), (39.0, 34.1), (38.3, 34.0)],
                [[(38.5, 33.5), (38.9, 33.5), (38.7, 33.8)]],
            ),
            {},
        ),
        Zone(
            "islands",
            "islands",
            "custom",
            MultiPolygon(
                [
                    Polygon([(36.0, 33.0), (36.4, 33.0), (36.4, 33.3), (36.0, 33.3)]),
                    Polygon([(36.6, 33.1), (36.9, 33.05), (36.8, 33.4)]),
                ]
            ),
            {},
        ),
    ]
    return zones


def _points(zones, rng):
    """Random points over the zones and beyond; points a few metres to a few km from the
    long straight sides of the corridors, where many edge vertices are about equally near;
    points by the 300 m circle, where all 90 of its vertices are; and points along the
    middle of the gap between two bands."""
    lats = [*rng.uniform(32.0, 36.5, 3000), *(34.6 + rng.uniform(-0.01, 0.01, 40))]
    lons = [*rng.uniform(35.0, 40.5, 3000), *(39.5 + rng.uniform(-0.01, 0.01, 40))]
    lats += [*(35.11 + rng.uniform(-0.0005, 0.0005, 300))]
    lons += [*rng.uniform(39.1, 39.9, 300)]
    for zone in zones[6:8]:
        coords = shapely.get_coordinates(zone.geometry.exterior)
        for k in rng.choice(len(coords) - 1, 40):
            (x0, y0), (x1, y1) = coords[k], coords[k + 1]
            t = rng.uniform(0, 1)
            nx, ny = y1 - y0, -(x1 - x0)
            norm = np.hypot(nx, ny) or 1.0
            off = rng.choice([-0.03, -0.003, -0.0001, 0.0001, 0.003, 0.03])
            lons.append(x0 + t * (x1 - x0) + off * nx / norm)
            lats.append(y0 + t * (y1 - y0) + off * ny / norm)
    return np.array(lats), np.array(lons)


@pytest.fixture(scope="module")
def scene():
    zones = _zones()
    lats, lons = _points(zones, np.random.default_rng(17))
    return zones, lats, lons, measure_bulk(lats, lons, zones)


def test_bulk_membership_is_every_zone_tested_for_every_point(scene):
    zones, lats, lons, bulk = scene
    expected = [
        (i, z)
        for i in range(len(lats))
        for z, zone in enumerate(zones)
        if shapely.contains_xy(zone.geometry, lons[i], lats[i])
    ]
    assert [tuple(p) for p in bulk.pairs.T.tolist()] == expected  # by point, then zone


def test_bulk_nearest_is_the_nearest_of_every_zone_measured(scene):
    """The k-d tree's contenders against brute force: every point to every zone's edge."""
    zones, lats, lons, bulk = scene
    table = _zone_table(zones)
    n, m = len(lats), len(zones)
    every = _edge_km(table, np.tile(np.arange(m), n), np.repeat(lons, m), np.repeat(lats, m))
    every = every.reshape(n, m)
    inside = np.zeros((n, m), dtype=bool)
    inside[bulk.pairs[0], bulk.pairs[1]] = True
    for i in range(n):
        if inside[i].any():
            z = int(np.argmax(inside[i]))
            assert (bulk.nearest[i], bulk.nearest_km[i]) == (z, -every[i, z])
        elif every[i].min() > NEAREST_MAX_KM:
            assert bulk.nearest[i] == -1
            assert np.isnan(bulk.nearest_km[i])
        else:
            assert bulk.nearest[i] == int(np.argmin(every[i]))
            assert bulk.nearest_km[i] == every[i].min()
    assert np.array_equal(bulk.pair_km, -every[bulk.pairs[0], bulk.pairs[1]])


def test_bulk_answers_do_not_depend_on_the_order_of_the_points(scene):
    zones, lats, lons, bulk = scene
    perm = np.random.default_rng(2).permutation(len(lats))
    again = measure_bulk(lats[perm], lons[perm], zones)
    back = np.argsort(perm)
    assert np.array_equal(again.nearest[back], bulk.nearest)
    assert np.array_equal(again.nearest_km[back], bulk.nearest_km, equal_nan=True)
    pairs = {
        (int(perm[p]), int(z)): km for (p, z), km in zip(again.pairs.T, again.pair_km, strict=True)
    }
    assert pairs == {
        (int(p), int(z)): km for (p, z), km in zip(bulk.pairs.T, bulk.pair_km, strict=True)
    }


def test_bulk_with_no_points_and_no_zones():
    zones = _zones()
    empty = measure_bulk(np.zeros(0), np.zeros(0), zones)
    assert empty.pairs.shape == (2, 0)
    assert len(empty.nearest) == 0
    alone = measure_bulk(np.array([34.0]), np.array([37.0]), [])
    assert alone.nearest.tolist() == [-1]
    assert np.isnan(alone.nearest_km).all()
