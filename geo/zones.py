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
from typing import Any, TypeGuard

import numpy as np
import shapely
import shapely.errors
from shapely.geometry import Point, mapping, shape

from .diskcache import cache_key, cached
from .errors import ZoneFileError
from .geodesy import (
    GEOD,
    aeqd,
    antimeridian_safe,
    buffer_km,
    centre,
    crosses_cut,
    geodesic_circle,
    inverse,
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


def _number_in(value: Any, low: float, high: float) -> TypeGuard[float]:
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
    return _features_of(_file_bytes(file), str(file))


def _file_bytes(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as err:
        raise ZoneFileError(f"{file}: cannot read ({err})") from err


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
    Building geodesic circles and corridors takes a good part of a second, so valid zones
    are kept in the on-disk cache, keyed by the files' bytes and the code that builds them.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files = [file for root in paths for file in _zone_files(Path(root))]
    blobs = [_file_bytes(file) for file in files]

    def build() -> list[Zone]:
        zones: list[Zone] = []
        for file, data in zip(files, blobs, strict=True):
            for i, feature in enumerate(_features_of(data, str(file))):
                zones.append(_zone_from_feature(feature, f"{file}: feature {i}"))
        dupes = _duplicates(zones)
        if dupes:
            raise ZoneFileError(f"duplicate zone id(s): {', '.join(dupes)}")
        return zones

    key = cache_key(
        *blobs,
        modules=("zones.py", "geodesy.py", "model.py"),
        dists=("shapely", "pyproj"),
    )
    zones = cached(
        "zones", key, build, valid=lambda v: isinstance(v, list) and all(_is_zone(z) for z in v)
    )
    return list(zones)


def _is_zone(value: Any) -> bool:
    return (
        isinstance(value, Zone)
        and isinstance(value.geometry, shapely.Geometry)
        and not value.geometry.is_empty
        and isinstance(value.properties, dict)
    )


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
    """(inside, signed geodesic km from the point to the zone's edge; negative inside).

    The per-point reference path: a projection centred on the point, where every distance from
    the point is its geodesic length. :func:`measure` and :func:`measure_bulk` give the same
    answers for many points at once. Membership is the zone polygon's own, in (lon, lat) as
    GeoJSON defines it, so a point on the edge is outside.
    """
    inside = bool(shapely.contains_xy(zone.geometry, lon, lat))
    center = zone.properties.get("center")
    radius = zone.properties.get("radius_km")
    if center and radius:
        # A circle's edge distance has a closed form: distance to the centre minus the radius.
        _, _, metres = GEOD.inv(lon, lat, center[0], center[1])
        d = metres / 1000.0 - float(radius)
        return inside, -abs(d) if inside else abs(d)
    forward, _ = aeqd(lat, lon)
    geom = project(shapely.segmentize(zone.geometry, EDGE_SPACING_DEG), forward)
    if crosses_cut(zone.geometry):  # pieces cut at the antimeridian: the cut is not an edge
        geom = geom.buffer(1.0).buffer(-1.0)
    d = geom.boundary.distance(Point(0.0, 0.0)) / 1000.0
    return inside, -d if inside else d


def measure(places: Iterable[Place], zones: Iterable[Zone]) -> list[Membership]:
    """Every place against every zone: membership and signed edge distance in km.

    Vectorised per zone (one pass over all places), with the answers of
    :func:`zone_distance_km` to the metre: an analysis with hundreds of places and generated
    zones measures in milliseconds, where one projection per place and zone took seconds.
    """
    places = list(places)
    zones = list(zones)
    if not places or not zones:
        return []
    lats = np.array([p.lat for p in places], dtype=float)
    lons = np.array([p.lon for p in places], dtype=float)
    km = np.empty((len(places), len(zones)))
    inside = np.empty((len(places), len(zones)), dtype=bool)
    for z, zone in enumerate(zones):
        inside[:, z] = shapely.contains_xy(zone.geometry, lons, lats)
        d = _exact_edge_km(zone, lons, lats)
        km[:, z] = np.where(inside[:, z], -d, d)
    return [
        Membership(place.id, zone.id, bool(inside[i, z]), round(float(km[i, z]), 3))
        for i, place in enumerate(places)
        for z, zone in enumerate(zones)
    ]


#: Vertex spacing (degrees) of zone outlines for edge distances: edges are straight between
#: vertices at most this far apart, in a projection centred on the point measured.
EDGE_SPACING_DEG = 0.05
#: How far measure_bulk looks for a nearest zone (geodesic km to its edge).
NEAREST_MAX_KM = 200.0
_A_KM = GEOD.a / 1000.0
_E2 = GEOD.es
#: Smallest radius of curvature of the ellipsoid (km): bounds how much an azimuthal
#: equidistant projection stretches lengths across its radii.
_R_MIN_KM = _A_KM * (1 - _E2)


def _ecef_km(lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Earth-centred cartesian coordinates (km) on the ellipsoid, (n, 3). A straight chord
    is never longer than the geodesic between the same points, which makes chords lower
    bounds for pruning."""
    phi = np.radians(lats)
    lam = np.radians(lons)
    s = np.sin(phi)
    n = _A_KM / np.sqrt(1.0 - _E2 * s * s)
    c = n * np.cos(phi)
    return np.column_stack([c * np.cos(lam), c * np.sin(lam), n * (1.0 - _E2) * s])


@dataclass(frozen=True)
class _Outline:
    """A zone's edge as vertices (rings concatenated) with, for each, the next one in its
    ring: the segments the per-point path measures, in arrays."""

    lon: np.ndarray
    lat: np.ndarray
    nxt: np.ndarray
    xyz: np.ndarray
    half_segment_km: float


def _outline(zone: Zone) -> _Outline:
    dense = shapely.segmentize(zone.geometry, EDGE_SPACING_DEG)
    rings = shapely.get_rings(shapely.get_parts(dense))
    lons, lats, nxt = [], [], []
    start = 0
    for ring in rings:
        xy = shapely.get_coordinates(ring)[:-1]  # a ring repeats its first vertex
        k = len(xy)
        lons.append(xy[:, 0])
        lats.append(xy[:, 1])
        nxt.append(start + (np.arange(k) + 1) % k)
        start += k
    lon = np.concatenate(lons)
    lat = np.concatenate(lats)
    following = np.concatenate(nxt)
    _, _, metres = GEOD.inv(lon, lat, lon[following], lat[following])
    return _Outline(lon, lat, following, _ecef_km(lon, lat), float(metres.max()) / 2000.0)


def _exact_edge_km(zone: Zone, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Unsigned geodesic km from many points to one zone's edge, as :func:`zone_distance_km`
    measures it, without building a projection per point.

    An azimuthal equidistant projection centred on a point puts each vertex at (s sin a,
    s cos a) for its geodesic distance s and azimuth a, so one vectorised ``Geod.inv`` gives
    the projected vertices. Only the segments that can hold the nearest edge point need them:
    the one whose end is nearest along a chord gives an upper bound r0, and a segment can only
    come nearer if one of its ends lies within r0 plus half its projected length.
    """
    n = len(lons)
    if n == 0:
        return np.zeros(0)
    center = zone.properties.get("center")
    radius = zone.properties.get("radius_km")
    if center and radius:
        _, _, metres = GEOD.inv(np.full(n, center[0]), np.full(n, center[1]), lons, lats)
        return np.abs(metres / 1000.0 - float(radius))
    outline = _outline(zone)
    out = np.empty(n)
    points = _ecef_km(lons, lats)
    vv = np.einsum("ij,ij->i", outline.xyz, outline.xyz)
    prev = np.empty_like(outline.nxt)
    prev[outline.nxt] = np.arange(len(outline.nxt))
    step = max(1, 2_000_000 // len(outline.lon))
    for s in range(0, n, step):
        p = points[s : s + step]
        lo, la = lons[s : s + step], lats[s : s + step]
        chord2 = np.einsum("ij,ij->i", p, p)[:, None] + vv[None, :] - 2.0 * (p @ outline.xyz.T)
        j0 = np.argmin(chord2, axis=1)
        _, _, r0 = GEOD.inv(lo, la, outline.lon[j0], outline.lat[j0])
        r0 = r0 / 1000.0
        # Largest stretch of a length across the projection's radii within r0 + a segment.
        reach = np.minimum((r0 + outline.half_segment_km) / _R_MIN_KM, 3.0)
        stretch = np.where(reach < 2.5, reach / np.maximum(np.sin(reach), 1e-12), np.inf)
        bound = r0 + stretch * outline.half_segment_km * 1.01 + 1e-3
        rows, cols = np.nonzero(chord2 <= (bound * bound)[:, None])
        # Segments with an end among the candidates: those starting there or ending there.
        seg_rows = np.concatenate([rows, rows])
        seg_start = np.concatenate([cols, prev[cols]])
        key = np.unique(seg_rows.astype(np.int64) * len(outline.lon) + seg_start)
        seg_rows, seg_start = np.divmod(key, len(outline.lon))
        ends = np.concatenate([seg_start, outline.nxt[seg_start]])
        both = np.concatenate([seg_rows, seg_rows])
        az, _, metres = GEOD.inv(lo[both], la[both], outline.lon[ends], outline.lat[ends])
        a = np.radians(az)
        x = metres * np.sin(a)
        y = metres * np.cos(a)
        m = len(seg_start)
        ax, ay, bx, by = x[:m], y[:m], x[m:], y[m:]
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.clip(np.where(length2 > 0, -(ax * dx + ay * dy) / length2, 0.0), 0.0, 1.0)
        d = np.hypot(ax + t * dx, ay + t * dy) / 1000.0
        best = np.full(len(p), np.inf)
        np.minimum.at(best, seg_rows, d)
        out[s : s + step] = best
    return out


@dataclass(frozen=True)
class BulkMembership:
    """Many points against many zones, as arrays (for corpora and benchmarks).

    ``pairs`` is (2, k): point index and zone index for every point inside a zone, ordered by
    point then zone, with the signed edge distance (negative) in ``pair_km``. ``nearest`` is
    each point's nearest zone: the first (lowest index) zone it is in, else the zone whose
    edge is geodesically nearest, or -1 if none lies within ``NEAREST_MAX_KM``; ``nearest_km``
    is the signed distance to that zone's edge (NaN for -1).
    """

    pairs: np.ndarray
    pair_km: np.ndarray
    nearest: np.ndarray
    nearest_km: np.ndarray


#: A shaped zone's edge is cut into chunks of consecutive segments, at least this many per
#: chunk and at most ``_MAX_CHUNKS`` chunks per zone: a point is measured against the segments
#: of the few chunks that can hold its nearest edge point, not against the whole edge.
_CHUNK_SEGMENTS = 4
_MAX_CHUNKS = 24
#: Slack (metres) on the pruning of chunks, far above the rounding of the bounds.
_PRUNE_SLACK_M = 1e-3


@dataclass(frozen=True)
class _Edges:
    """Shaped zones' edges, projected around each zone's centre, as arrays of straight
    segments (a to b, metres) in chunks of consecutive segments.

    Per zone (rows, padded to the most chunks a zone has), each chunk's first segment, number
    of segments and bounding circle: no point of the chunk lies nearer a point than its
    distance to the circle's centre less the radius. Padding is an empty chunk whose circle
    lies at infinity, so it is never a candidate.
    """

    ax: np.ndarray
    ay: np.ndarray
    bx: np.ndarray
    by: np.ndarray
    first: np.ndarray
    count: np.ndarray
    cx: np.ndarray
    cy: np.ndarray
    cr: np.ndarray


def _edge_table(edges: np.ndarray, shaped: np.ndarray, n_zones: int) -> _Edges:
    """The segment table of the projected edges ``edges[shaped]`` (lines, in zone order)."""
    parts, part_zone = shapely.get_parts(edges[shaped], return_index=True)
    xy, part = shapely.get_coordinates(parts, return_index=True)
    start = np.nonzero(part[1:] == part[:-1])[0]  # segment i joins vertices i and i + 1
    zone = shaped[part_zone[part[start]]]  # segments come zone by zone
    ax, ay = xy[start, 0], xy[start, 1]
    bx, by = xy[start + 1, 0], xy[start + 1, 1]
    per_zone = np.bincount(zone, minlength=n_zones)
    size = np.maximum(_CHUNK_SEGMENTS, -(-per_zone // _MAX_CHUNKS))  # segments per chunk
    slot = (np.arange(len(zone)) - (np.cumsum(per_zone) - per_zone)[zone]) // size[zone]
    key = zone * _MAX_CHUNKS + slot
    first = np.nonzero(np.r_[True, key[1:] != key[:-1]])[0]
    count = np.diff(np.r_[first, len(zone)])
    # Bounding circle: the middle of the chunk's box, out to its farthest vertex.
    low_x = np.minimum.reduceat(np.minimum(ax, bx), first)
    low_y = np.minimum.reduceat(np.minimum(ay, by), first)
    cx = (low_x + np.maximum.reduceat(np.maximum(ax, bx), first)) / 2.0
    cy = (low_y + np.maximum.reduceat(np.maximum(ay, by), first)) / 2.0
    owner = np.repeat(np.arange(len(first)), count)
    to_a = np.hypot(ax - cx[owner], ay - cy[owner])
    to_b = np.hypot(bx - cx[owner], by - cy[owner])
    cr = np.maximum.reduceat(np.maximum(to_a, to_b), first)
    rows, cols = zone[first], slot[first]
    shape = (n_zones, int(cols.max()) + 1 if len(cols) else 1)
    table: dict[str, np.ndarray] = {
        "first": np.zeros(shape, dtype=np.intp),
        "count": np.zeros(shape, dtype=np.intp),
        "cx": np.full(shape, np.inf),
        "cy": np.full(shape, np.inf),
        "cr": np.zeros(shape),
    }
    for name, values in (("first", first), ("count", count), ("cx", cx), ("cy", cy), ("cr", cr)):
        table[name][rows, cols] = values
    return _Edges(ax, ay, bx, by, **table)


def _chunk_m(
    edges: _Edges, zone: np.ndarray, slot: np.ndarray, px: np.ndarray, py: np.ndarray
) -> np.ndarray:
    """Distance (m) from each point to the nearest segment of one chunk of its zone's edge.

    Each segment's distance is GEOS's ``Distance::pointToSegment`` operation for operation,
    so the answers are those of ``shapely.distance`` to the edge, to the last bit.
    """
    count = edges.count[zone, slot]
    offset = np.cumsum(count) - count
    seg = np.repeat(edges.first[zone, slot] - offset, count) + np.arange(count.sum())
    x, y = np.repeat(px, count), np.repeat(py, count)
    ax, ay, bx, by = edges.ax[seg], edges.ay[seg], edges.bx[seg], edges.by[seg]
    dx, dy = bx - ax, by - ay
    len2 = dx * dx + dy * dy
    ux, uy = x - ax, y - ay
    vx, vy = x - bx, y - by
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (ux * dx + uy * dy) / len2
        # GEOS's ((ay - py) dx - (ax - px) dy) / len2: negation is exact, so this is it.
        d = np.abs((ux * dy - uy * dx) / len2) * np.sqrt(len2)
    d = np.where(r >= 1.0, np.sqrt(vx * vx + vy * vy), d)
    d = np.where((r <= 0.0) | ((ax == bx) & (ay == by)), np.sqrt(ux * ux + uy * uy), d)
    out = np.full(len(zone), np.inf)  # an edge with no segment is nowhere
    some = count > 0
    out[some] = np.minimum.reduceat(d, offset[some])
    return out


def _edge_m(edges: _Edges, zone: np.ndarray, px: np.ndarray, py: np.ndarray) -> np.ndarray:
    """Planar distance (m) from each point to its zone's projected edge: what
    ``shapely.distance`` to the edge gives, from the segments that can hold the nearest edge
    point only.

    The chunk whose bounding circle comes nearest is measured first; its distance d bounds
    the answer, so only chunks whose circle comes within d can hold a nearer segment. A
    point is measured against one or two chunks where GEOS measures every segment, and no
    point geometries are built.
    """
    if not len(zone):
        return np.zeros(0)
    ex = edges.cx[zone] - px[:, None]
    ey = edges.cy[zone] - py[:, None]
    near = np.sqrt(ex * ex + ey * ey) - edges.cr[zone]
    best = np.argmin(near, axis=1)
    out = _chunk_m(edges, zone, best, px, py)
    maybe = near <= out[:, None] + _PRUNE_SLACK_M
    maybe[np.arange(len(zone)), best] = False
    rows, slots = np.nonzero(maybe)
    if len(rows):
        np.minimum.at(out, rows, _chunk_m(edges, zone[rows], slots, px[rows], py[rows]))
    out[edges.count[zone, 0] == 0] = np.nan  # as shapely measures to an empty edge
    return out


@dataclass(frozen=True)
class _ZoneTable:
    """What bulk distances need of each zone, as arrays indexed by zone: circles by centre
    and radius; other zones by the centre of an azimuthal equidistant projection and their
    edge (densified as the per-point path does it) projected there, as segments."""

    circle: np.ndarray
    center_lon: np.ndarray
    center_lat: np.ndarray
    radius_km: np.ndarray
    edges: _Edges | None


def _zone_table(zones: Sequence[Zone]) -> _ZoneTable:
    n = len(zones)
    circle = np.zeros(n, dtype=bool)
    lon0 = np.empty(n)
    lat0 = np.empty(n)
    radius = np.full(n, np.nan)
    edges = np.full(n, None, dtype=object)
    cut = np.zeros(n, dtype=bool)
    for z, zone in enumerate(zones):
        center = zone.properties.get("center")
        r = zone.properties.get("radius_km")
        if center and r:
            circle[z] = True
            lon0[z], lat0[z], radius[z] = center[0], center[1], float(r)
        else:
            lon0[z], lat0[z] = centre(zone.geometry)
            if crosses_cut(zone.geometry):
                # Pieces cut at the antimeridian: projected whole and closed up, so the cut
                # is not an edge (a handful of zones: one projection each is fine).
                forward, _ = aeqd(lat0[z], lon0[z])
                whole = project(shapely.segmentize(zone.geometry, EDGE_SPACING_DEG), forward)
                edges[z] = whole.buffer(1.0).buffer(-1.0).boundary
                cut[z] = True
            else:
                edges[z] = shapely.segmentize(zone.geometry.boundary, EDGE_SPACING_DEG)
    shaped = np.nonzero(~circle & ~cut)[0]
    if len(shaped):
        # Every edge vertex of every zone projected in one pass, around its own zone's centre.
        coords, which = shapely.get_coordinates(edges[shaped], return_index=True)
        owner = shaped[which]
        x, y = _aeqd_xy(lon0[owner], lat0[owner], coords[:, 0], coords[:, 1])
        edges[shaped] = shapely.set_coordinates(edges[shaped].copy(), np.column_stack([x, y]))
    measured = np.nonzero(~circle)[0]
    table = _edge_table(edges, measured, n) if len(measured) else None
    return _ZoneTable(circle, lon0, lat0, radius, table)


#: Pairs measured at a time: numpy's temporaries for this many stay in the CPU's caches,
#: which makes the geodesic inverses and segment distances about a third faster.
_BLOCK = 1 << 14


def _edge_km(table: _ZoneTable, zone: np.ndarray, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Unsigned geodesic km from each point to its zone's edge (``zone`` gives the index of
    the zone for each point), vectorised over blocks of ``_BLOCK`` pairs."""
    out = np.empty(len(zone))
    for s in range(0, len(zone), _BLOCK):
        block = slice(s, s + _BLOCK)
        out[block] = _edge_km_block(table, zone[block], lons[block], lats[block])
    return out


def _edge_km_block(
    table: _ZoneTable, zone: np.ndarray, lons: np.ndarray, lats: np.ndarray
) -> np.ndarray:
    """Unsigned geodesic km from each point to its zone's edge, for a block of pairs.

    Circles use their closed form. Other zones are measured in an azimuthal equidistant
    projection centred on the zone, where distances from the centre are exact and, within a
    few hundred km of it, distances to the edge are within about 0.1%. Projecting is computed
    as (s sin a, s cos a) from geodesic inverses (what PROJ does), so no projection object is
    built per zone.
    """
    out = np.empty(len(zone))
    round_ = np.nonzero(table.circle[zone])[0]
    if len(round_):
        z = zone[round_]
        _, metres = inverse(table.center_lon[z], table.center_lat[z], lons[round_], lats[round_])
        out[round_] = np.abs(metres / 1000.0 - table.radius_km[z])
    shaped = np.nonzero(~table.circle[zone])[0]
    if len(shaped) and table.edges is not None:
        z = zone[shaped]
        x, y = _aeqd_xy(table.center_lon[z], table.center_lat[z], lons[shaped], lats[shaped])
        out[shaped] = _edge_m(table.edges, z, x, y) / 1000.0
    return out


def _aeqd_xy(lon0, lat0, lons: np.ndarray, lats: np.ndarray):
    """Azimuthal equidistant coordinates (m) of points around centres (lon0, lat0)."""
    az, metres = inverse(lon0, lat0, lons, lats)
    a = np.radians(az)
    return metres * np.sin(a), metres * np.cos(a)


#: Latitude band and longitude step (degrees) of the spatial order measure_bulk sorts
#: points into: by band, then by step, so that each zone's bounding box is a few contiguous
#: slices of it.
_BAND_DEG = 0.5
_STEP_DEG = 0.01
_DIGIT = 16  # bits of one radix-sort digit: the step (at most 36,000) and the band fit one


def _radix_order(key: np.ndarray, bits: int) -> np.ndarray:
    """Indices that sort non-negative integer keys below ``2**bits``, ties in their order.

    A least-significant-digit radix sort: numpy's stable argsort of 16-bit integers is a
    counting sort, so two passes over a million keys take a third of one ``argsort``.
    """
    order = np.arange(len(key))
    mask = (1 << _DIGIT) - 1
    for shift in range(0, max(bits, 1), _DIGIT):
        digit = ((key[order] >> shift) & mask).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
    return order


@dataclass(frozen=True)
class _SortedPoints:
    """Points in a spatial order: by latitude band, then by longitude step.

    Sorted once for all of measure_bulk: each zone's bounding box is then one contiguous
    slice of the points per band it spans (found for every zone in one ``searchsorted``),
    and the k-d tree of the nearest-zone search answers about twice as fast as in random
    order, since neighbouring queries walk tree nodes that are already in the cache.
    """

    order: np.ndarray  # the caller's index of each sorted point
    lats: np.ndarray
    lons: np.ndarray
    key: np.ndarray  # band and step as one integer: non-decreasing along the order


def _cell_key(band: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Band and longitude step as one integer (the sort key of points and of box corners:
    the same arithmetic for both, so a point on a box's meridian is in the box's slice)."""
    step = np.clip(np.floor((lons + 180.0) / _STEP_DEG), 0, (1 << _DIGIT) - 1)
    return (band.astype(np.int64) << _DIGIT) | step.astype(np.int64)


def _band(lats: np.ndarray) -> np.ndarray:
    return np.clip(np.floor((lats + 90.0) / _BAND_DEG), 0, (1 << _DIGIT) - 1)


def _spatial_order(lats: np.ndarray, lons: np.ndarray) -> _SortedPoints:
    key = _cell_key(_band(lats), lons)
    order = _radix_order(key, 2 * _DIGIT)
    return _SortedPoints(order, lats[order], lons[order], key[order])


def _inside_pairs(points: _SortedPoints, zones: Sequence[Zone]) -> tuple[np.ndarray, np.ndarray]:
    """(sorted point index, zone) for every point strictly inside a zone, zone by zone.

    A zone's bounding box covers, in each latitude band it spans, one contiguous slice of
    the sorted points (and a sliver of a step either side); the slices of every zone come
    from one vectorised ``searchsorted``, and a prepared polygon then tests the points of
    each slice (its own envelope check rejects the few outside the box quickly).
    """
    geoms = [zone.geometry for zone in zones]
    shapely.prepare(geoms)
    west, south, east, north = shapely.bounds(geoms).T
    first = _band(south)
    count = (_band(north) - first + 1).astype(np.intp)
    zone = np.repeat(np.arange(len(zones)), count)
    # Each zone's bands: its first band plus 0, 1, ... count - 1.
    band = first[zone] + (np.arange(len(zone)) - np.repeat(np.cumsum(count) - count, count))
    lo = np.searchsorted(points.key, _cell_key(band, west[zone]), "left")
    hi = np.searchsorted(points.key, _cell_key(band, east[zone]), "right")
    found_pt, found_zone = [], []
    for row in np.nonzero(hi > lo)[0]:
        s, e, z = int(lo[row]), int(hi[row]), int(zone[row])
        hit = np.nonzero(shapely.contains_xy(geoms[z], points.lons[s:e], points.lats[s:e]))[0]
        found_pt.append(hit + s)
        found_zone.append(np.full(len(hit), z, dtype=np.intp))
    if not found_pt:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    return np.concatenate(found_pt), np.concatenate(found_zone)


def _nearest_outside(
    lats: np.ndarray, lons: np.ndarray, zones: Sequence[Zone], table: _ZoneTable
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest zone and its edge km for points inside none, (-1, NaN) beyond NEAREST_MAX_KM.

    A k-d tree over every zone's edge vertices (earth-centred, so chords, never longer than
    geodesics) finds each point's nearest vertex at c0. The nearest edge point lies on a
    segment, at most half a segment h from one of its ends, so the nearest zone has a vertex
    within about sqrt(c0^2 + h^2): only zones with a vertex that near are measured. Far from
    any edge that is one zone; only points about equally near two edges need more. Points
    come in spatial order (see :class:`_SortedPoints`), which halves the k-d tree's time.
    """
    from scipy.spatial import cKDTree

    n = len(lats)
    nearest = np.full(n, -1, dtype=np.intp)
    nearest_km = np.full(n, np.nan)
    if n == 0:
        return nearest, nearest_km
    dense = [shapely.segmentize(z.geometry.boundary, _KD_SPACING_DEG) for z in zones]
    coords = [shapely.get_coordinates(d) for d in dense]
    owner = np.concatenate([np.full(len(c), z, dtype=np.intp) for z, c in enumerate(coords)])
    xy = np.concatenate(coords)
    tree = cKDTree(_ecef_km(xy[:, 0], xy[:, 1]), leafsize=32)  # 32: queries a fifth faster
    # The tree reports a missing neighbour as vertex tree.n: it belongs to no zone.
    owner = np.append(owner, -1)
    # Half the longest segment: 0.02 degrees is at most 2.3 km along a meridian.
    half = _KD_SPACING_DEG * 111.7 / 2.0
    reach = np.hypot(NEAREST_MAX_KM, half) * 1.01 + 0.01
    # Each point's contenders come from the first pass that settles it: its k nearest
    # vertices, once the k-th lies beyond its bound, else every vertex within the bound (a
    # point by a long straight edge). The first pass settles most points; it goes block by
    # block so that its arrays are a few megabytes, reused, not tens of megabytes of fresh
    # memory for the kernel to zero. Asking the few crowded points for 8 before 32 spares
    # most of the cost of the 32.
    bound = np.full(n, np.inf)
    cand = []
    crowded = []
    for s in range(0, n, _QUERY_BLOCK):
        block = np.arange(s, min(s + _QUERY_BLOCK, n))
        points = _ecef_km(lons[block], lats[block])
        chord, vertex = _query(tree, points, _NEAREST_PASSES[0], reach)
        # Chords fall short of geodesics by under 0.01% within reach, vertices between
        # straight edges by under a metre: the margins cover both.
        bound[block] = np.hypot(chord[:, 0] * 1.001, half * 1.01) + 0.005
        has = np.isfinite(chord[:, 0])  # no edge within reach: no contender
        full = has & (chord[:, -1] <= bound[block])
        done = has & ~full
        cand.append(_contenders(block[done], chord[done], vertex[done], bound[block[done]], owner))
        crowded.append(block[full])
    todo = np.concatenate(crowded)
    for k in _NEAREST_PASSES[1:]:
        if not len(todo):
            break
        chord, vertex = _query(tree, _ecef_km(lons[todo], lats[todo]), k, reach)
        full = chord[:, -1] <= bound[todo]
        done = ~full
        cand.append(_contenders(todo[done], chord[done], vertex[done], bound[todo[done]], owner))
        todo = todo[full]
    points = _ecef_km(lons[todo], lats[todo])
    balls = tree.query_ball_point(points, bound[todo]) if len(todo) else []
    for i, found in zip(todo, balls, strict=True):
        zs = np.unique(owner[np.asarray(found, dtype=np.intp)])
        cand.append((np.full(len(zs), i, dtype=np.intp), zs))
    pts = np.concatenate([c[0] for c in cand])
    zs = np.concatenate([c[1] for c in cand])
    if not len(pts):  # no zone edge within reach of any point
        return nearest, nearest_km
    km = _edge_km(table, zs, lons[pts], lats[pts])
    # The smallest distance per point, the lowest zone index on a tie (fmin: a NaN never wins).
    best = np.full(n, np.inf)
    np.fmin.at(best, pts, km)
    tie = km == best[pts]
    winner = np.full(n, len(zones), dtype=np.intp)
    np.minimum.at(winner, pts[tie], zs[tie])
    keep = best <= NEAREST_MAX_KM
    nearest[keep] = winner[keep]
    nearest_km[keep] = best[keep]
    return nearest, nearest_km


#: Vertex spacing (degrees) of the outlines measure_bulk searches for nearest zones.
_KD_SPACING_DEG = 0.02
#: How many nearest vertices each pass of the nearest-zone search asks the k-d tree for,
#: and how many points the first pass asks about at a time.
_NEAREST_PASSES = (4, 8, 32)
_QUERY_BLOCK = 1 << 16


def _contenders(
    which: np.ndarray, chord: np.ndarray, vertex: np.ndarray, bound: np.ndarray, owner: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(point, zone) once for each zone with a vertex among a point's neighbours within its
    bound. The nearest vertex always is; most points have no other zone's vertex within
    the bound and are answered from it. For the rest the zones are sorted along each row
    and a zone repeating its left one dropped."""
    zone = np.where(chord <= bound[:, None], owner[vertex], -1)
    first = zone[:, 0]
    alone = np.ones(len(zone), dtype=bool)
    for col in zone.T[1:]:
        alone &= (col == first) | (col < 0)
    rest = np.nonzero(~alone)[0]
    mixed = zone[rest]
    mixed.sort(axis=1)
    new = mixed >= 0
    new[:, 1:] &= mixed[:, 1:] != mixed[:, :-1]
    rows, cols = np.nonzero(new)
    return (
        np.concatenate([which[alone], which[rest[rows]]]),
        np.concatenate([first[alone], mixed[rows, cols]]),
    )


def _query(tree, points: np.ndarray, k: int, reach: float) -> tuple[np.ndarray, np.ndarray]:
    """The k nearest vertices (chord km, index) of each point, as (m, k) arrays; a missing
    one (none within reach) at an infinite chord, as vertex ``tree.n``."""
    k_used = min(k, tree.n)
    # Both cores where there are two: this is most of a bulk measure's time.
    chord, vertex = tree.query(points, k=k_used, distance_upper_bound=reach, workers=-1)
    chord = np.asarray(chord, dtype=float).reshape(len(points), k_used)
    return chord, np.asarray(vertex).reshape(len(points), k_used)


def measure_bulk(lats: np.ndarray, lons: np.ndarray, zones: Sequence[Zone]) -> BulkMembership:
    """Membership of many points in many zones and signed geodesic edge distances for every
    inside pair and for each point's nearest zone (see :class:`BulkMembership`).

    The points are sorted into a spatial order once (:func:`_spatial_order`): membership
    then tests each zone's bounding box as a few slices of them, and the nearest-zone search
    queries its k-d tree in that order. Distances are measured in blocks of pairs, circles
    in closed form and other zones against the few edge segments that can be nearest.
    """
    lats = np.asarray(lats, dtype=float)
    lons = np.asarray(lons, dtype=float)
    n = len(lats)
    if not zones:
        empty = np.zeros((2, 0), dtype=np.intp)
        return BulkMembership(empty, np.zeros(0), np.full(n, -1), np.full(n, np.nan))
    points = _spatial_order(lats, lons)
    sorted_pt, zone = _inside_pairs(points, zones)
    pt = points.order[sorted_pt]
    # Found zone by zone: a stable sort by point leaves each point's zones in order.
    by_point = _radix_order(pt, int(max(n - 1, 0)).bit_length())
    pairs = np.vstack([pt[by_point], zone[by_point]]).astype(np.intp, copy=False)
    table = _zone_table(zones)
    pair_km = -_edge_km(table, pairs[1], lons[pairs[0]], lats[pairs[0]])
    nearest = np.full(n, -1, dtype=np.intp)
    nearest_km = np.full(n, np.nan)
    # Pairs are ordered by point then zone: each point's first pair is its lowest zone.
    first = np.ones(pairs.shape[1], dtype=bool)
    first[1:] = pairs[0][1:] != pairs[0][:-1]
    nearest[pairs[0][first]] = pairs[1][first]
    nearest_km[pairs[0][first]] = pair_km[first]
    # The points inside no zone, still in spatial order for the k-d tree.
    outside = np.ones(n, dtype=bool)
    outside[sorted_pt] = False
    out = np.nonzero(outside)[0]
    near, near_km = _nearest_outside(points.lats[out], points.lons[out], zones, table)
    nearest[points.order[out]] = near
    nearest_km[points.order[out]] = near_km
    return BulkMembership(pairs, pair_km, nearest, nearest_km)


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
    props: dict[str, Any] = {
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
