"""``eventmap map``: draw articles (or stored / exported frames) on an HTML map."""
from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

import click

from geo.cli._common import EXIT_SKIPPED, check_output, cli_errors, echo_err
from geo.cli.parse import MAX_BYTES_OPTION

__all__ = ["COMMANDS", "load_map_inputs"]

logger = logging.getLogger(__name__)

_FRAME_SUFFIXES = {".parquet", ".geoparquet", ".geojson"}
_LAYERS = ("places", "focus", "heat", "countries", "admin1", "regions", "time")


def _frame_kind(df: Any, where: str) -> str:
    cols = set(df.columns)
    if "place_id" in cols and ("mention_index" in cols or "start" in cols):
        return "mentions"
    if "article_id" in cols and "place_id" not in cols:
        return "articles"
    if "n_articles" in cols:
        raise click.UsageError(f"{where}: this is a places frame, which does not say which articles mention what; "
                               "export the mentions instead (eventmap parse ... -o FILE --layer mentions)")
    if "place_id" in cols or "geometry" in cols:
        return "mentions"
    raise click.UsageError(f"{where}: not an eventmap frame (columns: {', '.join(sorted(cols)[:12])})")


def _read_frame(path: Path) -> Any:
    import geopandas as gpd
    import pandas as pd

    if path.suffix.lower() == ".geojson":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise click.UsageError(f"{path}: cannot read GeoJSON: {err}") from err
        feats = data.get("features") if isinstance(data, dict) else None
        if not isinstance(feats, list):
            raise click.UsageError(f"{path}: not a GeoJSON FeatureCollection")
        if not feats:
            return gpd.GeoDataFrame({"place_id": pd.Series([], dtype="object")}, geometry=[], crs="EPSG:4326")
        try:
            gdf = gpd.GeoDataFrame.from_features(feats, crs="EPSG:4326")
        except Exception as err:  # noqa: BLE001 - shapely/geopandas raise many kinds; name the feature
            raise click.UsageError(f"{path}: {_bad_feature(feats, err)}") from err
        if "place_id" not in gdf and "article_id" not in gdf:
            # a feature without a geometry is a place not located: not drawn, as eventmap's own
            # unresolved mentions are
            gdf["place_id"] = [str(f.get("id", i)) if isinstance(f, dict) and f.get("geometry") else None
                               for i, f in enumerate(feats)]
        return gdf
    try:
        try:
            return gpd.read_parquet(path)
        except ValueError as err:
            if "geo" not in str(err).lower():  # not "missing geo metadata": a broken file
                raise
            return pd.read_parquet(path)  # plain (non-geo) parquet
    except (OSError, ValueError) as err:  # pyarrow's errors derive from these
        raise click.UsageError(f"{path}: cannot read parquet: {err}") from err


def _bad_feature(feats: list, err: Exception) -> str:
    """Which GeoJSON feature could not be read, and why."""
    import geopandas as gpd

    for i, f in enumerate(feats):
        if not isinstance(f, dict):
            return f"feature {i} is not a JSON object ({type(f).__name__})"
        try:
            gpd.GeoDataFrame.from_features([f])
        except Exception as e:  # noqa: BLE001
            return f"feature {i} has a bad geometry ({type(e).__name__}: {e})"
    return f"cannot read the features ({type(err).__name__}: {err})"


def load_map_inputs(inputs: tuple[str, ...], *, parse_options: dict[str, Any]) -> tuple[Any, list[Exception]]:
    """Frames from INPUTS: store directories, frame files, or articles to parse."""
    import pandas as pd

    from geo.frames import build_frames

    articles, mentions, raw = [], [], []
    for item in inputs:
        p = Path(item)
        if p.is_dir() and (p / "manifest.json").is_file():
            from geo.store import Store

            store = Store(p, create=False)
            articles.append(store.articles)
            mentions.append(store.mentions)
        elif p.is_file() and p.suffix.lower() in _FRAME_SUFFIXES:
            df = _read_frame(p)
            (articles if _frame_kind(df, str(p)) == "articles" else mentions).append(df)
        else:
            raw.append(item)
    skipped: list[Exception] = []
    if raw:
        from geo.pipeline import parse

        def on_error(err: Exception) -> None:
            skipped.append(err)
            echo_err(f"{err}; skipped")

        from geo.articles import read_articles

        options = dict(parse_options)
        # read here, where the size limit applies; parse() takes the Articles as they come
        articles_in = read_articles(raw, strict=options.pop("strict", False),
                                    max_bytes=options.pop("max_bytes", 50_000_000), on_error=on_error,
                                    exclude=options.pop("exclude", ()))
        res = parse(articles_in, progress=sys.stderr.isatty(), **options)
        articles.append(res.articles)
        mentions.append(res.mentions)
    if not mentions:
        a, m, _ = build_frames([])
        mentions.append(m)
        if not articles:
            articles.append(a)
    arts = pd.concat(articles, ignore_index=True) if articles else None
    ments = pd.concat(mentions, ignore_index=True)
    if arts is None:
        return ments, skipped
    return (arts, ments), skipped


def _check_pages_dir(articles_dir: str, inputs: tuple[str, ...]) -> None:
    """Refuse a pages directory that holds inputs: index.html and the pages would replace them.

    Pages are written in the directory itself, never below it.
    """
    pages = Path(articles_dir).resolve()
    for item in inputs:
        where = Path(item).resolve()
        if (where.is_dir() and where == pages) or (where.is_file() and where.parent == pages):
            raise click.BadParameter(f"{articles_dir!r} holds the input {item}; the article pages (and "
                                     "index.html) written there could replace inputs: choose another "
                                     "directory", param_hint="--articles-dir")


def _check_tiles(tiles: str) -> None:
    """Refuse tiles folium cannot draw before parsing anything (it raised a bare ValueError)."""
    import folium

    try:
        folium.TileLayer(tiles)
    except ValueError as err:
        raise click.BadParameter(
            f"unknown tiles {tiles!r} ({err}); use a provider name such as OpenStreetMap, "
            "'CartoDB positron' or Esri.WorldImagery (a URL template needs an attribution, "
            "which the CLI does not take)", param_hint="--tiles") from err


def _rel_url(target: Path, start: Path) -> str:
    return Path(os.path.relpath(target.resolve(), start.resolve())).as_posix()


@click.command("map")
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="map.html", show_default=True,
              help="The HTML map to write.")
@click.option("--articles-dir", type=click.Path(file_okay=False), default=None,
              help="Also write one page per article here (mentions highlighted, linked to the map); "
                   "the map's popups link to them.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Leave off mentions resolved with lower confidence.")
@click.option("--low-confidence", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="Draw places whose best mention is below this hollow and grey.")
@click.option("--layers", default=",".join(_LAYERS), show_default=True,
              help="Comma-separated layers to draw.")
@click.option("--max-popup-articles", type=click.IntRange(1, 1000), default=20, show_default=True,
              help="Articles listed per place popup (most recent first).")
@click.option("--offline", is_flag=True,
              help="Copy Leaflet and plugin files next to the map (<name>_files/) instead of using the CDN.")
@click.option("--tiles", default="OpenStreetMap", show_default=True, help="Base tiles (any folium tiles name).")
@click.option("--title", default=None, help="Page title (default: 'eventmap: N places in M articles').")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None, envvar="EVENTMAP_DATA_DIR",
              help="Gazetteer directory (footprints; parsing) [env: EVENTMAP_DATA_DIR].")
@click.option("--workers", type=click.IntRange(1, 256), default=1, show_default=True,
              help="Processes to parse articles with.")
@click.option("--strict", is_flag=True, help="Stop at the first bad input instead of skipping it.")
@MAX_BYTES_OPTION
@cli_errors
def map_cmd(inputs: tuple[str, ...], output: str, articles_dir: str | None, min_confidence: float,
            low_confidence: float, layers: str, max_popup_articles: int, offline: bool,
            tiles: str, title: str | None, data_dir: str | None, workers: int, strict: bool,
            max_bytes: int) -> None:
    """Draw the places articles mention on an interactive HTML map.

    INPUTS are articles (anything `eventmap parse` reads), store directories,
    or frames written by `eventmap parse -o X.parquet|X.geojson --layer mentions`
    (their titles and urls give the popups titles and links; an articles frame
    adds dates and sources).

    \b
    Examples:
      eventmap map examples/ -o map.html --articles-dir articles
      eventmap map news.store -o map.html --min-confidence 0.5
      eventmap map mentions.parquet articles.parquet -o map.html --offline
    """
    import maps

    chosen = tuple(x.strip() for x in layers.split(",") if x.strip())
    bad = [x for x in chosen if x not in _LAYERS]
    if bad:
        raise click.BadParameter(f"unknown layer(s) {', '.join(bad)}; choose from {', '.join(_LAYERS)}",
                                 param_hint="--layers")
    if tiles:
        _check_tiles(tiles)
    out = Path(output)
    check_output(output, param_hint="-o/--output", suffixes=(".html", ".htm"), inputs=inputs)
    if articles_dir:
        _check_pages_dir(articles_dir, inputs)
        check_output(str(Path(articles_dir) / "index.html"), param_hint="--articles-dir")
    if offline:
        from maps.assets import fetch, missing_assets

        if missing_assets():  # first offline map: fetch Leaflet & co. from the npm registry, once
            echo_err("fetching offline map assets from the npm registry (once)")
            fetch()
    data, skipped = load_map_inputs(inputs, parse_options={"workers": workers, "strict": strict,
                                                          "max_bytes": max_bytes, "gazetteer_dir": data_dir,
                                                          # the map and its pages, if written among the inputs
                                                          "exclude": (output, *([articles_dir] if articles_dir else []))})
    from maps._data import prepare

    md = prepare(data, min_confidence=min_confidence)
    pages = Path(articles_dir) if articles_dir else None
    m = maps.event_map(
        md, min_confidence=min_confidence, low_confidence=low_confidence, layers=chosen,
        gazetteer_dir=data_dir, articles_href=_rel_url(pages, out.parent) if pages else None,
        max_popup_articles=max_popup_articles, tiles=tiles, title=title)
    maps.save_map(m, out, offline=offline)
    if pages is not None:
        written = maps.write_article_pages(md.articles, md.all_mentions, pages,
                                           map_href=_rel_url(out, pages), on_map=set(md.places["place_id"]))
        n_pages = len(written) - 1
        echo_err(f"{n_pages} article page{'' if n_pages == 1 else 's'} → {pages}")
    echo_err(f"map → {out} ({out.stat().st_size / 1e6:.1f} MB)")
    if skipped:
        echo_err(f"{len(skipped)} input(s) skipped")
        sys.exit(EXIT_SKIPPED)


COMMANDS = [map_cmd]
