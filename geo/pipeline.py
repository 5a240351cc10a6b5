"""The one pipeline: documents → geoparse → online geocoding → corrections → assemble.

Every way in goes through these functions: :func:`analyse` for files, pasted text and URLs (the
CLI, the dashboard, the library), :func:`process_document` for ingest (in worker processes),
and :func:`analyse_store` for a corpus store, which only stores what the geoparser found and is
read back through the same correction and assembly steps. So a correction made in the
dashboard holds in a single-article map, in a corpus map, in every export and in ``events
--db``, and the stages cannot drift apart.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING

from .corrections import CorrectionStore, apply_corrections
from .errors import InputError
from .events import Event, extract_events, merge_events
from .export import mention_record
from .gazetteer import Gazetteer, load_stopwords, open_gazetteer
from .geoparsing import GeoparseOptions, geoparse, unique_places, unknown_names
from .model import Analysis, Document, Mention, Place, Unresolved, Zone
from .query import EventQuery
from .store import Store
from .text import document_from_text, sentence_at, sentence_spans
from .zonegen import ZoneOptions, clusters, generate_zones

if TYPE_CHECKING:
    from .geocode import GeocoderChain

__all__ = [
    "analyse",
    "analyse_store",
    "analyse_text",
    "assemble",
    "corpus_events",
    "correct",
    "filter_analysis",
    "geocode_unknown",
    "geoparse_documents",
    "process_document",
    "toponym_records",
    "toponym_stream",
]


def analyse(
    documents: Iterable[Document],
    *,
    zones: Sequence[Zone] | None = None,
    gazetteer: Gazetteer | None = None,
    options: GeoparseOptions | None = None,
    generate: bool = True,
    zone_options: ZoneOptions | None = None,
    geocoder: GeocoderChain | None = None,
    corrections: CorrectionStore | None = None,
    on_error: Callable[[str], None] | None = None,
) -> Analysis:
    """Geoparse every document and measure each place against every zone.

    ``zones`` defaults to the declared zones shipped in ``data/zones/``. With ``generate``
    the text's own border strips, tripoint areas and corridors are added, then clusters of
    places that no zone covers. A ``geocoder`` with an online service configured is asked
    about names in place-like positions that the gazetteer does not know; what it cannot
    place is listed in ``Analysis.unresolved`` with the reason. ``corrections`` (an analyst's
    choices for names in these documents) win over the geoparser. With ``on_error``, a
    document the geoparser fails on is reported there (``"source: why"``) and left out,
    instead of ending the whole analysis.
    """
    from .zones import load_zones

    zone_list = list(load_zones() if zones is None else zones)
    per_doc, unresolved = geoparse_documents(
        documents,
        gazetteer=gazetteer,
        options=options,
        geocoder=geocoder,
        corrections=corrections,
        on_error=on_error,
    )
    return assemble(
        per_doc,
        zone_list,
        generate=generate,
        zone_options=zone_options,
        unresolved=unresolved,
    )


def geoparse_documents(
    documents: Iterable[Document],
    *,
    gazetteer: Gazetteer | None = None,
    options: GeoparseOptions | None = None,
    geocoder: GeocoderChain | None = None,
    corrections: CorrectionStore | None = None,
    on_error: Callable[[str], None] | None = None,
) -> tuple[list[tuple[Document, Sequence[Mention]]], list[Unresolved]]:
    """The first half of :func:`analyse`: each document with its mentions (online geocoding
    and corrections applied), and the names nothing could place. Needs no geometry, so
    printing mentions loads no shapes, zones or borders."""
    gaz = gazetteer or open_gazetteer()
    per_doc: list[tuple[Document, Sequence[Mention]]] = []
    for doc in documents:
        try:
            per_doc.append((doc, geoparse(doc, gaz, options)))
        except Exception as err:
            if on_error is None:
                raise
            on_error(f"{doc.source or doc.id}: {type(err).__name__}: {err}"[:300])
    unresolved: list[Unresolved] = []
    if geocoder is not None and geocoder.online is not None:
        per_doc, unresolved = geocode_unknown(per_doc, gaz, geocoder)
    per_doc, _ = correct(per_doc, corrections, gaz)
    return per_doc, unresolved


def process_document(
    document: Document,
    options: GeoparseOptions | None = None,
    *,
    gazetteer: Gazetteer | None = None,
    include_unreal: bool = False,
) -> tuple[Document, list[Mention], list[Event]]:
    """What a corpus store keeps of one article: the geoparser's mentions and their events.

    Runs in ingest's worker processes, so it takes no geocoder (one rate-limited service is
    asked from one process: see :func:`geocode_unknown`) and applies no corrections: the store
    keeps what the text says, and corrections are applied when it is read, so an analyst can
    change or take one back without re-ingesting.
    """
    mentions = geoparse(document, gazetteer or open_gazetteer(), options)
    return document, mentions, extract_events(document, mentions, include_unreal=include_unreal)


def correct(
    per_doc: Sequence[tuple[Document, Sequence[Mention]]],
    corrections: CorrectionStore | None,
    gazetteer: Gazetteer,
) -> tuple[list[tuple[Document, Sequence[Mention]]], bool]:
    """``per_doc`` with the analyst's corrections applied, and whether any applied."""
    if corrections is None:
        return list(per_doc), False
    fixes = corrections.for_documents(d.id for d, _ in per_doc)
    if not fixes:
        return list(per_doc), False
    fixed_ids = {f.document_id for f in fixes}
    out = [
        (d, apply_corrections(found, fixes, gazetteer) if d.id in fixed_ids else found)
        for d, found in per_doc
    ]
    return out, True


def analyse_store(
    store: Store,
    zones: Sequence[Zone] | None = None,
    *,
    generate: bool = True,
    zone_options: ZoneOptions | None = None,
    corrections: CorrectionStore | None = None,
    gazetteer: Gazetteer | None = None,
) -> Analysis:
    """The whole corpus as one :class:`~geo.model.Analysis`, from the mentions the store holds
    (no geoparsing again), with the analyst's ``corrections`` applied.

    Events come from the store as merged at ingest, unless a correction moved a place: then
    they are extracted again from the corrected mentions, so an event never stays where the
    analyst said the place is not.
    """
    from .zones import load_zones

    per_doc, changed = _corpus(store, corrections, gazetteer)
    zone_list = list(load_zones() if zones is None else zones)
    return assemble(
        per_doc,
        zone_list,
        generate=generate,
        zone_options=zone_options,
        events=None if changed else store.events(),
    )


def corpus_events(
    store: Store,
    corrections: CorrectionStore | None = None,
    *,
    gazetteer: Gazetteer | None = None,
    query: EventQuery | None = None,
) -> list[Event]:
    """The corpus's events as the analyst's corrections leave them (``events --db``), those
    ``query`` selects. Uncorrected, the store answers the query itself (in the database, for
    PostGIS); a correction that moves a place re-reads the articles it touches' events."""
    query = query or EventQuery()
    if store.empty():
        raise InputError(f"{store.label}: the store holds no articles yet")
    if corrections is None or not corrections.all():
        return store.query_events(query)
    per_doc, changed = _corpus(store, corrections, gazetteer)
    if not changed:
        return store.query_events(query)
    return query.apply(merge_events(e for d, found in per_doc for e in extract_events(d, found)))


def _corpus(
    store: Store, corrections: CorrectionStore | None, gazetteer: Gazetteer | None
) -> tuple[list[tuple[Document, Sequence[Mention]]], bool]:
    """Every stored article with its mentions, corrected; and whether a correction applied."""
    by_doc = store.mentions()
    per_doc: list[tuple[Document, Sequence[Mention]]] = [
        (d, by_doc.get(d.id, [])) for d in store.documents()
    ]
    if not per_doc:
        raise InputError(f"{store.label}: the store holds no articles yet")
    if corrections is None:
        return per_doc, False
    return correct(per_doc, corrections, gazetteer or open_gazetteer())


def assemble(
    per_doc: Sequence[tuple[Document, Sequence[Mention]]],
    zones: Sequence[Zone],
    *,
    generate: bool = True,
    zone_options: ZoneOptions | None = None,
    unresolved: Sequence[Unresolved] = (),
    events: Sequence[Event] | None = None,
) -> Analysis:
    """Everything but the geoparsing: events, generated zones, memberships, borders.

    Split out so a corpus store can rebuild an analysis from the mentions it holds without
    geoparsing its articles again. ``events`` defaults to those of ``per_doc``, merged.
    """
    zone_list = list(zones)
    docs = tuple(d for d, _ in per_doc)
    if events is None:
        events = merge_events(e for d, found in per_doc for e in extract_events(d, found))
    mentions = tuple(m for _, found in per_doc for m in found)
    places = tuple(unique_places(mentions))
    from .borders import load_borders_full
    from .zones import measure

    zopts = zone_options or ZoneOptions()
    if generate:
        known = {z.id for z in zone_list}
        for doc, found in per_doc:
            for zone in generate_zones(doc.text, found, zopts):
                if zone.id not in known:
                    known.add(zone.id)
                    zone_list.append(zone)
    # "The Syria-Iraq border" is a stretch of border, not a point inside whatever zone its
    # middle happens to fall in: border phrases are not measured against zones.
    measured = [p for p in places if not p.id.startswith("relative:border:")]
    memberships = measure(measured, zone_list)
    if generate:
        # Clusters are for places no zone covers, so they need the memberships first; only
        # the new cluster zones are then measured, not every zone again.
        covered = {m.place_id for m in memberships if m.inside}
        extra = clusters(places, covered, zopts)
        if extra:
            zone_list += extra
            by_place: dict[str, list] = {}
            for m in memberships + measure(measured, extra):
                by_place.setdefault(m.place_id, []).append(m)
            memberships = [m for p in places for m in by_place.get(p.id, ())]
    countries = tuple(
        dict.fromkeys(m.place.country_code for m in mentions if m.place.kind == "country")
    )
    borders = load_borders_full()
    standings = tuple(
        (p.id, borders.standing(p.lat, p.lon))
        for p in places
        if p.kind not in ("country", "continent")
    )
    return Analysis(
        documents=docs,
        mentions=mentions,
        places=places,
        zones=tuple(zone_list),
        memberships=tuple(memberships),
        countries=countries,
        standings=standings,
        unresolved=tuple(unresolved),
        events=tuple(events),
    )


def geocode_unknown(
    per_doc: Sequence[tuple[Document, Sequence[Mention]]],
    gazetteer: Gazetteer,
    geocoder: GeocoderChain,
) -> tuple[list[tuple[Document, Sequence[Mention]]], list[Unresolved]]:
    """Ask the online geocoder about unknown place-like names; add what it places, and list
    what it could not place with the reason."""
    stopwords = load_stopwords()
    out: list[tuple[Document, Sequence[Mention]]] = []
    unresolved: list[Unresolved] = []
    for doc, found in per_doc:
        spans = sentence_spans(doc.text)
        extra = []
        for start, end, surface in unknown_names(doc, gazetteer, found, stopwords):
            result = geocoder.geocode_online(surface)
            sentence = sentence_at(doc.text, spans, start)
            if not result.found or result.lat is None or result.lon is None:
                unresolved.append(
                    Unresolved(doc.id, start, end, surface, sentence, result.reason or "")
                )
                continue
            place = Place(
                id=f"online:{result.geocoder}:{result.lat:.5f},{result.lon:.5f}",
                name=surface,
                lat=result.lat,
                lon=result.lon,
                kind=result.kind or "place",
                country_code=result.country_code or "",
                source=f"{result.geocoder} (online, via geopy): {result.name}",
            )
            extra.append(
                Mention(
                    document_id=doc.id,
                    start=start,
                    end=end,
                    surface=surface,
                    place=place,
                    confidence=0.5,  # one answer from a service that saw no context
                    precision="region" if place.kind == "admin1" else "exact",
                    sentence=sentence,
                )
            )
        merged = sorted((*found, *extra), key=lambda m: (m.start, -m.end))
        out.append((doc, merged))
    return out, unresolved


def filter_analysis(
    analysis: Analysis,
    *,
    countries: Iterable[str] = (),
    zones: Iterable[str] = (),
    kinds: Iterable[str] = (),
    min_confidence: float = 0.0,
    event_kinds: Iterable[str] = (),
    dates: tuple[date | None, date | None] = (None, None),
    sources: Iterable[str] = (),
) -> Analysis:
    """The part of ``analysis`` a user is looking at: places in these countries, in these
    zones, of these kinds, with at least this confidence (empty means any). Zones, documents
    and measurements are kept so distances still read against every zone. Events are kept by
    kind and by ``dates`` (first, last; an undated event passes only an open range);
    ``sources`` keeps the mentions and events of those document ids."""
    countries, zone_ids, kinds = set(countries), set(zones), set(kinds)
    event_kinds, sources = set(event_kinds), set(sources)
    first, last = dates

    def keep(mention: Mention) -> bool:
        place = mention.place
        return (
            mention.confidence >= min_confidence
            and (not countries or place.in_countries(countries))
            and (not kinds or place.kind in kinds)
            and (not zone_ids or bool(zone_ids & set(analysis.zones_of(place.id))))
            and (not sources or mention.document_id in sources)
        )

    # Filters on places hold for events too: an event happens at a place the filter dropped.
    by_place = bool(countries or zone_ids or kinds or min_confidence > 0)

    def keep_event(event) -> bool:
        if by_place and event.place.id not in ids:
            return False
        if event_kinds and event.kind not in event_kinds:
            return False
        if sources and not sources & set(event.sources):
            return False
        if (first or last) and event.date is None:
            return False
        if first and event.date < first:
            return False
        return not (last and event.date > last)

    mentions = tuple(m for m in analysis.mentions if keep(m))
    ids = {m.place.id for m in mentions}
    return replace(
        analysis,
        mentions=mentions,
        places=tuple(p for p in analysis.places if p.id in ids),
        memberships=tuple(ms for ms in analysis.memberships if ms.place_id in ids),
        standings=tuple(s for s in analysis.standings if s[0] in ids),
        events=tuple(e for e in analysis.events if keep_event(e)),
    )


def analyse_text(
    text: str,
    *,
    source: str = "<text>",
    zone_paths: Sequence[str | Path] | None = None,
    gazetteer: Gazetteer | None = None,
) -> Analysis:
    """Convenience for one pasted article; zone files default to ``data/zones/``."""
    from .zones import load_zones

    zones = load_zones(zone_paths) if zone_paths else None
    return analyse([document_from_text(text, source=source)], zones=zones, gazetteer=gazetteer)


def toponym_records(
    text: str,
    gazetteer: Gazetteer,
    options: GeoparseOptions | None = None,
    *,
    with_relative: bool = False,
) -> list[dict]:
    """Mentions in ``text`` as flat records whose offsets index ``text`` exactly as given.

    The ``geoparse --jsonl`` contract and the benchmarks both use this: cleaning may drop
    boilerplate lines, but the offsets are mapped back to the caller's string. Text that is
    empty or only boilerplate has no mentions rather than being an error.
    """
    try:
        doc = document_from_text(text, source="<jsonl>")
    except InputError:
        return []
    shift = None if doc.segments == ((0, 0),) else doc.source_offset  # most texts: no shift
    return [
        mention_record(m, offset_shift=shift)
        for m in geoparse(doc, gazetteer, options)
        if with_relative or m.relation is None
    ]


#: Below this many characters a stream is geoparsed in the calling process: starting workers
#: (each opens the gazetteer and warms its caches) costs more than it saves.
SMALL_STREAM = 2_000_000
#: Texts handed to a worker at a time: enough to amortise the pickling round trip.
STREAM_CHUNK = 32

_WORKER: dict = {}


def _worker_init(options: GeoparseOptions | None, with_relative: bool) -> None:
    _WORKER.update(gazetteer=open_gazetteer(), options=options, with_relative=with_relative)


def _worker_records(text: str) -> list[dict]:
    return toponym_records(
        text, _WORKER["gazetteer"], _WORKER["options"], with_relative=_WORKER["with_relative"]
    )


def toponym_stream(
    texts: Iterable[str],
    options: GeoparseOptions | None = None,
    *,
    with_relative: bool = False,
    workers: int = 0,
) -> Iterator[list[dict]]:
    """``toponym_records`` for each text of a stream, in input order.

    ``workers`` > 1 spreads the texts over that many processes; 0 means every core once the
    stream holds ``SMALL_STREAM`` characters, and one process below (the stream is read
    ahead only that far to decide). Output order is input order either way.
    """
    it = iter(texts)
    ahead: list[str] = []
    if workers == 0:
        size = 0
        for text in it:
            ahead.append(text)
            size += len(text)
            if size >= SMALL_STREAM:
                break
        workers = (os.cpu_count() or 1) if size >= SMALL_STREAM else 1

    def rest() -> Iterator[str]:
        yield from ahead
        yield from it

    if workers <= 1:
        gazetteer = open_gazetteer()
        for text in rest():
            yield toponym_records(text, gazetteer, options, with_relative=with_relative)
        return
    ctx = get_context("spawn")  # no forked SQLite handles in the children
    with ctx.Pool(workers, initializer=_worker_init, initargs=(options, with_relative)) as pool:
        yield from pool.imap(_worker_records, rest(), chunksize=STREAM_CHUNK)
