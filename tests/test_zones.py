import json

import pytest
from geopy.distance import geodesic

from geo.errors import ZoneFileError
from geo.model import Place
from geo.zones import geodesic_circle, load_zones, measure, zone_distance_km

TANF = (33.5058, 38.6178)


@pytest.fixture(scope="module")
def tanf_zone():
    return next(z for z in load_zones() if z.id == "al-tanf-55km")


def test_bundled_zone_is_the_55km_circle_around_the_garrison(tanf_zone):
    assert tanf_zone.id == "al-tanf-55km"
    assert tanf_zone.kind == "deconfliction"
    assert tanf_zone.properties["source"]
    # every vertex lies 55 km from the garrison along the ellipsoid (not a degree circle)
    for lon, lat in list(tanf_zone.geometry.exterior.coords)[::30]:
        assert geodesic(TANF, (lat, lon)).km == pytest.approx(55.0, abs=0.001)


def test_circle_is_wider_in_degrees_east_west_than_north_south():
    west, south, east, north = geodesic_circle(*TANF, 55).bounds
    assert (east - west) > (north - south) * 1.15  # cos(33.5°) stretches longitude


@pytest.mark.parametrize(
    ("name", "lat", "lon", "inside"),
    [
        ("al Tanf", 33.5058, 38.6178, True),
        ("Rukban", 33.311, 38.668, True),
        ("al Tanf crossing", 33.433, 38.937, True),
        ("Raqqa", 35.95283, 39.00788, False),
        ("Sinjar", 36.3209, 41.87656, False),
    ],
)
def test_membership_and_signed_geodesic_edge_distance(tanf_zone, name, lat, lon, inside):
    is_inside, d = zone_distance_km(lat, lon, tanf_zone)
    assert is_inside is inside
    assert d == pytest.approx(geodesic(TANF, (lat, lon)).km - 55.0, abs=0.01)


def test_polygon_distance_agrees_with_the_closed_form(tanf_zone):
    """The generic (projected) path must agree with the circle's exact formula."""
    polygon_only = type(tanf_zone)("p", "p", "custom", tanf_zone.geometry, {})
    for lat, lon in [(35.95283, 39.00788), (33.311, 38.668), (33.0, 36.0)]:
        exact = zone_distance_km(lat, lon, tanf_zone)[1]
        assert zone_distance_km(lat, lon, polygon_only)[1] == pytest.approx(exact, abs=0.05)


def test_measure_covers_every_place_zone_pair(tanf_zone):
    places = [Place("a", "A", *TANF, "base"), Place("b", "B", 35.95, 39.0, "city")]
    result = measure(places, [tanf_zone])
    assert [(m.place_id, m.inside) for m in result] == [("a", True), ("b", False)]


def test_corridor_from_a_linestring_has_its_width(tmp_path):
    path = tmp_path / "c.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "Feature",
                "properties": {"name": "Road", "kind": "corridor", "width_km": 10},
                "geometry": {"type": "LineString", "coordinates": [[38.6, 33.5], [39.6, 33.5]]},
            }
        )
    )
    (zone,) = load_zones(path)
    assert zone_distance_km(33.5, 39.1, zone)[0] is True
    inside, d = zone_distance_km(33.5 + 0.1, 39.1, zone)  # ~11 km north of the line
    assert not inside
    assert d == pytest.approx(geodesic((33.5, 39.1), (33.6, 39.1)).km - 5, abs=0.2)


def _feature(geometry, **props):
    return {"type": "Feature", "properties": {"name": "Z", **props}, "geometry": geometry}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "invalid JSON at line 1"),
        ('{"type": "Topology"}', "not a GeoJSON FeatureCollection"),
        (json.dumps(_feature({"type": "Point", "coordinates": [38.6, 33.5]})), "radius_km"),
        (
            json.dumps(_feature({"type": "Point", "coordinates": [33.5, 138.6]}, radius_km=5)),
            "out of range",
        ),
        (
            json.dumps(
                _feature(
                    {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
                )
            ),
            "invalid polygon",
        ),
        (
            json.dumps(_feature({"type": "Point", "coordinates": [1, 1]}, radius_km=5, kind="x")),
            "unknown kind",
        ),
        (
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "features": [
                        _feature({"type": "Point", "coordinates": [1, 1]}, radius_km=5),
                        {"type": "Feature", "properties": {}, "geometry": None},
                    ],
                }
            ),
            "feature 1",
        ),
    ],
)
def test_bad_zone_files_name_the_file_and_problem(tmp_path, content, message):
    path = tmp_path / "bad.geojson"
    path.write_text(content)
    with pytest.raises(ZoneFileError, match=message) as info:
        load_zones(path)
    assert "bad.geojson" in str(info.value)


def test_duplicate_zone_ids_are_refused(tmp_path):
    feature = _feature({"type": "Point", "coordinates": [1, 1]}, radius_km=5, id="same")
    (tmp_path / "a.geojson").write_text(json.dumps(feature))
    (tmp_path / "b.geojson").write_text(json.dumps(feature))
    with pytest.raises(ZoneFileError, match="duplicate zone id"):
        load_zones(tmp_path)


def test_bundled_zones_are_documented_and_valid():
    from geo.zones import check_zone_file

    zones, problems, warnings = check_zone_file("data/zones")
    assert problems == []
    assert warnings == []
    ids = {z.id for z in zones}
    assert {
        "al-tanf-55km",
        "korean-dmz",
        "lachin-corridor",
        "suwalki-gap",
        "kashmir-loc",
        "blue-line",
        "euphrates-line",
    } == ids
    for zone in zones:
        assert zone.properties["source"]
        assert zone.properties["date"]


@pytest.mark.parametrize(
    ("zone_id", "lat", "lon", "inside"),
    [
        ("korean-dmz", 37.956, 126.677, True),  # Panmunjom, on the line
        ("korean-dmz", 37.566, 126.978, False),  # Seoul
        ("lachin-corridor", 39.638, 46.548, True),  # Lachin
        ("euphrates-line", 35.953, 39.008, True),  # Raqqa
        ("suwalki-gap", 54.10, 23.35, True),  # on the Poland-Lithuania border
        ("suwalki-gap", 52.23, 21.01, False),  # Warsaw
    ],
)
def test_declared_flashpoint_zones(zone_id, lat, lon, inside):
    zone = next(z for z in load_zones() if z.id == zone_id)
    assert zone_distance_km(lat, lon, zone)[0] is inside


def test_bulk_membership_agrees_with_the_per_point_path():
    import numpy as np

    from geo.zones import measure_bulk

    zones = load_zones()
    rng = np.random.default_rng(3)
    lats = np.concatenate([rng.uniform(32, 37, 300), [33.5058, 37.956, 39.638]])
    lons = np.concatenate([rng.uniform(36, 42, 300), [38.6178, 126.677, 46.548]])
    bulk = measure_bulk(lats, lons, zones)
    inside = {(int(p), int(z)) for p, z in bulk.pairs.T}
    for i in range(len(lats)):
        for z, zone in enumerate(zones):
            assert ((i, z) in inside) == zone_distance_km(lats[i], lons[i], zone)[0]
    for k in range(bulk.pairs.shape[1]):
        i, z = bulk.pairs[:, k]
        assert bulk.pair_km[k] == pytest.approx(
            zone_distance_km(lats[i], lons[i], zones[z])[1], abs=0.05
        )
    for i in np.nonzero(bulk.nearest >= 0)[0]:
        expected = zone_distance_km(lats[i], lons[i], zones[bulk.nearest[i]])[1]
        assert bulk.nearest_km[i] == pytest.approx(expected, abs=0.05)
    assert bulk.nearest[-3] == [z.id for z in zones].index("al-tanf-55km")


@pytest.mark.parametrize(
    ("geometry", "properties", "inside"),
    [
        ({"type": "Point", "coordinates": [38.668, 33.311]}, {"radius": 8000}, (33.32, 38.67)),
        (
            {
                "type": "Polygon",
                "coordinates": [[[38, 33], [39, 33], [39, 34], [38, 34], [38, 33]]],
            },
            {},
            (33.5, 38.5),
        ),
        ({"type": "LineString", "coordinates": [[38, 33], [39, 33]]}, {}, (33.02, 38.5)),
    ],
)
def test_drawn_shapes_become_validated_zones(geometry, properties, inside):
    from geo.zones import zone_from_drawing

    zone = zone_from_drawing(
        {"type": "Feature", "properties": properties, "geometry": geometry}, " My  area ", index=2
    )
    assert zone.id == "drawn-3-my-area"
    assert zone.name == "My area"
    assert zone.properties["source"] == "drawn in the dashboard"
    assert zone_distance_km(*inside, zone)[0] is True


def test_a_drawn_zone_needs_a_name_and_a_real_shape():
    from geo.zones import zone_from_drawing

    point = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Point", "coordinates": [1, 1]},
    }
    with pytest.raises(ZoneFileError, match="needs a name"):
        zone_from_drawing(point, "  ")
    with pytest.raises(ZoneFileError, match="radius_km"):
        zone_from_drawing(point, "no radius")


def _mixed_zones():
    """Circles, a corridor, a polygon with a hole, a multipolygon and a circle as a bare
    polygon (so measured through its outline, not the closed form), all near each other."""
    from shapely.geometry import LineString, MultiPolygon, Polygon

    from geo.geodesy import buffer_km
    from geo.model import Zone

    ring = Polygon(
        [(36.0, 33.0), (37.2, 33.1), (37.0, 34.2), (36.1, 34.0)],
        [[(36.4, 33.4), (36.8, 33.4), (36.7, 33.8)]],
    )
    islands = MultiPolygon(
        [
            Polygon([(38.0, 35.0), (38.6, 35.0), (38.6, 35.4), (38.0, 35.4)]),
            Polygon([(38.9, 35.2), (39.3, 35.1), (39.2, 35.7)]),
        ]
    )
    circle = geodesic_circle(34.5, 38.0, 40.0)
    return [
        Zone("c1", "C1", "custom", circle, {"center": [38.0, 34.5], "radius_km": 40.0}),
        Zone(
            "c2",
            "C2",
            "custom",
            geodesic_circle(34.9, 38.4, 25.0, 90),
            {"center": [38.4, 34.9], "radius_km": 25.0},
        ),
        Zone(
            "road", "Road", "corridor", buffer_km(LineString([(36.5, 34.6), (38.2, 35.3)]), 6.0), {}
        ),
        Zone("holed", "Holed", "custom", ring, {}),
        Zone("islands", "Islands", "custom", islands, {}),
        Zone("bare", "Bare", "custom", geodesic_circle(33.6, 38.9, 30.0), {}),
    ]


def _points_near_edges(zones, rng, n_random=90):
    """Random points, and points 30 m either side of each zone's edge."""
    import numpy as np
    import shapely

    lats = list(rng.uniform(32.5, 36.0, n_random))
    lons = list(rng.uniform(35.5, 39.8, n_random))
    for zone in zones:
        for ring in shapely.get_rings(shapely.get_parts(zone.geometry)):
            coords = shapely.get_coordinates(ring)
            for k in rng.choice(len(coords) - 1, 3, replace=False):
                (x0, y0), (x1, y1) = coords[k], coords[k + 1]
                t = rng.uniform(0.2, 0.8)
                x, y = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
                nx, ny = y1 - y0, -(x1 - x0)  # normal to the edge
                norm = np.hypot(nx, ny)
                for side in (-1, 1):
                    lons.append(x + side * 0.0003 * nx / norm)
                    lats.append(y + side * 0.0003 * ny / norm)
    return np.array(lats), np.array(lons)


def test_bulk_paths_answer_as_the_per_point_path():
    """measure and measure_bulk against zone_distance_km, point by point, near edges too."""
    import numpy as np

    from geo.zones import NEAREST_MAX_KM, measure_bulk

    zones = _mixed_zones()
    lats, lons = _points_near_edges(zones, np.random.default_rng(11))
    ref = [[zone_distance_km(la, lo, z) for z in zones] for la, lo in zip(lats, lons, strict=True)]
    places = [
        Place(f"p{i}", "P", la, lo, "city")
        for i, (la, lo) in enumerate(zip(lats, lons, strict=True))
    ]
    memberships = measure(places, zones)
    assert len(memberships) == len(places) * len(zones)
    for m, (inside, d) in zip(memberships, (r for row in ref for r in row), strict=True):
        assert m.inside is inside
        assert m.distance_km == pytest.approx(d, abs=0.0015)
    near_edge = sum(abs(d) < 0.05 for row in ref for _, d in row)
    assert near_edge >= 48  # 8 rings x 3 places x 2 sides: the points by the edges are there

    bulk = measure_bulk(lats, lons, zones)
    inside = {(int(p), int(z)) for p, z in bulk.pairs.T}
    assert inside == {(i, z) for i, row in enumerate(ref) for z, (ins, _) in enumerate(row) if ins}
    for (i, z), km in zip(bulk.pairs.T, bulk.pair_km, strict=True):
        assert km == pytest.approx(ref[i][z][1], abs=0.01)
    for i, row in enumerate(ref):
        containing = [z for z, (ins, _) in enumerate(row) if ins]
        if containing:
            assert bulk.nearest[i] == containing[0]
            continue
        best = min(d for _, d in row)
        if best > NEAREST_MAX_KM:
            assert bulk.nearest[i] == -1
            continue
        # The nearest zone, or one as near to within the bulk path's 10 m.
        assert row[bulk.nearest[i]][1] == pytest.approx(best, abs=0.01)
        assert bulk.nearest_km[i] == pytest.approx(best, abs=0.01)
