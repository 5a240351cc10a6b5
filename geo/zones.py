"""Zones: read and validate zone files, build geodesic shapes, measure places against zones.

Every length here is geodesic on the WGS84 ellipsoid (pyproj ``Geod``): a "55 km" zone is the
set of points 55 km from its centre along the earth, not a circle of 0.5 degrees, which would be
an ellipse 46 km wide at al Tanf's latitude. Distances from a place to a zone edge are measured in
an azimuthal equidistant projection centred on the place, where distance from the centre is the
true geodesic distance.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import shapely.errors
from pyproj import CRS, Geod, Proj, Transformer
from shapely.geometry import Point, Polygon, mapping, shape
from shapely.geometry.polygon import orient

from .coords import check_latlon
from .errors import ZoneFileError
from .gazetteer import DATA_DIR
from .model import ZONE_KINDS, Membership, Place, Zone

__all__ = [
    "DEFAULT_ZONES",
    "GEOD",
    "BulkMembership",
    "antimeridian_safe",
    "buffer_km",
    "check_zone_file",
    "geodesic_circle",
    "geodesic_distance_km",
    "load_zones",
    "measure",
    "measure_bulk",
    "rfc7946",
    "rounded_geometry",
    "zone_distance_km",
    "zone_from_drawing",
    "zones_from_bytes",
    "zones_from_features",
    "zones_to_geojson",
]

GEOD = Geod(ellps="WGS84")
DEFAULT_ZONES = DATA_DIR / "zones"
CIRCLE_VERTICES = 360
_WGS84 = CRS.from_epsg(4326)


def geodesic_circle(lat: float, lon: float, radius_km: float, vertices: int = CIRCLE_VERTICES):
    """A polygon (lon, lat) whose vertices all lie ``radius_km`` from the centre, geodesically."""
    check_latlon(lat, lon)
    azimuths = [360.0 * i / vertices for i in range(vertices)]
    lons, lats, _ = GEOD.fwd(
        [lon] * vertices, [lat] * vertices, azimuths, [radius_km * 1000.0] * vertices
    )
    return antimeridian_safe(orient(Polygon(list(zip(lons, lats, strict=True))), 1.0))


@lru_cache(maxsize=4096)
def _aeqd(lat: float, lon: float) -> tuple[Transformer, Transformer]:
    """Transformers to and from an azimuthal equidistant projection centred on (lat, lon);
    cached because building a projection costs far more than using it."""
    crs = CRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m")
    forward = Transformer.from_crs(_WGS84, crs, always_xy=True)
    back = Transformer.from_crs(crs, _WGS84, always_xy=True)
    return forward, back


def _project(geom, transformer: Transformer):
    """Apply a pyproj transformer to every coordinate of a shapely geometry (vectorised)."""

    def apply(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, apply)


def buffer_km(geometry, km: float):
    """A true-kilometre buffer (lon, lat in and out): projected around the geometry's centre,
    buffered in metres, projected back. Widths are exact at the centre and within 0.5% up to
    1,000 km from it; never a buffer in degrees."""
    lon, lat = _centre(geometry)
    forward, back = _aeqd(lat, lon)
    projected = _project(shapely.segmentize(geometry, 0.05), forward)
    return antimeridian_safe(rfc7946(_project(projected.buffer(km * 1000.0), back)))


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


def _unwrapped_lines(geom):
    """Lines in continuous longitudes, so a corridor across the antimeridian is buffered
    the short way round."""
    lines = [shapely.LineString(_unwrapped(np.asarray(g.coords))) for g in shapely.get_parts(geom)]
    return lines[0] if len(lines) == 1 else shapely.MultiLineString(lines)


def _centre(geom) -> tuple[float, float]:
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


def _cut(geom) -> bool:
    """Whether a zone reaches the antimeridian from both sides (cut there, or round a pole):
    its edges along ±180 are cuts, not edges."""
    xmin, _, xmax, _ = geom.bounds
    return xmin <= -180.0 and xmax >= 180.0


def _check_coords(geom, where: str) -> None:
    xmin, ymin, xmax, ymax = geom.bounds
    if not (-180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90):
        raise ZoneFileError(
            f"{where}: coordinates out of range (GeoJSON order is [longitude, latitude])"
        )


#: The smallest radius or width a zone may have: 10 m. Below it a circle or corridor has no
#: area worth the name, and at 1e-300 km the geometry is NaN.
MIN_SIZE_KM = 0.01


def _number_in(value: Any, low: float, high: float) -> bool:
    """A JSON number (not a boolean: ``true`` is not 1 km) within [low, high]."""
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and low <= value <= high
    )


def _why(err: BaseException) -> str:
    """A library's error as one readable clause (no numpy internals, no stray newlines)."""
    text = " ".join(str(err).split())
    if isinstance(err, RecursionError):
        return "nested too deeply"
    if "gufunc" in text or "signature" in text or "dimension" in text:
        return "coordinates must be [longitude, latitude] pairs"
    return text[:200] or type(err).__name__


def _zone_from_feature(feature: Any, where: str) -> Zone:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ZoneFileError(f"{where}: not a GeoJSON Feature")
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        raise ZoneFileError(f"{where}: properties must be an object")
    name = str(props.get("name") or props.get("id") or "").strip()
    if not name:
        raise ZoneFileError(f"{where}: a zone needs a 'name' or 'id' property")
    zone_id = str(props.get("id") or name.lower().replace(" ", "-"))
    kind = str(props.get("kind") or "custom")
    if kind not in ZONE_KINDS:
        raise ZoneFileError(f"{where}: unknown kind {kind!r} (one of {', '.join(ZONE_KINDS)})")
    try:
        geom = shape(feature.get("geometry"))
    except (
        AttributeError,
        TypeError,
        ValueError,
        KeyError,
        IndexError,
        RecursionError,
        shapely.errors.ShapelyError,  # "Unknown geometry type", GEOS failures (found by fuzzing)
    ) as err:
        raise ZoneFileError(f"{where}: invalid geometry ({_why(err)})") from err
    if geom.is_empty:
        raise ZoneFileError(f"{where}: empty geometry")
    _check_coords(geom, where)
    props = dict(props)
    if geom.geom_type == "Point":
        radius = props.get("radius_km")
        if not _number_in(radius, MIN_SIZE_KM, 5000):
            raise ZoneFileError(
                f"{where}: a Point zone needs 'radius_km', a number from {MIN_SIZE_KM} to 5000"
            )
        props["center"] = [geom.x, geom.y]
        geom = geodesic_circle(geom.y, geom.x, float(radius))
    elif geom.geom_type in ("LineString", "MultiLineString"):
        width = props.get("width_km")
        if not _number_in(width, MIN_SIZE_KM, 2000):
            raise ZoneFileError(
                f"{where}: a LineString zone needs 'width_km', a number from {MIN_SIZE_KM} to 2000"
            )
        geom = buffer_km(_unwrapped_lines(geom), float(width) / 2)
    elif geom.geom_type in ("Polygon", "MultiPolygon"):
        geom = antimeridian_safe(geom)
        if not geom.is_valid:
            reason = " ".join(shapely.is_valid_reason(geom).split())
            raise ZoneFileError(f"{where}: invalid polygon ({reason})")
    else:
        raise ZoneFileError(f"{where}: unsupported geometry {geom.geom_type}")
    if geom.is_empty or not np.isfinite(shapely.get_coordinates(geom)).all():
        raise ZoneFileError(f"{where}: the zone's shape has no area (check its size)")
    return Zone(id=zone_id, name=name, kind=kind, geometry=geom, properties=props)


def _zone_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in (".geojson", ".json"))
    if not path.exists():
        raise ZoneFileError(f"{path}: no such zone file or folder")
    return [path]


def _file_features(file: Path) -> list:
    """The features of one zone file; file-level problems raise :class:`ZoneFileError`."""
    try:
        data = file.read_bytes()
    except OSError as err:
        raise ZoneFileError(f"{file}: cannot read ({err})") from err
    return _features_of(data, str(file))


def _features_of(data: bytes, name: str) -> list:
    try:
        parsed = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        raise ZoneFileError(f"{name}: not UTF-8 text") from err
    except json.JSONDecodeError as err:
        raise ZoneFileError(f"{name}: invalid JSON at line {err.lineno}") from err
    except RecursionError as err:
        raise ZoneFileError(f"{name}: JSON nested too deeply") from err
    if isinstance(parsed, dict) and parsed.get("type") == "FeatureCollection":
        features = parsed.get("features")
        if not isinstance(features, list):
            raise ZoneFileError(f"{name}: 'features' must be a list")
        return features
    if isinstance(parsed, dict) and parsed.get("type") == "Feature":
        return [parsed]
    raise ZoneFileError(f"{name}: not a GeoJSON FeatureCollection or Feature")


def zones_from_bytes(data: bytes, name: str) -> list[Zone]:
    """Zones from an uploaded zone file's bytes (the dashboard), validated like a file."""
    return zones_from_features(_features_of(data, name), name)


def zones_from_features(features: Iterable[dict], name: str = "zones") -> list[Zone]:
    """Zones from GeoJSON features, each validated; errors name the feature index."""
    return [_zone_from_feature(f, f"{name}: feature {i}") for i, f in enumerate(features)]


def _duplicates(zones: list[Zone]) -> list[str]:
    ids = [z.id for z in zones]
    return sorted({i for i in ids if ids.count(i) > 1})


def load_zones(paths: Iterable[str | Path] | str | Path = DEFAULT_ZONES) -> list[Zone]:
    """Read zone files (GeoJSON Feature or FeatureCollection) and folders of them.

    Raises :class:`ZoneFileError` naming the file and feature index of the first problem, and
    on two zones sharing an id (a membership table keyed by id would silently merge them).
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    zones: list[Zone] = []
    for root in paths:
        for file in _zone_files(Path(root)):
            for i, feature in enumerate(_file_features(file)):
                zones.append(_zone_from_feature(feature, f"{file}: feature {i}"))
    dupes = _duplicates(zones)
    if dupes:
        raise ZoneFileError(f"duplicate zone id(s): {', '.join(dupes)}")
    return zones


#: Properties a zone file may carry; anything else is reported by ``check_zone_file``.
KNOWN_PROPERTIES = frozenset(
    {
        "id",
        "name",
        "kind",
        "radius_km",
        "width_km",
        "source",
        "date",
        "note",
        "description",
        "url",
        "valid_from",
        "valid_to",
        "color",
    }
)


def check_zone_file(path: str | Path) -> tuple[list[Zone], list[str], list[str]]:
    """Validate one zone file completely: (zones, problems, warnings), each problem naming
    the file and feature index. Unlike :func:`load_zones` it does not stop at the first."""
    file = Path(path)
    zones: list[Zone] = []
    problems: list[str] = []
    warnings: list[str] = []
    try:
        features = [f for root in _zone_files(file) for f in _file_features(root)]
    except ZoneFileError as err:
        return [], [str(err)], []
    for i, feature in enumerate(features):
        where = f"{file}: feature {i}"
        try:
            zone = _zone_from_feature(feature, where)
        except ZoneFileError as err:
            problems.append(str(err))
            continue
        zones.append(zone)
        unknown = sorted(set(feature.get("properties") or {}) - KNOWN_PROPERTIES)
        if unknown:
            warnings.append(f"{where}: unknown properties {', '.join(unknown)} (kept as is)")
        if not zone.properties.get("source"):
            warnings.append(f"{where}: no 'source' property: say where the zone comes from")
        if _cut(zone.geometry) and not _cut(shape(feature["geometry"])):
            warnings.append(
                f"{where}: crosses the antimeridian; read the short way across (RFC 7946"
                " section 3.1.9 asks for such shapes cut at ±180)"
            )
    problems += [f"{file}: duplicate zone id {d!r}" for d in _duplicates(zones)]
    return zones, problems, warnings


#: Vertex spacing for point-to-line distances: the error is at most half of it (~0.5 km).
LINE_SPACING_DEG = 0.01


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


def zone_distance_km(lat: float, lon: float, zone: Zone) -> tuple[bool, float]:
    """(inside, signed geodesic km from the point to the zone's edge; negative inside)."""
    center = zone.properties.get("center")
    radius = zone.properties.get("radius_km")
    if center and radius:
        # A circle's edge distance has a closed form: distance to the centre minus the radius.
        _, _, metres = GEOD.inv(lon, lat, center[0], center[1])
        d = metres / 1000.0 - float(radius)
        return d < 0, d
    forward, _ = _aeqd(lat, lon)
    geom = _project(shapely.segmentize(zone.geometry, 0.05), forward)
    if _cut(zone.geometry):  # pieces cut at the antimeridian: the cut is not an edge
        geom = geom.buffer(1.0).buffer(-1.0)
    origin = Point(0.0, 0.0)
    inside = bool(geom.contains(origin))
    d = geom.boundary.distance(origin) / 1000.0
    return inside, -d if inside else d


def measure(places: Iterable[Place], zones: Iterable[Zone]) -> list[Membership]:
    """Every place against every zone: membership and signed edge distance in km."""
    zones = list(zones)
    out = []
    for place in places:
        for zone in zones:
            inside, d = zone_distance_km(place.lat, place.lon, zone)
            out.append(Membership(place.id, zone.id, inside, round(d, 3)))
    return out


#: How far (in degrees, a shortlist bound only) measure_bulk looks for a nearest zone.
NEAREST_MAX_DEG = 2.0


@dataclass(frozen=True)
class BulkMembership:
    """Many points against many zones, as arrays (for corpora and benchmarks).

    ``pairs`` is (2, k): point index and zone index for every point inside a zone, with the
    signed edge distance (negative) in ``pair_km``. ``nearest`` is each point's nearest zone
    (-1 if none lies within about 200 km) and ``nearest_km`` its signed distance to that
    zone's edge (NaN for -1).
    """

    pairs: np.ndarray
    pair_km: np.ndarray
    nearest: np.ndarray
    nearest_km: np.ndarray


def _edge_km(zone: Zone, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Unsigned geodesic km from many points to one zone's edge, in one vectorised pass.

    Circles use their closed form. Other zones are projected once into an azimuthal
    equidistant projection centred on the zone, where distances from the centre are exact
    and, within a few hundred km of it, distances to the edge are within about 0.1%.
    """
    if len(lons) == 0:
        return np.zeros(0)
    center = zone.properties.get("center")
    radius = zone.properties.get("radius_km")
    if center and radius:
        n = len(lons)
        _, _, metres = GEOD.inv(np.full(n, center[0]), np.full(n, center[1]), lons, lats)
        return np.abs(metres / 1000.0 - float(radius))
    lon, lat = _centre(zone.geometry)
    # pyproj.Proj builds in ~0.2 ms where a Transformer takes ~3 ms: it matters per zone.
    proj = Proj(proj="aeqd", lat_0=lat, lon_0=lon, datum="WGS84", units="m")
    x, y = proj(lons, lats)
    if _cut(zone.geometry):  # the cut at the antimeridian is not an edge
        edge = _project_with(zone.geometry, proj).buffer(1.0).buffer(-1.0).boundary
    else:
        edge = _project_with(zone.geometry.boundary, proj)
    return shapely.distance(shapely.points(x, y), edge) / 1000.0


def _project_with(geom, proj: Proj):
    """Apply a pyproj ``Proj`` to every coordinate of a densified shapely geometry."""

    def apply(xy: np.ndarray) -> np.ndarray:
        x, y = proj(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(shapely.segmentize(geom, 0.05), apply)


def measure_bulk(lats: np.ndarray, lons: np.ndarray, zones: Sequence[Zone]) -> BulkMembership:
    """Membership of many points in many zones with an STRtree and vectorised predicates;
    signed geodesic distances for every inside pair and for each point's nearest zone."""
    lats = np.asarray(lats, dtype=float)
    lons = np.asarray(lons, dtype=float)
    points = shapely.points(lons, lats)
    geoms = [z.geometry for z in zones]
    if not geoms:
        empty = np.zeros((2, 0), dtype=np.intp)
        n = len(lats)
        return BulkMembership(empty, np.zeros(0), np.full(n, -1), np.full(n, np.nan))
    tree = shapely.STRtree(geoms)
    pairs = tree.query(points, predicate="within")
    inside_any = np.zeros(len(lats), dtype=bool)
    inside_any[pairs[0]] = True
    # Nearest zone: for a point inside zones, the first it is in; for the others, the
    # nearest within NEAREST_MAX_DEG (chosen in degrees as a shortlist only, then measured
    # geodesically below); -1 beyond that.
    nearest = np.full(len(lats), -1, dtype=np.intp)
    first = np.unique(pairs[0], return_index=True)
    nearest[first[0]] = pairs[1][first[1]]
    outside = np.nonzero(~inside_any)[0]
    if len(outside):
        # The shortlist needs no detail: outlines simplified to ~2 km make it several times
        # faster, and the distance reported is measured on the full zone below.
        coarse = shapely.STRtree(shapely.simplify(np.asarray(geoms, dtype=object), 0.02))
        hit_pt, hit_zone = coarse.query_nearest(
            points[outside], max_distance=NEAREST_MAX_DEG, all_matches=False
        )
        nearest[outside[hit_pt]] = hit_zone
    pair_km = np.empty(pairs.shape[1])
    nearest_km = np.full(len(lats), np.nan)
    # Group once by zone (a sort), so each zone is projected and measured in one pass.
    pair_groups = _groups(pairs[1], len(zones))
    near_groups = _groups(nearest, len(zones))
    for z, zone in enumerate(zones):
        sel = pair_groups[z]
        idx = pairs[0][sel]
        pair_km[sel] = -_edge_km(zone, lons[idx], lats[idx])
        near = near_groups[z]
        km = _edge_km(zone, lons[near], lats[near])
        nearest_km[near] = np.where(inside_any[near], -km, km)
    return BulkMembership(pairs, pair_km, nearest, nearest_km)


def _groups(labels: np.ndarray, n: int) -> list[np.ndarray]:
    """Indices of ``labels`` grouped by value 0..n-1 (others ignored), via one stable sort."""
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(n + 1))
    return [order[bounds[i] : bounds[i + 1]] for i in range(n)]


#: Width given to a drawn line, which Leaflet.draw returns without one.
DRAWN_LINE_WIDTH_KM = 10.0


def zone_from_drawing(feature: dict, name: str, *, index: int = 0) -> Zone:
    """A custom zone from a shape drawn on the map (Leaflet.draw GeoJSON).

    Leaflet.draw returns a circle as a Point with ``radius`` in metres and a line with no
    width: both are turned into the zone file's own terms (``radius_km``, ``width_km``) and
    validated like any zone file, so a drawn zone is as trustworthy as a typed one.
    """
    name = " ".join(str(name).split())
    if not name:
        raise ZoneFileError("a drawn zone needs a name")
    geometry = (feature or {}).get("geometry") or {}
    props = {
        "id": f"drawn-{index + 1}-" + "-".join(name.lower().split())[:40],
        "name": name,
        "kind": "custom",
        "source": "drawn in the dashboard",
    }
    radius = ((feature or {}).get("properties") or {}).get("radius")
    if geometry.get("type") == "Point" and radius:
        props["radius_km"] = float(radius) / 1000.0
    if geometry.get("type") == "LineString":
        props["width_km"] = DRAWN_LINE_WIDTH_KM
    drawn = {"type": "Feature", "properties": props, "geometry": geometry}
    return _zone_from_feature(drawn, f"drawn zone {name!r}")


def rounded_geometry(geometry: dict, digits: int = 4) -> dict:
    """A GeoJSON geometry with coordinates rounded (4 digits is about 10 m), for data files."""

    def walk(obj):
        if isinstance(obj, (list, tuple)) and obj and isinstance(obj[0], (int, float)):
            return [round(obj[0], digits), round(obj[1], digits)]
        return [walk(o) for o in obj]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def zones_to_geojson(zones: Iterable[Zone]) -> dict:
    """Zones as an RFC 7946 FeatureCollection (polygons, exterior rings counter-clockwise)."""
    features = []
    for z in zones:
        props = {k: v for k, v in z.properties.items() if k != "center"}
        props.update(id=z.id, name=z.name, kind=z.kind)
        geometry = mapping(rfc7946(z.geometry))
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}


def rfc7946(geom):
    """Exterior rings counter-clockwise, holes clockwise (RFC 7946), for a Polygon or a
    MultiPolygon; other geometries unchanged. User polygons come as drawn, and a buffer or a
    simplified outline may be either kind."""
    if geom.geom_type == "Polygon":
        return orient(geom, 1.0)
    if geom.geom_type == "MultiPolygon":
        return type(geom)([orient(p, 1.0) for p in geom.geoms])
    return geom
