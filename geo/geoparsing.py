"""Find place names in a document and resolve each to one gazetteer place.

The two steps live in their own modules: :mod:`geo.recognition` finds the spans that name a
known place and drops persons and organisations; :mod:`geo.resolution` chooses which candidate
each name means. This module runs them over a document, one decision per distinct name, and
adds relative locations ("55 km south of X") on top.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from .gazetteer import Gazetteer, open_gazetteer
from .model import Document, Mention, Place
from .recognition import SUFFIX, Candidate, filter_kinds, recognise, tokenize, unknown_names
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
    kept: list[tuple[Candidate, list[tuple[Place, float]]]] = []
    for cand in raw:
        places = filter_kinds(cand, text, tokens, starts)
        if places:
            kept.append((cand, places))
    # Country context: countries the text names (or demonyms), and the countries of curated
    # places it names. Towns do not vouch for themselves.
    context = set(opts.theatre) | {
        places[0][0].country_code
        for _, places in kept
        if places[0][0].kind == "country" or places[0][0].id.startswith("curated:")
    }
    context.discard("")
    anchors = find_anchors(kept, context, opts, gazetteer.memo)
    context |= strong_countries(anchors)
    mentions = []
    # One decision per (name, suffix, surviving candidates): news repeats its names.
    decided: dict[tuple, tuple[Place, float, str, tuple[str, ...]] | None] = {}
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
            decision = memo[memo_key] = decide(scored, cand.key, suffix, context, opts)
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
    mentions.extend(relative_mentions(text, mentions))
    mentions.sort(key=lambda m: (m.start, -m.end))
    return mentions


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
