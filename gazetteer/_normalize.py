"""Name normalisation shared by the gazetteer index and the recogniser.

Every name goes through :func:`normalize` before it is stored or looked up, so
"São Paulo", "Sao Paulo" and "SAO PAULO" meet at one key, and so do "U.S." and
"US", "St. Louis" and "St Louis", "Winston-Salem" and "Winston Salem".
Case is dropped here on purpose: deciding whether "us" or "Police" is a place
is the recogniser's job, which sees the original text.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize", "fold"]

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'",
                         "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-"})
_SPACE = re.compile(r"[\s\-\u00a0]+")
# Latin letters that Unicode does not decompose into a base letter plus a mark, spelt
# as English-language text spells them ("Łódź" → "Lodz", "Đồng Nai" → "Dong Nai")
_UNDECOMPOSED = str.maketrans({"Đ": "D", "đ": "d", "Ł": "L", "ł": "l", "Ø": "O", "ø": "o",
                               "Æ": "Ae", "æ": "ae", "Œ": "Oe", "œ": "oe", "ı": "i",
                               "Þ": "Th", "þ": "th", "Ð": "D", "ð": "d", "Ħ": "H", "ħ": "h",
                               "Ŧ": "T", "ŧ": "t", "ß": "ss"})
_HAS_UNDECOMPOSED = re.compile("[" + "".join(chr(c) for c in _UNDECOMPOSED) + "]")


def fold(text: str) -> str:
    """Strip diacritics from Latin-script text, keep other scripts as they are.

    >>> fold("Łódź"), fold("Đồng Nai"), fold("Москва")
    ('Lodz', 'Dong Nai', 'Москва')
    """
    if text.isascii():  # fast path: nothing to strip
        return text
    if _HAS_UNDECOMPOSED.search(text):  # rare: a search is far cheaper than translate()
        text = text.translate(_UNDECOMPOSED)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped)


def normalize(name: str) -> str:
    """Return the lookup key of a place name.

    Casefolds, strips diacritics, unifies quotes and dashes, drops full stops
    and collapses hyphens and whitespace to one space.

    >>> normalize("  São  Paulo ")
    'sao paulo'
    >>> normalize("U.S.") == normalize("US")
    True
    >>> normalize("Winston-Salem")
    'winston salem'
    """
    key = fold(name.translate(_QUOTES)).casefold().replace(".", "")
    return _SPACE.sub(" ", key).strip()
