"""Property tests: any text, however odd, yields mentions that point back into it, and a map.

Articles come from the open web; these generate text mixing place names, punctuation, markup,
right-to-left script, combining marks and control characters.
"""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import geoparsing as geoparse_module
from geo import recognition as recogniser
from geo.errors import InputError
from geo.geoparsing import geoparse
from geo.mapping import build_map
from geo.names import ARABIC_ARTICLES
from geo.pipeline import analyse, toponym_records
from geo.text import document_from_text, sentence_spans

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
            "<script>alert('fp')</script>",
            "<img src=x onerror=alert(1)>",
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
            "{{",
            "}}",
            "{{ 'fp' ~ 'jinja' }}",
            "{%",
            "{#",
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
    # The generator does write these payloads into articles: none may reach the page raw.
    assert "<script>alert" not in html
    assert "<img src=x onerror" not in html
    assert "fpjinja" not in html  # "{{ 'fp' ~ 'jinja' }}" in an article is text, never run
    assert "L.map(" in html


# The recogniser reads only capitalised words and the lower-case words chained to them; these
# references find every word that could matter, the slow and obvious way, to check that the
# words it skips change nothing.
_EVERY_LOWER = (
    ARABIC_ARTICLES
    | recogniser._CONNECTORS
    | recogniser._GENERIC_TAILS
    | recogniser._FEATURE_WORDS
    | recogniser._PLACE_SUFFIXES
)
_EVERY_WORD = re.compile(
    r"\b(?:(?:[A-Z]\.){2,}"
    r"|(?:" + "|".join(sorted(_EVERY_LOWER, key=len, reverse=True)) + r")\b(?![\w'’])"
    r"|[^\W\d_a-z](?:[\w'’]*\w)?)"
)


def _every_token(text: str) -> list:
    out = []
    for m in _EVERY_WORD.finditer(text):
        word, (start, end) = m.group(), m.span()
        if word[-2:] in ("'s", "’s") and len(word) > 2:
            word, end = word[:-2], end - 2
        out.append(recogniser.Token(start, end, word, word[:1].isupper()))
    return out


WORDY = st.lists(
    st.one_of(
        PIECES,
        st.sampled_from(sorted(_EVERY_LOWER)),
        st.sampled_from(
            [
                " ",
                "-",
                "\n",
                "'s",
                "’s",
                "d'",
                "Mc",
                "iP",
                "3",
                "_",
                "the ",
                "Al ",
                "ash-",
                "as-",
                "ad-",
                "al ",
                "el-",
                " of ",
                " border crossing",
                " province",
                "Raqqa",
                "Tanf",
                "Suwayda",
                "Shaddadi",
            ]
        ),
    ),
    max_size=30,
).map("".join)


@SETTINGS
@given(text=WORDY)
def test_skipped_lower_case_words_change_nothing(gazetteer, text, monkeypatch):
    try:
        doc = document_from_text(text)
    except InputError:
        return
    lean = geoparse(doc, gazetteer)
    with monkeypatch.context() as patched:
        patched.setattr(geoparse_module, "tokenize", _every_token)
        full = geoparse(doc, gazetteer)
    assert lean == full
    kept = {(t.start, t.end) for t in recogniser.tokenize(doc.text)}
    assert kept <= {(t.start, t.end) for t in _every_token(doc.text)}


_REFERENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|\n\s*\n")


def _reference_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for end, after in [m.span() for m in _REFERENCE_END.finditer(text)] + [(len(text),) * 2]:
        first = re.compile(r"\S").search(text, start, end)
        if first is not None:
            spans.append((first.start(), end))
        start = after
    return spans


@SETTINGS
@given(text=st.text(alphabet='aB. \n!?")0”(', max_size=80) | TEXTS)
def test_sentence_spans_match_the_plain_definition(text):
    assert sentence_spans(text) == _reference_spans(text)
