"""Corrections: stored per (document, name), applied over the geoparser's answer."""

import pytest

from geo.corrections import Correction, CorrectionStore, apply_corrections
from geo.errors import InputError
from geo.pipeline import analyse, filter_analysis
from geo.text import document_from_text

TEXT = "Turkish drones struck near Sinjar. Residents of Sinjar fled toward Dohuk."


@pytest.fixture
def store(tmp_path):
    s = CorrectionStore(tmp_path / "c.sqlite")
    yield s
    s.close()


def test_other_candidate_move_and_reject(gazetteer, store):
    doc = document_from_text(TEXT)
    before = analyse([doc], gazetteer=gazetteer, generate=False)
    sinjar = next(m for m in before.mentions if m.surface == "Sinjar")
    assert sinjar.place.country_code == "IQ"
    other = next(
        gazetteer.get(c) for c in sinjar.candidates if gazetteer.get(c).country_code == "SY"
    )

    store.save(Correction(doc.id, "Sinjar", "place", other.id))
    after = analyse([doc], gazetteer=gazetteer, generate=False, corrections=store)
    fixed = [m for m in after.mentions if m.surface == "Sinjar"]
    assert len(fixed) == 2
    assert {m.place.id for m in fixed} == {other.id}
    assert all(m.confidence == 1.0 for m in fixed)
    assert "corrected by an analyst" in fixed[0].place.source

    store.save(Correction(doc.id, "Dohuk", "move", lat=36.9, lon=43.0))
    store.save(Correction(doc.id, "Turkish", "reject"))
    after = analyse([doc], gazetteer=gazetteer, generate=False, corrections=store)
    dohuk = next(m for m in after.mentions if m.surface == "Dohuk")
    assert (dohuk.place.lat, dohuk.place.lon) == (36.9, 43.0)
    assert "Turkish" not in {m.surface for m in after.mentions}
    # Another document with the same names is not touched.
    other_doc = document_from_text(TEXT + " More later.")
    untouched = analyse([other_doc], gazetteer=gazetteer, generate=False, corrections=store)
    assert "Turkish" in {m.surface for m in untouched.mentions}


def test_bad_corrections_are_refused():
    with pytest.raises(InputError):
        Correction("d", "X", "teleport")
    with pytest.raises(InputError):
        Correction("d", "X", "move", lat=95.0, lon=0.0)
    with pytest.raises(InputError):
        Correction("d", "X", "place")


def test_apply_without_corrections_is_identity(gazetteer, sample_analysis):
    assert apply_corrections(sample_analysis.mentions, [], gazetteer) == list(
        sample_analysis.mentions
    )


def test_filter_analysis(sample_analysis):
    camps = filter_analysis(sample_analysis, kinds=["camp"])
    assert {p.kind for p in camps.places} == {"camp"}
    assert camps.zones == sample_analysis.zones
    sy = filter_analysis(sample_analysis, countries=["SY"])
    assert {p.country_code for p in sy.places} == {"SY"}
    inside = filter_analysis(sample_analysis, zones=["al-tanf-55km"])
    assert inside.places
    assert all("al-tanf-55km" in sample_analysis.zones_of(p.id) for p in inside.places)
    assert filter_analysis(sample_analysis, min_confidence=1.01).places == ()


def test_an_unopenable_corrections_file_is_a_one_line_error(tmp_path):
    (tmp_path / "taken").write_text("a file where the folder should be")
    with pytest.raises(InputError, match=r"cannot open the corrections file") as err:
        CorrectionStore(tmp_path / "taken" / "corrections.sqlite")
    assert "\n" not in str(err.value)


def test_a_corrections_file_that_is_not_sqlite_is_a_one_line_error(tmp_path):
    path = tmp_path / "corrections.sqlite"
    path.write_bytes(b"not a database at all, just bytes " * 100)
    with pytest.raises(InputError, match=r"cannot open the corrections file"):
        CorrectionStore(path)
    assert path.read_bytes().startswith(b"not a database")  # nothing overwritten


def test_a_correction_holds_in_corpus_mode(gazetteer, tmp_path, monkeypatch):
    """A correction saved for a stored article changes the corpus map, the corpus export and
    ``events --db``: the store keeps what the text says, the pipeline applies corrections."""
    import json

    from click.testing import CliRunner

    from geo.cli import main

    monkeypatch.setenv("FLASHPOINTS_CORRECTIONS", str(tmp_path / "corrections.sqlite"))
    article = tmp_path / "sinjar.txt"
    article.write_text(
        "Published: 2026-11-20\n\nTurkish drones struck a convoy near Sinjar on Tuesday, "
        "killing four fighters. Residents of Sinjar protested against the strike on Wednesday.\n"
    )
    db = str(tmp_path / "corpus.db")
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", str(article), "--db", db, "--quiet"]).exit_code == 0

    def corpus() -> tuple[dict, dict, dict]:
        out = tmp_path / "out.geojson"
        result = runner.invoke(
            main, ["export", "--db", db, "--format", "geojson", "-o", str(out), "--force"]
        )
        assert result.exit_code == 0, result.output
        page = tmp_path / "map.html"
        result = runner.invoke(main, ["map", "--db", db, "-o", str(page), "--force", "--no-tiles"])
        assert result.exit_code == 0, result.output
        events = runner.invoke(main, ["events", "--db", db])
        assert events.exit_code == 0, events.output
        exported = json.loads(out.read_text())
        places = {
            f["properties"]["name"]: f
            for f in exported["features"]
            if "Sinjar" in f["properties"].get("surfaces", ())
        }
        return places, json.loads(events.output), {"html": page.read_text()}

    places, events, _ = corpus()
    assert [f["geometry"]["coordinates"] for f in places.values()] == [[41.87656, 36.3209]]
    protest = [e for e in events["events"] if e["sentence"].startswith("Residents")]
    assert [(e["lat"], e["lon"]) for e in protest] == [(36.3209, 41.87656)]

    stored_id = next(iter(_stored_ids(db)))
    fixes = CorrectionStore()
    fixes.save(Correction(stored_id, "Sinjar", "move", lat=35.0, lon=38.0))
    fixes.close()
    places, events, page = corpus()
    assert [f["geometry"]["coordinates"] for f in places.values()] == [[38.0, 35.0]]
    protest = [e for e in events["events"] if e["sentence"].startswith("Residents")]
    assert [(e["lat"], e["lon"]) for e in protest] == [(35.0, 38.0)]
    assert "[35.0, 38.0]" in page["html"]  # the marker is drawn where the analyst put it


def _stored_ids(db: str) -> list[str]:
    from geo.store import Store

    with Store(db) as store:
        return [d.id for d in store.documents()]
