"""Events: kind, date against the article's date, actors, and where it happened."""

from datetime import date

import pytest

from geo.events import extract_events, merge_events, resolve_date
from geo.geoparsing import geoparse
from geo.text import document_from_text

PUBLISHED = date(2017, 6, 8)  # a Thursday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jets struck on May 18.", (date(2017, 5, 18), "day", "May 18")),
        ("Jets struck on 18 May 2016.", (date(2016, 5, 18), "day", "18 May 2016")),
        ("Jets struck on December 3.", (date(2016, 12, 3), "day", "December 3")),  # last year
        ("Jets struck on Tuesday.", (date(2017, 6, 6), "day", "on Tuesday")),
        ("Jets struck yesterday.", (date(2017, 6, 7), "day", "yesterday")),
        ("Jets struck last week.", (date(2017, 6, 1), "week", "last week")),
        ("Jets struck in April.", (date(2017, 4, 15), "month", "in April")),
        ("Militias recently advanced.", (date(2017, 6, 1), "approximate", "recently")),
        ("Jets struck a convoy.", (PUBLISHED, "reported", "")),
        ("Jets struck on 2017-02-30.", (PUBLISHED, "reported", "")),  # not a date
    ],
)
def test_dates_resolve_against_the_article_date(text, expected):
    assert resolve_date(text, PUBLISHED) == expected


def test_without_an_article_date_relative_dates_stay_unknown():
    assert resolve_date("Jets struck on Tuesday.", None) == (None, None, "on Tuesday")
    assert resolve_date("Jets struck on 18 May 2016.", None)[0] == date(2016, 5, 18)


def _events(text, gazetteer, published=PUBLISHED):
    doc = document_from_text(text, published=published)
    return extract_events(doc, geoparse(doc, gazetteer))


def test_the_sample_airstrike(gazetteer, sample_doc):
    events = extract_events(sample_doc, geoparse(sample_doc, gazetteer))
    strike = events[0]
    assert strike.kind == "airstrike"
    assert (strike.date, strike.date_precision) == (date(2017, 5, 18), "day")
    assert strike.place.kind == "relative"  # northeast of al Tanf, not al Tanf itself
    assert "al Tanf" in strike.place.name
    assert "Coalition aircraft" in strike.actors
    assert "pro-regime forces" in strike.actors


def test_reporting_places_are_not_where_it_happened(gazetteer):
    text = (
        "Coalition jets struck militias advancing near Rukban on Tuesday, US officials in "
        "Washington said."
    )
    (event,) = _events(text, gazetteer)
    assert event.place.name == "near Rukban camp"
    assert event.date == date(2017, 6, 6)


def test_actors_as_written(gazetteer):
    (event,) = _events("Iraqi Shiite paramilitaries recaptured Sinjar last week.", gazetteer)
    assert event.kind == "recapture"
    assert event.actors == ("Iraqi Shiite paramilitaries",)
    assert event.date_precision == "week"


def test_same_event_reported_twice_is_merged_keeping_sources(gazetteer):
    a = _events("Jets struck a convoy near al Tanf on May 18.", gazetteer)
    b = _events(
        "A convoy was struck by coalition aircraft at al Tanf on Thursday.",
        gazetteer,
        published=date(2017, 5, 19),
    )
    c = _events("Jets struck a convoy in Raqqa on May 18.", gazetteer)
    merged = merge_events(a + b + c)
    assert len(merged) == 2
    first = merged[0]
    assert first.sources == (a[0].document_id, b[0].document_id)
    assert first.date == date(2017, 5, 18)
