"""Dated events in ACLED's terms: what happened, where, when, between whom, and how sure.

"Coalition aircraft struck a column of pro-regime forces on May 18 after it pushed inside the
de-confliction zone northeast of al-Tanf" is an air/drone strike (ACLED: Explosions/Remote
violence), on 18 May of the article's year, by "Coalition aircraft" against "pro-regime forces",
at the derived point northeast of al Tanf. Rules, not a model: every event can be traced to the
words that made it, and each keeps its uncertainty (a date known to the month is a month,
"recently" is a fortnight) instead of pretending to precision.

Three rules do most of the work of a careful coder:

- **Only what happened is an event.** Plans and plots, threats, warnings, conditionals,
  questions, denials, condemnations, career background and history older than the story are
  recognised (``modality``) and left out unless asked for (``include_unreal``).
- **Where it happened, not where it was reported.** A dateline ("BEIRUT (AP) —"), a capital
  that speaks ("Tbilisi says ...") and the anchor of a relative location ("160 km south of
  Colombo") are never the event's place; "eastern Chad" is the eastern part of Chad, with
  ACLED's geo-precision 2.
- **Sentences lean on their neighbours.** "The battle took place at al Tanf" takes its date
  from the sentence before ("In April, ... an hours-long battle"), and a sentence that only
  says "there" takes the place named just before.

Each project kind (``airstrike``, ``ied``, ``arrest``...) maps to one ACLED event type and
sub-event type (:data:`TAXONOMY`); a few depend on the words around them (an attack on
civilians is Violence against civilians, on soldiers a Battle; a protest the police broke up is
a Protest with intervention).
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from .coords import haversine_km
from .model import Document, Mention, Place
from .text import sentence_spans

__all__ = [
    "EVENT_KINDS",
    "TAXONOMY",
    "Event",
    "acled_record",
    "extract_events",
    "merge_events",
    "precision_rank",
    "resolve_date",
    "same_event",
]

BATTLES = "Battles"
EXPLOSIONS = "Explosions/Remote violence"
VIOLENCE = "Violence against civilians"
PROTESTS = "Protests"
RIOTS = "Riots"
STRATEGIC = "Strategic developments"

#: Each project kind: its ACLED event type and sub-event type (the default reading; a few
#: kinds are re-read from the words around them, see ``_acled_type``).
TAXONOMY: dict[str, tuple[str, str]] = {
    "suicide-bombing": (EXPLOSIONS, "Suicide bomb"),
    "ied": (EXPLOSIONS, "Remote explosive/landmine/IED"),
    "airstrike": (EXPLOSIONS, "Air/drone strike"),
    "shelling": (EXPLOSIONS, "Shelling/artillery/missile attack"),
    "grenade": (EXPLOSIONS, "Grenade"),
    "recapture": (BATTLES, "Government regains territory"),
    "capture": (BATTLES, "Non-state actor overtakes territory"),
    "clash": (BATTLES, "Armed clash"),
    "abduction": (VIOLENCE, "Abduction/forced disappearance"),
    "attack": (VIOLENCE, "Attack"),
    "riot": (RIOTS, "Violent demonstration"),
    "protest": (PROTESTS, "Peaceful protest"),
    "arrest": (STRATEGIC, "Arrests"),
    "seizure": (STRATEGIC, "Disrupted weapons use"),
    "looting": (STRATEGIC, "Looting/property destruction"),
    "base": (STRATEGIC, "Headquarters or base established"),
    "agreement": (STRATEGIC, "Agreement"),
    "withdrawal": (STRATEGIC, "Non-violent transfer of territory"),
    "deployment": (STRATEGIC, "Other"),
    "closure": (STRATEGIC, "Other"),
    "displacement": (STRATEGIC, "Other"),
}

_CLOSABLE = (
    r"(?:borders?|frontier|crossings?|border posts?|roads?|highways?|airspace|airports?|ports?|"
    r"pass|checkpoints?|embassy|consulate|bridges?)"
)
#: Weapons that, found or seized, make a disrupted-weapons event (ACLED's strategic
#: development), not a strike.
_WEAPON_NOUNS = (
    r"(?:weapons|arms|guns|rifles|ammunition|explosives|bombs?|mortars|rockets?|grenades|"
    r"rocket launchers|IEDs?|landmines|mines|detonators|armoured vehicles)"
)

#: The words that signal each kind, most specific kind first: one sentence gives one event,
#: of the first kind whose words it holds in a real (not planned, not denied) statement.
EVENT_KINDS: dict[str, tuple[str, ...]] = {
    "suicide-bombing": (
        r"suicide (?:bomb(?:er|ers|ing|ings)?|attacks?|car bombs?|vests?)",
        r"blew (?:himself|herself|themselves) up",
    ),
    "ied": (
        r"roadside bombs?",
        r"(?:car|truck|motorcycle) bombs?",
        r"detonat(?:ed|ing)",
        r"IEDs?",
        r"improvised explosive devices?",
        r"landmines?",
        r"(?:land )?mines? exploded",
        r"booby[- ]trap(?:ped|s)?",
        r"explosives?[- ]laden",
        r"bomb (?:exploded|went off|blast)",
        r"bombs? (?:hit|struck|ripped through|tore through|damaged|destroyed|killed)",
        r"remote-controlled bombs?",
        r"explosions?",
        r"exploded",
        r"blasts?",
        r"bombings?",
    ),
    "airstrike": (
        r"air ?strikes?",
        r"air raids?",
        r"drone strikes?",
        r"drone attacks?",
        r"(?:aircraft|jets|warplanes|drones?|helicopters?|gunships|planes) (?:struck|hit|bombed|"
        r"attacked|targeted|pounded|fired|destroyed)",
        r"struck",
        r"bombed",
        r"strikes? (?:on|against|hit|targeted)",
    ),
    "shelling": (
        r"shell(?:ed|ing|s)",
        r"artillery",
        r"mortars?",
        r"rockets? (?:hit|fell|fired|struck|landed|attacks?)",
        r"missiles? (?:hit|fell|struck|landed|strikes?|attacks?)",
        r"(?:rockets?|missiles?|shells?|projectiles?|mortar rounds?) (?:slammed|crashed|rained)",
        r"barrel bombs?",
        r"fired (?:[\w,]+ ){0,4}?(?:ballistic |cruise |artillery |mortar )?"
        r"(?:rockets?|missiles?|mortars?|shells|rounds)",
    ),
    "grenade": (r"grenades?",),
    "recapture": (r"recaptur(?:ed|e)", r"retook", r"retaken", r"regain(?:ed)? control"),
    "capture": (
        r"captur(?:ed|e)",
        r"seiz(?:ed|e)",
        r"overr?an",
        r"(?:took|taken|seized|gained) control",
        r"fell to",
    ),
    "abduction": (r"kidnapp(?:ed|ing)", r"abduct(?:ed|ion|ions)", r"taken hostage"),
    "riot": (
        r"riot(?:s|ed|ing|ers)?(?! police)",
        r"mobs?",
        r"lynch(?:ed|ing)",
        r"rampag(?:ed|ing)",
        r"burn(?:ed|t|ing) tyres",
        r"(?:threw|hurled|throwing|hurling) (?:\w+ )?(?:stones|rocks|petrol bombs|molotov "
        r"cocktails|bottles|firebombs)",
        r"pelted (?:\w+ ){1,3}with (?:stones|rocks|bottles)",
        r"stone[- ]pelting",
        r"(?:ethnic|sectarian|communal|inter-communal|intercommunal|tribal|religious) "
        r"(?:violence|clashes|fighting|riots?|unrest)",
        r"(?:petrol bombs|stones|rocks|bricks|masonry|bottles|molotov cocktails|fireworks)"
        r"(?: and \w+)? (?:were|was) (?:thrown|hurled)",
        r"vandali[sz]ed",
        r"toppled",
    ),
    "protest": (
        r"protest(?:ed|s|ers|ing)?",
        r"demonstrat(?:ed|ion|ions|ors)",
        r"rall(?:y|ied|ies)",
        r"marched",
        r"sit-ins?",
        r"chant(?:ed|ing)",
        r"took to the streets",
        r"(?-i:march(?:es)?)",
        r"to (?:demand|protest against|denounce)",
        r"occupied (?:part of )?(?:a |the )?(?:\w+ ){0,2}(?:plantation|farm|land|square|"
        r"building|offices?|campus|ministry|headquarters|parliament)",
        r"(?:gathered|assembled) (?:\w+ ){0,3}to (?:demand|protest|denounce|call for)",
    ),
    "seizure": (
        r"(?:found|seized|recovered|confiscated|discovered|uncovered|defused|dismantled) "
        r"(?:[\w,’']+ ){0,6}?" + _WEAPON_NOUNS,
        r"(?:weapons|arms) (?:cache|depot)s?",
        r"(?:made safe|defused|disarmed) (?:a |an |the )?(?:\w+ ){0,2}(?:device|bomb|explosives?|"
        r"IEDs?)",
        r"controlled explosion",
    ),
    "arrest": (
        r"arrest(?:ed|s)?",
        r"detain(?:ed|s)?",
        r"detention of",
        r"rounded up",
        r"taken into custody",
    ),
    "clash": (
        r"clash(?:ed|es)?",
        r"fighting",
        r"firefights?",
        r"gunfights?",
        r"gun ?battles?",
        r"exchang(?:ed|ing|e of) fire",
        r"battles?",
        r"fought",
        r"fired on",
        r"opened fire",
        r"skirmish(?:es|ed)?",
        r"came under (?:heavy )?(?:fire|attack|gunfire|mortar fire)",
        r"engaged in (?:heavy |fierce )?(?:fighting|combat|battle)",
        # not "repelled the assault": one already told
        r"(?:repelled|repulsed|fended off|beat back) (?:an |a )(?:\w+ )?"
        r"(?:attack|assault|offensive|incursion)",
    ),
    "attack": (
        r"attack(?:ed|s)?",
        r"ambush(?:ed)?",
        r"raid(?:ed|s)?",
        r"massacre(?:d)?",
        r"shot dead",
        r"gunmen killed",
        r"assault(?:ed|s)?",
        r"storm(?:ed|ing)",
        r"behead(?:ed|ing)",
        r"murder(?:ed|ing)",
        r"assassinat(?:ed|ion of)",
        r"stabb(?:ed|ing)",
        r"hacked (?:\w+ ){0,3}to death",
        r"gunned down",
        r"shot and killed",
        r"(?:summarily )?execut(?:ed|ing) (?:\w+ ){0,2}(?:civilians|villagers|prisoners|men|"
        r"captives|residents|people)",
        r"(?:killed|massacred|slaughtered) (?:at least |more than |about |some |nearly |up to )?"
        r"(?:\d[\d,]*|[a-z]+(?:-[a-z]+)?) (?:\w+ )?(?:civilians|villagers|people|residents|"
        r"worshippers|farmers|herders|passengers|students|pupils|children|shoppers|pilgrims|"
        r"miners|workers)",
    ),
    "looting": (
        r"loot(?:ed|ing)",
        r"ransack(?:ed)",
        r"torched",
        r"set (?:fire|ablaze|alight)",
        r"set on fire",
        r"burned down",
    ),
    "base": (r"(?:set up|established|built) (?:a |an )?(?:new )?(?:base|outpost|headquarters)",),
    "agreement": (
        r"(?:ceasefire|truce|agreement|accord|deal) (?:was |were )?(?:signed|reached|agreed)",
        r"signed (?:a |an )?(?:ceasefire|truce|agreement|accord|deal|peace)",
        r"agreed (?:to|on) (?:a )?(?:ceasefire|truce|exchange|withdrawal)",
        r"(?:signed|reached|struck) (?:a |an )?(?:\w+ ){0,3}(?:ceasefire|truce|agreement|accord|"
        r"deal|pact)",
        r"prisoner (?:swap|exchange)",
        r"exchang(?:ed|e of) (?:\d+ )?(?:prisoners|detainees|captives|bodies)",
    ),
    "withdrawal": (
        r"withdr(?:ew|awn) from",
        r"pulled out of",
        r"handed (?:over|control of)",
    ),
    "deployment": (
        r"deployed",
        r"reinforc(?:ed|ements)",
        r"advanc(?:ed|ing)",
        r"pushed (?:inside|into)",
        r"moved (?:into|toward)",
        r"massed",
    ),
    # Closures ACLED would code: a border, a crossing, a road, airspace; not "markets closed
    # lower" or "schools stayed closed".
    "closure": (
        r"(?:closed|shut(?: down)?|sealed) (?:[\w’']+ ){0,4}?" + _CLOSABLE,
        _CLOSABLE + r" (?:was|were|has been|have been|had been|remained|remains|stayed) "
        r"(?:closed|shut|sealed)",
        r"closure of (?:[\w’']+ ){0,3}?" + _CLOSABLE,
    ),
    # "were displaced", not "displaced Syrians live in the camp" (a state, not an event).
    "displacement": (r"fled", r"(?:were|was|been) displaced", r"evacuated"),
}
_KIND_PATTERNS = {
    kind: re.compile(r"\b(?:" + "|".join(words) + r")\b", re.IGNORECASE)
    for kind, words in EVENT_KINDS.items()
}
# One alternation for the whole vocabulary: sentences without any trigger (most of them) are
# skipped with one C-level search.
_ANY_TRIGGER = re.compile(
    r"\b(?:" + "|".join(w for words in EVENT_KINDS.values() for w in words) + r")\b",
    re.IGNORECASE,
)

# -- modality: what did not (yet) happen -----------------------------------------------------

#: Words before a trigger, in its clause, that make it something other than a real event.
_UNREAL_BEFORE = [
    (
        "planned",
        r"\b(?:plann?(?:ed|ing|s)?|plott?(?:ed|ing|s)?|conspir(?:ed|ing|acy)|intend(?:ed|s)?|"
        r"prepar(?:ed|ing|es?)|aim(?:ed|s|ing)?|seek(?:s|ing)?|sought|want(?:s|ed)?|"
        r"vow(?:ed|s)?|pledg(?:ed|es)|tr(?:y|ied|ying) to|accused of|suspected of|charged with|"
        r"call(?:ed|s|ing)? for|urg(?:ed|es|ing)|appeal(?:ed|s|ing)? for|scheduled|"
        r"accus(?:ed|es|ing) (?:[\w-]+ ){1,4}?of)\b",
    ),
    ("threatened", r"\bthreat(?:en(?:ed|s|ing)?|s)?\b"),
    ("warned", r"\bwarn(?:ed|s|ing)?\b|\bfears?\b|\bfeared\b|\brisk of\b|\bdanger of\b"),
    (
        "hypothetical",
        r"\b(?:could|would|might|may|will|shall|if|unless|potential|possible|"
        r"possibly|likely|looks? (?:to be|set)|expected to|set to|poised to|about to|in case of|"
        r"(?:is|was|are|were) due|next (?:week|month|year)|later this (?:week|month)|tomorrow)\b",
    ),
    (
        "denied",
        r"\b(?:den(?:y|ied|ies|ying)|rejected (?:claims|reports)|no evidence of|"
        r"did not|didn't|never)\b",
    ),
    ("condemned", r"\bcondemn(?:ed|s|ing)?\b|\bdenounc(?:ed|es)\b|\bdeplor(?:ed|es)\b"),
    (
        "background",
        r"\b(?:served|deployed) (?:\w+ ){0,3}(?:times|tours?)\b|\bveteran of\b|"
        r"\bhad (?:been )?deployed\b|\bformer\b",
    ),
]
_UNREAL_PATTERNS = [(name, re.compile(p, re.IGNORECASE)) for name, p in _UNREAL_BEFORE]
_CLAUSE_BREAK = re.compile(r"[;:,]\s+(?:and |but |while |as |after |before )?|\s+(?:and|but)\s+")


def _modality(sentence: str, trigger_at: int) -> str:
    """``asserted`` for a real event, else why not: planned, threatened, warned,
    hypothetical, denied, condemned, background, question, referred (an event already
    told: "claimed the bombing")."""
    if sentence.rstrip().endswith("?"):
        return "question"
    if _CONDITIONAL.match(sentence):
        return "hypothetical"
    clause_start = 0
    for m in _CLAUSE_BREAK.finditer(sentence, 0, trigger_at):
        clause_start = m.end()
    before = sentence[clause_start:trigger_at]
    if _NEGATED.search(before):
        return "denied"  # "reported no arrests", "without clashes"
    for name, pattern in _UNREAL_PATTERNS:
        if pattern.search(before):
            return name
    if _MODAL_AFTER.match(sentence, trigger_at):
        return "hypothetical"  # "fighting could break out"
    if _CAREER_AFTER.search(sentence, clause_start, trigger_at + 60):
        return "background"  # "had deployed numerous times to Afghanistan"
    if _REFERRED.search(sentence, max(0, trigger_at - 60), trigger_at):
        return "referred"  # "blamed Belgrade for organising the attack": one already told
    return "asserted"


_NEGATED = re.compile(r"\b(?:no|without|nor)\s+(?:[\w-]+\s+)?$", re.IGNORECASE)
#: Career background read after a trigger too ("deployed numerous times to Afghanistan"); not
#: "former", which after a trigger describes its target ("arrested a former sergeant").
_CAREER_AFTER = re.compile(
    r"\b(?:served|deployed) (?:\w+ ){0,3}(?:times|tours?)\b|\bveteran of\b|"
    r"\bhad (?:been )?deployed\b",
    re.IGNORECASE,
)
_CONDITIONAL = re.compile(r"\W*(?:if|unless|should|in case)\b", re.IGNORECASE)
_MODAL_AFTER = re.compile(
    r"\w+(?:\s+\w+){0,2}?\s+(?:could|would|might|may|will|is likely to|is expected to)\b",
    re.IGNORECASE,
)


# -- dates -----------------------------------------------------------------------------------

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
_WEEKDAY = "|".join(_WEEKDAYS)
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE_PATTERNS = [
    ("iso", re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")),
    ("dmy", re.compile(r"\b(?P<day>\d{1,2})\s+" + _MONTH + r"(?:\s+(?P<year>\d{4}))?\b", re.I)),
    ("mdy", re.compile(r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:,?\s+(?P<year>\d{4}))?\b", re.I)),
    ("month-year", re.compile(r"\b" + _MONTH + r",?\s+(?P<year>(?:19|20)\d{2})\b", re.I)),
    (
        "weekday",
        re.compile(
            r"\b(?:on|last|early|late|into|until|through|since|by|of)\s+(?P<weekday>"
            + "|".join(_WEEKDAYS)
            + r")\b",
            re.I,
        ),
    ),
    ("yesterday", re.compile(r"\byesterday\b", re.I)),
    ("today", re.compile(r"\b(?:today|this morning|tonight|overnight)\b", re.I)),
    ("last-weekend", re.compile(r"\b(?:last|over the|this past) weekend\b", re.I)),
    ("last-week", re.compile(r"\blast week\b", re.I)),
    ("last-month", re.compile(r"\blast month\b", re.I)),
    ("month", re.compile(r"\b(?:in|since|during|early|late|mid-?)\s*" + _MONTH + r"\b", re.I)),
    ("recently", re.compile(r"\b(?:recently|in recent (?:days|weeks))\b", re.I)),
]
_YEAR = re.compile(r"\b(?:in |of |since )?(?P<year>(?:19|20)\d{2})\b")
#: How uncertain each kind of date is, in days either side (documented in the event record).
#: ``weekday``: "on Tuesday" in an article published on a Tuesday is most likely that day,
#: but may be the Tuesday before.
DATE_UNCERTAINTY_DAYS = {
    "day": 0,
    "weekday": 7,
    "week": 3,
    "month": 15,
    "approximate": 14,
    "reported": 7,
}
#: ACLED's time precision for each of ours: 1 the day, 2 the week, 3 the month.
TIME_PRECISION = {"day": 1, "weekday": 2, "week": 2, "approximate": 2, "reported": 2, "month": 3}


def _safe(build, *args) -> date | None:
    """A date from arithmetic that may leave the calendar (year 1 minus a week): None then."""
    try:
        return build(*args)
    except (OverflowError, ValueError):
        return None


def _previous(published: date, month: int, day: int, year: int | None) -> date | None:
    """The date with this month and day in the year that puts it on or before publication."""
    if year:
        return _safe(date, year, month, day)
    found = _safe(date, published.year, month, day)
    if found is None or found <= published:
        return found
    return _safe(date, published.year - 1, month, day)


def resolve_date(text: str, published: date | None) -> tuple[date | None, str | None, str]:
    """(date, precision, the words) for the first date phrase in ``text``.

    Relative phrases need the article's date; without one, only absolute dates resolve.
    No phrase at all gives the article's date with precision ``reported``. No arithmetic here
    can raise, whatever the article's date (year 1 or 9999).
    """
    for kind, pattern in _DATE_PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        found = _resolve(kind, m, published)
        if found is _SKIP:
            continue
        return found
    if published is None:
        return None, None, ""
    return published, "reported", ""


_SKIP = object()


def _resolve(kind: str, m: re.Match, published: date | None):
    words = m.group(0)
    if kind == "iso":
        when = _safe(date, int(m["y"]), int(m["m"]), int(m["d"]))
        return (when, "day", words) if when else _SKIP
    if kind in ("dmy", "mdy"):
        month, day = _MONTHS[m["month"].lower()], int(m["day"])
        year = int(m["year"]) if m["year"] else None
        if year is None and published is None:
            return _SKIP
        when = _previous(published or date.min, month, day, year)
        return (when, "day", words) if when else _SKIP
    if kind == "month-year":
        when = _safe(date, int(m["year"]), _MONTHS[m["month"].lower()], 15)
        return (when, "month", words) if when else _SKIP
    if published is None:
        return None, None, words
    p = published
    if kind == "weekday":
        target = _WEEKDAYS.index(m["weekday"].lower())
        delta = (p.weekday() - target) % 7
        if delta == 0 and not words.lower().startswith("last"):
            return p, "weekday", words  # the day of publication, or a week before
        return _safe(lambda: p - timedelta(days=delta or 7)), "day", words
    if kind == "yesterday":
        return _safe(lambda: p - timedelta(days=1)), "day", words
    if kind == "today":
        return p, "day", words
    if kind == "last-weekend":
        # The Saturday of the weekend before publication (Sunday's event is a day out).
        back = (p.weekday() - 5) % 7 or 7
        return _safe(lambda: p - timedelta(days=back)), "week", words
    if kind == "last-week":
        return _safe(lambda: p - timedelta(days=7)), "week", words
    if kind == "last-month":
        last = _safe(lambda: p.replace(day=1) - timedelta(days=1))
        return (last.replace(day=15) if last else None), "month", words
    if kind == "month":
        month = _MONTHS[m["month"].lower()]
        year = p.year if month <= p.month else p.year - 1
        return _safe(date, year, month, 15), "month", words
    if kind == "recently":
        return _safe(lambda: p - timedelta(days=7)), "approximate", words
    return _SKIP


def _reference_date(document: Document) -> date | None:
    """The article's date, or, when it has none, the first full date its text gives: "On 3
    May 2024 ..." dates the story well enough to read "on Saturday" against."""
    if document.published is not None:
        return document.published
    for kind in ("iso", "dmy", "mdy"):
        for m in dict(_DATE_PATTERNS)[kind].finditer(document.text):
            if kind == "iso" or m["year"]:
                found = _resolve(kind, m, None)
                if found is not _SKIP and found[0] is not None:
                    return found[0]
    return None


# -- the record ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """Something that happened, where and when, with the words that say so.

    ``kind`` is the project's fine kind; ``event_type`` and ``sub_event_type`` are ACLED's.
    ``date_precision`` is ``day``, ``weekday`` (the publication day or a week before),
    ``week``, ``month``, ``approximate`` ("recently") or ``reported`` (no date in the text: on
    or before the article's date); ``date`` is None when nothing dates the story.
    ``actor1`` acts (attacker, protesters), ``actor2`` is acted on (target, police); ``actors``
    lists every actor phrase of the sentence. ``geo_precision`` is ACLED's: 1 the place itself,
    2 near it or part of a region, 3 a whole region or country. ``modality`` is ``asserted``
    for what happened; anything else (planned, threatened, warned, hypothetical, denied,
    condemned, background, historical, question) is kept only on request.
    ``sources`` lists the documents that report it.
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
    event_type: str = ""
    sub_event_type: str = ""
    actor1: str = ""
    actor2: str = ""
    fatalities: int | None = None
    geo_precision: int = 1
    modality: str = "asserted"

    @property
    def uncertainty_days(self) -> int | None:
        return DATE_UNCERTAINTY_DAYS.get(self.date_precision or "")

    @property
    def time_precision(self) -> int | None:
        """ACLED's time precision: 1 the day, 2 about a week, 3 the month."""
        return TIME_PRECISION.get(self.date_precision or "")

    def record(self) -> dict:
        return {
            "id": self.id,
            "date": self.date.isoformat() if self.date else None,
            "date_precision": self.date_precision,
            "date_text": self.date_text,
            "date_uncertainty_days": self.uncertainty_days,
            "time_precision": self.time_precision,
            "kind": self.kind,
            "event_type": self.event_type,
            "sub_event_type": self.sub_event_type,
            "place": self.place.name,
            "place_id": self.place.id,
            "country_code": self.place.country_code,
            "lat": self.place.lat,
            "lon": self.place.lon,
            "geo_precision": self.geo_precision,
            "actor1": self.actor1,
            "actor2": self.actor2,
            "actors": list(self.actors),
            "fatalities": self.fatalities,
            "sentence": self.sentence,
            "trigger": self.trigger,
            "modality": self.modality,
            "confidence": self.confidence,
            "sources": list(self.sources or (self.document_id,)),
        }


# -- who ---------------------------------------------------------------------------------------

_ACTOR_HEADS = (
    r"coalition|forces|troops|militias?|militiamen|fighters|aircraft|warplanes|jets|drones|"
    r"army|military|militants|paramilitar(?:y|ies)|rebels|police|policemen|guards?|soldiers|"
    r"units|insurgents|gunmen|navy|commandos|government|officials|protesters|demonstrators|"
    r"students|workers|civilians|villagers|residents|worshippers|farmers|herders|teenagers|"
    r"supporters|mob|crowds?|gangs?|separatists|jihadists|bandits|attackers|authorities"
)
_ACTOR = re.compile(
    r"(?<![\w-])((?:(?:[A-Z][\w'’.-]*|pro-[\w-]+|[\w]+-(?:led|backed|aligned|linked)|Shiite|"
    r"Sunni|regime|government|opposition|rebel|allied|border|naval|militia|armed|riot|"
    r"security|local|unidentified|suspected|\d+|two|three|four|five|six|seven|eight|nine|"
    r"ten|dozens of|hundreds of|thousands of)\s+){0,4}"
    r"(?i:" + _ACTOR_HEADS + r"))\b"
)
_ARTICLES = ("The", "A", "An", "On", "In", "At", "After", "Before", "While", "When")


def _actor_phrases(sentence: str) -> list[tuple[int, str]]:
    found = []
    for m in _ACTOR.finditer(sentence):
        phrase = " ".join(m.group(1).split())
        words = phrase.split()
        if words[0] in _ARTICLES and len(words) > 1:
            phrase = " ".join(words[1:])
        if phrase.lower().endswith("officials") and re.match(
            r"\s*(?:said|say|says|told)", sentence[m.end() : m.end() + 12]
        ):
            continue  # "US officials said": a source, not an actor
        found.append((m.start(1), phrase))
    return found


def _actor_pair(sentence: str, trigger_at: int, trigger_end: int, kind: str) -> tuple[str, str]:
    """(actor 1, actor 2): who acts before the trigger, who is acted on after it; "by X"
    after a passive trigger is the actor ("were attacked by gunmen")."""
    phrases = _actor_phrases(sentence)
    before = [p for at, p in phrases if at < trigger_at]
    after = [(at, p) for at, p in phrases if at >= trigger_end]
    agent = next((p for at, p in after if re.search(r"\bby\s+(?:\w+\s+){0,2}$", sentence[:at])), "")
    first = before[-1] if before else ""
    rest = [p for _, p in after if p != agent]
    if agent:
        return agent, first or (rest[0] if rest else "")
    if kind in ("protest", "riot"):
        police = next((p for _, p in phrases if re.search(r"police|security|troops", p, re.I)), "")
        crowd = first if first and first != police else (rest[0] if rest else "")
        return crowd, police if police != crowd else ""
    return first, rest[0] if rest else ""


_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
_COUNT = r"(?P<n>\d{1,5}|" + "|".join(_NUMBER_WORDS) + r")"
_FATALITIES = [
    re.compile(
        r"\b(?:killing|killed|kills|left|leaving)\s+(?:at least\s+|some\s+|about\s+)?"
        + _COUNT
        + r"\b(?!\s*(?:km|kilomet|miles|percent|%|years?))",
        re.I,
    ),
    re.compile(
        r"\b(?:at least\s+)?" + _COUNT + r"\s+(?:of\s+(?:the|their|its|his|her)\s+)?"
        r"(?:\w+\s+){0,2}(?:were|was|have been|are)?"
        r"\s*(?:killed|dead|died|shot dead|lost their lives)\b",
        re.I,
    ),
    re.compile(r"\bdeath toll (?:rose |climbed )?(?:to |at |of )" + _COUNT + r"\b", re.I),
]


def _fatalities(sentence: str) -> int | None:
    """The number of dead the sentence states, or None when it states none."""
    for pattern in _FATALITIES:
        m = pattern.search(sentence)
        if m:
            n = m["n"].lower()
            return _NUMBER_WORDS[n] if n in _NUMBER_WORDS else int(n)
    return None


_CIVILIANS = re.compile(
    r"\b(?:civilians?|villagers|residents|worshippers|passengers|students|pupils|children|"
    r"women|shoppers|market|mosque|church|school|hospital|farmers|herders|families|"
    r"journalists|aid workers|refugees|displaced)\b",
    re.I,
)
_INTERVENTION = re.compile(
    r"\b(?:tear ?gas|dispers(?:ed|e)|water cannons?|rubber bullets|baton|arrested|detained|"
    r"broke up|cracked down)\b",
    re.I,
)
_PROTEST_WORDS = re.compile(
    r"\b(?:protest\w*|demonstrat\w*|march(?:ed|es)?|rall(?:y|ied)|chant(?:ed|ing))\b", re.I
)
_EXCESSIVE = re.compile(r"\b(?:fired on|opened fire on|shot|killed|killing)\b", re.I)


#: Fire with no target: ACLED codes launches into the sea and weapons tests as strategic
#: developments, not as remote violence.
_NO_TARGET = re.compile(
    r"\b(?:into the (?:sea|water|ocean)|in(?:to)? (?:the )?(?:\w+ )?(?:waters|sea)\b|"
    r"exclusive economic zone|test[- ]fir\w*|(?:missile|weapons?) tests?|splashed down)",
    re.IGNORECASE,
)
#: Who fights in a riot rather than a battle: crowds, mobs, hundreds of people, with sticks
#: and stones ("hundreds of people clashed with sticks and stones").
_CROWD_FIGHT = re.compile(
    r"\b(?:crowds?|mobs?|rioters|(?:hundreds|thousands|dozens) of (?:people|residents|"
    r"villagers|youths|protesters|supporters)|sticks|stones|machetes|clubs)\b",
    re.IGNORECASE,
)
#: Crowds whose looting is rioting rather than an armed group's plunder.
_CROWD = re.compile(
    r"\b(?:youths?|rioters|mobs?|crowds?|protesters|demonstrators|looters|gangs of youths)\b",
    re.IGNORECASE,
)


_TURNED_VIOLENT = re.compile(
    r"\b(?:(?:ended|erupted|degenerated|descended|turned) in(?:to)? (?:clashes|violence|riots?|"
    r"street battles)|turned violent|clash(?:ed|es) with (?:riot )?police|"
    r"(?:smashed|broke) (?:\w+ ){0,2}windows|threw (?:stones|rocks|bottles|petrol bombs))\b",
    re.IGNORECASE,
)


def _acled_type(
    kind: str, sentence: str, trigger_end: int, trigger: str = ""
) -> tuple[str, str, str]:
    """(kind, ACLED event type, sub-event type), reading the words around the trigger where
    the kind alone does not decide (whom an attack hit, what the police did to a protest)."""
    if kind == "attack":
        target = sentence[trigger_end : trigger_end + 80]
        if not _CIVILIANS.search(target) and re.search(
            r"\b(?:troops|soldiers|army|police|base|checkpoint|outpost|garrison|convoy|"
            r"patrol|military|forces|fighters|militants|positions?)\b",
            target,
            re.I,
        ):
            return "attack", BATTLES, "Armed clash"
    if kind == "clash" and _PROTEST_WORDS.search(sentence):
        return "riot", RIOTS, "Violent demonstration"  # a march that "ended in clashes"
    if (
        kind == "clash"
        and trigger[:5].lower() in ("clash", "fight")
        and _CROWD_FIGHT.search(sentence)
    ):
        return "riot", RIOTS, "Mob violence"  # communal clashes: crowds, not armed groups
    if kind == "clash" and _CIVILIANS.search(sentence[trigger_end : trigger_end + 60]):
        return "attack", VIOLENCE, "Attack"
    if kind == "protest" and _TURNED_VIOLENT.search(sentence):
        return "riot", RIOTS, "Violent demonstration"  # a march that "ended in clashes"
    if kind == "protest":
        if _EXCESSIVE.search(sentence) and re.search(
            r"police|security|troops|soldiers", sentence, re.I
        ):
            return kind, PROTESTS, "Excessive force against protesters"
        if _INTERVENTION.search(sentence):
            return kind, PROTESTS, "Protest with intervention"
    if kind in ("shelling", "airstrike") and _NO_TARGET.search(sentence):
        return kind, STRATEGIC, "Other"  # fired into the sea, a weapons test: no one was hit
    if kind == "looting" and _CROWD.search(sentence[:trigger_end]):
        return "riot", RIOTS, "Violent demonstration"  # youths looting in unrest
    if kind == "riot" and re.search(r"\bmob|lynch", sentence, re.I):
        return kind, RIOTS, "Mob violence"
    event_type, sub = TAXONOMY[kind]
    return kind, event_type, sub


# -- where -------------------------------------------------------------------------------------

_REPORTING = re.compile(
    r"(?:officials?|spokesm[ae]n|spokeswoman|ministry|diplomats?|sources?|analysts?|"
    r"correspondents?|reporters?|officers?)\s+(?:in|from)\s+$|(?:said|told|announced|reported)"
    r"\s+(?:in|from)\s+$",
    re.IGNORECASE,
)
_SPEECH_VERBS = (
    r"(?:said|says|say|told|officials|announced|reported|warned|claimed|accused(?!\s+of\b)|"
    r"insisted|denied|condemned|stated|confirmed|blamed|urged)"
)
_REPORTING_AFTER = re.compile(
    r"^[’']?s?\s*(?:\(\w+\)\s*)?" + _SPEECH_VERBS + r"\b"
    # "Seoul's military said", "Moscow's defence ministry denied": the speaker's city.
    r"|^[’']s\s+(?:[\w-]+\s+){1,3}?" + _SPEECH_VERBS + r"\b",
    re.IGNORECASE,
)
#: Who speaks from where it happened: "residents of Khasham said" places the event there.
_WITNESSES_BEFORE = re.compile(
    r"\b(?:residents|villagers|witnesses|locals|inhabitants|survivors|people|families|farmers|"
    r"traders|shopkeepers)\s+(?:of|in|from)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_LOCATIVE_BEFORE = re.compile(
    r"\b(?:in|into|inside|across|near|to|toward|towards|from|of|throughout|over|at|on|off|"
    r"outside|around|along|within)\s+(?:the\s+)?"
    # "near South Korea's Yeonpyeong island": the country owns the place, not the action
    r"(?:[A-Z][\w-]*(?:\s[A-Z][\w-]*)?[’']s\s+)?"
    r"(?:(?:north|south|east|west)(?:ern|(?:-?(?:east|west))(?:ern)?)?\s+)?$",
    re.IGNORECASE,
)
#: "BEIRUT (AP) —", "N'DJAMENA, Chad (Reuters) -", "HELENA, Mont. --": where it was filed.
_DATELINE = re.compile(
    r"\A\s*(?:[A-Z][A-Z'’. -]{1,40}[A-Z.])(?:,\s*[A-Z][\w. ]{1,30})?\s*(?:\([^)]{1,30}\))?\s*"
    r"(?:—|–|--|-)\s"
)
_DIRECTION_BEFORE = re.compile(
    r"\b(?P<dir>north|south|east|west|northeast|northwest|southeast|southwest|north-east|"
    r"north-west|south-east|south-west|central)(?:ern)?\s+$",
    re.IGNORECASE,
)
_BEARINGS = {
    "north": (0.0, 1.0),
    "south": (0.0, -1.0),
    "east": (1.0, 0.0),
    "west": (-1.0, 0.0),
    "northeast": (1.0, 1.0),
    "northwest": (-1.0, 1.0),
    "southeast": (1.0, -1.0),
    "southwest": (-1.0, -1.0),
    "central": (0.0, 0.0),
}


def _dateline_end(text: str) -> int:
    m = _DATELINE.match(text)
    return m.end() if m else 0


def _part_of(place: Place, direction: str) -> Place | None:
    """The ``direction`` part of a country ("eastern Chad"): a point inside the third of the
    country's outline on that side, or None when there is no outline to cut."""
    from shapely.geometry import box

    from .borders import load_borders

    outline = load_borders().geometry_of(place.country_code)
    if outline is None:
        return None
    dx, dy = _BEARINGS[direction.lower().replace("-", "")]
    west, south, east, north = outline.bounds

    def third(low: float, high: float, side: float, other: float) -> tuple[float, float]:
        # The third on ``side`` (-1, +1), or the middle third for "central", or the whole
        # span when the direction says nothing about this axis ("northern": any longitude).
        step = (high - low) / 3
        if side:
            return (low, low + step) if side < 0 else (high - step, high)
        return (low + step, high - step) if not other else (low, high)

    x0, x1 = third(west, east, dx, dy)
    y0, y1 = third(south, north, dy, dx)
    part = outline.intersection(box(x0, y0, x1, y1))
    if part.is_empty:
        return None
    point = part.representative_point()
    return replace(
        place,
        id=f"part:{direction.lower()}:{place.id}",
        name=f"{direction.lower()} {place.name}",
        lat=round(point.y, 5),
        lon=round(point.x, 5),
        kind="region",
        source=f"{direction.lower()} third of {place.name}'s outline (Natural Earth)",
    )


#: A lower-case noun after a country's adjective (not its name) that makes it an actor, not a
#: place ("Syrian forces", "Israeli positions"); "the Syrian border", "Iraqi territory" stay
#: places, and so does "Chad on Monday".
_ACTOR_AFTER = re.compile(
    r"[’']?s?\s+(?!(?:border|borders|frontier|territory|soil|side|airspace|waters|coast|"
    r"town|towns|village|villages|city|cities|province|state|capital|countryside|desert|"
    r"mainland|shore|bank|on|in|at|and|or|to|from|for|with|by|near|after|before|since|was|"
    r"were|is|are|has|have|had|said|says|of)\b)[a-z]"
)


#: The longest road whose middle stands for an event on it: half of it is ACLED's "near".
ROUTE_KM = 100.0
_ROAD = r"(?:road|highway|route|railway|railroad|motorway|expressway|supply line)"
#: "the Yei-Juba road", "the Mueda-Mocimboa highway" (any dash).
_ROUTE_AFTER = re.compile(r"\s+" + _ROAD + r"\b", re.IGNORECASE)
#: "on the road between Canete and Contulmo".
_ROUTE_BEFORE = re.compile(
    r"\b" + _ROAD + r"\s+(?:[\w-]+\s+){0,2}?(?:between|linking|connecting|from)\s+(?:the\s+)?"
    r"(?:(?:towns?|cities|city|villages?)\s+of\s+)?$",
    re.IGNORECASE,
)


def _route(mentions: Sequence[Mention], text: str) -> tuple[Mention, Mention, Place] | None:
    """A road named by the two towns it joins, and a point halfway along it: an ambush "on
    the road between Mueda and Mocimboa da Praia" happened on the road, not in either town."""
    points = [
        m
        for m in mentions
        if m.relation is None and m.place.kind not in ("country", "continent", "admin1")
    ]
    for a, b in itertools.pairwise(points):
        gap = text[a.end : b.start]
        joined = gap in ("-", "\u2013", "\u2014", "/") and _ROUTE_AFTER.match(text, b.end)
        between = gap in (" and ", " to ") and _ROUTE_BEFORE.search(
            text, max(0, a.start - 60), a.start
        )
        if not (joined or between):
            continue
        pa, pb = a.place, b.place
        if haversine_km(pa.lat, pa.lon, pb.lat, pb.lon) > ROUTE_KM:
            continue  # too long for its middle to be "near" where it happened
        place = Place(
            id=f"route:{pa.id}:{pb.id}",
            name=f"{pa.name}\u2013{pb.name} road",
            lat=round((pa.lat + pb.lat) / 2, 5),
            lon=round((pa.lon + pb.lon) / 2, 5),
            kind="relative",
            country_code=pa.country_code if pa.country_code == pb.country_code else "",
            source=f"halfway along the road between {pa.name} and {pb.name}",
        )
        return a, b, place
    return None


def _where(
    sentence_mentions: Sequence[Mention], text: str, trigger_at: int, dateline_end: int
) -> tuple[Mention, Place, int] | None:
    """The mention that says where the event happened, the place to use, and ACLED's geo
    precision. Never a reporting place (a dateline, "officials in Washington", "Tbilisi
    says"), never the anchor of a relative location; the finest location nearest to the
    words of the action."""
    anchors = {m.relation.anchor.id for m in sentence_mentions if m.relation is not None}
    candidates: list[tuple[int, int, Mention, Place | None]] = []
    route = _route(sentence_mentions, text)
    ends: set[int] = set()
    if route is not None:
        a, b, place = route
        ends = {id(a), id(b)}
        candidates.append((1, abs(a.start - trigger_at), a, place))
    for m in sentence_mentions:
        if m.start < dateline_end or getattr(m, "role", "") == "dateline" or id(m) in ends:
            continue
        before = text[max(0, m.start - 40) : m.start]
        after = text[m.end : m.end + 24]
        if (
            m.relation is None
            and (_REPORTING.search(before) or _REPORTING_AFTER.match(after))
            and not _WITNESSES_BEFORE.search(before)
        ):
            continue  # "officials in Washington said"; not "residents of Khasham said"
        if m.relation is None and m.place.id in anchors:
            continue  # "160 km south of Colombo": Colombo is how to find it, not where
        if m.precision in ("country", "region") and (
            not _LOCATIVE_BEFORE.search(before)
            or (
                m.place.kind == "country"
                and m.surface.casefold() != m.place.name.casefold()
                and _ACTOR_AFTER.match(text, m.end)
            )
        ):
            continue  # "US special forces", "Syrian-backed", "strikes on Syrian forces": who
        rank = {"exact": 0, "near": 1, "region": 2, "country": 3}.get(m.precision, 2)
        if m.place.kind == "country":
            rank = 3  # "the northeastern Indian state of Manipur": the state says more

        candidates.append((rank, abs(m.start - trigger_at), m, None))
    if not candidates:
        return None
    chosen = min(candidates, key=lambda c: (c[0], c[1]))
    best = chosen[2]
    if chosen[3] is not None:
        return best, chosen[3], 2  # on a road between two towns: its middle, "near"
    if best.precision in ("country", "region"):
        direction = _DIRECTION_BEFORE.search(text, max(0, best.start - 20), best.start)
        if direction and best.place.kind == "country":
            part = _part_of(best.place, direction["dir"])
            if part is not None:
                return best, part, 2
        return best, best.place, 3
    if best.precision == "near" or best.relation is not None:
        return best, best.place, 2
    return best, best.place, 1


# -- extraction --------------------------------------------------------------------------------

_BACK_REFERENCE = re.compile(
    r"^\W*(?:The|This|That|These|Those|Such)\s+(?:\w+[- ]){0,2}?"
    r"(?P<noun>battle|attack|strike|strikes|airstrikes?|clash(?:es)?|fighting|raid|bombings?|"
    r"assault|blast|explosion|shelling|ambush|protests?|riots?|offensive|operation)\b",
    re.IGNORECASE,
)
_THERE = re.compile(r"\b(?:there|the area|the town|the village|the city)\b", re.IGNORECASE)
_OLD_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


#: Days counted from the date told before ("a day later", "the following evening",
#: "two days later", "later that night", "a day earlier", "the previous evening").
_LATER = re.compile(
    r"\b(?:(?:a|one|(?P<n>two|three|four|five)) days? (?:later|(?P<earlier>earlier|before))|"
    r"the (?:next|following) (?:day|morning|afternoon|evening|night)|the day after|"
    r"(?P<before>the (?:previous|preceding) (?:day|morning|afternoon|evening|night)|"
    r"the day before|the night before)|"
    r"(?P<same>hours (?:later|earlier)|later that (?:day|morning|afternoon|evening|night)|"
    r"the same day|that (?:evening|night)))\b",
    re.IGNORECASE,
)
_LATER_DAYS = {"two": 2, "three": 3, "four": 4, "five": 5}


def extract_events(
    document: Document, mentions: Sequence[Mention], *, include_unreal: bool = False
) -> list[Event]:
    """The events of one document, in text order: at most one per sentence (its most
    specific real action), located where it happened, dated with the sentence's date or,
    for a sentence that refers back ("The battle took place at ..."), the one before.

    ``include_unreal`` keeps what did not happen (plans, threats, denials...) with its
    ``modality``. Linear in the article: mentions are found per sentence by bisection.
    """
    text = document.text
    reference = _reference_date(document)
    dateline_end = _dateline_end(text)
    lead: tuple[date | None, str | None, str] | None = None  # the story's first date
    starts = [m.start for m in mentions]
    ordered = list(mentions)
    if starts != sorted(starts):
        ordered.sort(key=lambda m: m.start)
        starts = [m.start for m in ordered]
    events: list[Event] = []
    previous: tuple[tuple[date | None, str | None, str], list[Mention], str | None] | None = None
    told_date: tuple[date | None, str | None, str] | None = None  # the story's last date
    last_at = -9  # index of the sentence the last event came from
    last_end = 0  # and where that sentence ends
    for index, (start, end) in enumerate(sentence_spans(text)):
        sentence = text[start:end]
        inside = ordered[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)]
        own_date = resolve_date(sentence, reference)
        explicit = own_date[1] not in (None, "reported")
        if not explicit and (later := _LATER.search(sentence)):
            # "The next day, soldiers arrested 23 suspects": counted from the last date told.
            base = told_date if told_date is not None else lead
            if base is not None and base[0] is not None:
                days = _LATER_DAYS.get(later["n"].lower(), 0) if later["n"] else 1
                if later["earlier"] or later["before"]:
                    days = -days  # "a day earlier", "the previous evening"
                if later["same"]:
                    days = 0
                when = _safe(lambda: base[0] + timedelta(days=days))  # noqa: B023
                own_date, explicit = (when, base[1], later.group(0)), when is not None
        if explicit and lead is None:
            lead = own_date
        back = _BACK_REFERENCE.match(sentence)
        prev_kind = previous[2] if previous else None
        hit = _trigger(sentence, told=bool(events) and back is None)
        if explicit and (hit is None or _modality(sentence, hit[0]) == "asserted"):
            told_date = own_date  # not "called for another march on Saturday": not yet
        if hit is None and back is not None and prev_kind:
            # "The battle took place at al Tanf": the event named in the sentence before.
            hit = (back.start("noun"), back.end("noun"), prev_kind, back["noun"])
        this_kind = hit[2] if hit else None
        if hit is not None:
            event = _event(
                document,
                text,
                start,
                sentence,
                inside,
                hit,
                own_date,
                explicit,
                back,
                previous,
                reference,
                dateline_end,
                lead,
                # A sentence with no place of its own goes on with the paragraph's last event
                # ("Soldiers rescued 180 students after exchanging fire with the kidnappers").
                carry=events[-1]
                if events
                and back is None
                and index - last_at <= 2
                and "\n\n" not in text[last_end:start]
                else None,
            )
            if (
                event is not None
                and events
                and back is None
                and event.modality == "asserted"
                and _names_told(sentence, hit[0], hit[3])
            ):
                # "Police said the two attacks on Sunday were coordinated": the story's own
                # events, named again, not a new one.
                event = replace(event, modality="referred")
            if (
                event is not None
                and back is not None
                and events
                and last_at == index - 1
                and events[-1].event_type == event.event_type
                and event.modality == "asserted"
            ):
                # "The clash took place at a checkpoint ... in Central Equatoria state": the
                # event just told, placed again. A place as fine and close by refines it; a
                # coarser one is no new event; a far one is the fighting spreading ("the
                # clashes spread to Imphal").
                told = events[-1]
                finer = (event.geo_precision or 3) <= (told.geo_precision or 3)
                km = haversine_km(told.place.lat, told.place.lon, event.place.lat, event.place.lon)
                if not finer:
                    event = None
                elif km <= MATCH_PLACE_KM:
                    events[-1] = replace(told, place=event.place, geo_precision=event.geo_precision)
                    event = None
                if event is None:
                    last_at, last_end = index, end
            if (
                event is not None
                and event.kind == "looting"
                and events
                and index - last_at <= 2
                and events[-1].event_type == RIOTS
                and same_day_and_place(events[-1], event)
            ):
                # "a car was hijacked and set alight" after the riot: what the rioters
                # destroyed is the riot, not another event (an armed group's looting after a
                # battle is its own event, as ACLED codes it).
                event = None
                last_at, last_end = index, end
            if event is not None and (include_unreal or event.modality == "asserted"):
                listed = _listed(inside, text, event, dateline_end)
                events.append(event)
                events.extend(listed)
                if event.modality == "asserted":
                    events.extend(
                        _after_event(
                            document,
                            text,
                            start,
                            sentence,
                            inside,
                            event,
                            hit,
                            reference,
                            dateline_end,
                        )
                    )
                last_at, last_end = index, end
            elif event is None and back is not None and events and events[-1].kind == hit[2]:
                # "The strike killed 12": more about the last event, not a new one.
                dead = _fatalities(sentence)
                if dead is not None and events[-1].fatalities is None:
                    events[-1] = replace(events[-1], fatalities=dead)
        previous = (
            own_date if explicit else (previous[0] if previous and back else own_date),
            list(inside),
            this_kind or (prev_kind if back else None),
        )
    return events


def _trigger(sentence: str, told: bool = False) -> tuple[int, int, str, str] | None:
    """(start, end, kind, words) of the sentence's event: the most specific kind whose words
    appear in a real statement; failing that, the most specific at all (so its modality can
    be reported). The main clause first: what an "after" clause tells is a second event
    (see :func:`_after_event`). ``told``: the story has told an event, so "the strike" in
    "protested against the strike" names it again and the sentence's own action is sought."""
    if not _ANY_TRIGGER.search(sentence):
        return None
    clause = _AFTER_CLAUSE.search(sentence)
    if clause is not None and clause.start() > 0:
        head = _kind_trigger(sentence[: clause.start()], told)
        if head is not None and _modality(sentence, head[0]) == "asserted":
            return head
    return _kind_trigger(sentence, told)


def _kind_trigger(sentence: str, told: bool = False) -> tuple[int, int, str, str] | None:
    if not _ANY_TRIGGER.search(sentence):
        return None
    first_unreal = None
    for kind, pattern in _KIND_PATTERNS.items():
        for m in pattern.finditer(sentence):
            if _WEAPON.fullmatch(m.group(0)) and _FOUND_BEFORE.search(
                sentence, max(0, m.start() - 80), m.start()
            ):
                continue  # "police found mortars and rocket launchers": a cache, not a strike
            if told and _names_told(sentence, m.start(), m.group(0)):
                if first_unreal is None:
                    first_unreal = (m.start(), m.end(), kind, m.group(0))
                continue  # "the strike", named again
            if _modality(sentence, m.start()) == "asserted":
                return _arrest_or(sentence, (m.start(), m.end(), kind, m.group(0)))
            if first_unreal is None:
                first_unreal = (m.start(), m.end(), kind, m.group(0))
    return first_unreal


#: Words about an event already told ("claimed the bombing", "blamed X for the attack",
#: "described the air raids as"): what follows is a reference, not a new event.
_REFERRED = re.compile(
    r"\b(?:claim(?:ed|ing|s)?|blam(?:ed|ing|es)|described|describing|investigat\w+|"
    r"responsibility for|condemn\w*|denounc\w*|mourn\w*|in response to|after|called|"
    r"labell?ed|termed|linked to|connection with)\b"
    r"[^.;]{0,40}?\b(?:the|this|that|these|those|similar|previous|past|earlier|prior)\s+"
    r"(?:[\w-]+\s+)?$",
    re.IGNORECASE,
)
#: Trigger words that are also names of weapons, and the verbs that make them a find.
_WEAPON = re.compile(
    r"(?:mortars?|artillery|rockets?|grenades?|explosives?|IEDs?|landmines?|bombs?)", re.I
)
_FOUND_BEFORE = re.compile(
    r"\b(?:found|seized|recovered|discovered|confiscated|uncovered|cache of|caches of|"
    r"stockpiles? of|equipped with|armed with|carrying)\b[^.;]*$",
    re.IGNORECASE,
)
#: Between an arrest and a later trigger: the charge, not a second event ("arrested two
#: teenagers accused of plotting a suicide attack").
_CHARGE = re.compile(
    r"\b(?:accused of|suspected of|charged with|on (?:terrorism |murder )?charges?|charges that|"
    r"in connection with|linked to|for (?:allegedly |their role in |his role in |her role in )?"
    r"(?:plotting|planning|attacking|carrying out|taking part|involvement))\b",
    re.IGNORECASE,
)
#: Kinds that an arrest in the same sentence follows rather than replaces ("youths looted a
#: supermarket, and police made 88 arrests"): the arrests are the aftermath.
_BEFORE_ARRESTS = ("looting", "clash", "attack", "abduction", "ied", "shelling", "airstrike")


def _arrest_or(sentence: str, hit: tuple[int, int, str, str]) -> tuple[int, int, str, str]:
    """The sentence's event when an arrest is in it too: the arrest when the other trigger is
    the charge that follows it; the earlier violence when the arrests come after it."""
    arrest = next(
        (
            m
            for m in _KIND_PATTERNS["arrest"].finditer(sentence)
            if _modality(sentence, m.start()) == "asserted"
        ),
        None,
    )
    if arrest is None:
        return hit
    if hit[2] != "arrest":
        if hit[0] > arrest.end() and _CHARGE.search(sentence, arrest.end(), hit[0]):
            return arrest.start(), arrest.end(), "arrest", arrest.group(0)
        return hit
    earlier = [
        (m.start(), m.end(), kind, m.group(0))
        for kind in _BEFORE_ARRESTS
        for m in _KIND_PATTERNS[kind].finditer(sentence, 0, hit[0])
        if _modality(sentence, m.start()) == "asserted"
    ]
    return min(earlier) if earlier else hit


#: A second event told in a clause of the first: "hours after a gunman shot dead two
#: brothers", "a day after fighters fired missiles at an army post near Metula". Not "after
#: the attack" (one already told) nor "after talks" (no trigger in the clause).
_AFTER_CLAUSE = re.compile(
    r",?\s(?:(?P<hours>hours|minutes|shortly)\s+|(?P<n>a|one|two|three)\s+days?\s+)?after\s+"
    r"(?!the\b|this\b|that\b|these\b|those\b|its\b|their\b|his\b|her\b|it\b|being\b)",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r",\s+(?:[\w'’-]+\s+){0,5}(?:said|says|reported|told)\b|[;.]|$")


def _after_event(
    document: Document,
    text: str,
    start: int,
    sentence: str,
    inside: Sequence[Mention],
    event: Event,
    hit: tuple[int, int, str, str],
    reference: date | None,
    dateline_end: int,
) -> list[Event]:
    """The event of an "after" clause that follows the sentence's own trigger, dated from the
    sentence's event ("a day after": the day before) and placed in the clause, or, when the
    clause names no place, where the sentence's event was ("as they drove through the town")."""
    clause = _AFTER_CLAUSE.search(sentence, hit[1])
    if clause is None:
        return []
    stop = _CLAUSE_END.search(sentence, clause.end())
    body_end = stop.start() if stop else len(sentence)
    body = sentence[clause.end() : body_end]
    found = _trigger(body)
    if found is None or (found[2] == "arrest" and event.kind == "arrest"):
        return []
    offset = clause.end()
    sub_hit = (found[0] + offset, found[1] + offset, found[2], found[3])
    if _modality(sentence, sub_hit[0]) != "asserted" or _modality(body, found[0]) != "asserted":
        return []
    days = 0 if clause["hours"] else _LATER_DAYS.get((clause["n"] or "").lower(), 1)
    when = _safe(lambda: event.date - timedelta(days=days)) if event.date else None
    precision = event.date_precision
    if not clause["hours"] and not clause["n"]:
        precision = "approximate"  # a bare "after": some time before, on or near that day
    own = (when, precision, clause.group(0).strip(", ") + " (" + event.date_text + ")")
    lo, hi = start + offset, start + body_end
    clause_mentions = [m for m in inside if lo <= m.start < hi]
    made = _event(
        document,
        text,
        start,
        sentence[:body_end],
        clause_mentions,
        sub_hit,
        own,
        True,
        None,
        None,
        reference,
        dateline_end,
        None,
        carry=event,
        scope=offset,
    )
    if made is None or (made.event_type == event.event_type and made.place.id == event.place.id):
        return []  # "took the airport after two days of fighting": the same battle
    return [made] if made.modality == "asserted" else []


#: What may stand between the places of one list ("shelled Khiam and the nearby village of
#: Kfar Kila", "near Goris and Kapan").
_LIST_GAP = re.compile(
    r"(?:,\s*|\s+and\s+|,\s+and\s+|\s+or\s+)"
    r"(?:the\s+)?(?:(?:nearby|neighbouring|neighboring)\s+)?"
    r"(?:(?:towns?|villages?|cities|city|districts?)\s+of\s+)?\Z"
)


#: Trigger words that are nouns: with "the" before them they name an event already told.
_TOLD_NOUN = re.compile(
    r"(?:attacks?|strikes?|airstrikes?|air ?raids?|bombings?|clash(?:es)?|raids?|battles?|"
    r"fighting|assaults?|ambush(?:es)?|protests?|riots?|rioting|arrests?|shelling|explosions?|"
    r"blasts?|violence|killings?|demonstrations?|rall(?:y|ies)|march(?:es)?|unrest)\b",
    re.IGNORECASE,
)


def _names_told(sentence: str, at: int, words: str) -> bool:
    """Whether trigger ``words`` at ``at`` are an event noun with "the" before it ("the
    strike", "the two attacks"): once a story has told an event, that names it again."""
    return bool(_TOLD_NOUN.match(words) and _DEFINITE_BEFORE.search(sentence, max(0, at - 30), at))


#: Kinds too weak to code without a place of their own (reinforcements, closures, flight).
_WEAK_KINDS = frozenset({"deployment", "closure", "displacement"})
#: Undated perfects and campaigns: "have repeatedly clashed", "clashes have already occurred",
#: "the battle for Raqqa", "the fight over the pass".
_HABITUAL_BEFORE = re.compile(
    r"\b(?:ha(?:ve|s|d)\s+(?:already|repeatedly|often|long|previously|frequently)\s+(?:been\s+)?"
    r"|(?:repeated|frequent|regular|occasional|sporadic|periodic)\s+)$",
    re.IGNORECASE,
)
_HABITUAL_AFTER = re.compile(
    r"\s+(?:ha(?:ve|s|d)\s+(?:already\s+|repeatedly\s+|often\s+)?"
    r"(?:occurred|taken place|happened|broken out)"
    r"|(?:for|over)\s+(?:control of\s+)?(?:the\s+)?[A-Z]"
    r"|for (?:independence|autonomy|self-rule|secession|decades|years|generations)\b)",
)
#: Anywhere in an undated sentence: a story's background, not its news.
_BACKGROUND_WORDS = re.compile(
    r"\b(?:for (?:decades|years|generations)|over the (?:years|decades)|in (?:the )?past|"
    r"in recent years|decades-long|long-running|since the (?:19|20)\d0s)\b",
    re.IGNORECASE,
)
#: Kinds that, undated, are usually a trend ("have advanced from Sinjar", "thousands fled")
#: rather than an event on a day.
_UNDATED_TRENDS = frozenset({"deployment", "displacement"})
#: "the attack", "the blast": an event already told, not a new one.
_DEFINITE_BEFORE = re.compile(r"\b(?:the|this|that|these|those)\s+(?:[\w-]+\s+)?$", re.I)
#: A place named where a place goes that the gazetteer did not know ("near Hawija", "the
#: village of Nuli"): the sentence happened somewhere else, not at the paragraph's last place.
#: Not "in"/"at", which as often name a building in the same town ("at the Sahafi Hotel").
_ELSEWHERE = re.compile(
    r"\b(?:(?:near|outside|toward|towards|on the outskirts of)\s+|"
    r"(?:town|village|city|district|province|region)\s+of\s+|"
    # "shot dead in Dighinala": a bare name after "in"/"at" (not "at the Sahafi Hotel")
    r"(?:in|at)\s+(?=[A-Z][a-z]+\b(?![ -](?:Hotel|Mosque|Church|Hospital|University|School|"
    r"Market|Square|Street|Road|Prison|Airport|Base|Camp|Stadium|Bridge|Park|Palace)\b)))"
    r"[A-Z][a-z]"
)
_NATIONWIDE = re.compile(
    r"\b(?:nationwide|across the country|around the country|in several cities|elsewhere)\b", re.I
)


_BETWEEN = re.compile(r"\b(?:between|from)\s+(?:the\s+)?$", re.IGNORECASE)


def _listed(inside: Sequence[Mention], text: str, event: Event, dateline_end: int) -> list[Event]:
    """One more event for each other place listed with the event's place: ACLED codes an
    action that hit several towns as one event per town."""
    points = [
        m
        for m in inside
        if m.start >= dateline_end
        and m.relation is None
        and m.place.kind not in ("country", "continent")
        and m.precision in ("exact", "near")
    ]
    if event.kind in _WEAK_KINDS:
        return []
    at = next((i for i, m in enumerate(points) if m.place.id == event.place.id), None)
    if at is None:
        return []
    chain = [points[at]]
    for step in (1, -1):
        i = at
        while 0 <= i + step < len(points):
            a, b = (points[i], points[i + step]) if step == 1 else (points[i + step], points[i])
            if (
                not _LIST_GAP.match(text, a.end, b.start)
                or b.start - a.end > 40
                or _BETWEEN.search(text, max(0, a.start - 12), a.start)
            ):
                break  # "the road between Nablus and Ramallah" is one place, a route
            chain.append(points[i + step])
            i += step
    out = []
    seen = {event.place.id}
    for m in chain[1:]:
        if m.place.id in seen:
            continue
        seen.add(m.place.id)
        digest = hashlib.sha1(f"{event.id}:{m.place.id}".encode()).hexdigest()[:12]
        out.append(
            replace(
                event,
                id=f"event-{digest}",
                place=m.place,
                geo_precision=1 if m.precision == "exact" else 2,
            )
        )
    return out


def _event(
    document: Document,
    text: str,
    start: int,
    sentence: str,
    inside: list[Mention],
    hit: tuple[int, int, str, str],
    own_date: tuple[date | None, str | None, str],
    explicit: bool,
    back: re.Match | None,
    previous,
    reference: date | None,
    dateline_end: int,
    lead: tuple[date | None, str | None, str] | None = None,
    carry: Event | None = None,
    scope: int = 0,
) -> Event | None:
    offset, trigger_end, kind, trigger = hit
    found = _where(inside, text, start + offset, dateline_end) if inside else None
    if found is None and previous is not None and _THERE.search(sentence):
        found = _where(previous[1], text, start, dateline_end)
    if found is None:
        if (
            carry is None
            or kind in _WEAK_KINDS
            or _modality(sentence, offset) != "asserted"
            or _DEFINITE_BEFORE.search(sentence, max(0, offset - 30), offset)
            or _NATIONWIDE.search(sentence)
            or _ELSEWHERE.search(sentence, scope)
        ):
            return None
        place, geo_precision = carry.place, carry.geo_precision or 2
        place_confidence = carry.confidence * 0.8
    else:
        where, place, geo_precision = found
        place_confidence = where.confidence
    when, precision, date_text = own_date
    if (
        not explicit
        and back is not None
        and previous is not None
        and previous[0][1]
        not in (
            None,
            "reported",
        )
    ):
        when, precision, date_text = previous[0]  # "The battle took place at ..."
    if precision in (None, "reported") and lead is not None and lead[0] is not None:
        # No date in the sentence: news narrates around its lead, so the story's first date
        # is a better guess than the publication day (still marked as a guess).
        when, precision, date_text = lead[0], "approximate", f"(the story's date) {lead[2]}"
    modality = _modality(sentence, offset)
    if modality == "asserted" and (
        _is_history(sentence, offset, when, reference)
        or (not explicit and _is_history(sentence, len(sentence), None, reference))
    ):
        modality = "historical"  # "has fought jihadists in the Sahel since 2013"
    if (
        modality == "asserted"
        and not explicit
        and back is None
        and (
            kind in _UNDATED_TRENDS
            or _HABITUAL_BEFORE.search(sentence, max(0, offset - 40), offset)
            or _HABITUAL_AFTER.match(sentence, trigger_end)
            or _BACKGROUND_WORDS.search(sentence)
        )
    ):
        # "Iraqi paramilitaries have advanced from Sinjar", "clashes have already occurred",
        # "the battle for Raqqa": undated, a trend or a campaign, not an event on a day.
        modality = "background"
    kind, event_type, sub_event_type = _acled_type(kind, sentence, trigger_end, trigger)
    folded = " ".join(sentence.split())
    actor1, actor2 = _actor_pair(sentence, offset, trigger_end, kind)
    digest = hashlib.sha1(f"{document.id}:{start}:{kind}".encode()).hexdigest()[:12]
    confidence = place_confidence * (0.9 if precision in ("day", "week", "weekday") else 0.75)
    if back is not None and hit[3] == back["noun"]:
        confidence *= 0.9  # the kind came from the sentence before
    return Event(
        id=f"event-{digest}",
        kind=kind,
        date=when,
        date_precision=precision,
        date_text=date_text,
        place=place,
        actors=tuple(dict.fromkeys(p for _, p in _actor_phrases(folded))),
        sentence=folded,
        document_id=document.id,
        confidence=round(confidence, 3),
        trigger=trigger,
        sources=(document.id,),
        event_type=event_type,
        sub_event_type=sub_event_type,
        actor1=actor1,
        actor2=actor2,
        fatalities=_fatalities(sentence),
        geo_precision=geo_precision,
        modality=modality,
    )


def _is_history(sentence: str, offset: int, when: date | None, reference: date | None) -> bool:
    """An event older than the story (more than a year before it): background, not news."""
    if reference is None:
        return False
    if when is not None:
        return when.year < reference.year - 1
    years = [int(y) for y in _OLD_YEAR.findall(sentence[: offset + 60])]
    return bool(years) and max(years) < reference.year - 1


# -- merging ---------------------------------------------------------------------------------

#: Reports of one event agree on the kind and fall within this many km and days.
SAME_EVENT_KM = 25.0
#: A place told again for the same event ("The fighting broke out near Khasham") within this
#: distance of the first is the same place, told more precisely.
MATCH_PLACE_KM = 50.0
SAME_EVENT_DAYS = 2
_CELL_DEG = 0.5  # grid for finding candidate pairs: larger than SAME_EVENT_KM everywhere used


def same_day_and_place(a: Event, b: Event) -> bool:
    """Whether two events share a day and lie within ``SAME_EVENT_KM`` of each other."""
    return a.date == b.date and (
        haversine_km(a.place.lat, a.place.lon, b.place.lat, b.place.lon) <= SAME_EVENT_KM
    )


def same_event(a: Event, b: Event) -> bool:
    """Whether two records are one event told twice: the same kind, near in place and time.
    Within one article, two sentences dated to different days are two events ("shelled the
    town on Monday... shelled it again the next day"), however close."""
    if a.kind != b.kind:
        return False
    if (
        a.document_id == b.document_id
        and a.date != b.date
        and a.date_precision == "day"
        and b.date_precision == "day"
    ):
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
    one event that keeps every source and the most precise date any of them gives.

    Reports that are the same event as each other are joined transitively (connected
    components), so the result does not depend on the order the reports come in; each
    component is folded in a canonical order. Candidate pairs come from a coarse grid, so
    this is near-linear in the number of reports.
    """
    # Reports with the same kind, date and point are one event whatever else they say: they
    # are joined first, so a story repeated a thousand times is not a million comparisons.
    same: dict[tuple, list[Event]] = {}
    for e in sorted(events, key=_canonical):
        key = (e.kind, e.date, e.date_precision, e.place.lat, e.place.lon)
        same.setdefault(key, []).append(e)
    bundles = list(same.values())
    items = [b[0] for b in bundles]
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    cells: dict[tuple[str, int, int], list[int]] = {}
    for i, e in enumerate(items):
        cx, cy = int(e.place.lon // _CELL_DEG), int(e.place.lat // _CELL_DEG)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for j in cells.get((e.kind, cx + dx, cy + dy), ()):
                    if same_event(items[j], e):
                        ri, rj = find(i), find(j)
                        if ri != rj:
                            parent[max(ri, rj)] = min(ri, rj)
        cells.setdefault((e.kind, cx, cy), []).append(i)
    groups: dict[int, list[Event]] = {}
    for i, bundle in enumerate(bundles):
        groups.setdefault(find(i), []).extend(bundle)
    merged = []
    for members in groups.values():
        combined = members[0]
        for other in members[1:]:
            combined = _combine(combined, other)
        merged.append(combined)
    return sorted(merged, key=_canonical)


def _canonical(e: Event) -> tuple:
    return (
        e.date or date.min,
        e.kind,
        round(e.place.lat, 4),
        round(e.place.lon, 4),
        precision_rank(e),
        e.id,
    )


#: Date precisions, most precise first.
DATE_PRECISIONS = ("day", "weekday", "week", "month", "approximate", "reported", None)


def precision_rank(event: Event) -> int:
    """Lower is more precise: the report with the best date names a merged event's date."""
    return DATE_PRECISIONS.index(event.date_precision)


def _combine(a: Event, b: Event) -> Event:
    best = a if (precision_rank(a), a.id) <= (precision_rank(b), b.id) else b
    return replace(
        best,
        sources=tuple(sorted(set(a.sources + b.sources))),
        actors=tuple(dict.fromkeys(a.actors + b.actors)),
        actor1=best.actor1 or a.actor1 or b.actor1,
        actor2=best.actor2 or a.actor2 or b.actor2,
        fatalities=max((f for f in (a.fatalities, b.fatalities) if f is not None), default=None),
        confidence=max(a.confidence, b.confidence),
    )


# -- ACLED's columns ---------------------------------------------------------------------------

#: The columns of an ACLED export, in ACLED's order (those we cannot know stay empty).
ACLED_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)
_DISORDER = {
    BATTLES: "Political violence",
    EXPLOSIONS: "Political violence",
    VIOLENCE: "Political violence",
    PROTESTS: "Demonstrations",
    RIOTS: "Political violence; Demonstrations",
    STRATEGIC: "Strategic developments",
}


def acled_record(event: Event, *, country: str = "", source: str = "") -> dict[str, object]:
    """``event`` in ACLED's columns, so it can be merged with an ACLED download.

    ``country`` is the country's name (ACLED spells countries out); ``source`` the outlet or
    documents. Fatalities we were not told are 0, as ACLED codes them; what the text cannot
    tell (interaction codes, admin2 and 3, ISO numeric code) is left empty.
    """
    return {
        "event_id_cnty": f"{event.place.country_code}-{event.id.removeprefix('event-')}",
        "event_date": event.date.isoformat() if event.date else "",
        "year": event.date.year if event.date else "",
        "time_precision": event.time_precision or "",
        "disorder_type": _DISORDER.get(event.event_type, ""),
        "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
        "actor1": event.actor1,
        "assoc_actor_1": "",
        "inter1": "",
        "actor2": event.actor2,
        "assoc_actor_2": "",
        "inter2": "",
        "interaction": "",
        "civilian_targeting": "Civilian targeting" if event.event_type == VIOLENCE else "",
        "iso": "",
        "region": "",
        "country": country or event.place.country_code,
        "admin1": event.place.admin1,
        "admin2": "",
        "admin3": "",
        "location": event.place.name,
        "latitude": event.place.lat,
        "longitude": event.place.lon,
        "geo_precision": event.geo_precision,
        "source": source or "; ".join(event.sources or (event.document_id,)),
        "source_scale": "",
        "notes": event.sentence,
        "fatalities": event.fatalities or 0,
        "tags": "" if event.modality == "asserted" else f"modality: {event.modality}",
        "timestamp": "",
    }
