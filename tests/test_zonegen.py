import pytest
from geopy.distance import geodesic

from geo.geoparsing import geoparse
from geo.model import Place
from geo.pipeline import analyse
from geo.text import document_from_text
from geo.zonegen import ZoneOptions, border_strip, clusters, corridor, generate_zones, tripoint
from geo.zones import zone_distance_km

SURVEYED_TRIPOINT = (33.3747, 38.7936)  # US State Department, International Boundary Study 100


def test_syria_iraq_jordan_tripoint_is_within_the_outlines_accuracy():
    lat, lon = tripoint("IQ", "JO", "SY")
    # Natural Earth puts it about 1.8 km west of the surveyed point
    assert geodesic(SURVEYED_TRIPOINT, (lat, lon)).km < 4


def test_border_strip_is_true_kilometres_on_both_sides():
    zone = border_strip("SY", "IQ", 10)
    assert zone.kind == "border"
    assert zone.properties["width_km"] == 20
    # Al Qaim crossing sits on the border; Abu Kamal (SY) a few km in; Deir ez-Zor far away
    assert zone_distance_km(34.4205, 40.9866, zone)[0] is True
    assert zone_distance_km(35.336, 40.141, zone)[0] is False
    # a point on the border line is 10 km (geodesic) from either edge of the strip
    from geo.borders import load_borders

    on_line = load_borders().shared_border("SY", "IQ").interpolate(0.5, normalized=True)
    inside, d = zone_distance_km(on_line.y, on_line.x, zone)
    assert inside
    assert d == pytest.approx(-10.0, abs=0.3)
    assert zone_distance_km(33.04, 40.28, zone)[0] is False  # Rutba, 100 km into Iraq


def test_corridor_follows_the_geodesic_with_its_width():
    a = Place("a", "al Tanf", 33.5058, 38.6178, "base")
    b = Place("b", "Sinjar", 36.3209, 41.8766, "town")
    zone = corridor(a, b, 20)
    mid_lon, mid_lat = (a.lon + b.lon) / 2, (a.lat + b.lat) / 2
    assert zone_distance_km(mid_lat, mid_lon, zone)[0] is True
    inside, d = zone_distance_km(mid_lat + 0.3, mid_lon - 0.3, zone)  # ~40 km off the line
    assert not inside
    assert d > 20


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Militias gathered along the Syria-Iraq border.", {"border:IQ-SY"}),
        (
            "Near the intersection of the Syrian, Iraqi, and Jordanian borders, troops dug in.",
            {"tripoint:IQ-JO-SY"},
        ),
        (
            "A land route from al Tanf in southern Syria to Sinjar in Iraq.",
            {"corridor:curated:al-tanf-garrison:geonames:448149"},
        ),
        ("Syria and Iraq held talks in Baghdad.", set()),
    ],
)
def test_the_text_asks_for_its_zones(gazetteer, text, expected):
    doc = document_from_text(text)
    zones = generate_zones(doc.text, geoparse(doc, gazetteer))
    assert {z.id for z in zones} == expected
    for zone in zones:
        assert zone.properties["generated"] is True
        assert "generated from the text" in zone.properties["source"]


def test_clusters_group_nearby_places_no_zone_covers():
    places = [
        Place("a", "A", 36.20, 37.15, "city"),
        Place("b", "B", 36.40, 37.30, "town"),  # ~26 km from A
        Place("c", "C", 33.50, 36.30, "city"),  # far away
        Place("d", "D", 36.30, 37.20, "town"),  # near A but covered by a declared zone
        Place("s", "Syria", 35.0, 38.0, "country"),
    ]
    (zone,) = clusters(places, covered={"d"}, opts=ZoneOptions())
    assert zone.kind == "cluster"
    assert zone.properties["members"] == ["a", "b"]
    assert zone_distance_km(36.2, 37.15, zone)[0] is True


def test_analysis_can_leave_generated_zones_out(gazetteer, sample_doc):
    plain = analyse([sample_doc], gazetteer=gazetteer, generate=False)
    assert not [z for z in plain.zones if z.properties.get("generated")]
    assert "al-tanf-55km" in [z.id for z in plain.zones]
