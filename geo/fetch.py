"""HTTP GET with limits a hostile or broken server cannot get round.

A socket timeout bounds each wait, not the request: a server that sends one byte every few
seconds never trips it and can hold a run for ever, and one that sends gigabytes fills the
memory. :func:`fetch` gives every request an overall deadline (a watchdog shuts the socket
down when it passes, whatever phase the request is in), reads at most ``max_bytes``, and
can refuse redirects to another host (a geocoder's answers must come from the server the
user named). Proxies from the environment are honoured, as urllib does.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urlsplit

from .errors import FetchError

__all__ = ["Response", "fetch"]


@dataclass(frozen=True)
class Response:
    """A whole response: final URL, status, headers (lower-case names) and body bytes."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def charset(self) -> str:
        message = Message()
        message["content-type"] = self.headers.get("content-type", "")
        return message.get_content_charset() or "utf-8"


class _Sockets:
    """The sockets one request opens, so the watchdog can shut them down."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open: list[socket.socket] = []
        self.expired = False

    def add(self, sock: socket.socket) -> None:
        with self.lock:
            self.open.append(sock)
            if self.expired:
                _shutdown(sock)

    def expire(self) -> None:
        with self.lock:
            self.expired = True
            for sock in self.open:
                _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)  # wakes a blocked recv() in the other thread


def _handlers(sockets: _Sockets, same_host: str | None, ssl_context) -> list:
    def tracked(base):
        class Connection(base):
            def connect(self) -> None:
                super().connect()
                sockets.add(self.sock)

        return Connection

    http_conn = tracked(http.client.HTTPConnection)
    https_conn = tracked(http.client.HTTPSConnection)

    class HTTP(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(http_conn, req)

    class HTTPS(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(https_conn, req, context=ssl_context)

    class Redirects(urllib.request.HTTPRedirectHandler):
        max_redirections = 5

        def redirect_request(self, req, fp, code, msg, headers, newurl):
            target = urlsplit(newurl)
            if same_host is not None and target.netloc.lower() != same_host:
                raise FetchError(
                    f"{req.full_url}: redirected to another host ({target.netloc}), not followed",
                    kind="redirect",
                    retryable=False,
                )
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    return [HTTP(), HTTPS(context=ssl_context), Redirects()]


def _read(response, max_bytes: int, url: str) -> bytes:
    """The body, a chunk at a time (``read1`` returns after one wait, so the deadline is
    looked at between chunks, not after the whole body)."""
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(
            f"{url}: the answer is {int(declared):,} bytes, over the {max_bytes:,} allowed",
            kind="too-large",
            retryable=False,
        )
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = response.read1(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(
                f"{url}: the answer is larger than the {max_bytes:,} bytes allowed",
                kind="too-large",
                retryable=False,
            )
        chunks.append(chunk)


def fetch(
    url: str,
    *,
    method: str = "GET",
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout_s: float = 10.0,
    deadline_s: float = 30.0,
    max_bytes: int = 5_000_000,
    same_host: bool = False,
    proxies: dict[str, str] | None = None,
    ssl_context=None,
) -> Response:
    """GET (or ``method`` with ``data``) ``url`` whole within ``deadline_s``, at most
    ``max_bytes`` of body. Geocoders, article pages, feeds and webhooks all come through here.

    ``timeout_s`` bounds each wait for the network. An HTTP error status is returned, not
    raised (its body capped too): the caller decides what a 429 or a 500 means. Anything
    else that goes wrong is a :class:`FetchError` whose ``kind`` says what. ``same_host``
    refuses redirects to any other host and port.
    """
    host = urlsplit(url).netloc.lower() if same_host else None
    sockets = _Sockets()
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler(proxies), *_handlers(sockets, host, ssl_context)
    )
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    watchdog = threading.Timer(deadline_s, sockets.expire)
    watchdog.daemon = True
    started = time.monotonic()
    watchdog.start()
    try:
        try:
            response = opener.open(request, timeout=timeout_s)
        except urllib.error.HTTPError as err:
            response = err
        with response:
            body = _read(response, max_bytes, url)
            status = response.status if response.status is not None else response.code
            got = {k.lower(): v for k, v in response.headers.items()}
            final = response.geturl()
    except FetchError:
        raise
    except (OSError, http.client.HTTPException, ValueError) as err:
        if sockets.expired:
            raise FetchError(
                f"{url}: no whole answer within {deadline_s:g} s", kind="deadline"
            ) from err
        reason = getattr(err, "reason", err)
        if isinstance(reason, FetchError):
            raise reason from err
        timed_out = isinstance(reason, TimeoutError) or "timed out" in str(reason)
        if timed_out:
            raise FetchError(f"{url}: no answer within {timeout_s:g} s", kind="timeout") from err
        raise FetchError(f"{url}: cannot connect ({reason})", kind="network") from err
    finally:
        watchdog.cancel()
    if sockets.expired or time.monotonic() - started > deadline_s:
        raise FetchError(f"{url}: no whole answer within {deadline_s:g} s", kind="deadline")
    return Response(final, status, got, body)
