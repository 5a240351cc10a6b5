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
