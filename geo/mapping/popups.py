"""Popup HTML for places and events: coordinates, zones, borders and every sentence behind a
place, with the name highlighted. Every article string goes through
:func:`geo.safe.html_text` (articles are hostile input)."""

from __future__ import annotations

from dataclasses import dataclass

from ..borders import load_borders
from ..model import Analysis, Mention, Place
from ..safe import html_text

__all__ = [
    "NEAR_ZONE_KM",
    "PlaceFacts",
    "dms",
    "event_popup",
    "highlighted",
    "place_facts",
    "place_popup",
    "standing_text",
]


#: A popup lists the zones a place is in and those whose edge is within this distance, not
#: every zone in the world (the Korean DMZ has no place in a popup about al Tanf).
NEAR_ZONE_KM = 100.0


@dataclass(frozen=True)
class PlaceFacts:
    """What a popup says about a place, gathered in one place so that the popup reads one
    small record (to be replaced by the model's ``place_summary`` when it lands).

    ``zones`` holds (zone name, inside, km from its edge) for zones the place is in or
    within ``NEAR_ZONE_KM`` of, nearest first.
    """

    country: str | None
    listed_country: str | None
    zones: tuple[tuple[str, bool, float], ...]
    mentions: int
    confidence: float | None


def country_name(code: str | None) -> str | None:
    """English name for an ISO code ("SY" -> "Syria"); None for no code."""
    return load_borders().name_of(code) if code else None


def place_facts(analysis: Analysis, place: Place, zone_names: dict[str, str]) -> PlaceFacts:
    """The country the outlines put the place in (and the gazetteer's, when it differs),
    the zones it is in or near, and how often and how surely the text names it."""
    standing = analysis.standing_of(place.id)
    country = standing.country if standing and standing.country else None
    listed = place.country_code or None
    zones = sorted(
        (
            (zone_names.get(ms.zone_id, ms.zone_id), ms.inside, abs(ms.distance_km))
            for ms in analysis.memberships_of(place.id)
            if ms.inside or ms.distance_km <= NEAR_ZONE_KM
        ),
        key=lambda z: (not z[1], z[2]),
    )
    mentions = analysis.mentions_of(place.id)
    return PlaceFacts(
        country=country_name(country or listed),
        listed_country=country_name(listed) if listed and country and listed != country else None,
        zones=tuple(zones),
        mentions=len(mentions),
        confidence=max((m.confidence for m in mentions), default=None),
    )


def dms(value: float, positive: str, negative: str) -> str:
    """Degrees-minutes-seconds text, e.g. ``33°30'21"N``."""
    hemi = positive if value >= 0 else negative
    v = abs(value)
    deg = int(v)
    minutes = int((v - deg) * 60)
    seconds = round(((v - deg) * 60 - minutes) * 60)
    if seconds == 60:
        minutes, seconds = minutes + 1, 0
    if minutes == 60:
        deg, minutes = deg + 1, 0
    return f"{deg}°{minutes:02d}'{seconds:02d}\"{hemi}"


def highlighted(mention: Mention) -> str:
    """The mention's sentence, escaped, with the mention itself in <mark>."""
    sentence = mention.sentence
    i = sentence.find(" ".join(mention.surface.split()))
    if i < 0:
        return html_text(sentence)
    j = i + len(" ".join(mention.surface.split()))
    return (
        f"{html_text(sentence[:i])}<mark>{html_text(sentence[i:j])}</mark>{html_text(sentence[j:])}"
    )


def standing_text(standing) -> str:
    """One line on where the place stands politically, with the outline's honesty."""
    if standing.status == "disputed":
        where = "In no country in this view (disputed or unclaimed)"
    elif standing.status == "sea":
        where = "At sea"
    else:
        where = f"In {html_text(country_name(standing.country))}"
    if standing.neighbour and standing.distance_km is not None:
        where += (
            f"; {standing.distance_km:.1f} km from the border with"
            f" {html_text(country_name(standing.neighbour))}"
        )
    if standing.side_uncertain:
        where += " <b>(closer than the outlines are accurate: side uncertain)</b>"
    return where


def place_popup(analysis: Analysis, place: Place, zone_names: dict[str, str]) -> str:
    """A place's popup: name, coordinates, one line on its country and border, the zones it
    is in or near, and every sentence that names it."""
    facts = place_facts(analysis, place, zone_names)
    mentions = analysis.mentions_of(place.id)
    rows = [
        f"<b>{html_text(place.name)}</b> <small>({html_text(place.kind)})</small>",
        f"{place.lat:.4f}, {place.lon:.4f} &middot; {dms(place.lat, 'N', 'S')} "
        f"{dms(place.lon, 'E', 'W')}",
    ]
    rel = next((m.relation for m in mentions if m.relation), None)
    if rel is not None:
        bearing = "any direction" if rel.bearing_deg is None else f"bearing {rel.bearing_deg:g}°"
        given = "as written" if rel.distance_given else "default, not in the text"
        rows.append(
            f"From {html_text(rel.anchor.name)}: {bearing}, {rel.distance_km:.1f} km ({given}),"
            f" ± {rel.uncertainty_km:.1f} km"
        )
    standing = analysis.standing_of(place.id)
    if standing is not None:
        # One statement of the country (the outlines'), never "Country: SY" beside "In IQ".
        line = standing_text(standing)
        if facts.listed_country:
            line += f" (the gazetteer lists it under {html_text(facts.listed_country)})"
        rows.append(line)
    elif facts.country:
        rows.append(f"Country: {html_text(facts.country)}")
    for name, inside, km in facts.zones:
        where = f"inside, {km:.1f} km from its edge" if inside else f"{km:.1f} km outside"
        rows.append(f"{html_text(name)}: {where}")
    if mentions:
        rows.append(f"Confidence {facts.confidence:.2f} &middot; {facts.mentions} mention(s)")
        # Every sentence that mentions it, each once; a long corpus scrolls inside the popup.
        quotes = []
        seen: set[str] = set()
        for m in mentions:
            if m.sentence not in seen:
                seen.add(m.sentence)
                quotes.append(f"<blockquote>{highlighted(m)}</blockquote>")
        rows.append('<div class="fp-quotes">' + "".join(quotes) + "</div>")
    return "<br>".join(rows)


def event_popup(event) -> str:
    when = "undated"
    if event.date is not None:
        when = event.date.isoformat()
        if event.date_precision != "day":
            when += f" ({html_text(event.date_precision)}, ± {event.uncertainty_days} days)"
    rows = [
        f"<b>{html_text(event.kind)}</b> &middot; {when}",
        f"Where: {html_text(event.place.name)}",
    ]
    if event.date_text:
        rows.append(f"Date as written: “{html_text(event.date_text)}”")
    if event.actors:
        rows.append("Actors: " + ", ".join(html_text(a) for a in event.actors))
    rows.append(f"<blockquote>{html_text(event.sentence)}</blockquote>")
    rows.append(f"{len(event.sources)} source(s)")
    return "<br>".join(rows)
