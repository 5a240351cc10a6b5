"""Popup HTML for places and events: coordinates, zones, borders and every sentence behind a
place, with the name highlighted. Every article string goes through
:func:`geo.safe.html_text` (articles are hostile input)."""

from __future__ import annotations

from ..model import Analysis, Mention, Place
from ..safe import html_text

__all__ = ["dms", "event_popup", "highlighted", "place_popup", "standing_text"]


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
        where = f"In {html_text(standing.country)}"
    if standing.neighbour and standing.distance_km is not None:
        where += (
            f"; {standing.distance_km:.1f} km from the border with {html_text(standing.neighbour)}"
        )
    if standing.side_uncertain:
        where += " <b>(closer than the outlines are accurate: side uncertain)</b>"
    return where


def place_popup(analysis: Analysis, place: Place, zone_names: dict[str, str]) -> str:
    mentions = analysis.mentions_of(place.id)
    rows = [
        f"<b>{html_text(place.name)}</b> <small>({html_text(place.kind)})</small>",
        f"{place.lat:.4f}, {place.lon:.4f} &middot; {dms(place.lat, 'N', 'S')} "
        f"{dms(place.lon, 'E', 'W')}",
    ]
    if place.country_code:
        rows.append(f"Country: {html_text(place.country_code)}")
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
        rows.append(standing_text(standing))
    for ms in analysis.memberships_of(place.id):
        where = "inside" if ms.inside else "outside"
        rows.append(
            f"{html_text(zone_names.get(ms.zone_id, ms.zone_id))}: {where}, "
            f"{abs(ms.distance_km):.1f} km from edge"
        )
    if mentions:
        rows.append(f"Confidence {mentions[0].confidence:.2f} &middot; {len(mentions)} mention(s)")
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
