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


@pytest.mark.parametrize("damage", ["truncate", "garbage"])
def test_a_corrupt_cached_index_is_rebuilt_by_itself(tmp_path, gazetteer, monkeypatch, damage):
    import shutil

    import geo.gazetteer as gz

    cached = tmp_path / gazetteer.path.name
    shutil.copyfile(gazetteer.path, cached)
    if damage == "truncate":
        with cached.open("r+b") as handle:
            handle.truncate(cached.stat().st_size // 3)
    else:
        cached.write_bytes(b"\x00not sqlite" * 1000)
    built = []

    def build(target, data_dir):  # stands in for the half-minute build
        built.append(target)
        shutil.copyfile(gazetteer.path, target)
        return target

    monkeypatch.setattr(gz, "build_index", build)
    fresh = gz._open_cached.__wrapped__(str(tmp_path), str(gz.DATA_DIR))
    assert built == [cached]
    assert fresh.lookup("Damascus")[0][0].country_code == "SY"
