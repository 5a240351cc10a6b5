import pytest
from geopy.distance import geodesic

from geo.geoparse import geoparse
from geo.text import document_from_text


def _relative(text, gazetteer):
    doc = document_from_text(text)
    return doc, [m for m in geoparse(doc, gazetteer) if m.relation]


@pytest.mark.parametrize(
    ("text", "anchor", "bearing", "km", "given"),
    [
        ("Forces advanced northeast of al Tanf.", "al Tanf garrison", 45.0, 20.0, False),
        ("Shelling 20 km south of Raqqa.", "Ar Raqqah", 180.0, 20.0, True),
        ("A convoy 12 miles north-west of Sinjar.", "Sinjār", 315.0, 12 * 1.609344, True),
        ("Fighting 5-km east of Kirkuk.", "Kirkuk", 90.0, 5.0, True),
        ("Tents went up near Rukban.", "Rukban camp", None, 0.0, False),
    ],
)
def test_relative_phrases_become_derived_points(gazetteer, text, anchor, bearing, km, given):
    doc, (m,) = _relative(text, gazetteer)
    rel = m.relation
    assert rel.anchor.name == anchor
    assert rel.bearing_deg == bearing
    assert rel.distance_km == pytest.approx(km)
    assert rel.distance_given is given
    assert m.place.kind == "relative"
    assert m.precision == "near"
    assert doc.text[m.start : m.end] == m.surface
    # the derived point is that far from the anchor, geodesically
    d = geodesic((rel.anchor.lat, rel.anchor.lon), (m.place.lat, m.place.lon)).km
    assert d == pytest.approx(km, abs=0.01)
    assert rel.uncertainty_km >= 2.0


def test_the_anchor_is_still_a_mention_of_its_own(gazetteer):
    doc = document_from_text("Strikes northeast of al Tanf.")
    names = [(m.surface, m.place.kind) for m in geoparse(doc, gazetteer)]
    assert names == [("northeast of al Tanf", "relative"), ("al Tanf", "base")]


def test_derived_point_northeast_of_al_tanf_is_inside_the_zone(gazetteer):
    from geo.analysis import analyse

    analysis = analyse([document_from_text("Strikes northeast of al Tanf.")], gazetteer=gazetteer)
    derived = next(p for p in analysis.places if p.kind == "relative")
    assert analysis.zones_of(derived.id) == ("al-tanf-55km",)


def test_countries_are_not_anchors(gazetteer):
    _, rel = _relative("Troops moved north of Syria.", gazetteer)
    assert rel == []
