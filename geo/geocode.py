"""Geocoding by name and by point: the offline gazetteer first, an online service only if asked.

Why a chain and not a geocoder: the tool must never become fragile or leak queries because a
network happens to be there. The offline gazetteer answers first; an online geopy geocoder
(Nominatim, Photon, ArcGIS, Bing, Google, ...) is consulted only when the user names one (CLI
``--online``, a config file, or the dashboard), and then politely: one request per second by
default (geopy's ``RateLimiter``), a descriptive user agent, and a persistent SQLite cache of
answers, "not found" included, so no name is asked twice. Faults (timeouts, HTTP 429 with
Retry-After, 5xx, garbage, DNS failure) are retried with backoff where that can help, then the
name is reported unresolved with the reason, and the rest of the run goes on offline.

:class:`OfflineGeocoder` is the gazetteer behind geopy's own interface, so people can plug it
into their geopy code (``geocode()``/``reverse()`` returning ``Location``).
"""

from __future__ import annotations

import inspect
import json
import math
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import tomllib
from geopy import exc as geopy_exc
from geopy.adapters import AdapterHTTPError, BaseAdapter, BaseSyncAdapter
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import SERVICE_TO_GEOCODER, get_geocoder_for_service
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from .coords import haversine_km
from .errors import FetchError, InputError
from .fetch import fetch
from .gazetteer import Gazetteer, open_gazetteer
from .model import Place
from .paths import geocode_cache_path, setting
from .sqlfiles import open_sqlite

__all__ = [
    "DEFAULT_USER_AGENT",
    "GeocodeCache",
    "GeocodeResult",
    "GeocoderChain",
    "OfflineGeocoder",
    "OnlineSettings",
    "load_online_settings",
]

try:
    from importlib.metadata import version as _version

    _VERSION = _version("flashpoints")
except Exception:  # pragma: no cover - running from a source tree without metadata
    _VERSION = "dev"

DEFAULT_USER_AGENT = (
    f"flashpoints/{_VERSION} (border flashpoint mapping; https://pypi.org/project/flashpoints/)"
)
#: Services whose usage policy asks for at most one request per second.
_ONE_PER_SECOND = frozenset({"nominatim", "photon", "openmapquest", "pickpoint", "geocodeearth"})
#: Longest we wait on one Retry-After; a longer one gives up on that name instead of hanging.
MAX_RETRY_WAIT_S = 30.0
#: After this many names fail in a row, the service counts as down for the rest of the run.
MAX_CONSECUTIVE_FAILURES = 3


@dataclass(frozen=True)
class GeocodeResult:
    """One answer. ``found`` is False with a ``reason`` when there is none; ``geocoder`` says
    who answered ("offline" or the service name), ``cached`` whether it came from the cache."""

    query: str
    geocoder: str
    name: str | None = None
    lat: float | None = None
    lon: float | None = None
    kind: str | None = None
    country_code: str | None = None
    cached: bool = False
    reason: str | None = None
    distance_km: float | None = None  # reverse geocoding: how far the answer is from the point

    @property
    def found(self) -> bool:
        return self.lat is not None and self.lon is not None

    def record(self) -> dict[str, Any]:
        return asdict(self) | {"found": self.found}


@dataclass(frozen=True)
class OnlineSettings:
    """Which online geocoder to ask and how. ``service`` is a geopy service name
    (``nominatim``, ``photon``, ``arcgis``, ``bing``, ``googlev3``...); ``domain`` and
    ``scheme`` point it at another server (a self-hosted Nominatim, or a test server).
    The API key, if the service needs one, is read from ``FLASHPOINTS_<SERVICE>_API_KEY``."""

    service: str
    domain: str | None = None
    scheme: str | None = None
    user_agent: str = DEFAULT_USER_AGENT
    timeout_s: float = 10.0
    min_delay_s: float | None = None  # default: 1 s for Nominatim-like services, else 0.2 s
    max_retries: int = 2
    backoff_s: float = 1.0
    cache_days: float = 90.0
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def cache_key(self) -> str:
        """Answers from different servers never mix in the cache."""
        return f"{self.service}@{self.domain or 'default'}"

    @property
    def delay_s(self) -> float:
        if self.min_delay_s is not None:
            return self.min_delay_s
        return 1.0 if self.service in _ONE_PER_SECOND else 0.2


def load_online_settings(path: str | Path) -> OnlineSettings | None:
    """Read the ``[online]`` table of a TOML config file; None when it names no service.

    Example::

        [online]
        service = "nominatim"
        domain = "nominatim.example.org"
        user_agent = "newsroom-maps (maps@example.org)"
    """
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError(f"{path}: cannot read config ({err.strerror or err})") from err
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: not valid TOML ({err})") from err
    table = data.get("online")
    if table is not None and not isinstance(table, dict):
        raise InputError(f"{path}: [online] must be a table")
    if table is None or not table.get("service"):
        return None
    known = {f for f in OnlineSettings.__dataclass_fields__ if f != "extra"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise InputError(f"{path}: unknown [online] setting(s): {', '.join(unknown)}")
    try:
        return OnlineSettings(**table)
    except TypeError as err:  # pragma: no cover - guarded by the check above
        raise InputError(f"{path}: bad [online] table ({err})") from err


def _geopy_geocoder(settings: OnlineSettings) -> Geocoder:
    """The geopy geocoder for ``settings``, given only the options its class accepts."""
    name = settings.service.lower()
    if name not in SERVICE_TO_GEOCODER:
        choices = ", ".join(sorted(SERVICE_TO_GEOCODER))
        raise InputError(f"unknown online geocoder {settings.service!r}; choose from {choices}")
    cls = get_geocoder_for_service(name)
    accepted = inspect.signature(cls.__init__).parameters
    offered: dict[str, Any] = {
        "user_agent": settings.user_agent,
        "timeout": settings.timeout_s,
        "domain": settings.domain,
        "scheme": settings.scheme,
        "api_key": setting(f"{name.upper()}_API_KEY"),
        # Retries are the chain's (they honour Retry-After and count towards giving up), so
        # the HTTP layer must not retry behind its back.
        "adapter_factory": _adapter_without_retries,
        **settings.extra,
    }
    kwargs = {k: v for k, v in offered.items() if v is not None and k in accepted}
    needs_key = "api_key" in accepted and accepted["api_key"].default is inspect.Parameter.empty
    if needs_key and "api_key" not in kwargs:
        raise InputError(
            f"the {name} geocoder needs an API key: set FLASHPOINTS_{name.upper()}_API_KEY"
        )
    try:
        return cls(**kwargs)
    except geopy_exc.ConfigurationError as err:
        raise InputError(f"online geocoder {name}: {err}") from err


#: The largest geocoder answer read: a real one is a few kB.
MAX_ANSWER_BYTES = 4_000_000


class _AnswerRefused(geopy_exc.GeocoderServiceError):
    """An answer too big, too slow in coming whole, or from another host: not retried."""


class _LimitedAdapter(BaseSyncAdapter):
    """geopy's HTTP adapter contract over :func:`geo.fetch.fetch`: each request has an
    overall deadline (three times the timeout), answers are capped at
    :data:`MAX_ANSWER_BYTES`, redirects to another host are not followed, and the HTTP
    layer never retries behind the chain's back (the chain's retries honour Retry-After)."""

    def __init__(self, *, proxies: Any, ssl_context: Any):
        super().__init__(proxies=proxies, ssl_context=ssl_context)
        self.proxies = proxies if isinstance(proxies, dict) else None
        self.ssl_context = ssl_context

    def get_json(self, url: str, *, timeout: float, headers: dict[str, str]) -> Any:
        text = self.get_text(url, timeout=timeout, headers=headers)
        try:
            return json.loads(text)
        except (ValueError, RecursionError) as err:
            raise geopy_exc.GeocoderParseError("the answer is not JSON") from err

    def get_text(self, url: str, *, timeout: float, headers: dict[str, str]) -> str:
        try:
            response = fetch(
                url,
                headers=headers,
                timeout_s=timeout,
                deadline_s=3 * timeout,
                max_bytes=MAX_ANSWER_BYTES,
                same_host=True,
                proxies=self.proxies or None,
                ssl_context=self.ssl_context,
            )
        except FetchError as err:
            if err.kind == "timeout":
                raise geopy_exc.GeocoderTimedOut("Service timed out") from err
            if err.kind == "network":
                raise geopy_exc.GeocoderUnavailable(str(err)) from err
            raise _AnswerRefused(str(err).split(": ", 1)[-1]) from err
        try:
            text = response.body.decode(response.charset)
        except (LookupError, UnicodeDecodeError) as err:
            raise geopy_exc.GeocoderParseError("the answer is not text") from err
        if response.status >= 400:
            raise AdapterHTTPError(
                f"Non-successful status code {response.status}",
                status_code=response.status,
                headers=response.headers,
                text=text,
            )
        return text


def _adapter_without_retries(*, proxies: Any, ssl_context: Any) -> BaseAdapter:
    return _LimitedAdapter(proxies=proxies, ssl_context=ssl_context)


class GeocodeCache:
    """Answers by (geocoder, query), found or not, kept ``max_age_days``; one SQLite file.

    Transient failures are never stored, so they are retried on the next run; "not found" is,
    so a name a service does not know costs one request, ever (until it expires).
    """

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else geocode_cache_path()
        self._con = open_sqlite(
            self.path,
            "CREATE TABLE IF NOT EXISTS answers (geocoder TEXT NOT NULL, query TEXT NOT"
            " NULL, result TEXT NOT NULL, fetched REAL NOT NULL,"
            " PRIMARY KEY (geocoder, query)) WITHOUT ROWID",
            "the geocoding cache",
            wal=True,
        )

    @staticmethod
    def _key(query: str) -> str:
        return " ".join(query.split()).casefold()

    def get(self, geocoder: str, query: str, max_age_days: float) -> GeocodeResult | None:
        row = self._con.execute(
            "SELECT result, fetched FROM answers WHERE geocoder = ? AND query = ?",
            (geocoder, self._key(query)),
        ).fetchone()
        if row is None or time.time() - row[1] > max_age_days * 86400:
            return None
        data = json.loads(row[0])
        data.pop("found", None)
        return replace(GeocodeResult(**data), query=query, cached=True)

    def put(self, geocoder: str, result: GeocodeResult) -> None:
        with self._con:
            self._con.execute(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?)",
                (geocoder, self._key(result.query), json.dumps(result.record()), time.time()),
            )

    def __len__(self) -> int:
        return self._con.execute("SELECT COUNT(*) FROM answers").fetchone()[0]

    def close(self) -> None:
        self._con.close()


def _kind_of(raw: dict[str, Any]) -> str:
    """Our kind for a Nominatim-style answer (``class``/``type``/``addresstype``)."""
    kind = str(raw.get("addresstype") or raw.get("type") or "")
    if kind == "country":
        return "country"
    if kind in ("city",):
        return "city"
    if kind in ("town", "village", "hamlet", "suburb", "neighbourhood", "locality"):
        return "town"
    if kind in ("state", "province", "region", "administrative", "county", "district"):
        return "admin1"
    if kind in ("river", "stream", "water"):
        return "river"
    if kind in ("peak", "mountain", "mountain_range", "ridge"):
        return "mountain"
    if kind in ("valley",):
        return "valley"
    return "place"


def _country_of(raw: dict[str, Any]) -> str | None:
    address = raw.get("address")
    code = (address if isinstance(address, dict) else {}).get("country_code")
    code = code or raw.get("country_code")
    return str(code).upper()[:2] if isinstance(code, str) and code else None


class GeocoderChain:
    """Offline gazetteer, then (only if configured) one online geopy geocoder, with a cache.

    ``sleep`` is injectable so tests can watch the waits instead of sitting through them.
    """

    def __init__(
        self,
        gazetteer: Gazetteer | None = None,
        online: OnlineSettings | None = None,
        cache: GeocodeCache | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.gazetteer = gazetteer or open_gazetteer()
        self.online = online
        self._sleep = sleep
        self._cache = cache
        self._geocoder: Geocoder | None = None
        self._limited: RateLimiter | None = None
        self._reverse_limited: RateLimiter | None = None
        self._failures = 0
        self.down_reason: str | None = None
        self.requests = 0  # online requests actually sent (tests and the CLI summary read it)
        if online is not None:
            self._geocoder = _geopy_geocoder(online)
            # RateLimiter spaces calls; retries are ours (they honour Retry-After).
            self._limited = RateLimiter(
                self._counted(self._geocoder.geocode),
                min_delay_seconds=online.delay_s,
                max_retries=0,
                swallow_exceptions=False,
            )
            self._reverse_limited = RateLimiter(
                self._counted(self._geocoder.reverse),
                min_delay_seconds=online.delay_s,
                max_retries=0,
                swallow_exceptions=False,
            )

    def _counted(self, func: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.requests += 1
            return func(*args, **kwargs)

        return call

    @property
    def cache(self) -> GeocodeCache:
        if self._cache is None:
            self._cache = GeocodeCache()
        return self._cache

    # -- by name -------------------------------------------------------------------------

    def geocode_offline(self, query: str) -> GeocodeResult:
        """The gazetteer's best candidate for ``query`` (by its prior: no document context)."""
        found = self.gazetteer.lookup(query)
        if not found:
            return GeocodeResult(query, "offline", reason="not in the offline gazetteer")
        place = found[0][0]
        return _from_place(query, place, "offline")

    def geocode(self, query: str) -> GeocodeResult:
        """Offline first; then the online geocoder if one is configured."""
        query = " ".join(str(query).split())
        if not query:
            return GeocodeResult(query, "offline", reason="empty name")
        offline = self.geocode_offline(query)
        if offline.found or self.online is None:
            return offline
        return self.geocode_online(query)

    def geocode_online(self, query: str) -> GeocodeResult:
        """Ask the online geocoder (through the cache); never raises for a service fault."""
        if self.online is None or self._limited is None:
            raise InputError("no online geocoder is configured")
        service = self.online.service
        hit = self.cache.get(self.online.cache_key, query, self.online.cache_days)
        if hit is not None:
            return hit
        if self.down_reason:
            return GeocodeResult(query, service, reason=f"skipped: {self.down_reason}")
        kwargs: dict[str, Any] = {"exactly_one": True}
        if (
            self._geocoder is not None
            and "addressdetails" in inspect.signature(self._geocoder.geocode).parameters
        ):
            kwargs["addressdetails"] = True
        location, reason = self._call(self._limited, query, kwargs)
        if reason is not None:
            return GeocodeResult(query, service, reason=reason)
        if location is not None and (bad := _malformed(location)):
            return GeocodeResult(query, service, reason=f"not placed: malformed answer ({bad})")
        if location is None:
            result = GeocodeResult(query, service, reason=f"not found by {service}")
        else:
            raw = location.raw
            result = GeocodeResult(
                query,
                service,
                name=str(location.address)[:300],
                lat=round(location.latitude, 6),
                lon=round(location.longitude, 6),
                kind=_kind_of(raw),
                country_code=_country_of(raw),
            )
        self.cache.put(self.online.cache_key, result)  # found or definitively not found
        return result

    def _call(self, limited: RateLimiter, query: Any, kwargs: dict[str, Any]):
        """(answer, None) or (None, reason). Retries what a retry can fix, with backoff."""
        assert self.online is not None
        reason = "no attempt"
        for attempt in range(self.online.max_retries + 1):
            wait = self.online.backoff_s * (2**attempt)
            try:
                with warnings.catch_warnings():  # geopy warns of latitudes it then refuses
                    warnings.simplefilter("ignore", UserWarning)
                    answer = limited(query, **kwargs)
            except geopy_exc.GeocoderRateLimited as err:
                reason = "rate limited (HTTP 429)"
                if err.retry_after is not None:
                    if err.retry_after > MAX_RETRY_WAIT_S:
                        reason += f"; the service asks to wait {err.retry_after} s"
                        break
                    wait = float(err.retry_after)
            except geopy_exc.GeocoderTimedOut:
                reason = f"timed out after {self.online.timeout_s:g} s"
            except _AnswerRefused as err:
                reason = f"answer refused: {err}"
                break  # the same server will do the same again
            except geopy_exc.GeocoderParseError:
                reason = "malformed answer (not the JSON the service should send)"
                break  # the same server will send the same garbage
            except (AttributeError, TypeError, ValueError, KeyError, IndexError) as err:
                # Well-formed JSON of the wrong shape (a list of strings, a string, "lat":
                # "abc" or 200) breaks geopy's parser: that is the service's fault, not ours.
                reason = f"malformed answer ({_short(err)})"
                break
            except (
                geopy_exc.GeocoderAuthenticationFailure,
                geopy_exc.GeocoderInsufficientPrivileges,
                geopy_exc.GeocoderQuotaExceeded,
                geopy_exc.GeocoderQueryError,
            ) as err:
                reason = f"refused: {err}"
                break
            except geopy_exc.GeocoderUnavailable as err:
                reason = f"service unavailable ({_short(err)})"
            except geopy_exc.GeocoderServiceError as err:
                reason = f"service error ({_short(err)})"
            except geopy_exc.GeopyError as err:
                reason = f"geocoder error ({_short(err)})"
                break
            else:
                self._failures = 0
                return answer, None
            if attempt < self.online.max_retries:
                self._sleep(min(wait, MAX_RETRY_WAIT_S))
        self._failures += 1
        if self._failures >= MAX_CONSECUTIVE_FAILURES:
            self.down_reason = f"{self.online.service} failed {self._failures} times in a row"
        return None, reason

    # -- by point ------------------------------------------------------------------------

    def reverse(self, lat: float, lon: float) -> GeocodeResult:
        """What is at a point: offline, the nearest gazetteer place and the country polygon
        the point lies in; online (when configured) the service's address."""
        query = f"{lat:.6f}, {lon:.6f}"
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return GeocodeResult(query, "offline", reason="coordinates out of range")
        offline = self.reverse_offline(lat, lon)
        if self.online is None:
            return offline
        hit = self.cache.get(self.online.cache_key, f"reverse:{query}", self.online.cache_days)
        if hit is not None:
            return replace(hit, query=query)
        if self.down_reason:
            return replace(offline, reason=f"online skipped: {self.down_reason}")
        location, reason = self._call(self._reverse_limited, Point(lat, lon), {})
        if reason is not None or location is None:
            return replace(offline, reason=reason or "nothing there for the online geocoder")
        if bad := _malformed(location):
            return replace(offline, reason=f"online answer not used: malformed answer ({bad})")
        raw = location.raw
        result = GeocodeResult(
            query,
            self.online.service,
            name=str(location.address)[:300],
            lat=round(location.latitude, 6),
            lon=round(location.longitude, 6),
            kind=_kind_of(raw),
            country_code=_country_of(raw) or offline.country_code,
        )
        self.cache.put(self.online.cache_key, replace(result, query=f"reverse:{query}"))
        return result

    def reverse_offline(self, lat: float, lon: float) -> GeocodeResult:
        query = f"{lat:.6f}, {lon:.6f}"
        from .borders import load_borders  # shapely only for reverse lookups

        country = load_borders().country_at(lat, lon)
        place = self.gazetteer.nearest(lat, lon)
        if place is None:
            return GeocodeResult(
                query, "offline", country_code=country, reason="no gazetteer place nearby"
            )
        return replace(
            _from_place(query, place, "offline"),
            country_code=country or place.country_code or None,
            distance_km=round(haversine_km(lat, lon, place.lat, place.lon), 2),
        )

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()


#: Where services put an answer's coordinates in the raw record: (lat path, lon path).
_RAW_COORDINATES = (
    (("lat",), ("lon",)),  # Nominatim, LocationIQ, OpenCage-like
    (("latitude",), ("longitude",)),
    (("geometry", "location", "lat"), ("geometry", "location", "lng")),  # Google
    (("location", "y"), ("location", "x")),  # ArcGIS
    (("geometry", "coordinates", 1), ("geometry", "coordinates", 0)),  # Photon (GeoJSON)
    (("point", "coordinates", 0), ("point", "coordinates", 1)),  # Bing
)


def _dig(raw: Any, path: tuple) -> Any:
    for key in path:
        try:
            raw = raw[key]
        except (KeyError, IndexError, TypeError):
            return None
    return raw


def _finite(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _malformed(location: Location) -> str | None:
    """Why an online answer cannot be a place, or None when it can.

    The record must be an object, its coordinates finite numbers in range wherever the
    service puts them, and present: geopy reports an answer without coordinates at 0, 0,
    which would put the place in the Gulf of Guinea.
    """
    raw = location.raw
    if not isinstance(raw, dict):
        return f"the record is {type(raw).__name__}, not an object"
    lat, lon = _finite(location.latitude), _finite(location.longitude)
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return "coordinates out of range"
    found = False
    for lat_path, lon_path in _RAW_COORDINATES:
        raw_lat, raw_lon = _dig(raw, lat_path), _dig(raw, lon_path)
        if raw_lat is None and raw_lon is None:
            continue
        found = True
        lat_v, lon_v = _finite(raw_lat), _finite(raw_lon)
        if lat_v is None or lon_v is None:
            return f"coordinates {raw_lat!r}, {raw_lon!r} are not numbers"
        if not (-90 <= lat_v <= 90 and -180 <= lon_v <= 180):
            return f"coordinates {raw_lat!r}, {raw_lon!r} out of range"
    if not found and lat == 0 and lon == 0:
        return "no coordinates"
    return None


def _short(err: Exception) -> str:
    text = " ".join(str(err).split())
    return text[:160] or type(err).__name__


def _from_place(query: str, place: Place, geocoder: str) -> GeocodeResult:
    return GeocodeResult(
        query,
        geocoder,
        name=place.name,
        lat=place.lat,
        lon=place.lon,
        kind=place.kind,
        country_code=place.country_code or None,
    )


class OfflineGeocoder(Geocoder):
    """The offline gazetteer as a geopy geocoder: ``geocode()`` and ``reverse()`` return geopy
    ``Location`` objects (``raw`` holds our record), and no request ever leaves the machine.

    >>> OfflineGeocoder().geocode("al Tanf").latitude  # doctest: +SKIP
    33.5058
    """

    def __init__(self, gazetteer: Gazetteer | None = None):
        super().__init__(user_agent=DEFAULT_USER_AGENT)
        self.gazetteer = gazetteer or open_gazetteer()

    def geocode(self, query: str, *, exactly_one: bool = True, limit: int | None = None):
        found = self.gazetteer.lookup(" ".join(str(query).split()))
        locations = [
            Location(
                f"{p.name}, {p.country_code}" if p.country_code else p.name,
                Point(p.lat, p.lon),
                {"id": p.id, "kind": p.kind, "country_code": p.country_code, "prior": s},
            )
            for p, s in found[: limit or None]
        ]
        if exactly_one:
            return locations[0] if locations else None
        return locations or None

    def reverse(self, query: Any, *, exactly_one: bool = True):
        point = Point(query)
        chain = GeocoderChain(self.gazetteer)
        result = chain.reverse_offline(point.latitude, point.longitude)
        if not result.found:
            return None if exactly_one else []
        location = Location(result.name, Point(result.lat, result.lon), result.record())
        return location if exactly_one else [location]
