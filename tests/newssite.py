"""A local news site and webhook receiver on 127.0.0.1 for the watch tests (no internet).

Tests change it between polls: ``route`` sets what a path answers (body, type, ETag, an
artificial delay, a number of failures to give first); feeds are built from ``Story`` items
with ``rss``/``atom``. Conditional requests are answered 304 when the ETag matches. POSTs to
``/hook`` are collected in ``received`` (after the set number of failures). Every request is
counted per path so tests can prove nothing was fetched twice.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler

from .localserver import LocalServer


@dataclass
class Route:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    etag: str | None = None
    delay_s: float = 0.0
    fail: int = 0  # answer 500 this many times first
    drip_s: float = 0.0  # send the body a byte at a time, this long apart
    status: int = 200


@dataclass(frozen=True)
class Story:
    path: str
    title: str
    text: str  # paragraphs separated by blank lines
    published: str = "2017-05-19"


def article_html(story: Story) -> bytes:
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in story.text.split("\n\n"))
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{escape(story.title)}</title></head><body><nav>Home | World | Sign up</nav>"
        f"<article><h1>{escape(story.title)}</h1>{paragraphs}</article>"
        "<footer>All rights reserved</footer></body></html>"
    ).encode()


def _rfc822(day: str) -> str:
    return format_datetime(datetime.fromisoformat(day).replace(hour=9, tzinfo=timezone.utc))


def rss(site: NewsSite, stories: list[Story], title: str = "World desk") -> bytes:
    items = "".join(
        f"<item><title>{escape(s.title)}</title><link>{site.url(s.path)}</link>"
        f"<guid>{site.url(s.path)}</guid><pubDate>{_rfc822(s.published)}</pubDate></item>"
        for s in stories
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>{site.url('/')}</link>"
        f"<description>test feed</description>{items}</channel></rss>"
    ).encode()


def atom(site: NewsSite, stories: list[Story], title: str = "Border desk") -> bytes:
    entries = "".join(
        f"<entry><title>{escape(s.title)}</title><link href='{s.path}'/>"
        f"<id>{site.url(s.path)}</id><updated>{s.published}T09:00:00Z</updated></entry>"
        for s in stories
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>{site.url('/atom')}</id>"
        f"<updated>2017-05-19T09:00:00Z</updated>{entries}</feed>"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    server: NewsSite

    def log_message(self, *args):
        pass

    def _send(self, status: int, body: bytes, content_type: str, etag: str | None = None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        site = self.server
        with site.lock:
            site.hits[self.path] += 1
            site.agents.add(self.headers.get("User-Agent", ""))
            route = site.routes.get(self.path)
            failing = route is not None and route.fail > 0
            if failing:
                route.fail -= 1
        if route is None:
            self._send(404, b"not here", "text/plain")
            return
        if route.delay_s:
            time.sleep(route.delay_s)
        if failing:
            self._send(500, b"server error", "text/plain")
            return
        if route.etag and self.headers.get("If-None-Match") == route.etag:
            with site.lock:
                site.not_modified[self.path] += 1
            self.send_response(304)
            self.send_header("ETag", route.etag)
            self.end_headers()
            return
        if route.drip_s:
            self.send_response(200)
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            for byte in route.body:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(route.drip_s)
            return
        self._send(route.status, route.body, route.content_type, route.etag)

    def do_POST(self):
        site = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with site.lock:
            site.hits[f"POST {self.path}"] += 1
            failing = site.hook_failures > 0
            if failing:
                site.hook_failures -= 1
            else:
                site.received.append(json.loads(body))
        if failing:
            self._send(503, b"try later", "text/plain")
        else:
            self._send(200, b"{}", "application/json")


class NewsSite(LocalServer):
    def __init__(self):
        super().__init__(_Handler)
        self.lock = threading.Lock()
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()
        self.agents: set[str] = set()
        self.received: list[dict] = []
        self.hook_failures = 0

    def handle_error(self, request, client_address):
        pass  # a client that gave up on a slow answer is what some tests are about

    def route(self, path: str, body: bytes, **kwargs) -> None:
        with self.lock:
            self.routes[path] = Route(body, **kwargs)

    def publish(self, *stories: Story) -> None:
        for story in stories:
            self.route(story.path, article_html(story))
