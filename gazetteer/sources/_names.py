"""Sorting a source's alternate names into kinds, and dropping the junk.

GeoNames alternate names mix real names in many scripts with codes (IATA
"PUS" for Busan, ICAO, postal codes), links, and machine romanisations of
non-Latin names ("busangwang-yeogsi", "bwsan").  Only the real names are
worth a key in the index: codes would make ordinary capitalised words
("PUS", "LAX", "ORD") into place names.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["classify_alternate", "ABBR_MAX_LETTERS"]

_JUNK = re.compile(r"[\d/@_]|http")

#: an all-capitals alternate of at most this many letters is kept as ``abbr``;
#: longer all-capital codes (IATA/ICAO/FAA) are dropped.
ABBR_MAX_LETTERS = 2


def classify_alternate(alt: str, canonical: str) -> str | None:
    """Return the NAME kind of an alternate name, or None to drop it.

    >>> classify_alternate("Pusan", "Busan")
    'alt'
    >>> classify_alternate("PUS", "Busan") is None      # airport code
    True
    >>> classify_alternate("busangwang-yeogsi", "Busan") is None   # romanisation noise
    True
    >>> classify_alternate("U.S.A.", "United States")
    'abbr'
    >>> classify_alternate("부산", "Busan")
    'alt'
    >>> classify_alternate("pwsʼn", "Busan") is None
    True
    """
    a = alt.strip()
    if not a or len(a) > 80 or a == canonical:
        return None
    if _JUNK.search(a):
        return None
    letters = a.replace(".", "").replace(" ", "")
    if a.isascii() and letters.isalpha() and letters.isupper():
        if "." in a or len(letters) <= ABBR_MAX_LETTERS:
            return "abbr"
        return None
    # GeoNames' transliterations of CJK/Arabic/Hebrew names are all lower case
    # Latin ("bwsan", "pwsʼn") while the real Latin names are capitalised
    if a == a.lower() and canonical[:1].isupper() and _latin_only(a):
        return None
    return "alt"


def _latin_only(text: str) -> bool:
    """Every letter is Latin (modifier apostrophes such as ʼ ʻ allowed)."""
    for c in text:
        if c.isalpha():
            if c.isascii():
                continue
            name = unicodedata.name(c, "")
            if not (name.startswith("LATIN") or name.startswith("MODIFIER LETTER")):
                return False
    return True
