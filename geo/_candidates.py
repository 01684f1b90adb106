"""Candidate places for a span's text, forgiving of how the text is cut.

Spans may come from our recogniser or from someone else's annotation
("the United States", "Korea’s", "Laurel County", "Ohio 7",
"Lake Geneva", "northern Italy"): :func:`candidates` tries the text as it
is, then progressively more general readings of it, and says which reading
matched through a *hint* the ranker can use ("admin2" when the text said
County/Parish, "feature" when it said Lake/River/Mount...).
"""
from __future__ import annotations

import logging
import re

from gazetteer import normalize
from gazetteer.errors import GazetteerError

from geo import _lexicon as lex

__all__ = ["Candidates", "candidates", "strip_span_text", "demonym_places"]

logger = logging.getLogger(__name__)

_TRAIL = " \t\n.,;:!?\"'()[]{}\u201c\u201d\u2018\u2019*-\u2013\u2014"
_POSS = re.compile(r"(?:['\u2019]s|s['\u2019])$", re.IGNORECASE)
_LEADING = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_NUMBER_TAIL = re.compile(r"[\s\-]*\d+[A-Za-z]?$")
#: who numbers roads: states and countries
_ROAD_OWNERS = frozenset({"ADM1", "PCLI", "PCLD", "PCLF", "PCLS", "PCLIX", "PCL", "TERR"})
_ADMIN2_CODES = ("ADM2", "ADM3", "ADMD", "ADM2H")
# features whose name does not also name a nearby town
_OPEN_FEATURES = frozenset({"sea", "ocean", "mountains", "range", "desert", "gulf", "strait",
                            "channel", "peninsula", "plateau", "basin", "sound", "coast",
                            "islands", "hills"})


# words that end a facility's name, besides the organisation words of geo._lexicon
_FACILITY_WORDS = frozenset({"international", "regional", "municipal", "proving", "ground",
                             "grounds", "air", "base", "naval", "camp", "terminal", "general",
                             "memorial", "medical", "field", "depot", "plant", "mine", "refinery",
                             "dam", "bridge"})


class Candidates:
    """Places a span's text may name, with how they were found."""

    __slots__ = ("matches", "hint", "key", "static", "can_act", "readings")

    def __init__(self, matches: list, hint: str | None, key: str) -> None:
        self.matches = matches
        self.hint = hint
        self.key = key
        self.static = None     # feature rows, filled and cached by the resolver
        self.can_act = False   # some reading is a capital or a country
        self.readings = None   # per-candidate arrays, filled and cached by the resolver


def strip_span_text(text: str, *, keep_article: bool = False) -> str:
    """Drop leading articles, possessives and surrounding punctuation.

    >>> strip_span_text("the Korea\u2019s,"), strip_span_text("An Giang", keep_article=True)
    ('Korea', 'An Giang')
    """
    t = text.strip() if keep_article else _LEADING.sub("", text.strip())
    t = t.strip(_TRAIL)
    t = _POSS.sub(lambda m: "s" if m.group()[0] in "sS" else "", t)
    return t.strip(_TRAIL)


def candidates(gaz, text: str, *, fuzzy: bool = False, limit: int = 40) -> Candidates:
    """Look ``text`` up in ``gaz``, falling back to more general readings."""
    t = strip_span_text(text)
    if _LEADING.match(text.strip()):
        # "An Giang", "The Hague", "A Coruña": the article may be part of the name
        whole = strip_span_text(text, keep_article=True)
        if whole and gaz.known(normalize(whole)):
            t = whole
    key = normalize(t)
    if not key:
        return Candidates([], None, key)
    hint = None
    words = t.split()
    low = [normalize(w) for w in words]
    if len(words) > 1 and low[-1] in lex.ADMIN_SUFFIXES | {"co", "twp"}:
        hint = "admin2" if low[-1] in ("county", "parish", "borough", "co", "township",
                                       "twp", "district", "municipality", "shire") else "admin"
    elif len(words) > 1 and (low[-1] in lex.FEATURE_SUFFIXES or low[0] in lex.FEATURE_PREFIXES):
        hint = "feature"
    ms = _lookup(gaz, key)
    if ms:
        return Candidates(ms[:limit], hint, key)
    tries: list[tuple[str, str | None]] = []
    # "Hanover Twp.", "Bedford Co." -> "Hanover Township", "Bedford County"
    if len(words) > 1 and low[-1] in ("co", "twp", "par"):
        full = {"co": "county", "twp": "township", "par": "parish"}[low[-1]]
        tries.append((" ".join(low[:-1] + [full]), hint))
    if hint in ("admin2", "admin"):
        tries.append((" ".join(low[:-1]), hint))
    if hint == "feature":
        if low[-1] in lex.FEATURE_SUFFIXES:
            tries.append((" ".join(low[:-1]), hint))
        if low[0] in lex.FEATURE_PREFIXES:
            tries.append((" ".join(low[1:]), hint))
    # "City of X", "Town of X", "Port of X", "X City", "Greater X", "northern X"
    m = re.match(r"^(?:city|town|village|port|county|state|province|republic|borough|township)"
                 r" of (.+)$", key)
    if m:
        tries.append((m.group(1), "admin" if key.startswith(("county", "state", "province"))
                      else None))
    if len(low) > 1 and low[0] in lex.DIRECTION_WORDS:
        tries.append((" ".join(low[1:]), "part"))
    if len(low) > 1 and low[-1] in ("city", "town", "village", "area", "region", "metro"):
        tries.append((" ".join(low[:-1]), None))
    # "Ohio 7", "US-66": a road numbered within a state or country
    stripped = _NUMBER_TAIL.sub("", t)
    if stripped and stripped != t:
        tries.append((normalize(stripped), "road"))
    # "Polk/Clay", "Abkhaz-South Ossetian": each side
    for sep in ("/", " and ", "-"):
        if sep in t and not _NUMBER_TAIL.fullmatch(t.split(sep, 1)[1]):   # not "I-17"
            tries.append((normalize(t.split(sep)[0]), None))
    # a facility named after its town: "Entebbe International Airport", "Aberdeen Proving
    # Ground", "Buffalo General Hospital" lie in or beside that town
    rest = list(low)
    while len(rest) > 1 and (rest[-1] in lex.ORG_WORDS or rest[-1] in _FACILITY_WORDS):
        rest.pop()
    if 0 < len(rest) < len(low):
        tries.append((" ".join(rest), "part"))
    # plural demonyms: "Russians"
    if key.endswith("s") and len(key) > 4:
        tries.append((key[:-1], "plural"))
    # Arabic names end in -a or -ah by transliteration: "Sharqiya" / "Sharqiyah"
    if len(key) > 4 and key[-1] == "a":
        tries.append((key + "h", None))
    elif len(key) > 5 and key.endswith("ah"):
        tries.append((key[:-1], None))
    for k, h in tries:
        k = k.strip()
        if not k:
            continue
        ms = _lookup(gaz, k)
        if ms and h == "plural":
            # "Russians" are Russia's people; "Millbrooks" is not the town of Millbrook
            ms = [m for m in ms if m.kind == "demonym"]
            h = None
        if ms and h == "road":
            # "Ohio 7" is Ohio's road; "I-17" is no road of a town called I
            ms = [m for m in ms if m.place.fcode in _ROAD_OWNERS]
        if ms and h == "feature" and low[-1] in _OPEN_FEATURES:
            # "Black Sea" is not the town of Black: only features and regions will do
            ms = [m for m in ms if m.place.fclass not in ("P", "A") and m.kind != "demonym"]
        if ms:
            return Candidates(ms[:limit], h, k)
    # a people's name the gazetteer does not list: "South Ossetian", "Dagestani"
    dem = demonym_places(gaz, key)
    if dem:
        from gazetteer import Match
        return Candidates([Match(m.place, "demonym") for m in dem][:limit], None, key)
    if fuzzy and len(key) >= 4:
        try:
            ms = list(gaz.fuzzy(t, limit=10))
        except GazetteerError as err:  # fuzzy index unavailable: no guess rather than a crash
            logger.warning("fuzzy lookup of %r failed: %s", t, err)
            ms = []
        if ms:
            return Candidates(ms[:limit], "fuzzy", key)
    return Candidates([], hint, key)


# people's names formed from place names: ending -> replacements to try
_DEMONYM_RULES = (
    ("ians", ("ia", "a", "")), ("ian", ("ia", "a", "")), ("ans", ("a", "", "as", "o")),
    ("an", ("a", "", "as", "o")), ("ese", ("", "a")), ("is", ("",)), ("i", ("",)),
)
_DEMONYM_CODES = frozenset({"PCLI", "PCLD", "PCLF", "PCLS", "PCLIX", "PCL", "TERR", "ADM1",
                            "RGN", "RGNE", "CONT"})


def demonym_places(gaz, key: str) -> list:
    """Countries, states and regions a people's name not in the gazetteer derives from.

    "South Ossetian" -> South Ossetia, "Dagestani" -> Dagestan, "Abkhaz" -> Abkhazia;
    only first-level places qualify, so common words ending in -an or -i stay out.
    """
    if len(key) < 5 or not key.replace(" ", "").isalpha():
        return []
    stems = []
    for end, subs in _DEMONYM_RULES:
        if key.endswith(end) and len(key) - len(end) >= 3:
            stems.extend(key[:-len(end)] + sub for sub in subs)
    stems.append(key + "ia")
    for stem in stems:
        if stem != key and gaz.known(stem):
            ms = [m for m in gaz.lookup(stem) if m.place.fcode in _DEMONYM_CODES
                  and m.kind in ("name", "official", "alt")]
            if ms:
                return ms
    return []


def _lookup(gaz, key: str) -> list:
    if not gaz.known(key):
        return []
    return list(gaz.lookup(key))
