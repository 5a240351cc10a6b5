"""Build ``data/zones/flashpoints.geojson``: declared zones at live flashpoints.

Lines that follow an international boundary are taken from ``data/borders.geojson`` (Natural
Earth, built by ``scripts/build_borders.py``); the others are short polylines through the
documented waypoints below. Every zone is stored as a LineString with ``width_km`` so the
loader draws it as a true-kilometre corridor, and carries a source, a date and a note on
how approximate it is. Run: ``python scripts/build_zones.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

from shapely.geometry import box, mapping

from geo.borders import load_borders
from geo.zones import rounded_geometry

OUT = Path(__file__).resolve().parent.parent / "geo" / "data" / "zones" / "flashpoints.geojson"

# (id, name, kind, width_km, source, date, note, line)
#   line: ("border", A, B[, clip box west,south,east,north]) or ("waypoints", [(lon, lat), ...])
ZONES = [
    (
        "korean-dmz",
        "Korean Demilitarized Zone",
        "border",
        4,
        "Korean Armistice Agreement, 27 July 1953 (2 km either side of the Military "
        "Demarcation Line)",
        "1953-07-27",
        "Line: the KP-KR boundary of the Natural Earth outlines, about 1 km accurate.",
        ("border", "KP", "KR", None),
    ),
    (
        "suwalki-gap",
        "Suwałki Gap",
        "corridor",
        40,
        "NATO and think-tank descriptions of the Poland-Lithuania land link between Belarus "
        "and Kaliningrad (e.g. CEPA, 2018)",
        "2018-01-01",
        "Line: the PL-LT boundary; 20 km either side is a representation, not a legal area.",
        ("border", "PL", "LT", None),
    ),
    (
        "kashmir-loc",
        "Kashmir Line of Control area",
        "border",
        10,
        "Simla Agreement, 2 July 1972 (Line of Control)",
        "1972-07-02",
        "Line: the IN-PK boundary of the Natural Earth German view north of 32.8°N, which "
        "follows the Line of Control; 5 km either side.",
        ("border", "IN", "PK", (73.0, 32.8, 78.0, 35.6)),
    ),
    (
        "blue-line",
        "Israel-Lebanon Blue Line strip",
        "border",
        10,
        "United Nations line of withdrawal, June 2000 (UNIFIL)",
        "2000-06-07",
        "Line: the IL-LB boundary of the Natural Earth outlines, close to but not the "
        "surveyed Blue Line; 5 km either side.",
        ("border", "IL", "LB", None),
    ),
    (
        "lachin-corridor",
        "Lachin corridor",
        "corridor",
        5,
        "Trilateral statement of 10 November 2020, point 6 (a corridor 5 km wide)",
        "2020-11-10",
        "Waypoints Goris - Lachin - Stepanakert (GeoNames); the road, not surveyed.",
        ("waypoints", [(46.339, 39.508), (46.548, 39.638), (46.752, 39.818)]),
    ),
    (
        "euphrates-line",
        "Euphrates deconfliction line",
        "deconfliction",
        10,
        "US-Russia deconfliction arrangement along the Euphrates, 2017 (press reporting)",
        "2017-06-01",
        "Waypoints along the river: Jarabulus, Tabqa, Raqqa, Deir ez-Zor, Mayadin, Abu Kamal "
        "(GeoNames); 5 km either side.",
        (
            "waypoints",
            [
                (38.011, 36.817),
                (38.548, 35.836),
                (39.008, 35.953),
                (40.141, 35.336),
                (40.452, 35.020),
                (40.918, 34.452),
            ],
        ),
    ),
]


def main() -> None:
    borders = load_borders()
    features = []
    for zone_id, name, kind, width, source, date, note, line in ZONES:
        if line[0] == "border":
            _, a, b, clip = line
            geom = borders.shared_border(a, b)
            if clip is not None:
                geom = geom.intersection(box(*clip))
            geometry = mapping(geom)
        else:
            geometry = {"type": "LineString", "coordinates": line[1]}
        geometry = rounded_geometry(geometry)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "id": zone_id,
                    "name": name,
                    "kind": kind,
                    "width_km": width,
                    "source": source,
                    "date": date,
                    "note": note,
                },
                "geometry": geometry,
            }
        )
    OUT.write_text(
        json.dumps(
            {"type": "FeatureCollection", "name": "flashpoints", "features": features},
            ensure_ascii=False,
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {OUT} with {len(features)} zones")


if __name__ == "__main__":
    main()
