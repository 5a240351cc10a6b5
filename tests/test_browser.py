"""The exported HTML map in a real headless Chromium (Debian's, driven by Playwright).

CDN requests are answered from npm packages (see ``tests/cdn.py``), map tiles with a blank PNG;
any other request fails the test. The page must build its Leaflet map with the layers and
markers and raise no JavaScript error.
"""

from __future__ import annotations

import base64
import os
import shutil
from pathlib import Path

import pytest

from geo.mapping import build_map
from geo.pipeline import analyse
from geo.text import document_from_text
from geo.zones import load_zones, zones_from_features

from .cdn import CONTENT_TYPES, local_file

CHROMIUM = os.environ.get("FLASHPOINTS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BLANK_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mP8/x8AAwMCAO+ip1sAAAAASUVORK5CYII="
)
TILE_HOSTS = ("tile.openstreetmap.org", "basemaps.cartocdn.com")

pytestmark = pytest.mark.browser

OPEN_ALL_POPUPS = """() => {
  let opened = 0;
  for (const key of Object.keys(window).filter((k) => k.startsWith("map_"))) {
    const map = window[key];
    if (!map || !map.eachLayer) continue;
    map.closePopupOnClick = false;
    const layers = [];
    map.eachLayer((layer) => layers.push(layer));
    for (const layer of layers) {
      if (layer.getPopup && layer.getPopup()) {
        const popup = layer.getPopup();
        popup.options.autoClose = false;
        layer.openPopup(layer.getLatLng ? layer.getLatLng() : undefined);
        opened += 1;
      }
      if (layer.getTooltip && layer.getTooltip()) { layer.openTooltip(); }
    }
  }
  return opened;
}"""


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} missing: .ci/run must install Debian's chromium")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _route(unexpected: list[str], allow: tuple[str, ...] = ()):
    """Serve CDN files from npm packages and tiles as a blank PNG; fail anything else
    except local pages (``file:`` and the ``allow`` prefixes)."""

    def handle(route):
        url = route.request.url
        if url.startswith(("file:", "data:", "about:", "blob:", *allow)):
            return route.continue_()
        if any(host in url for host in TILE_HOSTS):
            return route.fulfill(status=200, body=BLANK_PNG, content_type="image/png")
        file = local_file(url)
        if file is None:
            unexpected.append(url)
            return route.abort()
        ctype = CONTENT_TYPES.get(file.suffix, "application/octet-stream")
        return route.fulfill(
            status=200,
            body=file.read_bytes(),
            content_type=ctype,
            headers={"Access-Control-Allow-Origin": "*"},
        )

    return handle


def _open(browser, path: Path, screenshot: Path | None = None):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    unexpected: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    page.route("**/*", _route(unexpected))
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_selector(".leaflet-container", timeout=15000)
    page.wait_for_timeout(300)
    if screenshot:
        page.screenshot(path=str(screenshot))
    return page, errors, unexpected


def test_exported_map_loads_with_layers_markers_and_no_errors(browser, sample_analysis, tmp_path):
    out = tmp_path / "map.html"
    out.write_text(build_map(sample_analysis, title="Browser test").get_root().render())
    shots = Path(os.environ.get("FLASHPOINTS_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    page, errors, unexpected = _open(browser, out, shots / "exported-map.png")
    assert unexpected == []
    assert errors == []
    page.locator(".fp-layers summary").click()  # the layer list folds inside the key panel
    labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert [label.strip() for label in labels] == [
        "Country borders",
        "Zones",
        "Places",
        "Relative locations",
        "Dated events",
        "Events over time (slider)",
        "Mention heat map",
    ]
    bases = page.locator(".leaflet-control-layers-base label").all_inner_texts()
    assert [b.strip() for b in bases] == [
        "CartoDB Positron",
        "OpenStreetMap",
        "Esri World Imagery",
        "OpenTopoMap",
    ]
    # the default tools: measure, fullscreen, place search; no minimap or mouse position
    for selector in (
        ".leaflet-control-measure",
        ".leaflet-control-zoom-fullscreen",
        ".leaflet-control-search",
    ):
        assert page.locator(selector).count() == 1, selector
    for selector in (".leaflet-control-minimap", ".leaflet-control-mouseposition"):
        assert page.locator(selector).count() == 0, selector
    page.locator(".leaflet-control-search .search-button").click()
    page.locator(".leaflet-control-search input").press_sequentially("Rukb", delay=30)
    # the time slider shows only while its layer is on (events on two dates here)
    assert page.locator(".leaflet-timeline-control").count() == 0
    slider_layer = page.locator(".leaflet-control-layers-overlays label", has_text="over time")
    slider_layer.click()
    assert page.locator(".leaflet-timeline-control").count() == 1
    slider_layer.click()
    assert page.locator(".leaflet-timeline-control").count() == 0
    assert page.locator(".awesome-marker-icon-red").count() >= 1
    tip = page.locator(".search-tooltip .search-tip", has_text="Rukban camp")
    tip.first.wait_for(timeout=5000)  # the search waits for a pause in typing
    points = [p for p in sample_analysis.places if p.kind != "relative"]
    markers = page.locator("path.leaflet-interactive")
    assert markers.count() >= len(points) + 1  # places, zone and countries
    assert page.locator(".leaflet-control-scale").count() == 1
    assert page.locator(".fp-legend").is_visible()
    # switching the places layer off removes its markers
    before = markers.count()
    page.locator(".leaflet-control-layers-overlays label", has_text="Places").click()
    assert markers.count() == before - len(points)
    page.close()


def test_injected_markup_in_an_article_never_runs(browser, gazetteer, tmp_path):
    text = (
        "<script>window.__pwned = 1; alert(1)</script> Raqqa\n"
        'Fighting near Sinjar <img src=x onerror="window.__pwned=2"> `${window.__pwned=3}`\n'
        "</div></script><svg onload=window.__pwned=4> near al Tanf \\u0060\n"
        'Jets struck <a href="javascript:window.__pwned=7">Rukban</a> on May 18, '
        "<script>window.__pwned=8</script> forces said.\n"
        "Shelling near Raqqa {{ 7*7 }} {% if true %}J{% endif %} {# gone #} resumed.\n"
    )
    doc = document_from_text(
        text, title="<img src=x onerror=window.__pwned=5> {{ 8*8 }}", published="2017-06-08"
    )
    hostile_zone = {
        "type": "Feature",
        "properties": {
            "name": "</script><img src=x onerror=window.__pwned=6>",
            "source": "<svg onload=window.__pwned=9>",
            "note": "`${window.__pwned=10}`",
        },
        "geometry": {"type": "Point", "coordinates": [38.6, 33.4]},
    }
    hostile_zone["properties"]["radius_km"] = 30
    zones = load_zones() + zones_from_features([hostile_zone], "hostile.geojson")
    analysis = analyse([doc], zones=zones, gazetteer=gazetteer)
    assert analysis.events  # the event popups and the time slider carry article text too
    out = tmp_path / "hostile.html"
    out.write_text(build_map(analysis, title=doc.title).get_root().render())
    page, errors, unexpected = _open(browser, out)
    # open every popup and tooltip so their HTML is put into the live DOM
    opened = page.evaluate(OPEN_ALL_POPUPS)
    assert opened >= 3
    page.wait_for_timeout(200)
    assert page.locator(".leaflet-popup-content").count() >= 1
    assert page.evaluate("window.__pwned") is None
    # Jinja syntax in an article is shown as written, not evaluated while the map is built
    panel = page.evaluate("document.querySelector('.fp-title').textContent")
    assert "{{ 8*8 }}" in panel
    assert "64" not in panel
    assert not [e for e in errors if e.startswith("dialog")]
    assert errors == []
    assert unexpected == []
    page.close()


def test_inline_assets_map_opens_with_no_network_at_all(
    browser, samples_dir, tmp_path, monkeypatch
):
    """``assets fetch`` then ``map --inline-assets``: the page loads nothing from anywhere."""
    from click.testing import CliRunner

    from geo.assets import AssetCache, fetch_assets
    from geo.cli import main
    from geo.mapping import map_asset_urls

    def from_npm(url):
        file = local_file(url)
        if file is None:
            raise OSError(f"no npm package publishes {url}")
        return file.read_bytes()

    cache = AssetCache(tmp_path / "assets")
    fetched, failed = fetch_assets(map_asset_urls(), cache, fetch=from_npm)
    assert fetched
    # Only optional files a stylesheet mentions may be missing (old-browser font formats).
    assert all(".eot" in f or ".ttf" in f or ".svg" in f or ".woff" in f for f in failed), failed
    monkeypatch.setenv("FLASHPOINTS_ASSETS", str(cache.root))
    out = tmp_path / "offline.html"
    sample = str(samples_dir / "al-tanf-briefing.md")
    # no --inline-assets: a map is written with its files inlined whenever the cache has them
    result = CliRunner().invoke(main, ["map", sample, "-o", str(out), "--no-tiles"])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert '<script src="http' not in html
    assert 'rel="stylesheet" href="http' not in html

    page = browser.new_page(viewport={"width": 1280, "height": 800})
    requests: list[str] = []
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    def block(route):
        url = route.request.url
        if url.startswith(("file:", "data:", "about:", "blob:")):
            return route.continue_()
        requests.append(url)
        return route.abort()

    page.route("**/*", block)
    page.goto(out.as_uri(), wait_until="load")
    page.wait_for_selector(".leaflet-container", timeout=15000)
    page.wait_for_timeout(300)
    assert requests == []  # zero failed (or any) requests
    assert [e for e in errors if "ERR_FAILED" not in e] == []
    assert page.locator("path.leaflet-interactive").count() > 5
    assert page.locator(".leaflet-control-layers-overlays").count() == 1
    # with no tiles the map names the countries itself
    countries = page.locator(".fp-label-country[data-placed]").all_inner_texts()
    assert {"SYRIA", "IRAQ"} <= {c.strip().upper() for c in countries}
    page.close()


def test_a_cdn_map_with_no_network_says_why_it_is_empty(browser, sample_analysis, tmp_path):
    out = tmp_path / "cdn.html"
    out.write_text(build_map(sample_analysis, tiles=None).get_root().render())
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(("file:", "data:")) else route.abort()
        ),
    )
    page.goto(out.as_uri(), wait_until="load")
    box = page.locator(".fp-offline")
    box.wait_for(timeout=10000)
    assert "assets fetch" in box.inner_text()
    page.close()


def test_assets_fetch_falls_back_to_npm_tarballs(tmp_path, monkeypatch):
    """Only the npm registry answers (a local stand-in on 127.0.0.1): every file still comes,
    out of the packages' tarballs."""
    import io
    import tarfile
    import urllib.request
    from http.server import BaseHTTPRequestHandler

    from click.testing import CliRunner

    from geo.assets import AssetCache, npm_file
    from geo.cli import main
    from geo.mapping import map_asset_urls

    from .cdn import package_dir
    from .localserver import LocalServer

    urls = map_asset_urls()
    tarballs: dict[str, bytes] = {}
    for url in urls:
        package, version, _ = npm_file(url)
        base = package.rsplit("/", 1)[-1]
        path = f"/{package}/-/{base}-{version}.tgz"
        if path in tarballs:
            continue
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            tar.add(package_dir(f"{package}@{version}"), arcname="package")
        tarballs[path] = buffer.getvalue()

    class Registry(BaseHTTPRequestHandler):
        def do_GET(self):
            body = tarballs.get(self.path)
            self.send_response(200 if body else 404)
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            pass

    real_urlopen = urllib.request.urlopen

    def only_local(request, *args, **kwargs):
        url = request.full_url if hasattr(request, "full_url") else request
        if not url.startswith("http://127.0.0.1"):
            raise OSError(f"no route to {url}")  # the CDNs are unreachable here
        return real_urlopen(request, *args, **kwargs)

    monkeypatch.setattr(urllib.request, "urlopen", only_local)
    monkeypatch.setenv("FLASHPOINTS_ASSETS", str(tmp_path / "assets"))
    with LocalServer(Registry) as server:
        monkeypatch.setenv("FLASHPOINTS_NPM_REGISTRY", f"http://{server.domain}")
        result = CliRunner().invoke(main, ["assets", "fetch"])
    cache = AssetCache(tmp_path / "assets")
    assert all(cache.get(url) is not None for url in urls), result.output
    assert " 0 file(s) fetched" not in result.output


def test_missing_assets_are_a_one_line_error(samples_dir, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from geo.cli import main

    monkeypatch.setenv("FLASHPOINTS_ASSETS", str(tmp_path / "empty"))
    out = tmp_path / "m.html"
    sample = str(samples_dir / "al-tanf-briefing.md")
    result = CliRunner().invoke(main, ["map", sample, "-o", str(out), "--inline-assets"])
    assert result.exit_code == 2
    assert "assets fetch" in result.stderr
    assert not out.exists()


LABEL_BOXES = """() => [...document.querySelectorAll('.fp-label[data-placed]')].map((el) => {
  const r = el.getBoundingClientRect();
  return {text: el.textContent, x: r.left, y: r.top, w: r.width, h: r.height};
})"""

#: Each place marker's centre on screen and what the browser finds there.
UNDER_PLACES = """() => {
  const map = window[Object.keys(window).find((k) => k.startsWith("map_"))];
  const out = [];
  map.eachLayer((layer) => {
    if (!layer._path || layer.options.pane !== "fp-places" || !layer.getTooltip()) return;
    const pt = map.latLngToContainerPoint(layer.getLatLng());
    const box = map.getContainer().getBoundingClientRect();
    const x = box.left + pt.x, y = box.top + pt.y;
    if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) return;
    const hit = document.elementFromPoint(x, y);
    const tip = document.createElement("div");
    tip.innerHTML = layer.getTooltip().getContent();
    out.push({name: tip.textContent.trim(), x: x, y: y, own: hit === layer._path,
              place: !!(hit && hit.closest(".leaflet-fp-places-pane"))});
  });
  return out;
}"""


def _overlap(a, b) -> bool:
    return (
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    )


@pytest.mark.parametrize(
    ("sample", "shot", "zone_label", "place_labels"),
    [
        (
            "al-tanf-briefing.md",
            "map-al-tanf.png",
            "al Tanf deconfliction zone",
            {"al Tanf garrison", "Rukban camp", "al Tanf border crossing"},
        ),
        (
            "korean-dmz-briefing.txt",
            "map-korean-dmz.png",
            "Korean Demilitarized Zone",
            {"Panmunjom", "Seoul", "Kaesŏng"},
        ),
        ("lachin-corridor-briefing.txt", "map-lachin.png", "Lachin corridor", {"Yerevan"}),
    ],
)
def test_the_map_reads_at_a_glance(
    browser, gazetteer, samples_dir, tmp_path, sample, shot, zone_label, place_labels
):
    """At 1400x900: zones and places named without overlaps, the thing under the pointer at
    a place's centre is that place, little chrome, and nothing covers an open popup."""
    from geo.text import load_documents

    analysis = analyse(list(load_documents([samples_dir / sample])), gazetteer=gazetteer)
    out = tmp_path / "glance.html"
    out.write_text(build_map(analysis, title=analysis.documents[0].title).get_root().render())
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    unexpected: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route("**/*", _route(unexpected))
    page.goto(out.as_uri(), wait_until="load")
    page.wait_for_selector(".fp-label[data-placed]", state="attached", timeout=15000)
    page.wait_for_timeout(300)
    shots = Path(os.environ.get("FLASHPOINTS_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / shot))
    assert errors == []
    assert unexpected == []

    boxes = page.evaluate(LABEL_BOXES)
    texts = {b["text"] for b in boxes}
    assert any(t.startswith(zone_label) for t in texts), texts
    assert place_labels <= texts, texts
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not _overlap(a, b), (a, b)

    hits = page.evaluate(UNDER_PLACES)
    assert len(hits) >= len(place_labels)
    assert all(h["place"] for h in hits), [h for h in hits if not h["place"]]

    # the chrome: title, key panel and tools take a small share of the screen
    chrome = page.evaluate(
        """() => ['.fp-title', '.fp-panel', '.leaflet-top.leaflet-left']
          .map((s) => document.querySelector(s).getBoundingClientRect())
          .reduce((sum, r) => sum + r.width * r.height, 0)"""
    )
    assert chrome / (1400 * 900) < 0.15

    # a click dead-centre on a place opens its popup, clear of every panel
    target = next(h for h in hits if h["name"] in place_labels and h["own"])
    page.mouse.click(target["x"], target["y"])
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    assert target["name"] in popup.inner_text()
    page.wait_for_timeout(400)  # the pan that brings the popup into view
    covered = page.evaluate(
        """() => {
          const r = document.querySelector('.leaflet-popup-content-wrapper')
            .getBoundingClientRect();
          const points = [];
          for (const fx of [0.05, 0.5, 0.95]) for (const fy of [0.05, 0.5, 0.95])
            points.push([r.left + fx * r.width, r.top + fy * r.height]);
          return points.filter(([x, y]) => {
            const el = document.elementFromPoint(x, y);
            return !el || !el.closest('.leaflet-popup');
          });
        }"""
    )
    assert covered == []
    page.close()
