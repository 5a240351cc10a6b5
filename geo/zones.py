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
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import shapely.errors
from pyproj import Proj
from shapely.geometry import Point, mapping, shape

from .errors import ZoneFileError
from .geodesy import (
    GEOD,
    aeqd,
    antimeridian_safe,
    buffer_km,
    centre,
    crosses_cut,
    geodesic_circle,
    project,
    rfc7946,
    unwrapped_lines,
)
from .model import ZONE_KINDS, Membership, Place, Zone
from .paths import DEFAULT_ZONES_DIR

__all__ = [
    "DEFAULT_ZONES",
    "BulkMembership",
    "check_zone_file",
    "load_zones",
    "measure",
    "measure_bulk",
    "rounded_geometry",
    "zone_distance_km",
    "zone_from_drawing",
    "zones_from_bytes",
    "zones_from_features",
    "zones_to_geojson",
]

DEFAULT_ZONES = DEFAULT_ZONES_DIR


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
        geom = buffer_km(unwrapped_lines(geom), float(width) / 2)
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
        if crosses_cut(zone.geometry) and not crosses_cut(shape(feature["geometry"])):
            warnings.append(
                f"{where}: crosses the antimeridian; read the short way across (RFC 7946"
                " section 3.1.9 asks for such shapes cut at ±180)"
            )
    problems += [f"{file}: duplicate zone id {d!r}" for d in _duplicates(zones)]
    return zones, problems, warnings


def zone_distance_km(lat: float, lon: float, zone: Zone) -> tuple[bool, float]:
    """(inside, signed geodesic km from the point to the zone's edge; negative inside)."""
    center = zone.properties.get("center")
    radius = zone.properties.get("radius_km")
    if center and radius:
        # A circle's edge distance has a closed form: distance to the centre minus the radius.
        _, _, metres = GEOD.inv(lon, lat, center[0], center[1])
        d = metres / 1000.0 - float(radius)
        return d < 0, d
    forward, _ = aeqd(lat, lon)
    geom = project(shapely.segmentize(zone.geometry, 0.05), forward)
    if crosses_cut(zone.geometry):  # pieces cut at the antimeridian: the cut is not an edge
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
    lon, lat = centre(zone.geometry)
    # pyproj.Proj builds in ~0.2 ms where a Transformer takes ~3 ms: it matters per zone.
    proj = Proj(proj="aeqd", lat_0=lat, lon_0=lon, datum="WGS84", units="m")
    x, y = proj(lons, lats)
    if crosses_cut(zone.geometry):  # the cut at the antimeridian is not an edge
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
