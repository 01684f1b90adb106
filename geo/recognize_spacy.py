"""Recognition with a spaCy pipeline (extra ``[ner]``): GPE/LOC/FAC entities as places.

An alternative to :class:`geo.recognize.Recognizer` for users who have a
statistical NER model installed (``python -m spacy download en_core_web_sm``)
or a pipeline of their own. Entity spans are cut the way the gazetteer-based
recogniser cuts them (no leading "the", no possessive ``'s``, no stray
punctuation, "US-ROK" split into its parts) and, by default, only names the
gazetteer knows are kept, so the resolver sees only spans it can resolve.
NORP entities ("South Korean") become ``kind="demonym"`` spans when the
gazetteer knows them as a demonym.

Models are never downloaded here: a missing model is a
:class:`~gazetteer.errors.ConfigurationError` that says how to install one.
"""
from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Iterator
from typing import Any

from gazetteer import normalize
from gazetteer.errors import ConfigurationError
from geo.recognize import Span, _non_overlapping

__all__ = ["DEFAULT_MODEL", "DEMONYM_LABELS", "PLACE_LABELS", "SpacyRecognizer"]

logger = logging.getLogger(__name__)

#: the pipeline loaded when no model is given
DEFAULT_MODEL = "en_core_web_sm"
#: entity labels taken as place mentions (OntoNotes; "LOC" also covers WikiNER-style models)
PLACE_LABELS = ("GPE", "LOC", "FAC")
#: entity labels that may be demonyms ("South Korean", "Americans")
DEMONYM_LABELS = ("NORP",)

# components a loaded model needs for entities; the rest (tagger, parser,
# lemmatizer...) only cost time and are disabled when we load the model ourselves
_ENTITY_FACTORIES = frozenset({"ner", "beam_ner", "entity_ruler", "span_ruler", "entity_linker",
                               "tok2vec", "transformer", "curated_transformer", "sentencizer"})
_LEADING = re.compile(r"(?:the|The|THE)\s+")
_POSSESSIVE = re.compile(r"(?:['\u2019][sS]|(?<=[sS])['\u2019])$")
# hyphens and dashes between the parts of "US-ROK", "U.S.\u2013Japan"
_COMPOUND = re.compile(r"\s?[-\u2010\u2011\u2013]\s?")
_STRIP = " \t\r\n,;:!?\"()[]{}<>*\u00a0\u201c\u201d\u2018\u2019'\u00ab\u00bb\u2022-\u2013\u2014"


class SpacyRecognizer:
    """Find place mentions with a spaCy NER pipeline.

    A small callable component: configure once, call on a text (or
    :meth:`pipe` over many) to get non-overlapping :class:`~geo.recognize.Span`
    objects sorted by ``start``, with Python ``str`` offsets (end exclusive).

    Parameters
    ----------
    gaz : Gazetteer
        A loaded gazetteer (``gazetteer.load()``); ``known`` and ``lookup`` are used.
    model : str, path or spacy.Language, default "en_core_web_sm"
        An installed pipeline's name or directory (loaded with ``spacy.load``,
        never downloaded), or a ready ``Language`` object such as
        ``spacy.blank("en")`` with an ``entity_ruler``.
    nlp : spacy.Language, optional
        Same as passing a ``Language`` as ``model`` (kept for older callers).
    demonyms : bool, default True
        Return demonym entities known to the gazetteer with ``kind="demonym"``.
    place_labels, demonym_labels : iterable of str
        Entity labels read as places (default :data:`PLACE_LABELS`) and as
        possible demonyms (default :data:`DEMONYM_LABELS`).
    require_known : bool, default True
        Drop place entities whose name the gazetteer does not know at all.
    batch_size : int, default 64
        Texts per batch in :meth:`pipe`.

    Raises
    ------
    ImportError
        spaCy is not installed (``pip install 'eventmap[ner]'``).
    ConfigurationError
        ``model`` names a pipeline that is not installed or cannot be loaded.

    Examples
    --------
    >>> import gazetteer, spacy                                        # doctest: +SKIP
    >>> nlp = spacy.blank("en")                                        # doctest: +SKIP
    >>> ruler = nlp.add_pipe("entity_ruler")                           # doctest: +SKIP
    >>> ruler.add_patterns([{"label": "GPE", "pattern": "Busan"}])     # doctest: +SKIP
    >>> rec = SpacyRecognizer(gazetteer.load(), model=nlp)             # doctest: +SKIP
    >>> rec("Ships left Busan's port.")                                # doctest: +SKIP
    [Span(start=11, end=16, text='Busan', kind='place')]
    """

    def __init__(self, gaz: Any, *, model: Any = None, nlp: Any = None, demonyms: bool = True,
                 place_labels: Iterable[str] = PLACE_LABELS,
                 demonym_labels: Iterable[str] = DEMONYM_LABELS,
                 require_known: bool = True, batch_size: int = 64) -> None:
        self.nlp = _load(nlp if nlp is not None else model)
        self.gaz = gaz
        self.demonyms = demonyms
        self.place_labels = frozenset(place_labels)
        self.demonym_labels = frozenset(demonym_labels)
        self.require_known = require_known
        self.batch_size = max(1, int(batch_size))
        self._kinds: dict[str, str | None] = {}
        _check_labels(self.nlp, self.place_labels | self.demonym_labels)

    @property
    def config(self) -> dict[str, Any]:
        """The settings, spaCy-style (for logs and notebooks)."""
        return {"model": self.nlp.meta.get("name", "?"), "pipes": list(self.nlp.pipe_names),
                "demonyms": self.demonyms, "place_labels": sorted(self.place_labels),
                "demonym_labels": sorted(self.demonym_labels),
                "require_known": self.require_known, "batch_size": self.batch_size}

    def __repr__(self) -> str:
        c = self.config
        return (f"SpacyRecognizer(model={c['model']!r}, pipes={c['pipes']}, "
                f"place_labels={c['place_labels']}, demonyms={self.demonyms}, "
                f"require_known={self.require_known})")

    # ------------------------------------------------------------------ calls
    def __call__(self, text: str) -> list[Span]:
        """Place and demonym spans of one text."""
        if not text or text.isspace():
            return []
        out: list[Span] = []
        for offset, chunk in _chunks(text, self.nlp.max_length):
            out.extend(self._spans(text, offset, self.nlp(chunk)))
        return _non_overlapping(out)

    def pipe(self, texts: Iterable[str], *, batch_size: int | None = None) -> Iterator[list[Span]]:
        """Spans of each text, in order, batched through ``nlp.pipe`` for throughput."""
        texts = list(texts) if not isinstance(texts, list) else texts
        jobs: list[tuple[int, int, str]] = []  # (text index, offset, chunk)
        for i, text in enumerate(texts):
            if text and not text.isspace():
                jobs.extend((i, off, chunk) for off, chunk in _chunks(text, self.nlp.max_length))
        docs = self.nlp.pipe((chunk for _, _, chunk in jobs),
                             batch_size=batch_size or self.batch_size)
        found: list[list[Span]] = [[] for _ in texts]
        for (i, off, _), doc in zip(jobs, docs):
            found[i].extend(self._spans(texts[i], off, doc))
        for spans in found:
            yield _non_overlapping(spans)

    # ------------------------------------------------------------------ rules
    def _spans(self, text: str, offset: int, doc: Any) -> Iterator[Span]:
        for ent in doc.ents:
            label = ent.label_
            if label in self.place_labels:
                want = "place"
            elif label in self.demonym_labels:
                if not self.demonyms:
                    continue
                want = "demonym"
            else:
                continue
            cut = _trim(text, offset + ent.start_char, offset + ent.end_char)
            if cut is None:
                continue
            for s, e in self._parts(text, *cut):
                kind = self._kind(text[s:e], want)
                if kind is not None:
                    yield Span(s, e, text[s:e], kind)

    def _parts(self, text: str, start: int, end: int) -> list[tuple[int, int]]:
        """Split "US-ROK" into its parts when the whole is no name but each part is."""
        seg = text[start:end]
        if not _COMPOUND.search(seg) or self.gaz.known(normalize(seg)):
            return [(start, end)]
        parts = []
        pos = start
        for m in _COMPOUND.finditer(seg):
            parts.append((pos, start + m.start()))
            pos = start + m.end()
        parts.append((pos, end))
        if all(e > s and self.gaz.known(normalize(text[s:e])) for s, e in parts):
            return parts
        return [(start, end)]

    def _kind(self, name: str, want: str) -> str | None:
        """"place", "demonym" or None (dropped), from what the gazetteer knows of ``name``."""
        key = f"{want}\0{name}"
        try:
            return self._kinds[key]
        except KeyError:
            pass
        kinds = self._name_kinds(name)
        if want == "demonym":
            kind = "demonym" if "demonym" in kinds else None
        elif kinds and kinds <= {"demonym"}:
            # a model tagged "American" as GPE: the gazetteer knows it only as a people
            kind = "demonym" if self.demonyms else None
        elif kinds or not self.require_known:
            kind = "place"
        else:
            kind = None
        if len(self._kinds) > 100_000:
            self._kinds.clear()
        self._kinds[key] = kind
        return kind

    def _name_kinds(self, name: str) -> set[str]:
        key = normalize(name)
        if not key:
            return set()
        if not self.gaz.known(key) and key.endswith("s") and self.gaz.known(key[:-1]):
            key = key[:-1]  # "Filipinos" when only "Filipino" is listed
        if not self.gaz.known(key):
            return set()
        return {m.kind for m in self.gaz.lookup(key)}


# --- helpers ----------------------------------------------------------------------------------

def _load(model: Any) -> Any:
    """The ``spacy.Language`` for ``model``: used as is, or loaded by name/path."""
    try:
        import spacy
    except ImportError as err:
        raise ImportError("the spaCy recogniser needs spaCy: pip install 'eventmap[ner]'") from err
    if isinstance(model, spacy.language.Language):
        return model
    if model is None:
        model = DEFAULT_MODEL
    if not isinstance(model, (str, os.PathLike)):
        raise TypeError(f"model must be a spaCy model name, a path or a spacy.Language, "
                        f"not {type(model).__name__}")
    try:
        nlp = spacy.load(model)
    except OSError as err:
        raise ConfigurationError(
            f"spaCy model {str(model)!r} is not installed or not a pipeline directory; "
            f"install one first, e.g. `python -m spacy download {DEFAULT_MODEL}` "
            f"(eventmap never downloads models), then pass its name or path ({err})") from err
    except ValueError as err:  # a broken or incompatible config.cfg
        raise ConfigurationError(f"spaCy model {str(model)!r} cannot be loaded: {err}") from err
    # only entity recognition is used: skip the tagger, parser, lemmatizer...
    unused = [name for name, factory in nlp.pipe_factories.items()
              if factory not in _ENTITY_FACTORIES]
    if unused:
        nlp.select_pipes(disable=unused)
    logger.info("spaCy model %s loaded, pipes %s", model, nlp.pipe_names)
    return nlp


def _check_labels(nlp: Any, wanted: frozenset[str]) -> None:
    """Warn when the pipeline cannot produce any of the labels we read."""
    known: set[str] = set()
    for _, pipe in nlp.pipeline:
        labels = getattr(pipe, "labels", None)
        if labels:
            known.update(labels)
    if not nlp.pipeline:
        logger.warning("the spaCy pipeline has no components: it will find no entities")
    elif known and not known & wanted:
        logger.warning("the spaCy pipeline labels %s include none of %s: it will find no places",
                       sorted(known), sorted(wanted))


def _chunks(text: str, limit: int) -> Iterator[tuple[int, str]]:
    """``(offset, chunk)`` pieces no longer than spaCy's ``max_length``, cut at line
    breaks or spaces so that no name is split."""
    limit = max(1, int(limit))
    start, n = 0, len(text)
    while n - start > limit:
        cut = text.rfind("\n", start + 1, start + limit)
        if cut <= start:
            cut = text.rfind(" ", start + 1, start + limit)
        if cut <= start:
            cut = start + limit
        yield start, text[start:cut]
        start = cut
    yield start, text[start:]


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Cut a leading article, a possessive and stray punctuation off an entity."""
    while start < end and text[start] in _STRIP:
        start += 1
    m = _LEADING.match(text, start, end)
    if m and m.end() < end:
        start = m.end()
    while True:
        before = (start, end)
        m = _POSSESSIVE.search(text, start, end)
        if m and m.start() - start >= 2:
            end = m.start()
        while end > start and text[end - 1] in _STRIP:
            end -= 1
        # a sentence's full stop, but not an abbreviation's ("U.S.", "St.", "D.C.")
        if end - start > 1 and text[end - 1] == "." and _sentence_stop(text, start, end):
            end -= 1
        if (start, end) == before:
            break
    return (start, end) if end > start else None


def _sentence_stop(text: str, start: int, end: int) -> bool:
    word = text[start:end - 1].rsplit(None, 1)[-1]
    return "." not in word and len(word) > 3


