"""How often the geoparser finds well-known flashpoint places in one-line news sentences.

    python benchmarks/bench_flashpoints.py [--errors]

Short texts are the hard case: a one-line alert ("Shelling hit Tal Afar overnight.") gives no
other place to lean on, so the name must be recognised and resolved on its own. Each place in
``data/flashpoint_places.csv`` (towns, bases, crossings, rivers, straits, seas, regions and
disputed areas; ``country_code`` may list several codes separated by ``;`` for places shared or
disputed between countries, any of which is accepted) is put into every template below, and
the script prints, per kind and overall, the share of sentences where the name is found, where
it is placed in the right country, and where it is in the right country and within 161 km of
the reference point. A prediction without a country (a sea or a region the gazetteer keeps
outside any country) counts as the right country when it is within 161 km.
"""

from __future__ import annotations

import argparse
import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from geo.analysis import toponym_records
from geo.gazetteer import haversine_km, open_gazetteer

HERE = Path(__file__).resolve().parent
PLACES = HERE / "data" / "flashpoint_places.csv"
ACCURACY_KM = 161.0

#: One-line sentences of the kind news alerts and tickers carry; ``{name}`` is the place.
TEMPLATES = (
    "Fighting was reported near {name} on Monday, officials said.",
    "Shelling hit {name} overnight.",
    "Troops were sent to {name} after clashes on Sunday.",
    "Thousands of people fled {name} as the fighting spread.",
)

#: Names read with "the" in running text ("near the Kerch Strait", "the Golan Heights").
_THE = re.compile(
    r"^(?:Strait|Gulf|Sea|Bay) of |(?:Sea|Strait|River|Heights|Islands|Valley|corridor|Gap|"
    r"Zone|Line|Forest|Canal|Pass|Glacier|Farms|Gorge|Gulf)$"
)


@dataclass(frozen=True)
class FlashpointPlace:
    """One row of the place list: its reference point and the countries that count as right."""

    name: str
    countries: frozenset[str]
    lat: float
    lon: float
    kind: str


def load_places(path: Path = PLACES) -> list[FlashpointPlace]:
    """The place list; a row that does not parse stops the run with its line number."""
    places = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                places.append(
                    FlashpointPlace(
                        name=row["name"].strip(),
                        countries=frozenset(c.strip() for c in row["country_code"].split(";")),
                        lat=float(row["lat"]),
                        lon=float(row["lon"]),
                        kind=row["kind"].strip(),
                    )
                )
            except (KeyError, ValueError, AttributeError) as exc:
                raise SystemExit(f"{path}:{line}: bad row ({exc})") from None
    return places


def sentence(template: str, place: FlashpointPlace) -> tuple[str, int, int]:
    """The sentence and the span of the name in it."""
    written = f"the {place.name}" if _THE.search(place.name) else place.name
    text = template.format(name=written)
    start = text.index(written) + (len(written) - len(place.name))
    return text, start, start + len(place.name)


def judge(place: FlashpointPlace, records: list[dict], start: int, end: int) -> tuple[str, dict]:
    """``missed``, ``wrong country``, ``far`` (right country, over 161 km) or ``right``."""
    hits = [r for r in records if r["start"] < end and start < r["end"]]
    if not hits:
        return "missed", {}
    best = min(hits, key=lambda r: abs(r["start"] - start))
    km = haversine_km(place.lat, place.lon, best["lat"], best["lon"])
    code = best.get("country_code") or ""
    if code:
        if code not in place.countries:
            return "wrong country", best
    elif km > ACCURACY_KM:
        return "wrong country", best
    return ("far" if km > ACCURACY_KM else "right"), best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list every sentence not right")
    args = parser.parse_args()
    places = load_places()
    gaz = open_gazetteer()
    tally: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    failures = []
    for place in places:
        for template in TEMPLATES:
            text, start, end = sentence(template, place)
            verdict, best = judge(place, toponym_records(text, gaz), start, end)
            for group in (place.kind, "all"):
                tally[group][verdict] += 1
                tally[group]["n"] += 1
            if verdict != "right":
                failures.append((place, text, verdict, best))

    def shares(t: dict[str, int]) -> str:
        n = t["n"]
        found = n - t["missed"]
        country = found - t["wrong country"]
        return f"{n:>5} {found / n:>7.3f} {country / n:>9.3f} {t['right'] / n:>9.3f}"

    print(
        f"{len(places)} places x {len(TEMPLATES)} templates;"
        " shares of sentences: found, right country, right country and within 161 km"
    )
    print(f"{'kind':<12} {'sents':>5} {'found':>7} {'country':>9} {'<=161km':>9}")
    for kind in sorted(k for k in tally if k != "all"):
        print(f"{kind:<12} {shares(tally[kind])}")
    print(f"{'all':<12} {shares(tally['all'])}")
    wrong = {place.name for place, *_ in failures}
    print(f"places right in every sentence: {len(places) - len(wrong)}/{len(places)}")
    if args.errors:
        # One line per place and verdict: the templates mostly agree, so this stays readable.
        grouped: dict[tuple[str, str, str], int] = defaultdict(int)
        for place, _text, verdict, best in failures:
            got = f" -> {best['name']} {best.get('country_code', '')}" if best else ""
            grouped[(place.name, "/".join(sorted(place.countries)), f"{verdict}{got}")] += 1
        for (name, countries, what), n in grouped.items():
            print(f"  {name} ({countries}): {what} in {n}/{len(TEMPLATES)} sentences")


if __name__ == "__main__":
    main()
