"""The watch loop: poll feeds into the store, raise alerts, deliver them, sleep, again.

Why it survives anything: all its state is in the store. A feed's items are written as
pending in the same transaction as the feed's new ETag/Last-Modified, so a kill after a poll
never hides items behind a 304; an item is marked done only after its article is stored (and
an article already stored from that URL is recognised without fetching it again); alert rules
keep a mark of the last event they checked, moved in the transaction that stores their alerts.
A restart, after Ctrl-C or ``kill -9``, carries on where the last one stopped, without
fetching or storing anything twice. SIGINT and SIGTERM stop the loop between two requests.

Articles go through :func:`geo.pipeline.process_document` and :meth:`geo.store.Store.add`, the
path ``flashpoints ingest`` takes, so a watched article is stored exactly like an ingested one.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

import tomllib

from .alerts import AlertRule, deliver, evaluate, resolve_zones, rules_from_config
from .errors import FetchError, FlashpointsError, InputError
from .feeds import Fetcher, FetchSettings, parse_feed
from .geoparsing import GeoparseOptions
from .model import Zone
from .pipeline import process_document
from .store import Store, content_hash
from .text import document_from_html

__all__ = [
    "DEFAULT_EVERY_S",
    "PollResult",
    "WatchConfig",
    "Watcher",
    "load_watch_config",
    "parse_duration",
]

DEFAULT_EVERY_S = 600.0
#: An item that failed this many times is given up (its last error stays in the store).
MAX_ITEM_ATTEMPTS = 5
_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|m|h|d)?")
_DURATIONS = re.compile(r"(?:(?:\d+(?:\.\d*)?|\.\d+)\s*(?:ms|s|m|h|d)?\s*)+")
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(value: Any, what: str = "duration") -> float:
    """Seconds in ``10m``, ``30s``, ``1h30m``, ``0.2s`` or a plain number of seconds."""
    if isinstance(value, bool):
        raise InputError(f"{what}: not a duration: {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        text = str(value).strip().lower()
        if not _DURATIONS.fullmatch(text):
            raise InputError(f"{what}: not a duration like 10m, 30s or 1h: {value!r}")
        seconds = sum(float(n) * _UNIT_S[u or "s"] for n, u in _DURATION.findall(text))
    if not seconds > 0:
        raise InputError(f"{what}: must be more than zero")
    return seconds


@dataclass(frozen=True)
class WatchConfig:
    """What the ``[watch]`` and ``[[alert]]`` tables of a config file say."""

    feeds: tuple[str, ...] = ()
    every_s: float = DEFAULT_EVERY_S
    rules: tuple[AlertRule, ...] = ()
    alerts_out: str | None = None
    fetch: FetchSettings = field(default_factory=FetchSettings)
    #: The store to write: a file or a ``postgresql://`` URL (``--db`` wins over it).
    db: str | None = None


_WATCH_KEYS = {
    "db",
    "feeds",
    "every",
    "alerts_out",
    "delay",
    "timeout",
    "deadline",
    "max_mb",
    "retries",
    "user_agent",
    "robots",
}


def load_watch_config(path: str | Path | None) -> WatchConfig:
    """Read ``[watch]`` (db, feeds, every, alerts_out, delay, timeout, deadline, max_mb, retries,
    user_agent, robots) and ``[[alert]]`` rules from a TOML file; None gives the defaults.

    Example::

        [watch]
        feeds = ["https://example.org/world/rss.xml"]
        every = "10m"

        [[alert]]
        name = "al Tanf zone"
        zones = ["al-tanf-55km"]
        types = ["airstrike", "shelling"]
    """
    if path is None:
        return WatchConfig()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError(f"{path}: cannot read config ({err.strerror or err})") from err
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: not valid TOML ({err})") from err
    table = data.get("watch", {})
    if not isinstance(table, dict):
        raise InputError(f"{path}: [watch] must be a table")
    unknown = sorted(set(table) - _WATCH_KEYS)
    if unknown:
        raise InputError(f"{path}: unknown [watch] setting(s): {', '.join(unknown)}")
    feeds = table.get("feeds", [])
    if isinstance(feeds, str):
        feeds = [feeds]
    if not isinstance(feeds, list) or not all(isinstance(f, str) for f in feeds):
        raise InputError(f"{path}: [watch] feeds must be a list of addresses")
    fetch = FetchSettings()
    changes: dict[str, Any] = {}
    if "delay" in table:
        changes["host_delay_s"] = parse_duration(table["delay"], f"{path}: [watch] delay")
    if "timeout" in table:
        changes["timeout_s"] = parse_duration(table["timeout"], f"{path}: [watch] timeout")
    if "deadline" in table:
        changes["deadline_s"] = parse_duration(table["deadline"], f"{path}: [watch] deadline")
    if "max_mb" in table:
        changes["max_bytes"] = int(_number(table["max_mb"], f"{path}: [watch] max_mb") * 1e6)
    if "retries" in table:
        changes["max_retries"] = int(_number(table["retries"], f"{path}: [watch] retries"))
    if "user_agent" in table:
        changes["user_agent"] = str(table["user_agent"])
    if "robots" in table:
        changes["robots"] = bool(table["robots"])
    every = table.get("every")
    return WatchConfig(
        feeds=tuple(f.strip() for f in feeds if f.strip()),
        every_s=parse_duration(every, f"{path}: [watch] every") if every else DEFAULT_EVERY_S,
        rules=tuple(rules_from_config(data.get("alert"), str(path))),
        alerts_out=str(table["alerts_out"]) if table.get("alerts_out") else None,
        fetch=replace(fetch, **changes),
        db=str(table["db"]) if table.get("db") else None,
    )


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise InputError(f"{what}: must be a number, at least zero")
    return float(value)


@dataclass(frozen=True)
class PollResult:
    """What one poll did: items new (articles stored), seen (known before, by URL or by
    content), failed; alerts raised, delivered and still waiting; the feeds that failed."""

    number: int
    new: int = 0
    seen: int = 0
    failed: int = 0
    alerts: int = 0
    delivered: int = 0
    waiting: int = 0
    failing_feeds: tuple[str, ...] = ()
    stopped: bool = False

    def line(self) -> str:
        text = (
            f"poll {self.number}: items {self.new} new, {self.seen} seen, {self.failed} failed;"
            f" alerts {self.alerts} new, {self.delivered} delivered, {self.waiting} waiting"
        )
        if self.failing_feeds:
            text += f"; failing feeds: {', '.join(self.failing_feeds)}"
        if self.stopped:
            text += " (stopped early)"
        return text


class _StopRequestedError(Exception):
    """Raised out of a wait when the watch was asked to stop."""


class Watcher:
    """Poll ``sources`` (feed or page addresses) into ``store``; see the module docstring.

    ``out`` receives alerts as JSON lines (None: they wait in the store); ``log`` receives
    progress and problems, one line each; ``stop`` ends the watch between two requests.
    """

    def __init__(
        self,
        store: Store,
        sources: Sequence[str],
        *,
        rules: Sequence[AlertRule] = (),
        zones: Sequence[Zone] | None = None,
        fetch: FetchSettings | None = None,
        options: GeoparseOptions | None = None,
        out: TextIO | None = None,
        log: Callable[[str], None] = lambda _: None,
        stop: threading.Event | None = None,
    ):
        if not sources:
            raise InputError("no feed or page to watch (give addresses or [watch] feeds)")
        for url in sources:
            if not url.lower().startswith(("http://", "https://")):
                raise InputError(f"{url}: a feed must be an http or https address")
        self.store = store
        self.sources = tuple(dict.fromkeys(sources))
        self.rules = tuple(rules)
        if zones is None and any(r.zones for r in self.rules):
            from .zones import load_zones

            zones = load_zones()
        self.zones = resolve_zones(self.rules, zones or ())
        self.options = options
        self.out = out
        self.log = log
        self.stop = stop or threading.Event()
        self.fetcher = Fetcher(fetch, sleep=self._wait)
        self.polls = 0
        self._pages: dict[str, bytes] = {}
        for rule in self.rules:
            store.rule_mark(rule.name)  # from now on: a new rule does not alert on history

    def _wait(self, seconds: float) -> None:
        if self.stop.wait(seconds):
            raise _StopRequestedError

    # -- one poll ------------------------------------------------------------------------

    def poll(self) -> PollResult:
        """Poll every feed once, fetch what is new, raise and deliver alerts."""
        self.polls += 1
        counts = {"new": 0, "seen": 0, "failed": 0}
        failing: list[str] = []
        stopped = False
        try:
            for url in self.sources:
                if self.stop.is_set():
                    raise _StopRequestedError
                seen = self._poll_feed(url)
                if seen is None:
                    failing.append(url)
                else:
                    counts["seen"] += seen
            for item in self.store.items_to_fetch(MAX_ITEM_ATTEMPTS):
                if self.stop.is_set():
                    raise _StopRequestedError
                counts[self._fetch_item(item)] += 1
        except _StopRequestedError:
            stopped = True
        # Alerts for whatever was stored, even when stopping: both steps are quick and local
        # (webhooks aside, which a stop skips).
        alerts = evaluate(self.store, self.rules, self.zones) if self.rules else 0
        try:
            delivered, waiting = deliver(
                self.store, self.out, None if self.stop.is_set() else self.fetcher, self.log
            )
        except _StopRequestedError:  # asked to stop while waiting to post: they keep
            delivered, waiting, stopped = 0, len(self.store.alerts_to_post()), True
        self._pages.clear()
        return PollResult(
            self.polls,
            alerts=alerts,
            delivered=delivered,
            waiting=waiting,
            failing_feeds=tuple(failing),
            stopped=stopped,
            **counts,
        )

    def _poll_feed(self, url: str) -> int | None:
        """Fetch one feed and record its items as pending; the number of items already known,
        or None when the feed failed (logged, and tried again next poll)."""
        state = self.store.feed_state(url) or {}
        try:
            response = self.fetcher.get(
                url, etag=state.get("etag"), last_modified=state.get("last_modified")
            )
            if response.status == 304:
                self.store.feed_unchanged(url)
                return 0
            feed = parse_feed(response)
        except FlashpointsError as err:
            failures = self.store.feed_failed(url, str(err))
            self.log(f"feed failed ({failures} in a row), will retry next poll: {err}")
            return None
        if feed.is_page:
            self._pages[url] = response.body  # no need to fetch the page a second time
        _, known = self.store.feed_polled(
            url,
            [(i.url, i.title, i.published) for i in feed.items],
            title=feed.title,
            etag=response.etag,
            last_modified=response.last_modified,
        )
        return known

    def _fetch_item(self, item: dict[str, Any]) -> str:
        """Fetch, geoparse and store one item; 'new', 'seen' (already stored) or 'failed'."""
        url = item["url"]
        known = self.store.document_from_source(url)
        if known is not None:  # stored by a run killed before it could mark the item
            self.store.item_done(url, "stored", content_hash=known[1], document_id=known[0])
            return "seen"
        try:
            body = self._pages.pop(url, None)
            if body is None:
                body = self.fetcher.get(url).body
            published = (item["published"] or "")[:10] or None
            document = document_from_html(body, source=url, published=published)
            if not document.title and item["title"]:
                document = replace(document, title=item["title"])
            document, mentions, events = process_document(document, self.options)
            stored = self.store.add(document, mentions, events)
        except _StopRequestedError:
            raise
        except FetchError as err:
            return self._item_failed(url, str(err), final=not err.retryable)
        except InputError as err:  # no article in the page, or too big: asking again won't help
            return self._item_failed(url, str(err), final=True)
        except FlashpointsError as err:
            return self._item_failed(url, str(err))
        except Exception as err:  # a hostile page must not end a watch of many feeds
            return self._item_failed(url, f"{url}: unexpected {type(err).__name__}: {err}")
        digest = content_hash(document.text)
        if stored:
            self.store.item_done(url, "stored", content_hash=digest, document_id=document.id)
            return "new"
        self.store.item_done(url, "duplicate", content_hash=digest, document_id=None)
        return "seen"

    def _item_failed(self, url: str, error: str, *, final: bool = False) -> str:
        attempts = self.store.item_failed(url, error, final=final)
        if final:
            self.log(f"item skipped: {error}")
        elif attempts >= MAX_ITEM_ATTEMPTS:
            self.log(f"item given up after {attempts} attempts: {error}")
        else:
            self.log(f"item failed (attempt {attempts}), will retry next poll: {error}")
        return "failed"

    # -- the loop ------------------------------------------------------------------------

    def run(
        self,
        every_s: float = DEFAULT_EVERY_S,
        *,
        once: bool = False,
        on_poll: Callable[[PollResult], None] | None = None,
    ) -> list[PollResult]:
        """Poll every ``every_s`` seconds until stopped (SIGINT, SIGTERM, or ``stop``), or
        once. Each poll's result goes to ``on_poll`` (default: its line to ``log``)."""
        results: list[PollResult] = []
        report = on_poll or (lambda r: self.log(r.line()))
        with _stop_on_signals(self.stop):
            while True:
                started = time.monotonic()
                result = self.poll()
                results.append(result)
                report(result)
                if once or self.stop.is_set():
                    break
                if self.stop.wait(max(0.0, every_s - (time.monotonic() - started))):
                    break
        if self.stop.is_set():
            self.log("stopped; the next watch carries on from here")
        return results


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set ``stop`` (only the main thread may install handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}

    def handler(signum: int, frame: Any) -> None:
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
