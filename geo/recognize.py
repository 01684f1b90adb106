"""Recognition: article text → candidate place spans.

The default :class:`Recognizer` is a dictionary matcher over the gazetteer's
name index (longest capitalised n-gram first) followed by context rules that
drop what is a person, a ship, a street, a calendar word or a common word at
the start of a sentence, and that keep what the usual annotation conventions
keep: places inside organisation names ("Springfield Police Department"),
both parts of "Springfield, Ill.", abbreviations with their full stops
("U.S."), each side of "US-ROK", ALL-CAPS datelines, possessives without the
``'s``. Demonyms ("South Korean", "Russians") come out as ``kind="demonym"``.
"""
from __future__ import annotations

import bisect
import logging
import math
import re
from dataclasses import dataclass

from gazetteer import Gazetteer, Match, normalize

from geo import _lexicon as lex
from geo._candidates import demonym_places
from geo._words import is_common_word, is_english_word

__all__ = ["Span", "Recognizer"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Span:
    """A place mention found in text. ``start``/``end`` are ``str`` offsets, end exclusive.

    ``kind`` is ``"place"`` or ``"demonym"``.
    """

    start: int
    end: int
    text: str
    kind: str = "place"


# A word: letters/digits, with inner full stops ("U.S", "W.Va") or apostrophes
# ("O'Fallon", "Korea’s"), and an optional trailing full stop kept apart below.
_TOKEN = re.compile(r"[^\W_]+(?:[.'\u2019][^\W_]+)*\.?")
_POSSESSIVE = ("'s", "\u2019s", "'S", "\u2019S")
_JOIN_GAPS = frozenset({" ", "-", ". ", ".-", "\u2011"})
_SENTENCE_END = frozenset(".!?:;")
_OPENERS = "\"'\u201c\u2018([{\u00ab*\u2022-\u2013\u2014 \t"
_DATELINE_AFTER = re.compile(r"\s*(?:,|\(|[-\u2013\u2014\x96\x97]{1,3}\s|[\u2013\u2014]{1,2}(?=[A-Z])|:)")
_PLACE_FCODES_MAJOR = ("PCLI", "PCLD", "PCLF", "PCLS", "PCLIX", "PCL", "TERR", "ADM1", "PPLC", "CONT")
_COUNTRY_FCODES = ("PCLI", "PCLD", "PCLF", "PCLS", "PCLIX", "PCL", "TERR")
# lower-case surface words that may still start or end an abbreviation match
# two-letter codes news prose uses for countries without context (others,
# such as ISO codes "TV" or "IT", are words far more often)
_LIST_GAPS = frozenset({", ", " and ", ", and ", " or ", ", or ", " & "})
_DISEASE_AFTER = re.compile(
    r" \[?(?:(?:bird|swine|avian|equine|canine|horse|hog|pig|camel|hemorrhagic|haemorrhagic|"
    r"spotted|yellow) )?(?:virus|viruses|fever|flu|influenza|disease|ebolavirus|encephalitis|strain|"
    r"strains)\b", re.IGNORECASE)
_DISEASE_AFTER_WORD = re.compile(
    r" [A-Z][a-z]+ (?:[Vv]irus|[Vv]iruses|[Ff]ever|[Ff]lu|[Dd]isease|[Ee]ncephalitis)\b")
# after a possessive: punctuation or a verb, no noun it could own
_BARE_POSSESSIVE = re.compile(r"(?:[,;:)]| (?:is|was|has|had|says|said|will|would|and|or)\b)")
_PAPER_AFTER = re.compile(
    r"(?:'s)? (?:State |Daily |Sunday |Evening |Morning )?(?:Times|Post|Herald|Journal|Tribune|Gazette|"
    r"Daily|Chronicle|Dispatch|Inquirer|Observer|Courier|Register|Sentinel|Star-Ledger|"
    r"Post-Dispatch|Times-Picayune)\b(?! (?:Square|Road|Street|Avenue|Building|Office|Hall))")
_PAPER_BEFORE = re.compile(r"(?:Times|Herald|Post|Tribune) of $")
_DEMONYM_ENDINGS = ("ian", "ians", "an", "ans", "ese", "i", "is", "z")
_COMMON_CODES = frozenset({"us", "uk", "eu"})
_ABBR_KEEP_DOT = frozenset({"co", "twp", "st", "mt", "ft", "ste", "is"})


class _Tok:
    __slots__ = ("start", "core", "end", "dot", "poss", "word", "norm", "cap", "upper", "inner_dot")

    def __init__(self, start: int, raw: str) -> None:
        self.start = start
        self.end = start + len(raw)
        self.dot = dot = raw[-1] == "."
        core = raw[:-1] if dot else raw
        self.poss = False
        if not dot and len(core) > 2 and core[-1] in "sS" and core[-2] in "'\u2019":
            core = core[:-2]
            self.poss = True
        self.core = start + len(core)
        self.word = core
        first = core[0]
        if first.islower():
            # the common case, kept cheap: lower-case ASCII words need no folding
            self.norm = core.lower().replace(".", "") if core.isascii() and "'" not in core \
                else normalize(core)
            # elided articles before a capital count as capitalised ("d'Ivoire")
            self.cap = len(core) > 3 and first in "dl" and core[1] in "'\u2019" and \
                core[2].isupper()
            self.upper = False
        else:
            self.norm = core.lower().replace(".", "") if core.isascii() and "'" not in core \
                else normalize(core)
            # scripts without case (CJK, Arabic...) count as capitalised
            self.cap = first.isupper() or first.isalpha()
            self.upper = len(core) >= 2 and core.isupper() and \
                sum(c.isalpha() for c in core) >= 2
        self.inner_dot = "." in core


def _language_use(text: str, toks: list[_Tok], c: _Cand) -> str | None:
    """A people's word used for a language, a cuisine or an ancestry, not a place."""
    prev = toks[c.i - 1] if c.i > 0 else None
    nxt = toks[c.j + 1] if c.j + 1 < len(toks) else None
    after = text[toks[c.j].core:nxt.start] if nxt is not None else ""
    if nxt is not None and after == " " and not nxt.cap and nxt.norm in lex.LANGUAGE_NOUNS:
        return "language"  # "English language classes", "Thai food"
    if nxt is not None and after == "-" and nxt.norm in lex.LANGUAGE_NOUNS:
        return "language"  # "Asian-themed", "French-speaking" (not "Syrian-held")
    if prev is not None and not prev.cap and prev.norm in lex.LANGUAGE_VERBS and \
            text[prev.end:toks[c.i].start] == " ":
        return "language"  # "spoke only German" is caught below, "learned Spanish" here
    if prev is not None and prev.norm == "only" and c.i > 1 and \
            toks[c.i - 2].norm in lex.LANGUAGE_VERBS:
        return "language"
    if prev is not None and prev.norm == "in" and not prev.cap and (
            nxt is None or after[:1] in ".,;:!?)"):
        return "language"  # "written in Russian.", "airing in English, then"
    return None


def _non_overlapping(spans: list[Span]) -> list[Span]:
    """Keep the first, then longest, of overlapping spans; sorted by start."""
    spans.sort(key=lambda s: (s.start, -s.end))
    out: list[Span] = []
    for s in spans:
        if out and s.start < out[-1].end:
            continue
        out.append(s)
    return out


def _overlaps(spans: list[Span], starts: list[int], s: int, e: int) -> bool:
    """Does ``[s, e)`` overlap one of ``spans`` (sorted, disjoint; ``starts`` their starts)?"""
    # the span starting last before e is the only one that can reach into [s, e)
    k = bisect.bisect_left(starts, e) - 1
    return k >= 0 and spans[k].end > s


def _overlay(spans: list[Span], found: list[Span]) -> list[Span]:
    """``found`` (disjoint) replaces the spans it overlaps; sorted by start."""
    if not found:
        return spans
    starts = [f.start for f in found]
    out = [sp for sp in spans if not _overlaps(found, starts, sp.start, sp.end)]
    out.extend(found)
    out.sort(key=lambda x: x.start)
    return out


def _sentence_start_at(text: str, pos: int) -> bool:
    before = text[max(0, pos - 3):pos].rstrip(" \t\"'\u201c(")
    return not before or before[-1] in ".!?\n"


def _locative(toks: list[_Tok], i: int) -> bool:
    """Does a lower-case locative preposition ("in", "near") come right before token i?"""
    prev = toks[i - 1] if i > 0 else None
    return prev is not None and not prev.cap and prev.norm in lex.LOCATIVE_PREPS


def _tokens(text: str) -> list[_Tok]:
    return [_Tok(m.start(), m.group()) for m in _TOKEN.finditer(text)]


@dataclass(slots=True)
class _Cand:
    i: int            # first token
    j: int            # last token (inclusive)
    start: int
    end: int
    key: str
    matches: list
    kind: str         # "place" | "demonym"
    abbr_only: bool
    significant: bool


def _is_major_alt(place) -> bool:
    # alternate names are noisy: only countries, states, regions and big cities
    # ("The Netherlands", "Acapulco de Juárez") make one significant
    return place.fcode in _PLACE_FCODES_MAJOR or place.fcode in ("RGN", "SEA", "OCN") or (
        place.fclass == "P" and place.population >= 500_000)


def _is_significant(place) -> bool:
    if place.fcode == "ADM1H":  # a former area's name is rarer in text than its towns'
        return False
    return place.fcode in _PLACE_FCODES_MAJOR or place.population >= 100_000 or (
        place.fclass in ("L", "H", "T", "S") and place.id.startswith("em:"))


class Recognizer:
    """Find place mentions in text with the gazetteer's name index and context rules.

    Parameters
    ----------
    gaz : Gazetteer
        A loaded gazetteer (``gazetteer.load()``): ``known``, ``lookup`` and
        ``max_name_tokens`` are used.
    demonyms : bool, default True
        Also return demonym spans ("South Korean", "Americans") with
        ``kind="demonym"``.
    streets : bool, default True
        Also return street and numbered-road names ("Main Street", "Route 66"):
        place mentions that the gazetteer usually cannot resolve.

    Calling the recogniser on a text returns non-overlapping :class:`Span`
    objects sorted by ``start``.
    """

    def __init__(self, gaz: Gazetteer, *, demonyms: bool = True, streets: bool = True) -> None:
        self.gaz = gaz
        self.demonyms = demonyms
        self.streets = streets
        self.max_tokens = max(1, min(int(getattr(gaz, "max_name_tokens", 6) or 6), 8))
        self._cache: dict[str, list | None] = {}
        self._demonym_cache: dict[str, list] = {}
        self._automaton = None   # names in unspaced scripts, built on first use
        #: set to a list to collect (start, end, reason) of rejected candidates (debugging)
        self.trace: list | None = None

    # ------------------------------------------------------------------ lookup
    def _lookup(self, key: str) -> list | None:
        try:
            return self._cache[key]
        except KeyError:
            pass
        res = None
        if key and self.gaz.known(key):
            res = list(self.gaz.lookup(key)) or None
        if len(self._cache) > 200_000:
            self._cache.clear()
        self._cache[key] = res
        return res

    def _placeish(self, key: str) -> bool:
        m = self._lookup(key)
        return bool(m) and any(x.kind in ("name", "official") and (
            x.place.fcode in _PLACE_FCODES_MAJOR or x.place.fclass in ("T", "H", "L")
            or x.place.population >= 20_000) for x in m)

    def _significant_key(self, key: str) -> bool:
        m = self._lookup(key)
        return bool(m) and any(_is_significant(x.place) and x.kind in ("name", "official", "abbr")
                               or x.kind == "alt" and x.place.fcode in _COUNTRY_FCODES
                               for x in m)

    # ------------------------------------------------------------------ main
    def __call__(self, text: str) -> list[Span]:
        if not text:
            return []
        if _caseless(text):
            # all lower case (a transcript, a chat message): names carry no capitals to
            # go by, so the well-known ones are capitalised first (same offsets)
            cased = self._truecase(text)
            return [Span(sp.start, sp.end, text[sp.start:sp.end], sp.kind)
                    for sp in self._recognise(cased)]
        return self._recognise(text)

    def _truecase(self, text: str) -> str:
        """``text`` with the words of significant place names capitalised ("south korea" ->
        "South Korea"); common words ("turkey", "china") and given names stay as they are."""
        toks = _tokens(text)
        chars = list(text)
        n = len(toks)
        i = 0
        while i < n:
            found = 0
            for k in range(min(n, i + self.max_tokens), i, -1):
                if any(text[toks[m].core:toks[m + 1].start] not in _JOIN_GAPS
                       for m in range(i, k - 1)):
                    continue
                if k - i > 1 and (toks[i].norm in lex.CONNECTORS
                                  or toks[k - 1].norm in lex.CONNECTORS):
                    continue
                key = " ".join(t.norm for t in toks[i:k])
                if k - i == 1 and (len(key) < 4 or key in lex.STOP_NAMES or key in lex.CALENDAR):
                    continue
                if self._caseless_name(key, word=k - i == 1 and (
                        is_english_word(key) or key in lex.GIVEN_NAMES)):
                    found = k - i
                    break
            for t in toks[i:i + found]:
                if t.norm not in lex.CONNECTORS or t is toks[i]:
                    up = text[t.start].upper()
                    if len(up) == 1:
                        chars[t.start] = up
            i += found or 1
        return "".join(chars)

    def _unspaced(self, text: str, spans: list[Span]) -> list[Span]:
        """Add the names found inside runs of Chinese, Japanese or Korean script, which
        words do not separate ("北京和上海", "서울에서"): the longest gazetteer name at each
        position, leftmost first (Aho-Corasick over the gazetteer's names in those scripts).
        Two-character names count only as countries, states, capitals or cities of a
        million, since so many two-character words are also some town's name."""
        if self._automaton is None:
            self._automaton = _unspaced_automaton(self.gaz)
        found: list[tuple[int, int]] = []
        for run in _UNSPACED.finditer(text):
            hits = sorted(((run.start() + end - len(key) + 1, run.start() + end + 1)
                           for end, key in self._automaton.iter(run.group())),
                          key=lambda h: (h[0], -h[1]))
            last = -1
            for s, e in hits:
                if s >= last and self._unspaced_name(text[s:e]):
                    found.append((s, e))
                    last = e
        if not found:
            return spans
        starts = [sp.start for sp in spans]
        out = list(spans)
        out.extend(Span(s, e, text[s:e], "place") for s, e in found
                   if not _overlaps(spans, starts, s, e))
        out.sort(key=lambda sp: sp.start)
        return out

    def _unspaced_name(self, key: str) -> bool:
        m = self._lookup(key)
        if not m or len(key) < 2:
            return False
        if len(key) == 2:
            return any(x.place.fcode in _PLACE_FCODES_MAJOR or x.place.population >= 1_000_000
                       for x in m)
        return any(_is_significant(x.place) or x.place.population >= 10_000 for x in m)

    def _caseless_name(self, key: str, word: bool) -> bool:
        """Is ``key`` a well-known place name (a country, a state, a city of 100,000, one of
        500,000 by an alternate name)? One spelt like a word or a given name ("turkey",
        "paris") only if a country or a city of a million."""
        m = self._lookup(key)
        if not m:
            return False
        if word:
            return any(x.kind in ("name", "official", "alt") and (
                x.place.fcode in _COUNTRY_FCODES
                or x.place.fclass == "P" and x.place.population >= 1_000_000) for x in m)
        return any(x.kind in ("name", "official", "abbr") and _is_significant(x.place)
                   or x.kind == "alt" and _is_major_alt(x.place) for x in m)

    def _recognise(self, text: str) -> list[Span]:
        toks = _tokens(text)
        if not toks:
            return []
        title_lines = _title_case_lines(text)
        cands = self._candidates(text, toks)
        spans = self._filter(text, toks, cands, title_lines)
        if not text.isascii() and _UNSPACED.search(text):
            spans = self._unspaced(text, spans)
        spans = self._features(text, spans)
        spans = self._unknown_names(text, spans)
        return self._streets(text, spans) if self.streets else spans

    def _unknown_names(self, text: str, spans: list[Span]) -> list[Span]:
        """Add names the gazetteer lacks where the text says they are places: "the village
        of X", "in X, <State or country>," (the resolver then places them in what the text
        puts them in, if it says)."""
        found = []
        # (each frame is looked for from its cheapest part: most texts have none)
        if any(k in text for k in _KINDS_OF):
            for m in _KIND_OF_UNKNOWN.finditer(text):
                found.append((m.start(1), m.end(1)))
        for c in _COMMA_CAP.finditer(text):
            head = max(0, c.start() - 60)
            m = _LOCATIVE_BEFORE.search(text, head, c.start())
            if m:
                found.append((m.start(1), m.end(1)))
        for k in _KIND_AFTER.finditer(text):
            head = max(0, k.start() - 60)
            m = _NAME_BEFORE.search(text, head, k.start())
            if m:
                found.append((m.start(1), m.end(1)))
        new = []
        starts = [sp.start for sp in spans]
        for s, e in found:
            name = text[s:e]
            words = [normalize(w) for w in name.split()]
            if any(w in lex.STOP_NAMES or w in lex.CALENDAR or w in lex.TITLES for w in words):
                continue
            if len(words) == 1 and (words[0] in lex.GIVEN_NAMES or is_common_word(words[0])):
                continue
            if _overlaps(spans, starts, s, e) or self._lookup(normalize(name)):
                continue
            if text[e:e + 1] == "," and not self._closes_at(text, e):
                continue   # "in Smith, Jones and Brown": no state or country closes it
            new.append(Span(s, e, name, "place"))
        if not new:
            return spans
        return sorted(spans + _non_overlapping(new), key=lambda sp: sp.start)

    def _closes_at(self, text: str, end: int) -> bool:
        """Does ", <state or country>" follow ``end`` and close the phrase ("West, Texas, is";
        not "Police, Texas Rangers")?"""
        m = _STATE_AFTER.match(text, end)
        if not m:
            return False
        words = m.group(1).split()
        for k in range(len(words), 0, -1):
            name = " ".join(words[:k])
            hit = self._lookup(normalize(name))
            if hit and any(x.place.fcode in ("ADM1",) + _COUNTRY_FCODES for x in hit):
                return text[m.start(1) + len(name):][:1] in ("", ",", ".", ";", ":", ")")
        return False

    def _features(self, text: str, spans: list[Span]) -> list[Span]:
        """Add natural features the gazetteer lacks, by their generic word ("Brandt River",
        "Lake Mercer", "Gull Islands"); they replace the place names they contain
        (the resolver still reads "Brandt River" as near a town of Brandt)."""
        found = []
        starts = [sp.start for sp in spans]   # sorted and disjoint
        for m in _FEATURE.finditer(text):
            s, e = m.start(), m.end()
            words = m.group().split()
            name_words = [w for w in words if normalize(w) not in lex.FEATURE_SUFFIXES
                          and normalize(w) not in lex.FEATURE_PREFIXES]
            if not name_words or any(normalize(w) in lex.STOP_NAMES or
                                     normalize(w) in lex.CALENDAR for w in name_words):
                continue
            k = bisect.bisect_right(starts, s) - 1
            if k >= 0 and e <= spans[k].end:
                continue  # a known name already covers it ("Lake Erie", "Clear Lake")
            nxt = _NEXT_WORD.match(text, e)
            if nxt and normalize(nxt.group(1)) in _ORG_OR_STREET:
                continue  # "Lake Forest College", "River Oaks Drive"
            if _sentence_start_at(text, s) and len(name_words) == 1 and \
                    normalize(name_words[0]) in lex.GIVEN_NAMES:
                continue
            found.append(Span(s, e, text[s:e], "place"))
        return _overlay(spans, found)

    def _streets(self, text: str, spans: list[Span]) -> list[Span]:
        """Add street and road names ("Main Street", "Route 66"), which the gazetteer lacks
        but the resolver places in the town the text puts them in ("Main Street in Dover");
        they replace the place names they contain."""
        found = []
        # the full pattern is slow to try at every position: most articles name no street
        streets = _STREET.finditer(text) if _STREET_WORD.search(text) else ()
        for m in streets:
            s, e = m.start(), m.end()
            words = m.group().split()
            if normalize(words[0]) in lex.STOP_NAMES - lex.DIRECTION_WORDS - _STREET_OK_FIRST \
                    and len(words) == 2:
                continue  # "United Way", "One Way", "Main" is fine
            # "Nevada Highway Patrol": the street word heads an organisation name
            nxt = _NEXT_WORD.match(text, e)
            if nxt and nxt.group(1)[0].isupper() and normalize(nxt.group(1)) in lex.ORG_WORDS:
                continue
            found.append(Span(s, e, text[s:e], "place"))
        for m in _ROAD_NUMBER.finditer(text):
            found.append(Span(m.start(), m.end(), m.group(), "place"))
        # "between Fenwick and Dorrance streets": a plural street word names every item
        if any(w in text for w in _STREET_PLURAL_TAILS) and _STREETS_PLURAL.search(text):
            for m in _STREET_LIST.finditer(text):
                if _CAPWORD_BEFORE.search(text, max(0, m.start() - 30), m.start()):
                    continue   # "Cedar Falls and Dorrance roads": names of several words
                for w in _CAPWORD_RE.finditer(m.group(1)):
                    # "First and Herman streets": numbered streets are no names to map
                    if normalize(w.group()) not in _NOT_STREET_NAMES:
                        found.append(Span(m.start(1) + w.start(), m.start(1) + w.end(),
                                          w.group(), "place"))
        return _overlay(spans, _non_overlapping(found))

    # candidates: longest gazetteer n-gram at each capitalised token
    def _candidates(self, text: str, toks: list[_Tok]) -> list[_Cand]:
        out: list[_Cand] = []
        n = len(toks)
        i = 0
        while i < n:
            t = toks[i]
            if not (t.cap or t.word[:1].isdigit()):
                i += 1
                continue
            # a capitalised article or particle starts only a longer name ("El Paso",
            # "Des Moines", "Le Mans", "Van Buren"), never a name of its own
            lowest = i + 1 if t.norm in lex.CONNECTORS and not t.upper else i
            found = None
            # the last token a name may reach: stop at a non-joining gap
            last = i
            while last + 1 < n and last - i + 1 < self.max_tokens:
                if toks[last].poss:
                    break
                gap = text[toks[last].core:toks[last + 1].start]
                if gap not in _JOIN_GAPS:
                    break
                nt = toks[last + 1]
                if not (nt.cap or nt.word[:1].isdigit() or nt.norm in lex.CONNECTORS):
                    break
                last += 1
            for j in range(last, lowest - 1, -1):
                c = self._try(text, toks, i, j)
                if c is not None:
                    found = c
                    break
            if found is None:
                i += 1
                continue
            out.append(found)
            i = found.j + 1
        return out

    def _try(self, text: str, toks: list[_Tok], i: int, j: int) -> _Cand | None:
        first, lastt = toks[i], toks[j]
        # case: every token capitalised, inner lower-case connectors allowed
        for k in range(i, j + 1):
            tk = toks[k]
            if tk.cap or tk.word[:1].isdigit():
                continue
            if i < k < j and tk.norm in lex.CONNECTORS:
                continue
            return None
        if not (lastt.cap or lastt.word[:1].isdigit()):
            return None
        if j > i and first.norm in ("the",):
            return None  # "The Hague" is tried again from "Hague"'s side only if needed
        if j == i and first.word[:1].isdigit():
            return None
        # the tokens' own keys joined: what normalize() makes of the surface text, since
        # joining gaps (" ", "-", ". ") all normalise to one space (and far cheaper)
        key = first.norm if j == i else " ".join([t.norm for t in toks[i:j + 1]])
        matches = self._lookup(key)
        end = lastt.core
        kind = "place"
        if matches is None and j == i and self.demonyms and key.endswith("s") and len(key) > 4:
            # plural demonym: "Russians", "Ohioans"
            sing = self._lookup(key[:-1])
            if sing:
                dem = [m for m in sing if m.kind == "demonym"]
                if dem:
                    matches = dem
        if matches is None and self.demonyms and j - i < 2 and not lastt.upper and \
                key.endswith(_DEMONYM_ENDINGS) and not is_common_word(lastt.norm):
            # a people's name the gazetteer lacks: "South Ossetian", "Dagestani"
            dem = self._demonym_cache.get(key)
            if dem is None:
                dem = self._demonym_cache[key] = demonym_places(self.gaz, key)
            if dem:
                matches = [Match(m.place, "demonym") for m in dem]
        if matches is None:
            return None
        place_m = [m for m in matches if m.kind != "demonym"]
        dem_m = [m for m in matches if m.kind == "demonym"]
        strong = [m for m in place_m if _is_significant(m.place) and m.kind in ("name", "official")]
        if dem_m and (not strong or not any(m.place.fcode in _COUNTRY_FCODES for m in strong)
                      and not _locative(toks, i)):
            # a country's people word is read as such ("German engineers", "Somali
            # traders") unless the text puts it somewhere ("in Somali"), even where an
            # area of that name exists (Ethiopia's Somali Region)
            kind = "demonym"
            matches = dem_m
        else:
            matches = place_m
        if not matches:
            return None
        abbr_only = all(m.kind == "abbr" for m in matches)
        # "U.S.", "W.Va.", "Ill.", "Bedford Co." own their full stop; "DPRK." and "Texas." do not
        if lastt.dot and (lastt.inner_dot or not lastt.upper and (
                abbr_only or any(m.kind == "abbr" for m in matches))
                or lastt.norm in _ABBR_KEEP_DOT and not lastt.upper):
            end = lastt.end
        if j == i and not lastt.upper and is_common_word(key):
            # a common word ("Region", "Coast", "Downtown") names a major place only as a
            # country, a continent or a city of 100,000: an area or an alternate name of
            # that spelling needs the text's support like any small place
            significant = any(m.kind in ("name", "official", "alt") and (
                m.place.fcode in _COUNTRY_FCODES or m.place.fcode == "CONT"
                or m.place.fclass == "P" and m.place.population >= (
                    100_000 if m.kind != "alt" else 500_000)
                or m.place.fclass in ("L", "H", "T", "S") and m.place.id.startswith("em:"))
                for m in matches)
        else:
            significant = any(_is_significant(m.place) for m in matches
                              if m.kind in ("name", "official", "abbr", "demonym")) or any(
                _is_major_alt(m.place) for m in matches if m.kind == "alt") and (
                len(key) > 2 or not key.isascii())
        return _Cand(i, j, first.start, end, key, matches, kind, abbr_only, significant)

    # ------------------------------------------------------------------ filter
    def _filter(self, text: str, toks: list[_Tok], cands: list[_Cand], title_lines) -> list[Span]:
        # article-level bans: names seen as persons or ships anywhere
        banned: set[str] = _person_surnames(text, toks, self._significant_key, self._lookup,
                                            title_lines)
        midsentence_keys: set[str] = set()
        supported: set[str] = set()   # keys seen after "in", before ", <State>"
        # keys a state or a plural generic word names ("West, Texas", "Union and Liberty counties"):
        # places even when spelt like a stop word
        strong: set[str] = set()
        for c in cands:
            if self._supported(text, toks, c):
                supported.add(c.key)
                if c.key in lex.STOP_NAMES and (self._closes_at(text, c.end)
                                                or _LIST_OF_AREAS.match(text, c.end)):
                    strong.add(c.key)
            why = self._person_or_ship(text, toks, c) or self._person_verb(text, toks, c)
            if why:
                banned.add(c.key)
            elif not _sentence_start(text, toks, c.i) and not _in_lines(c.start, title_lines):
                midsentence_keys.add(c.key)
        caps_lines = _caps_lines(text)
        spans: list[Span] = []
        last_end = -10
        last_was_place = False
        for c in cands:
            # "in Tamworth, Dubbo, Orange and Bathurst": a list continues its support
            listed = last_was_place and text[last_end:c.start] in _LIST_GAPS
            why = self._reject(text, toks, c, banned, midsentence_keys, title_lines,
                               last_end, last_was_place, caps_lines,
                               supported | {c.key} if listed else supported, strong)
            if why is not None:
                if self.trace is not None:
                    self.trace.append((c.start, c.end, why))
                continue
            if c.kind == "demonym" and not self.demonyms:
                continue
            spans.append(Span(c.start, c.end, text[c.start:c.end], c.kind))
            last_end = c.end
            last_was_place = c.kind == "place"
        return spans

    def _person_or_ship(self, text: str, toks: list[_Tok], c: _Cand) -> str | None:
        prev = toks[c.i - 1] if c.i > 0 else None
        nxt = toks[c.j + 1] if c.j + 1 < len(toks) else None
        if prev is not None:
            gap = text[prev.core:toks[c.i].start]
            if gap in (" ", ". "):
                if prev.norm in lex.SHIP_PREFIXES or (prev.norm in lex.SHIP_NOUNS and not prev.cap):
                    return "ship"
                if c.kind == "place" and not c.abbr_only:
                    # "Sen. Warner", "President Lincoln"; not "... Court Judge. Columbus"
                    if prev.norm in lex.TITLES and prev.cap and (gap == " " or len(prev.word) <= 4):
                        return "person"
                    if gap == " " and prev.cap and prev.norm in lex.GIVEN_NAMES and not prev.upper and \
                            not self._significant_key(prev.norm):
                        return "person"
                if prev.norm in lex.STORM_WORDS and prev.cap and gap == " ":
                    return "storm"  # "Typhoon Haiyan", "Tropical Storm Allison"
            # "the submarine USS Missouri", "the nuclear submarine Missouri"
            if c.i > 1 and prev.norm in lex.SHIP_PREFIXES:
                return "ship"
        if (nxt is not None and c.kind == "place" and c.i == c.j
                and toks[c.i].norm in lex.GIVEN_NAMES and nxt.cap and not nxt.upper
                and text[toks[c.j].core:nxt.start] == " " and not toks[c.j].poss):
            nn = nxt.norm
            # ("Paris Police", "Marion Residents": a town's people, capitalised)
            if not (nn in lex.ORG_WORDS or nn in lex.STREET_WORDS or nn in lex.FEATURE_SUFFIXES
                    or nn in lex.ADMIN_SUFFIXES or nn in lex.STOP_NAMES or nn in lex.CALENDAR
                    or nn in lex.LOCAL_NOUNS):
                m = self._lookup(nn)
                if not m or not any(x.place.fcode in _COUNTRY_FCODES or x.place.fcode == "ADM1"
                                    for x in m):
                    return "given-name"
        return None

    def _person_verb(self, text: str, toks: list[_Tok], c: _Cand) -> str | None:
        """A minor place's name before a verb of saying or of a person's life is a person's.

        "Jackson said", "Whitfield died", "the Carter administration"; major places
        keep their metonymy ("Seoul said") and a locative frame keeps the place.
        """
        if c.i != c.j or c.kind != "place" or c.significant or _locative(toks, c.i):
            return None
        nxt = toks[c.j + 1] if c.j + 1 < len(toks) else None
        if nxt is None or nxt.cap or text[toks[c.j].end:nxt.start] != " ":
            return None
        if nxt.norm in lex.PERSON_VERBS or nxt.norm in lex.SPEECH_VERBS:
            return "person-verb"
        if nxt.norm == "administration":
            return "person-verb"
        return None

    def _reject(self, text, toks, c: _Cand, banned, midsentence_keys, title_lines,
                last_end, last_was_place, caps_lines=(), supported=frozenset(),
                strong=frozenset()) -> str | None:
        first = toks[c.i]
        single = c.i == c.j
        prev = toks[c.i - 1] if c.i > 0 else None
        nxt = toks[c.j + 1] if c.j + 1 < len(toks) else None
        after = text[c.end:c.end + 4]
        comma_after_place = last_was_place and text[last_end:c.start] in (", ", ",")
        line_start = _line_start(text, c.start)
        dateline = first.upper and bool(_DATELINE_AFTER.match(text, c.end)) and (
            line_start or len(c.key) >= 4 or c.j > c.i)
        locative = _locative(toks, c.i)

        if c.key in banned and not locative:
            return "banned"
        if not single and all(toks[k].norm in lex.ORG_WORDS or toks[k].norm in lex.CONNECTORS
                              for k in range(c.i, c.j + 1)) and not c.significant:
            return "stop"  # "State University" is an institution, not the hamlet
        # "St. Mary's School", "St. Patrick's Day": a saint's institution or feast
        if first.norm in ("st", "saint", "ste") and toks[c.j].poss and nxt is not None \
                and nxt.cap and not nxt.upper:
            return "saint"
        if single and len(c.key) < 2:
            return "letter"  # "U Haul It", "H2O"
        if c.kind == "demonym":
            why = _language_use(text, toks, c)
            if why:
                return why
        if single and c.key in lex.STORM_WORDS and nxt is not None and nxt.cap and \
                text[toks[c.j].core:nxt.start] == " ":
            return "storm"  # "Cyclone Tracy hit": the storm, not Hurricane, Utah
        # two letters in title case ("Lu", "Ba") are a surname or a syllable more often
        # than one of the small places so named: only with a locative frame
        if single and len(c.key) <= 2 and c.key.isascii() and not first.upper \
                and not c.significant and c.key not in supported and c.kind == "place":
            return "short"
        if single and (c.key in lex.CALENDAR or c.key in lex.TITLES):
            return "calendar"
        if prev is not None and prev.norm in ("st", "saint", "ste", "san", "santa") and \
                text[prev.core:first.start] in (" ", ". "):
            return "saint"  # "St. Dover" unknown to the gazetteer: not Dover
        # hyphenated words: "Wal-Mart" is no place, "US-ROK" and "D-Charleston" hold two
        for nb, gap in ((prev, text[prev.core:first.start] if prev else ""),
                        (nxt, text[toks[c.j].core:nxt.start] if nxt else "")):
            if nb is not None and gap == "-" and nb.cap and len(nb.word) > 1 \
                    and not (nb.upper and len(nb.word) <= 3) and not self._lookup(nb.norm):
                return "hyphen"
        # "US$460", "A$5": currencies
        if text[c.end:c.end + 1] == "$":
            return "currency"
        # "West Nile virus", "Marburg fever", "A/California/7/2009": diseases and strains
        if _DISEASE_AFTER.match(text, c.end) or text[c.start - 1:c.start] == "/" and \
                text[c.end:c.end + 1] == "/":
            return "disease"
        # ... and a small place's name before another word of a disease's ("Mad Cow
        # disease", "Dry Creek fever"; a country keeps its place: "Guinea Ebola outbreak")
        if not c.significant and _DISEASE_AFTER_WORD.match(text, c.end):
            return "disease"
        # a firm named in the possessive: "a McDonald's restaurant", "McDonald's is
        # recalling", "a spokeswoman for McDonald's, ..." (a place's possessive owns a noun)
        if single and toks[c.j].poss and not c.significant and c.kind == "place" and (
                prev is not None and prev.norm in ("a", "an") and not prev.cap
                or _BARE_POSSESSIVE.match(text, toks[c.j].end)):
            return "firm"
        # newspapers: "New York Times", "Dayton State Journal", "Times of London"
        if _PAPER_AFTER.match(text, c.end) or \
                _PAPER_BEFORE.search(text[max(0, c.start - 12):c.start]):
            return "newspaper"
        # firms: "Harper & Lowe", "Baxter & Finch LLC"
        if single:
            after_amp = re.match(r" & ([A-Z][\w]*)", text[c.end:c.end + 40])
            before_amp = re.search(r"([A-Z][\w]*) & $", text[max(0, c.start - 40):c.start])
            other = after_amp or before_amp
            if other and not self._placeish(normalize(other.group(1))):
                return "firm"  # "Trinidad & Tobago" stays
        # age after a name: "Moreno, 37,"
        if single and re.match(r", \d{1,3},", text[c.end:c.end + 6]):
            return "age"
        if self._person_or_ship(text, toks, c):
            return "person"
        # streets: "Leeds Road", "Maple St." (but "Kansas Turnpike" is in Kansas, and
        # "Coshocton County Court", "Gallia County Road 12" are the county's court and road)
        if nxt is not None and nxt.cap and nxt.norm in lex.STREET_WORDS and \
                text[toks[c.j].core:nxt.start] == " " and not toks[c.j].poss and \
                not (c.j > c.i and toks[c.j].norm in lex.ADMIN_SUFFIXES) and \
                not any(m.place.fcode in _COUNTRY_FCODES + ("ADM1",) for m in c.matches):
            return "street"

        all_upper = all(toks[k].upper for k in range(c.i, c.j + 1))
        in_caps_line = _in_lines(c.start, caps_lines)
        if all_upper and not dateline:
            if c.abbr_only or any(m.kind == "abbr" for m in c.matches):
                if first.norm in lex.FUNCTION_WORDS and not comma_after_place:
                    return "caps-function"
                if in_caps_line and not comma_after_place and len(c.key) <= 3:
                    return "caps-line"
                if len(c.key.replace(" ", "")) <= 2 and not comma_after_place and \
                        not first.inner_dot and c.key not in _COMMON_CODES and not any(
                        m.place.fclass == "L" for m in c.matches):
                    return "postal"  # "OR", "IN" postal codes only after "City, "
            elif not in_caps_line:
                return "acronym"  # "AIDS", "FBI": acronyms, not names
        if single and not all_upper and not first.inner_dot:
            if c.key in lex.STOP_NAMES and c.key not in strong:
                return "stop"
            if c.abbr_only:
                # "Ill.", "Calif.": state abbreviations after "City, " or a preposition,
                # before a lower-case noun ("a Mass. software maker", "Ga. farmer") or
                # in a party-state tag ("D-Mich", "R-Ohio")
                party = text[max(0, c.start - 4):c.start].endswith(("D-", "R-", "I-", "DFL-"))
                if not first.dot and not party:
                    return "abbr-nodot"
                adjectival = nxt is not None and not nxt.cap and \
                    text[toks[c.j].end:nxt.start] == " " and nxt.word.isalpha()
                if not (comma_after_place or locative or dateline or party or adjectival):
                    return "abbr-context"
            # prose continuing a capitalised name run: "Marisol Ann Henry"
            # (a country or continent ends an organisation's name: "Save the Children
            # Kenya", "sub-Saharan Africa")
            if prev is not None and prev.cap and not prev.upper and c.kind == "place" and \
                    not c.significant:
                gap = text[prev.core:first.start]
                if gap == " " and not prev.poss and not prev.dot and \
                        not _sentence_start(text, toks, c.i - 1) and \
                        prev.norm not in lex.DIRECTION_WORDS and prev.norm not in lex.CALENDAR \
                        and prev.norm not in lex.CONNECTORS and prev.norm not in lex.STOP_NAMES \
                        and prev.norm not in lex.ORG_WORDS and not self._placeish(prev.norm) \
                        and not _in_lines(c.start, title_lines):
                    return "name-run"
            # a small place's name before an unknown capitalised word starts a person's or a
            # firm's name ("Perry Okonkwo", "Tilden Vantrell"): neither a place, nor a word,
            # nor a name part that places take ("Valley", "County", "Police")
            if nxt is not None and nxt.cap and not nxt.upper and len(nxt.word) > 1 and \
                    c.kind == "place" and not c.significant and \
                    not (locative and prev.norm != "of") and \
                    not first.poss and text[first.core:nxt.start] == " " and \
                    not _in_lines(c.start, title_lines) and not dateline:
                nn = nxt.norm
                if not (nn in lex.STOP_NAMES or nn in lex.FEATURE_SUFFIXES or nn in lex.ADMIN_SUFFIXES
                        or nn in lex.DIRECTION_WORDS or nn in lex.CONNECTORS or nn in lex.LOCAL_NOUNS
                        or is_common_word(nn) or self._placeish(nn)):
                    return "name-pair"
            # person before a verb of saying ("Jackson said") unless a major place
            if nxt is not None and not nxt.cap and nxt.norm in ("said", "says", "told") \
                    and text[toks[c.j].end:nxt.start] == " " and not locative \
                    and not c.significant and c.kind == "place":
                return "said"
        # "the Red Cross said", "the Salvation Army says": an organisation, where a town
        # would not take "the"
        if not c.significant and c.kind == "place" and prev is not None and \
                prev.norm == "the" and nxt is not None and not nxt.cap and \
                nxt.norm in lex.SPEECH_VERBS and text[toks[c.j].end:nxt.start] == " " and \
                all(m.place.fclass == "P" for m in c.matches):
            return "org"
        # a small place spelt like a given name ("Kate", "Blake") likewise
        if single and c.kind == "place" and not c.significant and not c.abbr_only \
                and not dateline and c.key not in supported and c.key in lex.GIVEN_NAMES:
            return "given-name"
        # "250 B.C.", "J.R. Vostrel": eras and initials, not places
        if single and prev is not None and prev.word.isdigit() and \
                c.key in ("bc", "ad", "bce", "ce"):
            return "era"
        if single and first.inner_dot and not comma_after_place and \
                not any(m.place.fcode in _COUNTRY_FCODES for m in c.matches):
            if nxt is not None and nxt.cap and not nxt.upper and \
                    text[toks[c.j].end:nxt.start] == " " and not self._lookup(nxt.norm) \
                    and nxt.norm not in lex.STOP_NAMES:
                return "initials"
        # a small place spelt like a common word ("Garden", "Honor") needs a locative
        # context somewhere in the article: "in Normal", "Normal, Ill."
        if single and c.kind == "place" and not c.significant and not c.abbr_only \
                and not dateline and c.key not in supported and is_common_word(c.key):
            return "common-word"
        # a small place known only by an alternate name ("Google" was Topeka's for a month)
        # likewise: alternate names are the gazetteer's noisiest
        if single and c.kind == "place" and not c.significant and not c.abbr_only \
                and not dateline and c.key not in supported and \
                all(m.kind == "alt" for m in c.matches):
            return "alt-only"
        # sentence-initial / headline words need support
        if single and not c.significant and c.kind == "place" and not dateline and (
                _sentence_start(text, toks, c.i) or _in_lines(c.start, title_lines)):
            backed = (c.key in midsentence_keys or c.key in supported or after.startswith(",")
                      and self._followed_by_place(text, toks, c))
            if not backed:
                return "sentence-initial"
        return None

    def _supported(self, text, toks, c: _Cand) -> bool:
        """Is this occurrence in a locative frame ("in X", "X, Texas", "X-based")?"""
        if c.i > 0:
            p = toks[c.i - 1]
            if not p.cap and p.norm in lex.LOCATIVE_PREPS and p.norm != "of" and \
                    text[p.end:toks[c.i].start] == " ":
                return True
            # "the regional capital Zorbuton", "the port town Qwertbury"
            if not p.cap and not p.poss and p.norm in _APPOSITIVE_KINDS and \
                    text[p.end:toks[c.i].start] == " ":
                return True
            if p.norm == "of" and not p.cap and c.i > 1 and text[p.end:toks[c.i].start] == " ":
                pp = toks[c.i - 2]
                gap = text[pp.core:p.start]
                # "Ann Ruiz of Shelby", "Paul Diaz, 41, of Bristow": a person of a
                # town; "30 miles northwest of Galva": a direction from it
                if (pp.cap and gap == " " and not is_common_word(c.key)
                        or pp.word.isdigit() and gap == ", "
                        or not pp.cap and pp.norm in lex.DIRECTION_WORDS and gap == " "
                        or not pp.cap and pp.norm in _KIND_OF_PLACE and gap == " "):
                    return True   # ... "the town of Kalmar", "the island of Tinos"
        # party and home town of a legislator: "Delegate Mary Stone, R-Logan"
        if text[max(0, c.start - 4):c.start].endswith(("D-", "R-", "I-", "DFL-")):
            return True
        if text[c.end:c.end + 1] == "," and self._followed_by_place(text, toks, c):
            return True
        # "Hartley couple", "Marion city officials", "Shelby area"; a name that is also a
        # common word only before the surest of these ("Normal police", "Normal man")
        if c.j + 1 < len(toks):
            nx = toks[c.j + 1]
            if not nx.cap and nx.norm in lex.LOCAL_NOUNS and text[c.end:nx.start] == " " and \
                    not toks[c.j].poss and (not is_common_word(c.key)
                                            or nx.norm in lex.LOCAL_PEOPLE):
                return True
        # "Banner and Garden counties": a list that a plural generic word ends
        if _LIST_OF_AREAS.match(text, c.end):
            return True
        return text[c.end:c.end + 6] == "-based"

    def _followed_by_place(self, text, toks, c: _Cand) -> bool:
        k = c.j + 1
        if k >= len(toks) or not text[c.end:toks[k].start].startswith(","):
            return False
        t = toks[k]
        if not t.cap:
            return False
        for j in range(min(len(toks) - 1, k + 2), k - 1, -1):
            key = normalize(text[t.start:toks[j].core])
            m = self._lookup(key)
            if m and any(x.place.fcode in ("ADM1",) + _COUNTRY_FCODES for x in m):
                return True
        return False


# ---------------------------------------------------------------------- streets
_CAPWORD = r"(?:[A-Z][a-z]+(?:-[A-Z][a-z]+)?|[A-Z]\.|\d{1,3}(?:st|nd|rd|th))"
_STREET = re.compile(
    r"\b(?:(?:N|S|E|W|North|South|East|West|Old|New)\.? )?(?:" + _CAPWORD + r" ){0,2}"
    r"(?:[A-Z][a-z]+|\d{1,3}(?:st|nd|rd|th)) "
    r"(?:Street|Road|Avenue|Boulevard|Lane|Parkway|Highway|Pike|Drive|Trail|Circle|Terrace"
    r"|St\.|Rd\.|Ave\.|Blvd\.|Ln\.|Pkwy\.)(?![\w-])")
# "NC 55", "TX 71": a state route named by the state's postal code
_US_STATE_CODES = (r"(?:A[LKZR]|C[AOT]|DE|FL|GA|HI|I[DLNA]|K[SY]|LA|M[EDAINSOT]|N[EVHJMYCD]|"
                   r"O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[TA]|W[AVIY]) (?=\d)")
_STREET_WORD = re.compile(
    r" (?:Street|Road|Avenue|Boulevard|Lane|Parkway|Highway|Pike|Drive|Trail|Circle|Terrace"
    r"|St\.|Rd\.|Ave\.|Blvd\.|Ln\.|Pkwy\.)(?![\w-])")
_ROAD_NUMBER = re.compile(
    r"\b(?:(?:State |County |U\.S\. |US |Farm to Market )?(?:Highway|Route|Road|Hwy\.?)"
    r"|Interstate|I-|US-|SR-?|FM|" + _US_STATE_CODES + r") ?\d{1,4}\b(?!,\d)")
_NEXT_WORD = re.compile(r" ([A-Z][a-z]+)")
_STREET_PLURAL_TAILS = ("treets", "oads", "venues", "oulevards", "rives", "anes")
_STREETS_PLURAL = re.compile(r" (?:[Ss]treets|[Rr]oads|[Aa]venues|[Bb]oulevards|[Dd]rives|[Ll]anes)\b")
_STREET_LIST = re.compile(
    r"\b((?:[A-Z][a-z]+, )*[A-Z][a-z]+,? (?:and|or) [A-Z][a-z]+) "
    r"(?:[Ss]treets|[Rr]oads|[Aa]venues|[Bb]oulevards|[Dd]rives|[Ll]anes)\b")
_CAPWORD_RE = re.compile(r"[A-Z][a-z]+")
_CAPWORD_BEFORE = re.compile(r"[A-Z][\w.]* $")
_NOT_STREET_NAMES = lex.CONNECTORS | lex.DIRECTION_WORDS | frozenset(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split())
_LIST_OF_AREAS = re.compile(
    r"(?:(?:,|, and|, or| and| or) [A-Z][\w.'\u2019-]*(?: [A-Z][\w.'\u2019-]*)?){0,8}"
    r" (?:counties|parishes|townships|boroughs|districts|provinces|rivers)\b")
_ORG_OR_STREET = lex.ORG_WORDS | lex.STREET_WORDS
# natural features named with a generic word: "Brandt River", "Lake Mercer", "Mount Olympus";
# townships too ("Lawrence Township"), which the gazetteer knows by their town's name
_FNAME = r"[A-Z][a-z]+(?:['\u2019]s)?"
_FEATURE = re.compile(
    r"\b(?:(?:Lake|Mount|Mt\.|River) " + _FNAME + r"(?: " + _FNAME + r")?"
    r"|(?:" + _FNAME + r" ){1,2}(?:River|Creek|Lake|Bay|Island|Islands|Mountains|Valley|Canyon|"
    r"Reservoir|Wilderness|Hills|Harbor|Harbour|National Forest|National Park|Township))(?![\w-])")
_STREET_OK_FIRST = frozenset({"main", "high", "church", "school", "market", "mill", "park",
                              "lake", "river", "bridge", "spring", "water", "state", "center",
                              "college", "court", "grand", "first", "second", "third", "union",
                              "liberty", "hope", "lincoln", "washington", "broad", "front"})


#: "the town of X": words for a kind of place that name the place after "of"
_KIND_OF_PLACE = frozenset({
    "town", "towns", "village", "villages", "city", "cities", "island", "islands", "district",
    "districts", "province", "provinces", "region", "county", "state", "municipality",
    "hamlet", "township", "borough", "capital", "suburb", "suburbs", "neighborhood",
    "neighbourhood", "port", "commune", "prefecture", "governorate", "emirate", "kingdom",
    "republic", "settlement", "camp", "oasis", "archipelago", "atoll", "valley", "area"})


#: "the capital X", "the port town X": a kind of place right before its name
_APPOSITIVE_KINDS = frozenset({"capital", "town", "village", "city", "port", "hamlet", "suburb",
                               "island", "district", "province", "region"})


# ---------------------------------------------------------------------- persons
_INITIAL = re.compile(r"^[A-Z](?:\.[A-Z])*$")
_SAID = frozenset({"said", "says", "told", "added", "asked", "wrote"})


def _person_surnames(text: str, toks: list[_Tok], significant, lookup=None,
                     title_lines=()) -> set[str]:
    """Keys of tokens that end a person's name somewhere in the text.

    A run of capitalised words joined by single spaces is a person's name when
    it starts with a title ("Sen.", "President") or a common given name, or
    holds a middle initial ("Ray B. Horton"); its last word is then a surname
    for the whole article ("Austin said" after "Lloyd Austin").
    """
    out: set[str] = set()
    n = len(toks)
    i = 0
    while i < n:
        t = toks[i]
        if not t.cap or t.upper and len(t.word) > 1:
            i += 1
            continue
        j = i
        while j + 1 < n and not toks[j].poss:
            nx = toks[j + 1]
            gap = text[toks[j].core:nx.start]
            if gap not in (" ", ". ") or not nx.cap or (nx.upper and len(nx.word) > 1):
                break
            if gap == ". " and not (len(toks[j].word) == 1 or toks[j].norm in lex.TITLES
                                    and len(toks[j].word) <= 4):
                break
            j += 1
        if j > i:
            words = toks[i:j + 1]
            for k in range(len(words) - 1):
                w = words[k]
                nxt_w = words[k + 1]
                trigger = (w.norm in lex.TITLES or _INITIAL.match(w.word) and k > 0
                           or w.norm in lex.GIVEN_NAMES and not _major(nxt_w.norm, lookup))
                if not trigger:
                    continue
                for rest in words[k + 1:]:
                    if rest.norm in lex.ORG_WORDS or rest.norm in lex.STREET_WORDS or \
                            rest.norm in lex.ADMIN_SUFFIXES or rest.norm in lex.FEATURE_SUFFIXES:
                        break
                    if not _INITIAL.match(rest.word):
                        out.add(rest.norm)
                break
        # "Henry Ford Jr", "Tamara Ellis, 29,"
        nx = toks[j + 1] if j + 1 < n else None
        if nx is not None and nx.norm in ("jr", "sr", "ii", "iii", "iv") and \
                text[toks[j].core:nx.start] in (" ", ", "):
            out.add(toks[j].norm)
        if re.match(r", \d{1,3},", text[toks[j].core:toks[j].core + 6]) and not toks[j].upper:
            out.add(toks[j].norm)
        # "Okafor said", "said Okafor."
        nx = toks[i + 1] if i + 1 < n else None
        if j == i and nx is not None and nx.norm in _SAID and text[t.core:nx.start] == " " \
                and not significant(t.norm) and not t.poss:
            out.add(t.norm)
        if j == i and i > 0 and toks[i - 1].norm in _SAID and not t.dot and \
                text[t.core:t.core + 1] in (",", ".") and not significant(t.norm):
            out.add(t.norm)
        i = j + 1
    return out


def _major(key: str, lookup) -> bool:
    """Is ``key`` the name of a country or first-level area?"""
    if lookup is None:
        return False
    m = lookup(key)
    return bool(m) and any(x.kind in ("name", "official") and
                           (x.place.fcode in _COUNTRY_FCODES or x.place.fcode == "ADM1") for x in m)


# ---------------------------------------------------------------------- text helpers
def _line_start(text: str, pos: int) -> bool:
    k = pos - 1
    while k >= 0 and text[k] in " \t":
        k -= 1
    return k < 0 or text[k] == "\n"


def _sentence_start(text: str, toks: list[_Tok], i: int) -> bool:
    pos = toks[i].start
    k = pos - 1
    while k >= 0 and text[k] in _OPENERS:
        k -= 1
    if k < 0 or text[k] == "\n":
        return True
    ch = text[k]
    if ch in _SENTENCE_END:
        if ch == "." and i > 0 and toks[i - 1].end == k + 1:
            p = toks[i - 1]
            if p.norm in lex.TITLES or len(p.word) == 1 or p.inner_dot:
                return False  # "Mr. Paris", "U.S. Army"
        return True
    return False


def _lines(text: str):
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1


#: scripts written without spaces between words (Han, kana) or with particles glued to
#: names (Hangul): names are found inside runs of them
_UNSPACED_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_UNSPACED = re.compile(f"[{_UNSPACED_CHARS}]+")


def _unspaced_automaton(gaz: Gazetteer):
    """An Aho-Corasick automaton over the gazetteer's names written wholly in those scripts."""
    import ahocorasick

    auto = ahocorasick.Automaton()
    for key in gaz.keys_matching(f"*[{_UNSPACED_CHARS}]*"):
        if _UNSPACED.fullmatch(key):
            auto.add_word(key, key)
    if len(auto):
        auto.make_automaton()
    logger.debug("names in unspaced scripts: %d", len(auto))
    return auto


_KINDS_OF = tuple(f"{k} of " for k in ("town", "village", "hamlet", "suburb", "township",
                                        "settlement", "camp"))
_KIND_OF_UNKNOWN = re.compile(
    r"\b(?:town|village|hamlet|suburb|township|settlement|camp) of "
    r"([A-Z][a-z'\u2019-]+(?: [A-Z][a-z'\u2019-]+){0,2})")
# "the Qwertu district": a kind of area after the name (found first, the name looked for before)
_KIND_AFTER = re.compile(r" (?:district|province|region|county|area|slums?|township|municipality"
                         r"|governorate|prefecture|refugee camp)\b")
_NAME_BEFORE = re.compile(r"\b([A-Z][a-z'\u2019-]+(?: [A-Z][a-z'\u2019-]+){0,2})$")
# "in Zorbuton, Texas,": a comma before a capital first, the locative frame before it
_COMMA_CAP = re.compile(r", (?=[A-Z])")
_LOCATIVE_BEFORE = re.compile(r"\b(?:in|near|from|outside) ([A-Z][a-z'\u2019-]+(?: [A-Z][a-z'\u2019-]+)?)$")
_STATE_AFTER = re.compile(r", ([A-Z][\w.]*(?: [A-Z][\w.]*){0,2})")
_ASCII_UPPER = re.compile(r"[A-Z]")
_ASCII_LOWER = re.compile(r"[a-z]")


def _caseless(text: str) -> bool:
    """Is ``text`` Latin-script prose written (almost) all in lower case?"""
    if len(_ASCII_UPPER.findall(text, 0, 2_000)) > 10:
        return False   # the common case, decided on the first capitals
    head = text[:20_000]
    lower = len(_ASCII_LOWER.findall(head))
    return lower >= 20 and len(_ASCII_UPPER.findall(head)) <= lower // 200


def _title_case_lines(text: str) -> list[tuple[int, int]]:
    """Lines written in Title Case (headlines): capitals there are no evidence."""
    out = []
    for pos, line in _lines(text):
        if line.rstrip().endswith((".", "?\"", ".\"", ".\u201d")):
            continue  # a sentence, not a headline (checked first: it is cheap)
        words = [w for w in _WORD.findall(line) if len(w) > 3]
        if len(words) < 3:
            continue
        caps = sum(1 for w in words if w[0].isupper())
        if caps >= 0.75 * len(words):
            out.append((pos, pos + len(line)))
    return out


def _in_lines(pos: int, lines: list[tuple[int, int]]) -> bool:
    """Is ``pos`` in one of ``lines`` (sorted, disjoint ``(start, end)`` pairs)?"""
    k = bisect.bisect_right(lines, (pos, math.inf)) - 1
    return k >= 0 and pos < lines[k][1]


def _caps_lines(text: str) -> list[tuple[int, int]]:
    """Lines written in capitals (shouted headlines): capitals there are no evidence."""
    out = []
    for pos, line in _lines(text):
        # upper >= 4 * lower needs lower <= len / 5: prose fails fast on its a-z letters
        if 5 * (len(line) - len(line.translate(_NO_ASCII_LOWER))) > len(line):
            continue
        upper = len(_UPPER.findall(line))
        if upper >= 12 and upper >= 4 * len(_LOWER.findall(line)):
            out.append((pos, pos + len(line)))
    return out


_UPPER = re.compile(r"[^\W\d_a-z\u00df-\u00ff]", re.UNICODE)
_WORD = re.compile(r"[^\W\d_]+")
_NO_ASCII_LOWER = str.maketrans("", "", "abcdefghijklmnopqrstuvwxyz")
_LOWER = re.compile(r"[a-z\u00df-\u00ff]")
