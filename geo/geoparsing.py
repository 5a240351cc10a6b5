"""Find place names in a document and resolve each to one gazetteer place.

The two steps live in their own modules: :mod:`geo.recognition` finds the spans that name a
known place and drops persons and organisations; :mod:`geo.resolution` chooses which candidate
each name means. This module runs them over a document, one decision per distinct name, and
adds relative locations ("55 km south of X") on top.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

from .coords import haversine_km
from .gazetteer import Gazetteer, open_gazetteer
from .model import Document, Mention, Place
from .recognition import (
    DATELINE,
    STATE_AFTER,
    SUFFIX,
    TOWNS,
    Candidate,
    common_word,
    cued,
    filter_kinds,
    lower_case_words,
    person_keys,
    recognise,
    state_code,
    tokenize,
    unknown_names,
)
from .relative import relative_mentions
from .resolution import (
    DEFAULT_OPTIONS,
    GeoparseOptions,
    decide,
    find_anchors,
    lone,
    score,
    strong_countries,
)
from .text import sentence_at, sentence_spans

__all__ = ["GeoparseOptions", "geoparse", "unique_places", "unknown_names"]


def geoparse(
    document: Document,
    gazetteer: Gazetteer | None = None,
    options: GeoparseOptions | None = None,
) -> list[Mention]:
    """Every resolved place mention in ``document``, in text order, against ``gazetteer``
    (default: the bundled offline one).

    A name the gazetteer does not know, or one no candidate of which is believable, is left
    out rather than guessed: the rest of the result is unaffected.
    """
    opts = options or DEFAULT_OPTIONS
    gazetteer = gazetteer or open_gazetteer()
    text = document.text
    tokens = tokenize(text)
    spans = sentence_spans(text)
    span_starts = [start for start, _ in spans]
    starts = set(span_starts)
    raw = recognise(text, tokens, gazetteer)
    lines, bodies = _datelines(text, gazetteer)
    if lines:
        # Datelines come in text order and do not overlap: the one that may cover a name is
        # the last starting before its end.
        line_starts = [s for s, _, _ in lines]
        raw = [
            c
            for c in raw
            if (i := bisect.bisect_left(line_starts, c.end) - 1) < 0 or lines[i][1] <= c.start
        ]
    persons = person_keys(text, tokens, raw, starts)
    openers = starts.union(bodies) if lines else starts
    kept: list[tuple[Candidate, list[tuple[Place, float]]]] = []
    lower_words: set[str] | None = None  # made on first need: one pass over the text
    for cand in raw:
        places = filter_kinds(cand, text, tokens, starts)
        if (
            places
            and cand.start in openers
            and cand.first == cand.last
            and any(p.kind in TOWNS for p, _ in places)
        ):
            if lower_words is None:
                lower_words = lower_case_words(text)
            if common_word(text, cand, lower_words):
                # "Gang members seized the town": capitalised only because the sentence
                # opens there, and the story writes the word in lower case ("the gang").
                places = [(p, s) for p, s in places if p.kind not in TOWNS]
        if places and cand.key in persons and not cued(text, cand.start):
            # A name the text uses for a person is a person everywhere in it, unless the
            # words before it make it a place ("Mr. Holt said ... back home in Holt").
            places = [(p, s) for p, s in places if p.kind not in TOWNS]
        if places:
            kept.append((cand, places))
    states, regions = _regions(text, kept, gazetteer)
    for _, _, found in lines:
        for start, end, place in found:
            states.append((start, end, place, "dateline"))
            if place.kind == "admin1":
                regions.add(_region_key(place))
    # Country context: countries the text names (or demonyms), and the countries of curated
    # places it names. Towns do not vouch for themselves.
    context = set(opts.theatre)
    for _, places in kept:
        top = places[0][0]
        if top.kind == "country" or top.id.startswith("curated:"):
            # A strait or a disputed area vouches for every country it lies between.
            context.add(top.country_code)
            if len(top.country_codes) <= 3:  # not a sea with a shore in six countries
                context.update(top.country_codes)
    context |= {country for country, _ in regions}
    context.discard("")
    if regions:
        # First-level context: a town in a state or province the text names gains what a
        # town in a named country gains ("Edmonton" in a story that says "Kentucky").
        bonus = opts.region_bonus
        kept = [(cand, _in_regions(places, regions, bonus)) for cand, places in kept]
    anchors = find_anchors(kept, context, opts, gazetteer.memo)
    context |= strong_countries(anchors)
    mentions = []
    # One decision per (name, suffix, surviving candidates): news repeats its names.
    decided: dict[tuple, tuple[Place, float, str, tuple[str, ...]] | None] = {}
    # Names with a place cue before any of their mentions ("near Tal Afar"): worked out
    # only if some name's decision turns on it.
    cued_keys: set[str] | None = None
    sentences: dict[int, str] = {}  # by sentence index: names cluster in sentences
    doc_id = document.id
    static = gazetteer.memo
    for cand, places in kept:
        end = cand.end
        after = SUFFIX.match(text, end) if text[end : end + 1] in (" ", "\n") else None
        suffix = ""
        if after:
            suffix, end = after.group(1).lower(), after.end()
        whole = places is cand.places  # unfiltered: the gazetteer's own tuple
        memo_key = (cand.key, suffix) if whole else (cand.key, suffix, *(p.id for p, _ in places))
        # One candidate that is not a town: nothing in the document changes the outcome, so
        # the decision is kept across documents; any other is kept for this document only.
        memo = static if lone(cand, places) else decided
        if memo_key in memo:
            decision = memo[memo_key]
        else:
            scored = score(
                places, cand.key, suffix, context, anchors, opts, static if whole else None
            )
            decision = decide(scored, cand.key, suffix, context, opts)
            if decision is None and scored[0][1].kind == "town":
                if cued_keys is None:
                    cued_keys = _cued_keys(text, kept)
                if cand.key in cued_keys:
                    decision = decide(scored, cand.key, suffix, context, opts, cued=True)
            memo[memo_key] = decision
        if decision is None:
            continue
        best, confidence, precision, candidates = decision
        mentions.append(
            Mention(
                doc_id,
                cand.start,
                end,
                text[cand.start : end],
                best,
                confidence,
                precision,
                _sentence(text, spans, span_starts, cand.start, sentences),
                candidates,
            )
        )
    for start, end, place, role in states:
        mentions.append(_mention(document, spans, span_starts, sentences, start, end, place, role))
    mentions.extend(relative_mentions(text, mentions))
    mentions.sort(key=lambda m: (m.start, -m.end))
    return mentions


#: What may stand between names of one list ("near Kobani, Stepanakert and Avdiivka").
_LIST_GAPS = frozenset([", ", " and ", ", and ", " or ", ", or ", " & "])


def _cued_keys(text: str, kept: list) -> set[str]:
    """Names with a place cue before at least one of their mentions, a cue carrying over
    the names of a list that follows it."""
    out: set[str] = set()
    prev_end, prev_cued = -1, False
    for cand, _ in kept:
        cue = cued(text, cand.start) or (prev_cued and text[prev_end : cand.start] in _LIST_GAPS)
        if cue:
            out.add(cand.key)
        prev_end, prev_cued = cand.end, cue
    return out


def _mention(document, spans, span_starts, sentences, start, end, place, role) -> Mention:
    """A mention decided by a rule rather than by scoring (datelines, state abbreviations)."""
    text = document.text
    return Mention(
        document.id,
        start,
        end,
        text[start:end],
        place,
        0.9,
        "region" if place.kind in ("admin1", "region") else "exact",
        _sentence(text, spans, span_starts, start, sentences),
        (),
        None,
        role,
    )


def _state(gazetteer: Gazetteer, code: str) -> Place | None:
    """The US state with this postal code (kept in the gazetteer's memo: local news names
    its state in every dateline)."""
    key = ("us-state", code)
    memo = gazetteer.memo
    if key not in memo:
        memo[key] = gazetteer.get(f"admin1:US-{code}")
    return memo[key]


_BLANKS = re.compile(r"[ \t]*")


def _datelines(text: str, gazetteer: Gazetteer) -> tuple[list[tuple[int, int, list]], list[int]]:
    """Datelines ("HELENA, Mont. —", "BEIRUT (AP) —"): (start, end, [(start, end, place)])
    for the reporting place and its state. The place is the best-known one of the name, in
    the state when one is given. Also where the story starts after each dateline ("BEIRUT
    (AP) — Gunmen..."): a sentence start, though the sentence splitter sees one sentence
    from the dateline on."""
    out: list[tuple[int, int, list]] = []
    bodies: list[int] = []
    if "\u2014" not in text and "-" not in text and "\u2013" not in text:
        return out, bodies
    for m in DATELINE.finditer(text):
        bodies.append(_BLANKS.match(text, m.end()).end())  # type: ignore[union-attr]
        places = [p for p, _ in gazetteer.lookup(m.group("city")) if p.kind != "continent"]
        code = state_code(m) if m.group("state") else ""
        if code:
            places = [p for p in places if p.country_code == "US" and p.admin1 == code] or places
        if not places:
            continue
        found = [(m.start("city"), m.end("city"), places[0])]
        if code:
            state = _state(gazetteer, code)
            group = "ap" if m.group("ap") else "postal"
            if state is not None:
                found.append((m.start(group), m.end(group) + (group == "ap"), state))
        out.append((m.start("city"), m.end("state") if code else m.end("city"), found))
    return out, bodies


#: GeoNames' first-level codes where they differ from ISO 3166-2 (the admin-1 rows' codes).
_GEONAMES_ADMIN1 = {
    ("CA", "AB"): "01",
    ("CA", "BC"): "02",
    ("CA", "MB"): "03",
    ("CA", "NB"): "04",
    ("CA", "NL"): "05",
    ("CA", "NS"): "07",
    ("CA", "ON"): "08",
    ("CA", "PE"): "09",
    ("CA", "QC"): "10",
    ("CA", "SK"): "11",
    ("CA", "YT"): "12",
    ("CA", "NT"): "13",
    ("CA", "NU"): "14",
    ("AU", "ACT"): "01",
    ("AU", "NSW"): "02",
    ("AU", "NT"): "03",
    ("AU", "QLD"): "04",
    ("AU", "SA"): "05",
    ("AU", "TAS"): "06",
    ("AU", "VIC"): "07",
    ("AU", "WA"): "08",
}


def _in_regions(places, regions: set[tuple[str, str]], bonus: float):
    """``places`` with ``bonus`` added to the towns, cities and counties in ``regions`` (the
    same tuple when there are none, so its decisions stay shared across documents)."""
    if not any(p.kind != "admin1" and (p.country_code, p.admin1) in regions for p, _ in places):
        return places
    return [
        (p, s + bonus) if p.kind != "admin1" and (p.country_code, p.admin1) in regions else (p, s)
        for p, s in places
    ]


def _region_key(place: Place) -> tuple[str, str]:
    """(country, GeoNames admin-1 code) of a first-level region, as towns carry it."""
    cc = place.country_code
    return cc, _GEONAMES_ADMIN1.get((cc, place.admin1), place.admin1)


def _inside(town: Place, region: Place) -> bool:
    """Whether a town lies in a region (a country, or a first-level unit: by code, or within
    a few hundred km of its point where the codes are not comparable)."""
    if town.country_code != region.country_code:
        return False
    if region.kind == "country":
        return True
    if town.admin1 and _region_key(region)[1] == town.admin1:
        return True
    return (
        region.country_code not in ("US", "CA", "AU")
        and haversine_km(town.lat, town.lon, region.lat, region.lon) < 300.0
    )


def _regions(text: str, kept: list, gazetteer: Gazetteer):
    """Apply "Town, ST." and "Town, Region" and return (state mentions, named regions).

    ``kept`` is narrowed in place: a town followed by a state abbreviation or by the name of
    a region or country it lies in is that one ("Bowling Green, Ky.", "London, Ontario"),
    and the region is the one holding it. The regions the text names (by name, abbreviation
    or as the best reading of a name) are returned as (country, GeoNames admin-1 code).
    """
    states: list[tuple[int, int, Place, str]] = []
    regions: set[tuple[str, str]] = set()
    for i, (cand, places) in enumerate(kept):
        if places[0][0].kind == "admin1" and all(p.kind == "admin1" for p, _ in places):
            regions.add(_region_key(places[0][0]))
        if text[cand.end : cand.end + 1] != ",":
            continue
        m = STATE_AFTER.match(text, cand.end)
        if m is not None:
            code = state_code(m)
            inside = [(p, s) for p, s in places if p.country_code == "US" and p.admin1 == code]
            state = _state(gazetteer, code) if inside else None
            if state is not None:
                kept[i] = (cand, inside)
                regions.add(("US", code))
                group = "ap" if m.group("ap") else "postal"
                states.append((m.start(group), m.end(group) + (group == "ap"), state, ""))
            continue
        if i + 1 < len(kept):
            nxt, nxt_places = kept[i + 1]
            if text[cand.end : nxt.start] not in (", ", ",\n"):
                continue
            for region, prior in nxt_places:
                if region.kind not in ("admin1", "country"):
                    continue
                inside = [(p, s) for p, s in places if p.kind in TOWNS and _inside(p, region)]
                if inside:
                    kept[i] = (cand, inside)
                    kept[i + 1] = (nxt, [(region, prior)])
                    if region.kind == "admin1":
                        regions.add(_region_key(region))
                    break
    return states, regions


def _sentence(text, spans, starts: list[int], offset: int, seen: dict[int, str]) -> str:
    i = bisect.bisect_right(starts, offset) - 1
    found = seen.get(i)
    if found is None:
        found = sentence_at(text, spans, offset, starts)
        if found:  # an offset between sentences has none; the next one in span i may
            seen[i] = found
    return found


def unique_places(mentions: Iterable[Mention]) -> list[Place]:
    """The distinct places of ``mentions``, in order of first mention."""
    seen: dict[str, Place] = {}
    for m in mentions:
        seen.setdefault(m.place.id, m.place)
    return list(seen.values())
