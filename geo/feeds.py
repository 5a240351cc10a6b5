"""Polite HTTP for feeds, article pages and webhooks, and reading RSS/Atom feeds.

Why our own small client: a watch runs for weeks against other people's servers, so every
request must be bounded and courteous. Each request has an overall deadline (not only a socket
timeout, which a server dripping one byte at a time never trips) and a size cap; requests to
one host go one at a time with a delay between them (longer if robots.txt asks for a
Crawl-delay); robots.txt is honoured for every feed and page; the user agent says who we are;
faults a retry can fix (timeouts, 429, 5xx) are retried with exponential backoff and
Retry-After, and the rest fail at once with a :class:`~geo.errors.FetchError` naming the URL.
Conditional requests (ETag, Last-Modified) let an unchanged feed cost one 304.

Feeds are parsed by feedparser (RSS 0.9x-2.0, RSS 1.0, Atom); a URL that answers with an HTML
page instead of a feed is treated as a single item, so ``watch`` takes feeds and pages alike.
"""

from __future__ import annotations

import calendar
import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from .errors import FetchError, InputError
from .fetch import fetch

__all__ = [
    "USER_AGENT",
    "FeedItem",
    "FetchSettings",
    "Fetcher",
    "ParsedFeed",
    "Response",
    "parse_feed",
]

try:
    _VERSION = version("flashpoints")
except PackageNotFoundError:  # pragma: no cover - a source tree without metadata
    _VERSION = "dev"

USER_AGENT = (
    f"flashpoints/{_VERSION} (feed watcher for border flashpoint mapping;"
    " +https://pypi.org/project/flashpoints/)"
)
#: HTTP statuses a later attempt may get past; every other error status fails at once.
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
#: The longest Retry-After we sit through; a longer one fails the request (tried next poll).
MAX_RETRY_AFTER_S = 60.0
#: How long a host's robots.txt is trusted before it is read again.
ROBOTS_TTL_S = 3600.0


@dataclass(frozen=True)
class FetchSettings:
    """How politely and how patiently to fetch.

    ``timeout_s`` bounds each socket operation, ``deadline_s`` the whole request (connect,
    headers and body); ``max_bytes`` caps a body; ``host_delay_s`` is the least time between
    two requests to one host; ``max_retries`` and ``backoff_s`` (doubled each time) govern
    retries of what can be retried.
    """

    user_agent: str = USER_AGENT
    timeout_s: float = 20.0
    deadline_s: float = 60.0
    max_bytes: int = 10_000_000
    host_delay_s: float = 2.0
    max_retries: int = 2
    backoff_s: float = 2.0
    robots: bool = True


@dataclass(frozen=True)
class Response:
    """One answer. ``status`` 304 means "not modified": ``body`` is empty then."""

    url: str
    status: int
    body: bytes
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed: where its article is, its title, and when it was published
    (ISO 8601 in UTC, or None when the feed does not say)."""

    url: str
    title: str
    published: str | None


@dataclass(frozen=True)
class ParsedFeed:
    """A feed's title and items; ``is_page`` when the URL answered with an article page."""

    title: str
    items: tuple[FeedItem, ...]
    is_page: bool = False


class Fetcher:
    """HTTP GET/POST with deadlines, size caps, per-host spacing, robots.txt and retries.

    One fetcher serves one watch: it remembers when it last asked each host and what each
    host's robots.txt says. ``sleep`` is injectable so a watch can be woken to stop, and so
    tests can count the waits.
    """

    def __init__(
        self,
        settings: FetchSettings | None = None,
        *,
        sleep: Callable[[float], object] = time.sleep,
    ):
        self.settings = settings or FetchSettings()
        self._sleep = sleep
        self._last: dict[str, float] = {}
        self._robots: dict[str, tuple[float, RobotFileParser | None]] = {}
        self.requests = 0  # requests actually sent (robots.txt included)

    # -- public --------------------------------------------------------------------------

    def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Response:
        """GET ``url`` (after robots.txt allows it), conditionally when validators are given."""
        _check_scheme(url)
        if not self.allowed(url):
            raise FetchError(f"{url}: robots.txt asks robots not to fetch it", retryable=False)
        headers = {"Accept": "application/rss+xml, application/atom+xml, text/html;q=0.9, */*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._with_retries("GET", url, headers, None)

    def post_json(self, url: str, body: bytes) -> Response:
        """POST a JSON body (a webhook); robots.txt does not apply to a receiver we were given."""
        _check_scheme(url)
        headers = {"Content-Type": "application/json"}
        return self._with_retries("POST", url, headers, body)

    def allowed(self, url: str) -> bool:
        """Whether the host's robots.txt lets us fetch ``url`` (read once an hour per host).

        A missing robots.txt (4xx) allows everything; 401/403 forbid everything, as the
        robots.txt convention says; an unreachable one raises, so the URL is tried next poll
        rather than fetched without knowing.
        """
        if not self.settings.robots:
            return True
        parser = self._robots_for(url)
        return parser is None or parser.can_fetch(self.settings.user_agent, url)

    # -- internals -----------------------------------------------------------------------

    def _robots_for(self, url: str) -> RobotFileParser | None:
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        cached = self._robots.get(root)
        if cached is not None and time.monotonic() - cached[0] < ROBOTS_TTL_S:
            return cached[1]
        parser: RobotFileParser | None = RobotFileParser(root + "/robots.txt")
        try:
            answer = self._with_retries("GET", root + "/robots.txt", {}, None, retries=0)
        except FetchError as err:
            if err.status in (401, 403):
                parser.disallow_all = True  # type: ignore[union-attr]
            elif err.status is not None and 400 <= err.status < 500:
                parser = None
            else:
                raise FetchError(f"{url}: cannot read {root}/robots.txt ({err})") from err
        else:
            text = answer.body.decode("utf-8", "replace")
            parser.parse(text.splitlines())  # type: ignore[union-attr]
        self._robots[root] = (time.monotonic(), parser)
        return parser

    def _host_delay(self, url: str) -> float:
        delay = self.settings.host_delay_s
        cached = self._robots.get(_root(url))
        if cached is not None and cached[1] is not None:
            asked = cached[1].crawl_delay(self.settings.user_agent)
            if asked:
                delay = max(delay, min(float(asked), MAX_RETRY_AFTER_S))
        return delay

    def _wait_turn(self, url: str) -> None:
        host = urlsplit(url).netloc
        last = self._last.get(host)
        if last is not None:
            wait = last + self._host_delay(url) - time.monotonic()
            if wait > 0:
                self._sleep(wait)

    def _with_retries(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        data: bytes | None,
        *,
        retries: int | None = None,
    ) -> Response:
        attempts = (self.settings.max_retries if retries is None else retries) + 1
        for attempt in range(attempts):
            try:
                return self._once(method, url, headers, data)
            except FetchError as err:
                if not err.retryable or attempt == attempts - 1:
                    raise
                backoff = self.settings.backoff_s * (2**attempt)
                self._sleep(backoff if err.retry_after is None else err.retry_after)
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(self, method: str, url: str, headers: dict[str, str], data: bytes | None) -> Response:
        """One request, bounded by the deadline and the size cap (:func:`geo.fetch.fetch`);
        an error status is a FetchError saying whether asking again may help."""
        self._wait_turn(url)
        settings = self.settings
        self.requests += 1
        try:
            answer = fetch(
                url,
                method=method,
                data=data,
                headers={"User-Agent": settings.user_agent, **headers},
                timeout_s=min(settings.timeout_s, settings.deadline_s),
                deadline_s=settings.deadline_s,
                max_bytes=settings.max_bytes,
            )
        finally:
            self._last[urlsplit(url).netloc] = time.monotonic()
        got = answer.headers
        if answer.status == 304:
            return Response(
                url=url,
                status=304,
                body=b"",
                etag=got.get("etag"),
                last_modified=got.get("last-modified"),
            )
        if answer.status >= 400:
            wait = _retry_after(got.get("retry-after"))
            raise FetchError(
                f"{url}: the server answered HTTP {answer.status}",
                kind="status",
                status=answer.status,
                retryable=answer.status in RETRYABLE_STATUS
                and (wait is None or wait <= MAX_RETRY_AFTER_S),
                retry_after=wait,
            )
        return Response(
            url=answer.url,
            status=answer.status,
            body=answer.body,
            content_type=got.get("content-type", ""),
            etag=got.get("etag"),
            last_modified=got.get("last-modified"),
        )


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds, from either of its two forms (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _root(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _check_scheme(url: str) -> None:
    if not url.lower().startswith(("http://", "https://")):
        raise InputError(f"{url}: only http and https addresses can be fetched")


def parse_feed(response: Response) -> ParsedFeed:
    """The items of an RSS or Atom feed, or the answer as one page when it is HTML.

    Malformed XML that feedparser can still read (it is lenient) gives what it read; XML with
    no readable item is an error naming the feed, so the watch logs it and goes on.
    """
    import feedparser  # only a watch needs it

    parsed = feedparser.parse(
        response.body,
        response_headers={"content-location": response.url, "content-type": response.content_type},
    )
    entries = list(parsed.entries)
    if not parsed.version and not entries and _looks_like_html(response):
        return ParsedFeed(title="", items=(FeedItem(response.url, "", None),), is_page=True)
    items = []
    for entry in entries:
        link = entry.get("link") or ""
        if not link:
            guid = entry.get("id") or ""
            link = guid if guid.startswith(("http://", "https://")) else ""
        if not link:
            continue  # nothing to fetch: a feed item is worth only its article
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = (
            time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(calendar.timegm(stamp)))
            if stamp
            else None
        )
        items.append(
            FeedItem(
                url=urljoin(response.url, link.strip()),
                title=" ".join(str(entry.get("title") or "").split()),
                published=published,
            )
        )
    if parsed.bozo and not items:
        problem = getattr(parsed, "bozo_exception", None) or "unreadable"
        raise InputError(f"{response.url}: not a readable RSS or Atom feed ({problem})")
    title = " ".join(str(parsed.feed.get("title") or "").split())
    return ParsedFeed(title=title, items=tuple(items))


def _looks_like_html(response: Response) -> bool:
    if "html" in response.content_type.lower():
        return True
    head = response.body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))
