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

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from gazetteer import Gazetteer, Place
from geo import _ranker as rk
from geo._candidates import Candidates, candidates
from geo._metonymy import actor_context, is_metonymic
from geo.coords import haversine_km

__all__ = ["Mention", "Focus", "ArticleResult", "Resolver"]

logger = logging.getLogger(__name__)


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


_QUALIFIER_GAPS = (", ", ",", " (", ", the ", " - ")
_LIST_GAPS = frozenset({", ", " and ", ", and ", " or ", ", or ", " & ", "; "})
_SAME_PLACE_KM = 161.0
_ROUNDS = 3
_MAX_CANDIDATES = 40


class _Group:
    """All mentions of one name (one sense per name per article)."""

    __slots__ = ("key", "idx", "cands", "hint", "static", "lat", "lon", "choice",
                 "qual_targets", "qual_sources", "scores", "feats", "actor", "cc", "a1",
                 "is_country", "is_admin1", "point", "is_cap", "siblings", "kc", "prior")

    def __init__(self, key, cands, hint):
        self.key = key
        self.idx: list[int] = []
        self.cands = cands            # list[Match]
        self.hint = hint
        self.static = None
        self.lat = np.array([m.place.lat for m in cands], dtype=float)
        self.lon = np.array([m.place.lon for m in cands], dtype=float)
        self.choice = 0
        self.qual_targets: list["_Group"] = []   # "X, <target>": target qualifies X
        self.qual_sources: list["_Group"] = []   # "<source>, X": X qualifies source
        self.scores = None
        self.prior = None
        self.feats = None
        self.actor = False
        self.siblings: list["_Group"] = []   # neighbours in an enumeration


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

    Calling the resolver with an article and its spans returns an
    :class:`ArticleResult` with one :class:`Mention` per span, in the same
    order and with the same offsets.
    """

    def __init__(self, gaz: Gazetteer, *, fuzzy: bool = False, weights: dict[str, float] | None = None) -> None:
        self.gaz = gaz
        self.fuzzy = fuzzy
        w = weights if weights is not None else rk.load_weights()
        self.weights = np.array([float(w.get(f, 0.0)) for f in rk.FEATURES])
        self._cand_cache: dict[tuple[str, str], object] = {}
        #: set to a list to receive ``(span indexes, matches, feature matrix)`` per
        #: name group of every article resolved (used to fit the ranker)
        self.record: list | None = None

    # ------------------------------------------------------------------ public
    def __call__(self, article: "Article", spans: "Iterable[Span]") -> ArticleResult:
        text = article.text
        spans = list(spans)
        groups, of_span = self._groups(text, spans)
        self._link_qualifiers(text, spans, groups, of_span)
        self._rank(groups)
        if self.record is not None:
            for g in groups:
                self.record.append((list(g.idx), g.cands, g.feats if g.feats is not None
                                    else g.static))
        mentions = self._mentions(text, spans, groups, of_span)
        return ArticleResult(article, mentions, self._focus(mentions))

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
    def _groups(self, text, spans):
        groups: dict[tuple[str, str], _Group] = {}
        of_span: list[_Group | None] = []
        for i, s in enumerate(spans):
            c = self.candidates(s.text, s.kind)
            if not c.matches:
                of_span.append(None)
                continue
            gk = (c.key, s.kind)
            g = groups.get(gk)
            if g is None:
                g = groups[gk] = _Group(c.key, c.matches, c.hint)
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
            if s.kind != "demonym" and c.can_act and actor_context(text, s.start, s.end):
                g.actor = True
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
            # "Springfield, Ill., and Paris" still qualifies Springfield: only names that
            # may themselves be states or countries are siblings of a following state
            if in_list[i] and (_major(a) or not _admin_like(b)):
                a.siblings.append(b)
                b.siblings.append(a)
                continue
            gap = gaps[i]
            if gap not in _QUALIFIER_GAPS:
                continue
            if not any(rk.is_country(m.place) or rk.is_admin1(m.place) or
                       m.place.fcode in ("ADM2",) for m in b.cands):
                continue
            if b not in a.qual_targets:
                a.qual_targets.append(b)
                b.qual_sources.append(a)

    def _rank(self, groups: list[_Group]) -> None:
        w = self.weights
        base = {}
        for g in groups:
            feats = g.static.copy()
            qa, qc = _qualifier_features(g)   # depend on candidates only
            feats[:, rk.IDX["qual_agree"]] = qa
            feats[:, rk.IDX["qual_clash"]] = qc
            _hint_features(g, feats)
            if g.actor:
                for k, m in enumerate(g.cands):
                    kc = rk.kind_class(m.place)
                    if kc == "capital":
                        feats[k, rk.IDX["actor_capital"]] = 1.0
                    elif kc == "country":
                        feats[k, rk.IDX["actor_country"]] = 1.0
            base[id(g)] = feats
            g.feats = feats
            g.scores = feats @ w
            g.choice = int(np.argmax(g.scores))
        if len(groups) < 2:
            return
        border = _prepare(groups, self.gaz)
        for g in groups:  # the readings' prior probabilities, before any context
            g.prior = _softmax(g.scores)
        for _ in range(_ROUNDS):
            ctx = _Context(groups, border)
            new = []
            for g in groups:
                if len(g.cands) == 1:  # nothing to choose: context cannot change it
                    new.append((g.feats, g.scores))
                    continue
                feats = base[id(g)].copy()
                ctx.fill(g, feats)
                new.append((feats, feats @ w))
            changed = False
            for g, (feats, scores) in zip(groups, new):
                choice = int(np.argmax(scores))
                changed |= choice != g.choice
                g.choice, g.scores, g.feats = choice, scores, feats
            if not changed:
                break

    def _mentions(self, text, spans, groups, of_span) -> list[Mention]:
        out: list[Mention] = []
        for i, s in enumerate(spans):
            g = of_span[i]
            m = Mention(s.start, s.end, s.text, s.kind)
            if g is not None:
                probs = _softmax(g.scores)
                best = g.cands[g.choice].place
                d = haversine_km(best.lat, best.lon, g.lat, g.lon)
                near = d <= _SAME_PLACE_KM
                m.place = best
                m.confidence = float(min(1.0, probs[near].sum()))
                if g.hint == "fuzzy":  # a spelling guess is less sure than a name match
                    m.confidence *= 0.8
                far = np.where(~near)[0]
                if far.size:
                    j = int(far[np.argmax(probs[far])])
                    m.runner_up = g.cands[j].place
                    m.runner_up_confidence = float(probs[j])
                if s.kind != "demonym":
                    m.metonymic = is_metonymic(text, s.start, s.end, best)
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
                ("country", countries, lambda k: self.gaz.country(k)),
                ("admin1", admin1s, lambda k: self.gaz.admin1(*k)),
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


# ---------------------------------------------------------------------- helpers
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


def _major(g: _Group) -> bool:
    return any(m.kind in ("name", "official") and (rk.is_country(m.place) or rk.is_admin1(m.place))
               for m in g.cands)


def _admin_like(g: _Group) -> bool:
    return any(rk.is_country(m.place) or rk.is_admin1(m.place) or m.place.fcode == "ADM2"
               for m in g.cands)


def _hint_features(g: _Group, feats: np.ndarray) -> None:
    if not g.hint:
        return
    hm, hc = rk.IDX["hint_match"], rk.IDX["hint_clash"]
    for k, m in enumerate(g.cands):
        kc = rk.kind_class(m.place)
        if g.hint == "admin2":
            ok = kc == "admin2"
        elif g.hint == "admin":
            ok = kc in ("admin1", "admin2")
        elif g.hint == "feature":
            ok = kc in ("physical", "region")
        elif g.hint == "road":
            ok = kc in ("admin1", "country")
        else:
            continue
        feats[k, hm if ok else hc] = 1.0


_CTX_TOP = 10   # readings of each other name that serve as context
#: a reading lends full "*_any" support when its prior probability is within this
#: factor of its name's best reading, and proportionally less below (measured: 3 keeps
#: pairs of world capitals from turning into two villages of one US state at a cost of
#: 0.2 points acc@161 on the US local-news development corpus)
_ANY_RATIO = 3.0
_KC: dict[str, int] = {}   # kind class -> small int


def _prepare(groups: list[_Group], gaz=None) -> np.ndarray:
    """Per-candidate codes and flags, computed once per article.

    Returns the article's land-border matrix: entry [a, b] is 1 when the
    countries coded a and b (``g.cc``) share a land border.
    """
    codes: dict = {}
    for g in groups:
        cands = [m.place for m in g.cands]
        g.cc = np.array([codes.setdefault(p.country_code, len(codes)) if p.country_code else -3
                         for p in cands])
        g.a1 = np.array([codes.setdefault((p.country_code, p.admin1), len(codes))
                         if p.country_code and p.admin1 and not rk.is_country(p) else -4
                         for p in cands])
        kcs = [rk.kind_class(p) for p in cands]
        g.kc = np.array([_KC.setdefault(k, len(_KC)) for k in kcs])
        g.is_country = np.array([k == "country" for k in kcs])
        g.is_admin1 = np.array([k == "admin1" for k in kcs])
        g.point = np.array([k not in ("country", "admin1", "region") for k in kcs])
        own_cc = {p.country_code for p in cands if rk.is_country(p)}
        # a capital whose country other names name ("Washington" beside "U.S."), unless
        # this very name may be the country ("Mexico", "Kuwait", "Panama")
        g.is_cap = np.array([p.fcode == "PPLC" and p.country_code not in own_cc for p in cands])
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
    that have readings near each other, "Columbus" and "Colfax County").
    """

    def __init__(self, groups: list[_Group], border: np.ndarray | None = None) -> None:
        self.groups = groups
        self.border = border
        sel, probs, plaus, starts = [], [], [], []
        pos = 0
        for g in groups:
            p = _softmax(g.scores)
            order = np.argsort(-p, kind="stable")[:_CTX_TOP]
            sel.append(order)
            probs.append(p[order])
            prior = getattr(g, "prior", None)
            if prior is None:
                prior = p
            plaus.append(np.minimum(1.0, _ANY_RATIO * prior[order] / prior.max()))
            starts.append(pos)
            pos += len(order)
        self.starts = np.array(starts)
        self.prob = np.concatenate(probs)
        self.plaus = np.concatenate(plaus)
        cat = lambda attr: np.concatenate([getattr(g, attr)[o] for g, o in zip(groups, sel)])
        self.kc = cat("kc")
        self.lat = cat("lat")
        self.lon = cat("lon")
        self.cc = cat("cc")
        self.a1 = cat("a1")
        self.point = cat("point")
        self.country = cat("is_country")
        self.admin1 = cat("is_admin1")
        self.weight = np.array([float(len(g.idx)) ** 0.5 for g in groups])
        self.index = {id(g): i for i, g in enumerate(groups)}

    def _reduce(self, m: np.ndarray, w: np.ndarray, soft: bool) -> np.ndarray:
        """Weighted mean over the other groups of the sum (soft) or max (any) of ``m``."""
        if soft:
            blocks = np.add.reduceat(m * self.prob[None, :], self.starts, axis=1)
        else:
            # support from a reading counts only as far as that reading is plausible a
            # priori: the Paris and the Berlin in one US state must not outvote the capitals
            blocks = np.maximum.reduceat(m * self.plaus[None, :], self.starts, axis=1)
        return blocks @ w

    def fill(self, g: _Group, feats: np.ndarray) -> None:
        if len(self.groups) < 2:
            return
        gi = self.index[id(g)]
        w = self.weight.copy()
        w[gi] = 0.0
        w /= w.sum()
        I = rk.IDX
        # places outside any country (oceans, continents, macro-regions: code -3) agree
        # with each other: "the Pacific" beside "Europe" is the ocean, not a Missouri town
        same_cc = (g.cc[:, None] == self.cc[None, :]).astype(float)
        same_a1 = ((g.a1[:, None] == self.a1[None, :]) & (g.a1[:, None] >= 0)).astype(float)
        feats[:, I["ctx_country"]] = self._reduce(same_cc, w, True)
        feats[:, I["ctx_country_any"]] = self._reduce(same_cc, w, False)
        feats[:, I["ctx_admin1"]] = self._reduce(same_a1, w, True)
        if self.border is not None and self.border.any():
            # other names in a country next door ("Gaza" beside Israel and Egypt)
            gc, oc = np.maximum(g.cc, 0), np.maximum(self.cc, 0)
            beside = self.border[gc][:, oc] * ((g.cc >= 0)[:, None] & (self.cc >= 0)[None, :])
            feats[:, I["ctx_border"]] = self._reduce(beside, w, True)
        feats[:, I["ctx_admin1_any"]] = self._reduce(same_a1, w, False)
        # distances to point-like readings of the other names
        d = haversine_km(g.lat[:, None], g.lon[:, None], self.lat[None, :], self.lon[None, :])
        pt = self.point[None, :]
        close = np.where(pt, np.exp(-d / 150.0), 0.0)
        feats[:, I["near"]] = self._reduce(close, w, True)
        feats[:, I["near_any"]] = self._reduce(close, w, False)
        feats[:, I["near_mid_any"]] = self._reduce(np.where(pt, np.exp(-d / 800.0), 0.0), w, False)
        feats[:, I["near_any_40"]] = self._reduce(np.where(pt, np.exp(-d / 40.0), 0.0), w, False)
        feats[:, I["near_any_sq"]] = feats[:, I["near_any"]] ** 2
        feats[:, I["pop_foreign"]] = feats[:, I["logpop"]] * (1.0 - feats[:, I["ctx_country_any"]])
        if g.siblings:
            # enumeration neighbours: expected share reading as the same kind, same country
            same_kind = same_cc * (g.kc[:, None] == self.kc[None, :])
            ws = np.zeros(len(self.groups))
            for h in g.siblings:
                ws[self.index[id(h)]] = 1.0
            ws /= ws.sum()
            feats[:, I["list_kin"]] = self._reduce(same_kind, ws, True)
        if g.is_cap.any():
            named = same_cc * self.country[None, :]
            feats[:, I["capital_ctx"]] = np.where(g.is_cap, self._reduce(named, w, False), 0.0)
        # containment, for countries and states
        if g.is_country.any() or g.is_admin1.any():
            inside_c = same_cc * (~self.country)[None, :]
            inside_a = same_a1 * (~self.country & ~self.admin1)[None, :]
            inside = np.where(g.is_country[:, None], inside_c,
                              np.where(g.is_admin1[:, None], inside_a, 0.0))
            feats[:, I["contains"]] = self._reduce(inside, w, True)


from geo.articles import Article  # noqa: E402  (runtime name for the annotation above)
from geo.recognize import Span  # noqa: E402
