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

import itertools
import re

from .model import Mention, Place, Relation

__all__ = [
    "BEARINGS",
    "DEFAULT_DIRECTION_KM",
    "DEFAULT_NEAR_UNCERTAINTY_KM",
    "border_mentions",
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

_DIRECTION = r"(north|south|east|west)(?:(?<=north|south)[- ]?(east|west))?(?:ern)?"
_NEAR = r"near|outside|close to|on the outskirts of|in the vicinity of"
#: How a relative phrase ends: the cheap test (``str.endswith``) run on every mention first.
_PHRASE_ENDS = ("of", "near", "outside", "to")
_BEFORE = re.compile(
    r"(?=[\dnsewociNSEWOCI])\b(?:"  # fail at once where no phrase can start
    r"(?:(?P<num>\d+(?:[.,]\d+)?)[ -]?(?P<unit>km|kilomet(?:er|re)s?|mi|miles?)\s+)?"
    rf"(?P<dir>{_DIRECTION})\s+of\s+(?:the\s+)?$"
    rf"|(?P<near>{_NEAR})\s+(?:the\s+)?$)",
    re.IGNORECASE,
)


def _bearing(match: re.Match) -> float:
    main = match.group(1).lower()
    extra = (match.group(2) or "").lower()
    return BEARINGS[main + extra]


_BORDER_AFTER = re.compile(r"\s*[-–/]\s*$")
_BORDER_TAIL = re.compile(r"\s+border\b", re.IGNORECASE)
_BORDER_BETWEEN = re.compile(r"border\s+between\s+(?:the\s+)?$", re.IGNORECASE)
_AND = re.compile(r"\s+and\s+(?:the\s+)?$")
#: Where on a shared border a story sits when no place in it is near the border.
BORDER_LOCAL_KM = 300.0


def border_mentions(text: str, mentions: list[Mention]) -> list[Mention]:
    """ "The Syria-Iraq border", "the border between Syria and Iraq": a point on the shared line.

    The point is where the story's own places meet the border when some lie within
    ``BORDER_LOCAL_KM`` of it (al Tanf puts "the Syria-Iraq border" at its southern end),
    else the border's midpoint; the uncertainty is then half the border's length.
    """
    if "order" not in text and "ORDER" not in text:  # no "border" at all: most texts
        return []
    countries = [m for m in mentions if m.place.kind == "country" and m.relation is None]
    if len(countries) < 2:
        return []
    locals_: list[Place] | None = None  # the story's exact places, gathered if a border is named
    located: dict[str, tuple[Place, float] | None] = {}
    out = []
    for first, second in itertools.pairwise(countries):
        between = text[first.end : second.start]
        tail = _BORDER_TAIL.match(text, second.end)
        if _BORDER_AFTER.search(between) is not None and between.strip() in "-–/" and tail:
            start, end = first.start, tail.end()
        elif _AND.fullmatch(between) and (
            before := _BORDER_BETWEEN.search(text, max(0, first.start - 40), first.start)
        ):
            start, end = before.start(), second.end
        else:
            continue
        a, b = first.place, second.place
        if a.country_code == b.country_code:
            continue
        codes = "-".join(sorted((a.country_code, b.country_code)))
        if codes not in located:
            if locals_ is None:
                exact = (m.place for m in mentions if m.precision == "exact" and not m.relation)
                locals_ = list({p.id: p for p in exact}.values())
            located[codes] = _locate_border(a, b, codes, locals_)
        found = located[codes]
        if found is None:
            continue
        anchor, uncertainty = found
        phrase = text[start:end]
        place = Place(
            id=f"relative:border:{codes}:{anchor.lat:.3f},{anchor.lon:.3f}",
            name=f"{a.name}–{b.name} border",
            lat=anchor.lat,
            lon=anchor.lon,
            kind="relative",
            source=anchor.source,
        )
        out.append(
            Mention(
                document_id=first.document_id,
                start=start,
                end=end,
                surface=phrase,
                place=place,
                confidence=round(min(first.confidence, second.confidence) * 0.8, 3),
                precision="near",
                sentence=first.sentence,
                relation=Relation(anchor, " ".join(phrase.split()), None, 0.0, uncertainty),
            )
        )
    return out


def _locate_border(a: Place, b: Place, codes: str, locals_: list[Place]):
    """(anchor place on the shared border, uncertainty km), or None if they share none."""
    # Geometry only when the text names a border: plain geoparsing needs no shapely.
    from shapely.geometry import Point

    from .borders import load_borders
    from .geodesy import GEOD

    line = load_borders().shared_border(a.country_code, b.country_code)
    if line is None:
        return None
    length_km = GEOD.geometry_length(line) / 1000.0
    near = [
        p
        for p in locals_
        if GEOD.inv(p.lon, p.lat, *_nearest(line, p))[2] / 1000.0 <= BORDER_LOCAL_KM
    ]
    if near:
        lon = sum(p.lon for p in near) / len(near)
        lat = sum(p.lat for p in near) / len(near)
        point = line.interpolate(line.project(Point(lon, lat)))
        uncertainty = min(100.0, length_km / 2)
    else:
        point = line.interpolate(0.5, normalized=True)
        uncertainty = length_km / 2
    anchor = Place(
        id=f"border:{codes}",
        name=f"{a.name}–{b.name} border",
        lat=round(point.y, 6),
        lon=round(point.x, 6),
        kind="region",
        source="shared boundary of Natural Earth outlines (data/borders.geojson)",
    )
    return anchor, uncertainty


def _nearest(line, place: Place) -> tuple[float, float]:
    from shapely.geometry import Point

    point = line.interpolate(line.project(Point(place.lon, place.lat)))
    return point.x, point.y


def relative_mentions(text: str, mentions: list[Mention]) -> list[Mention]:
    """Derived mentions for every place mention preceded by a relative phrase, and for
    borders named by their two countries."""
    out = border_mentions(text, mentions)
    for m in mentions:
        if m.place.kind in ("country", "continent", "relative"):
            continue
        words = text[max(0, m.start - 16) : m.start].rstrip().lower()
        if words.endswith(" the"):
            words = words[:-4].rstrip()
        if not words.endswith(_PHRASE_ENDS):
            continue  # most mentions have no relative phrase: decide that without a regex
        window = text[max(0, m.start - 60) : m.start]
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
            assert direction is not None  # the phrase pattern matched this very text
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
            from .geodesy import GEOD

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
