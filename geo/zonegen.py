"""Zones the text itself asks for: border strips, tripoint areas, corridors and clusters.

"Along the Syria-Iraq border" means a strip, not a line; "where the Syrian, Iraqi and
Jordanian borders meet" means an area around the tripoint; "from al Tanf to Sinjar" means a
corridor; and places that no declared zone covers but that sit together form a cluster. Each
generated zone says which words made it, so an analyst can see why it is on the map.

Buffers are built in an azimuthal equidistant projection centred on the feature, so widths are
true kilometres near the centre (within 0.5% up to 1,000 km from it), never degrees.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .model import Mention, Place, Zone

# shapely, pyproj and the borders are imported where a zone is built: importing this module
# (for ZoneOptions, say) must stay cheap for commands that build none.

__all__ = [
    "ZoneOptions",
    "border_strip",
    "clusters",
    "corridor",
    "generate_zones",
    "tripoint",
    "tripoint_area",
]


@dataclass(frozen=True)
class ZoneOptions:
    """Sizes of generated zones, in km: documented defaults a user can change."""

    strip_km: float = 10.0  # on each side of a border
    tripoint_km: float = 25.0  # radius around a tripoint
    corridor_km: float = 20.0  # total width of a corridor
    cluster_km: float = 50.0  # places closer than this cluster together
    cluster_margin_km: float = 10.0  # margin around a cluster's places


def _names(codes: Sequence[str]) -> str:
    """Countries by name, joined with en dashes ("Iraq", "Jordan" and "Syria" give one name)."""
    from .borders import load_borders

    borders = load_borders()
    return "–".join(borders.name_of(c) for c in codes)


def border_strip(
    a: str, b: str, width_km: float, *, phrase: str = "", label: str = ""
) -> Zone | None:
    """The strip ``width_km`` either side of the border ``a``/``b`` share (ISO codes),
    named ``label`` (the border as the text put it) or by the two countries."""
    from .borders import load_borders
    from .geodesy import buffer_km

    line = load_borders().shared_border(a, b)
    if line is None:
        return None
    codes = "-".join(sorted((a, b)))
    label = label or f"{_names(sorted((a, b)))} border"
    return Zone(
        id=f"border:{codes}",
        name=f"{label} strip ({width_km:g} km each side)",
        kind="border",
        geometry=buffer_km(line, width_km),
        properties={
            "generated": True,
            "width_km": width_km * 2,
            "source": f"generated from the text: {phrase!r}" if phrase else "generated",
            "countries": sorted((a, b)),
        },
    )


def tripoint(a: str, b: str, c: str) -> tuple[float, float] | None:
    """(lat, lon) where three countries' outlines meet, or None if they do not."""
    import shapely

    from .borders import BORDER_TOLERANCE_DEG, load_borders

    borders = load_borders()
    geoms = [borders.geometry_of(code) for code in (a, b, c)]
    if any(g is None for g in geoms):
        return None
    meet = shapely.intersection_all([g.buffer(BORDER_TOLERANCE_DEG) for g in geoms])
    if meet.is_empty:
        return None
    point = meet.centroid
    return point.y, point.x


def tripoint_area(codes: Sequence[str], radius_km: float, *, phrase: str = "") -> Zone | None:
    """A geodesic circle around the three countries' tripoint."""
    a, b, c = sorted(codes)
    where = tripoint(a, b, c)
    if where is None:
        return None
    from .geodesy import geodesic_circle

    return Zone(
        id=f"tripoint:{a}-{b}-{c}",
        name=f"{_names((a, b, c))} tripoint area ({radius_km:g} km)",
        kind="tripoint",
        geometry=geodesic_circle(where[0], where[1], radius_km),
        properties={
            "generated": True,
            "radius_km": radius_km,
            "center": [where[1], where[0]],
            "source": f"generated from the text: {phrase!r}" if phrase else "generated",
            "countries": [a, b, c],
        },
    )


def corridor(start: Place, end: Place, width_km: float, *, phrase: str = "") -> Zone:
    """A corridor ``width_km`` wide along the geodesic from ``start`` to ``end``."""
    from shapely.geometry import LineString

    from .geodesy import GEOD, buffer_km

    npts = max(2, int(GEOD.inv(start.lon, start.lat, end.lon, end.lat)[2] / 20_000))
    middle = GEOD.npts(start.lon, start.lat, end.lon, end.lat, npts)
    line = LineString([(start.lon, start.lat), *middle, (end.lon, end.lat)])
    return Zone(
        id=f"corridor:{start.id}:{end.id}",
        name=f"{start.name} – {end.name} corridor ({width_km:g} km wide)",
        kind="corridor",
        geometry=buffer_km(line, width_km / 2),
        properties={
            "generated": True,
            "width_km": width_km,
            "source": f"generated from the text: {phrase!r}" if phrase else "generated",
        },
    )


def clusters(places: Sequence[Place], covered: set[str], opts: ZoneOptions) -> list[Zone]:
    """Groups of two or more point places, each within ``cluster_km`` of another, that no
    declared zone covers (single linkage on geodesic distances). A cluster never links
    places across a country border: Seoul and Kaesong are near, but not one area."""
    from shapely.geometry import MultiPoint

    from .geodesy import GEOD, buffer_km

    points = [
        p
        for p in places
        if p.kind not in ("country", "continent", "region", "admin1", "relative")
        and p.id not in covered
    ]
    parent = list(range(len(points)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in itertools.combinations(range(len(points)), 2):
        a, b = points[i], points[j]
        if a.country_code != b.country_code:
            continue
        if GEOD.inv(a.lon, a.lat, b.lon, b.lat)[2] / 1000.0 <= opts.cluster_km:
            parent[find(i)] = find(j)
    groups: dict[int, list[Place]] = {}
    for i, p in enumerate(points):
        groups.setdefault(find(i), []).append(p)
    zones = []
    for number, members in enumerate(
        sorted((g for g in groups.values() if len(g) > 1), key=lambda g: g[0].name), start=1
    ):
        hull = MultiPoint([(p.lon, p.lat) for p in members]).convex_hull
        zones.append(
            Zone(
                id=f"cluster:{number}",
                name=f"Places near {members[0].name}: "
                + ", ".join(p.name for p in members[:4])
                + ("…" if len(members) > 4 else ""),
                kind="cluster",
                geometry=buffer_km(hull, opts.cluster_margin_km),
                properties={
                    "generated": True,
                    "source": f"places within {opts.cluster_km:g} km of each other",
                    "members": [p.id for p in members],
                },
            )
        )
    return zones


_TRIPOINT_WORDS = re.compile(
    r"\b(intersection|meet|meets|junction|tri-?border|tripoint|triangle|converge)\b", re.I
)
_BORDERS_WORD = re.compile(r"\bborders?\b", re.I)
_FROM = re.compile(r"\bfrom\s+(?:the\s+)?$", re.I)
_TO = re.compile(r"^[^.;:!?]{0,40}?\s(?:to|toward|towards)\s+(?:the\s+)?$", re.I)


def generate_zones(
    text: str, mentions: Sequence[Mention], opts: ZoneOptions | None = None
) -> list[Zone]:
    """Border strips, tripoint areas and corridors the text names, once each."""
    opts = opts or ZoneOptions()
    zones: dict[str, Zone] = {}
    for m in mentions:
        rel = m.relation
        if rel is not None and rel.anchor.id.startswith("border:"):
            a, b = rel.anchor.id.removeprefix("border:").split("-")
            if "border:" + "-".join(sorted((a, b))) in zones:
                continue  # the first mention made it; a long article names a border often
            label = rel.anchor.name if rel.anchor.name.endswith(" border") else ""
            zone = border_strip(a, b, opts.strip_km, phrase=rel.phrase, label=label)
            if zone is not None:
                zones.setdefault(zone.id, zone)
    by_sentence: dict[str, list[Mention]] = {}
    for m in mentions:
        if m.place.kind == "country" and m.relation is None:
            by_sentence.setdefault(m.sentence, []).append(m)
    for sentence, found in by_sentence.items():
        codes = sorted({m.place.country_code for m in found})
        if len(codes) < 3 or not (
            _TRIPOINT_WORDS.search(sentence) and _BORDERS_WORD.search(sentence)
        ):
            continue
        for triple in itertools.combinations(codes, 3):
            zone = tripoint_area(triple, opts.tripoint_km, phrase=sentence)
            if zone is not None:
                zones.setdefault(zone.id, zone)
    points = [
        m for m in mentions if m.relation is None and m.place.kind not in ("country", "continent")
    ]
    for first, second in itertools.pairwise(points):
        if first.place.id == second.place.id:
            continue
        if _FROM.search(text, max(0, first.start - 12), first.start) and _TO.match(
            text[first.end : second.start]
        ):
            phrase = " ".join(text[first.start - 5 : second.end].split())
            zone = corridor(first.place, second.place, opts.corridor_km, phrase=phrase)
            zones.setdefault(zone.id, zone)
    return list(zones.values())
