"""How fast an exported map with 10,000 places opens in headless Chromium (target: under 3 s).

    python benchmarks/bench_map_browser.py [--places 10000]

Builds an analysis of N real GeoNames places (one mention each, with popups), writes the
standalone HTML map, and opens it in Debian's Chromium through Playwright with the CDN files
served from their npm packages (as in the browser tests) and tiles answered blank. Prints the
file size, the time to the browser's load event and the time until the markers are drawn.
"""

from __future__ import annotations

import argparse
import base64
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from geo.gazetteer import open_gazetteer  # noqa: E402
from geo.mapping import build_map  # noqa: E402
from geo.model import Analysis, Document, Mention, Place  # noqa: E402
from tests.cdn import CONTENT_TYPES, local_file  # noqa: E402

BLANK_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mP8/x8AAwMCAO+ip1sAAAAASUVORK5CYII="
)


def synthetic_analysis(n: int) -> Analysis:
    """N GeoNames towns in the Middle East, each mentioned once in its own sentence."""
    con = open_gazetteer()._con()
    rows = con.execute(
        "SELECT id, name, lat, lon, kind, country_code, admin1, population, source FROM places"
        " WHERE kind IN ('city', 'town') AND lat BETWEEN 12 AND 42 AND lon BETWEEN 25 AND 63"
        " ORDER BY population DESC LIMIT ?",
        (n,),
    ).fetchall()
    places = tuple(Place(*r) for r in rows)
    doc = Document(id="doc-bench", title="10,000 places", text="", source="benchmark")
    mentions = tuple(
        Mention(doc.id, 0, 1, p.name, p, 0.9, "exact", f"Fighting was reported in {p.name}.")
        for p in places
    )
    return Analysis(documents=(doc,), mentions=mentions, places=places, zones=(), memberships=())


def route(r):
    url = r.request.url
    if url.startswith(("file:", "data:", "about:")):
        return r.continue_()
    if "tile" in url or "arcgisonline" in url or "cartocdn" in url:
        return r.fulfill(status=200, body=BLANK_PNG, content_type="image/png")
    file = local_file(url)
    if file is None:
        return r.abort()
    return r.fulfill(
        status=200,
        body=file.read_bytes(),
        content_type=CONTENT_TYPES.get(file.suffix, "application/octet-stream"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    t0 = time.perf_counter()
    analysis = synthetic_analysis(args.places)
    html = build_map(analysis, title="Benchmark").get_root().render()
    build_s = time.perf_counter() - t0
    out = Path(tempfile.mkdtemp()) / "map.html"
    out.write_text(html)
    loads, drawn = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        for _ in range(args.runs):
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.route("**/*", route)
            t0 = time.perf_counter()
            page.goto(out.as_uri(), wait_until="load")
            loads.append(time.perf_counter() - t0)
            page.wait_for_selector(".marker-cluster, path.leaflet-interactive", timeout=60000)
            drawn.append(time.perf_counter() - t0)
            page.close()
        browser.close()
    print(
        f"{len(analysis.places)} places: build {build_s:.1f} s, {len(html) / 1e6:.1f} MB HTML;"
        f" browser load median {statistics.median(loads):.2f} s, markers drawn median"
        f" {statistics.median(drawn):.2f} s (target < 3 s)"
    )


if __name__ == "__main__":
    main()
