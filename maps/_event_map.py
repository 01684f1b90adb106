"""``event_map``: frames → a folium.Map with places, focus, heat, choropleth, footprints, time."""
from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

import folium
from branca.element import Element
import numpy as np
import pandas as pd

from maps._data import MapData, MapInputError, prepare
from maps.html import escape_html, safe_url
from maps.layers import LAYER_NAMES, DataAttribution, EventData, FocusLayer, HashFollower, Legend, PlacesLayer, TimeLayer
from maps.pages import page_name

__all__ = ["event_map", "DEFAULT_LAYERS"]

logger = logging.getLogger(__name__)

DEFAULT_LAYERS = ("places", "focus", "heat", "countries", "admin1", "regions", "time")

#: a place whose best mention is below this confidence is drawn hollow and grey
LOW_CONFIDENCE = 0.5
#: articles listed in a place's popup (most recent first); the rest are counted
MAX_POPUP_ARTICLES = 20
#: characters of context kept each side of a mention in a popup
_CONTEXT = 90
#: footprint simplification tolerance in degrees (about 1 km): keeps the HTML small
_SIMPLIFY = 0.01
#: coordinates snapped to this grid (about 11 m): full-precision floats doubled the GeoJSON
_GRID = 1e-4

FootprintOf = Callable[[str], Any]
#: ``(country_code, admin1_code) -> (name, geometry) | geometry | None``
Admin1Footprint = Callable[[str, str], Any]

#: footprint kinds drawn (rivers and straits come as lines); points are already markers
_AREA_OR_LINE = frozenset({"Polygon", "MultiPolygon", "LineString", "MultiLineString", "GeometryCollection"})


def _s(value: Any) -> str | None:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def _date(value: Any) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _snippet(sentence: str | None, sentence_start: int, start: int, end: int, text: str | None) -> list[Any]:
    """``[snippet, hs, he]``: the sentence around a mention and the mention's offsets in it."""
    s = sentence or ""
    hs, he = start - sentence_start, end - sentence_start
    if not (sentence_start >= 0 and 0 <= hs < he <= len(s)):
        hs = s.find(text) if text else -1
        he = hs + len(text) if hs >= 0 and text else -1
    if len(s) > 2 * _CONTEXT + 40:
        if hs < 0:
            return [s[: 2 * _CONTEXT] + "…", -1, -1]
        a, b = max(0, hs - _CONTEXT), min(len(s), he + _CONTEXT)
        pre = "…" if a > 0 else ""
        s2 = pre + s[a:b] + ("…" if b < len(s) else "")
        return [s2, hs - a + len(pre), he - a + len(pre)]
    return [s, hs, he]


def _utf16(snippet: list[Any]) -> list[Any]:
    """``[text, hs, he]`` with the offsets in UTF-16 code units, as JavaScript's ``slice`` counts
    (a character beyond U+FFFF, such as an emoji, is two of them)."""
    s, hs, he = snippet
    if hs < 0 or s.isascii() or max(s) <= "\uffff":
        return snippet

    def units(i: int) -> int:
        return len(s[:i].encode("utf-16-le", "surrogatepass")) // 2

    return [s, units(hs), units(he)]


def _period(dates: pd.Series) -> tuple[str, str]:
    """(ISO 8601 period, pandas frequency) fitting the span of ``dates``."""
    span = (dates.max() - dates.min()).days
    if span <= 62:
        return "P1D", "D"
    if span <= 2 * 366:
        return "P7D", "W"
    return "P1M", "M"


def _event_data(md: MapData, *, articles_href: str | None, low_confidence: float, max_popup: int,
                want_focus: bool, want_time: bool) -> tuple[dict[str, Any], str | None]:
    places, mentions, articles = md.places, md.mentions, md.articles
    art_index: dict[str, int] = {}
    art_rows: list[list[Any]] = []
    base = (quote(articles_href.rstrip("/"), safe="/.-_~") + "/") if articles_href else None

    # article rows by id, built column-wise (a .loc per article is far too slow at 10k articles)
    a_ids = articles["article_id"].astype(str).tolist()
    a_rows = dict(zip(a_ids, zip(articles["title"].tolist(), articles["url"].tolist(),
                                 articles["date"].tolist(), articles["source"].tolist())))

    def article_ref(aid: str) -> int:
        i = art_index.get(aid)
        if i is None:
            i = art_index[aid] = len(art_rows)
            title, url, date, source = a_rows.get(aid, (None, None, None, None))
            # pages are written for the articles frame's rows only: no link to a page never written
            art_rows.append([aid, _s(title) or "", safe_url(_s(url)), _date(date), _s(source) or "",
                             base + page_name(aid) if base and aid in a_rows else None])
        return i

    # one popup entry per (place, article): the article's first mention, most recent articles first
    entries: dict[str, list[list[Any]]] = {}
    if len(mentions):
        m = mentions[mentions["article_id"].notna()]
        m = m.assign(_d=m["date"]).sort_values(["place_id", "_d", "article_id", "start"],
                                                ascending=[True, False, True, True], na_position="last")
        m = m.drop_duplicates(["place_id", "article_id"])
        m = m[m.groupby("place_id", sort=False).cumcount() < max_popup]
        cols = [m[c].tolist() for c in ("place_id", "article_id", "mention_index", "sentence", "sentence_start",
                                         "start", "end", "text")]
        for pid, aid, mi, sentence, s0, start, end, text in zip(*cols):
            snippet = _utf16(_snippet(_s(sentence), int(s0), int(start), int(end), _s(text)))
            entries.setdefault(pid, []).append([article_ref(str(aid)), int(mi), *snippet])

    place_rows = []
    pcols = [places[c].tolist() for c in ("place_id", "lat", "lon", "name", "n_articles", "n_mentions",
                                          "confidence", "country_code", "feature_code")]
    for pid, lat, lon, name, n_art, n_men, conf, cc, fcode in zip(*pcols):
        e = entries.get(pid, [])
        conf = float(conf)
        place_rows.append([str(pid), round(float(lat), 6), round(float(lon), 6), _s(name) or str(pid),
                           int(n_art), int(n_men), 1 if conf < low_confidence else 0, round(conf, 3),
                           _s(cc) or "", _s(fcode) or "", e, max(0, int(n_art) - len(e))])

    focus_rows = []
    if want_focus and len(articles):
        names = dict(zip(md.all_mentions["place_id"], md.all_mentions["name"]))
        fa = articles[np.isfinite(articles["focus_lat"].astype("float64"))
                      & np.isfinite(articles["focus_lon"].astype("float64"))]
        for a in fa.itertuples(index=False):
            fid = _s(a.focus_place_id)
            focus_rows.append([round(float(a.focus_lat), 6), round(float(a.focus_lon), 6),
                               article_ref(str(a.article_id)), _s(names.get(fid)) or fid or ""])

    time_rows: list[list[Any]] = []
    period = None
    if want_time and len(mentions):
        dated = mentions[mentions["date"].notna()]
        if len(dated):
            period, freq = _period(dated["date"])
            pidx = {r[0]: i for i, r in enumerate(place_rows)}
            bucket = dated["date"].dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period(freq).dt.start_time
            counts = dated.assign(_b=bucket).groupby(["place_id", "_b"], sort=True).size()
            for (pid, b), n in counts.items():
                if pid in pidx:
                    time_rows.append([pidx[pid], b.strftime("%Y-%m-%dT%H:%M:%SZ"), int(n)])
    data = {"places": place_rows, "articles": art_rows, "focus": focus_rows, "time": time_rows}
    return data, period


def _gazetteer_footprints(
    data_dir: Any = None,
) -> tuple[FootprintOf | None, FootprintOf | None, Admin1Footprint | None]:
    try:
        import gazetteer

        gaz = gazetteer.load(data_dir, build=False)  # drawing a map never builds a gazetteer
    except Exception as err:  # noqa: BLE001 - any gazetteer trouble only costs the area layers
        logger.warning("no footprints (gazetteer unavailable: %s); country, admin1 and region layers skipped", err)
        return None, None, None

    def country(cc: str) -> Any:
        place = gaz.country(cc)
        return gaz.footprint(place.footprint) if place is not None and place.footprint else None

    def admin1(cc: str, code: str) -> Any:
        place = gaz.admin1(cc, code)
        if place is None or not place.footprint:
            return None
        return place.name, gaz.footprint(place.footprint)

    return gaz.footprint, country, admin1


def _simplified(geoms: list[Any]) -> list[Any]:
    import shapely

    arr = np.asarray(geoms, dtype=object)
    return list(shapely.set_precision(shapely.simplify(arr, _SIMPLIFY, preserve_topology=True), _GRID))


def _country_layer(md: MapData, country_footprint: FootprintOf, show: bool) -> tuple[folium.GeoJson, Any] | None:
    import branca.colormap as cm
    import geopandas as gpd

    cc = md.mentions["country_code"].dropna()
    if cc.empty:
        return None
    counts = cc.value_counts()
    rows, geoms = [], []
    for code, n in counts.items():
        try:
            geom = country_footprint(str(code))
        except Exception as err:  # noqa: BLE001
            logger.warning("no footprint for country %r: %s", code, err)
            geom = None
        if geom is None or getattr(geom, "is_empty", True):
            continue
        rows.append({"country": escape_html(_country_name(str(code))), "mentions": int(n)})
        geoms.append(geom)
    if not rows:
        return None
    gdf = gpd.GeoDataFrame(rows, geometry=_simplified(geoms), crs="EPSG:4326")
    vmax = max(int(counts.max()), 2)
    # log scale: mention counts are heavy-tailed, a linear scale leaves all but one country pale
    colormap = cm.linear.YlOrRd_09.scale(0.0, math.log(vmax))
    colormap.caption = "Mentions per country"
    layer = folium.GeoJson(
        gdf, name=LAYER_NAMES["countries"], show=show,
        style_function=lambda f: {"fillColor": colormap(math.log(max(f["properties"]["mentions"], 1))),
                                  "color": "#555",
                                  "weight": 0.6, "fillOpacity": 0.55},
        highlight_function=lambda f: {"weight": 2, "color": "#222"},
        tooltip=folium.GeoJsonTooltip(fields=["country", "mentions"], aliases=["Country", "Mentions"]),
    )
    return layer, (colormap, vmax)


def _country_name(code: str) -> str:
    try:
        import pycountry

        c = pycountry.countries.get(alpha_2=code)
        return f"{getattr(c, 'common_name', None) or c.name} ({code})" if c else code
    except (ImportError, LookupError, KeyError):
        return code


def _admin1_layer(md: MapData, admin1_footprint: Admin1Footprint,
                  show: bool) -> tuple[folium.GeoJson, Any] | None:
    """Mentions per first-level area (state, province...), from the mentions' country and admin1 codes."""
    import branca.colormap as cm
    import geopandas as gpd

    m = md.mentions[["country_code", "admin1"]].dropna()
    # GeoNames "00" means "no first-level area"; country and continent mentions carry no admin1
    m = m[(m["country_code"].astype(str) != "") & ~m["admin1"].astype(str).isin(["", "00"])]
    if m.empty:
        return None
    counts = m.astype(str).value_counts()
    rows, geoms = [], []
    for (cc, code), n in counts.items():
        try:
            found = admin1_footprint(cc, code)
        except Exception as err:  # noqa: BLE001
            logger.warning("no footprint for admin1 %r of %r: %s", code, cc, err)
            found = None
        name, geom = found if isinstance(found, tuple) else (code, found)
        if geom is None or getattr(geom, "is_empty", True) or geom.geom_type not in _AREA_OR_LINE:
            continue
        label = f"{escape_html(name or code)} ({escape_html(cc)}): {int(n)} mention{'s' * (int(n) != 1)}"
        rows.append({"area": label, "mentions": int(n)})
        geoms.append(geom)
    if not rows:
        return None
    gdf = gpd.GeoDataFrame(rows, geometry=_simplified(geoms), crs="EPSG:4326")
    vmax = max(int(counts.max()), 2)
    colormap = cm.linear.YlOrRd_09.scale(0.0, math.log(vmax))  # log scale, as for countries
    colormap.caption = "Mentions per state/province"
    layer = folium.GeoJson(
        gdf, name=LAYER_NAMES["admin1"], show=show,
        style_function=lambda f: {"fillColor": colormap(math.log(max(f["properties"]["mentions"], 1))),
                                  "color": "#555", "weight": 0.5, "fillOpacity": 0.6},
        highlight_function=lambda f: {"weight": 2, "color": "#222"},
        tooltip=folium.GeoJsonTooltip(fields=["area"], labels=False),
    )
    return layer, (colormap, vmax)


def _region_layer(md: MapData, footprint_of: FootprintOf, show: bool) -> folium.GeoJson | None:
    import geopandas as gpd

    p = md.places[md.places["footprint_id"].notna()]
    p = p[~p["feature_code"].fillna("").astype(str).str.startswith("PCL")]
    rows, geoms = [], []
    for r in p.itertuples(index=False):
        try:
            geom = footprint_of(str(r.footprint_id))
        except Exception as err:  # noqa: BLE001
            logger.warning("no footprint %r for %r: %s", r.footprint_id, r.place_id, err)
            geom = None
        if geom is None or getattr(geom, "is_empty", True) or geom.geom_type not in _AREA_OR_LINE:
            continue
        # continent-sized areas are drawn fainter so the specific regions stand out
        rows.append({"place": escape_html(r.name), "articles": int(r.n_articles), "mentions": int(r.n_mentions),
                     "small": bool(geom.area < 400.0)})
        geoms.append(geom)
    if not rows:
        return None
    gdf = gpd.GeoDataFrame(rows, geometry=_simplified(geoms), crs="EPSG:4326")
    return folium.GeoJson(
        gdf, name=LAYER_NAMES["regions"], show=show,
        style_function=lambda f: {"color": "#e31a1c", "weight": 2 if f["properties"]["small"] else 1,
                                  "dashArray": "6 4", "fillColor": "#fb9a99",
                                  "fillOpacity": 0.15 if f["properties"]["small"] else 0.04},
        highlight_function=lambda f: {"fillOpacity": 0.3},
        tooltip=folium.GeoJsonTooltip(fields=["place", "articles", "mentions"],
                                      aliases=["Region", "Articles", "Mentions"]),
    )


def _fit(m: folium.Map, data: dict[str, Any]) -> None:
    lats = [p[1] for p in data["places"]] + [f[0] for f in data["focus"]]
    lons = [p[2] for p in data["places"]] + [f[1] for f in data["focus"]]
    if not lats:
        return
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    if north - south < 0.05 and east - west < 0.05:  # one spot: do not zoom to street level
        south, north, west, east = south - 0.5, north + 0.5, west - 0.5, east + 0.5
    m.fit_bounds([[south, west], [north, east]], padding=(20, 20), max_zoom=12)



def _scale_legend_row(cmap: Any, vmax: int, what: str) -> tuple[str, str]:
    """A legend row for a log-scale choropleth: our own, not branca's colormap legend
    (which needs d3 from a CDN)."""
    stops = ",".join(cmap.rgb_hex_str(cmap.vmax * i / 4) for i in range(5))
    return (f"background:linear-gradient(90deg,{stops});width:40px;border-radius:0",
            f"{what} (1&ndash;{vmax}, log scale)")


def event_map(
    data: Any,
    *,
    min_confidence: float = 0.0,
    low_confidence: float = LOW_CONFIDENCE,
    layers: Iterable[str] = DEFAULT_LAYERS,
    footprint_of: FootprintOf | None | bool = None,
    country_footprint: FootprintOf | None = None,
    admin1_footprint: Admin1Footprint | None = None,
    gazetteer_dir: Any = None,
    articles_href: str | None = None,
    max_popup_articles: int = MAX_POPUP_ARTICLES,
    offline: bool = False,
    tiles: str | None = "OpenStreetMap",
    title: str | None = None,
    **map_kwargs: Any,
) -> folium.Map:
    """Draw what the articles mention on a folium map.

    Parameters
    ----------
    data
        A parse result or store (``.articles``, ``.mentions``), an ``(articles, mentions, places)``
        tuple, a mentions (Geo)DataFrame, or anything with ``__geo_interface__``.
    min_confidence : float
        Mentions resolved with lower confidence are left off the map.
    low_confidence : float
        Places whose best mention is below this are drawn hollow and grey.
    layers : iterable of str
        Any of ``places``, ``focus``, ``heat``, ``countries``, ``admin1``, ``regions``, ``time``.
    footprint_of : callable, optional
        ``footprint_of(footprint_id) -> shapely geometry | None`` for region footprints. ``None``
        loads the gazetteer's footprints if a gazetteer is available; ``False`` turns areas off.
    country_footprint : callable, optional
        ``country_footprint(country_code) -> geometry | None`` for the per-country choropleth
        (defaults to the gazetteer's country footprints).
    admin1_footprint : callable, optional
        ``admin1_footprint(country_code, admin1_code) -> (name, geometry) | geometry | None`` for the
        per-state/province choropleth (defaults to the gazetteer's approximate first-level footprints).
        The gazetteer is consulted only when none of the three footprint sources is given.
    gazetteer_dir : path-like, optional
        Where the built gazetteer lives, for the default footprints (never built here).
    articles_href : str, optional
        Relative URL of the directory holding the article pages (see
        :func:`maps.write_article_pages`); popups then link to ``<href>/<page>#m-<index>``.
    max_popup_articles : int
        Articles listed per place popup (most recent first), the rest counted as "and N more".
    offline : bool
        Embed Leaflet and plugin assets in the page (as data: URIs) instead of linking the CDN.
    tiles : str or None
        Base tiles as for :class:`folium.Map`.
    title : str, optional
        The page title (default: "eventmap: N places in M articles").
    **map_kwargs
        Passed to :class:`folium.Map`.

    Returns
    -------
    folium.Map

    Raises
    ------
    MapInputError
        When ``data`` is of an unknown kind or a resolved mention has unusable coordinates
        (the message shows the value).
    """
    layers = tuple(layers)
    unknown = set(layers) - set(DEFAULT_LAYERS)
    if unknown:
        raise MapInputError(f"unknown layer(s) {sorted(unknown)}; choose from {list(DEFAULT_LAYERS)}")
    if int(max_popup_articles) < 1:
        raise MapInputError(f"max_popup_articles must be >= 1, got {max_popup_articles!r}")
    md = prepare(data, min_confidence=min_confidence)
    payload, period = _event_data(md, articles_href=articles_href, low_confidence=low_confidence,
                                  max_popup=int(max_popup_articles), want_focus="focus" in layers,
                                  want_time="time" in layers)

    map_kwargs.setdefault("location", [20.0, 0.0])
    map_kwargs.setdefault("zoom_start", 2)
    map_kwargs.setdefault("control_scale", True)
    m = folium.Map(tiles=tiles, **map_kwargs)
    # MarkerCluster needs the map's own maxZoom (folium only gives it to the tile layer)
    m.options.setdefault("max_zoom", map_kwargs.get("max_zoom") or 18)
    m.add_child(DataAttribution())
    ev = EventData(payload)
    m.add_child(ev)

    legend_rows = []
    places_layer = None
    if "places" in layers:
        places_layer = PlacesLayer(ev)
        m.add_child(places_layer)
        legend_rows.append(("background:rgba(31,120,180,.88);border:2px solid #fff",
                            "place (number = articles mentioning it)"))
        legend_rows.append(("background:#fff;border:2px dashed #888",
                            f"low confidence (&lt; {low_confidence:.2f})"))
    if "focus" in layers and payload["focus"]:
        m.add_child(FocusLayer(ev))
        legend_rows.append(("background:#cab2d6;border:2px solid #6a3d9a;width:10px;height:10px",
                            "article focus"))
    if "heat" in layers and len(md.places):
        from folium.plugins import HeatMap

        pts = md.places[["lat", "lon", "n_mentions"]].astype(float).to_numpy().tolist()
        HeatMap(pts, name=LAYER_NAMES["heat"], show=False, radius=18, blur=15, min_opacity=0.3,
                max_zoom=8).add_to(m)
        legend_rows.append(("background:radial-gradient(#f03,#fd0,#0f0)", "mention density (heat map)"))
    if {"countries", "admin1", "regions"} & set(layers) and len(md.places) and footprint_of is not False:
        fp, cfp, afp = footprint_of, country_footprint, admin1_footprint
        if fp is None and cfp is None and afp is None:
            fp, cfp, afp = _gazetteer_footprints(gazetteer_dir)
        if "countries" in layers and cfp is not None:
            made = _country_layer(md, cfp, show=False)
            if made:
                made[0].add_to(m)
                legend_rows.append(_scale_legend_row(*made[1], "mentions per country"))
        if "admin1" in layers and afp is not None:
            made = _admin1_layer(md, afp, show=False)
            if made:
                made[0].add_to(m)
                legend_rows.append(_scale_legend_row(*made[1], "mentions per state/province"))
        if "regions" in layers and fp is not None:
            region = _region_layer(md, fp, show=True)
            if region is not None:
                region.add_to(m)
                legend_rows.append(("background:rgba(251,154,153,.4);border:2px dashed #e31a1c;border-radius:0",
                                    "region footprint"))
    if "time" in layers and payload["time"] and period:
        m.add_child(TimeLayer(ev, period=period))
        legend_rows.append(("background:#ff7f00;border:1px solid #b15928", "mentions over time (slider)"))

    if legend_rows:
        m.add_child(Legend(legend_rows, title="eventmap"))
    if title is None:
        n_art = md.mentions["article_id"].nunique()
        title = f"eventmap: {len(md.places)} place{'s' * (len(md.places) != 1)} in {n_art} article{'s' * (n_art != 1)}"
    m.get_root().header.add_child(Element(f"<title>{escape_html(title)}</title>"), name="title")
    folium.LayerControl(collapsed=False).add_to(m)
    _fit(m, payload)
    if places_layer is not None:
        m.add_child(HashFollower(places_layer))
    if offline:
        from maps.assets import localize

        localize(m, mode="inline")
    logger.info("map: %d places, %d articles listed, %d focus points, %d time cells",
                len(payload["places"]), len(payload["articles"]), len(payload["focus"]), len(payload["time"]))
    return m
