"""The pipeline's records: small frozen value objects that every stage reads and writes.

Frozen so that a record handed to the map, the dashboard cache and the exports cannot be changed
behind their backs; plain dataclasses so they stay cheap and picklable (Streamlit caches them).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date
from typing import Any

__all__ = [
    "PLACE_KINDS",
    "PRECISIONS",
    "ZONE_KINDS",
    "Analysis",
    "BorderStanding",
    "Document",
    "Membership",
    "Mention",
    "Place",
    "Relation",
    "Unresolved",
    "Zone",
]

#: The fixed vocabulary of place kinds; the map and the exports style and filter by it.
PLACE_KINDS = (
    "continent",
    "country",
    "admin1",
    "region",
    "city",
    "town",
    "base",
    "facility",
    "crossing",
    "camp",
    "tripoint",
    "river",
    "valley",
    "mountain",
    "corridor",
    "disputed",
    "relative",
    "place",  # an online geocoder's answer of no kind we know
)

#: How precisely a mention is located: the map gives each its own symbol.
PRECISIONS = ("exact", "near", "region", "country")

ZONE_KINDS = ("deconfliction", "border", "tripoint", "corridor", "cluster", "custom")


@dataclass(frozen=True)
class Document:
    """One article after cleaning.

    ``text`` is the cleaned text that mention offsets index. ``segments`` maps it back to the
    source: each ``(clean_start, source_start)`` pair starts a run of characters copied verbatim,
    so offsets can always be reported against the text exactly as the user gave it.
    """

    id: str
    title: str
    text: str
    source: str
    published: date | None = None
    segments: tuple[tuple[int, int], ...] = ((0, 0),)

    def source_offset(self, offset: int) -> int:
        """Translate an offset in :attr:`text` into an offset in the original source text."""
        if len(self.segments) == 1:  # one verbatim run: most texts, and the hot case
            clean_start, source_start = self.segments[0]
            return source_start + (offset - clean_start)
        starts = [clean for clean, _ in self.segments]
        i = max(bisect.bisect_right(starts, offset) - 1, 0)
        clean_start, source_start = self.segments[i]
        return source_start + (offset - clean_start)


@dataclass(frozen=True)
class Place:
    """A resolved location. ``id`` is stable across runs (``geonames:123``, ``curated:al-tanf``)."""

    id: str
    name: str
    lat: float
    lon: float
    kind: str
    country_code: str = ""
    admin1: str = ""
    population: int = 0
    source: str = ""
    #: Every country a sea, strait, river or disputed area lies between or is claimed by
    #: (``country_code`` is at most one of them); empty for places inside one country. Last,
    #: so records built positionally from stored rows (the corpus store) keep their meaning.
    country_codes: tuple[str, ...] = ()

    def in_countries(self, codes) -> bool:
        """Whether the place lies in, borders or is claimed by any of ``codes``."""
        return self.country_code in codes or any(c in codes for c in self.country_codes)


@dataclass(frozen=True)
class Relation:
    """A location given relative to an anchor: "55 km northeast of al Tanf", "near Rukban".

    ``bearing_deg`` is None for "near"; ``distance_km`` is as written or a documented default;
    ``uncertainty_km`` is the radius around the derived point the place could be anywhere in.
    """

    anchor: Place
    phrase: str
    bearing_deg: float | None
    distance_km: float
    uncertainty_km: float
    distance_given: bool = False


@dataclass(frozen=True)
class Mention:
    """A toponym found in a document and the place it was resolved to.

    ``start``/``end`` index the document's cleaned text (end exclusive). ``candidates`` keeps the
    ids of the places that lost, so a user can see why this one won. A relative mention
    ("northeast of al Tanf") has a derived ``place`` of kind ``relative`` and its ``relation``.
    """

    document_id: str
    start: int
    end: int
    surface: str
    place: Place
    confidence: float
    precision: str
    sentence: str
    candidates: tuple[str, ...] = ()
    relation: Relation | None = None
    #: What the mention does in the text beyond naming a place: "dateline" for the reporting
    #: place at the head of an article ("HELENA, Mont. —"), where no event happens.
    role: str = ""


@dataclass(frozen=True)
class Unresolved:
    """A name that reads like a place but that nothing could place, and why.

    Only produced when an online geocoder is in use (offline, unknown words are simply not
    places); keeping them lets the map and the dashboard say what is missing instead of
    silently dropping it.
    """

    document_id: str
    start: int
    end: int
    surface: str
    sentence: str
    reason: str


@dataclass(frozen=True)
class Zone:
    """An area places can fall in. ``geometry`` is a shapely geometry in WGS84 (lon, lat)."""

    id: str
    name: str
    kind: str
    geometry: Any = field(compare=False)
    properties: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Membership:
    """Where a place stands relative to one zone: inside or not, and how far from its edge.

    ``distance_km`` is geodesic and signed: negative inside the zone, positive outside.
    """

    place_id: str
    zone_id: str
    inside: bool
    distance_km: float


@dataclass(frozen=True)
class BorderStanding:
    """Where a point stands politically: its country, the nearest land border and its side.

    ``status`` is ``country`` (inside one), ``disputed`` (on land no country holds in this
    view: the Golan Heights and Abyei in the German view), or ``sea``. ``side_uncertain`` is
    set when the point is closer to the border than the outlines are accurate, so the side
    shown may be wrong (Natural Earth's Syria-Iraq-Jordan tripoint is ~1.8 km off).
    """

    country: str | None
    status: str
    neighbour: str | None
    distance_km: float | None
    side_uncertain: bool


@dataclass(frozen=True)
class Analysis:
    """Everything the map, the dashboard and the exports read, in one object."""

    documents: tuple[Document, ...]
    mentions: tuple[Mention, ...]
    places: tuple[Place, ...]
    zones: tuple[Zone, ...]
    memberships: tuple[Membership, ...]
    countries: tuple[str, ...] = ()
    standings: tuple[tuple[str, BorderStanding], ...] = ()
    unresolved: tuple[Unresolved, ...] = ()
    events: tuple[Any, ...] = ()  # geo.events.Event (defined there: it needs the text rules)

    def mentions_of(self, place_id: str) -> tuple[Mention, ...]:
        """Every mention resolved to ``place_id``, in document order."""
        return tuple(m for m in self.mentions if m.place.id == place_id)

    def memberships_of(self, place_id: str) -> tuple[Membership, ...]:
        """The place's standing against every zone, zones in file order."""
        return tuple(m for m in self.memberships if m.place_id == place_id)

    def zones_of(self, place_id: str) -> tuple[str, ...]:
        """Ids of the zones the place lies in."""
        return tuple(m.zone_id for m in self.memberships_of(place_id) if m.inside)

    def standing_of(self, place_id: str) -> BorderStanding | None:
        """The place's country and nearest border (None for countries and continents)."""
        for pid, standing in self.standings:
            if pid == place_id:
                return standing
        return None

    def members_of(self, zone_id: str) -> tuple[Place, ...]:
        """Places that lie in the zone."""
        inside = {m.place_id for m in self.memberships if m.zone_id == zone_id and m.inside}
        return tuple(p for p in self.places if p.id in inside)
