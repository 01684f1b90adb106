"""Writers for frames: GeoJSON (RFC 7946), GeoParquet, GeoPackage, FlatGeobuf, CSV, JSON lines.

One entry point, :func:`write`, picks the format from the file extension.
It takes a whole frame or an iterable of frame chunks and writes chunk by
chunk, so an export streamed from the store uses memory bounded by the chunk
size, not by the number of rows. Every write goes to a temporary file in the
target directory and is moved into place with ``os.replace``: a reader never
sees a half-written export, and a failed export leaves the old file alone.

GeoJSON follows RFC 7946: a FeatureCollection in WGS84 (no ``crs`` member),
``[lon, lat]`` positions rounded to 7 decimals, polygons wound
counter-clockwise (right-hand rule) and split at the antimeridian.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.affinity

from geo.coords import CRS
from geo.errors import StoreError

__all__ = ["FORMATS", "LAYERS", "format_for", "write"]

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
    frames : GeoDataFrame or iterable of GeoDataFrames
        The rows, whole or in chunks (chunks are written as they come).
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
    titles = None
    if articles is not None and layer in ("mentions", None):
        titles = (pd.DataFrame({c: articles[c].to_numpy() for c in ("article_id", "title", "url") if c in articles})
                  .drop_duplicates("article_id", keep="last").set_index("article_id"))
    chunks = (_prepare(c, layer, titles) for c in _nonempty(_chunks(frames, chunk_size), layer))
    writer = {"geojson": _write_geojson, "geojsonseq": _write_geojsonseq, "parquet": _write_parquet,
              "gpkg": _write_ogr, "fgb": _write_ogr, "csv": _write_csv}.get(fmt)
    if writer is None:
        raise ValueError(f"unknown output format {fmt!r}")
    # keep the extension last: GDAL drivers check it (and FlatGeobuf makes a directory otherwise)
    tmp = path.parent / f".{path.stem}.{uuid.uuid4().hex[:8]}.tmp{path.suffix}"
    try:
        n = writer(chunks, tmp, layer=layer, fmt=fmt)
        _fsync(tmp)
        os.replace(tmp, path)
    except BaseException:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        raise
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
        for i in range(0, max(len(chunk), 1), size):
            yield chunk.iloc[i:i + size]


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


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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


def _geometry_json(geoms: np.ndarray) -> list[str]:
    """GeoJSON geometry members for a chunk; points are formatted without shapely.to_geojson."""
    geoms = np.asarray(geoms, dtype=object)
    out = ["null"] * len(geoms)
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    tid = np.full(len(geoms), -1)
    tid[present] = shapely.get_type_id(geoms[present])
    pts = np.flatnonzero(tid == 0)
    if len(pts):
        xy = np.round(shapely.get_coordinates(geoms[pts]), PRECISION)
        for i, (x, y) in zip(pts, xy.tolist()):
            out[i] = f'{{"type":"Point","coordinates":[{_num(x)},{_num(y)}]}}'
    other = np.flatnonzero(present & (tid != 0))
    if len(other):
        fixed = _rfc7946(geoms[other])
        for i, g in zip(other, shapely.to_geojson(fixed)):
            out[i] = g
    return out


def _num(x: float) -> str:
    return json.dumps(x)  # shortest round-trip repr; never NaN here


def _properties(chunk: gpd.GeoDataFrame, layer: str | None) -> list[str]:
    df = pd.DataFrame(chunk.drop(columns=chunk.geometry.name))
    if layer in _GEOJSON_PROPS:
        if "snippet" not in df:
            if layer == "mentions" and "sentence" in df:
                df["snippet"] = df["sentence"]
            elif layer == "articles" and "text" in df:
                df["snippet"] = df["text"].str.slice(0, _SNIPPET)
        df = df[[c for c in _GEOJSON_PROPS[layer] if c in df]]
    if len(df.columns) == 0:
        return ["{}"] * len(df)
    df = _text_columns(df)
    text = df.to_json(orient="records", lines=True, force_ascii=False, double_precision=15)
    lines = text.split("\n")
    return lines[:len(df)]


def _features(chunk: gpd.GeoDataFrame, layer: str | None) -> list[str]:
    geoms = _geometry_json(chunk.geometry.to_numpy())
    props = _properties(chunk, layer)
    return [f'{{"type":"Feature","geometry":{g},"properties":{p}}}' for g, p in zip(geoms, props)]


def _write_geojson(chunks: Iterable[gpd.GeoDataFrame], tmp: Path, *, layer: str | None, fmt: str) -> int:
    n = 0
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write('{"type":"FeatureCollection","features":[')
        for chunk in chunks:
            feats = _features(chunk, layer)
            if not feats:
                continue
            fh.write(("\n" if n == 0 else ",\n") + ",\n".join(feats))
            n += len(feats)
        fh.write("\n]}\n")
    return n


def _write_geojsonseq(chunks: Iterable[gpd.GeoDataFrame], tmp: Path, *, layer: str | None, fmt: str) -> int:
    """Newline-delimited GeoJSON features (GDAL's GeoJSONSeq reads it)."""
    n = 0
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        for chunk in chunks:
            feats = _features(chunk, layer)
            for f in feats:
                fh.write(f + "\n")
            n += len(feats)
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
                table = _arrow_table(chunk)
                meta = dict(table.schema.metadata or {})
                meta[b"geo"] = _geo_metadata(layer)
                schema = table.schema.with_metadata(meta)
                writer = pq.ParquetWriter(tmp, schema, compression="zstd")
                table = table.replace_schema_metadata(meta)
            else:
                table = _arrow_table(chunk, schema)
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
            df.to_csv(fh, index=False, header=(i == 0), lineterminator="\n")
            n += len(df)
    return n
