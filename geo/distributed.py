"""The Dask engine: parse article batches on a cluster, and query a store with dask-geopandas.

Needs the ``[dask]`` extra (``pip install 'eventmap[dask]'``). Results are the
same as the local engine's: parsing maps the very same pipeline over batches
of articles (one Pipeline, hence one gazetteer load, per worker process) and
re-assembles them in input order; querying runs :func:`geo.query.query` on
every partition of the store's mentions, with the article-level filters
(text) and the "latest batch wins" rule decided once, up front.

A cluster is either an existing scheduler (``scheduler="tcp://host:8786"``)
or a :class:`distributed.LocalCluster` started for the call.
"""
from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.coords import CRS

__all__ = ["client_for", "parse_dask", "query_dask"]

logger = logging.getLogger(__name__)

_EXTRA = "the Dask engine needs the [dask] extra: pip install 'eventmap[dask]'"


def _require() -> None:
    import importlib

    try:
        for name in ("dask", "dask_geopandas", "distributed"):
            importlib.import_module(name)
    except ImportError as err:
        raise ImportError(f"{_EXTRA} ({err.name} is missing)") from err


@contextlib.contextmanager
def client_for(scheduler: Any = None, *, n_workers: int | None = None,
               threads_per_worker: int = 1) -> Iterator[Any]:
    """A ``distributed.Client``: to ``scheduler`` (address, Client or cluster) or a new LocalCluster.

    A LocalCluster (and a Client) made here is closed on exit; one passed in is left alone.
    """
    _require()
    from distributed import Client, LocalCluster

    if isinstance(scheduler, Client):
        yield scheduler
        return
    if scheduler is not None:
        with Client(scheduler) as client:
            yield client
        return
    workers = n_workers or max(1, min(4, os.cpu_count() or 1))
    with LocalCluster(n_workers=workers, threads_per_worker=threads_per_worker, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client


# --- parsing ----------------------------------------------------------------------------------

_WORKER_PIPELINES: dict[tuple[Any, ...], Any] = {}


def _pipeline(options: dict[str, Any]) -> Any:
    """One Pipeline per options per worker process, reused across batches."""
    from geo.pipeline import Pipeline

    key = tuple(sorted((k, repr(v)) for k, v in options.items()))
    pipe = _WORKER_PIPELINES.get(key)
    if pipe is None:
        pipe = _WORKER_PIPELINES[key] = Pipeline(**options)
    return pipe


def _parse_batch(articles: list[Any], options: dict[str, Any], first: bool = False) -> list[Any]:
    """Runs in a worker: the pipeline over a batch (``first``: the first pass only)."""
    pipe = _pipeline(options)
    return [pipe.first(a) if first else pipe(a) for a in articles]


def _again_batch(jobs: list[Any], options: dict[str, Any]) -> list[Any]:
    """Runs in a worker: first-pass results resolved again with their source's home."""
    pipe = _pipeline(options)
    return [pipe.again(r, h) for r, h in jobs]


def parse_dask(inputs: Any, *, scheduler: Any = None, batch_size: int = 64, n_workers: int | None = None,
               strict: bool = False, on_error: Any = None, source_context: bool = True,
               source_window: int | None = None, **options: Any) -> Any:
    """Like :func:`geo.pipeline.parse`, with the article batches parsed on a Dask cluster.

    Parameters
    ----------
    inputs
        What :func:`geo.pipeline.parse` accepts. Articles are read here (on
        the client) and shipped to workers in batches of ``batch_size``.
    scheduler : str, Client or cluster, optional
        ``"tcp://host:8786"`` for an existing cluster; default a LocalCluster.
    source_context, source_window
        As for :func:`geo.pipeline.iter_results` (default window
        :data:`geo.pipeline.SOURCE_WINDOW`): the second pass over each
        window of consecutive articles runs on the cluster too.
    **options
        Pipeline options (``demonyms``, ``given_spans``, ``gazetteer_dir``...).

    Returns
    -------
    geo.pipeline.ParseResult
        Identical to the local engine's for the same inputs.
    """
    _require()
    from geo.pipeline import SOURCE_WINDOW, ParseResult, again_with_homes, chunks, read_inputs

    if options.get("geocoder") is not None:
        raise ValueError("online geocoders are rate-limited; use the local engine with them")
    articles, skipped = read_inputs(inputs, given_spans=options.get("given_spans", False), strict=strict,
                                    on_error=on_error)
    results: list[Any] = []
    with client_for(scheduler, n_workers=n_workers) as client:
        futures = [client.submit(_parse_batch, batch, options, source_context, pure=False)
                   for batch in chunks(articles, batch_size)]
        for fut in futures:  # in submission order: results come back in input order
            results.extend(fut.result())
        if source_context:
            # the local engine's second pass, over the same input-order windows

            def run_again(jobs: list[Any]) -> list[Any]:
                futs = [client.submit(_again_batch, batch, options, pure=False)
                        for batch in chunks(jobs, batch_size)]
                return [r for f in futs for r in f.result()]

            results = [r for window in chunks(results, source_window or SOURCE_WINDOW)
                       for r in again_with_homes(window, run_again)]
    return ParseResult.from_results(results, skipped)


# --- querying ---------------------------------------------------------------------------------

def _query_partition(part: pd.DataFrame, winners: pd.Series | None, article_ids: Any,
                     filters: dict[str, Any]) -> gpd.GeoDataFrame:
    """Runs in a worker on one partition of the stored mentions."""
    from geo.frames import MENTION_COLUMNS
    from geo.query import query
    from geo.store import _typed

    part = gpd.GeoDataFrame(part, geometry="geometry", crs=CRS)
    if winners is not None:
        part = part[(part["article_id"].map(winners).to_numpy() == part["_batch"].to_numpy())]
    if article_ids is not None:
        part = part[part["article_id"].isin(article_ids).to_numpy()]
    part = _typed(part.copy(), MENTION_COLUMNS)
    out = query(part, None, **filters)
    return gpd.GeoDataFrame(out[[*MENTION_COLUMNS, "geometry"]], geometry="geometry", crs=CRS)


def query_dask(store: Any, *, scheduler: Any = None, n_workers: int | None = None,
               **filters: Any) -> gpd.GeoDataFrame:
    """:func:`geo.query.query` over a store's mentions, partition by partition with dask-geopandas.

    Returns the matching mentions in the store's order, like ``Store.query``.
    """
    _require()
    import dask_geopandas

    from geo.frames import MENTION_COLUMNS
    from geo.store import Store

    store = store if isinstance(store, Store) else Store(store, create=False)
    manifest = store._read_manifest()
    if not manifest["batches"]:
        return store.mentions.iloc[:0]
    article_ids = None
    text = filters.pop("text", None)
    if text is not None:
        # article-level filter: decided once, streaming the articles' ids, titles and texts
        article_ids = store.article_ids_matching(text)
    # the rule hiding replaced rows needs article_id -> live batch, small enough to broadcast
    winners = None
    if any(b.get("replaced", 0) for b in manifest["batches"]):
        ids = [store._read_part(b["parts"]["articles"], ["article_id", "_batch"]).to_pandas()
               for b in manifest["batches"]]
        df = pd.concat(ids, ignore_index=True).drop_duplicates("article_id", keep="last")
        winners = pd.Series(df["_batch"].to_numpy(), index=df["article_id"].to_numpy())
    # resolve names (region, near place) once on the client, so workers need no gazetteer
    filters = _resolve_on_client(filters)
    paths = [str(store.path / b["parts"]["mentions"]["file"]) for b in manifest["batches"]]
    for b in manifest["batches"]:  # fail with the store's own message on a missing part
        if not (store.path / b["parts"]["mentions"]["file"]).exists():
            store._read_part(b["parts"]["mentions"])
    ddf = dask_geopandas.read_parquet(paths, columns=[*MENTION_COLUMNS, "_batch", "geometry"])
    meta = gpd.GeoDataFrame({c: pd.Series(dtype=t) for c, t in MENTION_COLUMNS.items()},
                            geometry=gpd.GeoSeries([], crs=CRS), crs=CRS)
    with client_for(scheduler, n_workers=n_workers) as client:
        out = ddf.map_partitions(_query_partition, winners, article_ids, filters, meta=meta)
        result = client.compute(out).result()
    result = gpd.GeoDataFrame(result, geometry="geometry", crs=CRS).reset_index(drop=True)
    return result


def _resolve_on_client(filters: dict[str, Any]) -> dict[str, Any]:
    """Names and files → geometries and coordinates, so workers need neither gazetteer nor files."""
    from geo.query import parse_near, read_polygon

    filters = dict(filters)
    resolver = filters.pop("region_resolver", None)
    if filters.get("region") is not None:
        from geo._regions import as_region_resolver

        name = filters["region"]
        filters["region_resolver"] = {name: as_region_resolver(resolver)(name)}
    if filters.get("within") is not None:
        filters["within"] = read_polygon(filters["within"])
    place_resolver = filters.pop("place_resolver", None)
    if filters.get("near") is not None:
        filters["near"] = parse_near(filters["near"], place_resolver)
    return filters
