"""Turn a marked-up development set (devset.txt) into JSON lines with character offsets.

    python benchmarks/build_devset.py                      # devset.txt -> devset.jsonl
    python benchmarks/build_devset.py --source benchmarks/data/devset2.txt   # -> devset2.jsonl

Each output line is ``{"id", "text", "gold": [{"start", "end", "surface", "lat", "lon"}]}``
(plus ``country_code`` for a country or demonym, marked ``[[Syrian|country:SY]]``);
offsets index ``text`` (end exclusive), the same contract as ``flashpoints geoparse --jsonl``.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from geo.gazetteer import open_gazetteer

HERE = Path(__file__).resolve().parent / "data"
MARK = re.compile(
    r"\[\[([^|\]]+)\|(?:country:(?P<cc>[A-Z]{2})|(?P<lat>-?\d+(?:\.\d+)?),(?P<lon>-?\d+(?:\.\d+)?))\]\]"
)


def parse(source: str) -> list[dict]:
    """Documents from the marked-up text; gold spans point into the unmarked text."""
    gazetteer = open_gazetteer()
    docs = []
    for block in re.split(r"^=== ", source, flags=re.M)[1:]:
        doc_id, _, body = block.partition("\n")
        body = body.strip()
        text, gold, pos = [], [], 0
        length = 0
        for match in MARK.finditer(body):
            plain = body[pos : match.start()]
            text.append(plain)
            length += len(plain)
            surface = match.group(1)
            record = {"start": length, "end": length + len(surface), "surface": surface}
            if match.group("cc"):
                # A country mention is right when it names the right country: its point is a
                # convention (ours is data/country_points.csv over the packaged points).
                country = gazetteer.country(match.group("cc"))
                if country is None:
                    raise SystemExit(f"{doc_id}: unknown country code {match.group('cc')}")
                record |= {
                    "country_code": country.country_code,
                    "lat": country.lat,
                    "lon": country.lon,
                }
            else:
                record |= {"lat": float(match.group("lat")), "lon": float(match.group("lon"))}
            gold.append(record)
            text.append(surface)
            length += len(surface)
            pos = match.end()
        text.append(body[pos:])
        docs.append({"id": doc_id.strip(), "text": "".join(text), "gold": gold})
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=HERE / "devset.txt", help="marked-up text")
    parser.add_argument(
        "--out", type=Path, help="JSON lines to write (default: the source with .jsonl)"
    )
    args = parser.parse_args()
    docs = parse(args.source.read_text(encoding="utf-8"))
    ids = [d["id"] for d in docs]
    if len(set(ids)) != len(ids):
        raise SystemExit(
            f"{args.source}: duplicate ids {sorted({i for i in ids if ids.count(i) > 1})}"
        )
    out = args.out or args.source.with_suffix(".jsonl")
    with out.open("w", encoding="utf-8") as handle:
        for doc in docs:
            if "[[" in doc["text"] or "]]" in doc["text"]:
                raise SystemExit(f"{doc['id']}: malformed markup near {doc['text'].find('[[')}")
            for g in doc["gold"]:
                assert doc["text"][g["start"] : g["end"]] == g["surface"]
            handle.write(json.dumps(doc, ensure_ascii=False) + "\n")
    n = sum(len(d["gold"]) for d in docs)
    print(f"wrote {out}: {len(docs)} texts, {n} gold toponyms")


if __name__ == "__main__":
    main()
