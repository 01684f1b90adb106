"""Metonymy: a place named for its government or institutions.

"Washington said", "Seoul emphasizes", "the Pentagon signaled",
"Washington’s commitment", "the efforts of Seoul and Washington": a country,
capital, seat of government or government building standing for the people
who run it. Decided from the words around the mention; only places that can
act (countries, capitals, first-level areas, government buildings) qualify.
"""
from __future__ import annotations

import re

from geo import _lexicon as lex

__all__ = ["is_metonymic", "actor_context", "POLICY_NOUNS"]

#: nouns for what governments have and do: "Washington's commitment"
POLICY_NOUNS = frozenset("""
    commitment commitments policy policies position positions stance decision decisions
    response support backing demand demands approach strategy efforts effort ties relations
    pledge pledges sanctions plan plans proposal proposals offer offers warning warnings
    threat threats rhetoric diplomacy leadership government administration officials
    interests interest concerns concern intentions intention insistence refusal objection
    objections opposition cooperation alliance allies talks negotiators envoy envoys
    military forces troops foreign ministry
""".split())

_ACTOR_CODES = frozenset({"PCLI", "PCLD", "PCLF", "PCLS", "PCLIX", "PCL", "TERR", "PPLC",
                          "PPLG", "ADM1", "BLDG", "GOVL", "CSTL", "MILB", "INSM", "PAL"})
_WORD = re.compile(r"[^\W\d_]+(?:[-'\u2019][^\W\d_]+)*")
_STANCE_VERBS = frozenset({"remains", "views", "sees", "wants", "expects", "seeks", "considers"})
_AUX = frozenset("has have had will would could should may might must is was also "
                 "repeatedly often has already again reportedly now then still not never "
                 "and".split())


def _words_after(text: str, end: int, n: int) -> list[str]:
    return [w.lower() for w in _WORD.findall(text, end, min(len(text), end + 80))[:n]]


def _words_before(text: str, start: int, n: int) -> list[str]:
    return [w.lower() for w in _WORD.findall(text, max(0, start - 80), start)[-n:]]


def is_metonymic(text: str, start: int, end: int, place, *, actor: bool | None = None) -> bool:
    """Is the mention at ``text[start:end]`` (resolved to ``place``) metonymic?

    ``actor``: :func:`actor_context` of the same mention if already known.
    """
    if place is None or place.fcode not in _ACTOR_CODES:
        return False
    return actor_context(text, start, end) if actor is None else actor


def actor_context(text: str, start: int, end: int) -> bool:
    """Do the words around ``text[start:end]`` make it an actor (speaker, decider)?"""
    tail = text[end:end + 2]
    possessive = tail[:2] in ("'s", "\u2019s") or (text[end - 1:end] == "s" and tail[:1] in "'\u2019")
    after = _words_after(text, end + (2 if possessive else 0), 5)
    # "Washington's long-standing commitment"
    if possessive and any(w in POLICY_NOUNS for w in after[:3]):
        return True
    # "Seoul emphasizes", "Washington has repeatedly said", "Seoul and Washington remains"
    k = 0
    while k < len(after) and after[k] in _AUX:
        k += 1
    if k < len(after) and (after[k] in lex.SPEECH_VERBS or after[k] in _STANCE_VERBS):
        if not possessive:
            return True
    # "the efforts of Seoul and Washington", "commitment from Seoul"
    b2 = _words_before(text, start, 7)
    before = b2[-5:]
    while before and before[-1] in ("the", "and", "between", "both"):
        before.pop()
    if len(before) >= 2 and before[-1] in ("of", "from", "by", "with") and \
            before[-2] in POLICY_NOUNS:
        return True
    # coordinated: "Seoul and Washington" after such a phrase
    if "and" in b2[-2:] and len(b2) >= 4:
        for j in range(len(b2) - 2):
            if b2[j] in POLICY_NOUNS and b2[j + 1] in ("of", "from", "by", "with", "between"):
                return True
    return False
