"""A local server on 127.0.0.1 that misbehaves on purpose: well-formed but wrong geocoder
answers, answers that drip one byte at a time or never end, redirects to another host."""

from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

from .localserver import LocalServer
from .pages import ARTICLE

#: Query -> the JSON body /search sends for it (Nominatim's shape, wrong in one way each).
ANSWERS = {
    "list of strings": ["Damascus", "Syria"],
    "a string": "Damascus",
    "lat 200": [{"lat": "200", "lon": "36.3", "display_name": "Far north"}],
    "lat nan": [{"lat": "nan", "lon": "36.3", "display_name": "Nowhere"}],
    "lat abc": [{"lat": "abc", "lon": "36.3", "display_name": "Letters"}],
    "lon 500": [{"lat": "33.5", "lon": "500", "display_name": "Wrapped"}],
    "no coordinates": [{"display_name": "Somewhere", "type": "town"}],
    "address list": [{"lat": "33.5", "lon": "36.3", "display_name": "D", "address": ["sy"]}],
    "good place": [{"lat": "33.5", "lon": "36.3", "display_name": "Good Place, Syria"}],
}


class _Handler(BaseHTTPRequestHandler):
    server: HostileServer

    def log_message(self, *args):
        pass

    def _send(self, status, body: bytes, headers=()):
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query).get("q", [""])[0].lower()
        try:
            if url.path == "/search" and query in ANSWERS:
                body = json.dumps(ANSWERS[query]).encode()
                self._send(200, body, [("Content-Length", str(len(body)))])
            elif url.path in ("/drip", "/page-drip") or query == "drip":
                self.send_response(200)
                self.send_header("Content-Length", "100000")
                self.end_headers()
                for _ in range(200):  # one byte every 0.2 s: never a socket timeout
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.2)
            elif url.path in ("/flood", "/page-flood") or query == "flood":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()  # no length: the body just goes on
                for _ in range(2000):
                    self.wfile.write(b"[" + b" " * 65535)
            elif url.path == "/declared-huge" or query == "declared huge":
                self._send(200, b"[]", [("Content-Length", str(10**10))])
            elif url.path == "/elsewhere" or query == "elsewhere":
                # Another host name for the same machine: still no network.
                port = self.server.server_address[1]
                target = f"http://localhost:{port}/search?q=good+place&format=json"
                self._send(302, b"", [("Location", target), ("Content-Length", "0")])
            elif url.path == "/article":
                body = ARTICLE.encode()
                self._send(200, body, [("Content-Length", str(len(body)))])
            elif url.path == "/moved":
                port = self.server.server_address[1]
                location = f"http://localhost:{port}/article"
                self._send(301, b"", [("Location", location), ("Content-Length", "0")])
            else:
                self._send(404, b"[]", [("Content-Length", "2")])
        except (BrokenPipeError, ConnectionResetError):
            pass


class HostileServer(LocalServer):
    def __init__(self):
        super().__init__(_Handler)
