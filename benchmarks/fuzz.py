"""Fuzz the text loaders and the zone-file reader with atheris for a bounded time.

    python benchmarks/fuzz.py text  [-max_total_time=60]
    python benchmarks/fuzz.py zones [-max_total_time=60]

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
    from geo.geoparsing import geoparse
    from geo.text import documents_from_bytes
    from geo.zones import zones_from_bytes

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


def _seed_corpus(target: str) -> str:
    """A folder of real inputs to start from: the bundled zone files or sample articles
    (random bytes alone almost never get past the JSON parser)."""
    root = Path(__file__).resolve().parent.parent / "data"
    folder = Path(tempfile.mkdtemp(prefix=f"fuzz-{target}-"))
    if target == "zones":
        for path in sorted((root / "zones").glob("*.geojson")):
            (folder / path.name).write_bytes(path.read_bytes()[:4000])
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
    atheris.Setup(sys.argv, {"text": fuzz_text, "zones": fuzz_zones}[target])
    atheris.Fuzz()
