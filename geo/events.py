"""Dated events: a sentence that ties an action to a place and a time.

"Coalition aircraft struck a column of pro-regime forces on May 18 after it pushed inside the
de-confliction zone northeast of al-Tanf" is an airstrike, on 18 May of the article's year, by
"Coalition aircraft", near the derived point northeast of al Tanf. Rules, not a model: every
event can be traced to the words that made it, and each keeps its uncertainty (a date known to
the month is a month, "recently" is a fortnight) instead of pretending to precision.

Where an event happened is not every place its sentence names: "..., US officials in
Washington said" reports from Washington about somewhere else, so reporting places are skipped
and a relative location beats its own anchor.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from .coords import haversine_km
from .model import Document, Mention, Place
from .text import sentence_spans

__all__ = [
    "EVENT_KINDS",
    "Event",
    "extract_events",
    "merge_events",
    "precision_rank",
    "resolve_date",
    "same_event",
]

#: Event kinds and the words that signal them, most specific first.
EVENT_KINDS: dict[str, tuple[str, ...]] = {
    "airstrike": (
        r"air ?strikes?",
        r"drone strikes?",
        r"bomb(?:ed|ing|ings)",
        r"struck",
        r"strikes? (?:on|against|hit)",
        r"(?:aircraft|jets|warplanes|drones) (?:hit|attacked|targeted)",
    ),
    "shelling": (r"shell(?:ed|ing)", r"artillery", r"mortars?", r"rockets? (?:hit|fell|fired)"),
    "recapture": (r"recaptur(?:ed|e)", r"retook", r"retaken", r"regain(?:ed)? control"),
    "capture": (
        r"captur(?:ed|e)",
        r"seiz(?:ed|e)",
        r"overr?an",
        r"took control",
        r"fell to",
        r"take \w+ from",
    ),
    "clash": (r"clash(?:ed|es)?", r"fighting", r"firefight", r"exchanged fire", r"battles?"),
    "attack": (
        r"attack(?:ed|s)?",
        r"ambush(?:ed)?",
        r"raid(?:ed|s)?",
        r"bombers?",
        r"explosions?",
        r"roadside bomb",
    ),
    "deployment": (
        r"deploy(?:ed|ment)",
        r"reinforc(?:ed|ements)",
        r"advanc(?:ed|ing)",
        r"pushed (?:inside|into)",
        r"moved (?:into|toward)",
        r"massed",
        r"convoy",
    ),
    "negotiation": (
        r"talks",
        r"negotiat(?:ed|ions?|ing)",
        r"ceasefire",
        r"truce",
        r"agreement",
        r"deal",
    ),
    "closure": (r"closed", r"closure", r"shut"),
    "displacement": (r"fled", r"displaced", r"evacuat(?:ed|ion)"),
}
_KIND_PATTERNS = {
    kind: re.compile(r"\b(?:" + "|".join(words) + r")\b", re.IGNORECASE)
    for kind, words in EVENT_KINDS.items()
}

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE_PATTERNS = [
    ("iso", re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")),
    ("dmy", re.compile(r"\b(?P<day>\d{1,2})\s+" + _MONTH + r"(?:\s+(?P<year>\d{4}))?\b", re.I)),
    ("mdy", re.compile(r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:,?\s+(?P<year>\d{4}))?\b", re.I)),
    ("weekday", re.compile(r"\b(?:on|last)\s+(?P<weekday>" + "|".join(_WEEKDAYS) + r")\b", re.I)),
    ("yesterday", re.compile(r"\byesterday\b", re.I)),
    ("today", re.compile(r"\b(?:today|this morning|tonight|overnight)\b", re.I)),
    ("last-week", re.compile(r"\blast week\b", re.I)),
    ("last-month", re.compile(r"\blast month\b", re.I)),
    ("month", re.compile(r"\b(?:in|since|during|early|late|mid-?)\s*" + _MONTH + r"\b", re.I)),
    ("recently", re.compile(r"\b(?:recently|in recent (?:days|weeks))\b", re.I)),
]
#: How uncertain each kind of date is, in days either side (documented in the event record).
DATE_UNCERTAINTY_DAYS = {
    "day": 0,
    "week": 3,
    "month": 15,
    "approximate": 14,
    "reported": 7,
}


@dataclass(frozen=True)
class Event:
    """Something that happened, where and when, with the words that say so.

    ``date_precision`` is ``day``, ``week``, ``month``, ``approximate`` (from "recently") or
    ``reported`` (no date in the sentence: on or before the article's date); ``date`` is None
    when the article itself has no date. ``sources`` lists the documents that report it.
    """

    id: str
    kind: str
    date: date | None
    date_precision: str | None
    date_text: str
    place: Place
    actors: tuple[str, ...]
    sentence: str
    document_id: str
    confidence: float
    trigger: str
    sources: tuple[str, ...] = ()

    @property
    def uncertainty_days(self) -> int | None:
        return DATE_UNCERTAINTY_DAYS.get(self.date_precision or "")

    def record(self) -> dict:
        return {
            "id": self.id,
            "date": self.date.isoformat() if self.date else None,
            "date_precision": self.date_precision,
            "date_text": self.date_text,
            "date_uncertainty_days": self.uncertainty_days,
            "kind": self.kind,
            "place": self.place.name,
            "place_id": self.place.id,
            "lat": self.place.lat,
            "lon": self.place.lon,
            "actors": list(self.actors),
            "sentence": self.sentence,
            "trigger": self.trigger,
            "confidence": self.confidence,
            "sources": list(self.sources or (self.document_id,)),
        }


def _previous(published: date, month: int, day: int, year: int | None) -> date | None:
    """The date with this month and day in the year that puts it on or before publication."""
    try:
        if year:
            return date(year, month, day)
        found = date(published.year, month, day)
        return found if found <= published else date(published.year - 1, month, day)
    except ValueError:
        return None


def resolve_date(text: str, published: date | None) -> tuple[date | None, str | None, str]:
    """(date, precision, the words) for the first date phrase in ``text``.

    Relative phrases need the article's date; without one, only absolute dates resolve.
    No phrase at all gives the article's date with precision ``reported``.
    """
    for kind, pattern in _DATE_PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        words = m.group(0)
        if kind == "iso":
            try:
                return date(int(m["y"]), int(m["m"]), int(m["d"])), "day", words
            except ValueError:
                continue
        if kind in ("dmy", "mdy"):
            month, day = _MONTHS[m["month"].lower()], int(m["day"])
            year = int(m["year"]) if m["year"] else None
            if year is None and published is None:
                continue
            found = _previous(published or date.min, month, day, year)
            if found:
                return found, "day", words
            continue
        if published is None:
            return None, None, words
        if kind == "weekday":
            target = _WEEKDAYS.index(m["weekday"].lower())
            delta = (published.weekday() - target) % 7 or 7
            return published - timedelta(days=delta), "day", words
        if kind == "yesterday":
            return published - timedelta(days=1), "day", words
        if kind == "today":
            return published, "day", words
        if kind == "last-week":
            return published - timedelta(days=7), "week", words
        if kind == "last-month":
            first = published.replace(day=1) - timedelta(days=1)
            return first.replace(day=15), "month", words
        if kind == "month":
            month = _MONTHS[m["month"].lower()]
            year = published.year if month <= published.month else published.year - 1
            return date(year, month, 15), "month", words
        if kind == "recently":
            return published - timedelta(days=7), "approximate", words
    if published is None:
        return None, None, ""
    return published, "reported", ""


_ACTOR_HEADS = (
    r"coalition|forces|troops|militias?|militiamen|fighters|aircraft|warplanes|jets|drones|"
    r"army|military|militants|paramilitar(?:y|ies)|rebels|police|guards?|soldiers|units|"
    r"insurgents|gunmen|navy|commandos|government|officials"
)
_ACTOR = re.compile(
    r"(?<![\w-])((?:(?:[A-Z][\w'’.-]*|pro-[\w-]+|[\w]+-(?:led|backed|aligned)|Shiite|Sunni|"
    r"regime|government|opposition|rebel|allied|border|naval|militia)\s+){1,4}"
    r"(?:" + _ACTOR_HEADS + r"))\b"
)
_REPORTING = re.compile(
    r"(?:officials?|spokesm[ae]n|spokeswoman|ministry|diplomats?|sources?|analysts?)\s+(?:in|from)"
    r"\s+$|(?:said|told|announced)\s+(?:in|from)\s+$",
    re.IGNORECASE,
)
_LOCATIVE_BEFORE = re.compile(
    r"\b(?:in|into|inside|across|near|to|toward|towards|from|of|throughout)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_REPORTING_AFTER = re.compile(r"^\s*(?:said|told|officials|announced|reported)\b", re.IGNORECASE)


def _actors(sentence: str) -> tuple[str, ...]:
    found = []
    for m in _ACTOR.finditer(sentence):
        phrase = " ".join(m.group(1).split())
        first = phrase.split()[0]
        if (
            first in ("The", "A", "An", "On", "In", "At", "After", "Before", "While")
            and len(phrase.split()) > 2
        ):
            phrase = phrase.split(" ", 1)[1]
        if phrase.lower().endswith("officials") and "said" in sentence[m.end() : m.end() + 12]:
            continue  # "US officials said": a source, not an actor
        found.append(phrase)
    return tuple(dict.fromkeys(found))


def _where(sentence_mentions: Sequence[Mention], text: str, trigger_at: int) -> Mention | None:
    """The mention that says where the event happened: not a reporting place, the finest
    location (a relative point before its anchor, a town before its country), nearest to the
    words of the action."""
    candidates = []
    for m in sentence_mentions:
        before = text[max(0, m.start - 30) : m.start]
        after = text[m.end : m.end + 20]
        if m.relation is None and (_REPORTING.search(before) or _REPORTING_AFTER.match(after)):
            continue
        if m.precision == "country" and not _LOCATIVE_BEFORE.search(before):
            continue  # "US special forces", "Syrian-backed": who, not where
        rank = {"near": 0, "exact": 1, "region": 2, "country": 3}.get(m.precision, 2)
        candidates.append((rank, abs(m.start - trigger_at), m))
    if not candidates:
        return None
    return min(candidates, key=lambda c: (c[0], c[1]))[2]


def extract_events(document: Document, mentions: Sequence[Mention]) -> list[Event]:
    """The events of one document, in text order: at most one per sentence (its most
    specific action, in ``EVENT_KINDS`` order), located at the sentence's best place."""
    text = document.text
    events = []
    for start, end in sentence_spans(text):
        inside = [m for m in mentions if start <= m.start < end]
        if not inside:
            continue
        sentence = text[start:end]
        hits = [
            (m.start(), kind, m.group(0))
            for kind, pattern in _KIND_PATTERNS.items()
            if (m := pattern.search(sentence))
        ]
        if not hits:
            continue
        # The most specific kind wins ("a convoy was struck" is an airstrike, not a convoy).
        offset, kind, trigger = hits[0]
        where = _where(inside, text, start + offset)
        if where is None:
            continue
        when, precision, date_text = resolve_date(sentence, document.published)
        folded = " ".join(sentence.split())
        digest = hashlib.sha1(f"{document.id}:{start}:{kind}".encode()).hexdigest()[:12]
        confidence = round(where.confidence * (0.9 if precision in ("day", "week") else 0.75), 3)
        events.append(
            Event(
                id=f"event-{digest}",
                kind=kind,
                date=when,
                date_precision=precision,
                date_text=date_text,
                place=where.place,
                actors=_actors(folded),
                sentence=folded,
                document_id=document.id,
                confidence=confidence,
                trigger=trigger,
                sources=(document.id,),
            )
        )
    return events


#: Reports of one event agree on the kind and fall within this many km and days.
SAME_EVENT_KM = 25.0
SAME_EVENT_DAYS = 2


def same_event(a: Event, b: Event) -> bool:
    if a.kind != b.kind:
        return False
    if a.date and b.date:
        slack = SAME_EVENT_DAYS + (a.uncertainty_days or 0) + (b.uncertainty_days or 0)
        if abs((a.date - b.date).days) > slack:
            return False
    elif a.date or b.date:
        return False
    return haversine_km(a.place.lat, a.place.lon, b.place.lat, b.place.lon) <= SAME_EVENT_KM


def merge_events(events: Iterable[Event]) -> list[Event]:
    """One event per happening: reports of the same kind, close in time and space, become
    one event that keeps every source and the most precise date any of them gives."""
    merged: list[Event] = []
    for event in events:
        for i, seen in enumerate(merged):
            if same_event(seen, event):
                merged[i] = _combine(seen, event)
                break
        else:
            merged.append(event)
    return merged


#: Date precisions, most precise first.
DATE_PRECISIONS = ("day", "week", "month", "approximate", "reported", None)


def precision_rank(event: Event) -> int:
    """Lower is more precise: the report with the best date names a merged event's date."""
    return DATE_PRECISIONS.index(event.date_precision)


def _combine(a: Event, b: Event) -> Event:
    best = a if precision_rank(a) <= precision_rank(b) else b
    return replace(
        best,
        sources=tuple(dict.fromkeys(a.sources + b.sources)),
        actors=tuple(dict.fromkeys(a.actors + b.actors)),
        confidence=max(a.confidence, b.confidence),
    )
