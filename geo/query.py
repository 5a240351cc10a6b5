"""Which events an analyst asks for: in a zone or near it, near a point, in a date range.

One :class:`EventQuery` is answered two ways with the same result: in memory here (the SQLite
store and INPUT files), and by the database when the store is PostGIS
(:meth:`geo.pgstore.PostgisStore.query_events`), where spatial indexes make it fast on
millions of events. The meaning is the zones module's: a point is in a zone when the zone's
polygon contains it (an edge point is outside), and distances are geodesic on WGS84.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from .coords import haversine_km
from .errors import InputError
from .events import Event

if TYPE_CHECKING:
    from .model import Zone

__all__ = ["EventQuery"]


@dataclass(frozen=True)
class EventQuery:
    """``zone``: events inside it, or within ``within_km`` of its edge when that is above 0;
    ``near`` (lat, lon): events within ``within_km`` of that point; ``since``/``until``:
    dates, both ends included (undated events are left out once either is given);
    ``kinds``: event kinds to keep (all when empty)."""

    zone: Zone | None = None
    within_km: float = 0.0
    near: tuple[float, float] | None = None
    since: date | None = None
    until: date | None = None
    kinds: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.within_km >= 0:  # also refuses NaN
            raise InputError(f"--within-km must be 0 or more, not {self.within_km}")
        if self.near is not None:
            lat, lon = self.near
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise InputError(f"--near {lat},{lon}: latitude or longitude out of range")
            if self.within_km <= 0:
                raise InputError("--near needs --within-km above 0")
        if self.since and self.until and self.since > self.until:
            raise InputError(f"--since {self.since} is after --until {self.until}")

    @property
    def empty(self) -> bool:
        """Asks for nothing in particular: every event."""
        return self == EventQuery()

    def matches(self, event: Event) -> bool:
        if self.kinds and event.kind not in self.kinds:
            return False
        if self.since is not None or self.until is not None:
            if event.date is None:
                return False
            if self.since is not None and event.date < self.since:
                return False
            if self.until is not None and event.date > self.until:
                return False
        lat, lon = event.place.lat, event.place.lon
        if self.near is not None:
            # A cheap bound first (the sphere is within 0.5% of the ellipsoid), then geodesic.
            if haversine_km(lat, lon, *self.near) > self.within_km * 1.01 + 1:
                return False
            if _geodesic_km(lat, lon, *self.near) > self.within_km:
                return False
        if self.zone is not None:
            from .zones import zone_distance_km

            inside, distance = zone_distance_km(lat, lon, self.zone)
            if not inside and not (self.within_km > 0 and distance <= self.within_km):
                return False
        return True

    def box(self) -> tuple[float, float, float | None, float | None] | None:
        """A (lat) south, north and (lon) west, east box that holds every event this query
        can select, for a store to narrow with an index before the exact test; None when
        the query has no place in it. The longitudes are None near a pole or across the
        antimeridian, where a box in longitude would not hold."""
        if self.zone is not None:
            west, south, east, north = self.zone.geometry.bounds
        elif self.near is not None:
            south = north = self.near[0]
            west = east = self.near[1]
        else:
            return None
        dlat = self.within_km / 110.5 + 0.01
        south, north = south - dlat, north + dlat
        widest = max(abs(south), abs(north))
        if widest >= 89.0:
            return south, north, None, None
        dlon = self.within_km / (111.32 * math.cos(math.radians(widest))) + 0.01
        if west - dlon < -180.0 or east + dlon > 180.0:
            return south, north, None, None
        return south, north, west - dlon, east + dlon

    def apply(self, events: Iterable[Event]) -> list[Event]:
        """The events this query selects, in the order given. Many events against a zone are
        measured at once (:func:`geo.zones.measure_bulk`, the same answers as the per-point
        path)."""
        if self.zone is None:
            return [e for e in events if self.matches(e)]
        from .zones import NEAREST_MAX_KM, measure_bulk

        rest = [e for e in events if replace(self, zone=None, near=None, within_km=0.0).matches(e)]
        if self.near is not None:
            rest = [e for e in rest if replace(self, zone=None).matches(e)]
        if len(rest) < 50 or self.within_km > NEAREST_MAX_KM:
            return [e for e in rest if self.matches(e)]
        import numpy as np

        lats = np.array([e.place.lat for e in rest])
        lons = np.array([e.place.lon for e in rest])
        bulk = measure_bulk(lats, lons, [self.zone])
        keep = np.zeros(len(rest), dtype=bool)
        keep[bulk.pairs[0]] = True
        if self.within_km > 0:
            keep |= (bulk.nearest == 0) & (bulk.nearest_km <= self.within_km)
        return [e for e, k in zip(rest, keep, strict=True) if k]


def _geodesic_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    from .geodesy import GEOD

    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2]) / 1000.0
