"""Zones at the antimeridian and the poles, and zone files built to break the reader."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from geo.cli import main
from geo.errors import ZoneFileError
from geo.export import to_kml
from geo.zones import load_zones, measure_bulk, zone_distance_km, zones_from_bytes, zones_to_geojson


def feature(geometry, **props):
    return {
        "type": "Feature",
        "properties": {"name": "z", "source": "test", **props},
        "geometry": geometry,
    }


def zone_of(geometry, **props):
    (zone,) = zones_from_bytes(json.dumps(feature(geometry, **props)).encode(), "z.geojson")
    return zone


#: 170°E to 170°W between 20°S and 10°S, written the short way across the antimeridian.
PACIFIC_BAND = {
    "type": "Polygon",
    "coordinates": [[[170, -20], [-170, -20], [-170, -10], [170, -10], [170, -20]]],
}
SUVA = (-18.14, 178.44)
LUSAKA = (-15.42, 28.28)


def test_a_polygon_across_the_antimeridian_is_read_the_short_way():
    zone = zone_of(PACIFIC_BAND)
    inside, km = zone_distance_km(*SUVA, zone)
    assert inside
    # The nearest edge is 20°S, about 206 km south; the cut at 180° is not an edge.
    assert km == pytest.approx(-206, abs=2)
    assert not zone_distance_km(*LUSAKA, zone)[0]
    bulk = measure_bulk(np.array([SUVA[0], LUSAKA[0]]), np.array([SUVA[1], LUSAKA[1]]), [zone])
    assert bulk.pairs.tolist() == [[0], [0]]
    assert bulk.pair_km[0] == pytest.approx(km, abs=2)
    # Written out, it is cut at the antimeridian as RFC 7946 asks.
    (out,) = zones_to_geojson([zone])["features"]
    assert out["geometry"]["type"] == "MultiPolygon"


def test_zones_check_warns_about_the_crossing_and_the_map_is_right(tmp_path):
    path = tmp_path / "pacific.geojson"
    path.write_text(json.dumps(feature(PACIFIC_BAND)))
    result = CliRunner().invoke(main, ["zones", "--check", str(path)])
    assert result.exit_code == 0
    assert "crosses the antimeridian" in result.stderr


@pytest.mark.parametrize(
    ("geometry", "props", "inside", "outside"),
    [
        (
            {"type": "Point", "coordinates": [179.9, -17.0]},
            {"radius_km": 100},
            (-17.0, -179.8),
            (-17.0, 0.0),
        ),
        (
            {"type": "LineString", "coordinates": [[178, -17], [-178, -17]]},
            {"width_km": 50},
            (-17.0, -179.9),
            (-17.0, 0.0),
        ),
        (
            {"type": "Point", "coordinates": [0.0, 89.9]},
            {"radius_km": 300},
            (88.5, -179.9),
            (80.0, 0.0),
        ),
        (
            {"type": "Point", "coordinates": [10.0, -89.5]},
            {"radius_km": 200},
            (-89.5, -170.0),
            (-85.0, 10.0),
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[0, 80], [90, 80], [180, 80], [-90, 80], [0, 80]]],
            },
            {},
            (85.0, 179.5),
            (75.0, 45.0),
        ),
    ],
)
def test_circles_corridors_and_rings_at_the_antimeridian_and_the_poles(
    geometry, props, inside, outside
):
    zone = zone_of(geometry, **props)
    assert zone.geometry.is_valid
    assert zone_distance_km(*inside, zone)[0]
    assert not zone_distance_km(*outside, zone)[0]
    lats, lons = np.array([inside[0], outside[0]]), np.array([inside[1], outside[1]])
    assert measure_bulk(lats, lons, [zone]).pairs.tolist() == [[0], [0]]


def test_the_polar_ring_measures_to_its_real_edge():
    ring = {"type": "Polygon", "coordinates": [[[0, 80], [90, 80], [180, 80], [-90, 80], [0, 80]]]}
    inside, km = zone_distance_km(85.0, 179.5, zone_of(ring))
    assert inside
    assert km == pytest.approx(-558, abs=3)  # 5 degrees of latitude to 80°N, not the cut


@pytest.mark.parametrize(
    ("props", "geometry", "message"),
    [
        (
            {"width_km": 1e-300},
            {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
            "'width_km', a number",
        ),
        ({"radius_km": True}, {"type": "Point", "coordinates": [0, 0]}, "'radius_km', a number"),
        ({"radius_km": 1e-300}, {"type": "Point", "coordinates": [0, 0]}, "'radius_km', a number"),
        ({"width_km": True}, {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "'width_km'"),
    ],
)
def test_sizes_that_are_not_sizes_are_refused(props, geometry, message):
    with pytest.raises(ZoneFileError, match=message):
        zone_of(geometry, **props)


def test_a_deeply_nested_zone_file_is_one_clean_error(tmp_path):
    path = tmp_path / "deep.geojson"
    path.write_text('{"type": "Feature", "geometry": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(ZoneFileError, match="nested too deeply"):
        load_zones(path)
    nested = {"type": "Polygon", "coordinates": json.loads("[" * 500 + "]" * 500)}
    with pytest.raises(ZoneFileError):
        zone_of(nested)


def test_zones_check_messages_are_plain_single_lines(tmp_path):
    bad = [
        feature({"type": "Point", "coordinates": [0]}, radius_km=5),
        feature({"type": "LineString", "coordinates": [[0, 0]]}, width_km=5),
        feature({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}),
    ]
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": bad}))
    result = CliRunner().invoke(main, ["zones", "--check", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len([x for x in lines if x.startswith("flashpoints: error:")]) == 3
    assert "[longitude, latitude] pairs" in result.stderr
    assert "gufunc" not in result.stderr
    assert "signature" not in result.stderr
    assert all(x.startswith(("flashpoints:", "warning:")) for x in lines)


def test_kml_is_valid_xml_whatever_the_text_holds(sample_analysis):
    from dataclasses import replace
    from xml.etree import ElementTree

    place = replace(sample_analysis.places[0], name="Bad\x00name\x0b\x1f with \ufffe end")
    analysis = replace(sample_analysis, places=(place, *sample_analysis.places[1:]))
    root = ElementTree.fromstring(to_kml(analysis, run={"note": "ctrl \x01 char"}).encode())
    names = [e.text for e in root.iter("{http://www.opengis.net/kml/2.2}name")]
    assert any(n and n.startswith("Bad") and n.endswith("end") for n in names)
