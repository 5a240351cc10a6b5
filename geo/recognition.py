"""Recognition: which spans of a text name a place the gazetteer knows.

Recognition walks capitalised token runs (hyphens and single spaces join tokens, so "al-Tanf",
"Abu Kamal" and "Syria-Iraq" are all seen) and asks the gazetteer for the longest run it knows.
Rules then drop what is a person or an organisation rather than a place: a title before the
name ("President", "Mr."), or a capitalised word glued on either side of a bare town name
("Donald Trump", "Washington Post"). Which of a name's candidates is meant is not decided here
(see :mod:`geo.resolution`): only which candidates the words around the name allow.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from .gazetteer import Gazetteer
from .model import Document, Mention, Place
from .names import ARABIC_ARTICLES, normalize

__all__ = [
    "ADMIN_SUFFIXES",
    "SUFFIX",
    "TOWNS",
    "Candidate",
    "Token",
    "common_word",
    "filter_kinds",
    "lower_case_words",
    "recognise",
    "tokenize",
    "unknown_names",
]


JOINERS = (" ", "-", "\n", "\u2010", "\u2011")
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
        "au",
        "aux",
        "sur",
        "sous",
        "en",
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
        "the",
        "a",
        "an",
        "this",
        "that",
        "its",
        "his",
        "her",
        "their",
        "our",
    ]
)
#: Countries whose names are also common first names.
_GIVEN_NAME_COUNTRIES = frozenset({"jordan", "chad", "georgia", "israel"})
#: Curated names that are a generic word on their own ("Gulf" for the Persian Gulf).
_GENERIC_ALONE = frozenset({"gulf"})
#: Kinds whose bare names are also given names, surnames and newspaper titles.
_NAMESAKE_KINDS = frozenset({"city", "town", "admin1"})
#: Capitalised words after a name that make the whole a publication ("Washington Post"):
#: unlike "Queensland Police" or "Texas A&M", the place is not what the phrase is about.
_MEDIA_NOUNS = frozenset(
    [
        "post",
        "times",
        "journal",
        "herald",
        "tribune",
        "gazette",
        "chronicle",
        "examiner",
        "courier",
        "telegraph",
        "inquirer",
        "sentinel",
        "dispatch",
        "observer",
        "globe",
        "star",
        "independent",
        "standard",
        "register",
        "bulletin",
        "daily",
        "weekly",
        "review",
        "magazine",
        "radio",
        "tv",
        "television",
        "broadcasting",
        "news",
        "press",
        "bureau",
        "accord",
        "accords",
        "agreement",
        "convention",
        "protocol",
        "declaration",
        "format",
        "process",
    ]
)
#: Names that are an institution, not the place GeoNames knows by them.
_NOT_PLACES = frozenset({"white house", "oval office", "foggy bottom"})
_MAX_TOKENS = 6
TOWNS = ("city", "town")
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


class Token(NamedTuple):
    """A word of the text (a tuple: millions are made, and tuples are cheap to make)."""

    start: int
    end: int
    text: str
    capitalised: bool


class Candidate(NamedTuple):
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
_JOINER_CHARS = frozenset(JOINERS)
_WORD_CHAR = re.compile(r"\w")
_LOWER_WORD = re.compile(r"[a-z]+")


def tokenize(text: str) -> list[Token]:
    """The words a place name can be made of, in text order.

    Capitalised words, initials, the lower-case connectors and tails chained after them
    ("Bab al-Hawa border crossing", "Gulf of Aden"), and an Arabic article right before one
    ("al Tanf"). Other lower-case words are left out: no rule reads them (a name starts at a
    capital or an article, and the context rules look only a joiner away).
    """
    out: list[Token] = []
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
                    append(make(Token, (at, start - 1, text[at : start - 1], False)))
                    break
        chain = m.group(1)
        end = done_next - len(chain)
        word = text[start:end]
        if word.endswith(("'s", "’s")) and len(word) > 2:  # possessive: "Washington's"
            word, end = word[:-2], end - 2
        append(make(Token, (start, end, word, word[:1].isupper())))
        done = done_next
        if chain:
            offset = done - len(chain)
            for lower in _LOWER_WORD.finditer(chain):
                w_start, w_end = lower.span()
                append(make(Token, (offset + w_start, offset + w_end, lower.group(), False)))
    return out


def recognise(text: str, tokens: list[Token], gazetteer: Gazetteer) -> list[Candidate]:
    """The longest known name at each token, left to right (hot: tokens are unpacked)."""
    found: list[Candidate] = []
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
            if text[end:nxt_start] not in JOINERS:
                break
            if not (
                nxt_cap
                or nxt in _TAILS
                or nxt.lower() in ARABIC_ARTICLES
                or nxt.lower() in _CONNECTORS
            ):
                break
            j += 1
        best: Candidate | None = None
        for last in range(j, i - 1, -1):
            _, last_end, last_word, last_cap = tokens[last]
            if not (last_cap or last_word in _TAILS):
                continue
            key = normalize(text[first_start:last_end])
            places = cached(key)
            if places is None:
                places = lookup(key)
            if places:
                best = tuple.__new__(Candidate, (first_start, last_end, i, last, key, places))
                break
        if best is None:
            i += 1
            continue
        found.append(best)
        i = best.last + 1
    return found


_OF_NAME = re.compile(r"\s+of\s+[A-Z]")
#: Lower-case nouns after a name that make the whole an organisation.
_ORGANISATION_AFTER = re.compile(
    r"[ -](?:group|faction|militia|brigades?|battalions?|network|movement|clan|gang|"
    r"organi[sz]ation|party|family)\b"
)


def common_word(text: str, cand: Candidate, lower_words: set[str]) -> bool:
    """Whether a one-word name is written in lower case elsewhere in the text ("the gang",
    "gangs" for "Gang members seized..."): a story's own spelling says the word is a common
    noun, whatever the gazetteer knows by it. Only asked for names that open a sentence;
    ``lower_words`` is :func:`lower_case_words` of the text, made once per document."""
    if cand.first != cand.last:
        return False
    word = text[cand.start : cand.end]
    lower = word.lower()
    if lower == word or not lower.isalpha():
        return False
    return lower in lower_words or lower + "s" in lower_words or lower + "es" in lower_words


_LOWER_WORD_RUN = re.compile(r"(?<![\w-])[a-z]+(?![\w-])")


def lower_case_words(text: str) -> set[str]:
    """Every word the text writes wholly in lower case (one C-level pass)."""
    return set(_LOWER_WORD_RUN.findall(text))


def filter_kinds(cand: Candidate, text: str, tokens: list[Token], starts: set[int]):
    """Apply the person/organisation rules; return the surviving (place, prior) pairs."""
    places: Sequence[tuple[Place, float]] = cand.places
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
    if cand.key in _NOT_PLACES:
        return []
    if (
        cand.last > cand.first
        and tokens[cand.first].text.lower() in _SENTENCE_OPENERS
        and not any(t.capitalised for t in tokens[cand.first + 1 : cand.last + 1])
    ):
        return []  # "The bridge": a capital only because a sentence starts there
    glued_after = False
    media = False
    if after is not None and text[cand.end : after.start] == " ":
        glued_after = after.capitalised and after.text.lower() not in _PLACE_SUFFIXES
        media = glued_after and after.text.lower().rstrip(".") in _MEDIA_NOUNS
        namesake = namesake or media or after.text in _FEATURE_WORDS
    if namesake:
        places = [(p, s) for p, s in places if p.kind not in _NAMESAKE_KINDS]
    elif glued_after:
        # "Laurel Smith", "Holt Renfrew": a small town glued to a capitalised word is a name;
        # states, countries and cities are not ("Queensland Police", "Texas A&M", "Paris
        # Police Department"): the place is in the organisation's name.
        # A city or a province known by the word only as an alternate name ("Lester" for
        # Leicester, "Free" for Free State in "the Free Papua Organisation") is not what a
        # first name before a surname means either.
        places = [
            (p, s)
            for p, s in places
            if p.kind != "town"
            and (p.kind != "city" or normalize(p.name) == cand.key)
            # "Lagos State Emergency..." keeps Lagos State; "Free Papua" drops Free State
            and (p.kind != "admin1" or cand.key.startswith(normalize(p.name)))
        ]
    if glued_after and cand.key in _GIVEN_NAME_COUNTRIES:
        # "Jordan Peterson", "Chad Johnson", "Israel Katz": a first name, not the country.
        places = [(p, s) for p, s in places if p.kind != "country"]
    if _ORGANISATION_AFTER.match(text, cand.end):
        # "the Dawlah Islamiyah-Hassan group", "the Haqqani network": an organisation named
        # for a person or a clan; a state keeps its place ("the Sinaloa cartel").
        places = [(p, s) for p, s in places if p.kind not in _NAMESAKE_KINDS or p.kind == "admin1"]
    if cand.key in _GENERIC_ALONE and _OF_NAME.match(text, cand.end):
        return []  # "the Gulf of Mexico" is not the (Persian) Gulf
    return places


SUFFIX = re.compile(
    r"[ \n](city|town|province|governorate|district|region|oblast|state|prefecture|county)\b",
    re.IGNORECASE,
)
ADMIN_SUFFIXES = frozenset(
    ["province", "governorate", "district", "region", "oblast", "state", "prefecture", "county"]
)


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
    tokens = tokenize(text)
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
            and text[tokens[j].end : tokens[j + 1].start] in JOINERS
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


#: Verbs of speech: a name right before or after one is a speaker ("Holt said", "said Holt").
_SPEECH = (
    r"(?:said|says|told|added|asked|wrote|argued|noted|explained|testified|tweeted|stated"
    r"|insisted|warned|replied|recalled|acknowledged|admitted)"
)
_SPEECH_AFTER = re.compile(r"(?:,\s)?\s?" + _SPEECH + r"\b")
_SPEECH_BEFORE = re.compile(r"\b(?:" + _SPEECH + r"|according to)\s$")
#: After "said X", X is the speaker only if the clause ends there ("said Holt."), not in
#: "said Palmyra had been retaken".
_CLAUSE_END = re.compile(r"[,.;:]|$")
#: Words right before a name that say it is a place ("near Tal Afar", "the town of Kobani").
_CUE = re.compile(
    r"\b(?:in|near|at|outside|around|from|to|toward|towards|into|across|through|via|hit|fled"
    r"|reached|entered|struck|shelled|captured|seized|retook|besieged|attacked|bombed|visited"
    r"|(?:town|city|village|district|province|area|region|outskirts|suburbs?) of"
    r"|(?:residents|villagers|inhabitants|locals|people) (?:of|in))"
    r"\s(?:the\s)?$",
    re.IGNORECASE,
)


def cued(text: str, start: int) -> bool:
    """Whether the words right before ``start`` announce a place ("near", "the town of")."""
    return _CUE.search(text, max(0, start - 24), start) is not None


def person_keys(text: str, tokens: list[Token], raw: list[Candidate], starts: set[int]) -> set[str]:
    """Names the document uses for a person somewhere: after a title ("Mr. Holt"), as a
    surname after a first name ("Lester Holt"), or beside a verb of speech ("Holt said",
    "said Holt"). Only names whose best candidate is a town count: "Jordan said" is the
    country speaking, and "Moscow said" the government there."""
    out: set[str] = set()
    for cand in raw:
        if not cand.places or cand.places[0][0].kind != "town" or cand.first != cand.last:
            continue
        before = tokens[cand.first - 1] if cand.first > 0 else None
        if before is not None:
            gap = text[before.end : cand.start]
            lower = before.text.lower()
            if gap in (" ", ". ") and lower.rstrip(".") in _TITLES:
                out.add(cand.key)
                continue
            if (
                gap == " "
                and before.capitalised
                and cand.start not in starts
                and lower not in ARABIC_ARTICLES
                and lower not in _SENTENCE_OPENERS
                and not before.text.isupper()
            ):
                out.add(cand.key)
                continue
        if _SPEECH_AFTER.match(text, cand.end) or (
            _SPEECH_BEFORE.search(text, max(0, cand.start - 16), cand.start)
            and _CLAUSE_END.match(text, cand.end)
        ):
            out.add(cand.key)
    return out


#: AP-style state abbreviations (with their period) and the postal codes they stand for.
US_STATE_ABBREVIATIONS = {
    "Ala": "AL",
    "Ariz": "AZ",
    "Ark": "AR",
    "Calif": "CA",
    "Colo": "CO",
    "Conn": "CT",
    "Del": "DE",
    "Fla": "FL",
    "Ga": "GA",
    "Ill": "IL",
    "Ind": "IN",
    "Kan": "KS",
    "Kans": "KS",
    "Ky": "KY",
    "La": "LA",
    "Md": "MD",
    "Mass": "MA",
    "Mich": "MI",
    "Minn": "MN",
    "Miss": "MS",
    "Mo": "MO",
    "Mont": "MT",
    "Neb": "NE",
    "Nebr": "NE",
    "Nev": "NV",
    "N.H": "NH",
    "N.J": "NJ",
    "N.M": "NM",
    "N.Y": "NY",
    "N.C": "NC",
    "N.D": "ND",
    "Okla": "OK",
    "Ore": "OR",
    "Pa": "PA",
    "R.I": "RI",
    "S.C": "SC",
    "S.D": "SD",
    "Tenn": "TN",
    "Tex": "TX",
    "Vt": "VT",
    "Va": "VA",
    "Wash": "WA",
    "W.Va": "WV",
    "Wis": "WI",
    "Wyo": "WY",
    "D.C": "DC",
}
US_POSTAL = frozenset(US_STATE_ABBREVIATIONS.values()) | {"AK", "HI", "ID", "IA", "ME", "OH", "UT"}
_AP = "|".join(re.escape(a) for a in sorted(US_STATE_ABBREVIATIONS, key=len, reverse=True))
#: ", Ky." / ", KY" right after a town: the state it is in (group ``ap`` or ``postal``).
STATE_AFTER = re.compile(
    r",\s?(?:(?P<ap>" + _AP + r")\.|(?P<postal>" + "|".join(sorted(US_POSTAL)) + r")(?![\w.]))"
)
#: A dateline opening an article or a line: "HELENA, Mont. —", "LOUISVILLE, KY--",
#: "BEIRUT (AP) —". The place is in capitals; an agency in brackets may follow.
DATELINE = re.compile(
    r"(?m)^[ \t]*(?P<city>[A-Z][A-Z'’.\-]+(?: [A-Z][A-Z'’.\-]+){0,3})"
    r"(?P<state>,\s?(?:(?P<ap>" + _AP + r")\.|(?P<postal>[A-Z]{2})(?![\w.])"
    r"|[A-Z][a-z]+(?: [A-Z][a-z]+){0,2}))?"
    r"\s*(?:\([A-Za-z .&]+\)\s*)?(?:—|–|--|-\s)"
)


def state_code(match: re.Match[str]) -> str:
    """The postal code of a ``STATE_AFTER`` or ``DATELINE`` match's state ('' if none)."""
    if match.group("ap"):
        return US_STATE_ABBREVIATIONS[match.group("ap")]
    postal = match.group("postal")
    return postal if postal in US_POSTAL else ""
