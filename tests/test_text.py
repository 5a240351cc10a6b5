from pathlib import Path

import pytest

from geo.errors import InputError
from geo.text import (
    clean_text,
    decode_bytes,
    document_from_text,
    load_path,
    sentence_at,
    sentence_spans,
)

RAW = """Headline about the border

ADVERTISEMENT

Troops moved toward al Tanf on Monday.
Sign up for our daily newsletter
Email: desk@example.org
ADVERTISEMENT2

The crossing stayed closed."""


def test_boilerplate_lines_are_dropped_and_offsets_map_back():
    doc = document_from_text(RAW)
    assert "ADVERTISEMENT" not in doc.text
    assert "Sign up" not in doc.text
    assert "Email:" not in doc.text
    assert doc.title == "Headline about the border"
    start = doc.text.index("al Tanf")
    assert RAW[doc.source_offset(start) : doc.source_offset(start) + 7] == "al Tanf"
    start = doc.text.index("crossing")
    assert RAW[doc.source_offset(start) : doc.source_offset(start) + 8] == "crossing"


def test_blank_runs_collapse_to_one_paragraph_break():
    text, _ = clean_text("a\n\n\n\nb\nADVERTISEMENT\n\nc")
    assert text == "a\n\nb\n\nc"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"Raqqa", "Raqqa"),
        ("\ufeffRaqqa".encode(), "Raqqa"),
        ("Ḥimṣ".encode("utf-16"), "Ḥimṣ"),
        ("Café".encode("cp1252"), "Café"),
    ],
)
def test_decode_bytes_handles_common_encodings(data, expected):
    assert decode_bytes(data) == expected


def test_binary_input_is_refused_with_a_clear_message():
    with pytest.raises(InputError, match="binary"):
        decode_bytes(b"\x89PNG\r\n\x00\x00")


@pytest.mark.parametrize("raw", ["", "   \n\t", "ADVERTISEMENT\n\nADVERTISEMENT"])
def test_empty_articles_are_input_errors(raw):
    with pytest.raises(InputError, match="no article text"):
        document_from_text(raw, source="x.txt")


def test_markdown_front_matter_gives_title_and_date(sample_doc):
    assert sample_doc.title == "Tension builds around the al Tanf garrison"
    assert sample_doc.published.isoformat() == "2017-06-08"
    assert not sample_doc.text.startswith("#")
    # the offset map still points into the file as written, front matter included
    raw = Path(sample_doc.source).read_text(encoding="utf-8")
    i = sample_doc.text.index("Rukban")
    assert raw[sample_doc.source_offset(i) :].startswith("Rukban")


def test_html_page_is_reduced_to_its_article(tmp_path):
    page = tmp_path / "page.html"
    body = " ".join(["Clashes were reported near the Syria-Iraq border at Al Qaim."] * 6)
    page.write_text(
        "<html><head><title>Border clashes</title>"
        '<meta property="article:published_time" content="2024-03-02"></head>'
        f"<body><nav>Home | World</nav><article><h1>Border clashes</h1><p>{body}</p>"
        "</article><footer>Subscribe now</footer></body></html>",
        encoding="utf-8",
    )
    (doc,) = load_path(page)
    assert "Al Qaim" in doc.text
    assert "Home | World" not in doc.text
    assert doc.title == "Border clashes"
    assert doc.published.isoformat() == "2024-03-02"


def test_jsonl_corpus_and_folder(tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": "a", "text": "Raqqa"}\n\n{"id": "b", "text": "Sinjar"}\n')
    docs = load_path(tmp_path)
    assert [d.id for d in docs] == ["a", "b"]
    corpus.write_text('{"id": "a", "text": "Raqqa"}\n{oops\n')
    with pytest.raises(InputError, match=r"c\.jsonl:2"):
        load_path(corpus)


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_path(tmp_path / "missing.txt")


def test_sentences_split_on_stops_and_lines():
    text = "Strikes hit al Tanf. Officials in Washington\nsaid so.\n\nNew line here"
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == [
        "Strikes hit al Tanf.",
        "Officials in Washington\nsaid so.",
        "New line here",
    ]
    assert sentence_at(text, spans, text.index("Washington")) == "Officials in Washington said so."


def test_article_from_a_url_on_a_local_server():
    from geo.errors import InputError
    from geo.text import document_from_url, load_documents

    from .pages import PageServer

    with PageServer() as server:
        doc = document_from_url(server.url("/article"))
        assert doc.title == "Strikes near the garrison"
        assert "al Tanf" in doc.text
        assert "newsletter" not in doc.text
        assert str(doc.published) == "2017-06-08"
        (same,) = load_documents([server.url("/article")])
        assert same.id == doc.id
        with pytest.raises(InputError, match="HTTP 404"):
            document_from_url(server.url("/missing"))
        with pytest.raises(InputError, match="no article text"):
            document_from_url(server.url("/empty"))
    with pytest.raises(InputError, match="cannot fetch"):
        document_from_url(server.url("/article"))  # the server is gone
    with pytest.raises(InputError, match="only http and https"):
        document_from_url("ftp://example.org/a")
