"""Resolution: which of a recognised name's candidate places the text means.

Each candidate is scored by its kind and population prior plus the document's country context
(countries and curated places the text names, and the user's theatre), a bonus for lying near
places the text names beyond doubt (anchors), and a suffix that names its kind ("Idlib
province"). Small towns the context does not support are refused: a wrong dot is worse than no
dot.
"""

from __future__ import annotations

import itertools
import math
import operator
from dataclasses import dataclass
from typing import NamedTuple

from .gazetteer import KIND_PRIOR
from .model import Place
from .names import normalize
from .recognition import ADMIN_SUFFIXES, TOWNS, Candidate

__all__ = ["DEFAULT_OPTIONS", "GeoparseOptions", "decide", "find_anchors", "lone", "score"]


REGION_KINDS = frozenset(
    {"admin1", "region", "continent", "disputed", "corridor", "river", "valley", "mountain"}
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
    beyond doubt. A town the text calls by one of its alternate names, in a country the text
    does not name, is believed at ``known_score`` (a place the world writes about: "Kobani",
    "Palmyra"), or at ``cued_score`` after a place cue ("near Tal Afar"). ``region_bonus`` is
    what a town gains when the text names its state or province.
    """

    context_bonus: float = 3.0
    min_score: float = 4.0
    theatre: tuple[str, ...] = ()
    theatre_bbox: tuple[float, float, float, float] | None = None
    coherence_km: float = 400.0
    coherence_bonus: float = 2.0
    anchor_margin: float = 1.5
    known_score: float = 6.5
    region_bonus: float = 4.5
    cued_score: float = 4.5


DEFAULT_OPTIONS = GeoparseOptions()


def _suffix_bonus(suffix: str, kind: str) -> float:
    """'Idlib province' is the province; 'Raqqa city' is the city."""
    if suffix in ADMIN_SUFFIXES:
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


class Anchor(NamedTuple):
    key: str
    place: Place
    vec: tuple[float, float, float]


def find_anchors(kept, context: set[str], opts: GeoparseOptions, memo: dict) -> list[Anchor]:
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
            if p.kind not in TOWNS:
                out.append(Anchor(key, p, _vec(p)))
                continue
        if places is cand.places:  # the gazetteer's own tuple: the same for every story
            memo_key = ("anchor", key, settings, *_named(places, context))
            best = memo.get(memo_key, _UNSET)
            if best is _UNSET:
                best = memo[memo_key] = _anchor_place(key, places, context, opts)
        else:
            best = _anchor_place(key, places, context, opts)
        if best is not None:
            out.append(Anchor(key, best, _vec(best)))
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
    if best is None or best.kind in ("country", "continent", "region"):
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


def strong_countries(anchors: list[Anchor]) -> set[str]:
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


def score(
    places,
    key: str,
    suffix: str,
    context: set[str],
    anchors: list[Anchor],
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
            (prior + bonus * _damping(p, prior) if p.country_code in context else prior)
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


def _damping(place: Place, prior: float | None = None) -> float:
    """Hamlets get half the support of context: a 993-person "Texas" must not beat the state.
    A small town that is the seat of the region named like it ("Lachin") is no hamlet: the
    gazetteer gave it the region's prior (see ``geo.gazetteer.SEAT_KM``)."""
    if prior is not None and prior >= KIND_PRIOR["admin1"]:
        return 1.0
    return 0.5 if place.kind == "town" and 0 < place.population < HAMLET_POPULATION else 1.0


def _precision(place: Place) -> str:
    if place.kind == "country":
        return "country"
    if place.kind in REGION_KINDS:
        return "region"
    return "exact"


def _confidence(best: float, runner_up: float | None, kind: str) -> float:
    margin = best - runner_up if runner_up is not None else 4.0
    base = 0.5 + 0.5 * math.tanh(margin / 2.0)
    if kind in ("city", "town"):
        base *= min(1.0, 0.6 + best / 20.0)
    return round(min(base, 0.99), 3)


def lone(cand: Candidate, places) -> bool:
    """One unfiltered candidate that is not a town: its resolution depends on nothing in the
    document (no rival to weigh, no population to doubt)."""
    return len(places) == 1 and places is cand.places and places[0][0].kind not in TOWNS


def decide(
    scored, key: str, suffix: str, context: set[str], opts: GeoparseOptions, cued: bool = False
):
    """(place, confidence, precision, losing candidate ids) for scored candidates, or None
    when even the best is not believable. ``cued``: a place cue stands before the name."""
    best_score, best = scored[0]
    if best.kind in ("city", "town"):
        if best_score < opts.min_score:
            return None
        # A town known here only by an alternate name ("Checkpoint" for a Philippine
        # barangay) needs the document to name its country first, unless it is a place the
        # world writes about, or the words before it say it is a place.
        if (
            best.kind == "town"
            and best.country_code not in context
            and normalize(best.name) != key
            and best_score < (opts.cued_score if cued else opts.known_score)
        ):
            return None
    runner = scored[1][0] if len(scored) > 1 else None
    return (
        best,
        _confidence(best_score, runner, best.kind),
        "region" if suffix in ADMIN_SUFFIXES else _precision(best),
        tuple([p.id for _, p in scored[1:6]]),
    )
