"""Invented articles and mentions at random places, for tests and benchmarks.

Two generators: :func:`synthetic_results` makes real pipeline records
(Article, Mention, ArticleResult) to go through ``geo.frames.build_frames``;
:func:`synthetic_frames` makes the three frames directly, vectorised, for the
million-row benchmarks. Places are random points (optionally with extra
weight near the poles and the antimeridian) or given gazetteer places.
"""
from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.articles import Article
from geo.coords import CRS, points_from_latlon
from geo.frames import ARTICLE_COLUMNS, MENTION_COLUMNS, places_from_mentions
from geo.resolve import ArticleResult, Focus, Mention
from gazetteer import Place

__all__ = ["random_places", "synthetic_frames", "synthetic_results"]

_COUNTRIES = ("KR", "JP", "US", "FR", "BR", "NZ", "FJ", "RU", "NO", "ZA", "AQ")
_WORDS = ("officials", "said", "on", "monday", "that", "talks", "in", "near", "the", "port", "storm",
          "election", "market", "river", "after", "protest", "visit", "border", "trade", "report")


def random_places(n: int, *, seed: int = 0, edgy: bool = True) -> list[Place]:
    """``n`` invented places; with ``edgy`` a third sit near the poles or the antimeridian."""
    rng = np.random.default_rng(seed)
    lat = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))  # uniform on the sphere
    lon = rng.uniform(-180, 180, n)
    if edgy:
        k = n // 6
        lat[:k] = rng.choice([-1, 1], k) * rng.uniform(80, 90, k)
        lon[k:2 * k] = rng.choice([-1, 1], k) * rng.uniform(170, 180, k)
    classes = rng.choice(["P", "A", "S", "H", "T", "L"], n, p=[0.5, 0.2, 0.1, 0.1, 0.05, 0.05])
    codes = {"P": "PPL", "A": "ADM1", "S": "BLDG", "H": "BAY", "T": "MT", "L": "RGN"}
    return [
        Place(id=f"test:{i}", name=f"Testplace{i}", fclass=str(c), fcode=codes[str(c)],
              country_code=str(rng.choice(_COUNTRIES)), admin1=f"{int(rng.integers(1, 20)):02d}", admin2=None,
              population=int(rng.integers(0, 1_000_000)), lat=float(la), lon=float(lo))
        for i, (la, lo, c) in enumerate(zip(lat, lon, classes))
    ]


def synthetic_results(n_articles: int, *, mentions_per_article: int = 3, seed: int = 0,
                      places: Sequence[Place] | None = None, start: str = "2024-01-01",
                      days: int = 60) -> list[ArticleResult]:
    """Invented articles whose text names random ``places``, with resolved mentions."""
    rng = np.random.default_rng(seed)
    places = list(places) if places is not None else random_places(max(10, n_articles), seed=seed)
    t0 = pd.Timestamp(start, tz="UTC")
    out = []
    for a in range(n_articles):
        k = int(rng.integers(0, 2 * mentions_per_article + 1))
        chosen = [places[int(i)] for i in rng.integers(0, len(places), k)]
        pieces: list[str] = []
        pos = 0
        mentions = []
        for p in chosen:
            filler = " ".join(rng.choice(_WORDS, int(rng.integers(2, 8)))) + " "
            pieces.append(filler)
            pos += len(filler)
            mentions.append(Mention(pos, pos + len(p.name), p.name, "place", p, float(rng.uniform(0.2, 1.0)),
                                    None, 0.0, bool(rng.random() < 0.1)))
            pieces.append(p.name)
            pos += len(p.name)
            pieces.append(". " if rng.random() < 0.4 else " ")
            pos += len(pieces[-1])
        pieces.append(" ".join(rng.choice(_WORDS, 5)) + ".")
        text = "".join(pieces)
        date = (t0 + pd.Timedelta(minutes=int(rng.integers(0, days * 24 * 60)))).isoformat()
        art = Article(id=f"art{seed}-{a}", text=text, title=f"Report {a} " + " ".join(rng.choice(_WORDS, 3)),
                      url=f"https://news.example/{seed}/{a}", date=date, source="example", origin=f"synthetic:{a}")
        focus = [Focus("city", chosen[0], 1.0)] if chosen else []
        out.append(ArticleResult(art, mentions, focus))
    return out


def synthetic_frames(n_mentions: int, *, mentions_per_article: int = 10, seed: int = 0,
                     places: Sequence[Place] | None = None, n_places: int = 20_000,
                     start: str = "2024-01-01", days: int = 365) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Frames with ``n_mentions`` mentions built column-wise (fast; for benchmarks)."""
    rng = np.random.default_rng(seed)
    places = list(places) if places is not None else random_places(n_places, seed=seed, edgy=False)
    n_art = max(1, n_mentions // mentions_per_article)
    pidx = rng.integers(0, len(places), n_mentions)
    aidx = np.sort(rng.integers(0, n_art, n_mentions))
    pf = pd.DataFrame({
        "place_id": [p.id for p in places], "name": [p.name for p in places],
        "feature_class": [p.fclass for p in places], "feature_code": [p.fcode for p in places],
        "country_code": [p.country_code for p in places], "admin1": [p.admin1 for p in places],
        "lat": [p.lat for p in places], "lon": [p.lon for p in places],
        "footprint_id": [p.footprint for p in places],
    }).iloc[pidx].reset_index(drop=True)
    t0 = pd.Timestamp(start, tz="UTC")
    adates = t0 + pd.to_timedelta(rng.integers(0, days * 86400, n_art), unit="s")
    ids = np.array([f"a{seed}-{i:08d}" for i in range(n_art)], dtype=object)
    m = pf
    m.insert(0, "article_id", ids[aidx])
    m.insert(1, "mention_index", pd.Series(aidx).groupby(aidx).cumcount().to_numpy())
    m["start"] = m["mention_index"] * 40 + 10
    m["end"] = m["start"] + m["name"].str.len()
    m["text"] = m["name"]
    m["kind"] = np.where(rng.random(n_mentions) < 0.05, "demonym", "place")
    m["sentence"] = "Officials met in " + m["name"] + " on Monday."
    m["sentence_start"] = m["start"] - 17
    m["confidence"] = rng.uniform(0, 1, n_mentions)
    m["runner_up_id"] = None
    m["runner_up_name"] = None
    m["runner_up_confidence"] = np.nan
    m["metonymic"] = rng.random(n_mentions) < 0.1
    m["date"] = np.asarray(adates)[aidx]
    for col, dtype in MENTION_COLUMNS.items():
        m[col] = m[col].astype(dtype)
    mentions = gpd.GeoDataFrame(m[list(MENTION_COLUMNS)], geometry=gpd.GeoSeries(
        points_from_latlon(m["lat"], m["lon"]), crs=CRS), crs=CRS)
    first = m.drop_duplicates("article_id")
    a = pd.DataFrame({"article_id": ids})
    a["title"] = [f"Report {i}" for i in range(n_art)]
    a["url"] = [f"https://news.example/{seed}/{i}" for i in range(n_art)]
    a["date"] = adates
    a["source"] = "example"
    a["origin"] = "synthetic"
    a["text"] = [f"Officials met on Monday; report number {i}." for i in range(n_art)]
    counts = pd.Series(aidx).value_counts()
    a["n_mentions"] = counts.reindex(range(n_art), fill_value=0).to_numpy()
    a = a.merge(first[["article_id", "place_id", "lat", "lon"]], on="article_id", how="left")
    a["focus_place_id"] = a["place_id"]
    for lv in ("country", "admin1", "city"):
        a[f"focus_{lv}"] = a["place_id"] if lv == "city" else None
        a[f"focus_{lv}_score"] = np.where(a["place_id"].notna(), 1.0, np.nan) if lv == "city" else np.nan
    lat, lon = a["lat"].to_numpy(), a["lon"].to_numpy()
    for col, dtype in ARTICLE_COLUMNS.items():
        a[col] = a[col].astype(dtype)
    articles = gpd.GeoDataFrame(a[list(ARTICLE_COLUMNS)], geometry=gpd.GeoSeries(
        points_from_latlon(lat, lon), crs=CRS), crs=CRS)
    return articles, mentions, places_from_mentions(mentions)

