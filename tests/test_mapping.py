import re

import pytest

from geo.mapping import build_map, dms
from geo.pipeline import analyse
from geo.safe import html_text
from geo.text import document_from_text

HOSTILE = (
    "Officials in Raqqa said <script>alert('x')</script> and "
    "<img src=x onerror=alert(1)> `${alert(2)}` \\x41 happened."
)


def _html(analysis, **kw):
    return build_map(analysis, **kw).get_root().render()


def test_map_has_the_layers_legend_scale_and_popups(sample_analysis):
    html = _html(sample_analysis, title="Test map")
    for layer in ("Country borders", "Zones", "Places", "Mention heat map"):
        assert layer in html
    assert "L.control.layers" in html
    assert "L.control.scale()" in html
    assert "fp-legend" in html
    assert "<title>Test map</title>" in html
    assert "al Tanf garrison" in html
    assert "33.5058, 38.6178" in html
    assert "inside, 55.0 km from its edge" in html
    assert "<mark>Rukban camp</mark>" in html


def test_every_article_string_is_escaped(gazetteer):
    doc = document_from_text(HOSTILE, title="<b onmouseover=alert(3)>t</b>")
    html = _html(analyse([doc], gazetteer=gazetteer), title=doc.title)
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "${alert" not in html
    assert "<b onmouseover" not in html
    assert "&lt;script&gt;" in html
    # inside JS template literals a backtick or backslash would break out or break the script
    for literal in re.findall(r"\$\(`(.*?)`\)\[0\]", html, flags=re.S):
        assert "`" not in literal
        assert "${" not in literal
        assert "\\" not in literal


def test_jinja_in_an_article_is_text_not_code(gazetteer):
    # branca compiles rendered elements again as Jinja templates: an article saying
    # "{{ cycler.__init__.__globals__.os }}" must not reach Python's os module.
    payload = "{{ cycler.__init__.__globals__.os }} {% for x in range(3) %}loop{% endfor %}"
    doc = document_from_text(
        f"Shelling hit Raqqa {payload} and {{# hidden #}} al Tanf.\nFighting near Sinjar.",
        title="{{ 6*7 }} briefing",
        published="2017-06-08",
    )
    analysis = analyse([doc], gazetteer=gazetteer)
    html = _html(analysis, title=doc.title)
    assert "<module" not in html
    assert "looplooploop" not in html
    assert "42 briefing" not in html
    assert "&#123;&#123; 6*7 &#125;&#125; briefing" in html
    assert "&#123;&#123; cycler" in html


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<a href='javascript:x'>", "&lt;a href=&#x27;javascript:x&#x27;&gt;"),
        ("`$\\", "&#96;&#36;&#92;"),
        ("{{x}}", "&#123;&#123;x&#125;&#125;"),
    ],
)
def test_html_text(value, expected):
    assert html_text(value) == expected


def test_dms():
    assert dms(33.5058, "N", "S") == "33°30'21\"N"
    assert dms(-0.5, "E", "W") == "0°30'00\"W"


def test_air_gapped_map_has_no_tile_layer(sample_analysis):
    html = _html(sample_analysis, tiles=None)
    assert "tile.openstreetmap.org" not in html
    assert "Country borders" in html


def test_popups_quote_every_sentence_and_markers_take_their_zone_colour(gazetteer):
    from geo.mapping.styles import NO_ZONE_COLOUR, ZONE_STYLES

    text = " ".join(f"Report {i}: shelling near Rukban again." for i in range(6))
    analysis = analyse([document_from_text(text)], gazetteer=gazetteer)
    html = _html(analysis)
    for i in range(6):
        assert f"Report {i}: shelling near <mark>Rukban</mark> again." in html
    by_zone = _html(analysis, colour_by="zone")
    assert ZONE_STYLES["deconfliction"]["color"] in by_zone  # Rukban is in the 55 km zone
    assert "deconfliction zone, places in it" in by_zone
    far = analyse([document_from_text("Shelling hit Kyiv.")], gazetteer=gazetteer)
    assert f'"fillColor": "{NO_ZONE_COLOUR}"' in _html(far)
    assert "place in no zone" in _html(far)


def test_popups_name_countries_and_only_zones_in_or_near(sample_analysis):
    from geo.mapping.popups import NEAR_ZONE_KM, place_facts, place_popup

    names = {z.id: z.name for z in sample_analysis.zones}
    crossing = next(p for p in sample_analysis.places if p.id == "curated:al-tanf-crossing")
    popup = place_popup(sample_analysis, crossing, names)
    assert "In Syria" in popup or "In Iraq" in popup
    assert "Country: SY" not in popup
    assert "In IQ" not in popup
    assert "Korean Demilitarized Zone" not in popup  # 7,600 km away
    assert "al Tanf deconfliction zone" in popup
    facts = place_facts(sample_analysis, crossing, names)
    assert all(inside or km <= NEAR_ZONE_KM for _, inside, km in facts.zones)


def test_generated_zones_are_named_by_country_and_border_phrases_join_no_zone(sample_analysis):
    names = {z.id: z.name for z in sample_analysis.zones}
    assert names["border:IQ-SY"].startswith("Syria–Iraq border strip")
    assert names["tripoint:IQ-JO-SY"].startswith("Iraq–Jordan–Syria tripoint")
    phrase = next(p for p in sample_analysis.places if p.id.startswith("relative:border:"))
    assert sample_analysis.zones_of(phrase.id) == ()


def test_event_colours_are_one_scheme():
    from geo.mapping.panels import event_key
    from geo.mapping.styles import EVENT_STYLES, MARKER_HEX, event_style

    assert event_style("airstrike")["colour"] == MARKER_HEX["red"]
    assert "awesome-marker-icon-red" in event_key("airstrike")
    assert event_style("not-a-kind")["marker"] == "lightgray"
    assert all(s["colour"] == MARKER_HEX[s["marker"]] for s in EVENT_STYLES.values())


def test_controls_are_chosen_and_unknown_ones_refused(sample_analysis):
    plain = _html(sample_analysis)
    assert "MiniMap" not in plain
    assert "MousePosition" not in plain
    full = _html(sample_analysis, controls=("minimap", "mouse", "search"))
    assert "MiniMap" in full
    assert "MousePosition" in full
    with pytest.raises(ValueError, match="unknown map control"):
        build_map(sample_analysis, controls=("compass",))


def test_the_korean_view_is_the_peninsula_not_tokyo(gazetteer, samples_dir):
    from geo.mapping import _bounds
    from geo.text import load_documents

    analysis = analyse(
        list(load_documents([samples_dir / "korean-dmz-briefing.txt"])), gazetteer=gazetteer
    )
    (_south, _west), (_north, east) = _bounds(analysis)
    assert east < 130.5  # Tokyo is at 139.7
    dmz = next(p for p in analysis.places if p.id == "curated:korean-dmz")
    assert "korean-dmz" in analysis.zones_of(dmz.id)
    assert not [z for z in analysis.zones if z.kind == "cluster" and "Kaes" in z.name]
