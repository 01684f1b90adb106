"""The pipeline: articles → mentions → places → frames.

``parse`` is the Python entry point; ``iter_results`` streams one
:class:`~geo.resolve.ArticleResult` per article, in input order, optionally
across worker processes (each loads the gazetteer once).
"""
from __future__ import annotations

import itertools
import logging
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd

from geo.articles import Article
from geo.frames import build_frames
from geo.recognize import Span
from geo.resolve import ArticleResult

__all__ = ["ParseResult", "Pipeline", "chunks", "iter_results", "parse", "read_inputs"]

logger = logging.getLogger(__name__)

#: articles sent to a worker process at a time
_CHUNK = 16


@dataclass
class ParseResult:
    """What :func:`parse` returns: the three frames, per-article results and what was skipped."""

    articles: gpd.GeoDataFrame
    mentions: gpd.GeoDataFrame
    places: gpd.GeoDataFrame
    results: list[ArticleResult] = field(repr=False, default_factory=list)
    skipped: list[Exception] = field(default_factory=list)

    def __repr__(self) -> str:
        return (f"ParseResult({len(self.articles)} articles, {len(self.mentions)} mentions, "
                f"{len(self.places)} places, {len(self.skipped)} skipped)")

    def _repr_html_(self) -> str:  # Jupyter: show the map inline
        from maps import event_map

        return event_map(self)._repr_html_()

    @classmethod
    def from_results(cls, results: list[ArticleResult], skipped: list[Exception]) -> ParseResult:
        """The frames of ``results`` (in order), with the inputs that were skipped."""
        a, m, p = build_frames(results)
        return cls(a, m, p, results, skipped)


def read_inputs(inputs: Any, *, given_spans: bool = False, strict: bool = False,
                on_error: Callable[[Exception], None] | None = None) -> tuple[Iterator[Article], list[Exception]]:
    """Articles from ``inputs`` (lazily) and the list their skipped inputs are added to.

    Each skipped input's error goes to ``on_error`` (default: a logged warning).
    Shared by the local and the Dask engines so both read and skip alike.
    """
    from geo.articles import to_articles

    skipped: list[Exception] = []

    def _skip(err: Exception) -> None:
        skipped.append(err)
        if on_error is not None:
            on_error(err)
        else:
            logger.warning("%s", err)

    return to_articles(inputs, given_spans=given_spans, strict=strict, on_error=_skip), skipped


class Pipeline:
    """Recogniser + resolver over one loaded gazetteer; call it on an :class:`Article`.

    Parameters
    ----------
    gazetteer_dir : str or Path, optional
        Where the offline gazetteer lives (default: the user cache dir).
    demonyms : bool
        Report demonyms ("South Korean") as ``kind="demonym"`` mentions.
    given_spans : bool
        Skip recognition and resolve ``article.toponyms`` exactly as given.
    recognizer : {"default", "spacy"}
        The default recogniser needs only the package's data; "spacy" needs the
        ``[ner]`` extra and an installed spaCy model.
    geocoder : geopy Geocoder, optional
        Asked for mentions the offline resolver could not place.
    """

    def __init__(self, *, gazetteer_dir: Any = None, demonyms: bool = True, given_spans: bool = False,
                 recognizer: str = "default", spacy_model: str | None = None, geocoder: Any = None,
                 fuzzy: bool = False) -> None:
        import gazetteer
        from geo.recognize import Recognizer
        from geo.resolve import Resolver

        self.gaz = gazetteer.load(gazetteer_dir)
        self.given_spans = given_spans
        if given_spans:
            self.recognize: Callable[[str], list[Span]] | None = None
        elif recognizer == "spacy":
            from geo.recognize_spacy import SpacyRecognizer

            self.recognize = SpacyRecognizer(self.gaz, model=spacy_model, demonyms=demonyms)
        elif recognizer == "default":
            self.recognize = Recognizer(self.gaz, demonyms=demonyms)
        else:
            raise ValueError(f"unknown recognizer {recognizer!r}; choose 'default' or 'spacy'")
        self.resolve = Resolver(self.gaz, fuzzy=fuzzy)
        self.geocoder = geocoder

    def spans(self, article: Article) -> list[Span]:
        if self.given_spans:
            return [Span(s, e, article.text[s:e], "place") for s, e in (article.toponyms or [])]
        assert self.recognize is not None
        return self.recognize(article.text)

    def __call__(self, article: Article) -> ArticleResult:
        result = self.resolve(article, self.spans(article))
        if self.geocoder is not None:
            from geo._online import geocode_misses

            geocode_misses(result, self.geocoder)
        return result


# --- worker processes ---------------------------------------------------------------------------

_WORKER: Pipeline | None = None


def _init_worker(options: dict[str, Any]) -> None:
    global _WORKER
    _WORKER = Pipeline(**options)


def _run_chunk(chunk: list[Article]) -> list[ArticleResult]:
    assert _WORKER is not None
    return [_WORKER(a) for a in chunk]


def chunks(items: Iterable[Any], n: int) -> Iterator[list[Any]]:
    """Consecutive lists of ``n`` items (the last may be shorter)."""
    it = iter(items)
    while chunk := list(itertools.islice(it, n)):
        yield chunk


def iter_results(articles: Iterable[Article], *, workers: int = 1, progress: bool = False,
                 total: int | None = None, **options: Any) -> Iterator[ArticleResult]:
    """Run the pipeline over ``articles``, yielding results in input order.

    ``workers > 1`` uses that many processes; the output is identical to one
    process because every article is handled independently and results are
    re-assembled in order. Other keyword arguments go to :class:`Pipeline`.
    """
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=total, unit="article", desc="parsing", leave=False)
    try:
        if workers <= 1:
            pipe = Pipeline(**options)
            for article in articles:
                yield pipe(article)
                if bar is not None:
                    bar.update(1)
            return
        if options.get("geocoder") is not None:
            raise ValueError("online geocoders are rate-limited; use workers=1 with them")
        ctx = multiprocessing.get_context("spawn" if _has_threads() else None)
        with ctx.Pool(workers, initializer=_init_worker, initargs=(options,)) as pool:
            for chunk_result in pool.imap(_run_chunk, chunks(articles, _CHUNK)):
                yield from chunk_result
                if bar is not None:
                    bar.update(len(chunk_result))
    finally:
        if bar is not None:
            bar.close()


def _has_threads() -> bool:
    import threading

    return threading.active_count() > 1


def parse(inputs: Any, *, workers: int = 1, strict: bool = False, progress: bool = False,
          on_error: Callable[[Exception], None] | None = None, **options: Any) -> ParseResult:
    """Find, resolve and frame the places that articles mention.

    Parameters
    ----------
    inputs : str, dict, Article, path, or an iterable of them
        Raw article text, article records (``{"id", "text", "title", ...}``),
        :class:`~geo.articles.Article` objects, file or directory paths
        (txt, html, jsonl, csv, feeds), or ``"-"`` for stdin.
    workers : int
        Processes to use; the result is identical for any value.
    strict : bool
        Raise on the first bad input instead of skipping it.
    on_error : callable, optional
        Called with each skipped input's error (default: logged as a warning).
    **options
        Passed to :class:`Pipeline` (``demonyms``, ``given_spans``,
        ``gazetteer_dir``, ``recognizer``, ``geocoder``, ``fuzzy``).

    Returns
    -------
    ParseResult
        With ``.articles``, ``.mentions`` and ``.places`` GeoDataFrames.

    Examples
    --------
    >>> res = parse("Protests spread from Busan to Seoul on Monday.")  # doctest: +SKIP
    >>> res.mentions[["text", "name", "country_code"]]                 # doctest: +SKIP
    """
    articles, skipped = read_inputs(inputs, given_spans=options.get("given_spans", False), strict=strict,
                                    on_error=on_error)
    results = list(iter_results(articles, workers=workers, progress=progress, **options))
    return ParseResult.from_results(results, skipped)
