"""Find place names in a document and resolve each to one gazetteer place.

Recognition walks capitalised token runs (hyphens and single spaces join tokens, so "al-Tanf",
"Abu Kamal" and "Syria-Iraq" are all seen) and asks the gazetteer for the longest run it knows.
Rules then drop what is a person or an organisation rather than a place: a title before the
name ("President", "Mr."), or a capitalised word glued on either side of a bare town name
("Donald Trump", "Washington Post"). Resolution scores each candidate by its kind and population
prior plus the document's country context, and refuses small towns the context does not support:
a wrong dot is worse than no dot.
"""

from __future__ import annotations

import bisect
import itertools
import math
import operator
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from .gazetteer import Gazetteer
from .model import Document, Mention, Place
from .names import ARABIC_ARTICLES, normalize
from .relative import relative_mentions
from .text import sentence_at, sentence_spans

__all__ = ["GeoparseOptions", "geoparse", "unknown_names"]


_JOINERS = (" ", "-", "\n", "\u2010", "\u2011")
#: Lower-case words that may sit inside a multi-word name ("Bosnia and Herzegovina").
_CONNECTORS = frozenset(
    [
        "of",
        "and",
        "de",
        "du",
        "del",
        "della",
        "la",
        "le",
        "les",
        "di",
        "da",
        "do",
        "dos",
        "das",
        "bin",
        "ibn",
        "bint",
    ]
)
#: Words that, before a capitalised name, make it a person.
_TITLES = frozenset(
    [
        "president",
        "mr",
        "mrs",
        "ms",
        "dr",
        "gen",
        "general",
        "minister",
        "premier",
        "king",
        "queen",
        "prince",
        "princess",
        "sheikh",
        "senator",
        "sen",
        "rep",
        "secretary",
        "colonel",
        "col",
        "lt",
        "sgt",
        "pope",
        "ayatollah",
        "commander",
        "chief",
        "spokesman",
        "spokeswoman",
        "ambassador",
        "envoy",
        "judge",
        "professor",
        "prof",
        "sir",
        "lord",
        "lady",
        "emir",
        "sultan",
    ]
)
#: Words after a name that keep it a place and join the span ("Raqqa city", "Idlib province").
_PLACE_SUFFIXES = frozenset(
    [
        "city",
        "province",
        "governorate",
        "district",
        "region",
        "oblast",
        "prefecture",
        "county",
        "town",
        "village",
    ]
)
#: Words capitalised only because they open a sentence; the name after them stays a place.
_SENTENCE_OPENERS = frozenset(
    [
        "in",
        "at",
        "on",
        "from",
        "to",
        "near",
        "across",
        "for",
        "with",
        "by",
        "after",
        "before",
        "since",
        "into",
        "outside",
        "inside",
        "around",
        "between",
        "along",
        "beyond",
        "through",
        "throughout",
        "within",
        "toward",
        "towards",
        "via",
        "of",
        "and",
        "but",
        "as",
        "while",
        "when",
        "where",
        "like",
        "unlike",
        "despite",
        "during",
        "under",
        "over",
        "west",
        "east",
        "north",
        "south",
    ]
)
#: Countries whose names are also common first names.
_GIVEN_NAME_COUNTRIES = frozenset({"jordan", "chad", "georgia", "israel"})
#: Curated names that are a generic word on their own ("Gulf" for the Persian Gulf).
_GENERIC_ALONE = frozenset({"gulf"})
#: Kinds whose bare names are also given names, surnames and newspaper titles.
_NAMESAKE_KINDS = frozenset({"city", "town", "admin1"})
_REGION_KINDS = frozenset(
    {"admin1", "region", "continent", "disputed", "corridor", "river", "valley", "mountain"}
)
_MAX_TOKENS = 6
_TOWNS = ("city", "town")
#: Lower-case words that may end a curated name: "the al Tanf border crossing", "Rukban camp".
_GENERIC_TAILS = frozenset(
    [
        "border",
        "crossing",
        "camp",
        "base",
        "garrison",
        "airbase",
        "air",
        "dam",
        "airport",
        "bridge",
        "checkpoint",
        "corridor",
    ]
)
#: Articles that may stand before a name with a space ("al Tanf"); the others ("at", "as", "an")
#: are English words, so they count only when hyphenated ("as-Suwayda").
_SPACED_ARTICLES = frozenset({"al", "el", "ul"})
#: A lower-case word after a name that makes it a natural feature, not the namesake town.
_FEATURE_WORDS = frozenset(
    ["river", "valley", "mountains", "mountain", "range", "lake", "gorge", "pass", "desert"]
)
#: Lower-case words that may end a name: generic tails and feature words ("Oskil river").
_TAILS = _GENERIC_TAILS | _FEATURE_WORDS


@dataclass(frozen=True)
class GeoparseOptions:
    """Knobs for resolution.

    ``context_bonus`` is what a candidate gains when its country is named in the document;
    ``min_score`` is the score a GeoNames town needs to be believed (log10 population plus any
    context bonus: 4.0 is a town of 10,000 with no support from the text). ``theatre`` is the
    user's own context (ISO codes), added to the document's; ``theatre_bbox`` (west, south,
    east, north in degrees) gives the same bonus to candidates inside it.
    ``coherence_bonus`` rewards a candidate within ``coherence_km`` of a place the text names
    beyond doubt.
    """

    context_bonus: float = 3.0
    min_score: float = 4.0
    theatre: tuple[str, ...] = ()
    theatre_bbox: tuple[float, float, float, float] | None = None
    coherence_km: float = 400.0
    coherence_bonus: float = 2.0
    anchor_margin: float = 1.5


_DEFAULT_OPTIONS = GeoparseOptions()


class _Token(NamedTuple):
    """A word of the text (a tuple: millions are made, and tuples are cheap to make)."""

    start: int
    end: int
    text: str
    capitalised: bool


class _Candidate(NamedTuple):
    """A recognised name before resolution (a tuple, made once per name in the text)."""

    start: int
    end: int
    first: int  # token index
    last: int
    key: str
    places: tuple[tuple[Place, float], ...]


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation of ``words`` factored by first letter ("c(?:ity|amp|...)"): the
    engine tries one branch per letter instead of every word at every word start."""
    by_letter: dict[str, list[str]] = {}
    for word in words:
        by_letter.setdefault(word[0], []).append(re.escape(word[1:]))
    parts = []
    for letter, rests in sorted(by_letter.items()):
        tails = sorted((r for r in rests if r), key=len, reverse=True)
        optional = "?" if "" in rests else ""
        parts.append(letter + (f"(?:{'|'.join(tails)}){optional}" if tails else ""))
    return "(?:" + "|".join(parts) + ")"


def _token_pattern() -> re.Pattern[str]:
    r"""Capitalised words and "U.S."-style initials, each with the lower-case words chained
    after it by single joiners (group 1: " of", " al", " border crossing").

    The pattern opens with a character class, so the regex engine skips every other character
    in C, and the word boundary is checked after the first letter (``(?<!\w.)``) for the same
    reason: scanning for every lower-case word as well took twice as long.
    """
    lower = _alternation(
        ARABIC_ARTICLES | _CONNECTORS | _GENERIC_TAILS | _FEATURE_WORDS | _PLACE_SUFFIXES
    )
    return re.compile(
        r"[^\W\d_a-z](?<!\w.)(?:(?<=[A-Z])\.(?:[A-Z]\.)+|(?:[\w'’]*\w)?)"
        r"((?:[ \-\n\u2010\u2011]" + lower + r"(?![\w'’]))*)"
    )


_TOKEN = _token_pattern()
_JOINER_CHARS = frozenset(_JOINERS)
_WORD_CHAR = re.compile(r"\w")
_LOWER_WORD = re.compile(r"[a-z]+")


def _tokens(text: str) -> list[_Token]:
    """The words a place name can be made of, in text order.

    Capitalised words, initials, the lower-case connectors and tails chained after them
    ("Bab al-Hawa border crossing", "Gulf of Aden"), and an Arabic article right before one
    ("al Tanf"). Other lower-case words are left out: no rule reads them (a name starts at a
    capital or an article, and the context rules look only a joiner away).
    """
    out: list[_Token] = []
    append = out.append
    make = tuple.__new__  # skips NamedTuple's Python-level __new__: this loop is hot
    joiners = _JOINER_CHARS
    articles = ARABIC_ARTICLES
    done = 0  # end of the last token emitted
    for m in _TOKEN.finditer(text):
        start, done_next = m.span()
        if start - 3 >= done and text[start - 1] in joiners:  # "al Tanf", "as-Suwayda"
            for at in (start - 3, start - 4):
                if (
                    at >= done
                    and text[at : start - 1] in articles
                    and (at == 0 or not _WORD_CHAR.match(text, at - 1))
                ):
                    append(make(_Token, (at, start - 1, text[at : start - 1], False)))
                    break
        chain = m.group(1)
        end = done_next - len(chain)
        word = text[start:end]
        if word.endswith(("'s", "’s")) and len(word) > 2:  # possessive: "Washington's"
            word, end = word[:-2], end - 2
        append(make(_Token, (start, end, word, word[:1].isupper())))
        done = done_next
        if chain:
            offset = done - len(chain)
            for lower in _LOWER_WORD.finditer(chain):
                w_start, w_end = lower.span()
                append(make(_Token, (offset + w_start, offset + w_end, lower.group(), False)))
    return out


def _recognise(text: str, tokens: list[_Token], gazetteer: Gazetteer) -> list[_Candidate]:
    """The longest known name at each token, left to right (hot: tokens are unpacked)."""
    found: list[_Candidate] = []
    n = len(tokens)
    lookup = gazetteer.lookup_key
    cached = gazetteer.cached
    i = 0
    while i < n:
        first_start, first_end, word, capitalised = tokens[i]
        if capitalised and i + 1 < n and text[first_end : first_end + 1] != "-":
            lower = word.lower()
            if lower in ARABIC_ARTICLES and lower not in _SPACED_ARTICLES:
                i += 1  # "At Menaka", "As Raqqa fell": English words unless hyphenated
                continue
        if not capitalised:
            # A lower-case article opens a name only before a capitalised word: "al-Tanf".
            if i + 1 >= n or not tokens[i + 1].capitalised:
                i += 1
                continue
            lower = word.lower()
            if not (
                (lower in ARABIC_ARTICLES and text[first_end] == "-")
                or (lower in _SPACED_ARTICLES and text[first_end : tokens[i + 1].start] == " ")
            ):
                i += 1
                continue
        j = i
        while j + 1 < n and j - i + 1 < _MAX_TOKENS:
            _, end, _, _ = tokens[j]
            nxt_start, _, nxt, nxt_cap = tokens[j + 1]
            if text[end:nxt_start] not in _JOINERS:
                break
            if not (
                nxt_cap
                or nxt in _TAILS
                or nxt.lower() in ARABIC_ARTICLES
                or nxt.lower() in _CONNECTORS
            ):
                break
            j += 1
        best: _Candidate | None = None
        for last in range(j, i - 1, -1):
            _, last_end, last_word, last_cap = tokens[last]
            if not (last_cap or last_word in _TAILS):
                continue
            key = normalize(text[first_start:last_end])
            places = cached(key)
            if places is None:
                places = lookup(key)
            if places:
                best = tuple.__new__(_Candidate, (first_start, last_end, i, last, key, places))
                break
        if best is None:
            i += 1
            continue
        found.append(best)
        i = best.last + 1
    return found


_OF_NAME = re.compile(r"\s+of\s+[A-Z]")


def _filter_kinds(cand: _Candidate, text: str, tokens: list[_Token], starts: set[int]):
    """Apply the person/organisation rules; return the surviving (place, prior) pairs."""
    places = cand.places
    if cand.end - cand.start > 1 and text[cand.start : cand.end].isupper():
        # "ISIS", "GCC": an all-caps word is a place only as a country code or a curated name.
        places = [(p, s) for p, s in places if p.kind not in ("city", "town")]
    before = tokens[cand.first - 1] if cand.first > 0 else None
    after = tokens[cand.last + 1] if cand.last + 1 < len(tokens) else None
    namesake = False
    if before is not None:
        gap = text[before.end : cand.start]
        lower = before.text.lower()
        if gap in (" ", ". ") and lower.rstrip(".") in _TITLES:
            return []
        namesake = (
            before.capitalised
            and gap == " "
            and cand.start not in starts
            and lower not in ARABIC_ARTICLES
            # "In Kharkiv, ...": a function word capitalised only because it opens a sentence
            and not (before.start in starts and lower in _SENTENCE_OPENERS)
        )
    glued_after = False
    if after is not None and text[cand.end : after.start] == " ":
        glued_after = after.capitalised and after.text.lower() not in _PLACE_SUFFIXES
        namesake = namesake or glued_after or after.text in _FEATURE_WORDS
    if namesake:
        places = [(p, s) for p, s in places if p.kind not in _NAMESAKE_KINDS]
    if glued_after and cand.key in _GIVEN_NAME_COUNTRIES:
        # "Jordan Peterson", "Chad Johnson", "Israel Katz": a first name, not the country.
        places = [(p, s) for p, s in places if p.kind != "country"]
    if cand.key in _GENERIC_ALONE and _OF_NAME.match(text, cand.end):
        return []  # "the Gulf of Mexico" is not the (Persian) Gulf
    return places


_SUFFIX = re.compile(
    r"[ \n](city|town|province|governorate|district|region|oblast|state|prefecture|county)\b",
    re.IGNORECASE,
)
_ADMIN_SUFFIXES = frozenset(
    ["province", "governorate", "district", "region", "oblast", "state", "prefecture", "county"]
)


def _suffix_bonus(suffix: str, kind: str) -> float:
    """'Idlib province' is the province; 'Raqqa city' is the city."""
    if suffix in _ADMIN_SUFFIXES:
        return 3.0 if kind == "admin1" else 0.0
    if suffix in ("city", "town"):
        return 3.0 if kind in ("city", "town") else 0.0
    return 0.0


#: Candidates closer than this are the same place for the purpose of doubt.
SAME_SPOT_KM = 50.0
HAMLET_POPULATION = 10_000


def _unit(lat: float, lon: float) -> tuple[float, float, float]:
    """The point as a unit vector: distances between vectors are one C call (math.dist)."""
    phi, lam = math.radians(lat), math.radians(lon)
    cos_phi = math.cos(phi)
    return (cos_phi * math.cos(lam), cos_phi * math.sin(lam), math.sin(phi))


_VECTORS: dict[tuple[float, float], tuple[float, float, float]] = {}


def _vec(place: Place) -> tuple[float, float, float]:
    """``_unit`` of a place, remembered: the same candidates come back in every article."""
    point = (place.lat, place.lon)
    vec = _VECTORS.get(point)
    if vec is None:
        if len(_VECTORS) > 500_000:
            _VECTORS.clear()
        vec = _VECTORS[point] = _unit(*point)
    return vec


def _chord_km(u: tuple[float, float, float], v: tuple[float, float, float]) -> float:
    """Great-circle km between unit vectors (a prior needs no ellipsoid; this is hot code)."""
    return 12742.0 * math.asin(min(1.0, math.dist(u, v) / 2.0))


class _Anchor(NamedTuple):
    key: str
    place: Place
    vec: tuple[float, float, float]


def _anchors(kept, context: set[str], opts: GeoparseOptions, memo: dict) -> list[_Anchor]:
    """Names resolved beyond doubt: the story's footprint.

    A point place (not a country or a macro-region) whose best candidate leads the next by
    ``anchor_margin`` anchors the text, if it would be believed on its own: a GeoNames town
    must be known by its own name and score at least ``min_score``. Ambiguous names are then
    pulled toward the anchors. One entry per distinct name, so a long text costs no more per
    mention than a short one. For a name with several candidates the verdict depends only on
    which of their countries the story names, so it is kept in ``memo`` under that.
    """
    out = []
    seen: set[str] = set()
    settings = (opts.context_bonus, opts.min_score, opts.anchor_margin)
    for cand, places in kept:
        key = cand.key
        if key in seen:
            continue
        seen.add(key)
        if len(places) == 1:  # no rival: only the kind and, for a town, its score matter
            p = places[0][0]
            if p.kind in ("country", "continent", "region"):
                continue
            if p.kind not in _TOWNS:
                out.append(_Anchor(key, p, _vec(p)))
                continue
        if places is cand.places:  # the gazetteer's own tuple: the same for every story
            memo_key = ("anchor", key, settings, *_named(places, context))
            best = memo.get(memo_key, _UNSET)
            if best is _UNSET:
                best = memo[memo_key] = _anchor_place(key, places, context, opts)
        else:
            best = _anchor_place(key, places, context, opts)
        if best is not None:
            out.append(_Anchor(key, best, _vec(best)))
    return out


_UNSET = object()


def _named(places, context: set[str]) -> list[bool]:
    """Which candidates' countries the story names: all of the document that the scores
    before coherence, and the anchor verdict, depend on (part of their memo keys)."""
    return [p.country_code in context for p, _ in places]


def _anchor_place(key: str, places, context: set[str], opts: GeoparseOptions) -> Place | None:
    """The candidate that anchors the story under ``key``, or None if none is beyond doubt."""
    bonus = opts.context_bonus
    scored = [(prior + bonus if p.country_code in context else prior, p) for p, prior in places]
    best_score, best = -math.inf, None
    for score, p in scored:  # the last of equals wins, as it always has
        if score >= best_score:
            best_score, best = score, p
    if best.kind in ("country", "continent", "region"):
        return None
    if best.kind in ("city", "town") and (
        best_score < opts.min_score or normalize(best.name) != key
    ):
        return None
    rival = max((score for score, p in scored if p is not best), default=-math.inf)
    if best_score - rival < opts.anchor_margin:
        # Only a rival far away is doubt: Damascus the city and Damascus the governorate
        # are one spot. Distances are worked out only when a rival is close in score.
        vec = _vec(best)
        runner = max(
            (
                score
                for score, p in scored
                if p is not best and _chord_km(_vec(p), vec) > SAME_SPOT_KM
            ),
            default=-math.inf,
        )
        if best_score - runner < opts.anchor_margin:
            return None
    return best


#: The score of a (score, place) pair; a C-level key, so sorting candidates calls no Python.
_first = operator.itemgetter(0)


def _strong_countries(anchors: list[_Anchor]) -> set[str]:
    """Countries vouched for by anchors that are curated places or cities of 100,000+.

    "El Paso" (a city of 680,000) makes the story partly about the US even if "US" is never
    written, so "Texas" there is the state, not a Mexican hamlet.
    """
    return {
        a.place.country_code
        for a in anchors
        if a.place.country_code
        and (a.place.id.startswith("curated:") or a.place.population >= 100_000)
    }


def _coherence_bonus(place: Place, others: list[tuple[float, float, float]], opts: GeoparseOptions):
    """Places in one story tend to be near each other: reward candidates near an anchor.

    Graded by the distance to the nearest anchor of another name (``others``: their unit
    vectors); full bonus on top of it, none at ``coherence_km``. A first-level region's
    centroid may lie far from the towns in it, so its radius is wider.
    """
    if place.kind in ("country", "continent") or not others:
        return 0.0
    reach = opts.coherence_km * (2.5 if place.kind == "admin1" else 1.0)
    chord = min(map(math.dist, others, itertools.repeat(_vec(place))))
    nearest = 12742.0 * math.asin(min(1.0, chord / 2.0))
    return opts.coherence_bonus * max(0.0, 1.0 - nearest / reach) * _damping(place)


def _score(
    places,
    key: str,
    suffix: str,
    context: set[str],
    anchors,
    opts: GeoparseOptions,
    memo: dict | None = None,
) -> list[tuple[float, Place]]:
    """Candidates with their final scores, best first.

    The scores before coherence depend only on the name, its suffix and which candidate
    countries the story names, so with ``memo`` (for the gazetteer's own candidate tuples)
    they are worked out once per combination. Coherence (the costly part) is only weighed
    where it can matter: for candidates whose other evidence puts them within
    ``coherence_bonus`` of the leader, or for a lone town that must earn its place.
    """
    if memo is None:
        base = _base_scores(places, suffix, context, opts)
    else:
        settings = (opts.context_bonus, opts.theatre_bbox)
        memo_key = ("base", key, suffix, settings, *_named(places, context))
        base = memo.get(memo_key)
        if base is None:
            base = memo[memo_key] = _base_scores(places, suffix, context, opts)
    if len(base) == 1:
        score, p = base[0]
        if anchors and p.kind in ("city", "town"):  # a lone town must earn its place
            score += _coherence_bonus(p, [a.vec for a in anchors if a.key != key], opts)
        return [(score, p)]
    if not anchors:
        return list(base)
    floor = base[0][0] - opts.coherence_bonus
    others = [a.vec for a in anchors if a.key != key]
    scored = [
        (score + _coherence_bonus(p, others, opts) if score >= floor else score, p)
        for score, p in base
    ]
    scored.sort(key=_first, reverse=True)
    return scored


def _base_scores(places, suffix: str, context: set[str], opts: GeoparseOptions):
    """(prior + country context + theatre + suffix, place) for each candidate, best first."""
    bonus = opts.context_bonus
    bbox = opts.theatre_bbox
    base = [
        (
            (prior + bonus * _damping(p) if p.country_code in context else prior)
            + (bonus if bbox is not None and _in_bbox(p, bbox) else 0.0)
            + (_suffix_bonus(suffix, p.kind) if suffix else 0.0),
            p,
        )
        for p, prior in places
    ]
    base.sort(key=_first, reverse=True)
    return tuple(base)


def _in_bbox(place: Place, bbox: tuple[float, float, float, float] | None) -> bool:
    if bbox is None:
        return False
    west, south, east, north = bbox
    return south <= place.lat <= north and west <= place.lon <= east


def _damping(place: Place) -> float:
    """Hamlets get half the support of context: a 993-person "Texas" must not beat the state."""
    return 0.5 if place.kind == "town" and 0 < place.population < HAMLET_POPULATION else 1.0


def _precision(place: Place) -> str:
    if place.kind == "country":
        return "country"
    if place.kind in _REGION_KINDS:
        return "region"
    return "exact"


def _confidence(best: float, runner_up: float | None, kind: str) -> float:
    margin = best - runner_up if runner_up is not None else 4.0
    base = 0.5 + 0.5 * math.tanh(margin / 2.0)
    if kind in ("city", "town"):
        base *= min(1.0, 0.6 + best / 20.0)
    return round(min(base, 0.99), 3)


def geoparse(
    document: Document,
    gazetteer: Gazetteer,
    options: GeoparseOptions | None = None,
) -> list[Mention]:
    """Every resolved place mention in ``document``, in text order.

    A name the gazetteer does not know, or one no candidate of which is believable, is left
    out rather than guessed: the rest of the result is unaffected.
    """
    opts = options or _DEFAULT_OPTIONS
    text = document.text
    tokens = _tokens(text)
    spans = sentence_spans(text)
    span_starts = [start for start, _ in spans]
    starts = set(span_starts)
    raw = _recognise(text, tokens, gazetteer)
    kept: list[tuple[_Candidate, list[tuple[Place, float]]]] = []
    for cand in raw:
        places = _filter_kinds(cand, text, tokens, starts)
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
    anchors = _anchors(kept, context, opts, gazetteer.memo)
    context |= _strong_countries(anchors)
    mentions = []
    # One decision per (name, suffix, surviving candidates): news repeats its names.
    decided: dict[tuple, tuple[Place, float, str, tuple[str, ...]] | None] = {}
    sentences: dict[int, str] = {}  # by sentence index: names cluster in sentences
    doc_id = document.id
    static = gazetteer.memo
    for cand, places in kept:
        end = cand.end
        after = _SUFFIX.match(text, end) if text[end : end + 1] in (" ", "\n") else None
        suffix = ""
        if after:
            suffix, end = after.group(1).lower(), after.end()
        whole = places is cand.places  # unfiltered: the gazetteer's own tuple
        memo_key = (cand.key, suffix) if whole else (cand.key, suffix, *(p.id for p, _ in places))
        # One candidate that is not a town: nothing in the document changes the outcome, so
        # the decision is kept across documents; any other is kept for this document only.
        memo = static if _lone(cand, places) else decided
        if memo_key in memo:
            decision = memo[memo_key]
        else:
            scored = _score(
                places, cand.key, suffix, context, anchors, opts, static if whole else None
            )
            decision = memo[memo_key] = _decide(scored, cand.key, suffix, context, opts)
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


def _lone(cand: _Candidate, places) -> bool:
    """One unfiltered candidate that is not a town: its resolution depends on nothing in the
    document (no rival to weigh, no population to doubt)."""
    return len(places) == 1 and places is cand.places and places[0][0].kind not in _TOWNS


def _decide(scored, key: str, suffix: str, context: set[str], opts: GeoparseOptions):
    """(place, confidence, precision, losing candidate ids) for scored candidates, or None
    when even the best is not believable."""
    best_score, best = scored[0]
    if best.kind in ("city", "town"):
        if best_score < opts.min_score:
            return None
        # A town known here only by an alternate name ("Checkpoint" for a Philippine
        # barangay) needs the document to name its country first.
        if best.kind == "town" and best.country_code not in context and normalize(best.name) != key:
            return None
    runner = scored[1][0] if len(scored) > 1 else None
    return (
        best,
        _confidence(best_score, runner, best.kind),
        "region" if suffix in _ADMIN_SUFFIXES else _precision(best),
        tuple([p.id for _, p in scored[1:6]]),
    )


def _sentence(text, spans, starts: list[int], offset: int, seen: dict[int, str]) -> str:
    i = bisect.bisect_right(starts, offset) - 1
    found = seen.get(i)
    if found is None:
        found = sentence_at(text, spans, offset, starts)
        if found:  # an offset between sentences has none; the next one in span i may
            seen[i] = found
    return found


#: Words after which a capitalised name is a place ("in Kafr Nabudah", "near Tal Hamis").
_LOCATIVE = frozenset(
    ["in", "near", "at", "outside", "around", "from", "toward", "towards", "into", "across"]
)
#: Nouns that, before "of", announce a place name ("the village of Umm Batinah").
_PLACE_NOUNS = frozenset(
    ["town", "village", "city", "district", "province", "area", "region", "outskirts", "camp"]
)
_WORD_BEFORE = re.compile(r"(\w+)\s+(?:(\w+)\s+)?$")


def unknown_names(
    document: Document, gazetteer: Gazetteer, mentions: Iterable[Mention], stopwords=frozenset()
) -> list[tuple[int, int, str]]:
    """Capitalised names in a place-like position that no mention covers: what an online
    geocoder may be asked about. Deliberately narrow (after "in", "near", "the village of"),
    because each name costs a request and most capitalised words are not places."""
    text = document.text
    covered = [(m.start, m.end) for m in mentions]
    tokens = _tokens(text)
    out: list[tuple[int, int, str]] = []
    seen: set[str] = set()
    i = 0
    while i < len(tokens):
        start, _end, word, capitalised = tokens[i]
        if not capitalised or word.isupper():
            i += 1
            continue
        j = i
        while (
            j + 1 < len(tokens)
            and j - i < 3
            and tokens[j + 1].capitalised
            and text[tokens[j].end : tokens[j + 1].start] in _JOINERS
        ):
            j += 1
        span_end = tokens[j].end
        i = j + 1
        before = _WORD_BEFORE.search(text, max(0, start - 40), start)
        if before is None:
            continue
        last = (before.group(2) or before.group(1)).lower()
        first = before.group(1).lower()
        placey = last in _LOCATIVE or (last == "of" and first in _PLACE_NOUNS)
        surface = text[start:span_end]
        key = normalize(surface)
        if (
            not placey
            or not key
            or key in stopwords
            or key in seen
            or any(a < span_end and start < b for a, b in covered)
            or gazetteer.lookup_key(key)
        ):
            continue
        seen.add(key)
        out.append((start, span_end, surface))
    return out


def unique_places(mentions: Iterable[Mention]) -> list[Place]:
    """The distinct places of ``mentions``, in order of first mention."""
    seen: dict[str, Place] = {}
    for m in mentions:
        seen.setdefault(m.place.id, m.place)
    return list(seen.values())
