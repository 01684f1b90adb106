"""Which representative POINT convention fits countries, admin1 areas, continents and regions?

Resolution is scored by distance (accuracy@161 km), and an area has no single
true point: GeoNames, Wikipedia and the CIA Factbook each put a country, a
state or a continent somewhere else.  This benchmark measures several general
point rules, one per feature kind, on the gold toponyms of the development
corpora that the pipeline (given-spans mode) resolves to a place of that kind:

``current``            the gazetteer's point as built
``latlng``             countries: countryinfo's ``latlng`` (Factbook/restcountries)
``centroid``           area-weighted centroid of the footprint (equal-area projection)
``part_centroid``      the same, of the footprint's largest part only
``part_bbox``          centre of the bounding box of the largest part
``surface``            ``shapely.point_on_surface`` of the footprint
``polylabel``          pole of inaccessibility of the largest part (projected)
``capital``            the country's capital / the admin1's most populous seat (PPLA)
``largest``            admin1: its most populous town (the build's stand-in for the capital)
``pop_centre``         population-weighted mean of the member towns
``hull``               centre of the convex hull of member towns (the admin1 rule)
``mid(a,b)``           great-circle midpoint of two of these
``between(a,b)``       ``mid(a,b)`` when a and b are 161-322 km apart, else ``a``
``cover(a,b,...)``      countries: the point nearest to all of them if within 161 km of
                       each (else of fewer, else ``current``): the capital as one more convention
                       (:func:`gazetteer._points.between_conventions`)

Only places resolved to the right kind count (a mention resolved to a town is
not scored here), and the resolution itself is not changed, so differences
between rows are differences of the point rule alone.  A mention resolved to
the wrong place is wrong under every rule.  Each rule is general (applied to
every place of the kind): nothing is fitted per name.

Run::

    /work/venv/bin/python benchmarks/point_conventions.py --data-dir /tmp/gz-points

Needs a built gazetteer (``eventmap gazetteer build --data-dir DIR``).  Prints
acc@161 per method per corpus, the combined score, the two halves (even and
odd article lines) and, for midpoints, how many mentions they fix and break
relative to ``current``.
"""
from __future__ import annotations

import argparse
import json
import math
import sqlite3
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.ops import polylabel

DATA = Path("/work/shared/data")
CORPORA = ("lgl", "geovirus")
KINDS = {"PCLI": "country", "PCLS": "country", "PCLD": "country", "PCLF": "country",
         "PCLIX": "country", "PCLH": "country", "PCL": "country", "ADM1": "admin1",
         "CONT": "continent", "RGN": "region", "RGNE": "region"}
LatLon = tuple[float, float]


def km(a: LatLon, b: LatLon) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(h)))


def _unit(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack((np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)))


def _from_unit(v: np.ndarray) -> LatLon:
    x, y, z = (float(c) for c in v)
    return math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))


def midpoint(a: LatLon, b: LatLon) -> LatLon:
    return _from_unit(_unit(np.array([a[0], b[0]]), np.array([a[1], b[1]])).sum(axis=0))


def cover(points: list[LatLon], radius_km: float = 160.0) -> LatLon | None:
    """The point nearest to all of ``points`` (minimax), if within ``radius_km`` of each."""
    v = _unit(np.array([p[0] for p in points]), np.array([p[1] for p in points]))
    cands = [_from_unit(v[i] + v[j]) for i in range(len(v)) for j in range(i + 1, len(v))]
    if len(v) == 3:
        n = np.cross(v[1] - v[0], v[2] - v[0])
        if np.dot(n, v[0]) < 0:
            n = -n
        cands.append(_from_unit(n))
    best = min(cands, key=lambda c: max(km(c, p) for p in points))
    return best if max(km(best, p) for p in points) <= radius_km else None


def weighted_centre(lat: np.ndarray, lon: np.ndarray, w: np.ndarray | None = None) -> LatLon:
    v = _unit(lat, lon)
    return _from_unit((v * (w[:, None] if w is not None else 1.0)).sum(axis=0))


class Projected:
    """A lon/lat geometry in a Lambert azimuthal equal-area frame centred on it."""

    def __init__(self, geom: shapely.Geometry) -> None:
        from pyproj import CRS, Transformer

        xy = shapely.get_coordinates(geom)
        self.centre = weighted_centre(xy[:, 1], xy[:, 0])  # 3-D mean: safe across ±180°
        crs = CRS.from_proj4(f"+proj=laea +lat_0={self.centre[0]} +lon_0={self.centre[1]} +units=m")
        self._fwd = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        self._inv = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        self.geom = shapely.make_valid(shapely.transform(
            geom, lambda c: np.column_stack(self._fwd.transform(c[:, 0], c[:, 1]))))

    def latlon(self, pt: shapely.Point) -> LatLon:
        lon, lat = self._inv.transform(pt.x, pt.y)
        return float(lat), float(lon)

    def largest(self) -> shapely.Geometry:
        parts = [p for g in shapely.get_parts(self.geom) for p in shapely.get_parts(g)
                 if p.geom_type == "Polygon"]
        if not parts:
            return self.geom
        return parts[int(np.argmax(shapely.area(parts)))]


def footprint_points(geom: shapely.Geometry) -> dict[str, LatLon]:
    """The polygon-based candidate points of one footprint."""
    out: dict[str, LatLon] = {}
    pr = Projected(geom)
    if pr.geom.is_empty or pr.geom.area <= 0:
        return out
    if pr.geom.geom_type == "GeometryCollection":  # make_valid leftovers: keep the areas
        pr.geom = shapely.union_all([g for g in shapely.get_parts(pr.geom) if g.area > 0])
    out["centroid"] = pr.latlon(shapely.centroid(pr.geom))
    big = pr.largest()
    out["part_centroid"] = pr.latlon(shapely.centroid(big))
    out["surface"] = pr.latlon(shapely.point_on_surface(pr.geom))
    tol = max(1000.0, math.sqrt(big.area) / 200)
    out["polylabel"] = pr.latlon(polylabel(big, tolerance=tol))
    # bounding box in lon/lat of the largest part (the "middle of the map" convention)
    lons, lats = [], []
    for x, y in shapely.get_coordinates(big):
        lo, la = pr._inv.transform(x, y)
        lons.append(lo)
        lats.append(la)
    lons_a = np.asarray(lons)
    if lons_a.max() - lons_a.min() > 180:
        lons_a = np.where(lons_a < 0, lons_a + 360, lons_a)
    lon_c = (lons_a.max() + lons_a.min()) / 2
    out["part_bbox"] = ((max(lats) + min(lats)) / 2, lon_c - 360 if lon_c > 180 else lon_c)
    return out


def resolved_mentions(data_dir: str | None) -> list[dict[str, Any]]:
    from geo.articles import Article
    from geo.pipeline import Pipeline

    pipe = Pipeline(gazetteer_dir=data_dir, given_spans=True)
    rows = []
    for corpus in CORPORA:
        with open(DATA / f"{corpus}.jsonl", encoding="utf-8") as fh:
            for line_no, line in enumerate(fh):
                art = json.loads(line)
                tops = [t for t in art["toponyms"]]
                res = pipe(Article(id=art["id"], text=art["text"],
                                   toponyms=[(t["start"], t["end"]) for t in tops]))
                by_span = {(m.start, m.end): m for m in res.mentions}
                for t in tops:
                    m = by_span.get((t["start"], t["end"]))
                    if t.get("lat") is None or m is None or m.place is None:
                        continue
                    kind = KINDS.get(m.place.fcode)
                    if kind:
                        rows.append({"corpus": corpus, "line": line_no, "kind": kind,
                                     "gold": (t["lat"], t["lon"]), "place": m.place})
    return rows, pipe.gaz


def candidate_points(place: Any, gaz: Any, db: sqlite3.Connection,
                     countries: dict[str, dict[str, Any]]) -> dict[str, LatLon]:
    pts: dict[str, LatLon] = {"current": (place.lat, place.lon)}
    if place.footprint:
        geom = gaz.footprint(place.footprint)
        if geom is not None and not geom.is_empty:
            pts.update(footprint_points(geom))
    cc, a1 = place.country_code, place.admin1
    kind = KINDS[place.fcode]
    if kind == "country" and cc in countries:
        rec = countries[cc]
        if rec.get("latlng") and len(rec["latlng"]) == 2:
            pts["latlng"] = tuple(float(v) for v in rec["latlng"])
        if rec.get("capital_latlng") and len(rec["capital_latlng"]) == 2:
            pts["capital"] = tuple(float(v) for v in rec["capital_latlng"])
    if kind in ("country", "admin1") and cc:
        where, args = ("cc = ?", [cc]) if kind == "country" else ("cc = ? AND admin1 = ?", [cc, a1])
        rows = np.array(db.execute(
            f"SELECT lat, lon, population, fcode FROM places WHERE fclass = 'P' AND {where}"
            " AND population > 0", args).fetchall(), dtype=object)
        if len(rows):
            lat, lon, pop = (rows[:, i].astype(float) for i in range(3))
            pts["pop_centre"] = weighted_centre(lat, lon, pop)
            if kind == "admin1":
                big = rows[int(np.argmax(pop))]
                pts["largest"] = (float(big[0]), float(big[1]))
                seats = [r for r in rows if r[3] in ("PPLA", "PPLC")]
                if seats:
                    best = max(seats, key=lambda r: r[2])
                    pts["capital"] = (float(best[0]), float(best[1]))
    return pts


MIDPOINTS = [("current", "part_centroid"), ("current", "centroid"), ("current", "polylabel"),
             ("current", "part_bbox"), ("current", "pop_centre"), ("current", "capital"),
             ("latlng", "part_centroid"), ("latlng", "part_bbox"), ("latlng", "polylabel"),
             ("part_centroid", "polylabel"), ("part_bbox", "part_centroid")]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", default=None, help="gazetteer data dir (default: the user cache)")
    ap.add_argument("--kinds", default="country,admin1,continent,region")
    args = ap.parse_args(argv)

    import gazetteer.paths
    from gazetteer._points import between_conventions
    from gazetteer.sources.countryinfo import country_files

    rows, gaz = resolved_mentions(args.data_dir)
    db = sqlite3.connect(f"file:{gazetteer.paths.artefact_path(args.data_dir)}?mode=ro", uri=True)
    countries = {((r.get("ISO") or {}).get("alpha2") or "").upper(): r for r in country_files()}
    cache: dict[str, dict[str, LatLon]] = {}
    for r in rows:
        pid = r["place"].id
        if pid not in cache:
            pts = candidate_points(r["place"], gaz, db, countries)
            for a, b in MIDPOINTS:
                if a in pts and b in pts:
                    pts[f"mid({a},{b})"] = midpoint(pts[a], pts[b])
            if "part_centroid" in pts:  # the rule gazetteer.sources.countryinfo applies
                pts["between(current,part_centroid)"] = between_conventions(
                    pts["current"], pts["part_centroid"])
            if "capital" in pts and r["kind"] == "country":
                # the capital as a third convention: a point within 161 km of all three
                # (current, footprint, capital), else of current and capital, else current
                trio = [pts["current"], pts.get("part_centroid", pts["current"]), pts["capital"]]
                pts["cover(current,part_centroid,capital)"] = (
                    cover(trio) or cover(trio[::2]) or cover(trio[:2]) or pts["current"])
                pts["cover(current,capital)"] = cover(trio[::2]) or pts["current"]
            if "largest" in pts:  # the admin1 rule of gazetteer.build (already in "current")
                pts["between(part_centroid,largest)"] = between_conventions(
                    pts.get("part_centroid", pts["current"]), pts["largest"])
            cache[pid] = pts
        r["pts"] = cache[pid]

    for kind in args.kinds.split(","):
        sub = [r for r in rows if r["kind"] == kind]
        if not sub:
            continue
        methods = sorted({m for r in sub for m in r["pts"]}, key=lambda m: (m.startswith("mid"), m))
        n_places = len({r["place"].id for r in sub})
        print(f"\n## {kind}: {len(sub)} resolved gold mentions of {n_places} places")
        head = ("method", "cov", "lgl", "geovirus", "combined", "even", "odd", "fix", "break")
        print("| " + " | ".join(head) + " |\n|" + "---|" * len(head))
        base = {id(r): km(r["gold"], r["pts"]["current"]) <= 161 for r in sub}
        for m in methods:
            ok: dict[str, list[int]] = defaultdict(lambda: [0, 0])
            fix = brk = cov = 0
            for r in sub:
                # a place lacking this method keeps its current point (the fallback of any rule)
                has = m in r["pts"]
                cov += has
                hit = km(r["gold"], r["pts"][m if has else "current"]) <= 161
                for key in (r["corpus"], "combined", "even" if r["line"] % 2 == 0 else "odd"):
                    ok[key][0] += hit
                    ok[key][1] += 1
                fix += hit and not base[id(r)]
                brk += base[id(r)] and not hit
            cells = [f"{ok[k][0]}/{ok[k][1]} ({ok[k][0] / ok[k][1]:.3f})" if ok[k][1] else "-"
                     for k in ("lgl", "geovirus", "combined", "even", "odd")]
            print(f"| {m} | {cov}/{len(sub)} | " + " | ".join(cells) + f" | {fix} | {brk} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
