"""A local stand-in for Nominatim's ``/search`` and ``/reverse`` JSON API, on 127.0.0.1.

Queries choose the behaviour, so one server covers every fault the geocoder chain must
survive: "slow ..." answers late, "busy ..." answers 429 with Retry-After once, "broken ..."
answers 500, "garbage ..." answers non-JSON, "nowhere ..." finds nothing. Every request is
logged with its time so tests can check caching and the rate limit.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

from .localserver import LocalServer

PLACES = {
    "umm batinah": (33.1841, 35.8712, "village", "sy", "Umm Batinah, Quneitra, Syria"),
    "tal hamis": (36.7622, 41.4981, "town", "sy", "Tal Hamis, Al-Hasakah, Syria"),
}


class _Handler(BaseHTTPRequestHandler):
    server: NominatimStub

    def log_message(self, *args):  # keep test output clean
        pass

    def _send(self, status: int, body: str, headers: dict | None = None) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlparse(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        stub = self.server
        with stub.lock:
            stub.log.append((time.monotonic(), url.path, params, self.headers.get("User-Agent")))
        if url.path == "/reverse":
            lat, lon = float(params["lat"]), float(params["lon"])
            body = {
                "lat": str(lat),
                "lon": str(lon),
                "display_name": f"Somewhere at {lat:.2f}, {lon:.2f}",
                "addresstype": "village",
                "address": {"country_code": "sy"},
            }
            self._send(200, json.dumps(body))
            return
        query = params.get("q", "").lower()
        if query.startswith("slow"):
            time.sleep(stub.slow_s)
        if query.startswith("busy"):
            with stub.lock:
                first = query not in stub.busy_seen
                stub.busy_seen.add(query)
            if first:
                self._send(429, "[]", {"Retry-After": str(stub.retry_after)})
                return
        if query.startswith("broken"):
            self._send(500, '{"error": "internal"}')
            return
        if query.startswith("garbage"):
            self._send(200, "<html>not json{")
            return
        known = PLACES.get(query) or (
            (12.5, 44.5, "town", "ye", f"{query.title()}, Yemen")
            if query.startswith(("busy", "slow", "spot"))
            else None
        )
        if known is None:
            self._send(200, "[]")
            return
        lat, lon, kind, cc, name = known
        hit = {
            "place_id": 1,
            "lat": str(lat),
            "lon": str(lon),
            "display_name": name,
            "class": "place",
            "type": kind,
            "addresstype": kind,
            "address": {"country_code": cc},
        }
        self._send(200, json.dumps([hit]))


class NominatimStub(LocalServer):
    def __init__(self):
        super().__init__(_Handler)
        self.lock = threading.Lock()
        self.log: list[tuple[float, str, dict, str | None]] = []
        self.busy_seen: set[str] = set()
        self.slow_s = 2.0
        self.retry_after = 1

    def searches(self, query: str | None = None) -> list[dict]:
        return [
            p
            for _, path, p, _ in self.log
            if path == "/search" and (query is None or p.get("q") == query)
        ]
