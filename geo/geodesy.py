"""Geodesy in one place: the ellipsoid, distances, circles and true-kilometre buffers.

Every length in Flashpoints is geodesic on the WGS84 ellipsoid (pyproj ``Geod``): a "55 km"
zone is the set of points 55 km from its centre along the earth, not a circle of 0.5 degrees,
which would be an ellipse 46 km wide at al Tanf's latitude. Shapes are built and measured in an
azimuthal equidistant projection centred where it matters, where distance from the centre is
the true geodesic distance. Coordinates are (lon, lat) as shapely and GeoJSON give them, unless
a function takes ``lat, lon`` by name.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer
from shapely.geometry import Polygon
from shapely.geometry.polygon import orient

from .coords import check_latlon, haversine_km

__all__ = [
    "CIRCLE_VERTICES",
    "GEOD",
    "LINE_SPACING_DEG",
    "aeqd",
    "antimeridian_safe",
    "buffer_km",
    "centre",
    "crosses_cut",
    "geodesic_circle",
    "geodesic_distance_km",
    "haversine_km",
    "inverse",
    "project",
    "rfc7946",
    "unwrapped_lines",
]

GEOD = Geod(ellps="WGS84")
CIRCLE_VERTICES = 360
#: Vertex spacing for point-to-line distances: the error is at most half of it (~0.5 km).
LINE_SPACING_DEG = 0.01
_WGS84 = CRS.from_epsg(4326)


def inverse(lon1, lat1, lon2, lat2) -> tuple[np.ndarray, np.ndarray]:
    """(forward azimuth in degrees, metres) from points 1 to points 2, for arrays: what
    ``GEOD.inv`` gives, to a tenth of a millimetre, about three times faster on lines up to a
    few hundred km (bulk membership spends most of its time here).

    Vincenty's inverse in numpy: four rounds settle lines that short; a pair that has not
    settled by then (long or nearly antipodal lines, coincident points) is handed to
    ``GEOD.inv``, so every answer is within micrometres of it.
    """
    lon1, lat1, lon2, lat2 = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (lon1, lat1, lon2, lat2))
    )
    a, f = GEOD.a, GEOD.f
    b = a * (1.0 - f)
    big_l = np.radians(lon2 - lon1)
    tu1 = (1.0 - f) * np.tan(np.radians(lat1))
    tu2 = (1.0 - f) * np.tan(np.radians(lat2))
    cu1 = 1.0 / np.sqrt(1.0 + tu1 * tu1)
    su1 = tu1 * cu1
    cu2 = 1.0 / np.sqrt(1.0 + tu2 * tu2)
    su2 = tu2 * cu2
    cross, dot_s, dot_c = su1 * cu2, su1 * su2, cu1 * cu2
    cu1su2 = cu1 * su2
    lam = big_l
    with np.errstate(invalid="ignore", divide="ignore"):
        for _ in range(4):
            sl, cl = np.sin(lam), np.cos(lam)
            t1 = cu2 * sl
            t2 = cu1su2 - cross * cl
            ss = np.sqrt(t1 * t1 + t2 * t2)
            cs = dot_s + dot_c * cl
            sigma = np.arctan2(ss, cs)
            sa = dot_c * sl / ss
            c2a = 1.0 - sa * sa
            c2sm = cs - 2.0 * dot_s / c2a
            c = f / 16.0 * c2a * (4.0 + f * (4.0 - 3.0 * c2a))
            previous = lam
            lam = big_l + (1.0 - c) * f * sa * (
                sigma + c * ss * (c2sm + c * cs * (-1.0 + 2.0 * c2sm * c2sm))
            )
        u2 = c2a * (a * a - b * b) / (b * b)
        big_a = 1.0 + u2 / 16384.0 * (4096.0 + u2 * (-768.0 + u2 * (320.0 - 175.0 * u2)))
        big_b = u2 / 1024.0 * (256.0 + u2 * (-128.0 + u2 * (74.0 - 47.0 * u2)))
        c2 = c2sm * c2sm
        d_sigma = (
            big_b
            * ss
            * (
                c2sm
                + big_b
                / 4.0
                * (
                    cs * (-1.0 + 2.0 * c2)
                    - big_b / 6.0 * c2sm * (-3.0 + 4.0 * ss * ss) * (-3.0 + 4.0 * c2)
                )
            )
        )
        metres = b * big_a * (sigma - d_sigma)
        sl, cl = np.sin(lam), np.cos(lam)
        azimuth = np.degrees(np.arctan2(cu2 * sl, cu1su2 - cross * cl))
        # Unsettled (|change| over a micrometre on the ground), degenerate or wrapped pairs.
        bad = ~(np.abs(lam - previous) < 1e-12) | ~np.isfinite(metres) | (np.abs(big_l) > 3.0)
    if bad.any():
        az, _, m = GEOD.inv(lon1[bad], lat1[bad], lon2[bad], lat2[bad])
        azimuth[bad] = az
        metres[bad] = m
    return azimuth, metres


def geodesic_circle(lat: float, lon: float, radius_km: float, vertices: int = CIRCLE_VERTICES):
    """A polygon (lon, lat) whose vertices all lie ``radius_km`` from the centre, geodesically."""
    check_latlon(lat, lon)
    azimuths = [360.0 * i / vertices for i in range(vertices)]
    lons, lats, _ = GEOD.fwd(
        [lon] * vertices, [lat] * vertices, azimuths, [radius_km * 1000.0] * vertices
    )
    return antimeridian_safe(orient(Polygon(list(zip(lons, lats, strict=True))), 1.0))


@lru_cache(maxsize=4096)
def aeqd(lat: float, lon: float) -> tuple[Transformer, Transformer]:
    """Transformers to and from an azimuthal equidistant projection centred on (lat, lon);
    cached because building a projection costs far more than using it."""
    crs = CRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m")
    forward = Transformer.from_crs(_WGS84, crs, always_xy=True)
    back = Transformer.from_crs(crs, _WGS84, always_xy=True)
    return forward, back


def project(geom, transformer: Transformer):
    """Apply a pyproj transformer to every coordinate of a shapely geometry (vectorised)."""

    def apply(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, apply)


def buffer_km(geometry, km: float):
    """A true-kilometre buffer (lon, lat in and out): projected around the geometry's centre,
    buffered in metres, projected back. Widths are exact at the centre and within 0.5% up to
    1,000 km from it; never a buffer in degrees."""
    lon, lat = centre(geometry)
    forward, back = aeqd(lat, lon)
    projected = project(shapely.segmentize(geometry, 0.05), forward)
    return antimeridian_safe(rfc7946(project(projected.buffer(km * 1000.0), back)))


def geodesic_distance_km(lat: float, lon: float, geometry) -> float:
    """Geodesic km from a point to the nearest point of a (lon, lat) line or polygon edge.

    The geometry is densified to about a kilometre and every vertex measured on the ellipsoid
    at once (vectorised ``Geod.inv``); the nearest vertex is at most half a spacing further
    than the nearest point, which is well inside the outlines' own accuracy.
    """
    dense = shapely.segmentize(geometry, LINE_SPACING_DEG)
    coords = shapely.get_coordinates(dense)
    if len(coords) == 0:
        return math.inf
    n = len(coords)
    _, _, metres = GEOD.inv(np.full(n, lon), np.full(n, lat), coords[:, 0], coords[:, 1])
    return float(np.min(metres)) / 1000.0


def rfc7946(geom):
    """Exterior rings counter-clockwise, holes clockwise (RFC 7946), for a Polygon or a
    MultiPolygon; other geometries unchanged. User polygons come as drawn, and a buffer or a
    simplified outline may be either kind."""
    if geom.geom_type == "Polygon":
        return orient(geom, 1.0)
    if geom.geom_type == "MultiPolygon":
        return type(geom)([orient(p, 1.0) for p in geom.geoms])
    return geom


# -- the antimeridian and the poles (RFC 7946 section 3.1.9) ---------------------------------


def _unwrapped(coords: np.ndarray) -> np.ndarray:
    """Longitudes made continuous: a step of more than 180 degrees between two vertices is
    taken as the short way across the antimeridian, so 170 then -170 becomes 170 then 190."""
    out = np.array(coords, dtype=float)
    steps = np.diff(out[:, 0])
    shift = np.concatenate(
        [[0.0], np.cumsum(np.where(np.abs(steps) > 180, -360.0 * np.sign(steps), 0.0))]
    )
    out[:, 0] += shift
    return out


def _crosses(geom) -> bool:
    """Whether any edge of a polygon or line steps more than 180 degrees of longitude."""
    return any(
        np.any(np.abs(np.diff(shapely.get_coordinates(part)[:, 0])) > 180)
        for part in shapely.get_parts(
            shapely.boundary(geom) if geom.geom_type.endswith("Polygon") else geom
        )
    )


def _unwrapped_polygon(poly: Polygon) -> Polygon:
    """A polygon in continuous longitudes (possibly beyond ±180); a ring that goes once round
    the earth encloses a pole and is closed along it."""
    ring = _unwrapped(np.asarray(poly.exterior.coords))
    turn = ring[-1, 0] - ring[0, 0]
    if abs(turn) > 180:  # round the earth: the pole on the side the ring's latitudes lie
        pole = 90.0 if ring[:, 1].mean() > 0 else -90.0
        ring = np.vstack([ring, [[ring[-1, 0], pole], [ring[0, 0], pole]]])
    centre = ring[:, 0].mean()
    holes = []
    for interior in poly.interiors:
        hole = _unwrapped(np.asarray(interior.coords))
        hole[:, 0] += 360.0 * np.round((centre - hole[:, 0].mean()) / 360.0)
        holes.append(hole)
    return Polygon(ring, holes)


def _split_at_antimeridian(geom):
    """A geometry in continuous longitudes cut at ±180 and each piece moved into range."""
    pieces = []
    for offset in (-360.0, 0.0, 360.0):
        window = shapely.box(-180.0 - offset, -90.0, 180.0 - offset, 90.0)
        part = geom.intersection(window)
        if not part.is_empty:
            pieces += [
                p
                for p in shapely.get_parts(
                    shapely.transform(part, lambda xy, o=offset: xy + np.array([o, 0.0]))
                )
                if p.geom_type == "Polygon" and p.area > 0
            ]
    # A ring round a pole comes back to its own meridian: pieces meeting there are one.
    return shapely.union_all(pieces)


def antimeridian_safe(geom):
    """Polygons that cross the antimeridian or enclose a pole, as GeoJSON must hold them.

    GeoJSON has no way to say "the short way round": a ring from 170°E to 170°W read as
    planar coordinates spans 340 degrees the other way, inside out. RFC 7946 asks writers to
    cut such shapes at the antimeridian; files (and geodesic circles) that do not are read
    here as the short way across, then cut into pieces within ±180. A ring that goes round
    the earth is closed along the pole it encloses.
    """
    if geom.geom_type not in ("Polygon", "MultiPolygon") or not _crosses(geom):
        return geom
    polys = [_unwrapped_polygon(p) for p in shapely.get_parts(geom)]
    pieces = [_split_at_antimeridian(p) for p in polys]
    parts = [q for piece in pieces for q in shapely.get_parts(piece) if q.geom_type == "Polygon"]
    return rfc7946(shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0])


def unwrapped_lines(geom):
    """Lines in continuous longitudes, so a corridor across the antimeridian is buffered
    the short way round."""
    lines = [shapely.LineString(_unwrapped(np.asarray(g.coords))) for g in shapely.get_parts(geom)]
    return lines[0] if len(lines) == 1 else shapely.MultiLineString(lines)


def centre(geom) -> tuple[float, float]:
    """(lon, lat) of a zone's middle, with pieces cut at the antimeridian put back together
    first (their plain centroid would be on the far side of the earth)."""
    xmin, _, xmax, _ = geom.bounds
    if xmax - xmin > 180 and geom.geom_type == "MultiPolygon":
        shifted = shapely.MultiPolygon(
            [
                shapely.transform(p, lambda xy: xy + np.array([360.0, 0.0]))
                if p.bounds[2] <= 0
                else p
                for p in geom.geoms
            ]
        )
        c = shifted.centroid
        return ((c.x + 180.0) % 360.0) - 180.0, c.y
    c = geom.centroid
    return c.x, c.y


def crosses_cut(geom) -> bool:
    """Whether a zone reaches the antimeridian from both sides (cut there, or round a pole):
    its edges along ±180 are cuts, not edges."""
    xmin, _, xmax, _ = geom.bounds
    return xmin <= -180.0 and xmax >= 180.0
