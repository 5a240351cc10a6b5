"""Coordinate order, stated once.

GeoJSON and shapely speak (lon, lat); folium, Leaflet and geopy speak (lat, lon). Every boundary
crossing goes through these helpers so that a swapped pair is caught where it happens instead of
showing up as a dot in the Indian Ocean.
"""

from __future__ import annotations

import math

__all__ = ["check_latlon", "haversine_km", "latlon_of", "lonlat_of"]


def check_latlon(lat: float, lon: float) -> tuple[float, float]:
    """Return ``(lat, lon)`` as floats, raising ``ValueError`` when either is out of range."""
    lat, lon = float(lat), float(lon)
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise ValueError(f"latitude {lat} is outside -90..90")
    if not (math.isfinite(lon) and -180.0 <= lon <= 180.0):
        raise ValueError(f"longitude {lon} is outside -180..180")
    return lat, lon


def latlon_of(lon: float, lat: float) -> tuple[float, float]:
    """(lon, lat) as GeoJSON/shapely give it -> (lat, lon) for folium/geopy."""
    lat, lon = check_latlon(lat, lon)
    return lat, lon


def lonlat_of(lat: float, lon: float) -> tuple[float, float]:
    """(lat, lon) as folium/geopy give it -> (lon, lat) for GeoJSON/shapely."""
    lat, lon = check_latlon(lat, lon)
    return lon, lat


#: Mean earth diameter in km (haversine on a sphere of radius 6,371 km).
_EARTH_DIAMETER_KM = 12742.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle km on a sphere: within 0.5% of the geodesic, and cheap enough for the hot
    paths (ranking candidates, matching events) where that error does not change a decision."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return _EARTH_DIAMETER_KM * math.asin(min(1.0, math.sqrt(a)))
