"""The pipeline in one call: documents in, an :class:`~geo.model.Analysis` out.

The CLI, the dashboard and the tests all go through :func:`analyse`, so they can never disagree
about what a document means.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

from .borders import load_borders_full
from .corrections import CorrectionStore, apply_corrections
from .errors import InputError
from .events import Event, extract_events, merge_events
from .export import mention_record
from .gazetteer import Gazetteer, load_stopwords, open_gazetteer
from .geocode import GeocoderChain
from .geoparse import GeoparseOptions, geoparse, unique_places, unknown_names
from .model import Analysis, Document, Mention, Place, Unresolved, Zone
from .text import document_from_text, sentence_at, sentence_spans
from .zonegen import ZoneOptions, clusters, generate_zones
from .zones import load_zones, measure

__all__ = ["analyse", "analyse_text", "assemble", "filter_analysis", "toponym_records"]


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
) -> Analysis:
    """Geoparse every document and measure each place against every zone.

    ``zones`` defaults to the declared zones shipped in ``data/zones/``. With ``generate``
    the text's own border strips, tripoint areas and corridors are added, then clusters of
    places that no zone covers. A ``geocoder`` with an online service configured is asked
    about names in place-like positions that the gazetteer does not know; what it cannot
    place is listed in ``Analysis.unresolved`` with the reason. ``corrections`` (an analyst's
    choices for names in these documents) win over the geoparser.
    """
    gaz = gazetteer or open_gazetteer()
    docs = tuple(documents)
    zone_list = list(load_zones() if zones is None else zones)
    per_doc = [(d, geoparse(d, gaz, options)) for d in docs]
    unresolved: list[Unresolved] = []
    if geocoder is not None and geocoder.online is not None:
        per_doc, unresolved = _geocode_unknown(per_doc, gaz, geocoder)
    if corrections is not None:
        fixes = corrections.for_documents(d.id for d in docs)
        if fixes:
            per_doc = [(d, apply_corrections(found, fixes, gaz)) for d, found in per_doc]
    return assemble(
        per_doc,
        zone_list,
        generate=generate,
        zone_options=zone_options,
        unresolved=unresolved,
    )


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


def _geocode_unknown(per_doc, gazetteer: Gazetteer, geocoder: GeocoderChain):
    """Ask the online geocoder about unknown place-like names; add what it places."""
    stopwords = load_stopwords()
    out, unresolved = [], []
    for doc, found in per_doc:
        spans = sentence_spans(doc.text)
        extra = []
        for start, end, surface in unknown_names(doc, gazetteer, found, stopwords):
            result = geocoder.geocode_online(surface)
            sentence = sentence_at(doc.text, spans, start)
            if not result.found:
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
            and (not countries or place.country_code in countries)
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
