"""Resolution: spans + article context → places, confidence, runner-up, metonymy.

:class:`Resolver` picks, for every span, one gazetteer place among the
candidates its text names. Evidence (see :mod:`geo._ranker` for the feature
list): how big and what kind of place a candidate is, how the text named it,
explicit qualifiers ("Paris, Texas", "Laurel County", "Lake X"), the other
places of the same article (shared country and state, geographic closeness),
one sense per name per article. Choices are refined in a few rounds, each
using the previous round's choices as context. Scores become probabilities
with a softmax; a mention's confidence is the probability mass of the
candidates within 161 km of its choice, and its runner-up is the best
candidate farther away than that.
"""
from __future__ import annotations

import bisect
import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from gazetteer import Gazetteer, Place
from geo import _ranker as rk
from geo._candidates import Candidates, candidates
from geo._metonymy import actor_context, is_metonymic
from geo.coords import haversine_km

__all__ = ["Mention", "Focus", "ArticleResult", "Resolver", "sections", "SECTION_CHARS", "SECTION_NAMES"]

logger = logging.getLogger(__name__)

#: texts longer than this are resolved in sections (see :func:`sections`)
SECTION_CHARS = 20_000
#: ... and so are texts naming more distinct names than this (news articles name < 60)
SECTION_NAMES = 150


@dataclass(slots=True)
class Mention:
    """A span and the place it was resolved to (``place`` None when nothing fits)."""

    start: int
    end: int
    text: str
    kind: str = "place"
    place: Place | None = None
    confidence: float = 0.0
    runner_up: Place | None = None
    runner_up_confidence: float = 0.0
    metonymic: bool = False


@dataclass(frozen=True, slots=True)
class Focus:
    """One of an article's focus places: ``level`` is country, admin1 or city."""

    level: str
    place: Place
    score: float


@dataclass(slots=True)
class ArticleResult:
    """Everything the pipeline learnt about one article."""

    article: "Article"
    mentions: list[Mention]
    focus: list[Focus]
    #: problems met on the way that left something undone (e.g. an online geocoder was down)
    problems: list[str] = field(default_factory=list)


_QUALIFIER_GAPS = (", ", ",", " (", ", the ", " - ", " in ", ", in ", " located in ", ", located in ")
_LIST_GAPS = frozenset({", ", " and ", ", and ", " or ", ", or ", " & ", "; "})
_SAME_PLACE_KM = 161.0
_ROUNDS = 3
_MAX_CANDIDATES = 40


class _Readings:
    """One candidate list as arrays: coordinates, kinds, flags.

    They depend on the candidates alone, so they are computed once per
    :class:`~geo._candidates.Candidates` object and cached with it across
    articles instead of being rebuilt for every article and context round.
    """

    __slots__ = ("lat", "lon", "kc", "is_country", "is_admin1", "capital", "point", "is_cap",
                 "has_cap", "has_area", "cc_keys", "a1_keys", "hint_ok", "major", "admin_like",
                 "town")

    def __init__(self, cands: list, hint: str | None) -> None:
        places = [m.place for m in cands]
        kcs = [rk.kind_class(p) for p in places]
        self.lat = np.array([p.lat for p in places], dtype=float)
        self.lon = np.array([p.lon for p in places], dtype=float)
        self.kc = np.array([_KC.setdefault(k, len(_KC)) for k in kcs])
        self.is_country = np.array([k == "country" for k in kcs])
        self.is_admin1 = np.array([k == "admin1" for k in kcs])
        self.capital = np.array([k == "capital" for k in kcs])
        self.point = np.array([k not in ("country", "admin1", "region") for k in kcs])
        self.town = np.array([k in ("capital", "ppla", "ppla2", "ppl") for k in kcs])
        own_cc = {p.country_code for p in places if rk.is_country(p)}
        # a capital whose country other names name ("Washington" beside "U.S."), unless
        # this very name may be the country ("Mexico", "Kuwait", "Panama")
        self.is_cap = np.array([p.fcode == "PPLC" and p.country_code not in own_cc for p in places])
        self.has_cap = bool(self.is_cap.any())
        self.has_area = bool(self.is_country.any() or self.is_admin1.any())
        # keys of the article-wide country and state codes (see _Article)
        self.cc_keys = [p.country_code or None for p in places]
        self.a1_keys = [(p.country_code, p.admin1)
                        if p.country_code and p.admin1 and not rk.is_country(p) else None
                        for p in places]
        self.hint_ok = _hint_ok(kcs, hint)
        # may itself be a state or country (enumerations, see _link_qualifiers)
        self.major = any(m.kind in ("name", "official") and
                         (rk.is_country(m.place) or rk.is_admin1(m.place)) for m in cands)
        # may qualify another name ("Paris, Texas", "Laurel, Laurel County")
        self.admin_like = any(rk.is_country(p) or rk.is_admin1(p) or p.fcode == "ADM2"
                              for p in places)


class _Group:
    """All mentions of one name (one sense per name per article)."""

    __slots__ = ("key", "idx", "cands", "hint", "static", "readings", "choice", "qual_targets",
                 "qual_sources", "scores", "feats", "actor", "siblings", "prior", "off", "rows",
                 "ctx_w", "_probs_of", "_probs", "dateline", "listed", "comma_qual",
                 "comma_target")

    def __init__(self, key, cands, hint, readings: _Readings):
        self.key = key
        self.idx: list[int] = []
        self.cands = cands            # list[Match]
        self.hint = hint
        self.static = None
        self.readings = readings
        self.choice = 0
        self.qual_targets: list["_Group"] = []   # "X, <target>": target qualifies X
        self.qual_sources: list["_Group"] = []   # "<source>, X": X qualifies source
        self.scores = None
        self.prior = None
        self.feats = None
        self.actor = False
        self.siblings: list["_Group"] = []   # neighbours in an enumeration
        self.off = 0          # where its readings start in the article's arrays (_Article)
        self.rows = None      # its slice of the article's rows (names with a choice)
        self.ctx_w = None     # weights of the other names as its context
        self.listed = False   # in an enumeration of three or more names
        self.comma_qual = False   # qualified right after a comma ("Dunfermline, Ontario")
        self.comma_target = False   # qualifies a name before it and a comma ("Ontario")
        self._probs_of = None
        self._probs = None
        self.dateline = False   # opens a dateline ("WASHINGTON —"): a town, not a state

    def probs(self) -> np.ndarray:
        """Softmax of the current scores; cached, as scores are replaced, never changed in place."""
        if self._probs_of is not self.scores:
            self._probs = _softmax(self.scores)
            self._probs_of = self.scores
        return self._probs


class Resolver:
    """Resolve recognised spans to gazetteer places using the article as context.

    Parameters
    ----------
    gaz : Gazetteer
        A loaded gazetteer (``gazetteer.load()``).
    fuzzy : bool, default False
        Fall back to fuzzy name matching for spans whose text matches no name
        (slower; useful for given spans with spelling variants).
    weights : dict, optional
        Feature weights; default: the fitted weights shipped with the package.
    focus_guess : bool, default True
        Give a name that nothing places (the gazetteer lacks it and the text puts it in
        no known place) the article's focus city, else its focus state, with a fifth of
        the focus's score as confidence: an unknown name in a local story is most often
        in or near the place the story is about.

    Calling the resolver with an article and its spans returns an
    :class:`ArticleResult` with one :class:`Mention` per span, in the same
    order and with the same offsets.
    """

    def __init__(self, gaz: Gazetteer, *, fuzzy: bool = False, weights: dict[str, float] | None = None,
                 focus_guess: bool = True) -> None:
        self.gaz = gaz
        self.fuzzy = fuzzy
        self.focus_guess = focus_guess
        w = weights if weights is not None else rk.load_weights()
        self.weights = np.array([float(w.get(f, 0.0)) for f in rk.FEATURES])
        self._cand_cache: dict[tuple[str, str], object] = {}
        #: countries and states looked up for the focus (the gazetteer is read-only)
        self._areas: dict[tuple, Place | None] = {}
        #: set to a list to receive ``(span indexes, matches, feature matrix)`` per
        #: name group of every article resolved (used to fit the ranker)
        self.record: list | None = None

    # ------------------------------------------------------------------ public
    def __call__(self, article: "Article", spans: "Iterable[Span]", *,
                 home: "SourceHome | None" = None) -> ArticleResult:
        """Resolve ``spans`` of ``article``; ``home`` is its source's home state, if known
        (see :mod:`geo._sources`)."""
        spans = list(spans)
        mentions = self._sections(article.text, spans, home, only_home=False)
        assert mentions is not None
        return ArticleResult(article, mentions, self._focus_guess(mentions))

    def again(self, result: ArticleResult, home: "SourceHome") -> ArticleResult:
        """``result``'s spans resolved again with its source's ``home``.

        When no name can be read in the home state, ``src_home`` is 0 for every
        reading and nothing would change: ``result`` is returned as it is.
        """
        spans = [Span(m.start, m.end, m.text, m.kind) for m in result.mentions]
        mentions = self._sections(result.article.text, spans, home, only_home=True)
        if mentions is None:
            return result
        return ArticleResult(result.article, mentions, self._focus_guess(mentions))

    def _sections(self, text: str, spans: list, home, *, only_home: bool) -> list[Mention] | None:
        """Mentions for ``spans`` in their order, each section of ``text`` resolved on its own
        (see :func:`sections`); with ``only_home``, None when no name can be read in ``home``."""
        parts = sections(text, spans)
        out: list[Mention | None] = [None] * len(spans)
        changed = not only_home
        for idx in parts:
            part = [spans[i] for i in idx]
            actor: dict[int, bool] = {}   # span index -> the words around it make it an actor
            groups, of_span = self._groups(text, part, actor)
            if only_home:
                area = (home.country_code, home.admin1)
                if any(k == area for g in groups for k in g.readings.a1_keys):
                    changed = True
            self._link_qualifiers(text, part, groups, of_span)
            self._rank(groups, home)
            if self.record is not None:
                for g in groups:
                    self.record.append((list(g.idx), g.cands, g.feats if g.feats is not None
                                        else g.static))
            for i, m in zip(idx, self._mentions(text, part, groups, of_span, actor)):
                out[i] = m
        return out if changed else None  # type: ignore[return-value]

    def candidates(self, span_text: str, kind: str = "place") -> Candidates:
        """Candidate matches for a span text (cached)."""
        ck = (span_text, kind)
        c = self._cand_cache.get(ck)
        if c is None:
            c = candidates(self.gaz, span_text, fuzzy=self.fuzzy, limit=_MAX_CANDIDATES)
            if kind == "demonym":
                dem = [m for m in c.matches if m.kind == "demonym"]
                c.matches = dem or c.matches
            elif any(m.kind != "demonym" for m in c.matches) and c.hint != "fuzzy":
                # a place span: a place name beats a people's name of the same spelling
                places = [m for m in c.matches if m.kind != "demonym"]
                dem = [m for m in c.matches if m.kind == "demonym"]
                c.matches = places + dem
            if len(self._cand_cache) > 100_000:
                self._cand_cache.clear()
            self._cand_cache[ck] = c
        return c

    # ------------------------------------------------------------------ steps
    def _groups(self, text, spans, actor):
        groups: dict[tuple[str, str], _Group] = {}
        of_span: list[_Group | None] = []
        generics = _shared_generics(text, spans)
        for i, s in enumerate(spans):
            c = None
            if generics[i] and s.kind == "place":
                # "Banner and Garden counties": each name with the generic word it shares
                for query in generics[i](s.text):
                    c = self.candidates(query, s.kind)
                    if c.matches:
                        break
                else:
                    c = None
            if c is None:
                c = self.candidates(s.text, s.kind)
            if not c.matches:
                of_span.append(None)
                continue
            gk = (c.key, s.kind)
            g = groups.get(gk)
            if g is None:
                if c.readings is None:
                    c.readings = _Readings(c.matches, c.hint)
                g = groups[gk] = _Group(c.key, c.matches, c.hint, c.readings)
                # the candidate-only part of the features is the same in every article
                static = getattr(c, "static", None)
                if static is None:
                    static = c.static = np.array([rk.static_vector(m.place, m.kind, r)
                                                  for r, m in enumerate(c.matches)], dtype=float)
                    # a curated landmark's or feature's own name is no big city's exonym
                    # ("White House" is also an alternate name of Casablanca)
                    if any(m.kind == "name" and m.place.id.startswith("em:") and m.place.fclass != "P"
                           for m in c.matches):
                        static[:, rk.IDX["alt_pop"]] = 0.0
                    c.can_act = any(rk.kind_class(m.place) in ("capital", "country")
                                    for m in c.matches)
                g.static = static
            g.idx.append(i)
            of_span.append(g)
            if s.kind == "place" and _is_dateline(text, s.start, s.end):
                g.dateline = True
            if s.kind != "demonym" and c.can_act:
                actor[i] = actor_context(text, s.start, s.end)
                g.actor |= actor[i]
        return list(groups.values()), of_span

    def _link_qualifiers(self, text, spans, groups, of_span):
        n = len(spans)
        gaps = [text[spans[i].end:spans[i + 1].start] for i in range(n - 1)]
        # enumerations of three or more ("Ohio, Oklahoma, Oregon and Utah"): siblings
        in_list = [False] * max(n - 1, 0)
        i = 0
        while i < n - 1:
            j = i
            while j < n - 1 and gaps[j] in _LIST_GAPS:
                j += 1
            if j - i >= 2:
                for k in range(i, j):
                    in_list[k] = True
            i = j + 1
        for i in range(n - 1):
            a, b = of_span[i], of_span[i + 1]
            if a is None or b is None or a is b:
                continue
            if in_list[i]:
                a.listed = b.listed = True
            # "Springfield, Ill., and Paris" still qualifies Springfield: only names that
            # may themselves be states or countries are siblings of a following state
            if in_list[i] and (a.readings.major or not b.readings.admin_like):
                a.siblings.append(b)
                b.siblings.append(a)
                continue
            gap = gaps[i]
            if gap not in _QUALIFIER_GAPS:
                continue
            if not b.readings.admin_like:
                continue
            if b not in a.qual_targets:
                a.qual_targets.append(b)
                b.qual_sources.append(a)
            a.comma_qual |= gap in (", ", ",")
            b.comma_target |= gap in (", ", ",")

    def _rank(self, groups: list[_Group], home: "SourceHome | None" = None) -> None:
        w = self.weights
        I = rk.IDX
        home_key = (home.country_code, home.admin1) if home is not None else None
        for g in groups:
            r = g.readings
            feats = g.static.copy()
            if home_key is not None:
                # the other articles of its paper name places in this state: a local paper's
                # "Beloit" or "Marysville" is the one at home unless the text says otherwise
                feats[[k == home_key for k in r.a1_keys], I["src_home"]] = home.share
            qa, qc = _qualifier_features(g)   # depend on candidates only
            feats[:, I["qual_agree"]] = qa
            feats[:, I["qual_clash"]] = qc
            hint_ok = r.hint_ok
            if hint_ok is None and g.comma_target and not g.listed and r.admin_like:
                # "Dunfermline, Ontario": after "<town>, " a name is read as a state or a country
                hint_ok = np.array([rk.is_country(m.place) or rk.is_admin1(m.place)
                                    or m.place.fcode == "ADM2" for m in g.cands])
            if hint_ok is None and g.dateline and r.town.any():
                hint_ok = r.town   # datelines name towns ("WASHINGTON —" is the capital)
            if hint_ok is not None:   # the text said "County", "Lake"...: does the reading fit?
                feats[hint_ok, I["hint_match"]] = 1.0
                feats[~hint_ok, I["hint_clash"]] = 1.0
            if g.actor:
                feats[r.capital, I["actor_capital"]] = 1.0
                feats[r.is_country, I["actor_country"]] = 1.0
            g.feats = feats
            g.scores = feats @ w
            g.choice = int(np.argmax(g.scores))
        if len(groups) < 2:
            return
        art = _prepare(groups, self.gaz)
        if not art.active:  # no name has a choice: context cannot change anything
            return
        for _ in range(_ROUNDS):
            # every name's features from the same context (the previous round's choices)
            feats = _Context(groups, art).features()
            changed = False
            for g in art.active:  # a name with one reading keeps it whatever the context
                f = feats[g.rows]
                scores = f @ w
                choice = int(np.argmax(scores))
                changed |= choice != g.choice
                g.choice, g.scores, g.feats = choice, scores, f
            if not changed:
                break

    def _mentions(self, text, spans, groups, of_span, actor) -> list[Mention]:
        out: list[Mention] = []
        outcome = _outcomes(groups)   # all mentions of a name share its reading
        for i, s in enumerate(spans):
            g = of_span[i]
            m = Mention(s.start, s.end, s.text, s.kind)
            if g is not None:
                m.place, m.confidence, m.runner_up, m.runner_up_confidence = outcome[id(g)]
                if s.kind != "demonym":
                    m.metonymic = is_metonymic(text, s.start, s.end, m.place, actor=actor.get(i))
            elif s.kind == "place":
                where = _container(text, spans, of_span, i,
                                   lambda k: outcome[id(of_span[k])][0] if of_span[k] else None)
                if where is not None and outcome[id(where)][0] is not None:
                    # a place the gazetteer lacks, said to be in one it knows ("Qwertyville,
                    # Auckland", "the Zorbu slums in Nairobi"): that place, with little confidence
                    place, conf = outcome[id(where)][:2]
                    m.place, m.confidence = place, _CONTAINER_CONFIDENCE * conf
            out.append(m)
        return out

    def _focus(self, mentions: list[Mention]) -> list[Focus]:
        countries: Counter = Counter()
        admin1s: Counter = Counter()
        cities: Counter = Counter()
        city_place: dict[str, Place] = {}
        total = 0.0
        for m in mentions:
            p = m.place
            if p is None:
                continue
            wgt = 0.5 + 0.5 * m.confidence
            total += wgt
            if p.country_code:
                countries[p.country_code] += wgt
            if p.country_code and p.admin1 and not rk.is_country(p):
                admin1s[(p.country_code, p.admin1)] += wgt
            if p.fclass == "P":
                cities[p.id] += wgt
                city_place[p.id] = p
        out: list[Focus] = []
        if not total:
            return out
        for level, counter, get in (
                ("country", countries, lambda k: self._area(k)),
                ("admin1", admin1s, lambda k: self._area(*k)),
                ("city", cities, lambda k: city_place.get(k))):
            if not counter:
                continue
            top = counter.most_common(3)
            best = top[0][1]
            for k, v in top:
                if v < 0.6 * best:
                    break
                place = get(k)
                if place is not None:
                    out.append(Focus(level, place, round(v / total, 4)))
        return out

    def _focus_guess(self, mentions: list[Mention]) -> list[Focus]:
        """The article's focus; with ``focus_guess``, also the place of the names nothing else
        places ("Zorbu" in a story about Nairobi): the focus city, else the focus state, at
        :data:`_FOCUS_GUESS_CONFIDENCE` of its focus score."""
        focus = self._focus(mentions)
        if not self.focus_guess:
            return focus
        guess = next((f for level in ("city", "admin1") for f in focus if f.level == level), None)
        if guess is None:
            return focus
        for m in mentions:
            if m.place is None and m.kind == "place":
                m.place, m.confidence = guess.place, round(_FOCUS_GUESS_CONFIDENCE * guess.score, 4)
        return focus

    def _area(self, cc: str, admin1: str | None = None) -> Place | None:
        """The country (or, given ``admin1``, the state) with these codes; cached."""
        key = (cc, admin1)
        if key not in self._areas:
            self._areas[key] = self.gaz.country(cc) if admin1 is None else self.gaz.admin1(cc, admin1)
        return self._areas[key]


# ---------------------------------------------------------------------- helpers
#: plural generic words after a list of names, and the names each one makes
_GENERICS = {
    "counties": lambda n: (f"{n} County",), "parishes": lambda n: (f"{n} Parish",),
    "townships": lambda n: (f"{n} Township",), "boroughs": lambda n: (f"{n} Borough",),
    "districts": lambda n: (f"{n} District",), "provinces": lambda n: (f"{n} Province",),
    "rivers": lambda n: (f"{n} River", f"River {n}"), "lakes": lambda n: (f"Lake {n}", f"{n} Lake"),
    "mountains": lambda n: (f"{n} Mountains",), "islands": lambda n: (f"{n} Island",),
}
_GENERIC_AFTER = re.compile(r" (" + "|".join(_GENERICS) + r")\b", re.IGNORECASE)


_DATELINE_TAIL = re.compile(
    r"(?:,\s*[A-Z][\w.'\u2019]*(?:\s[A-Z][\w.'\u2019]*){0,2},?)?\s*"
    r"(?:\((?:AP|Reuters|AFP|UPI|CNN|Xinhua|dpa)\)\s*)?(?:[\u2014\u2013]|--?\s)")


def _is_dateline(text: str, start: int, end: int) -> bool:
    """Does the name open a dateline ("WASHINGTON —", "SEOUL, South Korea (AP) --")?"""
    name = text[start:end]
    if not name.isupper() or sum(ch.isalpha() for ch in name) < 3:
        return False
    before = text[max(0, start - 2):start]
    if start and not (before.endswith(("\n", ". ", "\t")) or before.strip() == ""):
        return False
    return bool(_DATELINE_TAIL.match(text, end))


def _shared_generics(text: str, spans: list) -> list:
    """For each span, the name-maker of a plural generic word that a list it ends shares.

    "Banner, Garden and Deuel counties", "the Tana and Athi rivers": the
    generic word after the last name applies to every name of the list.
    """
    out: list = [None] * len(spans)
    i = 0
    n = len(spans)
    while i < n:
        j = i
        while j + 1 < n and text[spans[j].end:spans[j + 1].start] in _LIST_GAPS:
            j += 1
        m = _GENERIC_AFTER.match(text, spans[j].end) if j > i else None
        if m:
            maker = _GENERICS[m.group(1).lower()]
            for k in range(i, j + 1):
                out[k] = maker
        i = j + 1
    return out


def _softmax(x: np.ndarray) -> np.ndarray:
    z = np.exp(x - x.max())
    return z / z.sum()


def _contains(outer: Place, inner: Place) -> bool:
    if outer.country_code is None or inner.country_code != outer.country_code:
        return False
    if rk.is_country(outer):
        return not rk.is_country(inner)
    if rk.is_admin1(outer):
        return inner.admin1 == outer.admin1 and not rk.is_admin1(inner)
    if outer.fcode == "ADM2":
        return inner.admin1 == outer.admin1 and inner.admin2 == outer.admin2 and \
            outer.admin2 is not None and inner.fcode != "ADM2"
    return False


def _qualifier_features(g: _Group) -> tuple[np.ndarray, np.ndarray]:
    n = len(g.cands)
    agree = np.zeros(n)
    clash = np.zeros(n)
    if not g.qual_targets and not g.qual_sources:
        return agree, clash
    for k, m in enumerate(g.cands):
        p = m.place
        ok = any(_contains(q.place, p) for t in g.qual_targets for q in t.cands) or \
            any(_contains(p, q.place) for s in g.qual_sources for q in s.cands)
        agree[k] = 1.0 if ok else 0.0
    if agree.any():
        clash = 1.0 - agree
    return agree, clash


#: the kinds of reading that a hint from the text asks for
_HINT_KINDS = {"admin2": ("admin2",), "admin": ("admin1", "admin2"),
               "feature": ("physical", "region"), "road": ("admin1", "country")}


def _hint_ok(kinds: list[str], hint: str | None) -> np.ndarray | None:
    """Which readings are of the kind the text asked for ("X County", "Lake X");
    None when the hint (or its absence) says nothing about kinds."""
    wanted = _HINT_KINDS.get(hint) if hint else None
    if wanted is None:
        return None
    return np.array([k in wanted for k in kinds])


#: how sure a guess from the article's focus is, relative to the focus's score
_FOCUS_GUESS_CONFIDENCE = 0.2
#: how sure a mention placed at the place it is said to lie in is, relative to that place
_CONTAINER_CONFIDENCE = 0.3
# "X, Y", "X in Y", "X district of Y", "X refugee camp in the Y", "X, a suburb east of Y"
_CONTAINER_GAP = re.compile(
    r"(?:,|,? (?:a |an |the )?(?:(?!(?:for|to|from|with|and|or|by|at|on) )[a-z]+ ){0,3}"
    r"(?:in|of|near|outside))"
    r" (?:the )?(?:(?:north|south|east|west|central|northern|southern|eastern|western)[a-z-]* )?$")


_CONTAINER_BEFORE = re.compile(
    r"(?:['\u2019]s|(?:['\u2019]s)? (?:slum|suburb|district|neighbou?rhood|village|town|island"
    r"|province|region|county|city|area|camp|township|municipality|port))(?: of)? ")


def _container(text: str, spans: list, of_span: list, i: int, place_of) -> "_Group | None":
    """The resolved name right before span ``i`` ("Nairobi's Zorbu", "the Nairobi slum
    Zorbu") or right after it ("Zorbu, Nairobi", "Zorbu in Nairobi") that the text says
    contains it, if any (not in a list of names: "Zorbu, Tokyo, Lima"); ``place_of(k)``
    is span k's place."""
    if i > 0 and of_span[i - 1] is not None and \
            _CONTAINER_BEFORE.fullmatch(text[spans[i - 1].end:spans[i].start]):
        return of_span[i - 1]   # "Nairobi's Zorbu", "the German island Zorbu", "the Lima suburb Zorbu"
    if i + 1 >= len(spans) or of_span[i + 1] is None:
        return None
    gap = text[spans[i].end:spans[i + 1].start]
    if len(gap) > 40 or not _CONTAINER_GAP.fullmatch(gap):
        return None
    if gap.startswith(","):
        # "the Sahel, the Middle East, Italy": a list, not "Qwertyville, Auckland, New Zealand"
        before = text[spans[i - 1].end:spans[i].start] if i > 0 else ""
        after = text[spans[i + 1].end:spans[i + 2].start] if i + 2 < len(spans) else ""
        if _unthe(before) in _LIST_GAPS or _unthe(after) in _LIST_GAPS and not (
                after == ", " and _within(place_of(i + 1), place_of(i + 2))):
            return None
    return of_span[i + 1]


def _within(inner: Place | None, outer: Place | None) -> bool:
    return inner is not None and outer is not None and _contains(outer, inner)


def _unthe(gap: str) -> str:
    """``gap`` without a trailing article: ", the " -> ", "."""
    return gap[:-4] if gap.endswith(" the ") else gap


def _outside_its_qualifier(g: _Group) -> bool:
    """Is ``g`` a town's name qualified by a state or country ("X, Ontario") that none of its
    readings lies in? (Lists do not count, "Zorbuton, Qwertbury" or "Zorbuton, Qwertbury, Pell": the
    qualifier must be read as a state or country, and every reading must be a town.)"""
    if not g.comma_qual or g.listed or not g.readings.town.all():
        return False
    chosen = [t.cands[t.choice].place for t in g.qual_targets]
    # (qual_agree, as _rank set it from _qualifier_features)
    return all(rk.is_country(p) or rk.is_admin1(p) for p in chosen) and \
        not g.feats[:, rk.IDX["qual_agree"]].any()


def _outcomes(groups: list[_Group]) -> dict[int, tuple[Place | None, float, Place | None, float]]:
    """Every name's place, confidence, runner-up and the runner-up's probability.

    The confidence is the probability mass of the readings within 161 km of
    the choice; the runner-up is the most probable reading farther away.
    """
    if not groups:
        return {}
    n = [len(g.cands) for g in groups]
    best = [g.cands[g.choice].place for g in groups]
    # the distances from each name's choice to its readings, all names at once
    d = haversine_km(np.repeat([p.lat for p in best], n), np.repeat([p.lon for p in best], n),
                     np.concatenate([g.readings.lat for g in groups]),
                     np.concatenate([g.readings.lon for g in groups]))
    near_all = d <= _SAME_PLACE_KM
    out = {}
    outside = []
    off = 0
    for g, place, k in zip(groups, best, n):
        probs, near = g.probs(), near_all[off:off + k]
        off += k
        confidence = float(min(1.0, probs[near].sum()))
        if g.hint == "fuzzy":  # a spelling guess is less sure than a name match
            confidence *= 0.8
        runner_up, runner_up_confidence = None, 0.0
        far = np.where(~near)[0]
        if far.size:
            j = int(far[np.argmax(probs[far])])
            runner_up, runner_up_confidence = g.cands[j].place, float(probs[j])
        if _outside_its_qualifier(g):
            outside.append((g, place, confidence))
            continue
        out[id(g)] = (place, confidence, runner_up, runner_up_confidence)
    for g, place, confidence in outside:
        # "Dunfermline, Ontario" where no Dunfermline the gazetteer knows lies in Ontario: not the
        # English one but, like a name the gazetteer lacks, Ontario with little confidence
        # (the best reading stays as the runner-up)
        where, sure = out[id(g.qual_targets[0])][:2]
        out[id(g)] = (where, _CONTAINER_CONFIDENCE * sure if where else 0.0, place, confidence)
    return out


_CTX_TOP = 10   # readings of each other name that serve as context
#: a reading lends full "*_any" support when its prior probability is within this
#: factor of its name's best reading, and proportionally less below (measured: 3 keeps
#: pairs of world capitals from turning into two villages of one US state at a cost of
#: 0.2 points acc@161 on the US local-news development corpus)
_ANY_RATIO = 3.0
_KC: dict[str, int] = {}   # kind class -> small int


def _prepare(groups: list[_Group], gaz=None) -> _Article:
    """The article's arrays for the context rounds (called once per article, after the
    context-free first round: ``benchmarks/train_ranker.py`` relies on that)."""
    return _Article(groups, gaz)


class _Article:
    """Everything the context rounds need that does not change between rounds.

    Every name's readings are concatenated in group order (``g.off`` is where
    a group's readings start), with article-wide codes for countries (``cc``) and
    states (``a1``): equal codes, same country or state. The *rows* are the
    readings of the names that have a choice (``g.rows`` is a group's slice);
    only their context features are recomputed each round, all at once.
    """

    def __init__(self, groups: list[_Group], gaz=None) -> None:
        codes: dict = {}
        cc: list[int] = []
        a1: list[int] = []
        off = 0
        for g in groups:
            r = g.readings
            cc += [codes.setdefault(k, len(codes)) if k else -3 for k in r.cc_keys]
            a1 += [codes.setdefault(k, len(codes)) if k is not None else -4 for k in r.a1_keys]
            g.off = off
            off += len(g.cands)
        self.cc = np.array(cc)
        self.a1 = np.array(a1)
        cat = lambda attr: np.concatenate([getattr(g.readings, attr) for g in groups])
        self.kc, self.lat, self.lon = cat("kc"), cat("lat"), cat("lon")
        self.point, self.country, self.admin1 = cat("point"), cat("is_country"), cat("is_admin1")
        self.border = _borders(codes, gaz)
        self.has_border = bool(self.border.any())
        # the readings' prior probabilities, before any context
        for g in groups:
            g.prior = g.probs()
        self.prior = np.concatenate([g.prior for g in groups])
        # a name's _CTX_TOP most probable readings serve as context (see _Context): sorted
        # by name, then probability, its readings keep the positions they have here, so
        # the first _CTX_TOP of each name are at positions fixed for the article
        n = np.array([len(g.cands) for g in groups])
        self.group_of = np.repeat(np.arange(len(groups)), n)
        self.in_top = np.arange(len(self.group_of)) - np.repeat(n.cumsum() - n, n) < _CTX_TOP
        counts = np.minimum(n, _CTX_TOP)
        self.ctx_starts = counts.cumsum() - counts
        # for the plausibility of a context reading: the prior of its name's best reading
        self.ctx_prior_max = np.repeat([g.prior.max() for g in groups], counts)
        # a name's context: the other names, each weighted by the root of its mention count
        weight = np.array([float(len(g.idx)) ** 0.5 for g in groups])
        index = {id(g): i for i, g in enumerate(groups)}
        self.active = [g for g in groups if len(g.cands) > 1]
        self.kin: list[tuple[_Group, np.ndarray]] = []   # enumeration neighbours' weights
        rows, pos = [], 0
        for g in self.active:
            w = weight.copy()
            w[index[id(g)]] = 0.0
            w /= w.sum()
            g.ctx_w = w
            if g.siblings:
                ws = np.zeros(len(groups))
                for h in g.siblings:
                    ws[index[id(h)]] = 1.0
                ws /= ws.sum()
                self.kin.append((g, ws))
            g.rows = slice(pos, pos + len(g.cands))
            pos += len(g.cands)
            rows.append(np.arange(g.off, g.off + len(g.cands)))
        if not self.active:
            return
        rows = np.concatenate(rows)
        self.r_cc, self.r_a1, self.r_kc = self.cc[rows], self.a1[rows], self.kc[rows]
        self.r_lat, self.r_lon = self.lat[rows], self.lon[rows]
        self.r_country, self.r_admin1 = self.country[rows], self.admin1[rows]
        self.base = np.concatenate([g.feats for g in self.active])   # context-free features
        self.any_capital = any(g.readings.has_cap for g in self.active)
        self.any_area = any(g.readings.has_area for g in self.active)
        # closeness of each row to each reading at three scales, filled in as readings
        # first serve as context (rounds mostly reuse them); 0 for readings not point-like
        self._closeness = np.zeros((3, len(rows), len(self.lat)))
        self._measured = ~self.point

    def closeness(self, sel: np.ndarray) -> np.ndarray:
        """exp(-d / 150 km), exp(-d / 800 km), exp(-d / 40 km) from every row to the
        readings ``sel`` (shape 3 x rows x sel); each distance is computed once per article."""
        new = sel[~self._measured[sel]]
        if new.size:
            d = haversine_km(self.r_lat[:, None], self.r_lon[:, None],
                             self.lat[None, new], self.lon[None, new])
            for k, scale in enumerate((150.0, 800.0, 40.0)):
                self._closeness[k][:, new] = np.exp(-d / scale)
            self._measured[new] = True
        return self._closeness[:, :, sel]


def _borders(codes: dict, gaz) -> np.ndarray:
    """Entry [a, b] is 1 when the countries coded a and b share a land border."""
    countries = [k for k in codes if isinstance(k, str)]
    border = np.zeros((len(codes), len(codes)))
    neighbours = getattr(gaz, "neighbours", None)
    if neighbours is not None:
        for a in countries:
            near = neighbours(a)
            for b in countries:
                if b in near:
                    border[codes[a], codes[b]] = 1.0
    return border


class _Context:
    """The article's current beliefs, for the context features of each group.

    Every other name contributes its top readings weighted by their current
    probability (expected agreement) and, for the ``*_any`` features, its best
    agreeing reading whatever its probability (mutual support of two names
    that have readings near each other, "Grand Island" and "Hall County").

    Features are computed for all rows of the article at once; only the last
    step, the weighted mean over the other names, is per name (see
    :meth:`features`). Every sum keeps the operands, order and array shapes of
    a name-by-name computation, so scores are the same to the last bit: a
    faster formulation must keep that (or change the fitted results).
    """

    def __init__(self, groups: list[_Group], art: _Article) -> None:
        self.art = art
        p = np.concatenate([g.probs() for g in groups])
        # every name's readings by falling probability (ties: gazetteer order), names in
        # order: a stable sort by name then probability; each name's first _CTX_TOP
        self.sel = sel = np.lexsort((-p, art.group_of))[art.in_top]
        self.starts = art.ctx_starts
        self.prob = p[sel]
        self.plaus = np.minimum(1.0, _ANY_RATIO * art.prior[sel] / art.ctx_prior_max)
        self.kc, self.cc, self.a1 = art.kc[sel], art.cc[sel], art.a1[sel]
        self.country, self.admin1 = art.country[sel], art.admin1[sel]

    def _blocks(self, m: np.ndarray, soft: bool) -> np.ndarray:
        """Per row and other name: the sum (soft) or max (any) of ``m`` over that name's
        readings (the last axis of ``m``; leading axes are rows, or features and rows)."""
        if soft:
            return np.add.reduceat(m * self.prob, self.starts, axis=-1)
        # support from a reading counts only as far as that reading is plausible a
        # priori: the Paris and the Berlin in one US state must not outvote the capitals
        return np.maximum.reduceat(m * self.plaus, self.starts, axis=-1)

    def features(self) -> np.ndarray:
        """The rows' features with this round's context features filled in."""
        art, I = self.art, rk.IDX
        feats = art.base.copy()
        # places outside any country (oceans, continents, macro-regions: code -3) agree
        # with each other: "the Pacific" beside "Europe" is the ocean, not a Missouri town
        same_cc = (art.r_cc[:, None] == self.cc[None, :]).astype(float)
        same_a1 = ((art.r_a1[:, None] == self.a1[None, :]) & (art.r_a1[:, None] >= 0)).astype(float)
        # closeness to point-like readings of the other names
        close, mid, close_40 = art.closeness(self.sel)
        # features from expected agreement (soft) and from the best agreeing reading (any)
        soft = {"ctx_country": same_cc, "ctx_admin1": same_a1, "near": close}
        best = {"ctx_country_any": same_cc, "ctx_admin1_any": same_a1, "near_any": close,
                "near_mid_any": mid, "near_any_40": close_40}
        if art.has_border:
            # other names in a country next door ("Gaza" beside Israel and Egypt)
            gc, oc = np.maximum(art.r_cc, 0), np.maximum(self.cc, 0)
            soft["ctx_border"] = art.border[gc][:, oc] * ((art.r_cc >= 0)[:, None] &
                                                          (self.cc >= 0)[None, :])
        if art.any_capital:   # only for names with a capital among their readings
            best["capital_ctx"] = same_cc * self.country[None, :]
        if art.any_area:      # containment, only for names that may be countries or states
            inside_c = same_cc * (~self.country)[None, :]
            inside_a = same_a1 * (~self.country & ~self.admin1)[None, :]
            soft["contains"] = np.where(art.r_country[:, None], inside_c,
                                        np.where(art.r_admin1[:, None], inside_a, 0.0))
        names = [*soft, *best]
        blocks = np.concatenate([self._blocks(np.stack(list(soft.values())), True),
                                 self._blocks(np.stack(list(best.values())), False)])
        shared = [k for k, f in enumerate(names) if f not in ("capital_ctx", "contains")]
        cols = [I[names[k]] for k in shared]
        k_cap = names.index("capital_ctx") if art.any_capital else None
        k_contains = names.index("contains") if art.any_area else None
        for g in art.active:
            # the weighted mean over the other names: one matrix-vector product per feature,
            # shaped exactly as per name (stacking several names' rows into one product would
            # change how BLAS sums them, and so the last bits of the scores)
            mean = np.matmul(blocks[:, g.rows], g.ctx_w)
            feats[g.rows, cols] = mean[shared].T
            r = g.readings
            if r.has_cap:
                feats[g.rows, I["capital_ctx"]] = np.where(r.is_cap, mean[k_cap], 0.0)
            if r.has_area:
                feats[g.rows, I["contains"]] = mean[k_contains]
        if art.kin:
            # enumeration neighbours: expected share reading as the same kind, same country
            same_kind = same_cc * (art.r_kc[:, None] == self.kc[None, :])
            kin = self._blocks(same_kind, True)
            for g, ws in art.kin:
                feats[g.rows, I["list_kin"]] = kin[g.rows] @ ws
        feats[:, I["near_any_sq"]] = feats[:, I["near_any"]] ** 2
        feats[:, I["pop_foreign"]] = feats[:, I["logpop"]] * (1.0 - feats[:, I["ctx_country_any"]])
        return feats


def sections(text: str, spans: list, size: int | None = None,
             names: int | None = None) -> list[list[int]]:
    """Indexes of ``spans`` by the section of ``text`` their start falls in.

    An article's context (one sense per name, the places around each name) costs
    time and memory in the square of its names, and a book-length text is many
    stories: texts longer than ``size`` (default :data:`SECTION_CHARS`) are cut
    into sections of at most that many characters, at a paragraph break where one
    falls in the section's second half, else at a line break or a space; a section
    naming more than ``names`` (default :data:`SECTION_NAMES`) distinct names (a
    list of a thousand towns) is cut again between its spans. Each section is
    resolved on its own. News articles (a few thousand characters, a few dozen
    names) are one section.
    """
    size = size or SECTION_CHARS
    names = names or SECTION_NAMES
    if len(text) <= size:
        if len({sp.text for sp in spans}) <= names:
            return [list(range(len(spans)))]
        return _by_names(list(range(len(spans))), spans, names)
    cuts = []
    pos = 0
    while len(text) - pos > size:
        lo, hi = pos + size // 2, pos + size
        cut = -1
        for sep in ("\n\n", "\n", " "):
            cut = text.rfind(sep, lo, hi)
            if cut >= 0:
                break
        pos = cut + 1 if cut >= 0 else hi
        cuts.append(pos)
    parts: list[list[int]] = [[] for _ in range(len(cuts) + 1)]
    for i, sp in enumerate(spans):
        parts[bisect.bisect_right(cuts, sp.start)].append(i)
    return [q for p in parts if p for q in _by_names(p, spans, names)]


def _by_names(idx: list[int], spans: list, names: int) -> list[list[int]]:
    """``idx`` in runs of consecutive spans naming at most ``names`` distinct names."""
    out: list[list[int]] = []
    seen: set[str] = set()
    for i in sorted(idx, key=lambda i: spans[i].start):
        if spans[i].text not in seen and len(seen) == names:
            seen = set()
        if not seen:
            out.append([])
        seen.add(spans[i].text)
        out[-1].append(i)
    return out


from geo.articles import Article  # noqa: E402  (runtime name for the annotation above)
from geo.recognize import Span  # noqa: E402
from geo._sources import SourceHome  # noqa: E402
