"""The dashboard through Streamlit's AppTest: the real script, no browser."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

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
    assert labels == ["HTML map", "GeoJSON", "CSV", "KML"]


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
