"""Common English words: capitalised at a sentence start or in a name, not places.

A word counts as common when the web2 word list (Webster's 2nd, via the
``english-words`` package) has it in lower case only: "garden", "honor",
"normal", "reading" are common words; "franklin", "delta", "paris" also
appear capitalised there (as names) and are not. The recogniser asks a
small place that is spelt like a common word for more evidence than its
capital letter.
"""
from __future__ import annotations

import functools
import logging

__all__ = ["is_common_word", "is_english_word"]

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def _web2() -> frozenset[str]:
    try:
        from english_words import get_english_words_set
    except ImportError:  # pragma: no cover - a declared dependency
        logger.warning("english-words is not installed: no common-word check")
        return frozenset()
    return frozenset(get_english_words_set(["web2"], alpha=True))


@functools.lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    words = _web2()
    names = {w.lower() for w in words if w[:1].isupper()}
    return frozenset(w for w in words if w.islower() and w not in names)


@functools.lru_cache(maxsize=1)
def _lower() -> frozenset[str]:
    return frozenset(w for w in _web2() if w.islower())


def is_english_word(key: str) -> bool:
    """Is ``key`` a lower-case word of the list at all, even if also a name ("turkey",
    "nice", "reading")? Text without capitals cannot tell the two apart."""
    return key in _lower()


def is_common_word(key: str) -> bool:
    """Is ``key`` (a normalised single word) a common English word, or its plural?"""
    common = _common()
    if key in common:
        return True
    return len(key) > 3 and key.endswith("s") and (key[:-1] in common or
                                                   key.endswith("es") and key[:-2] in common)
