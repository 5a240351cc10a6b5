"""One exception tree for Flashpoints.

Every error the library raises on purpose is a :class:`FlashpointsError`, so the CLI and the
dashboard can turn any of them into one clear line instead of a traceback. Leaves also subclass
the builtin a caller would naturally catch (``ValueError``, ``OSError``), so the library stays
usable from plain Python code that knows nothing about this tree.
"""

from __future__ import annotations

__all__ = [
    "DataError",
    "FetchError",
    "FlashpointsError",
    "GazetteerError",
    "InputError",
    "StoreError",
    "ZoneFileError",
]


class FlashpointsError(Exception):
    """Root of every error Flashpoints raises deliberately."""


class InputError(FlashpointsError, ValueError):
    """An article or corpus could not be read (missing, unreadable, empty, not text)."""


class ZoneFileError(FlashpointsError, ValueError):
    """A zone file is not valid GeoJSON or breaks the zone rules; the message names the feature."""


class GazetteerError(FlashpointsError, OSError):
    """The offline gazetteer could not be built or opened."""


class DataError(FlashpointsError, ValueError):
    """A bundled or user data file (places, borders) is malformed."""


class StoreError(FlashpointsError, OSError):
    """The corpus store cannot go on (locked by another program, disk full): every article
    committed before stays whole."""


class FetchError(FlashpointsError, OSError):
    """A request for a feed, page, webhook or geocoder answer failed, took longer than its
    deadline or sent more than its limit.

    ``kind`` says which: ``"network"``, ``"timeout"`` (one wait), ``"deadline"`` (the whole
    request), ``"too-large"``, ``"redirect"`` (to another host, refused) or ``"status"``.
    ``status`` is the HTTP status when the server answered; ``retryable`` says whether asking
    again later may help (timeouts and 5xx yes, 404 or robots.txt no), and ``retry_after`` how
    long the server asked us to wait, in seconds."""

    def __init__(
        self,
        message: str,
        *,
        kind: str = "network",
        status: int | None = None,
        retryable: bool = True,
        retry_after: float | None = None,
    ):
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after
