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

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from .gazetteer import Gazetteer
from .model import Document, Mention, Place
from .names import ARABIC_ARTICLES, normalize
from .relative import relative_mentions
from .text import sentence_at, sentence_spans

__all__ = ["GeoparseOptions", "geoparse"]


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


class _Token(NamedTuple):
    """A word of the text (a tuple: millions are made, and tuples are cheap to make)."""

    start: int
    end: int
    text: str
    capitalised: bool


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    first: int  # token index
    last: int
    key: str
    places: tuple[tuple[Place, float], ...]


def _token_pattern() -> re.Pattern[str]:
    """Words a place name can be made of: capitalised words, "U.S."-style initials, and the
    few lower-case words that occur inside or right after names. Every other word is skipped
    by the regex engine itself, which is most of the text and most of the time."""
    lower = sorted(
        ARABIC_ARTICLES | _CONNECTORS | _GENERIC_TAILS | _FEATURE_WORDS | _PLACE_SUFFIXES,
        key=len,
        reverse=True,
    )
    return re.compile(
        r"(?:[A-Z]\.){2,}"
        r"|\b(?:" + "|".join(lower) + r")\b(?![\w'’])"
        r"|[^\W\d_a-z](?:[\w'’]*\w)?"
    )


_TOKEN = _token_pattern()


def _tokens(text: str) -> list[_Token]:
    out = []
    for m in _TOKEN.finditer(text):
        word, end = m.group(), m.end()
        if word[-2:] in ("'s", "’s") and len(word) > 2:  # possessive: "Washington's"
            word, end = word[:-2], end - 2
        out.append(_Token(m.start(), end, word, word[:1].isupper()))
    return out


def _joined(text: str, left: _Token, right: _Token) -> bool:
    return text[left.end : right.start] in _JOINERS


def _is_acronym(surface: str) -> bool:
    """ "US", "U.S.", "ISIS": every cased letter upper case, and more than one character."""
    return len(surface) > 1 and surface.isupper()


def _recognise(text: str, tokens: list[_Token], gazetteer: Gazetteer) -> list[_Candidate]:
    found: list[_Candidate] = []
    i = 0
    while i < len(tokens):
        best: _Candidate | None = None
        first = tokens[i]
        lower = first.text.lower()
        starts_ok = first.capitalised or (
            i + 1 < len(tokens)
            and tokens[i + 1].capitalised
            and (
                (lower in ARABIC_ARTICLES and text[first.end] == "-")
                or (lower in _SPACED_ARTICLES and text[first.end : tokens[i + 1].start] == " ")
            )
        )
        if starts_ok:
            j = i
            while (
                j + 1 < len(tokens)
                and j - i + 1 < _MAX_TOKENS
                and _joined(text, tokens[j], tokens[j + 1])
            ):
                nxt = tokens[j + 1].text
                if not (
                    tokens[j + 1].capitalised
                    or nxt.lower() in ARABIC_ARTICLES
                    or nxt.lower() in _CONNECTORS
                    or nxt in _GENERIC_TAILS
                ):
                    break
                j += 1
            for last in range(j, i - 1, -1):
                if not (tokens[last].capitalised or tokens[last].text in _GENERIC_TAILS):
                    continue
                surface = text[first.start : tokens[last].end]
                key = normalize(surface)
                places = tuple(gazetteer.lookup_key(key)) if key else ()
                if places:
                    best = _Candidate(first.start, tokens[last].end, i, last, key, places)
                    break
        if best is None:
            i += 1
            continue
        found.append(best)
        i = best.last + 1
    return found


def _filter_kinds(cand: _Candidate, text: str, tokens: list[_Token], starts: set[int]):
    """Apply the person/organisation rules; return the surviving (place, prior) pairs."""
    surface = text[cand.start : cand.end]
    places = list(cand.places)
    if _is_acronym(surface):
        # "ISIS", "GCC": an all-caps word is a place only as a country code or a curated name.
        places = [(p, s) for p, s in places if p.kind not in ("city", "town")]
    before = tokens[cand.first - 1] if cand.first > 0 else None
    after = tokens[cand.last + 1] if cand.last + 1 < len(tokens) else None
    if before and before.text.rstrip(".").lower() in _TITLES and _joined_loose(text, before, cand):
        return []
    glued_before = (
        before is not None
        and before.capitalised
        and text[before.end : cand.start] == " "
        and cand.start not in starts
        and before.text.lower() not in ARABIC_ARTICLES
    )
    glued_after = (
        after is not None
        and after.capitalised
        and text[cand.end : after.start] == " "
        and after.text.lower() not in _PLACE_SUFFIXES
    )
    feature_after = (
        after is not None and after.text in _FEATURE_WORDS and text[cand.end : after.start] == " "
    )
    if glued_before or glued_after or feature_after:
        places = [(p, s) for p, s in places if p.kind not in _NAMESAKE_KINDS]
    if glued_after and cand.key in _GIVEN_NAME_COUNTRIES:
        # "Jordan Peterson", "Chad Johnson", "Israel Katz": a first name, not the country.
        places = [(p, s) for p, s in places if p.kind != "country"]
    if cand.key in _GENERIC_ALONE and re.match(r"\s+of\s+[A-Z]", text[cand.end :]):
        return []  # "the Gulf of Mexico" is not the (Persian) Gulf
    return places


def _joined_loose(text: str, before: _Token, cand: _Candidate) -> bool:
    return text[before.end : cand.start] in (" ", ". ")


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


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance on a sphere (a prior needs no ellipsoid, and this is hot code)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(a)))


def _anchors(kept, context: set[str], opts: GeoparseOptions) -> list[tuple[str, Place]]:
    """Names resolved beyond doubt, as (folded name, place): the story's footprint.

    A point place (not a country or a macro-region) whose best candidate leads the next by
    ``anchor_margin`` anchors the text, if it would be believed on its own: a GeoNames town
    must be known by its own name and score at least ``min_score``. Ambiguous names are then
    pulled toward the anchors. One entry per distinct name, so a long text costs no more per
    mention than a short one.
    """
    out = []
    seen: set[str] = set()
    for cand, places in kept:
        if cand.key in seen:
            continue
        seen.add(cand.key)
        scores = sorted(
            (
                (prior + (opts.context_bonus if p.country_code in context else 0.0), p)
                for p, prior in places
            ),
            key=lambda sp: sp[0],
        )
        best_score, best = scores[-1]
        if best.kind in ("country", "continent", "region"):
            continue
        if best.kind in ("city", "town") and (
            best_score < opts.min_score or normalize(best.name) != cand.key
        ):
            continue
        # A rival at the same spot (Damascus the city, Damascus the governorate) is no doubt.
        rivals = [
            score
            for score, p in scores[:-1]
            if _km(p.lat, p.lon, best.lat, best.lon) > SAME_SPOT_KM
        ]
        runner = max(rivals, default=-math.inf)
        if best_score - runner >= opts.anchor_margin:
            out.append((cand.key, best))
    return out


def _strong_countries(anchors: list[tuple[str, Place]]) -> set[str]:
    """Countries vouched for by anchors that are curated places or cities of 100,000+.

    "El Paso" (a city of 680,000) makes the story partly about the US even if "US" is never
    written, so "Texas" there is the state, not a Mexican hamlet.
    """
    return {
        p.country_code
        for _, p in anchors
        if p.country_code and (p.id.startswith("curated:") or p.population >= 100_000)
    }


def _coherence_bonus(place: Place, anchors, key: str, opts: GeoparseOptions) -> float:
    """Places in one story tend to be near each other: reward candidates near an anchor.

    Graded by the distance to the nearest other anchor (full bonus on top of it, none at
    ``coherence_km``); a first-level region's centroid may lie far from the towns in it, so
    its radius is wider.
    """
    if place.kind in ("country", "continent"):
        return 0.0
    reach = opts.coherence_km * (2.5 if place.kind == "admin1" else 1.0)
    nearest = min(
        (_km(place.lat, place.lon, a.lat, a.lon) for name, a in anchors if name != key),
        default=math.inf,
    )
    return opts.coherence_bonus * max(0.0, 1.0 - nearest / reach) * _damping(place)


def _score(
    places, key: str, suffix: str, context: set[str], anchors, opts: GeoparseOptions
) -> list[tuple[float, Place]]:
    """Candidates with their final scores, best first.

    Coherence (the costly part) is only weighed where it can matter: for candidates whose
    other evidence puts them within ``coherence_bonus`` of the leader, or for a lone town
    that must earn its place.
    """
    base = sorted(
        (
            (
                prior
                + (opts.context_bonus * _damping(p) if p.country_code in context else 0.0)
                + (opts.context_bonus if _in_bbox(p, opts.theatre_bbox) else 0.0)
                + _suffix_bonus(suffix, p.kind),
                p,
            )
            for p, prior in places
        ),
        key=lambda sp: -sp[0],
    )
    top = base[0][0]
    lone_town = len(base) == 1 and base[0][1].kind in ("city", "town")
    scored = [
        (
            score + _coherence_bonus(p, anchors, key, opts)
            if lone_town or (len(base) > 1 and score >= top - opts.coherence_bonus)
            else score,
            p,
        )
        for score, p in base
    ]
    scored.sort(key=lambda sp: -sp[0])
    return scored


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
    opts = options or GeoparseOptions()
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
    anchors = _anchors(kept, context, opts)
    context |= _strong_countries(anchors)
    mentions = []
    memo: dict[tuple, list[tuple[float, Place]]] = {}
    for cand, places in kept:
        end = cand.end
        after = _SUFFIX.match(text, end)
        suffix = after.group(1).lower() if after else ""
        if after:
            end = after.end()
        memo_key = (cand.key, suffix, len(places))
        scored = memo.get(memo_key)
        if scored is None:
            scored = _score(places, cand.key, suffix, context, anchors, opts)
            memo[memo_key] = scored
        best_score, best = scored[0]
        if best.kind in ("city", "town"):
            if best_score < opts.min_score:
                continue
            # A town known here only by an alternate name ("Checkpoint" for a Philippine
            # barangay) needs the document to name its country first.
            alternate = normalize(best.name) != cand.key
            if alternate and best.kind == "town" and best.country_code not in context:
                continue
        runner = scored[1][0] if len(scored) > 1 else None
        mentions.append(
            Mention(
                document_id=document.id,
                start=cand.start,
                end=end,
                surface=text[cand.start : end],
                place=best,
                confidence=_confidence(best_score, runner, best.kind),
                precision="region" if suffix in _ADMIN_SUFFIXES else _precision(best),
                sentence=sentence_at(text, spans, cand.start, span_starts),
                candidates=tuple(p.id for _, p in scored[1:6]),
            )
        )
    mentions.extend(relative_mentions(text, mentions))
    mentions.sort(key=lambda m: (m.start, -m.end))
    return mentions


def unique_places(mentions: Iterable[Mention]) -> list[Place]:
    """The distinct places of ``mentions``, in order of first mention."""
    seen: dict[str, Place] = {}
    for m in mentions:
        seen.setdefault(m.place.id, m.place)
    return list(seen.values())
