"""Relative locations: "55 km northeast of al Tanf", "north of Raqqa", "near Rukban".

Each becomes an extra mention whose place is a derived point, with the anchor, the bearing, the
distance and an uncertainty radius, so the map can draw the area it really means instead of a
false-precise dot. Distances and bearings are geodesic (pyproj ``Geod.fwd``).

Defaults, when the text gives no distance: a bare direction ("northeast of X") puts the point
20 km out with a 20 km uncertainty (reports use it for anything from the outskirts to a
day's drive); "near X" keeps the anchor's position with a 10 km uncertainty. A written
distance is trusted to 15% (reporters round), but never better than 2 km.
"""

from __future__ import annotations

import re

from .model import Mention, Place, Relation
from .zones import GEOD

__all__ = [
    "BEARINGS",
    "DEFAULT_DIRECTION_KM",
    "DEFAULT_NEAR_UNCERTAINTY_KM",
    "relative_mentions",
]

BEARINGS = {
    "north": 0.0,
    "northeast": 45.0,
    "east": 90.0,
    "southeast": 135.0,
    "south": 180.0,
    "southwest": 225.0,
    "west": 270.0,
    "northwest": 315.0,
}
DEFAULT_DIRECTION_KM = 20.0
DEFAULT_NEAR_UNCERTAINTY_KM = 10.0
_UNITS = {
    "km": 1.0,
    "kilometers": 1.0,
    "kilometres": 1.0,
    "kilometer": 1.0,
    "kilometre": 1.0,
    "mi": 1.609344,
    "mile": 1.609344,
    "miles": 1.609344,
}

_NEAR_WORDS = ("near", "outside", "close to", "outskirts", "vicinity")
_DIRECTION = r"(north|south|east|west)(?:[- ]?(east|west))?(?:ern)?"
_BEFORE = re.compile(
    r"(?:(?P<num>\d+(?:[.,]\d+)?)[ -]?(?P<unit>km|kilomet(?:er|re)s?|mi|miles?)\s+)?"
    rf"(?P<dir>{_DIRECTION})\s+of\s+(?:the\s+)?$"
    r"|(?P<near>near|outside|close to|on the outskirts of|in the vicinity of)\s+(?:the\s+)?$",
    re.IGNORECASE,
)


def _bearing(match: re.Match) -> float:
    main = match.group(1).lower()
    extra = (match.group(2) or "").lower()
    return BEARINGS[main + extra]


def relative_mentions(text: str, mentions: list[Mention]) -> list[Mention]:
    """Derived mentions for every place mention preceded by a relative phrase."""
    out = []
    for m in mentions:
        if m.place.kind in ("country", "continent", "relative"):
            continue
        window = text[max(0, m.start - 60) : m.start]
        tail = window[-24:].lower()
        if " of" not in tail and not any(word in tail for word in _NEAR_WORDS):
            continue  # cheap test first: most mentions have no relative phrase
        match = _BEFORE.search(window)
        if not match:
            continue
        start = m.start - (len(window) - match.start())
        phrase = text[start : m.end]
        anchor = m.place
        if match.group("near"):
            bearing, distance, uncertainty, given = None, 0.0, DEFAULT_NEAR_UNCERTAINTY_KM, False
            name = ""
        else:
            direction = re.match(_DIRECTION, match.group("dir"), re.IGNORECASE)
            bearing = _bearing(direction)
            if match.group("num"):
                factor = _UNITS[match.group("unit").lower()]
                distance = float(match.group("num").replace(",", ".")) * factor
                uncertainty, given = max(2.0, 0.15 * distance), True
            else:
                distance, uncertainty, given = DEFAULT_DIRECTION_KM, DEFAULT_DIRECTION_KM, False
            name = ""
        # Named as written, anchored on the gazetteer's name: "12 miles north-west of Sinjār".
        name = " ".join(text[start : m.start].split()) + " " + anchor.name
        lat, lon = anchor.lat, anchor.lon
        if bearing is not None and distance > 0:
            lon, lat, _ = GEOD.fwd(anchor.lon, anchor.lat, bearing, distance * 1000.0)
        key = f"{bearing if bearing is not None else 'near'}:{distance:g}"
        place = Place(
            id=f"relative:{anchor.id}:{key}",
            name=name,
            lat=round(lat, 6),
            lon=round(lon, 6),
            kind="relative",
            country_code=anchor.country_code,
            source=f"derived from {anchor.id}",
        )
        relation = Relation(anchor, " ".join(phrase.split()), bearing, distance, uncertainty, given)
        out.append(
            Mention(
                document_id=m.document_id,
                start=start,
                end=m.end,
                surface=phrase,
                place=place,
                confidence=round(m.confidence * (0.9 if given or bearing is None else 0.75), 3),
                precision="near",
                sentence=m.sentence,
                candidates=(),
                relation=relation,
            )
        )
    return out
