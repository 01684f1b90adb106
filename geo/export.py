"""Writers for frames: GeoJSON (RFC 7946), GeoParquet, GeoPackage, FlatGeobuf, CSV, JSON lines.

One entry point, :func:`write`, picks the format from the file extension.
It takes a whole frame or an iterable of frame chunks and writes chunk by
chunk, so an export streamed from the store uses memory bounded by the chunk
size, not by the number of rows. Every write goes to a temporary file in the
target directory and is moved into place with ``os.replace``: a reader never
sees a half-written export, and a failed export leaves the old file alone.

GeoJSON follows RFC 7946: a FeatureCollection in WGS84 (no ``crs`` member),
``[lon, lat]`` positions rounded to 7 decimals, polygons wound
counter-clockwise (right-hand rule) and split at the antimeridian. Features
of the three layers carry a stable string ``id`` (see :func:`feature_ids`).
"""
from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.affinity

from geo._atomic import atomic_path
from geo.coords import CRS
from geo.errors import StoreError

__all__ = ["FORMATS", "LAYERS", "feature_ids", "format_for", "write"]

logger = logging.getLogger(__name__)

#: extension -> format name
FORMATS = {
    ".geojson": "geojson", ".json": "geojson",
    ".jsonl": "geojsonseq", ".ndjson": "geojsonseq", ".geojsonl": "geojsonseq", ".geojsons": "geojsonseq",
    ".parquet": "parquet", ".geoparquet": "parquet",
    ".gpkg": "gpkg",
    ".fgb": "fgb",
    ".csv": "csv",
}
LAYERS = ("mentions", "places", "articles")
CHUNK = 50_000
#: decimals kept in GeoJSON positions (~1 cm)
PRECISION = 7
_SNIPPET = 280

# what a GeoJSON feature of each layer carries (beyond its geometry)
_GEOJSON_PROPS = {
    "mentions": ["article_id", "title", "url", "date", "snippet", "mention_index", "text", "kind", "place_id",
                 "name", "feature_class", "feature_code", "country_code", "admin1", "confidence", "metonymic",
                 "runner_up_id", "runner_up_name", "runner_up_confidence"],
    "articles": ["article_id", "title", "url", "date", "source", "snippet", "n_mentions", "focus_place_id",
                 "focus_country", "focus_admin1", "focus_city"],
    "places": ["place_id", "name", "feature_class", "feature_code", "country_code", "admin1", "footprint_id",
               "n_mentions", "n_articles"],
}


def format_for(path: str | os.PathLike[str]) -> str:
    """The format name for ``path``'s extension (raises ValueError for unknown ones)."""
    ext = Path(path).suffix.lower()
    if ext not in FORMATS:
        raise ValueError(f"cannot tell the output format of {str(path)!r}: use one of "
                         f"{', '.join(sorted(FORMATS))}")
    return FORMATS[ext]


def write(frames: gpd.GeoDataFrame | Iterable[gpd.GeoDataFrame], path: str | os.PathLike[str], *,
          layer: str | None = None, articles: pd.DataFrame | None = None, format: str | None = None,
          chunk_size: int = CHUNK) -> int:
    """Write a frame (or chunks of one) to ``path``; returns the number of rows written.

    Parameters
    ----------
    frames : GeoDataFrame or iterable of GeoDataFrames (or of Arrow tables)
        The rows, whole or in chunks (chunks are written as they come).
        Arrow tables carry the geometry as WKB in a ``geometry`` column
        (what :meth:`geo.store.Store.iter_tables` yields).
    path : str or Path
        Output file; the format comes from the extension (``.geojson``,
        ``.parquet``, ``.gpkg``, ``.fgb``, ``.csv``, ``.jsonl``) unless
        ``format`` is given.
    layer : {"mentions", "places", "articles"}, optional
        Which frame this is: picks the GeoJSON properties and the layer name
        in GeoPackages. None writes every column.
    articles : DataFrame, optional
        For mentions: ``article_id``, ``title``, ``url`` of their articles,
        joined so that each feature links back to its article.
    """
    if layer is not None and layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}; choose one of {', '.join(LAYERS)}")
    fmt = format or format_for(path)
    path = Path(path)
    titles = titles_table = None
    if articles is not None and layer in ("mentions", None):
        if _is_table(articles):  # from the store: already one row per article, in Arrow
            titles_table = _titles_table_arrow(articles)
        else:
            titles = (pd.DataFrame({c: articles[c].to_numpy() for c in ("article_id", "title", "url")
                                    if c in articles})
                      .drop_duplicates("article_id", keep="last").set_index("article_id"))
            titles_table = _titles_table(titles)
    arrow_path = fmt in ("geojson", "geojsonseq", "parquet")
    pandas_titles = {"value": titles}

    def prepare(chunk: Any) -> Any:
        if _is_table(chunk):
            if arrow_path:  # fast path: Arrow all the way from the store's parts to the file
                return _prepare_table(chunk, titles_table)
            chunk = _table_to_frame(chunk)
        if pandas_titles["value"] is None and titles_table is not None:  # built only when a frame needs it
            pandas_titles["value"] = titles_table.to_pandas().set_index("article_id")
        return _prepare(chunk, layer, pandas_titles["value"])

    chunks = (prepare(c) for c in _nonempty(_chunks(frames, chunk_size), layer))
    writer = {"geojson": _write_geojson, "geojsonseq": _write_geojsonseq, "parquet": _write_parquet,
              "gpkg": _write_ogr, "fgb": _write_ogr, "csv": _write_csv}.get(fmt)
    if writer is None:
        raise ValueError(f"unknown output format {fmt!r}")
    with atomic_path(path) as tmp:  # keeps the extension last: GDAL drivers read it
        n = writer(chunks, tmp, layer=layer, fmt=fmt)
    logger.info("wrote %d %s to %s", n, layer or "rows", path)
    return n


# --- chunks -----------------------------------------------------------------------------------

def _chunks(frames: gpd.GeoDataFrame | Iterable[gpd.GeoDataFrame], size: int) -> Iterator[gpd.GeoDataFrame]:
    if isinstance(frames, pd.DataFrame):
        if not isinstance(frames, gpd.GeoDataFrame):
            raise TypeError("write() needs a GeoDataFrame (or chunks of one)")
        if len(frames) == 0:
            yield frames
        for i in range(0, len(frames), size):
            yield frames.iloc[i:i + size]
        return
    for chunk in frames:
        table = _is_table(chunk)
        for i in range(0, max(len(chunk), 1), size):
            yield chunk.slice(i, size) if table else chunk.iloc[i:i + size]


def _nonempty(chunks: Iterator[gpd.GeoDataFrame], layer: str | None) -> Iterator[gpd.GeoDataFrame]:
    """The chunks, or one empty frame of the layer's schema when there are none (writers need a schema)."""
    got = False
    for c in chunks:
        got = True
        yield c
    if not got:
        from geo import frames

        empty = {"articles": frames.empty_articles, "places": frames.empty_places}.get(layer or "", frames.empty_mentions)
        yield empty()


def _prepare(chunk: gpd.GeoDataFrame, layer: str | None, titles: pd.DataFrame | None) -> gpd.GeoDataFrame:
    """Join article titles/urls onto mentions; keep the geometry column last."""
    df = pd.DataFrame(chunk.drop(columns=chunk.geometry.name))
    geom = chunk.geometry
    if geom.crs is not None and not geom.crs.equals(CRS):
        geom = geom.to_crs(CRS)
    if titles is not None and "article_id" in df:
        pos = df.columns.get_loc("article_id") + 1
        joined = titles.reindex(df["article_id"].to_numpy())
        for i, col in enumerate(c for c in ("title", "url") if c in joined and c not in df):
            df.insert(pos + i, col, joined[col].astype("string").to_numpy())
    for col in df.columns:
        if df[col].dtype == object:
            df[col] = df[col].astype("string")
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geom.to_numpy(), index=df.index, crs=CRS), crs=CRS)


def _is_table(obj: Any) -> bool:
    import pyarrow as pa

    return isinstance(obj, pa.Table)


_INTERNAL = ("_batch", "_fingerprint")


def _titles_table(titles: pd.DataFrame) -> Any:
    import pyarrow as pa

    return pa.table({
        "article_id": pa.array(titles.index.astype(str).to_numpy(), pa.large_string()),
        **{c: pa.array(titles[c].astype("string").to_numpy(dtype=object, na_value=None), pa.large_string())
           for c in ("title", "url") if c in titles},
    })


def _titles_table_arrow(articles: Any) -> Any:
    import pyarrow as pa

    return articles.select([c for c in ("article_id", "title", "url") if c in articles.column_names]).cast(
        pa.schema([(c, pa.large_string()) for c in ("article_id", "title", "url") if c in articles.column_names]))


def _prepare_table(table: Any, titles: Any) -> Any:
    """Arrow chunk: drop internal columns; join article titles/urls after article_id."""
    import pyarrow as pa
    import pyarrow.compute as pc

    table = table.drop_columns([c for c in _INTERNAL if c in table.column_names])
    if titles is not None and "article_id" in table.column_names:
        pos = pc.index_in(pc.cast(table["article_id"], pa.large_string()), value_set=titles["article_id"])
        at = table.column_names.index("article_id") + 1
        for name in ("title", "url"):
            if name in titles.column_names and name not in table.column_names:
                table = table.add_column(at, name, titles[name].take(pos))
                at += 1
    return table


def _table_to_frame(table: Any) -> gpd.GeoDataFrame:
    table = table.drop_columns([c for c in _INTERNAL if c in table.column_names])
    wkb = table["geometry"].to_numpy(zero_copy_only=False) if "geometry" in table.column_names else None
    df = table.drop_columns([c for c in ("geometry",) if c in table.column_names]).to_pandas()
    geoms = shapely.from_wkb(wkb) if wkb is not None else np.full(len(df), None, dtype=object)
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, index=df.index, crs=CRS), crs=CRS)


def _iso(s: pd.Series) -> pd.Series:
    """Datetimes → ISO 8601 strings in UTC (``...Z``), missing → <NA>."""
    s = pd.to_datetime(s, utc=True)
    out = s.dt.strftime("%Y-%m-%dT%H:%M:%SZ").astype("string")
    return out.where(s.notna(), pd.NA)


def _text_columns(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    for col in df.columns:
        if isinstance(df[col].dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(df[col]):
            df[col] = _iso(df[col])
    return df


# --- GeoJSON ----------------------------------------------------------------------------------

def _split_antimeridian(poly: shapely.Polygon) -> Any:
    """A polygon crossing ±180° (a >180° jump between vertices, or longitudes
    beyond ±180) → its parts on each side, as RFC 7946 section 3.1.9 asks."""
    ring = shapely.get_coordinates(poly.exterior)
    lon = ring[:, 0]
    jumps = np.abs(np.diff(lon)) > 180
    if not jumps.any() and lon.min() >= -180 and lon.max() <= 180:
        return poly
    if jumps.any():  # unwrap: make longitudes continuous, east of the antimeridian > 180
        poly = shapely.transform(poly, lambda c: np.column_stack([np.where(c[:, 0] < 0, c[:, 0] + 360, c[:, 0]), c[:, 1]]))
    world = shapely.box(-180, -90, 180, 90)
    east = shapely.intersection(poly, shapely.box(180, -90, 540, 90))
    west = shapely.intersection(poly, shapely.box(-540, -90, -180, 90))
    parts = [shapely.intersection(poly, world),
             shapely.affinity.translate(east, xoff=-360), shapely.affinity.translate(west, xoff=360)]
    polys = [p for g in parts for p in shapely.get_parts(g) if p.geom_type == "Polygon" and not p.is_empty]
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)


def _rfc7946(geoms: np.ndarray) -> np.ndarray:
    """Non-point geometries: antimeridian split, counter-clockwise exteriors, 7 decimals."""
    out = np.asarray(geoms, dtype=object).copy()
    polygonal = np.isin(shapely.get_type_id(out), [3, 6])
    for i in np.flatnonzero(polygonal):  # only polygons, which frames rarely hold
        parts = [_split_antimeridian(p) for p in shapely.get_parts(out[i])]
        polys = [q for p in parts for q in shapely.get_parts(p)]
        out[i] = polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)
    out = shapely.transform(out, lambda c: np.round(c, PRECISION))
    return shapely.orient_polygons(out, exterior_cw=False)


def _property_table(table: Any, layer: str | None) -> Any:
    """The GeoJSON properties of an Arrow chunk (same choice as :func:`_select_properties`)."""
    import pyarrow.compute as pc

    names = table.column_names
    if layer in _GEOJSON_PROPS:
        if "snippet" not in names:
            if layer == "mentions" and "sentence" in names:
                table = table.append_column("snippet", table["sentence"])
            elif layer == "articles" and "text" in names:
                table = table.append_column("snippet", pc.utf8_slice_codeunits(table["text"], 0, _SNIPPET))
        return table.select([c for c in _GEOJSON_PROPS[layer] if c in table.column_names])
    return table.select([c for c in names if c != "geometry" and c not in _INTERNAL])


def _select_properties(chunk: gpd.GeoDataFrame, layer: str | None) -> pd.DataFrame:
    df = pd.DataFrame(chunk.drop(columns=chunk.geometry.name))
    if layer in _GEOJSON_PROPS:
        if "snippet" not in df:
            if layer == "mentions" and "sentence" in df:
                df["snippet"] = df["sentence"]
            elif layer == "articles" and "text" in df:
                df["snippet"] = df["text"].str.slice(0, _SNIPPET)
        df = df[[c for c in _GEOJSON_PROPS[layer] if c in df]]
    return df


# JSON text of whole columns, built with Arrow compute kernels (C++), not per row in Python
# U+2028/2029 are legal in JSON but end lines for many readers (and old JavaScript): escape them
_NEEDS_ESCAPE = r'[\\"\x00-\x1f\x{2028}\x{2029}]'
_RARE_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"


def _cat(*parts: Any) -> Any:
    """Element-wise concatenation of Arrow string arrays and literal strings."""
    import pyarrow as pa
    import pyarrow.compute as pc

    args = [pa.scalar(p, pa.large_string()) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*args, pa.scalar("", pa.large_string()))


def _escape(col: Any) -> Any:
    """JSON string escaping of the (few) values that need it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    esc = pc.replace_substring(col, "\\", "\\\\")
    esc = pc.replace_substring(esc, '"', '\\"')
    esc = pc.replace_substring(esc, "\n", "\\n")
    esc = pc.replace_substring(esc, "\r", "\\r")
    esc = pc.replace_substring(esc, "\t", "\\t")
    esc = pc.replace_substring(esc, "\u2028", "\\u2028")
    esc = pc.replace_substring(esc, "\u2029", "\\u2029")
    rare = pc.fill_null(pc.match_substring_regex(col, _RARE_CONTROL), False)
    if pc.any(rare).as_py():  # other control characters: let the json module write \uXXXX
        texts = esc.to_pylist()
        vals = col.to_pylist()
        for i in np.flatnonzero(rare.to_numpy(zero_copy_only=False)):
            texts[i] = json.dumps(vals[i], ensure_ascii=False)[1:-1]
        esc = pa.array(texts, pa.large_string())
    return esc


def _json_strings(col: Any, *, repeats: bool = True) -> Any:
    """A string column → its JSON literals (quoted, escaped); nulls → ``null``.

    ``repeats=False`` for columns of distinct values (ids): no attempt at encoding each value once.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    col = pc.cast(col, pa.large_string())
    if repeats and len(col) > 1000:
        # most columns repeat (place names, codes, titles per article): encode each distinct value once
        enc = pc.dictionary_encode(col)
        if len(enc.dictionary) * 2 < len(col):
            return pc.fill_null(_json_strings(enc.dictionary).take(enc.indices), "null")
    needs = pc.fill_null(pc.match_substring_regex(col, _NEEDS_ESCAPE), False)
    if pc.any(needs).as_py():
        # escape only the rows that need it, then put them back in place
        col = pc.replace_with_mask(col, needs, _escape(pc.filter(col, needs)))
    return pc.fill_null(_cat('"', col, '"'), "null")


def _json_column(col: Any) -> Any:
    """Any Arrow column → JSON text per row."""
    import pyarrow as pa
    import pyarrow.compute as pc

    t = col.type
    if pa.types.is_dictionary(t):
        col, t = pc.cast(col, t.value_type), t.value_type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return _json_strings(col)
    if pa.types.is_timestamp(t):
        # dates repeat (one per article): format each distinct value once
        enc = pc.dictionary_encode(pc.cast(col, pa.timestamp("s", tz="UTC"), safe=False))
        text = _json_strings(pc.strftime(enc.dictionary, format="%Y-%m-%dT%H:%M:%SZ"))
        return pc.fill_null(text.take(enc.indices), "null")
    if pa.types.is_boolean(t) or pa.types.is_integer(t):
        return pc.fill_null(pc.cast(pc.cast(col, pa.string()), pa.large_string()), "null")
    if pa.types.is_floating(t):
        text = pc.cast(pc.cast(col, pa.string()), pa.large_string())
        finite = pc.fill_null(pc.is_finite(col), False)
        return pc.if_else(finite, text, pa.scalar("null", pa.large_string()))
    if pa.types.is_null(t):
        return pa.array(["null"] * len(col), pa.large_string())
    # anything else (dates, decimals, nested): per value through the json module
    return pa.array([json.dumps(v, ensure_ascii=False, default=str) for v in col.to_pylist()], pa.large_string())


def _properties_json(df: pd.DataFrame) -> Any:
    import pyarrow as pa

    if len(df.columns) == 0:
        return pa.array(["{}"] * len(df), pa.large_string())
    return _properties_json_table(pa.Table.from_pandas(df, preserve_index=False))


def _properties_json_table(table: Any) -> Any:
    import pyarrow as pa

    if table.num_columns == 0:
        return pa.array(["{}"] * table.num_rows, pa.large_string())
    parts: list[Any] = []
    for i, name in enumerate(table.column_names):
        parts.append(("{" if i == 0 else ",") + json.dumps(str(name), ensure_ascii=False) + ":")
        parts.append(_json_column(table.column(name).combine_chunks()))
    parts.append("}")
    return _cat(*parts)


def _points_json(x: np.ndarray, y: np.ndarray) -> Any:
    """Point geometry members from coordinate arrays; NaN coordinates → ``null``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    ok = np.isfinite(x) & np.isfinite(y)
    xs = pc.cast(pc.cast(pc.round(pa.array(x), PRECISION), pa.string()), pa.large_string())
    ys = pc.cast(pc.cast(pc.round(pa.array(y), PRECISION), pa.string()), pa.large_string())
    pts = _cat('{"type":"Point","coordinates":[', xs, ",", ys, "]}")
    return pc.if_else(pa.array(ok), pts, pa.scalar("null", pa.large_string()))


def _wkb_points(col: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """(x, y) of a WKB column holding only little-endian 2-D points (or nulls), else None.

    Reads the 21-byte records straight from the Arrow buffers: no shapely objects.
    """
    import pyarrow as pa

    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    col = col.cast(pa.large_binary())
    if col.offset:
        col = pa.concat_arrays([col])
    n = len(col)
    _validity, offsets, data = col.buffers()
    offs = np.frombuffer(offsets, dtype=np.int64)[:n + 1]
    lengths = np.diff(offs)
    valid = col.is_valid().to_numpy(zero_copy_only=False)
    if not (np.all(lengths[valid] == 21) and np.all(lengths[~valid] == 0)):
        return None
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    if valid.any():
        rec = np.frombuffer(data, dtype=np.uint8)[offs[0]:offs[-1]].reshape(-1, 21)
        if not (np.all(rec[:, 0] == 1) and np.all(rec[:, 1:5].copy().view("<u4").ravel() == 1)):
            return None  # big-endian, or not a plain 2-D point
        xy = rec[:, 5:21].copy().view("<f8")
        x[valid], y[valid] = xy[:, 0], xy[:, 1]
    return x, y


def _wkb_geometries_json(col: Any) -> Any:
    pts = _wkb_points(col)
    if pts is not None:
        return _points_json(*pts)
    return _geometries_json(shapely.from_wkb(col.to_numpy(zero_copy_only=False)))


def _geometries_json(geoms: np.ndarray) -> Any:
    import pyarrow as pa

    geoms = np.asarray(geoms, dtype=object)
    tid = shapely.get_type_id(geoms)  # -1 for missing
    empty = shapely.is_empty(geoms)
    is_pt = (tid == 0) & ~empty
    x = np.where(is_pt, shapely.get_x(geoms), np.nan)
    y = np.where(is_pt, shapely.get_y(geoms), np.nan)
    out = _points_json(x, y)
    other = np.flatnonzero((tid > 0) & ~empty)
    if len(other):  # lines and polygons: rare in frames; RFC 7946 fixes then shapely's GeoJSON
        texts = out.to_pylist()
        for i, g in zip(other, shapely.to_geojson(_rfc7946(geoms[other]))):
            texts[i] = g
        out = pa.array(texts, pa.large_string())
    return out


# the columns making each layer's Feature "id" (RFC 7946 section 3.2): stable across runs (article ids
# come from the input or from its content) and unique within an export
_ID_COLUMNS = {"mentions": ("article_id", "start", "end"), "articles": ("article_id",), "places": ("place_id",)}


def feature_ids(frame: pd.DataFrame, layer: str) -> pd.Series:
    """The GeoJSON Feature ids the exports give the rows of a ``layer`` frame.

    Articles: ``article_id``; places: ``place_id``; mentions (which have no
    id of their own): ``"{article_id}#{start}:{end}"``, the article and the
    mention's character offsets in its text, read unambiguously from the
    right. Missing when a part is missing.
    """
    import pyarrow as pa

    if layer not in _ID_COLUMNS:
        raise ValueError(f"unknown layer {layer!r}; choose one of {', '.join(LAYERS)}")
    ids = _id_text(lambda c: pa.Array.from_pandas(frame[c]), layer)
    return pd.Series(ids.to_pandas(), index=frame.index, dtype="string")


def _id_text(column: Any, layer: str) -> Any:
    """Feature ids as an Arrow string array (nulls where an id part is missing); ``column(name)`` gives a column."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def text(name: str) -> Any:
        col = column(name)
        if isinstance(col, pa.ChunkedArray):
            col = col.combine_chunks()
        if name in ("start", "end"):  # offsets as integers, even if a reader made them floats
            col = pc.cast(col, pa.int64())
        return pc.cast(pc.cast(col, pa.string()), pa.large_string())

    if layer == "mentions":
        return _cat(text("article_id"), "#", text("start"), ":", text("end"))
    return text(_ID_COLUMNS[layer][0])


def _id_members(chunk: Any, layer: str | None) -> Any:
    """``"id":"...",`` per row for the layer's Features ('' where an id part is missing), or None."""
    import pyarrow as pa
    import pyarrow.compute as pc

    names = chunk.column_names if _is_table(chunk) else list(chunk.columns)
    if layer not in _ID_COLUMNS or not all(c in names for c in _ID_COLUMNS[layer]):
        return None
    ids = _id_text(chunk.column if _is_table(chunk) else (lambda c: pa.Array.from_pandas(chunk[c])), layer)
    members = _cat('"id":', _json_strings(ids, repeats=False), ",")
    # RFC 7946: an id is a string or a number; a row without one gets no id member at all
    return pc.if_else(ids.is_valid(), members, pa.scalar("", pa.large_string()))


def _features(chunk: Any, layer: str | None) -> Any:
    """One GeoJSON Feature text per row (of a GeoDataFrame or Arrow table), as an Arrow string array."""
    ids = _id_members(chunk, layer)
    if _is_table(chunk):
        props = _properties_json_table(_property_table(chunk, layer))
        geoms = _wkb_geometries_json(chunk["geometry"])
    else:
        props = _properties_json(_select_properties(chunk, layer))
        geoms = _geometries_json(chunk.geometry.to_numpy())
    head = ('{"type":"Feature",', ids, '"geometry":') if ids is not None else ('{"type":"Feature","geometry":',)
    return _cat(*head, geoms, ',"properties":', props, "}")


def _write_texts(fh: Any, texts: Any, *, skip: int = 0) -> None:
    """Write an Arrow string array's values back to back, straight from its data buffer.

    ``skip`` bytes are left out at the start (the separator before the very first feature).
    """
    import pyarrow as pa

    texts = pa.concat_arrays([texts]) if texts.offset else texts
    _validity, offsets, data = texts.buffers()
    offs = np.frombuffer(offsets, dtype=np.int64 if pa.types.is_large_string(texts.type) else np.int32)
    fh.write(memoryview(data)[int(offs[0]) + skip:int(offs[len(texts)])])


def _write_geojson(chunks: Iterable[gpd.GeoDataFrame], tmp: Path, *, layer: str | None, fmt: str) -> int:
    n = 0
    with open(tmp, "wb") as fh:
        fh.write(b'{"type":"FeatureCollection","features":[')
        for chunk in chunks:
            if not len(chunk):
                continue
            # every feature carries its separator in front; the very first one's comma is skipped
            _write_texts(fh, _cat(",\n", _features(chunk, layer)), skip=1 if n == 0 else 0)
            n += len(chunk)
        fh.write(b"\n]}\n")
    return n


def _write_geojsonseq(chunks: Iterable[gpd.GeoDataFrame], tmp: Path, *, layer: str | None, fmt: str) -> int:
    """Newline-delimited GeoJSON features (GDAL's GeoJSONSeq reads it)."""
    n = 0
    with open(tmp, "wb") as fh:
        for chunk in chunks:
            if not len(chunk):
                continue
            _write_texts(fh, _cat(_features(chunk, layer), "\n"))
            n += len(chunk)
    return n


# --- GeoParquet -------------------------------------------------------------------------------

def _geo_metadata(layer: str | None) -> bytes:
    from pyproj import CRS as _CRS

    meta = {
        "version": "1.1.0",
        "primary_column": "geometry",
        "columns": {"geometry": {
            "encoding": "WKB",
            "geometry_types": ["Point"] if layer in LAYERS else [],
            "crs": _CRS.from_user_input(CRS).to_json_dict(),
        }},
    }
    return json.dumps(meta).encode("utf-8")


def _arrow_table(chunk: gpd.GeoDataFrame, schema: Any = None) -> Any:
    import pyarrow as pa

    df = pd.DataFrame(chunk.drop(columns=chunk.geometry.name))
    table = pa.Table.from_pandas(df, preserve_index=False)
    wkb = shapely.to_wkb(np.asarray(chunk.geometry.to_numpy(), dtype=object))
    table = table.append_column("geometry", pa.array(list(wkb), type=pa.binary()))
    if schema is not None:
        table = table.cast(schema)
    return table


def _write_parquet(chunks: Iterable[gpd.GeoDataFrame], tmp: Path, *, layer: str | None, fmt: str) -> int:
    import pyarrow.parquet as pq

    writer = None
    n = 0
    try:
        for chunk in chunks:
            if writer is None:
                # Arrow chunks from the store: their pandas metadata no longer fits (columns were
                # joined and dropped), so keep only the GeoParquet metadata
                table = chunk.replace_schema_metadata(None) if _is_table(chunk) else _arrow_table(chunk)
                meta = dict(table.schema.metadata or {})
                meta[b"geo"] = _geo_metadata(layer)
                schema = table.schema.with_metadata(meta)
                writer = pq.ParquetWriter(tmp, schema, compression="zstd")
                table = table.replace_schema_metadata(meta)
            else:
                table = chunk.cast(schema) if _is_table(chunk) else _arrow_table(chunk, schema)
            if table.num_rows:
                writer.write_table(table, row_group_size=CHUNK)
            n += table.num_rows
    finally:
        if writer is not None:
            writer.close()
    if writer is None:
        raise StoreError(f"nothing to write to {tmp.name}")
    return n


# --- GDAL formats (GeoPackage, FlatGeobuf) ----------------------------------------------------

def _write_ogr(chunks: Iterable[gpd.GeoDataFrame], tmp: Path, *, layer: str | None, fmt: str) -> int:
    """Stream Arrow record batches into GDAL through pyogrio.write_arrow."""
    import pyarrow as pa
    import pyogrio

    it = iter(chunks)
    first = next(it)
    first_table = _ogr_table(first)
    schema = first_table.schema
    count = [0]
    failure: list[BaseException] = []

    def batches() -> Iterator[Any]:
        try:
            for t in (first_table, *(_ogr_table(c, schema) for c in it)):
                count[0] += t.num_rows
                yield from t.to_batches()
        except BaseException as err:  # GDAL would report only "error while accessing batch"
            failure.append(err)
            raise

    reader = pa.RecordBatchReader.from_batches(schema, batches())
    driver = "GPKG" if fmt == "gpkg" else "FlatGeobuf"
    geometry_type = "Point" if layer in LAYERS else "Unknown"
    options = {}
    if driver == "FlatGeobuf" and layer != "places":
        # FlatGeobuf's spatial index cannot hold features without geometry (unresolved
        # mentions, articles without a focus); places always have one
        options["SPATIAL_INDEX"] = "NO"
    try:
        pyogrio.write_arrow(reader, tmp, layer=layer or "features", driver=driver, geometry_name="geometry",
                            geometry_type=geometry_type, crs=CRS, layer_options=options or None)
    except Exception as err:
        if failure:
            raise failure[0] from err
        raise
    return count[0]


def _ogr_table(chunk: gpd.GeoDataFrame, schema: Any = None) -> Any:
    import pyarrow as pa

    table = _arrow_table(chunk)
    # GDAL wants the geometry column tagged as WKB in the Arrow field metadata
    fields = [f.with_metadata({b"ARROW:extension:name": b"geoarrow.wkb"}) if f.name == "geometry" else f
              for f in table.schema]
    # large_string → string: older GDAL Arrow readers handle only the 32-bit offsets
    fields = [pa.field(f.name, pa.string(), f.nullable, f.metadata) if pa.types.is_large_string(f.type) else f
              for f in fields]
    table = table.cast(pa.schema(fields))
    return table.cast(schema) if schema is not None else table


# --- CSV ----------------------------------------------------------------------------------------

def _write_csv(chunks: Iterable[gpd.GeoDataFrame], tmp: Path, *, layer: str | None, fmt: str) -> int:
    """Attributes plus ``lat``/``lon`` (when the frame has none) and ``geometry`` as WKT."""
    n = 0
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        for i, chunk in enumerate(chunks):
            df = _text_columns(pd.DataFrame(chunk.drop(columns=chunk.geometry.name)))
            geoms = np.asarray(chunk.geometry.to_numpy(), dtype=object)
            if "lat" not in df and "lon" not in df:
                pts = shapely.get_type_id(geoms) == 0
                df["lat"] = np.where(pts, shapely.get_y(np.where(pts, geoms, None)), np.nan)
                df["lon"] = np.where(pts, shapely.get_x(np.where(pts, geoms, None)), np.nan)
            df["geometry"] = shapely.to_wkt(geoms, rounding_precision=PRECISION, trim=True)
            df.to_csv(fh, index=False, header=(i == 0), lineterminator="\r\n")  # RFC 4180: CR and LF in text get quoted
            n += len(df)
    return n
