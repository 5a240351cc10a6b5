"""The map's JavaScript and CSS, fetched once and inlined, so an HTML map opens air-gapped.

A folium page loads Leaflet, its plugins and their stylesheets from CDNs. Analysts take maps
to places with no network, so ``flashpoints assets fetch`` (run where there is one) copies
every file a Flashpoints map can use into a local cache, and ``flashpoints map
--inline-assets`` writes those files into the page itself: scripts and styles inline, and the
images and fonts the styles refer to as ``data:`` URIs. Every URL is a versioned file on a
package registry (see ``geo.mapping.assets.PLUGIN_ASSETS``), so what is inlined is what was tested.
"""

from __future__ import annotations

import base64
import hashlib
import io
import mimetypes
import os
import re
import tarfile
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from .errors import InputError
from .paths import assets_dir

__all__ = [
    "NPM_RULES",
    "AssetCache",
    "all_cached",
    "asset_urls",
    "cache_status",
    "fetch_assets",
    "inline_assets",
    "localise_assets",
    "npm_file",
    "npm_registry",
    "tarball_url",
]

_SCRIPT = re.compile(r'<script\s+src="(https?://[^"]+)"\s*>\s*</script>', re.IGNORECASE)
_STYLE = re.compile(r'<link\s+rel="stylesheet"\s+href="(https?://[^"]+)"\s*/?>', re.IGNORECASE)
_CSS_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)")
_TIMEOUT_S = 60


def asset_urls(html: str) -> list[str]:
    """Script and stylesheet URLs an HTML page loads, in page order, without repeats."""
    found = [m.group(1) for m in _SCRIPT.finditer(html)]
    found += [m.group(1) for m in _STYLE.finditer(html)]
    return list(dict.fromkeys(found))


#: (CDN URL pattern) -> (npm package, version, path inside the package); groups fill the {}s.
#: Every file a map loads is published in an npm package, so where only the npm registry is
#: reachable (a mirror inside an air-gapped network, a proxy that blocks CDNs) the same file
#: comes out of the package's tarball.
NPM_RULES = [
    (r"https://cdn\.jsdelivr\.net/npm/((?:@[^/]+/)?[^/@]+)@([^/]+)/(.+)", "{0}", "{1}", "{2}"),
    (r"https://code\.jquery\.com/jquery-([\d.]+)\.min\.js", "jquery", "{0}", "dist/jquery.min.js"),
    (
        r"https://cdnjs\.cloudflare\.com/ajax/libs/leaflet\.draw/([\d.]+)/(.+)",
        "leaflet-draw",
        "{0}",
        "dist/{1}",
    ),
    # 2.0.2 was never published to npm; 2.0.4 is the same files with packaging fixes.
    (
        r"https://cdnjs\.cloudflare\.com/ajax/libs/Leaflet\.awesome-markers/2\.0\.2/(.+)",
        "leaflet.awesome-markers",
        "2.0.4",
        "dist/{0}",
    ),
]


def npm_file(url: str) -> tuple[str, str, str] | None:
    """(package, version, path in the package) publishing ``url``; None if none does."""
    for pattern, package, version, path in NPM_RULES:
        match = re.fullmatch(pattern, url.split("?")[0].split("#")[0])
        if match:
            groups = match.groups()
            return package.format(*groups), version.format(*groups), path.format(*groups)
    return None


def npm_registry() -> str:
    """The npm registry ``assets fetch`` falls back to (``$FLASHPOINTS_NPM_REGISTRY``)."""
    return os.environ.get("FLASHPOINTS_NPM_REGISTRY", "https://registry.npmjs.org").rstrip("/")


def tarball_url(package: str, version: str, registry: str | None = None) -> str:
    """The registry's tarball for a package version, e.g.
    ``https://registry.npmjs.org/@scope/name/-/name-1.0.0.tgz``."""
    base = package.rsplit("/", 1)[-1]
    return f"{registry or npm_registry()}/{package}/-/{base}-{version}.tgz"


def _unpack(data: bytes) -> dict[str, bytes]:
    """Regular files of an npm tarball by their path inside the package (the top folder,
    ``package/`` in most tarballs, dropped)."""
    files: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            handle = tar.extractfile(member)
            if handle is not None:
                files[member.name.split("/", 1)[-1]] = handle.read()
    return files


def _download(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "flashpoints-assets"})
    with urllib.request.urlopen(request, timeout=_TIMEOUT_S) as response:
        return response.read()


class AssetCache:
    """Files by URL in one folder (``$FLASHPOINTS_ASSETS`` or ``<cache>/assets``)."""

    def __init__(self, root: str | Path | None = None):
        self.root = Path(root) if root else assets_dir()

    def path(self, url: str) -> Path:
        clean = url.split("#")[0].split("?")[0]
        digest = hashlib.sha256(clean.encode()).hexdigest()[:16]
        name = re.sub(r"[^A-Za-z0-9._-]", "_", Path(urlsplit(clean).path).name)[-60:]
        return self.root / f"{digest}-{name}"

    def get(self, url: str) -> bytes | None:
        path = self.path(url)
        return path.read_bytes() if path.is_file() else None

    def put(self, url: str, data: bytes) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.path(url)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)


def fetch_assets(
    urls: Iterable[str],
    cache: AssetCache | None = None,
    *,
    fetch: Callable[[str], bytes] = _download,
    registry: str | None = None,
) -> tuple[list[str], list[str]]:
    """Copy ``urls`` (and the images and fonts their CSS refers to) into the cache.

    A file the CDN does not give is taken from its npm package's tarball on ``registry``
    (default :func:`npm_registry`), fetched once per package. Returns (fetched, failed)
    URLs; a file already cached is not fetched again.
    """
    cache = cache or AssetCache()
    fetched: list[str] = []
    failed: list[str] = []
    tarballs: dict[str, dict[str, bytes] | None] = {}

    def from_registry(url: str) -> bytes | None:
        found = npm_file(url)
        if found is None:
            return None
        package, version, path = found
        key = f"{package}@{version}"
        if key not in tarballs:
            try:
                tarballs[key] = _unpack(fetch(tarball_url(package, version, registry)))
            except Exception:  # no registry either, or not a tarball: the URL fails
                tarballs[key] = None
        files = tarballs[key]
        return None if files is None else files.get(path)

    queue = list(urls)
    seen: set[str] = set()
    while queue:
        url = queue.pop(0).split("#")[0]
        if url in seen:
            continue
        seen.add(url)
        data = cache.get(url)
        if data is None:
            try:
                data = fetch(url)
            except Exception as err:  # any network or HTTP failure: try the registry
                data = from_registry(url)
                if data is None:
                    failed.append(f"{url} ({err})")
                    continue
            cache.put(url, data)
            fetched.append(url)
        if _is_css(url):
            text = data.decode("utf-8", errors="replace")
            queue += [
                urljoin(url, ref)
                for _, ref in _CSS_URL.findall(text)
                if not ref.startswith(("data:", "#"))
            ]
    return fetched, failed


def _is_css(url: str) -> bool:
    return urlsplit(url).path.endswith(".css")


def _data_uri(url: str, data: bytes) -> str:
    kind = mimetypes.guess_type(urlsplit(url).path)[0] or "application/octet-stream"
    if urlsplit(url).path.endswith(".woff2"):
        kind = "font/woff2"
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def _inline_css(url: str, text: str, cache: AssetCache) -> str:
    def replace(match: re.Match) -> str:
        ref = match.group(2)
        if ref.startswith(("data:", "#")):
            return match.group(0)
        target = urljoin(url, ref)
        data = cache.get(target)
        if data is None:
            return match.group(0)
        return f'url("{_data_uri(target, data)}")'

    return _CSS_URL.sub(replace, text)


def inline_assets(html: str, cache: AssetCache | None = None) -> str:
    """``html`` with every CDN script and stylesheet written into the page.

    Raises :class:`~geo.errors.InputError` naming the first file missing from the cache: a
    page that half works offline is worse than an error that says what to fetch.
    """
    cache = cache or AssetCache()
    missing = [url for url in asset_urls(html) if cache.get(url) is None]
    if missing:
        raise InputError(
            f"{len(missing)} map file(s) not in {cache.root}, first {missing[0]}; run"
            " 'flashpoints assets fetch' where there is a network"
        )

    def script(match: re.Match) -> str:
        code = (cache.get(match.group(1)) or b"").decode("utf-8", errors="replace")
        # "</script" inside the code would end the element early.
        code = re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE)
        return f"<script>/* {match.group(1)} */\n{code}\n</script>"

    def style(match: re.Match) -> str:
        url = match.group(1)
        text = _inline_css(url, (cache.get(url) or b"").decode("utf-8", errors="replace"), cache)
        text = re.sub(r"</(style)", r"<\\/\1", text, flags=re.IGNORECASE)
        return f"<style>/* {url} */\n{text}\n</style>"

    html = _SCRIPT.sub(lambda m: script(m), html)
    return _STYLE.sub(lambda m: style(m), html)


def all_cached(html: str, cache: AssetCache | None = None) -> bool:
    """Whether every script and stylesheet ``html`` loads is in the cache (so the page can
    be written with them inlined)."""
    cache = cache or AssetCache()
    return all(cache.get(url) is not None for url in asset_urls(html))


def localise_assets(fmap, cache: AssetCache | None = None) -> list[str]:
    """Point every script and stylesheet of a folium map that the cache holds at a ``data:``
    URI of the cached file, so a page built from its elements (the dashboard's
    ``st_folium``) loads nothing from a CDN. Returns the URLs the cache lacks.
    """
    cache = cache or AssetCache()
    missing: list[str] = []

    def local(url: str) -> str:
        data = cache.get(url)
        if data is None:
            missing.append(url)
            return url
        if _is_css(url):
            text = _inline_css(url, data.decode("utf-8", errors="replace"), cache)
            data = text.encode("utf-8")
            return "data:text/css;base64," + base64.b64encode(data).decode("ascii")
        return _data_uri(url, data)

    def walk(element):
        yield element
        for child in getattr(element, "_children", {}).values():
            yield from walk(child)

    for element in walk(fmap):
        for attr in ("default_js", "default_css"):
            links = getattr(element, attr, None)
            if links:
                setattr(element, attr, [(name, local(url)) for name, url in links])
    return list(dict.fromkeys(missing))


def cache_status(urls: Iterable[str], cache: AssetCache | None = None) -> dict[str, bool]:
    """Which of ``urls`` are cached (for ``flashpoints assets list``)."""
    cache = cache or AssetCache()
    return {url: cache.get(url) is not None for url in urls}
