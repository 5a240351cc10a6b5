"""Country polygons from Natural Earth, as built into ``data/borders.geojson``.

The file is made by ``scripts/build_borders.py`` from a PyPI package; it states its point of
view (German: Crimea Ukrainian, Golan Heights and Abyei in no country) and its simplification,
and both are shown on the map so nobody mistakes an outline for a survey.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import box, shape

from .errors import DataError
from .gazetteer import DATA_DIR

__all__ = ["BORDER_TOLERANCE_DEG", "Borders", "load_borders"]

#: Simplified outlines of two neighbours do not quite touch; this closes the gap (~2 km).
BORDER_TOLERANCE_DEG = 0.02


@dataclass(frozen=True)
class Borders:
    """Countries as shapely geometries with an STRtree for point lookups."""

    features: tuple[dict[str, Any], ...]
    geometries: tuple[Any, ...]
    tree: Any
    properties: dict[str, Any]

    def country_at(self, lat: float, lon: float) -> str | None:
        """ISO alpha-2 code of the country containing the point; None at sea or in a hole."""
        point = shapely.Point(lon, lat)
        for i in self.tree.query(point, predicate="within"):
            return self.features[int(i)]["properties"]["iso_a2"] or None
        return None

    def geometry_of(self, code: str):
        """The country polygon for an ISO alpha-2 code, or None."""
        for feature, geom in zip(self.features, self.geometries, strict=True):
            if feature["properties"]["iso_a2"] == code:
                return geom
        return None

    def shared_border(self, a: str, b: str):
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

    @property
    def attribution(self) -> str:
        return str(self.properties.get("source", "Natural Earth"))


@lru_cache(maxsize=2)
def load_borders(path: str | None = None) -> Borders:
    """Load and index the borders file once per process."""
    file = Path(path) if path else DATA_DIR / "borders.geojson"
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        features = tuple(data["features"])
        geoms = tuple(shape(f["geometry"]) for f in features)
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise DataError(f"{file}: cannot read borders ({err})") from err
    return Borders(features, geoms, shapely.STRtree(geoms), dict(data.get("properties", {})))
