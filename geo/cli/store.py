"""``eventmap ingest``, ``eventmap query``, ``eventmap export`` and ``eventmap store check|compact``."""
from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click

from geo._atomic import atomic_path
from geo.cli._common import EXIT_SKIPPED, check_output, cli_errors, echo_err

__all__ = ["COMMANDS"]

logger = logging.getLogger(__name__)

_TABLE_COLUMNS = ["date", "article_id", "text", "name", "feature_code", "country_code", "lat", "lon", "confidence"]


def _store_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--store", "store_dir", required=True, type=click.Path(file_okay=False),
                        envvar="EVENTMAP_STORE", help="Store directory [env: EVENTMAP_STORE].")(f)


def _engine_options(f: Callable[..., Any]) -> Callable[..., Any]:
    for opt in reversed([
        click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
                     help="'dask' runs on a Dask cluster (needs the [dask] extra)."),
        click.option("--scheduler", default=None, metavar="ADDR",
                     help="With --engine dask: an existing scheduler, e.g. tcp://host:8786 "
                          "(default: a LocalCluster for this command)."),
        click.option("--dask-workers", type=click.IntRange(1, 256), default=None,
                     help="With --engine dask and no --scheduler: LocalCluster worker processes."),
    ]):
        f = opt(f)
    return f


def _filter_options(f: Callable[..., Any]) -> Callable[..., Any]:
    for opt in reversed([
        click.option("--region", default=None, help="Country, admin area or macro-region name (gazetteer footprints)."),
        click.option("--within", type=click.Path(dir_okay=False), default=None,
                     help="Polygon file (GeoJSON, GeoPackage, shapefile...)."),
        click.option("--bbox", default=None, metavar="W,S,E,N",
                     help="Bounding box; W > E crosses the antimeridian."),
        click.option("--near", default=None, metavar="PLACE|LAT,LON", help="Centre for --radius."),
        click.option("--radius", default=None, metavar="DIST", help="Distance from --near: 50km, 500m, 10mi, 20nm."),
        click.option("--since", default=None, metavar="DATE", help="From this date/time (inclusive)."),
        click.option("--until", default=None, metavar="DATE", help="Up to this date (inclusive; a bare date = whole day)."),
        click.option("--text", default=None, help='Words (or "a phrase") the article must contain.'),
        click.option("--country", default=None, metavar="CC[,CC]", help="Country codes or names of the places."),
        click.option("--feature-class", default=None, metavar="C[,C]", help="GeoNames feature classes (P, A, S...)."),
        click.option("--kind", type=click.Choice(["place", "demonym"]), default=None, help="Mention kind."),
        click.option("--min-confidence", type=float, default=None, help="Lowest resolution confidence, 0-1."),
        click.option("--exclude-metonymic", is_flag=True, help="Drop metonymic mentions ('Seoul said ...')."),
        click.option("--data-dir", type=click.Path(file_okay=False), default=None, envvar="EVENTMAP_DATA_DIR",
                     help="Gazetteer directory, for --region and --near PLACE [env: EVENTMAP_DATA_DIR]."),
    ]):
        f = opt(f)
    return f


def _filters(opts: dict[str, Any]) -> dict[str, Any]:
    """CLI options → keyword arguments of geo.query.query (only those given)."""
    f: dict[str, Any] = {}
    for key in ("region", "within", "bbox", "near", "since", "until", "text", "country", "feature_class",
                "kind", "min_confidence"):
        if opts.get(key) is not None:
            f[key] = opts[key]
    if opts.get("radius") is not None:
        f["radius_km"] = opts["radius"]
    if opts.get("exclude_metonymic"):
        f["exclude_metonymic"] = True
    data_dir = opts.get("data_dir")
    if data_dir and ("region" in f or "near" in f):
        import gazetteer

        from geo._regions import GazetteerPlaces, GazetteerRegions

        gaz = gazetteer.load(data_dir)
        f["region_resolver"] = GazetteerRegions(gaz)
        f["place_resolver"] = GazetteerPlaces(gaz)
    return f


def _open(store_dir: str) -> Any:
    from geo.store import Store

    return Store(store_dir, create=False)


# --- ingest -------------------------------------------------------------------------------------

def _ingest_options(f: Callable[..., Any]) -> Callable[..., Any]:
    from geo.cli.parse import _input_options

    return _input_options(f)


@click.command("ingest")
@click.argument("inputs", nargs=-1, required=True)
@_store_option
@click.option("--batch-size", type=click.IntRange(min=1), default=2000, show_default=True,
              help="Articles per committed batch: a crash loses at most the batch in progress.")
@_engine_options
@_ingest_options
@cli_errors
def ingest_cmd(inputs: tuple[str, ...], store_dir: str, batch_size: int, engine: str, scheduler: str | None,
               dask_workers: int | None, **opts: Any) -> None:
    """Parse articles and add them to a store.

    INPUTS are anything `eventmap parse` reads. Articles already stored with
    the same content add nothing; an article stored again with the same id
    and new content replaces its old rows. Each batch is committed
    atomically.

    \b
    Examples:
      eventmap ingest news/ --store news.store
      eventmap ingest feed.xml --store news.store --engine dask --scheduler tcp://10.0.0.5:8786
    """
    from geo.cli.parse import _pipeline_options, _read
    from geo.frames import build_frames
    from geo.store import IngestReport, Store

    store = Store(store_dir)
    skipped: list[Exception] = []
    articles = _read(inputs, opts, skipped)
    options = _pipeline_options(opts)
    # a source's articles inform each other within a committed batch, whatever the engine
    options["source_window"] = batch_size
    total = IngestReport()

    def add(results: list[Any]) -> None:
        a, m, _ = build_frames(results)
        rep = store.ingest(SimpleNamespace(articles=a, mentions=m))
        for k in ("added", "replaced", "unchanged", "mentions"):
            setattr(total, k, getattr(total, k) + getattr(rep, k))

    try:
        _ingest_batches(articles, engine, scheduler, dask_workers, batch_size, opts, options, add, skipped)
    except BaseException:
        # earlier batches are committed and stay: say so, or the user believes nothing was stored
        if total.added or total.replaced or total.unchanged:
            echo_err(f"{store.path}: {total} (committed before the error)")
        raise
    echo_err(f"{store.path}: {total}")
    if skipped:
        echo_err(f"{len(skipped)} input(s) skipped")
        sys.exit(EXIT_SKIPPED)


def _ingest_batches(articles: Any, engine: str, scheduler: str | None, dask_workers: int | None,
                    batch_size: int, opts: dict[str, Any], options: dict[str, Any],
                    add: Callable[[list[Any]], None], skipped: list[Any]) -> None:
    """Parse ``articles`` and hand each batch of results to ``add``; what each left undone
    (an online geocoder down...) is reported and counted as skipped, as by `eventmap parse`."""
    from geo.cli.parse import _reporting

    if engine == "dask":
        from geo.distributed import client_for, parse_dask

        with client_for(scheduler, n_workers=dask_workers) as client:
            batch: list[Any] = []
            for art in articles:
                batch.append(art)
                if len(batch) >= batch_size:
                    add(list(_reporting(iter(parse_dask(batch, scheduler=client, **options).results), skipped)))
                    batch = []
            if batch:
                add(list(_reporting(iter(parse_dask(batch, scheduler=client, **options).results), skipped)))
    else:
        from geo.pipeline import iter_results

        results: list[Any] = []
        for res in _reporting(iter_results(articles, workers=opts["workers"], progress=sys.stderr.isatty(),
                                           **options), skipped):
            results.append(res)
            if len(results) >= batch_size:
                add(results)
                results = []
        if results:
            add(results)


# --- query --------------------------------------------------------------------------------------

@click.command("query")
@_store_option
@_filter_options
@click.option("--group-by", type=click.Choice(["country", "admin1", "place", "day", "week"]), default=None,
              help="Count mentions and articles per group instead of listing mentions.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the result to a file (.geojson, .parquet, .csv, .jsonl, .gpkg, .fgb) instead of a table.")
@click.option("--map", "map_path", type=click.Path(dir_okay=False), default=None,
              help="Also draw the matching mentions on an HTML map.")
@click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True,
              help="Rows shown in the table (0: all).")
@_engine_options
@cli_errors
def query_cmd(store_dir: str, group_by: str | None, output: str | None, map_path: str | None, limit: int,
              engine: str, scheduler: str | None, dask_workers: int | None, **opts: Any) -> None:
    """Select stored mentions by place, time and text; list, count, export or map them.

    Filters combine with AND.

    \b
    Examples:
      eventmap query --store news.store --region "Korean Peninsula" --since 2024-01-01
      eventmap query --store news.store --near Busan --radius 50km -o busan.geojson
      eventmap query --store news.store --bbox 170,-50,-170,0 --group-by country
      eventmap query --store news.store --text "port strike" --map strikes.html
    """
    import pandas as pd

    from geo.query import group_by as grouped

    if output:
        _check_query_output(output, group_by, _file_inputs(opts))
    if map_path:
        check_output(map_path, param_hint="--map", suffixes=(".html", ".htm"), inputs=_file_inputs(opts))
    store = _open(store_dir)
    filters = _filters(opts)
    if engine == "dask":
        from geo.distributed import query_dask

        result = query_dask(store, scheduler=scheduler, n_workers=dask_workers, **filters)
    else:
        result = store.query(**filters)
    echo_err(f"{len(result)} mentions in {result['article_id'].nunique()} articles match")
    if map_path:
        _draw(store, result, Path(map_path), opts.get("data_dir"))
    if group_by:
        table = grouped(result, group_by)
        if output:
            _write_table(table, Path(output), result if group_by == "place" else None)
        else:
            click.echo(_show(table, limit))
        return
    if output:
        from geo.export import write

        # only the matching mentions' articles: the store is never loaded whole
        n = write(result, output, layer="mentions",
                  articles=store.articles_of(result["article_id"].dropna().unique()))
        echo_err(f"{n} mentions → {output}")
    elif not map_path:
        cols = [c for c in _TABLE_COLUMNS if c in result]
        table = pd.DataFrame(result[cols]).copy()
        table["date"] = table["date"].dt.strftime("%Y-%m-%d").fillna("")  # undated: blank, not NaN
        click.echo(_show(table, limit))


def _file_inputs(opts: dict[str, Any]) -> tuple[str, ...]:
    """The files a query reads besides the store (an output must not replace them)."""
    return (opts["within"],) if opts.get("within") else ()


def _check_query_output(output: str, group_by: str | None, inputs: tuple[str, ...] = ()) -> None:
    """Reject an output query cannot write before running the query."""
    from geo.export import format_for

    if group_by and group_by != "place":  # a plain table: no geometry to write
        if Path(output).suffix.lower() not in (".csv", ".jsonl", ".parquet"):
            raise click.BadParameter(f"--group-by output goes to .csv, .jsonl or .parquet (or any geo format "
                                     f"with --group-by place), not {Path(output).name}", param_hint="-o/--output")
        check_output(output, param_hint="-o/--output", inputs=inputs)
        return
    try:
        format_for(output)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="-o/--output") from err
    check_output(output, param_hint="-o/--output", inputs=inputs)


def _show(table: Any, limit: int) -> str:
    if table.empty:
        return "(no rows)"
    shown = table if not limit else table.head(limit)
    text = shown.to_string(index=False, max_colwidth=40)
    if limit and len(table) > limit:
        text += f"\n... {len(table) - limit} more rows (use --limit 0 or -o FILE)"
    return text


def _write_table(table: Any, path: Path, mentions: Any) -> None:
    """A group-by table to csv/jsonl/parquet; to a geo format only for places (their points)."""
    import geopandas as gpd

    from geo.coords import CRS
    from geo.export import FORMATS, write

    ext = path.suffix.lower()
    if ext in (".csv", ".jsonl", ".parquet") and mentions is None:
        with atomic_path(path) as tmp:
            if ext == ".csv":
                table.to_csv(tmp, index=False)
            elif ext == ".jsonl":
                table.to_json(tmp, orient="records", lines=True, force_ascii=False)
            else:
                table.to_parquet(tmp, index=False)
    elif mentions is not None and ext in FORMATS:
        pts = (gpd.GeoDataFrame(mentions[["place_id", "geometry"]], geometry="geometry", crs=CRS)
               .dropna(subset=["place_id"]).drop_duplicates("place_id"))
        frame = gpd.GeoDataFrame(table.merge(pts, on="place_id", how="left"), geometry="geometry", crs=CRS)
        write(frame, path)
    else:
        raise click.UsageError(f"--group-by output goes to .csv, .jsonl or .parquet (or any geo format "
                               f"with --group-by place), not {path.name}")
    echo_err(f"{len(table)} groups → {path}")


def _draw(store: Any, mentions: Any, path: Path, data_dir: str | None) -> None:
    import maps

    from geo.frames import places_from_mentions

    arts = store.articles_of(mentions["article_id"].dropna().unique())
    m = maps.event_map((arts, mentions, places_from_mentions(mentions)), gazetteer_dir=data_dir)
    maps.save_map(m, path)
    echo_err(f"map → {path}")


# --- export -------------------------------------------------------------------------------------

@click.command("export")
@_store_option
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Output file: .geojson, .parquet, .gpkg, .fgb, .csv or .jsonl.")
@click.option("--layer", type=click.Choice(["mentions", "places", "articles"]), default="mentions",
              show_default=True, help="Which frame to export.")
@_filter_options
@cli_errors
def export_cmd(store_dir: str, output: str, layer: str, **opts: Any) -> None:
    """Export a store (optionally filtered like `eventmap query`) to a file.

    Unfiltered exports are streamed: memory does not grow with the store.
    The file appears only when complete.

    \b
    Examples:
      eventmap export --store news.store -o mentions.geojson
      eventmap export --store news.store -o places.gpkg --layer places --country KR
    """
    from geo.export import format_for

    try:
        format_for(output)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="-o/--output") from err
    check_output(output, param_hint="-o/--output", inputs=_file_inputs(opts))
    n = _open(store_dir).export(output, layer=layer, **_filters(opts))
    echo_err(f"{n} {layer} → {output}")


# --- store maintenance ----------------------------------------------------------------------------

@click.group("store")
def store_group() -> None:
    """Check or compact a store."""


@store_group.command("check")
@_store_option
@cli_errors
def check_cmd(store_dir: str) -> None:
    """Verify every part of a store (presence, checksum, rows, columns); exit 1 if damaged."""
    report = _open(store_dir).check()
    click.echo(str(report))
    if not report.ok:
        sys.exit(1)


@store_group.command("compact")
@_store_option
@cli_errors
def compact_cmd(store_dir: str) -> None:
    """Rewrite the live rows into one batch, dropping replaced rows."""
    store = _open(store_dir)
    before = len(store.batches)
    store.compact()
    echo_err(f"{store.path}: {before} batches → {len(store.batches)}")


COMMANDS = [ingest_cmd, query_cmd, export_cmd, store_group]
