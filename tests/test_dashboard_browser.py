"""The dashboard for real: ``streamlit run app.py`` on a free localhost port, driven by
Playwright in Debian's Chromium. Paste an article, see the map's markers and the metrics,
toggle a layer, download the HTML map, and keep screenshots to look at."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .test_browser import _route, browser  # noqa: F401

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parent.parent
ARTICLE = (
    "Turkish drones struck a convoy near Sinjar on Tuesday, Iraqi officials said. Kurdish "
    "fighters later withdrew toward Dohuk, and shelling was reported in Mosul."
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    port = _free_port()
    scratch = tmp_path_factory.mktemp("dashboard")
    env = os.environ | {
        "FLASHPOINTS_CORRECTIONS": str(scratch / "corrections.sqlite"),
        "FLASHPOINTS_GEOCODE_CACHE": str(scratch / "geocode.sqlite"),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def _metric(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]', has_text=label)
    return box.locator('[data-testid="stMetricValue"]').inner_text()


def test_paste_map_toggle_and_download(browser, dashboard, tmp_path):  # noqa: F811
    shots = Path(os.environ.get("FLASHPOINTS_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    unexpected: list[str] = []
    page = browser.new_page(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page.route("**/*", _route(unexpected, allow=(dashboard,)))
    page.goto(dashboard, wait_until="domcontentloaded")
    page.get_by_text("Tension builds around the al Tanf garrison").first.wait_for(timeout=90000)
    map_frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]').last
    map_frame.locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=60000)
    map_frame.locator(".fp-label[data-placed]").first.wait_for(state="attached", timeout=30000)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(shots / "dashboard.png"))
    # the map fills most of the viewport's height, beside the event feed
    frame = page.locator('iframe[title="streamlit_folium.st_folium"]').last.bounding_box()
    assert frame["height"] >= 700
    assert page.get_by_text("Events, newest first").count() == 1

    box = page.get_by_label("…or paste an article")
    box.fill(ARTICLE)
    box.press("Control+Enter")
    page.get_by_text("Turkish drones struck a convoy").first.wait_for(timeout=60000)
    page.wait_for_timeout(1500)
    assert int(_metric(page, "Places")) >= 4
    markers = map_frame.locator("path.leaflet-interactive")
    markers.first.wait_for(state="attached", timeout=60000)
    before = markers.count()
    assert before >= 4
    page.screenshot(path=str(shots / "dashboard-pasted.png"))

    page.get_by_role("checkbox", name="Places", exact=True).click(force=True)
    page.wait_for_timeout(3000)
    map_frame.locator(".leaflet-container").first.wait_for(state="attached", timeout=60000)
    assert markers.count() < before

    with page.expect_download(timeout=60000) as info:
        page.get_by_role("button", name="HTML map").click()
    saved = tmp_path / "downloaded.html"
    info.value.save_as(saved)
    html = saved.read_text()
    assert "<title>" in html
    assert "Sinj" in html
    assert unexpected == []
    page.close()
