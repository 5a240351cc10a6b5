"""Property tests: any text, however odd, yields mentions that point back into it, and a map.

Articles come from the open web; these generate text mixing place names, punctuation, markup,
right-to-left script, combining marks and control characters.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.analysis import analyse, toponym_records
from geo.errors import InputError
from geo.geoparse import geoparse
from geo.mapping import build_map
from geo.text import document_from_text

NAMES = [
    "al-Tanf",
    "Raqqa",
    "Syria",
    "US",
    "U.S.",
    "Iraqi",
    "Sinjar",
    "Gulf of Mexico",
    "Idlib province",
    "northeast of al Tanf",
    "the Syria-Iraq border",
    "Jordan Peterson",
]
PIECES = st.one_of(
    st.sampled_from(NAMES),
    st.text(max_size=12),
    st.sampled_from(
        [
            "\n",
            "\n\n",
            "ADVERTISEMENT\n",
            "<script>",
            "`${x}`",
            "\\",
            " - ",
            ". ",
            "\u200f",
            "\u0301",
            "\r\n",
            "\ufeff",
            "ش",
            "Ⅷ",
            "ǅ",
        ]
    ),
)
TEXTS = st.lists(PIECES, max_size=25).map("".join)
SETTINGS = settings(
    max_examples=int(os.environ.get("FLASHPOINTS_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@SETTINGS
@given(text=TEXTS)
def test_mentions_slice_back_to_their_surface(gazetteer, text):
    try:
        doc = document_from_text(text)
    except InputError:
        return
    for m in geoparse(doc, gazetteer):
        assert doc.text[m.start : m.end] == m.surface
        assert 0 < m.confidence <= 1


@SETTINGS
@given(text=TEXTS)
def test_jsonl_offsets_index_the_text_as_given(gazetteer, text):
    for record in toponym_records(text, gazetteer, with_relative=True):
        assert text[record["start"] : record["end"]] == record["surface"]


@SETTINGS
@given(text=TEXTS)
@pytest.mark.filterwarnings("ignore")
def test_any_text_makes_a_map(gazetteer, text):
    try:
        doc = document_from_text(text)
    except InputError:
        return
    html = build_map(analyse([doc], gazetteer=gazetteer, generate=False)).get_root().render()
    assert "<script>alert" not in html
    assert "L.map(" in html
