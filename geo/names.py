"""Name normalisation shared by the gazetteer index and the recogniser.

Both sides must fold a name the same way, or "al-Tanf" in an article will never meet "At Tanf"
in GeoNames. Folding: Unicode compatibility form, diacritics off, case off, apostrophes and dots
dropped, hyphens as spaces, and Arabic article tokens (al, el, as, ash, ad, ar, ...) removed
wherever they stand, so "Deir ez-Zor", "Dayr az Zawr" and "Deir Zor" all fold alike.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["ARABIC_ARTICLES", "normalize"]

#: Transliterations of the Arabic definite article, with its sun-letter assimilations.
ARABIC_ARTICLES = frozenset(
    [
        "al",
        "el",
        "il",
        "ul",
        "as",
        "ash",
        "ad",
        "adh",
        "ar",
        "az",
        "at",
        "ath",
        "an",
        "es",
        "esh",
        "ed",
        "er",
        "ez",
        "et",
        "en",
    ]
)

#: Latin letters that Unicode does not decompose into a base letter plus a mark.
_TRANSLIT = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ı": "i",
        "þ": "th",
        "ð": "d",
        "ħ": "h",
    }
)
_DROP = re.compile(r"[\u0027\u2018\u2019\u02bb\u02bc\u02be\u02bf`´.]")
_SPACE = re.compile(r"[\s\-\u2010-\u2015_,/]+")
_KEEP = re.compile(r"[^0-9a-z ]")


@lru_cache(maxsize=200_000)
def normalize(name: str) -> str:
    """Fold a place name to its index key (may be empty for names with nothing Latin in them)."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_TRANSLIT))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = _DROP.sub("", stripped.casefold())
    spaced = _SPACE.sub(" ", folded)
    if _KEEP.search(spaced):
        spaced = _KEEP.sub("", spaced)
        if not spaced.strip():
            return ""
    tokens = [t for t in spaced.split() if t not in ARABIC_ARTICLES]
    return " ".join(tokens)
