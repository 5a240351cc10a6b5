import pytest

from geo.geoparsing import geoparse
from geo.text import document_from_text


def _names(text, gazetteer):
    """Toponyms only: derived relative mentions are tested in test_relative.py."""
    doc = document_from_text(text)
    return [(m.surface, m.place.name) for m in geoparse(doc, gazetteer) if m.relation is None]


def test_sample_mentions_slice_back_to_their_surface(gazetteer, sample_doc):
    mentions = geoparse(sample_doc, gazetteer)
    assert mentions
    for m in mentions:
        assert sample_doc.text[m.start : m.end] == m.surface
        assert 0 < m.confidence <= 1
        assert m.sentence


def test_sample_places_resolve_to_the_right_dots(sample_analysis):
    by_name = {p.name: p for p in sample_analysis.places}
    for name in (
        "al Tanf garrison",
        "al Tanf border crossing",
        "Rukban camp",
        "Ar Raqqah",
        "Syria",
        "Iraq",
        "Jordan",
        "Iran",
    ):
        assert name in by_name
    sinjar = by_name["Sinjār"]
    assert sinjar.country_code == "IQ"  # the Iraqi Sinjar, not the Syrian hamlet
    assert abs(sinjar.lat - 36.32) < 0.05
    assert abs(sinjar.lon - 41.88) < 0.05


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Iranian-backed militias crossed.", [("Iranian", "Iran")]),
        ("The US-led coalition struck.", [("US", "United States")]),
        ("Fighting at the Syria-Iraq border.", [("Syria", "Syria"), ("Iraq", "Iraq")]),
        ("He flew to Raqqa city on Monday.", [("Raqqa city", "Ar Raqqah")]),
        (
            "Trucks left the al Tanf border crossing.",
            [("al Tanf border crossing", "al Tanf border crossing")],
        ),
    ],
)
def test_hyphens_suffixes_and_generic_tails(gazetteer, text, expected):
    assert _names(text, gazetteer) == expected


@pytest.mark.parametrize(
    "text",
    [
        "President Trump spoke to reporters.",
        "Donald Trump spoke to reporters.",
        "The Washington Post reported it.",
        "Mr. Sinjar declined to comment.",
        "May was a quiet month.",
        "Of all the options, none was good.",
        "ISIS claimed the attack.",
        "Checkpoint staff were replaced.",
        "They crossed the Hakari river at dawn.",
        "Troops waited at Panmunjom.",
    ],
)
def test_persons_organisations_and_common_words_are_not_places(gazetteer, text):
    names = _names(text, gazetteer)
    if "Panmunjom" in text:  # "at" is English here, not an Arabic article
        assert names == [("Panmunjom", "Panmunjom")]
    else:
        assert names == []


def test_an_unknown_name_does_not_disturb_the_rest(gazetteer):
    names = _names("Zzyzxqville and Raqqa and Qwertyabad.", gazetteer)
    assert names == [("Raqqa", "Ar Raqqah")]


def test_country_context_picks_the_namesake_in_the_story(gazetteer):
    # Without context the biggest Palmyra wins; a story about Syria wants Tadmur.
    names = _names("Syrian troops retook Palmyra.", gazetteer)
    assert ("Palmyra", "Tadmur") in names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Clashes in Idlib province.", ("Idlib province", "Idlib", "admin1")),
        ("Clashes in Idlib city.", ("Idlib city", "Idlib", "city")),
        ("Militias crossed Anbar.", ("Anbar", "Al Anbar", "admin1")),
        ("Wildfires spread in Alberta.", ("Alberta", "Alberta", "admin1")),
        ("Troops massed in Texas.", ("Texas", "Texas", "admin1")),
        ("Fighting in Tigray.", ("Tigray", "Tigray", "admin1")),
    ],
)
def test_first_level_regions_and_suffixes(gazetteer, text, expected):
    doc = document_from_text(text)
    (m,) = geoparse(doc, gazetteer)
    assert (m.surface, m.place.name, m.place.kind) == expected


def test_an_oblast_without_an_admin_entry_falls_back_to_its_city_as_a_region(gazetteer):
    (m,) = geoparse(document_from_text("Shelling in Donetsk Oblast."), gazetteer)
    assert m.place.name == "Donetsk"
    assert m.precision == "region"


def test_theatre_bias_prefers_the_named_countries(gazetteer):
    from geo.geoparsing import GeoparseOptions

    doc = document_from_text("Fighting near Tripoli.")
    (default,) = [m for m in geoparse(doc, gazetteer) if not m.relation]
    biased = [
        m for m in geoparse(doc, gazetteer, GeoparseOptions(theatre=("LB",))) if not m.relation
    ]
    assert default.place.country_code == "LY"
    assert biased[0].place.country_code == "LB"


@pytest.mark.parametrize(
    ("text", "surface", "name", "country"),
    [
        # a place's own name beats another place's old alternate name
        ("Police in Jayapura arrested two men.", "Jayapura", "Jayapura", "ID"),
        ("Ukrainian troops held Pokrovsk.", "Pokrovsk", "Pokrovsk", "UA"),
        # unknown population (GeoNames 0) is not a hamlet
        ("Balloons landed in Paju, South Korea.", "Paju", "Paju", "KR"),
        # a big-city anchor lends its country: Texas next to El Paso is the state
        (
            "Migrants waited between Ciudad Juárez and El Paso as Texas officials watched.",
            "Texas",
            "Texas",
            "US",
        ),
        # spatial coherence: Uri next to Srinagar is the Kashmiri town, not the Swiss canton
        ("Shelling hit Uri, officials in Srinagar said.", "Uri", "Uri", "IN"),
        # an unbelievable hamlet match does not anchor the story
        (
            "Voters in Arawa met leaders from Port Moresby after talks in Wellington.",
            "Wellington",
            "Wellington",
            "NZ",
        ),
    ],
)
def test_resolution_in_context(gazetteer, text, surface, name, country):
    mentions = {m.surface: m for m in geoparse(document_from_text(text), gazetteer)}
    place = mentions[surface].place
    assert (place.name, place.country_code) == (name, country)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jordan Peterson spoke in Toronto.", [("Toronto", "Toronto")]),
        ("Chad Johnson met officials.", []),
        ("Israel Katz visited Gaza.", [("Gaza", "Gaza")]),
        ("Troops left Chad on Monday.", [("Chad", "Chad")]),
        ("Storms hit the Gulf of Mexico.", [("Gulf of Mexico", "Gulf of Mexico")]),
        ("Tankers left the Gulf on Monday.", [("Gulf", "Gulf")]),
        ("The Jordan River is low.", [("Jordan River", "Jordan River")]),
    ],
)
def test_first_names_and_generic_words_that_are_also_places(gazetteer, text, expected):
    assert _names(text, gazetteer) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A function word that opens the sentence does not make the next name a surname.
        ("In Kharkiv, the region's capital, a missile struck.", [("Kharkiv", "Kharkiv")]),
        ("At Menaka, gunmen attacked a post.", [("Menaka", "Ménaka")]),
        # A demonym shared by France and its territories names France.
        ("The juntas expelled French troops.", [("French", "France")]),
        # A state capital is a place even though a minister shares its name.
        ("The governor in Austin said the buoys would stay.", [("Austin", "Austin")]),
        ("Defense Secretary Lloyd Austin spoke.", []),
    ],
)
def test_names_in_everyday_positions(gazetteer, text, expected):
    assert _names(text, gazetteer) == expected


def test_repeated_names_resolve_the_same_everywhere(gazetteer):
    """Decisions are remembered per name; each occurrence is still its own mention."""
    text = "Fighting near Vovchansk. Shelling in Vovchansk. Vovchansk was quiet later."
    doc = document_from_text(text)
    found = [m for m in geoparse(doc, gazetteer) if m.relation is None]
    assert [m.surface for m in found] == ["Vovchansk"] * 3
    assert len({m.place.id for m in found}) == 1
    assert [m.sentence for m in found] == [
        "Fighting near Vovchansk.",
        "Shelling in Vovchansk.",
        "Vovchansk was quiet later.",
    ]


@pytest.mark.parametrize(
    ("text", "surface", "kind"),
    [
        ("Azerbaijani troops entered Shusha on Sunday.", "Shusha", "town"),
        ("Azerbaijani troops entered Lachin on Sunday.", "Lachin", "town"),
        (
            "Fighting went on in Lachin district, Azerbaijani officials said.",
            "Lachin district",
            "admin1",
        ),
        ("Shelling hit Idlib overnight, Syrian officials said.", "Idlib", "city"),
    ],
)
def test_a_bare_region_name_is_its_namesake_seat(gazetteer, text, surface, kind):
    found = {m.surface: m.place for m in geoparse(document_from_text(text), gazetteer)}
    assert found[surface].kind == kind


def _resolved(text, gazetteer):
    doc = document_from_text(text)
    return {m.surface: m for m in geoparse(doc, gazetteer) if m.relation is None}


def test_a_name_used_for_a_person_is_a_person_everywhere(gazetteer):
    text = (
        "Maria Holt runs the shelter. Holt said the beds were full. "
        "Ms. Holt added that more had come. Later, said Holt, the rain stopped."
    )
    assert _names(text, gazetteer) == []
    # ... unless the words before it make it a place.
    names = _names("Mr. Holt said so. He lives in Holt, Mich., with his family.", gazetteer)
    assert ("Holt", "Holt") in names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Texas A&M won again.", [("Texas", "Texas")]),
        ("Queensland Police arrested two men.", [("Queensland", "Queensland")]),
        ("She studied at the University of Pennsylvania.", [("Pennsylvania", "Pennsylvania")]),
        ("A spokesman for the Paris Police Department declined.", [("Paris", "Paris")]),
        ("The Washington Post and the Google office were closed.", []),
        ("Four men and the White House were named on Christmas Day. He'll see.", []),
    ],
)
def test_places_inside_organisation_names(gazetteer, text, expected):
    assert _names(text, gazetteer) == expected


def test_counties_resolve_to_the_county_not_a_town(gazetteer):
    got = _resolved("Deputies of the Metcalfe County Sheriff's Office closed the road.", gazetteer)
    county = got["Metcalfe County"].place
    assert (county.name, county.country_code, county.admin1) == ("Metcalfe County", "US", "KY")


def test_datelines_and_state_abbreviations(gazetteer):
    text = (
        "FRANKFORT, Ky. (AP) — Lawmakers met. "
        "A man from Bowling Green, Ky., and one from Erie, Pa., spoke."
    )
    mentions = [m for m in geoparse(document_from_text(text), gazetteer) if m.relation is None]
    got = [(m.surface, m.place.name, m.place.admin1, m.role) for m in mentions]
    assert got == [
        ("FRANKFORT", "Frankfort", "KY", "dateline"),
        ("Ky.", "Kentucky", "KY", "dateline"),
        ("Bowling Green", "Bowling Green", "KY", ""),
        ("Ky.", "Kentucky", "KY", ""),
        ("Erie", "Erie", "PA", ""),
        ("Pa.", "Pennsylvania", "PA", ""),
    ]
    from geo.export import mention_record

    assert mention_record(mentions[0])["role"] == "dateline"
    assert "role" not in mention_record(mentions[2])


def test_beirut_dateline_is_the_city(gazetteer):
    got = _resolved("BEIRUT (AP) — Jets struck villages overnight.", gazetteer)
    assert got["BEIRUT"].place.kind == "city"
    assert got["BEIRUT"].role == "dateline"


@pytest.mark.parametrize(
    ("text", "surface", "country"),
    [
        (
            "A fire broke out in London, Ontario, on Sunday. Police in London said little.",
            "London",
            "CA",
        ),
        ("The Kentucky governor visited Edmonton on Tuesday.", "Edmonton", "US"),
        ("Snow closed roads around Edmonton and Calgary.", "Edmonton", "CA"),
    ],
)
def test_the_state_or_province_the_text_names_picks_the_namesake(gazetteer, text, surface, country):
    assert _resolved(text, gazetteer)[surface].place.country_code == country


@pytest.mark.parametrize(
    ("text", "surface", "country"),
    [
        ("Fighting was reported near Tal Afar on Monday, officials said.", "Tal Afar", "IQ"),
        ("Shelling hit Avdiivka overnight.", "Avdiivka", "UA"),
        ("Families fled Stepanakert and Kobani by road.", "Kobani", "SY"),
        ("Aid reached the Zaatari camp, near Mafraq.", "Zaatari camp", "JO"),
        ("Boats crossed the Tigris at dawn.", "Tigris", "IQ"),
        ("Thousands fled Port-au-Prince as gangs advanced.", "Port-au-Prince", "HT"),
    ],
)
def test_well_known_places_in_one_line_alerts(gazetteer, text, surface, country):
    assert _resolved(text, gazetteer)[surface].place.country_code == country


def test_seas_and_disputed_areas_carry_every_country_they_touch(gazetteer):
    from geo.pipeline import analyse_text, filter_analysis

    analysis = analyse_text("Tankers waited in the Strait of Hormuz.", gazetteer=gazetteer)
    strait = next(p for p in analysis.places if p.name == "Strait of Hormuz")
    assert set(strait.country_codes) == {"IR", "OM"}
    assert filter_analysis(analysis, countries=["OM"]).places
    assert not filter_analysis(analysis, countries=["FR"]).mentions


def test_a_stream_over_two_processes_keeps_input_order(gazetteer):
    from geo.pipeline import toponym_records, toponym_stream

    texts = [f"Convoy {i} left Mosul for Erbil." if i % 2 else "Rain in Amman." for i in range(9)]
    expected = [toponym_records(t, gazetteer) for t in texts]
    assert list(toponym_stream(texts, workers=2)) == expected
    assert list(toponym_stream(iter(texts))) == expected  # small: one process


def test_a_common_word_opening_a_sentence_is_not_a_town(gazetteer):
    text = (
        "PORT-AU-PRINCE, Haiti (AP) — Gang members burned a police station in Mirebalais on"
        " Monday. The gang then moved on."
    )
    names = [m.surface for m in geoparse(document_from_text(text), gazetteer)]
    assert "Gang" not in names
    assert "Mirebalais" in names


def test_organisations_named_like_places_are_not_places(gazetteer):
    text = (
        "Soldiers clashed with the Dawlah Islamiyah-Hassan group in Maguindanao. The Free Papua"
        " Organisation denied it. Lagos State Emergency officials said Lagos was flooded."
    )
    names = {m.surface: m.place.kind for m in geoparse(document_from_text(text), gazetteer)}
    assert "Hassan" not in names
    assert "Free" not in names
    assert "Lagos" in names
