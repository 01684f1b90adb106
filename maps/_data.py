"""Turn whatever the user hands us into the frames maps draw, and aggregate them.

Accepted inputs: a parse result or store (anything with ``.articles`` and
``.mentions``, ``.places`` optional), an ``(articles, mentions, places)``
tuple, a mentions (Geo)DataFrame, or anything with ``__geo_interface__``
(a FeatureCollection of mentions, or of plain point features).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo.coords import CRS, check_latlon
from geo.frames import ARTICLE_COLUMNS, MENTION_COLUMNS
from gazetteer.errors import EventmapError

__all__ = ["MapData", "MapInputError", "coerce_frames", "prepare"]

logger = logging.getLogger(__name__)


class MapInputError(EventmapError, ValueError):
    """The data given to a map cannot be drawn (wrong type, bad coordinates...)."""


@dataclass
class MapData:
    """Frames ready to draw: validated, filtered, aggregated."""

    articles: pd.DataFrame  # indexed by article_id
    mentions: pd.DataFrame  # resolved mentions at or above min_confidence
    places: pd.DataFrame  # one row per place: counts, max confidence, first footprint
    all_mentions: pd.DataFrame  # every mention (pages highlight them all)


def _is_frame(obj: Any) -> bool:
    return isinstance(obj, pd.DataFrame)


def _features_frame(obj: Any) -> pd.DataFrame:
    import geopandas as gpd

    geo = obj.__geo_interface__
    if geo.get("type") == "Feature":
        geo = {"type": "FeatureCollection", "features": [geo]}
    if geo.get("type") != "FeatureCollection":
        raise MapInputError(f"expected a Feature or FeatureCollection, got __geo_interface__ type {geo.get('type')!r}")
    feats = geo.get("features") or []
    try:
        gdf = gpd.GeoDataFrame.from_features(feats, crs="EPSG:4326") if feats else gpd.GeoDataFrame()
    except Exception as err:  # noqa: BLE001 - shapely/geopandas raise many kinds for bad features
        i, why = _first_bad_feature(feats)
        raise MapInputError(f"cannot draw this GeoJSON: feature {i}: {why or err}" if i is not None
                            else f"cannot draw this GeoJSON: {err}") from err
    if feats and "place_id" not in gdf:
        ids = [f.get("id") for f in feats]
        gdf["place_id"] = [str(i) if i is not None else f"feature-{n}" for n, i in enumerate(ids)]
    return gdf


def _first_bad_feature(feats: list[Any]) -> tuple[int | None, str | None]:
    """The index of the first feature geopandas cannot read, and why (the slow path, on failure only)."""
    from shapely.geometry import shape

    for i, f in enumerate(feats):
        if not isinstance(f, dict):
            return i, f"not a Feature object (got {type(f).__name__})"
        try:
            if f.get("geometry") is not None:
                shape(f["geometry"])
            props = f.get("properties")
            if props is not None and not isinstance(props, dict):
                return i, f"properties is not an object (got {type(props).__name__})"
        except Exception as err:  # noqa: BLE001
            return i, f"bad geometry {str(f.get('geometry'))[:80]}: {err}"
    return None, None


def _latlon_of(geometry: Any, *, points_only: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised (lat, lon) of geometries: points as they are, areas by a point on their surface."""
    import shapely

    geoms = np.asarray(geometry, dtype=object)
    geoms = np.where(pd.isna(geoms), None, geoms)
    geoms = np.where(shapely.is_empty(geoms), None, geoms)
    if not points_only:
        non_point = shapely.get_type_id(geoms) > 0  # -1 missing, 0 Point
        geoms = np.where(non_point, shapely.point_on_surface(geoms), geoms)
    geoms = np.where(shapely.get_type_id(geoms) == 0, geoms, None)
    xs, ys = shapely.get_x(geoms), shapely.get_y(geoms)  # NaN where missing
    return ys, xs


def coerce_frames(data: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(articles, mentions)`` frames from any accepted input."""
    if isinstance(data, (tuple, list)) and len(data) in (2, 3) and all(_is_frame(x) for x in data):
        articles, mentions = data[0], data[1]
    elif hasattr(data, "mentions") and hasattr(data, "articles"):
        articles, mentions = data.articles, data.mentions
    elif _is_frame(data):
        articles, mentions = None, data
    elif hasattr(data, "__geo_interface__"):
        articles, mentions = None, _features_frame(data)
    elif isinstance(data, dict) and data.get("type") in ("Feature", "FeatureCollection"):
        articles, mentions = None, _features_frame(type("GeoJSON", (), {"__geo_interface__": data})())
    else:
        raise MapInputError(
            "cannot map an object of type "
            f"{type(data).__name__}: pass a parse result (.articles/.mentions), "
            "a mentions GeoDataFrame, or anything with __geo_interface__")
    if not _is_frame(mentions):
        raise MapInputError(f"mentions must be a DataFrame, got {type(mentions).__name__}")
    mentions = _mentions_frame(mentions)
    articles = _articles_frame(articles, mentions)
    return articles, mentions


def _plain_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose geometry, if any, is a ``geometry`` column in EPSG:4326: a
    GeoDataFrame may be in any CRS (Web Mercator...) and name its geometry column anything."""
    import geopandas as gpd

    out = pd.DataFrame(df).copy()
    if isinstance(df, gpd.GeoDataFrame) and df.active_geometry_name in df:
        geom = df.geometry
        if geom.crs is not None and not geom.crs.equals(CRS):
            geom = geom.to_crs(CRS)
        out = out.drop(columns=geom.name)
        out["geometry"] = geom.to_numpy()
    return out


def _mentions_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = _plain_frame(df)
    # lat/lon from geometry when the frame has only geometry (Point(lon, lat))
    if ("lat" not in out or "lon" not in out) and "geometry" in out:
        out["lat"], out["lon"] = _latlon_of(out["geometry"])
    if "geometry" in out:
        out = out.drop(columns="geometry")
    n = len(out)
    defaults: dict[str, Any] = {
        "article_id": None, "mention_index": np.arange(n), "start": -1, "end": -1,
        "text": None, "kind": "place", "sentence": None, "sentence_start": -1,
        "name": None, "confidence": 1.0, "metonymic": False, "date": pd.NaT,
    }
    for col in MENTION_COLUMNS:
        if col not in out:
            out[col] = defaults.get(col)
    if out["name"].isna().any() and "title" in out:
        out["name"] = out["name"].fillna(out["title"])
    out["name"] = out["name"].fillna(out["place_id"])
    out["confidence"] = pd.to_numeric(out["confidence"], errors="coerce").fillna(1.0)
    for col in ("start", "end", "sentence_start", "mention_index"):
        out[col] = pd.to_numeric(out[col], errors="coerce").fillna(-1).astype("int64")
    out["date"] = pd.to_datetime(out["date"], utc=True, errors="coerce", format="mixed")
    # ids as strings, as the articles frame has them: a GeoJSON or parquet file may hold numbers
    for col in ("place_id", "article_id"):
        ids = out[col]
        out[col] = ids.astype(str).astype("object").where(ids.notna(), None)
    out = out.reset_index(drop=True)
    _check_coordinates(out)
    return out


def _check_coordinates(mentions: pd.DataFrame) -> None:
    """Reject resolved mentions whose (lat, lon) cannot be drawn, naming the value."""
    resolved = mentions["place_id"].notna().to_numpy()
    lat = pd.to_numeric(mentions["lat"], errors="coerce").to_numpy(dtype="float64")
    lon = pd.to_numeric(mentions["lon"], errors="coerce").to_numpy(dtype="float64")
    ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    bad = np.flatnonzero(resolved & ~ok)
    if bad.size:
        i = int(bad[0])
        row = mentions.iloc[i]
        where = f"place {row['place_id']!r} (mention {i} of article {row['article_id']!r})"
        # numpy scalars as plain Python values: the message shows 95.0, not np.float64(95.0)
        plat, plon = (v.item() if isinstance(v, np.generic) else v for v in (row["lat"], row["lon"]))
        if pd.isna(plat) and pd.isna(plon):
            raise MapInputError(f"{where} has no coordinates (no geometry, no lat/lon); "
                                f"{bad.size} mention(s) affected")
        try:
            check_latlon(plat, plon)
        except ValueError as err:
            raise MapInputError(f"{where} has bad coordinates: {err}; {bad.size} mention(s) affected") from err
        raise MapInputError(f"place {row['place_id']!r} has bad coordinates lat={row['lat']!r}, lon={row['lon']!r}")
    mentions["lat"] = lat
    mentions["lon"] = lon


def _articles_frame(articles: pd.DataFrame | None, mentions: pd.DataFrame) -> pd.DataFrame:
    if articles is None:
        ids = pd.unique(mentions["article_id"].dropna())
        articles = pd.DataFrame({"article_id": ids})
        if len(mentions):
            # a mentions export carries its articles' title and url too: popups list and link them
            cols = ["date"] + [c for c in ("title", "url", "source") if c in mentions]
            first = mentions.dropna(subset=["article_id"]).groupby("article_id")[cols].first()
            for col in cols:
                articles[col] = articles["article_id"].map(first[col].to_dict())
    out = _plain_frame(articles)
    if "geometry" in out:
        out["focus_lat"], out["focus_lon"] = _latlon_of(out["geometry"], points_only=True)
        out = out.drop(columns="geometry")
    for col in ARTICLE_COLUMNS:
        if col not in out:
            out[col] = None
    for col in ("focus_lat", "focus_lon"):
        if col not in out:
            out[col] = np.nan
    out["date"] = pd.to_datetime(out["date"], utc=True, errors="coerce", format="mixed")
    out = out[out["article_id"].notna()].drop_duplicates("article_id")
    out["article_id"] = out["article_id"].astype(str)
    return out.set_index("article_id", drop=False)


def prepare(data: Any, *, min_confidence: float = 0.0) -> MapData:
    """Validate ``data``, drop mentions below ``min_confidence``, aggregate per place."""
    if isinstance(data, MapData):  # already prepared (by a caller that also writes pages)
        return data
    if not 0.0 <= float(min_confidence) <= 1.0:
        raise MapInputError(f"min_confidence must be within [0, 1], got {min_confidence!r}")
    articles, mentions = coerce_frames(data)
    resolved = mentions[mentions["place_id"].notna()]
    kept = resolved[resolved["confidence"] >= min_confidence]
    if len(kept) < len(resolved):
        logger.info("dropped %d of %d resolved mentions below confidence %.2f",
                    len(resolved) - len(kept), len(resolved), min_confidence)
    return MapData(articles=articles, mentions=kept, places=aggregate_places(kept), all_mentions=mentions)


def aggregate_places(mentions: pd.DataFrame) -> pd.DataFrame:
    """One row per place: first name/coords/codes, counts, best confidence."""
    cols = ["place_id", "name", "lat", "lon", "feature_class", "feature_code", "country_code",
            "footprint_id", "n_mentions", "n_articles", "confidence"]
    if mentions.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    g = mentions.groupby("place_id", sort=False)
    first = g[["name", "lat", "lon", "feature_class", "feature_code", "country_code", "footprint_id"]].first()
    agg = g.agg(n_mentions=("place_id", "size"), n_articles=("article_id", "nunique"),
                confidence=("confidence", "max"))
    places = first.join(agg).reset_index()
    places = places.sort_values(["n_articles", "n_mentions", "place_id"],
                                ascending=[False, False, True], kind="stable").reset_index(drop=True)
    return places[cols]
