import sqlite3

import pytest

from geo.errors import GazetteerError
from geo.gazetteer import Gazetteer


@pytest.mark.parametrize(
    ("name", "expected", "kind", "country"),
    [
        ("Syria", "Syria", "country", "SY"),
        ("Syrian", "Syria", "country", "SY"),
        ("Iraqi", "Iraq", "country", "IQ"),
        ("Jordanian", "Jordan", "country", "JO"),
        ("US", "United States", "country", "US"),
        ("U.S.", "United States", "country", "US"),
        ("UK", "United Kingdom", "country", "GB"),
        ("UAE", "United Arab Emirates", "country", "AE"),
        ("Jordan", "Jordan", "country", "JO"),  # the country beats namesake towns
        ("Armenia", "Armenia", "country", "AM"),
        ("al-Tanf", "al Tanf garrison", "base", "SY"),
        ("At Tanf", "al Tanf garrison", "base", "SY"),
        ("Rukban", "Rukban camp", "camp", "SY"),
        ("Middle East", "Middle East", "region", ""),
        ("Raqqa", "Ar Raqqah", "city", "SY"),
        ("Tehran", "Tehran", "city", "IR"),
    ],
)
def test_best_prior_candidate(gazetteer, name, expected, kind, country):
    place, _ = gazetteer.lookup(name)[0]
    assert (place.name, place.kind, place.country_code) == (expected, kind, country)


@pytest.mark.parametrize("word", ["the", "said", "border", "North", "Hamas", "May", "Obama"])
def test_stop_words_are_not_places(gazetteer, word):
    assert gazetteer.lookup(word) == []


def test_sinjar_has_candidates_in_two_countries(gazetteer):
    countries = {p.country_code for p, _ in gazetteer.lookup("Sinjar")}
    assert {"IQ", "SY"} <= countries


def test_curated_places_carry_a_source(gazetteer):
    place = gazetteer.get("curated:al-tanf-garrison")
    assert place.source
    assert (round(place.lat, 4), round(place.lon, 4)) == (33.5058, 38.6178)
    assert gazetteer.country("JO").name == "Jordan"


def test_a_file_that_is_not_an_index_is_a_clear_error(tmp_path):
    bogus = tmp_path / "g.sqlite"
    sqlite3.connect(bogus).execute("CREATE TABLE x (y)").connection.commit()
    with pytest.raises(GazetteerError, match="not a gazetteer index"):
        Gazetteer(bogus)
