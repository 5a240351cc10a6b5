"""A local web server on 127.0.0.1 with news pages, for the URL inputs (no internet)."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

from .localserver import LocalServer

ARTICLE = """<!doctype html><html><head><title>Strikes near the garrison</title>
<meta property="article:published_time" content="2017-06-08"></head><body>
<nav>Home | World | Sign up for our newsletter</nav>
<article><h1>Strikes near the garrison</h1>
<p>Coalition aircraft struck a convoy of pro-regime forces near al Tanf on Tuesday, officials
said. The convoy had come from Palmyra and was heading for the Rukban camp area.</p>
<p>Residents of Deir ez-Zor reported further shelling overnight along the Euphrates.</p>
</article><footer>ADVERTISEMENT</footer></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/article":
            body, status = ARTICLE.encode(), 200
        elif self.path == "/empty":
            body, status = b"<html><body></body></html>", 200
        else:
            body, status = b"not here", 404
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class PageServer(LocalServer):
    def __init__(self):
        super().__init__(_Handler)
