import pytest
from geopy.distance import geodesic

from geo.geoparsing import geoparse
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
    from geo.pipeline import analyse

    analysis = analyse([document_from_text("Strikes northeast of al Tanf.")], gazetteer=gazetteer)
    derived = next(p for p in analysis.places if p.kind == "relative")
    assert analysis.zones_of(derived.id) == ("al-tanf-55km",)


def test_countries_are_not_anchors(gazetteer):
    _, rel = _relative("Troops moved north of Syria.", gazetteer)
    assert rel == []


@pytest.mark.parametrize(
    ("text", "name", "max_uncertainty"),
    [
        ("Clashes at al Tanf near the Syria-Iraq border.", "Syria–Iraq border", 100.0),
        ("Talks on the Syrian-Iraqi border.", "Syria–Iraq border", 400.0),
        (
            "Troops massed along the border between Armenia and Azerbaijan.",
            "Armenia–Azerbaijan border",
            500.0,
        ),
    ],
)
def test_a_border_named_by_its_countries_is_a_point_on_their_shared_line(
    gazetteer, text, name, max_uncertainty
):
    from geo.borders import load_borders

    doc, rels = _relative(text, gazetteer)
    (m,) = [r for r in rels if r.place.name == name]
    assert doc.text[m.start : m.end] == m.surface
    assert m.relation.uncertainty_km <= max_uncertainty
    a, b = (c.strip() for c in name.replace(" border", "").split("–"))
    borders = load_borders()
    codes = [gazetteer.lookup(a)[0][0].country_code, gazetteer.lookup(b)[0][0].country_code]
    line = borders.shared_border(*codes)
    from shapely.geometry import Point

    assert line.distance(Point(m.place.lon, m.place.lat)) < 1e-6


def test_border_point_follows_the_story_to_its_end_of_the_border(gazetteer):
    _, rels = _relative("Clashes at al Tanf near the Syria-Iraq border.", gazetteer)
    (m,) = [r for r in rels if "border" in r.place.name]
    tanf = (33.5058, 38.6178)
    assert geodesic(tanf, (m.place.lat, m.place.lon)).km < 50


def test_countries_that_share_no_border_make_no_border_point(gazetteer):
    _, rels = _relative("The US-Iran border talks.", gazetteer)
    assert rels == []


def test_doubled_directions_found_by_fuzzing_do_not_crash(gazetteer):
    """ "east-east of" once reached the bearing table as "easteast" (atheris found it)."""
    from geo.geoparsing import geoparse
    from geo.text import document_from_text

    doc = document_from_text("Jets struck 10 km east-east of Raqqa and west west of Mosul.")
    found = [m for m in geoparse(doc, gazetteer) if m.relation]
    assert [m.surface for m in found] == ["east of Raqqa", "west of Mosul"]
