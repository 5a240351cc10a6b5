"""Serve the CDN files a folium page asks for from npm packages, fetched once per machine.

The browser tests run with no network but the package registries, so every script and
stylesheet URL in the page is mapped to the npm package that publishes the same file, and
``npm pack`` fetches it into a cache. A URL with no mapping fails the test: it would also fail
on an analyst's air-gapped laptop.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
from pathlib import Path

from geo.paths import cache_dir

#: (URL pattern) -> (npm spec, path inside the package). Groups fill the {}s.
RULES = [
    (r"https://cdn\.jsdelivr\.net/npm/((?:@[^/]+/)?[^/@]+)@([^/]+)/(.+)", "{0}@{1}", "{2}"),
    (r"https://code\.jquery\.com/jquery-([\d.]+)\.min\.js", "jquery@{0}", "dist/jquery.min.js"),
    (
        r"https://cdnjs\.cloudflare\.com/ajax/libs/leaflet\.draw/([\d.]+)/(.+)",
        "leaflet-draw@{0}",
        "dist/{1}",
    ),
    # 2.0.2 was never published to npm; 2.0.4 is the same files with packaging fixes.
    (
        r"https://cdnjs\.cloudflare\.com/ajax/libs/Leaflet\.awesome-markers/2\.0\.2/(.+)",
        "leaflet.awesome-markers@2.0.4",
        "dist/{0}",
    ),
]


def npm_file(url: str) -> tuple[str, str] | None:
    """The (npm spec, path) for a CDN URL, or None when no package publishes it."""
    for pattern, spec, path in RULES:
        match = re.fullmatch(pattern, url.split("?")[0].split("#")[0])
        if match:
            groups = match.groups()
            return spec.format(*groups), path.format(*groups)
    return None


def package_dir(spec: str) -> Path:
    """Unpacked npm package for ``spec`` (``name@version``), fetched with ``npm pack`` once."""
    root = cache_dir() / "npm"
    target = root / spec.replace("/", "__")
    if (target / "package").is_dir():
        return target / "package"
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed to fetch the map's JavaScript for browser tests")
    work = root / (target.name + ".tmp")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    out = subprocess.run(
        [npm, "pack", spec, "--silent", "--pack-destination", str(work)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    tarball = work / out.stdout.strip().splitlines()[-1]
    with tarfile.open(tarball) as tar:
        tar.extractall(work, filter="data")
    tarball.unlink()
    shutil.rmtree(target, ignore_errors=True)
    work.rename(target)
    return target / "package"


def local_file(url: str) -> Path | None:
    """The cached file that stands in for ``url``, or None if it cannot be had."""
    found = npm_file(url)
    if not found:
        return None
    spec, path = found
    file = package_dir(spec) / path
    return file if file.is_file() else None


CONTENT_TYPES = {
    ".js": "application/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".eot": "application/vnd.ms-fontobject",
}
