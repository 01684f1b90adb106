"""The pipeline: articles → mentions → places → frames.

``parse`` is the Python entry point; ``iter_results`` streams one
:class:`~geo.resolve.ArticleResult` per article, in input order, optionally
across worker processes (each loads the gazetteer once).

Articles are resolved twice when their source is known (``source``, else the
URL's host): a first pass over a window of :data:`SOURCE_WINDOW` articles
shows where each source's other articles are (see :mod:`geo._sources`), and
the articles of a source with a clear home state are resolved again with it.
Windows follow input order, so the output is the same for any number of
workers.
"""
from __future__ import annotations

import itertools
import logging
import multiprocessing
import signal
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd

from geo.articles import Article
from geo.frames import build_frames
from geo.recognize import Span
from geo.resolve import ArticleResult

__all__ = ["SOURCE_WINDOW", "ParseResult", "Pipeline", "again_with_homes", "chunks", "iter_results", "parse",
           "read_inputs", "source_homes"]

logger = logging.getLogger(__name__)

#: articles sent to a worker process at a time
_CHUNK = 16
#: articles whose sources are looked at together (consecutive, in input order)
SOURCE_WINDOW = 2000


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
    focus_guess : bool, default True
        Place a name nothing else places at the article's focus, with little
        confidence (see :class:`geo.resolve.Resolver`); off with an online
        geocoder, which is asked instead.
    """

    def __init__(self, *, gazetteer_dir: Any = None, demonyms: bool = True, given_spans: bool = False,
                 recognizer: str = "default", spacy_model: str | None = None, geocoder: Any = None,
                 fuzzy: bool = False, focus_guess: bool = True) -> None:
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
        self.resolve = Resolver(self.gaz, fuzzy=fuzzy, focus_guess=focus_guess and geocoder is None)
        self.geocoder = geocoder

    def spans(self, article: Article) -> list[Span]:
        if self.given_spans:
            return [Span(s, e, article.text[s:e], "place") for s, e in (article.toponyms or [])]
        assert self.recognize is not None
        return self.recognize(article.text)

    def __call__(self, article: Article, *, home: Any = None) -> ArticleResult:
        """Recognise and resolve one article (``home``: its source's home, if known)."""
        return self.finish(self.resolve(article, self.spans(article), home=home))

    def first(self, article: Article) -> ArticleResult:
        """The first pass: recognised and resolved without source context or online geocoder."""
        return self.resolve(article, self.spans(article))

    def again(self, result: ArticleResult, home: Any) -> ArticleResult:
        """The second pass: the first pass's spans resolved again with the source's home
        (the first result itself when no name can be read there)."""
        return self.resolve.again(result, home)

    def finish(self, result: ArticleResult) -> ArticleResult:
        """Ask the online geocoder, if any, for the mentions left without a place."""
        if self.geocoder is not None:
            from geo._online import geocode_misses

            geocode_misses(result, self.geocoder)
        return result


def source_homes(results: list[ArticleResult]) -> list[Any]:
    """Each result's source home (:class:`geo._sources.SourceHome` or None), from the others'."""
    from geo._sources import homes, source_key, votes

    return homes([source_key(r.article) for r in results], [votes(r) for r in results])


# --- worker processes ---------------------------------------------------------------------------

_WORKER: Pipeline | None = None


def _init_worker(options: dict[str, Any]) -> None:
    global _WORKER
    # Ctrl-C reaches the whole process group: the parent stops the pool, workers must not
    # each die with a traceback (or leave the pool waiting for their results)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER = Pipeline(**options)


def _run_chunk(chunk: list[Article]) -> list[ArticleResult]:
    assert _WORKER is not None
    return [_WORKER(a) for a in chunk]


def _run_first(chunk: list[Article]) -> list[ArticleResult]:
    assert _WORKER is not None
    return [_WORKER.first(a) for a in chunk]


def _run_again(chunk: list[tuple[ArticleResult, Any]]) -> list[ArticleResult]:
    assert _WORKER is not None
    return [_WORKER.again(r, h) for r, h in chunk]


def chunks(items: Iterable[Any], n: int) -> Iterator[list[Any]]:
    """Consecutive lists of ``n`` items (the last may be shorter)."""
    it = iter(items)
    while chunk := list(itertools.islice(it, n)):
        yield chunk


def iter_results(articles: Iterable[Article], *, workers: int = 1, progress: bool = False,
                 total: int | None = None, source_context: bool = True,
                 source_window: int = SOURCE_WINDOW, **options: Any) -> Iterator[ArticleResult]:
    """Run the pipeline over ``articles``, yielding results in input order.

    ``workers > 1`` uses that many processes; the output is identical to one
    process because articles are handled in the same input-order windows and
    results are re-assembled in order. ``source_context`` lets the articles of
    one source in a window of ``source_window`` consecutive articles inform
    each other (see the module docstring); it delays each result until its
    window is done. Other keyword arguments go to :class:`Pipeline`.
    """
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=total, unit="article", desc="parsing", leave=False)

    def tick(n: int) -> None:
        if bar is not None:
            bar.update(n)

    try:
        if workers <= 1:
            pipe = Pipeline(**options)
            if not source_context:
                for article in articles:
                    yield pipe(article)
                    tick(1)
                return
            for window in chunks(articles, source_window):
                first = []
                for a in window:
                    first.append(pipe.first(a))
                    tick(1)
                for res in again_with_homes(first, lambda jobs: [pipe.again(r, h) for r, h in jobs]):
                    yield pipe.finish(res)
            return
        if options.get("geocoder") is not None:
            raise ValueError("online geocoders are rate-limited; use workers=1 with them")
        ctx = multiprocessing.get_context("spawn" if _has_threads() else None)
        with ctx.Pool(workers, initializer=_init_worker, initargs=(options,)) as pool:
            if not source_context:
                for chunk_result in pool.imap(_run_chunk, chunks(articles, _CHUNK)):
                    yield from chunk_result
                    tick(len(chunk_result))
                return
            for window in chunks(articles, source_window):
                first: list[ArticleResult] = []
                for chunk_result in pool.imap(_run_first, chunks(window, _CHUNK)):
                    first.extend(chunk_result)
                    tick(len(chunk_result))
                yield from again_with_homes(first, lambda jobs: [
                    r for rs in pool.imap(_run_again, chunks(jobs, _CHUNK)) for r in rs])
    finally:
        if bar is not None:
            bar.close()


def again_with_homes(first: list[ArticleResult],
                     run_again: Callable[[list[tuple[ArticleResult, Any]]], list[ArticleResult]]
                     ) -> list[ArticleResult]:
    """``first`` with the results of sources that have a home replaced by ``run_again``'s
    (which resolves each (result, home) pair again, in order)."""
    homes = source_homes(first)
    redo = [i for i, h in enumerate(homes) if h is not None]
    out = list(first)
    for i, r in zip(redo, run_again([(first[i], homes[i]) for i in redo])):
        out[i] = r
    return out


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
        ``source_context`` (default True: a source's other articles in the
        run inform its ambiguous names, see :func:`iter_results`) and
        ``source_window``; the rest go to :class:`Pipeline` (``demonyms``,
        ``given_spans``, ``gazetteer_dir``, ``recognizer``, ``geocoder``, ``fuzzy``).

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
