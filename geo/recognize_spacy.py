"""Recognition with a spaCy pipeline (extra ``[ner]``): GPE/LOC/FAC entities as places.

An alternative to :class:`geo.recognize.Recognizer` where a statistical NER
model is installed (``python -m spacy download en_core_web_sm``). Entity
spans are trimmed the way the gazetteer-based recogniser cuts them (no
leading "the", no possessive ``'s``); NORP entities ("South Korean") become
``kind="demonym"`` spans when the gazetteer knows them as a demonym.
"""
from __future__ import annotations

import logging
import re
from typing import Any

from gazetteer import normalize
from gazetteer.errors import ConfigurationError

from geo.recognize import Span

__all__ = ["SpacyRecognizer", "PLACE_LABELS"]

logger = logging.getLogger(__name__)

#: entity labels taken as place mentions
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_LEADING = re.compile(r"^(?:the|The|THE)\s+")
_POSSESSIVE = re.compile(r"(?:['\u2019][sS]|(?<=s)['\u2019])$")
_TRAIL = " \t\n,;:!?\"()[]{}\u201c\u201d\u2018\u2019"


class SpacyRecognizer:
    """Find place mentions with a spaCy NER pipeline.

    Parameters
    ----------
    gaz : Gazetteer
        Used to keep only NORP entities that name a people of a place.
    model : str, default "en_core_web_sm"
        Name or path of an installed spaCy pipeline (ignored when ``nlp`` is given).
    nlp : spacy.Language, optional
        A ready pipeline (for example ``spacy.blank("en")`` with an entity ruler).
    demonyms : bool, default True
        Return NORP entities known as demonyms with ``kind="demonym"``.
    """

    def __init__(self, gaz, *, model: str = "en_core_web_sm", nlp: Any = None,
                 demonyms: bool = True) -> None:
        try:
            import spacy
        except ImportError as err:
            raise ImportError("the spaCy recogniser needs spaCy: pip install 'eventmap[ner]'") from err
        if nlp is None:
            try:
                nlp = spacy.load(model)
            except OSError as err:
                raise ConfigurationError(
                    f"spaCy model {model!r} is not installed "
                    f"(python -m spacy download {model}): {err}") from err
        self.nlp = nlp
        self.gaz = gaz
        self.demonyms = demonyms

    def __call__(self, text: str) -> list[Span]:
        if not text:
            return []
        doc = self.nlp(text)
        spans: list[Span] = []
        for ent in doc.ents:
            if ent.label_ in PLACE_LABELS:
                kind = "place"
            elif ent.label_ == "NORP" and self.demonyms and self._is_demonym(ent.text):
                kind = "demonym"
            else:
                continue
            span = _trim(text, ent.start_char, ent.end_char, kind)
            if span is not None:
                spans.append(span)
        spans.sort(key=lambda s: (s.start, -s.end))
        out: list[Span] = []
        for s in spans:
            if out and s.start < out[-1].end:
                continue
            out.append(s)
        return out

    def _is_demonym(self, name: str) -> bool:
        key = normalize(name)
        if not self.gaz.known(key) and key.endswith("s"):
            key = key[:-1]
        return self.gaz.known(key) and any(m.kind == "demonym" for m in self.gaz.lookup(key))


def _trim(text: str, start: int, end: int, kind: str) -> Span | None:
    """Cut a leading article, a possessive and stray punctuation off an entity."""
    seg = text[start:end]
    m = _LEADING.match(seg)
    if m:
        start += m.end()
    seg = text[start:end]
    m = _POSSESSIVE.search(seg)
    if m and end - start > len(m.group()) + 1:
        end -= len(m.group())
    while end > start and text[end - 1] in _TRAIL:
        end -= 1
    while start < end and text[start] in _TRAIL:
        start += 1
    if end <= start:
        return None
    return Span(start, end, text[start:end], kind)
