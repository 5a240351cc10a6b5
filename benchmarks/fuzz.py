"""Fuzz the text loaders and the zone-file reader with atheris for a bounded time.

    python benchmarks/fuzz.py text    [-max_total_time=60]
    python benchmarks/fuzz.py zones   [-max_total_time=60]
    python benchmarks/fuzz.py records [-max_total_time=60]   # one JSON-lines record
    python benchmarks/fuzz.py front   [-max_total_time=60]   # Markdown front matter
    python benchmarks/fuzz.py answers [-max_total_time=60]   # a geocoder's JSON answer

Any input may be refused, but only with :class:`geo.errors.FlashpointsError` (the one-line
errors the CLI prints); any other exception is a crash, and atheris stops and saves the
input that caused it (``crash-*``). The geoparser runs on whatever text the loaders accept,
and every mention must slice back to its surface.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from geo.errors import FlashpointsError
    from geo.gazetteer import open_gazetteer
    from geo.geocode import _kind_of, _malformed
    from geo.geoparsing import geoparse
    from geo.text import document_from_record, documents_from_bytes, parse_record
    from geo.zones import zones_from_bytes

import json

from geopy import exc as geopy_exc
from geopy.geocoders import Nominatim

SUFFIXES = (".txt", ".md", ".html", ".jsonl")


def fuzz_text(data: bytes) -> None:
    if not data:
        return
    name = "fuzz" + SUFFIXES[data[0] % len(SUFFIXES)]
    try:
        docs = documents_from_bytes(data[1:], name)
    except FlashpointsError:
        return
    for doc in docs:
        for m in geoparse(doc, GAZETTEER):
            assert doc.text[m.start : m.end] == m.surface, (m.start, m.end, m.surface)


def fuzz_zones(data: bytes) -> None:
    try:
        zones_from_bytes(data, "fuzz.geojson")
    except FlashpointsError:
        return


def fuzz_records(data: bytes) -> None:
    """One JSON-lines line: refused with a one-line error, or a document that can be stored
    (its text and title encode as UTF-8, its date is in range)."""
    try:
        line = data.decode("utf-8")
        doc = document_from_record(parse_record(line), "fuzz.jsonl:1")
    except (UnicodeDecodeError, FlashpointsError):
        return
    doc.text.encode("utf-8")
    assert isinstance(doc.title, str)
    doc.title.encode("utf-8")


def fuzz_front(data: bytes) -> None:
    """Markdown with front matter: the title and date come from it or the file is refused."""
    try:
        (doc,) = documents_from_bytes(b"---\n" + data, "fuzz.md")
    except FlashpointsError:
        return
    assert isinstance(doc.title, str)
    assert doc.published is None or 1800 <= doc.published.year <= 2199


_NOMINATIM = Nominatim(user_agent="flashpoints-fuzz")


def fuzz_answers(data: bytes) -> None:
    """A geocoder's answer as geopy parses it: a place with valid coordinates, nothing, or
    an error the chain reports as a malformed answer (never anything else)."""
    try:
        answer = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return
    try:
        location = _NOMINATIM._parse_json(answer, exactly_one=True)
    except (AttributeError, TypeError, ValueError, KeyError, IndexError, geopy_exc.GeopyError):
        return  # what GeocoderChain._call turns into "malformed answer"
    if location is None:
        return
    if _malformed(location) is None:
        assert -90 <= location.latitude <= 90
        assert -180 <= location.longitude <= 180
        _kind_of(location.raw)


def _seed_corpus(target: str) -> str:
    """A folder of real inputs to start from: the bundled zone files or sample articles
    (random bytes alone almost never get past the JSON parser)."""
    root = Path(__file__).resolve().parent.parent / "data"
    folder = Path(tempfile.mkdtemp(prefix=f"fuzz-{target}-"))
    if target == "zones":
        for path in sorted((root / "zones").glob("*.geojson")):
            (folder / path.name).write_bytes(path.read_bytes()[:4000])
    elif target == "records":
        seeds = [
            {"id": 1, "text": "Strikes near al-Tanf.", "title": "T", "published": "2017-06-08"},
            {"id": "a", "text": "Raqqa", "date": "2020-01-01T10:00:00Z"},
            {"text": "x\ud800"},
        ]
        for i, seed in enumerate(seeds):
            (folder / f"r{i}").write_bytes(json.dumps(seed).encode())
    elif target == "front":
        (folder / "f0").write_bytes(b"title: Strikes\ndate: 2017-06-08\n---\nRaqqa was hit.\n")
        (folder / "f1").write_bytes(b'title: "Q"\npublished: 9999-12-31\n---\nMosul.\n')
    elif target == "answers":
        hit = {"lat": "33.5", "lon": "36.3", "display_name": "D", "address": {"country_code": "sy"}}
        (folder / "a0").write_bytes(json.dumps([hit]).encode())
        (folder / "a1").write_bytes(json.dumps([{"lat": "nan", "lon": "1"}]).encode())
        (folder / "a2").write_bytes(b'"Damascus"')
    else:
        for i, path in enumerate(sorted((root / "samples").iterdir())):
            suffix = SUFFIXES.index(".md") if path.suffix == ".md" else 0
            (folder / f"{i}").write_bytes(bytes([suffix]) + path.read_bytes()[:4000])
        (folder / "jsonl").write_bytes(b"\x03" + b'{"id": 1, "text": "Strikes near al-Tanf."}\n')
        (folder / "html").write_bytes(b"\x02<html><body><p>Shelling hit Raqqa.</p></body></html>")
    return str(folder)


if __name__ == "__main__":
    target = sys.argv.pop(1) if len(sys.argv) > 1 else "text"
    GAZETTEER = open_gazetteer()
    if not any(a.startswith("-max_total_time") for a in sys.argv[1:]):
        sys.argv.append("-max_total_time=60")
    if not any(not a.startswith("-") for a in sys.argv[1:]):
        sys.argv.append(_seed_corpus(target))
    targets = {
        "text": fuzz_text,
        "zones": fuzz_zones,
        "records": fuzz_records,
        "front": fuzz_front,
        "answers": fuzz_answers,
    }
    atheris.Setup(sys.argv, targets[target])
    atheris.Fuzz()
