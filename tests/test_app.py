"""The dashboard through Streamlit's AppTest: the real script, no browser."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.safe import markdown_text

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def app(gazetteer):  # the gazetteer fixture makes sure the index is built before the timeout
    return AppTest.from_file(APP, default_timeout=120).run()


def _metrics(at):
    return {m.label: m.value for m in at.metric}


def test_opens_on_the_default_sample_with_map_table_and_downloads(app):
    assert not app.exception
    assert app.title[0].value == "Tension builds around the al Tanf garrison"
    metrics = _metrics(app)
    assert int(metrics["Places"]) >= 10
    # 7 declared zones (data/zones), a border strip and a tripoint area from the text
    assert metrics["Zones"] == "9"
    table = app.dataframe[0].value
    tanf = table[table["place"] == "al Tanf garrison"].iloc[0]
    assert tanf["zones"] == "al-tanf-55km, tripoint:IQ-JO-SY"
    assert tanf["km to al-tanf-55km"] == pytest.approx(-55.0)
    labels = [b.proto.label for b in app.get("download_button")]
    assert labels == ["HTML map", "GeoJSON", "CSV", "KML", "Zone set"]


def test_sample_picker_switches_briefing(app):
    picker = app.sidebar.selectbox[0]
    korean = next(o for o in picker.options if "korean" in o)
    picker.select(korean).run()
    assert not app.exception
    assert app.title[0].value == "Loudspeakers return to the Korean border"
    places = set(app.dataframe[0].value["place"])
    assert {"Panmunjom", "Seoul", "Pyongyang"} <= places


def test_pasted_article_wins_over_the_sample(app):
    app.text_area(key="pasted").input("Shelling hit Kherson and Zaporizhzhia in Ukraine.").run()
    assert not app.exception
    places = set(app.dataframe[0].value["place"])
    assert {"Kherson", "Ukraine"} <= places
    assert _metrics(app)["Places"] == "3"


def test_boilerplate_only_paste_shows_a_one_line_error(app):
    app.text_area(key="pasted").input("ADVERTISEMENT\nSign up for our newsletter\n").run()
    assert not app.exception
    assert "no article text" in app.error[0].value


def test_a_drawn_zone_updates_membership_and_the_zone_set(app):
    from geo.zones import zone_from_drawing, zones_to_geojson

    drawn = {  # what Leaflet.draw returns for a circle around Rukban
        "type": "Feature",
        "properties": {"radius": 8000},
        "geometry": {"type": "Point", "coordinates": [38.668, 33.311]},
    }
    zone = zone_from_drawing(drawn, "Rukban watch", index=0)
    feature = zones_to_geojson([zone])["features"][0]
    for key in ("radius_km", "width_km"):
        feature["properties"].pop(key, None)
    app.session_state["custom_zones"] = [feature]
    app.run()
    assert not app.exception
    table = app.dataframe[0].value
    rukban = table[table["place"] == "Rukban camp"].iloc[0]
    assert "drawn-1-rukban-watch" in rukban["zones"]
    zones = app.dataframe[1].value
    assert "Rukban camp" in zones[zones["zone"] == "drawn-1-rukban-watch"].iloc[0]["members"]
    (zone_set,) = [b for b in app.get("download_button") if b.proto.label == "Zone set"]
    assert zone_set.proto.label == "Zone set"


def test_online_geocoder_is_off_until_picked_then_places_unknown_names(app, tmp_path, monkeypatch):
    from .nominatim_stub import NominatimStub

    monkeypatch.setenv("FLASHPOINTS_GEOCODE_CACHE", str(tmp_path / "geocode.sqlite"))
    article = (
        "Shelling hit the village of Umm Batinah and fighters near Nowhere Junction fled"
        " toward al Tanf."
    )
    with NominatimStub() as stub:
        app.text_area(key="pasted").set_value(article).run()
        places = app.dataframe[0].value
        assert "Umm Batinah" not in set(places["place"])
        assert stub.log == []  # offline by default: nothing was asked
        geocoder = next(s for s in app.sidebar.selectbox if "Online geocoder" in s.label)
        geocoder.set_value("nominatim").run()
        app.text_input(key="domain").set_value(stub.domain)
        app.radio(key="scheme").set_value("http").run()
        assert not app.exception
        places = app.dataframe[0].value
        assert "Umm Batinah" in set(places["place"])
        assert "Names not placed" in [h.value for h in app.subheader]
        missing = next(d.value for d in app.dataframe if "reason" in d.value.columns)
        assert list(missing["name"]) == ["Nowhere Junction"]
        assert stub.searches()


def test_filters_narrow_the_places_and_the_downloads(app):
    everything = app.dataframe[0].value
    kinds = next(m for m in app.sidebar.multiselect if m.label == "Place kind")
    kinds.set_value(["camp"]).run()
    assert not app.exception
    camps = app.dataframe[0].value
    assert set(camps["kind"]) == {"camp"}
    assert len(camps) < len(everything)
    (csv,) = [b for b in app.get("download_button") if b.proto.label == "CSV"]
    assert csv.proto.label == "CSV"
    slider = next(s for s in app.sidebar.slider if s.label == "Minimum confidence")
    slider.set_value(1.0).run()
    assert not app.exception


def test_layer_toggles_and_base_map(app):
    app.sidebar.checkbox(key="layer-places").uncheck().run()
    assert not app.exception
    base = next(s for s in app.sidebar.selectbox if s.label == "Base map")
    base.set_value("none (no tiles)").run()
    assert not app.exception


def test_a_correction_from_the_table_sticks_in_later_runs_and_the_cli(app, samples_dir):
    import csv
    import io
    import os

    from click.testing import CliRunner

    from geo.cli import main
    from geo.corrections import CorrectionStore

    table = app.dataframe[0].value
    row = int(table.index[table["place"] == "Rukban camp"][0])
    app.session_state["places-table"] = {"selection": {"rows": [row], "columns": []}}
    app.run()
    assert not app.exception
    assert [e for e in app.expander if "Rukban" in e.label]
    not_place = next(b for b in app.button if b.label == "Not a place")
    not_place.click().run()
    assert not app.exception
    try:
        assert "Rukban camp" not in set(app.dataframe[0].value["place"])
        # A fresh session on the same text: the correction still wins.
        fresh = AppTest.from_file(APP, default_timeout=120).run()
        assert "Rukban camp" not in set(fresh.dataframe[0].value["place"])
        # ...and so it does in the CLI's exports.
        sample = str(samples_dir / "al-tanf-briefing.md")
        out = CliRunner().invoke(main, ["geoparse", sample, "--format", "csv"])
        assert out.exit_code == 0, out.output
        names = {row["name"] for row in csv.DictReader(io.StringIO(out.stdout))}
        assert "Rukban camp" not in names
        assert "al Tanf garrison" in names
    finally:
        store = CorrectionStore(os.environ["FLASHPOINTS_CORRECTIONS"])
        for fix in store.all():
            store.remove(fix.document_id, fix.surface)


def test_corpus_mode_reads_a_store_with_events_and_filters(app, tmp_path, samples_dir):
    from geo.ingest import ingest
    from geo.store import Store
    from geo.text import document_from_text, load_documents

    db = tmp_path / "corpus.db"
    extra = document_from_text(
        "Coalition jets struck a convoy near al Tanf on Tuesday. Shelling hit Raqqa yesterday.",
        published="2017-06-20",
    )
    with Store(db) as store:
        ingest([*load_documents([samples_dir]), extra], store)
    app.text_input(key="corpus").set_value(str(db)).run()
    assert not app.exception
    assert app.title[0].value == markdown_text("Corpus: corpus.db (4 articles)")
    assert int(_metrics(app)["Events"]) >= 3
    assert "Events" in [h.value for h in app.subheader]
    assert "Mentions over time" in [h.value for h in app.subheader]
    kinds = next(m for m in app.sidebar.multiselect if m.label == "Event kind")
    kinds.set_value(["shelling"]).run()
    assert not app.exception
    events = next(d.value for d in app.dataframe if "date_precision" in d.value.columns)
    assert set(events["kind"]) == {"shelling"}
    app.text_input(key="corpus").set_value(str(tmp_path / "missing.db")).run()
    assert "no such store" in app.error[0].value


def test_url_field_fetches_an_article_when_asked(app):
    from .pages import PageServer

    with PageServer() as server:
        app.sidebar.checkbox[0].check().run()
        app.text_input(key="url").set_value(server.url("/article")).run()
        assert not app.exception
        assert app.title[0].value == "Strikes near the garrison"
        assert "Rukban camp" in set(app.dataframe[0].value["place"])


def test_hostile_article_shows_as_text_in_the_dashboard(app):
    hostile = (
        "# <img src=x onerror=alert(1)> [click](javascript:alert(2)) **Raqqa**\n\n"
        "Shelling hit Raqqa and Sinjar on Tuesday."
    )
    app.text_area(key="pasted").set_value(hostile).run()
    assert not app.exception
    title = app.title[0].value
    assert "\\<img" in title  # escaped for Markdown: shown as text, never as an image
    assert "\\[click\\]\\(javascript" in title
    places = set(app.dataframe[0].value["place"])
    assert "Sinjār" in places or "Sinjar" in places


def test_corpus_mode_shows_alerts_and_new_data_keeps_the_filters(app, tmp_path):
    from geo.alerts import AlertRule, evaluate, resolve_zones
    from geo.ingest import ingest
    from geo.store import Store
    from geo.text import document_from_text
    from geo.zones import load_zones

    rules = [AlertRule("al Tanf zone", zones=("al-tanf-55km",), types=("airstrike",))]
    zones = resolve_zones(rules, load_zones())
    db = tmp_path / "watched.db"
    first = document_from_text(
        "Coalition jets struck a convoy near al Tanf on May 18. Shelling hit Raqqa on May 17.",
        published="2017-05-19",
    )
    with Store(db) as store:
        store.rule_mark("al Tanf zone")
        ingest([first], store)
        assert evaluate(store, rules, zones) == 1
    app.text_input(key="corpus").set_value(str(db)).run()
    assert not app.exception
    assert "Alerts (1)" in [h.value for h in app.subheader]
    kinds = next(m for m in app.sidebar.multiselect if m.label == "Event kind")
    kinds.set_value(["airstrike"]).run()
    # A watch stores a newer report meanwhile: the next run reads it, the filter stays.
    later = document_from_text(
        "A drone strike hit a militia post near Rukban camp on May 24.", published="2017-05-25"
    )
    with Store(db) as store:
        ingest([later], store)
        assert evaluate(store, rules, zones) == 1
    app.run()
    assert not app.exception
    assert app.title[0].value == markdown_text("Corpus: watched.db (2 articles)")
    assert "Alerts (2)" in [h.value for h in app.subheader]
    kinds = next(m for m in app.sidebar.multiselect if m.label == "Event kind")
    assert kinds.value == ["airstrike"]
    events = next(d.value for d in app.dataframe if "date_precision" in d.value.columns)
    assert list(events["date"]) == sorted(events["date"], reverse=True)  # newest first
    assert set(events["kind"]) == {"airstrike"}
    alerts = next(d.value for d in app.dataframe if "rule" in d.value.columns)
    assert list(alerts["rule"]) == ["al Tanf zone", "al Tanf zone"]
    assert "Rukban" in alerts["place"].iloc[0]  # newest alert first


def test_a_zone_filter_narrows_every_count_table_and_event(app):
    zones = next(m for m in app.sidebar.multiselect if m.label == "Zone")
    zones.select("al-tanf-55km").run()  # shown by name in the picker, picked by id
    assert not app.exception
    metrics = _metrics(app)
    assert metrics["Zones"] == "1"
    places = set(app.dataframe[0].value["place"])
    assert "al Tanf garrison" in places
    assert "Baghdad" not in places
    assert int(metrics["Places"]) == len(places)
    assert list(app.dataframe[1].value["zone"]) == ["al-tanf-55km"]
    # events at places outside the zone (the closure near Ruwaished) are gone too
    assert int(metrics["Events"]) < 4
