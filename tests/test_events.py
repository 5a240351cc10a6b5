"""Events: kind, date against the article's date, actors, and where it happened."""

from datetime import date

import pytest

from geo.coords import haversine_km
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


# -- ACLED-grade coding (issue 16): sentences written for these tests ----------------------


@pytest.mark.parametrize(
    ("text", "event_type", "sub_event_type"),
    [
        (
            "A roadside bomb exploded near Kandahar on Monday.",
            "Explosions/Remote violence",
            "Remote explosive/landmine/IED",
        ),
        (
            "A suicide bomber struck a market in Maiduguri on Monday.",
            "Explosions/Remote violence",
            "Suicide bomb",
        ),
        (
            "A drone strike hit a house in Mogadishu on Monday.",
            "Explosions/Remote violence",
            "Air/drone strike",
        ),
        ("Police detained 40 people in Tbilisi on Monday.", "Strategic developments", "Arrests"),
        ("Thousands protested in Tbilisi on Monday.", "Protests", "Peaceful protest"),
        (
            "Police fired tear gas to disperse protesters in Tbilisi on Monday.",
            "Protests",
            "Protest with intervention",
        ),
        ("Rioters torched shops in Nairobi on Monday.", "Riots", "Violent demonstration"),
        (
            "Gunmen attacked villagers in Zamfara on Monday, killing 12.",
            "Violence against civilians",
            "Attack",
        ),
        ("Militants attacked an army base in Mopti on Monday.", "Battles", "Armed clash"),
        (
            "Gunmen kidnapped 20 students in Kaduna on Monday.",
            "Violence against civilians",
            "Abduction/forced disappearance",
        ),
        ("Troops fired on rebels near Goma on Monday.", "Battles", "Armed clash"),
        ("Rebels and soldiers skirmished near Goma on Monday.", "Battles", "Armed clash"),
        (
            "Gunmen beheaded three farmers near Mocimboa da Praia on Monday.",
            "Violence against civilians",
            "Attack",
        ),
        (
            "Youths hurled petrol bombs at police in Belfast on Monday.",
            "Riots",
            "Violent demonstration",
        ),
        (
            "The two sides signed a ceasefire in Doha on Monday.",
            "Strategic developments",
            "Agreement",
        ),
    ],
)
def test_acled_types(gazetteer, text, event_type, sub_event_type):
    (event,) = _events(text, gazetteer)
    assert (event.event_type, event.sub_event_type) == (event_type, sub_event_type)


@pytest.mark.parametrize(
    ("text", "modality"),
    [
        ("Two men plotted to attack a police station in Kano, prosecutors said.", "planned"),
        ("The group threatened to attack Kano.", "threatened"),
        ("Officials warned of attacks on Kano.", "warned"),
        ("If the army advances, fighting could break out in Kano.", "hypothetical"),
        ("Kano looks to be the site of a potential clash.", "hypothetical"),
        ("Will fighting reach Kano?", "question"),
        ("The army denied shelling Kano.", "denied"),
        ("The governor condemned the attack on Kano.", "condemned"),
        ("The sergeant had deployed numerous times to Afghanistan.", "background"),
        ("The militia has advanced toward Kano.", "background"),  # undated: a trend
        ("There were no arrests in Kano on Monday.", "denied"),
        ("The minister blamed rebels for organising the bombing in Kano.", "referred"),
        ("Jihadists have fought the army around Kano since 2011.", "historical"),
    ],
)
def test_what_did_not_happen_is_not_an_event(gazetteer, text, modality):
    assert _events(text, gazetteer) == []
    doc = document_from_text(text, published=PUBLISHED)
    unreal = extract_events(doc, geoparse(doc, gazetteer), include_unreal=True)
    assert [e.modality for e in unreal] == [modality]


def test_an_arrest_for_a_plot_is_an_arrest(gazetteer):
    (event,) = _events(
        "Police arrested two teenagers in Kano accused of plotting an attack.", gazetteer
    )
    assert (event.kind, event.sub_event_type) == ("arrest", "Arrests")
    assert event.actor1 == "Police"


def test_history_older_than_the_story_is_not_news(gazetteer):
    assert _events("An August 2015 drone strike killed his brother in Mogadishu.", gazetteer) == []


def test_the_dateline_and_the_speaking_capital_are_not_where_it_happened(gazetteer):
    (shelled,) = _events(
        "BEIRUT (AP) — Turkish artillery shelled Qamishli on Monday, activists said.", gazetteer
    )
    assert shelled.place.name.startswith("Al Qāmishlī") or "Qamishli" in shelled.place.name
    said = _events("Tbilisi says the separatists attacked Nuli on Monday.", gazetteer)
    assert all(e.place.name != "Tbilisi" for e in said)  # Nuli is unknown: no event at all


def test_part_of_a_country_is_that_part(gazetteer):
    (event,) = _events("Gunmen attacked villagers in eastern Chad on Monday.", gazetteer)
    chad = gazetteer.country("TD")
    assert event.place.lon > chad.lon + 2  # the east of Chad, not its middle
    assert event.geo_precision == 2


def test_the_battle_takes_its_date_from_the_sentence_before(gazetteer):
    text = (
        "In April, rebel fighters repulsed an ISIS attack in an hours-long battle.\n\n"
        "The battle took place at al Tanf near the Syria-Iraq border."
    )
    (event,) = _events(text, gazetteer)
    assert event.event_type == "Battles"
    assert (event.date, event.date_precision) == (date(2017, 4, 15), "month")
    assert "Tanf" in event.place.name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bombs hit Kano on Dec. 10.", (date(2016, 12, 10), "day", "Dec. 10")),
        ("A strike in August 2015 hit Kano.", (date(2015, 8, 15), "month", "August 2015")),
        ("Jets struck last weekend.", (date(2017, 6, 3), "week", "last weekend")),
        ("Jets struck on Saturday.", (date(2017, 6, 3), "day", "on Saturday")),
        ("Jets struck on Thursday.", (PUBLISHED, "weekday", "on Thursday")),  # likely today
    ],
)
def test_more_dates(text, expected):
    assert resolve_date(text, PUBLISHED) == expected


@pytest.mark.parametrize("published", [date(1, 1, 2), date(9999, 12, 31)])
@pytest.mark.parametrize(
    "text", ["last week", "on Tuesday", "in April", "next week", "last weekend", "yesterday"]
)
def test_no_date_arithmetic_raises_at_the_ends_of_the_calendar(published, text):
    resolve_date(f"Jets struck {text}.", published)  # never OverflowError


def test_a_full_date_in_the_text_dates_a_story_without_a_publication_date(gazetteer):
    doc = document_from_text(
        "Fighting broke out in Kano on 3 May 2024. Jets struck Kano on Saturday."
    )
    events = extract_events(doc, geoparse(doc, gazetteer))
    assert [e.date for e in events] == [date(2024, 5, 3), date(2024, 4, 27)]


def test_fatalities_and_actors(gazetteer):
    (event,) = _events("Gunmen attacked villagers in Zamfara on Monday, killing 12.", gazetteer)
    assert event.fatalities == 12
    assert (event.actor1, event.actor2) == ("Gunmen", "villagers")


def test_merging_does_not_depend_on_order(gazetteer):
    import random

    texts = [
        "Jets struck a convoy near al Tanf on May 18.",
        "Jets struck a convoy near al Tanf on May 19.",
        "Jets struck a convoy near al Tanf on May 20.",
        "Jets struck a convoy near al Tanf on May 21.",
        "Jets struck a convoy in Raqqa on May 18.",
    ]
    events = [e for t in texts for e in _events(t, gazetteer)]
    counts = set()
    for seed in range(6):
        random.Random(seed).shuffle(events)
        counts.add(len(merge_events(events)))
    assert counts == {2}  # a chain of reports a day apart is one event, Raqqa another


def test_events_are_linear_in_the_article(gazetteer, sample_doc):
    from geo.events import extract_events as run

    doc = document_from_text("\n\n".join([sample_doc.text] * 200), published=PUBLISHED)
    mentions = geoparse(doc, gazetteer)
    events = run(doc, mentions)  # was quadratic: every mention scanned for every sentence
    assert len(events) >= 200


def test_every_event_kind_has_one_style_and_one_acled_reading():
    from geo.events import EVENT_KINDS, TAXONOMY
    from geo.mapping.styles import EVENT_STYLES

    assert set(EVENT_KINDS) == set(TAXONOMY)
    assert set(TAXONOMY) <= set(EVENT_STYLES)


def test_an_undated_sentence_takes_the_story_date(gazetteer):
    text = (
        "Gunmen attacked villagers in Zamfara on Monday, killing 12. "
        "Troops later clashed with the gunmen near Gusau."
    )
    events = _events(text, gazetteer)
    assert [e.date for e in events] == [date(2017, 6, 5), date(2017, 6, 5)]
    assert events[1].date_precision == "approximate"  # a guess, and marked as one


def test_a_march_that_ends_in_clashes_is_a_riot(gazetteer):
    (event,) = _events("A march in Nanterre on Thursday ended in clashes with police.", gazetteer)
    assert (event.event_type, event.sub_event_type) == ("Riots", "Violent demonstration")


def test_the_charge_after_an_arrest_is_not_a_second_event(gazetteer):
    (event,) = _events(
        "Detectives in Kano arrested a cleric on Friday on charges that he planned a suicide"
        " bombing at a market.",
        gazetteer,
    )
    assert (event.kind, event.sub_event_type) == ("arrest", "Arrests")


def test_arrests_after_violence_are_its_aftermath(gazetteer):
    (event,) = _events(
        "In Lyon, youths smashed windows and looted a bakery on Saturday night, and police made"
        " 30 arrests.",
        gazetteer,
    )
    assert event.event_type == "Riots"  # looting by youths in unrest, not an arrest event


def test_an_arrest_after_an_earlier_career_is_still_an_arrest(gazetteer):
    (event,) = _events(
        "Agents arrested a former marine in Tulsa on Tuesday, the FBI said.", gazetteer
    )
    assert event.kind == "arrest"


def test_firing_into_the_sea_hits_no_one(gazetteer):
    (event,) = _events(
        "North Korea fired a dozen rockets into the sea off Wonsan on Thursday.", gazetteer
    )
    assert (event.event_type, event.sub_event_type) == ("Strategic developments", "Other")


def test_a_city_whose_officials_speak_is_not_the_place(gazetteer):
    (event,) = _events(
        "Artillery shelled the outskirts of Kherson on Monday, Moscow's defence ministry said.",
        gazetteer,
    )
    assert event.place.name == "Kherson"


def test_a_country_is_coarser_than_its_state(gazetteer):
    (event,) = _events(
        "Mobs burned shops in the western Indian state of Gujarat on Monday.", gazetteer
    )
    assert event.place.kind != "country"
    assert "Gujarat" in event.place.name


def test_each_listed_town_is_an_event(gazetteer):
    events = _events(
        "Artillery shelled Sderot and the nearby town of Netivot on Monday.", gazetteer
    )
    assert sorted(e.place.name for e in events) == ["Netivot", "Sderot"]
    (road,) = _events("Soldiers closed the road between Nablus and Ramallah on Monday.", gazetteer)
    assert road.kind == "closure"


def test_a_sentence_without_a_place_goes_on_with_the_paragraph(gazetteer):
    events = _events(
        "Gunmen kidnapped 30 pupils from a school in Kaduna on Monday. Soldiers later exchanged"
        " fire with the kidnappers and freed 12 of them.\n\nPolice said the attack was the"
        " third this year.",
        gazetteer,
    )
    assert [(e.event_type, e.place.name) for e in events] == [
        ("Violence against civilians", "Kaduna"),
        ("Battles", "Kaduna"),
    ]


def test_weapons_found_are_not_a_strike(gazetteer):
    (event,) = _events(
        "Police found mortars and rockets in a barn near Kirkuk on Monday.", gazetteer
    )
    assert (event.event_type, event.sub_event_type) == (
        "Strategic developments",
        "Disrupted weapons use",
    )


def test_only_closures_an_analyst_would_map(gazetteer):
    assert _events("Stock markets in Taipei closed lower on Monday.", gazetteer) == []
    (border,) = _events("Jordan closed its side of the frontier near Ruwaished.", gazetteer)
    assert border.kind == "closure"


def test_killing_villagers_is_an_attack_on_civilians(gazetteer):
    (event,) = _events("Gunmen killed at least nine villagers in Zamfara on Monday.", gazetteer)
    assert event.event_type == "Violence against civilians"
    assert event.fatalities == 9


def test_a_call_for_a_rally_is_not_a_rally(gazetteer):
    assert _events("The opposition called for rallies in Caracas on Saturday.", gazetteer) == []


def test_days_counted_from_the_date_told_before(gazetteer):
    events = _events(
        "Militants stormed a checkpoint in Kirkuk on May 2. The next day, police arrested six"
        " men in Kirkuk. Two days later, jets struck a hideout in Tikrit.",
        gazetteer,
    )
    assert [e.date for e in events] == [date(2017, 5, 2), date(2017, 5, 3), date(2017, 5, 5)]
    assert all(e.date_precision == "day" for e in events)


def test_a_place_the_gazetteer_does_not_know_is_not_the_last_place(gazetteer):
    events = _events(
        "Militants stormed a checkpoint in Kirkuk on May 2. Hours later, jets struck a hideout"
        " near Qaryat Zzyzx.",
        gazetteer,
    )
    assert [e.kind for e in events] == ["attack"]


def test_days_counted_back_from_the_date_told_before(gazetteer):
    events = _events(
        "Jets struck a depot in Kirkuk on May 9. A day earlier, police arrested six men in"
        " Kirkuk. The previous evening, militants stormed a checkpoint in Tikrit.",
        gazetteer,
    )
    assert [e.date for e in events] == [date(2017, 5, 9), date(2017, 5, 8), date(2017, 5, 7)]


def test_overnight_into_a_weekday_is_that_weekday(gazetteer):
    (event,) = _events("Artillery shelled Jermuk overnight into Tuesday.", gazetteer)
    assert event.date == date(2017, 6, 6)  # PUBLISHED is a Thursday


def test_the_same_town_on_two_days_is_two_events(gazetteer):
    events = merge_events(
        _events(
            "Artillery shelled Kherson on Monday. The next day, artillery shelled Kherson again.",
            gazetteer,
        )
    )
    assert [e.date for e in events] == [date(2017, 6, 5), date(2017, 6, 6)]


def test_an_after_clause_tells_a_second_event(gazetteer):
    events = _events(
        "Settlers set fire to cars in Huwara on Sunday night, hours after a gunman shot dead"
        " two men as they drove through the town.",
        gazetteer,
    )
    assert [e.trigger for e in events] == ["set fire", "shot dead"]
    assert {e.place.name for e in events} == {"Huwara"}
    assert (
        _events("Police closed the road near Huwara on Sunday after the attack.", gazetteer)[0].kind
        == "closure"
    )  # "after the attack": one already told, not a second event


def test_an_event_named_again_is_not_a_new_one(gazetteer):
    events = _events(
        "Gunmen attacked a checkpoint in Kirkuk on Monday. In Baghdad, officials said the attack"
        " was the worst this year.",
        gazetteer,
    )
    assert [e.place.name for e in events] == ["Kirkuk"]


def test_an_ambush_on_a_road_between_two_towns_is_on_the_road(gazetteer):
    (event,) = _events(
        "Insurgents ambushed a lorry on the road between Mueda and Mocimboa da Praia on Monday.",
        gazetteer,
    )
    mueda = gazetteer.lookup("Mueda")[0][0]
    assert event.place.kind == "relative"
    assert event.geo_precision == 2
    assert 10 < haversine_km(event.place.lat, event.place.lon, mueda.lat, mueda.lon) < 50


def test_the_event_placed_again_is_refined_not_repeated(gazetteer):
    events = _events(
        "Rebels attacked an army post outside Yei on Tuesday. The clash took place at a"
        " checkpoint in Central Equatoria state.",
        gazetteer,
    )
    assert [e.place.name for e in events] == ["outside Yei"]  # the state is coarser
    spread = _events(
        "Mobs clashed with police in Churachandpur on Wednesday. The clashes spread to Imphal"
        " on Thursday.",
        gazetteer,
    )
    assert len(spread) == 2  # far away: the fighting spreading, a second event


def test_communal_fighting_is_a_riot(gazetteer):
    (event,) = _events(
        "Hundreds of villagers clashed with sticks and stones in Rangamati on Friday.", gazetteer
    )
    assert event.event_type == "Riots"
    (ethnic,) = _events("Ethnic violence broke out in Rangamati on Friday.", gazetteer)
    assert ethnic.event_type == "Riots"


def test_what_rioters_burn_is_the_riot(gazetteer):
    events = _events(
        "Rioters threw stones at police in Derry on Monday night. A car was hijacked and set"
        " alight in Derry, police said.",
        gazetteer,
    )
    assert [e.event_type for e in events] == ["Riots"]


def test_a_visit_due_next_week_is_not_an_event(gazetteer):
    assert _events("An envoy was due in Sanaa next week to press for a truce.", gazetteer) == []


def test_residents_speak_from_where_it_happened(gazetteer):
    (event,) = _events("Residents of Kherson said artillery shelled the port on Monday.", gazetteer)
    assert event.place.name == "Kherson"


def test_later_that_day_counts_from_the_last_date_told_not_a_planned_one(gazetteer):
    events = _events(
        "Protesters marched in Atlanta on 8 February 2025. Two patrol cars were set on fire in"
        " Decatur on 10 February 2025. Organisers called for another march on Saturday. Later"
        " that day, demonstrators gathered in Stonecrest to protest against the arrests.",
        gazetteer,
        published=None,
    )
    assert events[-1].place.name == "Stonecrest"
    assert events[-1].date == date(2025, 2, 10)
