"""Queries over the mentions frame: where (region, polygon, bbox, radius), when, what, and group-by.

Spatial filters go through the frame's STRtree (``GeoSeries.sindex``, built
once per frame and cached by geopandas), then exact tests vectorised with
shapely/numpy; there is no Python loop over geometries. Distances are
great-circle distances on a sphere of the Earth's mean radius (haversine).

Every filter is optional and they combine with AND. Bad queries raise
:class:`~geo.errors.QueryError` with a message naming the bad value.

:func:`compile_query` parses and validates the filters once (resolving names,
reading polygon files) into a :class:`QueryPlan`, whose ``mask`` applies them
to a frame or to chunks of one; :func:`query` is that on one frame, and
:meth:`geo.store.Store.query` that on a store's parts, row group by row group.
"""
from __future__ import annotations

import datetime as _dt
import functools
import logging
import math
import os
import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.coords import CRS, EARTH_RADIUS_KM, haversine_km
from geo.errors import QueryError

__all__ = [
    "EARTH_RADIUS_KM",
    "GROUP_BY",
    "QueryPlan",
    "SpatialFilter",
    "bbox_boxes",
    "compile_query",
    "group_by",
    "haversine_km",
    "parse_bbox",
    "parse_near",
    "parse_radius",
    "query",
    "radius_boxes",
    "read_polygon",
]

logger = logging.getLogger(__name__)

GROUP_BY = ("country", "admin1", "place", "day", "week")
_UNITS_KM = {"km": 1.0, "m": 0.001, "mi": 1.609344, "nm": 1.852}
_UNIT_ALIASES = {"": "km", "k": "km", "kms": "km", "kilometer": "km", "kilometers": "km", "kilometre": "km",
                 "kilometres": "km", "meter": "m", "meters": "m", "metre": "m", "metres": "m",
                 "mile": "mi", "miles": "mi", "nmi": "nm", "nautical mile": "nm", "nautical miles": "nm"}
_FEATURE_CLASSES = set("AHLPRSTUV")
_KINDS = ("place", "demonym")
# padding (degrees) of prefilter boxes so float rounding never loses a point the exact test keeps
_PAD = 1e-9


# --- parsing of query values ----------------------------------------------------------------------

def _number(text: str, what: str) -> float:
    try:
        v = float(text)
    except (TypeError, ValueError) as err:
        raise QueryError(f"{what} must be a number, got {text!r}") from err
    if not math.isfinite(v):
        raise QueryError(f"{what} must be finite, got {text!r}")
    return v


def parse_bbox(bbox: str | Sequence[float]) -> tuple[float, float, float, float]:
    """``"W,S,E,N"`` or a 4-sequence → validated ``(west, south, east, north)``.

    ``west > east`` is a box crossing the antimeridian (e.g. ``170,-20,-170,20``).
    """
    parts: Sequence[Any]
    if isinstance(bbox, str):
        parts = [p.strip() for p in bbox.replace(";", ",").split(",")]
        if len(parts) == 1:
            parts = bbox.split()
    else:
        parts = list(bbox)
    if len(parts) != 4:
        raise QueryError(f"bbox must be four numbers W,S,E,N, got {bbox!r}")
    w, s, e, n = (_number(p, f"bbox {name}") for p, name in zip(parts, ("west", "south", "east", "north")))
    for v, name in ((w, "west"), (e, "east")):
        if not -180.0 <= v <= 180.0:
            raise QueryError(f"bbox {name} longitude must be within [-180, 180], got {v:g}")
    for v, name in ((s, "south"), (n, "north")):
        if not -90.0 <= v <= 90.0:
            raise QueryError(f"bbox {name} latitude must be within [-90, 90], got {v:g}")
    if s > n:
        raise QueryError(f"bbox south ({s:g}) is north of north ({n:g}); the order is W,S,E,N")
    return w, s, e, n


def bbox_boxes(w: float, s: float, e: float, n: float) -> list[tuple[float, float, float, float]]:
    """A validated bbox as one or two boxes that do not cross the antimeridian."""
    if w <= e:
        return [(w, s, e, n)]
    return [(w, s, 180.0, n), (-180.0, s, e, n)]


def parse_radius(radius: str | float | int) -> float:
    """``"50km"``, ``"500 m"``, ``"10mi"``, ``"20nm"`` or a number (km) → kilometres."""
    if isinstance(radius, (int, float)) and not isinstance(radius, bool):
        km = float(radius)
    else:
        m = re.fullmatch(r"\s*([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([a-zA-Z .]*?)\s*", str(radius))
        if not m:
            raise QueryError(f"radius must be a number with a unit like 50km, 500m, 10mi or 20nm, got {radius!r}")
        unit = m.group(2).lower().rstrip(".")
        unit = _UNIT_ALIASES.get(unit, unit)
        if unit not in _UNITS_KM:
            raise QueryError(f"unknown radius unit {m.group(2)!r} in {radius!r}; use km, m, mi or nm")
        km = float(m.group(1)) * _UNITS_KM[unit]
    if not math.isfinite(km):
        raise QueryError(f"radius must be finite, got {radius!r}")
    if km < 0:
        raise QueryError(f"radius must not be negative, got {radius!r}")
    return km


_LATLON = re.compile(r"\s*\(?\s*([-+]?\d+(?:\.\d*)?|[-+]?\.\d+)\s*[, ]\s*([-+]?\d+(?:\.\d*)?|[-+]?\.\d+)\s*\)?\s*")


def parse_near(near: Any, place_resolver: Callable[[str], tuple[float, float]] | None = None) -> tuple[float, float]:
    """``"lat,lon"``, a ``(lat, lon)`` pair, a point geometry or a place name → ``(lat, lon)``."""
    if isinstance(near, str):
        m = _LATLON.fullmatch(near)
        if m:
            lat, lon = float(m.group(1)), float(m.group(2))
        else:
            if not near.strip():
                raise QueryError("near needs a place name or LAT,LON, got an empty string")
            if place_resolver is None:
                from geo._regions import GazetteerPlaces

                place_resolver = GazetteerPlaces()
            try:
                lat, lon = place_resolver(near)
            except QueryError:
                raise
            except LookupError as err:
                raise QueryError(f"unknown place {near!r}") from err
    elif hasattr(near, "__geo_interface__"):
        geo = near.__geo_interface__
        if geo.get("type") != "Point":
            raise QueryError(f"near must be a point, got a {geo.get('type')}")
        lon, lat = geo["coordinates"][:2]
    else:
        try:
            lat, lon = near
        except (TypeError, ValueError) as err:
            raise QueryError(f"near must be LAT,LON or a place name, got {near!r}") from err
    lat, lon = _number(lat, "near latitude"), _number(lon, "near longitude")
    if not -90.0 <= lat <= 90.0:
        raise QueryError(f"near latitude must be within [-90, 90], got {lat:g} (lon={lon:g}); the order is LAT,LON")
    if not -180.0 <= lon <= 180.0:
        raise QueryError(f"near longitude must be within [-180, 180], got {lon:g} (lat={lat:g})")
    return lat, lon


def _parse_when(value: Any, what: str, *, end: bool) -> pd.Timestamp:
    """A date/datetime → UTC timestamp; for ``end`` a bare date means the end of that day."""
    day_only = isinstance(value, _dt.date) and not isinstance(value, _dt.datetime)
    if isinstance(value, str):
        day_only = bool(re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", value))
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as err:
        raise QueryError(f"{what} must be a date like 2024-05-31 or 2024-05-31T12:00Z, got {value!r}") from err
    if ts is pd.NaT or pd.isna(ts):
        raise QueryError(f"{what} must be a date, got {value!r}")
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    # stored dates are nanosecond timestamps (1677-09-21..2262-04-11; frames leave others
    # empty): a bound beyond that range is the range's end (less a second the store's
    # row-group pruning pads with), not an overflow
    first = pd.Timestamp.min.tz_localize("UTC") + pd.Timedelta(seconds=1)
    last = pd.Timestamp.max.tz_localize("UTC") - pd.Timedelta(seconds=1)
    if end and day_only:
        ts = ts + pd.Timedelta(days=1)  # the next midnight, less 1 ns below
    if ts < first or ts > last:
        return first if ts < first else last
    ts = ts.as_unit("ns")
    return ts - pd.Timedelta(1, "ns") if end and day_only else ts


def _as_list(value: str | Iterable[str]) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


# codes newsrooms use that ISO does not: the UK and Greece in EU usage
_CODE_ALIASES = {"UK": "GB", "EL": "GR"}


@functools.lru_cache(maxsize=1)
def _known_codes() -> frozenset[str]:
    """ISO alpha-2 codes, historic ones (CS) and Kosovo's XK, which GeoNames uses."""
    import pycountry

    codes = {c.alpha_2 for c in pycountry.countries}
    codes |= {c.alpha_2 for c in pycountry.historic_countries if len(getattr(c, "alpha_2", "")) == 2}
    return frozenset(codes | {"XK"})


def _country_codes(value: str | Iterable[str]) -> list[str]:
    import pycountry

    codes = []
    for v in _as_list(value):
        if len(v) == 2 and v.isalpha():
            code = _CODE_ALIASES.get(v.upper(), v.upper())
            if code not in _known_codes():
                # an unknown code would silently match nothing
                raise QueryError(f"unknown country code {v!r} (ISO 3166-1 alpha-2, e.g. KR, GB, US)")
            codes.append(code)
            continue
        try:
            codes.append(pycountry.countries.lookup(v).alpha_2)
        except LookupError as err:
            from geo._regions import suggest

            close = suggest(v, [c.name for c in pycountry.countries])
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise QueryError(f"unknown country {v!r} (give an ISO code like KR or a name){hint}") from err
    if not codes:
        raise QueryError("country filter is empty")
    return codes


# --- geometry ---------------------------------------------------------------------------------------

def read_polygon(source: Any) -> Any:
    """A polygon to query within: a file (GeoJSON, GeoPackage, shapefile...), a geometry or a GeoDataFrame.

    All features are unioned and reprojected to EPSG:4326.
    """
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise QueryError(f"polygon file {path} does not exist")
        # GDAL's warnings (an unclosed ring...) become log lines naming the file, not Python
        # warnings printed with a library path; when reading fails the error says it all
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                frame = gpd.read_file(path, engine="pyogrio")
            except Exception as err:  # pyogrio raises its own DataSourceError, etc.
                raise QueryError(f"cannot read polygon file {path}: {err}") from err
        for w in caught:
            logger.warning("%s: %s", path, w.message)
        return _polygon_of(frame, str(path))
    if isinstance(source, (gpd.GeoDataFrame, gpd.GeoSeries)):
        return _polygon_of(source, "the given frame")
    if isinstance(source, shapely.Geometry):
        geom = source
    elif hasattr(source, "__geo_interface__"):
        geom = shapely.geometry.shape(source.__geo_interface__)
    else:
        raise QueryError(f"within must be a polygon file or geometry, got {type(source).__name__}")
    return _check_polygonal(geom, "the given geometry")


def _polygon_of(frame: gpd.GeoDataFrame | gpd.GeoSeries, where: str) -> Any:
    geoms = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else frame
    if len(geoms) == 0:
        raise QueryError(f"{where} holds no features")
    if geoms.crs is not None and not geoms.crs.equals(CRS):
        geoms = geoms.to_crs(CRS)
    return _check_polygonal(shapely.union_all(geoms.make_valid().to_numpy()), where)


def _check_polygonal(geom: Any, where: str) -> Any:
    if geom is None or geom.is_empty:
        raise QueryError(f"{where} holds an empty geometry")
    if not geom.is_valid:
        # a self-touching ring may repair into polygons plus stray lines: keep the polygons
        geom = shapely.make_valid(geom)
    parts = shapely.get_parts(geom)
    polys = parts[shapely.get_type_id(parts) == 3]
    if len(polys) == 0:
        raise QueryError(f"{where} must hold polygons, got {geom.geom_type}")
    if len(polys) < len(parts):
        logger.warning("%s: ignoring %d non-polygon parts", where, len(parts) - len(polys))
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(list(polys))


def radius_boxes(lat: float, lon: float, radius_km: float) -> list[tuple[float, float, float, float]]:
    """Boxes (not crossing the antimeridian) covering every point within ``radius_km``.

    The longitude half-width grows as ``asin(sin d / cos lat)`` towards the
    poles; a circle reaching a pole covers all longitudes.
    """
    d = radius_km / EARTH_RADIUS_KM  # angular radius
    if d >= math.pi:
        return [(-180.0, -90.0, 180.0, 90.0)]
    dlat = math.degrees(d) + _PAD
    s, n = lat - dlat, lat + dlat
    if s <= -90.0 or n >= 90.0 or d >= math.pi / 2 - math.radians(abs(lat)):
        return [(-180.0, max(s, -90.0), 180.0, min(n, 90.0))]
    dlon = math.degrees(math.asin(min(1.0, math.sin(d) / math.cos(math.radians(lat))))) + _PAD
    if dlon >= 180.0:
        return [(-180.0, s, 180.0, n)]
    w, e = lon - dlon, lon + dlon
    if w < -180.0:
        return [(w + 360.0, s, 180.0, n), (-180.0, s, e, n)]
    if e > 180.0:
        return [(w, s, 180.0, n), (-180.0, s, e - 360.0, n)]
    return [(w, s, e, n)]


def _hits(sindex: Any, geoms: Any, predicate: str | None) -> np.ndarray:
    """Row positions whose geometry meets any of ``geoms`` (one STRtree query for all)."""
    pairs = sindex.query(np.asarray(geoms, dtype=object), predicate=predicate)
    return np.unique(pairs[1])


# --- the query ------------------------------------------------------------------------------------

def query(
    mentions: gpd.GeoDataFrame,
    articles: pd.DataFrame | None = None,
    *,
    region: str | None = None,
    within: Any = None,
    bbox: str | Sequence[float] | None = None,
    near: Any = None,
    radius_km: float | str | None = None,
    since: Any = None,
    until: Any = None,
    text: str | None = None,
    country: str | Iterable[str] | None = None,
    feature_class: str | Iterable[str] | None = None,
    kind: str | Iterable[str] | None = None,
    min_confidence: float | None = None,
    exclude_metonymic: bool = False,
    region_resolver: Callable[[str], Any] | Mapping[str, Any] | None = None,
    place_resolver: Callable[[str], tuple[float, float]] | None = None,
) -> gpd.GeoDataFrame:
    """The mentions matching every given filter.

    Parameters
    ----------
    mentions : GeoDataFrame
        A mentions frame (``geo.frames.MENTION_COLUMNS``).
    articles : DataFrame, optional
        The articles frame; needed only for ``text``.
    region : str
        A country, admin area or macro-region name, resolved to a footprint
        by ``region_resolver`` (default: the offline gazetteer).
    within : path, geometry or GeoDataFrame
        A polygon (GeoJSON/GeoPackage/... file read with pyogrio).
    bbox : "W,S,E,N" or 4-sequence
        ``W > E`` crosses the antimeridian.
    near, radius_km : "LAT,LON", (lat, lon), point or place name; km (or "50km", "10mi")
        Great-circle distance from ``near`` at most ``radius_km``.
    since, until : date, datetime or ISO string
        Inclusive; a bare date ``until`` includes that whole day (UTC).
    text : str
        Words (or "quoted phrases") that must all appear, as whole words and
        case-insensitively, in the article's title or text.
    country, feature_class, kind : str or list
        ISO country code(s) or names; GeoNames class(es) (P, A, ...);
        "place"/"demonym". Comma-separated strings are lists.
    min_confidence : float
        In [0, 1].
    exclude_metonymic : bool
        Drop mentions flagged metonymic ("Seoul said...").
    region_resolver : callable or mapping, optional
        ``name -> geometry`` (None or KeyError for unknown names).
    place_resolver : callable, optional
        ``name -> (lat, lon)`` for a ``near`` given as a name.

    Returns
    -------
    GeoDataFrame
        The matching rows of ``mentions``, in their original order.

    See Also
    --------
    compile_query : the same filters parsed once, applied to many frames
        (what :meth:`geo.store.Store.query` does chunk by chunk).
    """
    plan = compile_query(
        region=region, within=within, bbox=bbox, near=near, radius_km=radius_km, since=since, until=until,
        text=text, country=country, feature_class=feature_class, kind=kind, min_confidence=min_confidence,
        exclude_metonymic=exclude_metonymic, region_resolver=region_resolver, place_resolver=place_resolver)
    mask = plan.mask(mentions, articles)
    logger.debug("query kept %d of %d mentions", int(mask.sum()), len(mentions))
    return mentions[mask]


@dataclass(frozen=True)
class SpatialFilter:
    """One spatial filter, parsed: ``how`` is "intersects" (polygon parts), "box" or "near".

    ``boxes`` are (west, south, east, north) boxes, none crossing the
    antimeridian, that cover everything the filter can keep: a row group
    whose points all lie outside every box cannot match (predicate pushdown).
    """

    how: str
    geoms: tuple[Any, ...]
    boxes: tuple[tuple[float, float, float, float], ...]
    centre: tuple[float, float] | None = None  # (lat, lon) for "near"
    radius_km: float | None = None

    def rows(self, mentions: gpd.GeoDataFrame) -> np.ndarray:
        """Positions of the rows of ``mentions`` this filter keeps (through the frame's STRtree)."""
        if self.how == "intersects":
            return _hits(mentions.sindex, self.geoms, "intersects")
        # no predicate: for points the STRtree envelope test *is* the closed-box test
        cand = _hits(mentions.sindex, self.geoms, None)
        if self.how == "box":
            return cand
        lat, lon = self.centre  # type: ignore[misc]
        pts = np.asarray(mentions.geometry.array[cand], dtype=object)
        return cand[haversine_km(lat, lon, shapely.get_y(pts), shapely.get_x(pts)) <= self.radius_km]

    def rows_xy(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """:meth:`rows` for point geometries given as coordinates (NaN where there is no point).

        The same rows: the STRtree's envelope test on a point is these closed
        comparisons, and polygons are tested with the same predicate through
        an STRtree over the candidate points only. Saves decoding and
        indexing every point (what a store streaming its parts wants).
        """
        cand = np.zeros(len(x), dtype=bool)
        for w, s, e, n in self.boxes:
            cand |= (x >= w) & (x <= e) & (y >= s) & (y <= n)
        cand = np.flatnonzero(cand)
        if self.how == "box" or len(cand) == 0:
            return cand
        if self.how == "near":
            lat, lon = self.centre  # type: ignore[misc]
            return cand[haversine_km(lat, lon, y[cand], x[cand]) <= self.radius_km]
        return cand[_hits(shapely.STRtree(shapely.points(x[cand], y[cand])), self.geoms, "intersects")]


@dataclass(frozen=True)
class QueryPlan:
    """Filters parsed and validated once (names resolved, files read), applicable to many frames.

    Built by :func:`compile_query`. :meth:`mask` on the whole mentions frame
    gives what :func:`query` gives; on chunks of it, the same rows chunk by
    chunk, except for ``text``, which is decided on articles: give the
    matching article ids (:meth:`text_ids` over the articles, in any chunks)
    to :meth:`mask`.
    """

    kinds: tuple[str, ...] | None = None
    classes: tuple[str, ...] | None = None
    codes: tuple[str, ...] | None = None
    min_confidence: float | None = None
    exclude_metonymic: bool = False
    since: pd.Timestamp | None = None
    until: pd.Timestamp | None = None
    words: tuple[str, ...] | None = None
    spatial: tuple[SpatialFilter, ...] = ()

    @property
    def columns(self) -> list[str]:
        """Mention columns :meth:`mask` reads (``geometry`` for spatial filters)."""
        cols = [c for c, on in (("kind", self.kinds is not None), ("feature_class", self.classes is not None),
                                ("country_code", self.codes is not None),
                                ("confidence", self.min_confidence is not None),
                                ("metonymic", self.exclude_metonymic),
                                ("date", self.since is not None or self.until is not None),
                                ("article_id", self.words is not None)) if on]
        return cols + (["geometry"] if self.spatial else [])

    def text_ids(self, articles: pd.DataFrame) -> pd.Index:
        """Ids of the ``articles`` (article_id, title, text) whose title or text holds every word."""
        if self.words is None:
            raise ValueError("this query has no text filter")
        # Python's re (object dtype): \w and lookarounds are Unicode-aware, RE2's \b is not
        body = (articles["title"].fillna("").astype(str) + "\n" + articles["text"].fillna("").astype(str)).astype(object)
        ok = np.ones(len(articles), dtype=bool)
        for w in self.words:
            pat = (r"(?<!\w)" if re.match(r"\w", w[0]) else "") + re.escape(w) + (r"(?!\w)" if re.match(r"\w", w[-1]) else "")
            ok &= body.str.contains(pat, case=False, regex=True).to_numpy(dtype=bool)
        return pd.Index(articles["article_id"][ok].dropna().unique())

    def mask(self, mentions: gpd.GeoDataFrame, articles: pd.DataFrame | None = None, *,
             text_ids: pd.Index | None = None, xy: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """Boolean mask over ``mentions``: the rows matching every filter.

        ``text_ids`` (from :meth:`text_ids`) stands in for ``articles`` for the
        text filter; ``xy``, the x and y of point geometries (NaN for none),
        for the geometry column in spatial filters.
        """
        n = len(mentions)
        mask = np.ones(n, dtype=bool)
        # cheap column filters first
        if self.kinds is not None:
            mask &= mentions["kind"].isin(self.kinds).to_numpy(dtype=bool, na_value=False)
        if self.classes is not None:
            mask &= mentions["feature_class"].isin(self.classes).to_numpy(dtype=bool, na_value=False)
        if self.codes is not None:
            mask &= mentions["country_code"].str.upper().isin(self.codes).to_numpy(dtype=bool, na_value=False)
        if self.min_confidence is not None:
            mask &= (mentions["confidence"] >= self.min_confidence).to_numpy(dtype=bool, na_value=False)
        if self.exclude_metonymic:
            mask &= ~mentions["metonymic"].fillna(False).to_numpy(dtype=bool)
        if self.since is not None:
            mask &= (mentions["date"] >= self.since).to_numpy(dtype=bool, na_value=False)
        if self.until is not None:
            mask &= (mentions["date"] <= self.until).to_numpy(dtype=bool, na_value=False)
        if self.words is not None:
            if text_ids is None:
                if articles is None:
                    raise QueryError("the text filter needs the articles frame")
                text_ids = self.text_ids(articles)
            mask &= mentions["article_id"].isin(text_ids).to_numpy(dtype=bool, na_value=False)
        # spatial filters, through the STRtree
        for f in self.spatial:
            keep = np.zeros(n, dtype=bool)
            keep[f.rows(mentions) if xy is None else f.rows_xy(*xy)] = True
            mask &= keep
        return mask


def compile_query(
    *,
    region: str | None = None,
    within: Any = None,
    bbox: str | Sequence[float] | None = None,
    near: Any = None,
    radius_km: float | str | None = None,
    since: Any = None,
    until: Any = None,
    text: str | None = None,
    country: str | Iterable[str] | None = None,
    feature_class: str | Iterable[str] | None = None,
    kind: str | Iterable[str] | None = None,
    min_confidence: float | None = None,
    exclude_metonymic: bool = False,
    region_resolver: Callable[[str], Any] | Mapping[str, Any] | None = None,
    place_resolver: Callable[[str], tuple[float, float]] | None = None,
) -> QueryPlan:
    """Parse and validate the filters of :func:`query` once, into a :class:`QueryPlan`.

    Region and place names are resolved and polygon files read here, so
    applying the plan to many chunks does it once. Raises
    :class:`~geo.errors.QueryError` for a bad value.
    """
    kinds = classes = codes = words = None
    mc = lo = hi = None
    if kind is not None:
        kinds = _as_list(kind)
        bad = [k for k in kinds if k not in _KINDS]
        if bad or not kinds:
            raise QueryError(f"kind must be one of {', '.join(_KINDS)}, got {kind!r}")
    if feature_class is not None:
        classes = [c.upper() for c in _as_list(feature_class)]
        bad = [c for c in classes if c not in _FEATURE_CLASSES]
        if bad or not classes:
            raise QueryError(f"feature class must be GeoNames classes among {','.join(sorted(_FEATURE_CLASSES))}, "
                             f"got {feature_class!r}")
    if country is not None:
        codes = _country_codes(country)
    if min_confidence is not None:
        mc = _number(min_confidence, "min confidence")
        if not 0.0 <= mc <= 1.0:
            raise QueryError(f"min confidence must be within [0, 1], got {mc:g}")
    if since is not None or until is not None:
        lo = _parse_when(since, "since", end=False) if since is not None else None
        hi = _parse_when(until, "until", end=True) if until is not None else None
        if lo is not None and hi is not None and lo > hi:
            raise QueryError(f"since ({since}) is after until ({until})")
    if text is not None:
        words = _text_words(text)

    spatial: list[SpatialFilter] = []
    for name, value in (("region", region), ("within", within)):
        if value is None:
            continue
        geom = _region_resolver(region_resolver)(value) if name == "region" else read_polygon(value)
        parts = tuple(shapely.get_parts(geom))
        spatial.append(SpatialFilter("intersects", parts, tuple(tuple(b) for b in shapely.bounds(parts).tolist())))
    if bbox is not None:
        boxes = tuple(bbox_boxes(*parse_bbox(bbox)))
        spatial.append(SpatialFilter("box", tuple(shapely.box(*b) for b in boxes), boxes))
    if (near is None) != (radius_km is None):
        raise QueryError("near and radius go together: give both (CLI: --near 35.1,129.0 --radius 50km; "
                         "Python: near='35.1,129.0', radius_km=50)")
    if near is not None:
        lat, lon = parse_near(near, place_resolver)
        r = parse_radius(radius_km)  # type: ignore[arg-type]
        boxes = tuple(radius_boxes(lat, lon, r))
        spatial.append(SpatialFilter("near", tuple(shapely.box(*b) for b in boxes), boxes, (lat, lon), r))
    return QueryPlan(
        kinds=tuple(kinds) if kinds is not None else None, classes=tuple(classes) if classes is not None else None,
        codes=tuple(codes) if codes is not None else None, min_confidence=mc,
        exclude_metonymic=bool(exclude_metonymic), since=lo, until=hi,
        words=tuple(words) if words is not None else None, spatial=tuple(spatial))


def _region_resolver(resolver: Any) -> Callable[[str], Any]:
    from geo._regions import as_region_resolver

    return as_region_resolver(resolver)


# a "phrase" (straight or curly double quotes) or a run of other characters; an apostrophe
# is part of a word (O'Hare, Xi'an, People's), not a quote as in a shell
_TEXT_TOKEN = re.compile(r'"([^"]*)("?)|\u201c([^\u201d]*)(\u201d?)|([^\s"\u201c]+)')


def _text_words(text: str) -> list[str]:
    words = []
    for m in _TEXT_TOKEN.finditer(text):
        phrase, closed = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(3), m.group(4))
        if m.group(5) is not None:
            words.append(m.group(5))
        elif not closed:
            raise QueryError(f"text filter {text!r}: no closing quotation mark")
        else:
            words.append(" ".join(phrase.split()))
    words = [w for w in words if w.strip()]
    if not words:
        raise QueryError("text filter is empty")
    return words


# --- group-by -------------------------------------------------------------------------------------

def group_by(mentions: pd.DataFrame, by: str) -> pd.DataFrame:
    """Counts of mentions and distinct articles per country, admin1, place, day or week.

    Returns a DataFrame with the key column(s), ``n_mentions`` and
    ``n_articles``, most mentioned first. Rows with no key (unresolved
    mentions, undated articles) form their own group, so counts add up.
    ``week`` is the Monday (UTC) starting the ISO week.
    """
    if by not in GROUP_BY:
        raise QueryError(f"group by must be one of {', '.join(GROUP_BY)}, got {by!r}")
    df = pd.DataFrame({"article_id": mentions["article_id"].to_numpy()})
    if by == "country":
        keys = ["country_code"]
        df["country_code"] = mentions["country_code"].to_numpy()
    elif by == "admin1":
        keys = ["country_code", "admin1"]
        df["country_code"] = mentions["country_code"].to_numpy()
        df["admin1"] = mentions["admin1"].to_numpy()
    elif by == "place":
        keys = ["place_id"]
        df["place_id"] = mentions["place_id"].to_numpy()
    else:
        dates = pd.to_datetime(mentions["date"], utc=True)
        day = dates.dt.floor("D")
        if by == "week":
            day = day - pd.to_timedelta(day.dt.day_of_week, unit="D")
        keys = [by]
        df[by] = day.dt.strftime("%Y-%m-%d").to_numpy()
    grouped = df.groupby(keys, dropna=False, sort=False)["article_id"]
    out = pd.DataFrame({"n_mentions": grouped.size(), "n_articles": grouped.nunique()}).reset_index()
    if by == "place":
        names = (pd.DataFrame({"place_id": mentions["place_id"].to_numpy(), "name": mentions["name"].to_numpy()})
                 .dropna(subset=["place_id"]).drop_duplicates("place_id"))
        out = out.merge(names, on="place_id", how="left")[["place_id", "name", "n_mentions", "n_articles"]]
    out = out.sort_values(["n_mentions", "n_articles", *keys], ascending=[False, False] + [True] * len(keys),
                          kind="stable", na_position="last").reset_index(drop=True)
    out["n_mentions"] = out["n_mentions"].astype("int64")
    out["n_articles"] = out["n_articles"].astype("int64")
    return out
