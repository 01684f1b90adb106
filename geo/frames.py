"""The frame schema, defined once, and the builders of the three GeoDataFrames.

Store, queries, exports and maps all read these column names. Geometry is
``Point(lon, lat)`` in EPSG:4326 (see :mod:`geo.coords`).
"""
from __future__ import annotations

import bisect
import logging
import math
import re
from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.coords import CRS, points_from_latlon
from geo.resolve import ArticleResult

__all__ = [
    "ARTICLE_COLUMNS",
    "MENTION_COLUMNS",
    "PLACE_COLUMNS",
    "SCHEMA_VERSION",
    "build_frames",
    "empty_articles",
    "empty_mentions",
    "empty_places",
    "places_from_mentions",
    "sentence_bounds",
]

logger = logging.getLogger(__name__)

#: Bumped whenever a column is added, removed or changes meaning.
SCHEMA_VERSION = 1

#: column -> pandas dtype (geometry excluded; it is always last)
ARTICLE_COLUMNS: dict[str, str] = {
    "article_id": "string",
    "title": "string",
    "url": "string",
    "date": "datetime64[ns, UTC]",
    "source": "string",
    "origin": "string",
    "text": "string",
    "n_mentions": "int64",
    "focus_place_id": "string",  # the most specific focus place (point geometry)
    "focus_country": "string",  # place id of the focus country
    "focus_country_score": "float64",
    "focus_admin1": "string",
    "focus_admin1_score": "float64",
    "focus_city": "string",
    "focus_city_score": "float64",
}

MENTION_COLUMNS: dict[str, str] = {
    "article_id": "string",
    "mention_index": "int64",  # order within the article
    "start": "int64",
    "end": "int64",
    "text": "string",
    "kind": "string",  # "place" | "demonym"
    "sentence": "string",  # the sentence holding the mention
    "sentence_start": "int64",  # offset of `sentence` in the article text
    "place_id": "string",
    "name": "string",
    "feature_class": "string",
    "feature_code": "string",
    "country_code": "string",
    "admin1": "string",
    "lat": "float64",
    "lon": "float64",
    "confidence": "float64",
    "runner_up_id": "string",
    "runner_up_name": "string",
    "runner_up_confidence": "float64",
    "metonymic": "bool",
    "footprint_id": "string",
    "date": "datetime64[ns, UTC]",  # the article's date, copied for time queries
}

PLACE_COLUMNS: dict[str, str] = {
    "place_id": "string",
    "name": "string",
    "feature_class": "string",
    "feature_code": "string",
    "country_code": "string",
    "admin1": "string",
    "lat": "float64",
    "lon": "float64",
    "footprint_id": "string",
    "n_mentions": "int64",
    "n_articles": "int64",
}

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)]*\s+|\n+")
_MAX_SNIPPET = 400


def sentence_bounds(text: str) -> list[int]:
    """Start offsets of the sentences of ``text`` (first is always 0)."""
    starts = [0]
    starts.extend(m.end() for m in _SENTENCE_END.finditer(text))
    return starts


def _snippet(text: str, starts: list[int], start: int, end: int) -> tuple[str, int]:
    i = bisect.bisect_right(starts, start) - 1
    s0 = starts[i]
    s1 = starts[i + 1] if i + 1 < len(starts) else len(text)
    s1 = max(s1, end)
    # Keep long "sentences" (lists, tables) readable around the mention.
    if s1 - s0 > _MAX_SNIPPET:
        s0 = max(s0, start - _MAX_SNIPPET // 2)
        s1 = min(s1, max(end, s0 + _MAX_SNIPPET))
    snippet = text[s0:s1]
    stripped = snippet.rstrip()
    lead = len(snippet) - len(snippet.lstrip())
    return stripped[lead:], s0 + lead


# Dates are held in the declared unit, nanoseconds, as every store has always written them
# (pandas 3 parses to microseconds by default, so its results are converted). Dates outside
# the nanosecond range (before 1677-09-21 or after 2262-04-11) cannot be held: they become NaT.
_DATE_MIN = pd.Timestamp.min.tz_localize("UTC")
_DATE_MAX = pd.Timestamp.max.tz_localize("UTC")


def _in_range(dates: pd.Series) -> pd.Series:
    """Which of the (UTC datetime) ``dates`` the declared nanosecond unit can hold; NaT counts as held."""
    return dates.isna() | ((dates >= _DATE_MIN) & (dates <= _DATE_MAX))


def _as_declared(dates: pd.Series, dtype: str) -> pd.Series:
    """UTC ``dates`` in the declared unit, out-of-range ones NaT (instead of OutOfBoundsDatetime)."""
    return dates.where(_in_range(dates)).astype(dtype)


def _typed(df: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    for col, dtype in columns.items():
        if col not in df:
            df[col] = pd.Series([None] * len(df), dtype="object")
        if dtype.startswith("datetime64"):
            df[col] = _as_declared(pd.to_datetime(df[col], utc=True, errors="coerce", format="mixed"), dtype)
        else:
            df[col] = df[col].astype(dtype)
    return df[list(columns)]


def _geoframe(df: pd.DataFrame, columns: dict[str, str], lat: Any, lon: Any) -> gpd.GeoDataFrame:
    df = _typed(df, columns)
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(points_from_latlon(lat, lon), crs=CRS, index=df.index), crs=CRS)


def empty_articles() -> gpd.GeoDataFrame:
    return _geoframe(pd.DataFrame(), ARTICLE_COLUMNS, [], [])


def empty_mentions() -> gpd.GeoDataFrame:
    return _geoframe(pd.DataFrame(), MENTION_COLUMNS, [], [])


def empty_places() -> gpd.GeoDataFrame:
    return _geoframe(pd.DataFrame(), PLACE_COLUMNS, [], [])


_EPOCH = re.compile(r"-?\d{9,10}(?:\.\d+)?|\d{12,13}")


def _epoch(value: Any) -> Any:
    """A Unix time (seconds, or milliseconds when 12-13 digits) as a UTC Timestamp; else ``value``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and not (isinstance(value, float) and math.isnan(value)):
        number = float(value)
    elif isinstance(value, str) and _EPOCH.fullmatch(value.strip()):
        number = float(value)
    else:
        return value
    # 1e11 s is the year 5138: anything larger is milliseconds
    return pd.Timestamp(number, unit="ms" if abs(number) >= 1e11 else "s", tz="UTC")


def parse_dates(values: Iterable[Any], origins: Iterable[Any] | None = None) -> pd.Series:
    """Dates as given in articles → UTC timestamps (NaT when unparseable).

    ISO 8601 and the usual feed formats are read by pandas; Unix times
    (``1700000000``, or milliseconds) are read as such, not as nanoseconds.
    Dates that cannot be read are left empty with one warning, naming the
    first one's origin (``path:line``) when ``origins`` are given; so are
    dates outside the range of the declared ``datetime64[ns, UTC]`` unit
    (1677-09-21 to 2262-04-11), with a warning of their own.
    """
    given = list(values)
    out = pd.to_datetime(pd.Series([_epoch(v) for v in given], dtype="object"), utc=True, errors="coerce",
                         format="mixed")
    where = list(origins) if origins is not None else None
    bad = [i for i, (v, t) in enumerate(zip(given, out))
           if t is pd.NaT and v is not None and not pd.isna(v) and str(v).strip()]
    if bad:
        at = where[bad[0]] if where else None
        logger.warning("%d article date(s) not understood (e.g. %r%s); left empty", len(bad), given[bad[0]],
                       f" in {at}" if at else "")
    far = np.flatnonzero(~_in_range(out).to_numpy(dtype=bool))
    if len(far):
        at = where[far[0]] if where else None
        logger.warning("%d article date(s) outside %s..%s (e.g. %r%s); left empty", len(far),
                       _DATE_MIN.date(), _DATE_MAX.date(), given[far[0]], f" in {at}" if at else "")
    return _as_declared(out, ARTICLE_COLUMNS["date"])


def build_frames(results: Iterable[ArticleResult]) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Turn pipeline results into the ``(articles, mentions, places)`` frames."""
    arows: list[dict[str, Any]] = []
    alat: list[float] = []
    alon: list[float] = []
    mrows: list[dict[str, Any]] = []
    m_article: list[int] = []  # position in arows of each mention's article
    for res in results:
        art = res.article
        by_level = {f.level: f for f in res.focus}
        best = next((by_level[lv] for lv in ("city", "admin1", "country") if lv in by_level), None)
        row = {
            "article_id": art.id, "title": art.title, "url": art.url, "date": art.date,
            "source": art.source, "origin": art.origin, "text": art.text,
            "n_mentions": len(res.mentions),
            "focus_place_id": best.place.id if best else None,
        }
        for lv in ("country", "admin1", "city"):
            f = by_level.get(lv)
            row[f"focus_{lv}"] = f.place.id if f else None
            row[f"focus_{lv}_score"] = f.score if f else np.nan
        arows.append(row)
        alat.append(best.place.lat if best else np.nan)
        alon.append(best.place.lon if best else np.nan)

        starts = sentence_bounds(art.text)
        for i, m in enumerate(res.mentions):
            sentence, s0 = _snippet(art.text, starts, m.start, m.end)
            p, r = m.place, m.runner_up
            mrows.append({
                "article_id": art.id, "mention_index": i, "start": m.start, "end": m.end,
                "text": m.text, "kind": m.kind, "sentence": sentence, "sentence_start": s0,
                "place_id": p.id if p else None, "name": p.name if p else None,
                "feature_class": p.fclass if p else None, "feature_code": p.fcode if p else None,
                "country_code": p.country_code if p else None, "admin1": p.admin1 if p else None,
                "lat": p.lat if p else np.nan, "lon": p.lon if p else np.nan,
                "confidence": float(m.confidence),
                "runner_up_id": r.id if r else None, "runner_up_name": r.name if r else None,
                "runner_up_confidence": float(m.runner_up_confidence) if r else np.nan,
                "metonymic": bool(m.metonymic),
                "footprint_id": p.footprint if p else None,
                "date": art.date,
            })
            m_article.append(len(arows) - 1)
    # dates parsed once per article (Unix times, one warning for unreadable ones), then copied
    dates = parse_dates([r["date"] for r in arows], [r["origin"] for r in arows])
    for r, d in zip(arows, dates):
        r["date"] = d
    for r, ai in zip(mrows, m_article):
        r["date"] = dates.iloc[ai]
    articles = _geoframe(pd.DataFrame(arows), ARTICLE_COLUMNS, alat, alon)
    mdf = pd.DataFrame(mrows)
    mentions = _geoframe(mdf, MENTION_COLUMNS,
                         mdf["lat"] if len(mdf) else [], mdf["lon"] if len(mdf) else [])
    return articles, mentions, places_from_mentions(mentions)


def places_from_mentions(mentions: pd.DataFrame) -> gpd.GeoDataFrame:
    """One row per distinct resolved place, with mention and article counts."""
    resolved = mentions[mentions["place_id"].notna()]
    if resolved.empty:
        return empty_places()
    keys = [c for c in PLACE_COLUMNS if c not in ("n_mentions", "n_articles")]
    first = resolved.drop_duplicates("place_id")[keys].set_index("place_id")
    counts = resolved.groupby("place_id", sort=False).agg(
        n_mentions=("article_id", "size"), n_articles=("article_id", "nunique"))
    df = first.join(counts).reset_index()
    df = df.sort_values(["n_articles", "n_mentions", "place_id"], ascending=[False, False, True], kind="stable")
    df = df.reset_index(drop=True)
    return _geoframe(df, PLACE_COLUMNS, df["lat"], df["lon"])
