"""The pipeline's records: small frozen value objects that every stage reads and writes.

Frozen so that a record handed to the map, the dashboard cache and the exports cannot be changed
behind their backs; plain dataclasses so they stay cheap and picklable (Streamlit caches them).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
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
    "PlaceSummary",
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
class PlaceSummary:
    """One place as every view shows it: its mentions, zones, distances and border standing.

    The popups, the dashboard's places table, the CLI and every export read this one record
    (from :meth:`Analysis.place_summary`), so they cannot disagree about a place.
    """

    place: Place
    mentions: tuple[Mention, ...]
    memberships: tuple[Membership, ...]
    standing: BorderStanding | None

    @property
    def zones(self) -> tuple[str, ...]:
        """Ids of the zones the place lies in."""
        return tuple(m.zone_id for m in self.memberships if m.inside)

    @property
    def distances_km(self) -> dict[str, float]:
        """Signed geodesic km to each zone's edge (negative inside)."""
        return {m.zone_id: m.distance_km for m in self.memberships}

    @property
    def confidence(self) -> float | None:
        """The best confidence any mention gives the place."""
        return max((m.confidence for m in self.mentions), default=None)

    @property
    def precision(self) -> str:
        """How exactly the point stands for the place (see :data:`PRECISIONS`)."""
        return self.mentions[0].precision if self.mentions else "exact"

    @property
    def surfaces(self) -> list[str]:
        """The words the articles used for the place, sorted."""
        return sorted({m.surface for m in self.mentions})

    @property
    def sentences(self) -> list[str]:
        """Every distinct sentence that names the place, in order."""
        return list(dict.fromkeys(m.sentence for m in self.mentions))


@dataclass(frozen=True)
class _Index:
    """Lookups by place and by zone, built once per :class:`Analysis` (a linear scan per
    place made every export quadratic: 1.1 s for 4,000 places)."""

    mentions: dict[str, tuple[Mention, ...]]
    memberships: dict[str, tuple[Membership, ...]]
    standings: dict[str, BorderStanding]
    members: dict[str, tuple[Place, ...]]
    events: dict[str, tuple[Any, ...]]


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

    @cached_property
    def _index(self) -> _Index:
        # Frozen dataclasses still allow cached_property (it writes the instance dict); the
        # index is not a field, so equality, replace() and pickling ignore it.
        mentions: dict[str, list[Mention]] = {}
        for m in self.mentions:
            mentions.setdefault(m.place.id, []).append(m)
        memberships: dict[str, list[Membership]] = {}
        inside: dict[str, set[str]] = {}
        for ms in self.memberships:
            memberships.setdefault(ms.place_id, []).append(ms)
            if ms.inside:
                inside.setdefault(ms.zone_id, set()).add(ms.place_id)
        events: dict[str, list[Any]] = {}
        for e in self.events:
            events.setdefault(e.place.id, []).append(e)
        return _Index(
            mentions={k: tuple(v) for k, v in mentions.items()},
            memberships={k: tuple(v) for k, v in memberships.items()},
            standings=dict(self.standings),
            members={z: tuple(p for p in self.places if p.id in ids) for z, ids in inside.items()},
            events={k: tuple(v) for k, v in events.items()},
        )

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_index", None)  # rebuilt on demand; not worth caching or pickling
        return state

    def mentions_of(self, place_id: str) -> tuple[Mention, ...]:
        """Every mention resolved to ``place_id``, in document order."""
        return self._index.mentions.get(place_id, ())

    def memberships_of(self, place_id: str) -> tuple[Membership, ...]:
        """The place's standing against every zone, zones in file order."""
        return self._index.memberships.get(place_id, ())

    def events_at(self, place_id: str) -> tuple[Any, ...]:
        """Events that happened at the place."""
        return self._index.events.get(place_id, ())

    def place_summary(self, place: Place | str) -> PlaceSummary:
        """Everything the views show about one place (by record or id)."""
        pid = place if isinstance(place, str) else place.id
        record = place if isinstance(place, Place) else self._place(pid)
        return PlaceSummary(
            record, self.mentions_of(pid), self.memberships_of(pid), self.standing_of(pid)
        )

    def summaries(self) -> list[PlaceSummary]:
        """A summary per place, in the order the places were first mentioned."""
        return [self.place_summary(p) for p in self.places]

    def _place(self, place_id: str) -> Place:
        for p in self.places:
            if p.id == place_id:
                return p
        raise KeyError(place_id)

    def zones_of(self, place_id: str) -> tuple[str, ...]:
        """Ids of the zones the place lies in."""
        return tuple(m.zone_id for m in self.memberships_of(place_id) if m.inside)

    def standing_of(self, place_id: str) -> BorderStanding | None:
        """The place's country and nearest border (None for countries and continents)."""
        return self._index.standings.get(place_id)

    def members_of(self, zone_id: str) -> tuple[Place, ...]:
        """Places that lie in the zone."""
        return self._index.members.get(zone_id, ())
