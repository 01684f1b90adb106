"""Source context: a paper's other articles say where "home" is.

A local paper's "Beloit" or "Marysville" is the one near it, and its
other articles show where that is. Articles of one source (the ``source``
field, else the host of the ``url``) in one run vote with the states of the
places resolved with confidence in them; a state named by at least half of a
source's *other* articles (at least :data:`MIN_OTHERS` of them) is the home
of each article of that source, and the resolver's ``src_home`` feature
favours readings there. The article's own vote is left out, so an article
never confirms itself; a source without a clear home (a wire service, a
world-news site) gets none, and nothing changes for its articles.
"""
from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from geo import _ranker as rk

__all__ = ["MIN_OTHERS", "MIN_SHARE", "SourceHome", "homes", "source_key", "votes"]

logger = logging.getLogger(__name__)

#: a home needs at least this many other articles of the same source ...
MIN_OTHERS = 2
#: ... and this share of them naming places in that state
MIN_SHARE = 0.5
#: mentions resolved at least this confidently vote
MIN_CONFIDENCE = 0.7


@dataclass(frozen=True, slots=True)
class SourceHome:
    """The first-level area (``country_code``, ``admin1``) a source's other articles name,
    and the share of them that do."""

    country_code: str
    admin1: str
    share: float


def source_key(article) -> str | None:
    """Who published ``article``: its ``source``, else its URL's host (without ``www.``)."""
    if article.source and article.source.strip():
        return article.source.strip().lower()
    if not article.url:
        return None
    try:
        host = urlsplit(article.url.strip()).hostname or ""
    except ValueError:
        return None
    host = host.lower().removeprefix("www.")
    return host or None


def votes(result) -> frozenset[tuple[str, str]]:
    """The states an article's confidently resolved sub-national places lie in."""
    out = set()
    for m in result.mentions:
        p = m.place
        if p is None or m.kind != "place" or m.confidence < MIN_CONFIDENCE:
            continue
        if rk.is_country(p) or rk.kind_class(p) == "region" or not p.country_code or not p.admin1:
            continue
        out.add((p.country_code, p.admin1))
    return frozenset(out)


def homes(keys: Sequence[str | None], article_votes: Sequence[frozenset[tuple[str, str]]]
          ) -> list[SourceHome | None]:
    """Each article's source home from the votes of the *other* articles of its source."""
    members: dict[str, list[int]] = defaultdict(list)
    for i, k in enumerate(keys):
        if k is not None:
            members[k].append(i)
    out: list[SourceHome | None] = [None] * len(keys)
    for idx in members.values():
        n_others = len(idx) - 1
        if n_others < MIN_OTHERS:
            continue
        total = Counter(v for i in idx for v in article_votes[i])
        for i in idx:
            counts = total.copy()
            counts.subtract(article_votes[i])   # leave the article's own vote out
            # most votes first, then the smaller code: the same home whatever the input order
            best = min((c for c in counts.items() if c[1] > 0), key=lambda c: (-c[1], c[0]),
                       default=None)
            if best is not None and best[1] / n_others >= MIN_SHARE:
                (cc, a1), n = best
                out[i] = SourceHome(cc, a1, n / n_others)
    return out
