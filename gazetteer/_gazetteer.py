"""The :class:`Gazetteer`: names → places, point → nearest place, id → footprint.

Reads the artefact written by :mod:`gazetteer.build` (see
:mod:`gazetteer._store` for its layout).  Exact lookups are one indexed
SQLite range scan behind an LRU cache; reverse lookups use a
:class:`scipy.spatial.cKDTree` over unit vectors, built on the first
``nearest`` call for each set of feature classes.
"""
from __future__ import annotations

import functools
import logging
import math
import os
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from gazetteer._normalize import normalize
from gazetteer._place import NAME_KINDS, Match, Place
from gazetteer._store import open_artefact, read_meta
from gazetteer.errors import ConfigurationError, GazetteerCorrupt, GazetteerError, GazetteerNotBuilt
from gazetteer.paths import artefact_path

__all__ = ["Gazetteer", "load"]

logger = logging.getLogger(__name__)

EARTH_RADIUS_KM = 6371.0088

_SELECT = ("SELECT p.rid, p.id, p.name, p.fclass, p.fcode, p.cc, p.admin1, p.admin2, "
           "p.population, p.lat, p.lon, p.footprint")

#: lookup order: importance minus a penalty by how the name names the place, so
#: the city "Seoul" (its name) precedes the province "Seoul-teukbyeolsi" (an alias)
#: and a people's name (demonym) comes after every place name
KIND_PENALTY = {"name": 0.0, "official": 0.0, "alt": 1.5, "abbr": 1.5, "demonym": 3.0}


def _place(row: tuple[Any, ...]) -> Place:
    return Place(row[1], row[2], row[3], row[4], row[5], row[6], row[7], int(row[8]),
                 float(row[9]), float(row[10]), row[11])


def check_latlon(lat: Any, lon: Any) -> tuple[float, float]:
    """Validate a (lat, lon) pair; raise ConfigurationError (a ValueError) showing the bad value.

    The one validator of coordinates in eventmap (``geo.coords`` re-exports it).
    """
    try:
        la, lo = float(lat), float(lon)
    except (TypeError, ValueError) as err:
        raise ConfigurationError(f"latitude/longitude must be numbers, got ({lat!r}, {lon!r})") from err
    if not (math.isfinite(la) and -90.0 <= la <= 90.0):
        raise ConfigurationError(f"latitude must be within [-90, 90], got {lat!r} (lon={lon!r})")
    if not (math.isfinite(lo) and -180.0 <= lo <= 180.0):
        raise ConfigurationError(f"longitude must be within [-180, 180], got {lon!r} (lat={lat!r})")
    return la, lo


class Gazetteer:
    """A loaded offline gazetteer.  Get one with :func:`gazetteer.load`.

    Thread-safe for reading.  All lookups take names in any form: they are
    normalised with :func:`gazetteer.normalize` first (except :meth:`known`
    and ``lookup_key(key) -> tuple[Match, ...]``, which take an already
    normalised key because recognisers call them in tight loops).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._con = open_artefact(self.path)
        st = self.path.stat()
        self._stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        self._meta = read_meta(self._con)
        self._lock = threading.Lock()
        self._trees: dict[tuple[str, ...], Any] = {}
        self._fuzzy_keys: dict[tuple[int, str], list[str]] | None = None
        self._borders: dict[str, frozenset[str]] | None = None
        self.lookup_key = functools.lru_cache(maxsize=200_000)(self._lookup_key)
        self.known = functools.lru_cache(maxsize=500_000)(self._known)  # type: ignore[method-assign]
        self._by_rid = functools.lru_cache(maxsize=100_000)(self._fetch_rid)
        # country/admin1/admin2 by code: asked for every mention's focus and address
        self._code = functools.lru_cache(maxsize=100_000)(self._code)  # type: ignore[method-assign]
        self._footprint = functools.lru_cache(maxsize=1024)(self._fetch_footprint)

    # -- metadata ---------------------------------------------------------
    @property
    def meta(self) -> dict[str, Any]:
        """The artefact's metadata (versions, counts, build time)."""
        return dict(self._meta)

    @property
    def max_name_tokens(self) -> int:
        """Longest place name in tokens (capped), for n-gram recognisers."""
        return int(self._meta.get("max_name_tokens", 6))

    def __repr__(self) -> str:
        return f"<Gazetteer {self._meta.get('places')} places at {str(self.path)!r}>"

    def _query(self, sql: str, args: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            with self._lock:
                return self._con.execute(sql, tuple(args)).fetchall()
        except sqlite3.DatabaseError as err:
            raise GazetteerCorrupt(f"gazetteer {str(self.path)!r} is unreadable: {err}") from err

    # -- names ------------------------------------------------------------
    def _known(self, key: str) -> bool:
        """Is ``key`` (already :func:`gazetteer.normalize` d) the name of any place?

        Any name kind counts, demonyms included.  LRU-cached: recognisers
        call it for every n-gram.
        """
        return bool(self._query("SELECT 1 FROM names WHERE key = ? LIMIT 1", (key,)))

    def keys_matching(self, glob: str) -> list[str]:
        """Distinct name keys matching an SQLite GLOB pattern (``"*[가-힯]*"``: names with a
        Hangul syllable); a full scan of the names, for building indexes once."""
        return [k for (k,) in self._query("SELECT DISTINCT key FROM names WHERE key GLOB ?", (glob,))]

    def known(self, key: str) -> bool:  # replaced by an lru-cached bound method in __init__
        """Is ``key`` (already :func:`gazetteer.normalize` d) the name of any place?"""
        return self._known(key)

    def _lookup_key(self, key: str) -> tuple[Match, ...]:
        rows = self._query(
            f"{_SELECT}, n.kind, p.importance FROM names n JOIN places p ON p.rid = n.rid "
            "WHERE n.key = ?", (key,))
        rows.sort(key=lambda r: (KIND_PENALTY[NAME_KINDS[r[12]]] - r[13], r[0]))
        return tuple(Match(_place(r), NAME_KINDS[r[12]]) for r in rows)

    def lookup(self, name: str) -> list[Match]:
        """All places named ``name`` (any name kind), most important first.

        Parameters
        ----------
        name : str
            A place name in any case/diacritics/punctuation ("U.S.", "são paulo").

        Returns
        -------
        list of Match
            ``(place, kind)`` with kind from :data:`gazetteer.NAME_KINDS`;
            sorted by the prior, descending: log10(population + 1) plus a
            feature-code bonus (continents, countries, states, capitals),
            minus :data:`KIND_PENALTY` of the name kind.
        """
        key = normalize(name)
        return list(self.lookup_key(key)) if key else []

    def fuzzy(self, name: str, *, limit: int = 5, score_cutoff: float = 88) -> list[Match]:
        """Places whose name is close to ``name`` (rapidfuzz ``ratio`` >= ``score_cutoff``).

        Best score first; a place found through a near-miss gets kind ``alt``
        even where the matched key is its canonical name.  The keys (names,
        official and alternate names; not abbreviations or demonyms) are
        loaded on first use and bucketed by length and by first and by last
        character: only keys whose length can reach the cutoff and that share
        the first or the last character with the query are scored (a near-miss
        rarely changes both ends; a few ms a query, still not for hot loops).
        """
        from rapidfuzz import fuzz, process

        key = normalize(name)
        if not key:
            return []
        buckets = self._fuzzy_buckets()
        c = max(1.0, min(float(score_cutoff), 100.0))
        # ratio = 2*matches/(len1+len2) bounds the feasible lengths
        lo, hi = int(len(key) * c / (200 - c)), int(len(key) * (200 - c) / c) + 1
        best: dict[str, float] = {}
        for length in range(max(1, lo), hi + 1):
            for bucket in ((length, "^" + key[0]), (length, key[-1] + "$")):
                keys = buckets.get(bucket)
                if keys:
                    for k, sc, _ in process.extract(key, keys, scorer=fuzz.ratio, limit=limit,
                                                    score_cutoff=c):
                        best[k] = max(sc, best.get(k, 0.0))
        scored = sorted(((sc, k) for k, sc in best.items()), key=lambda t: (-t[0], t[1]))
        out: list[Match] = []
        seen: set[str] = set()
        for _score, hit in scored:
            for m in self.lookup_key(hit):
                if m.place.id not in seen and m.kind != "demonym":
                    seen.add(m.place.id)
                    out.append(Match(m.place, "alt" if hit != key and m.kind == "name" else m.kind))
            if len(out) >= limit:
                break
        return out[:limit]

    def _fuzzy_buckets(self) -> dict[tuple[int, str], list[str]]:
        buckets = self._fuzzy_keys
        if buckets is None:
            buckets = {}
            for (k,) in self._query("SELECT DISTINCT key FROM names WHERE kind <= 2"):
                buckets.setdefault((len(k), "^" + k[0]), []).append(k)
                buckets.setdefault((len(k), k[-1] + "$"), []).append(k)
            self._fuzzy_keys = buckets
        return buckets

    # -- ids and codes ----------------------------------------------------
    def _fetch_rid(self, rid: int) -> Place | None:
        rows = self._query(f"{_SELECT} FROM places p WHERE p.rid = ?", (rid,))
        return _place(rows[0]) if rows else None

    def get(self, place_id: str) -> Place | None:
        """The place with this id ("gn:1838524", "em:korean-peninsula"), or None."""
        rows = self._query(f"{_SELECT} FROM places p WHERE p.id = ?", (place_id,))
        return _place(rows[0]) if rows else None

    def _code(self, code: str) -> Place | None:
        rows = self._query(f"{_SELECT} FROM codes c JOIN places p ON p.rid = c.rid "
                           "WHERE c.code = ?", (code,))
        return _place(rows[0]) if rows else None

    def country(self, cc: str) -> Place | None:
        """The country with ISO 3166-1 alpha-2 code ``cc`` ("KR")."""
        return self._code(f"country:{cc.upper()}") if cc else None

    def admin1(self, cc: str, admin1_code: str) -> Place | None:
        """First-level area by GeoNames codes: ``admin1("US", "IL")``."""
        return self._code(f"admin1:{cc.upper()}.{admin1_code}") if cc and admin1_code else None

    def admin2(self, cc: str, admin1: str, admin2: str) -> Place | None:
        """Second-level area by GeoNames codes: ``admin2("US", "KY", "125")``."""
        if not (cc and admin1 and admin2):
            return None
        return self._code(f"admin2:{cc.upper()}.{admin1}.{admin2}")

    def resolve_key(self, key: str) -> Place | None:
        """A place by id or by code key (``country:KR``, ``admin1:US.IL``)."""
        return self._code(key) if key.split(":", 1)[0] in ("country", "admin1", "admin2") \
            else self.get(key)

    # -- space ------------------------------------------------------------
    def _tree(self, fclasses: tuple[str, ...]) -> tuple[Any, Any]:
        tree = self._trees.get(fclasses)
        if tree is None:
            import numpy as np
            from scipy.spatial import cKDTree

            if fclasses:
                marks = ",".join("?" * len(fclasses))
                rows = self._query(f"SELECT rid, lat, lon FROM places WHERE fclass IN ({marks})",
                                   fclasses)
            else:
                rows = self._query("SELECT rid, lat, lon FROM places")
            arr = np.array(rows, dtype=np.float64).reshape(-1, 3)
            lat, lon = np.radians(arr[:, 1]), np.radians(arr[:, 2])
            xyz = np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon),
                                   np.sin(lat)))
            tree = (cKDTree(xyz) if len(xyz) else None, arr[:, 0].astype(np.int64))
            self._trees[fclasses] = tree
        return tree

    def nearest(self, lat: float, lon: float, *, k: int = 1,
                fclasses: Iterable[str] | None = ("P",)) -> list[tuple[Place, float]]:
        """The ``k`` places nearest to (lat, lon), with great-circle distance in km.

        ``fclasses`` restricts the feature classes (default populated places;
        None for all).  Uses a k-d tree over unit vectors, not a scan.
        """
        la, lo = check_latlon(lat, lon)
        if int(k) < 1:
            raise ConfigurationError(f"k must be >= 1, got {k!r}")
        classes = tuple(sorted(set(fclasses))) if fclasses else ()
        tree, rids = self._tree(classes)
        if tree is None:
            return []
        r1, r2 = math.radians(la), math.radians(lo)
        q = (math.cos(r1) * math.cos(r2), math.cos(r1) * math.sin(r2), math.sin(r1))
        k = min(int(k), len(rids))
        dist, idx = tree.query(q, k=k)
        if k == 1:
            dist, idx = [dist], [idx]
        out = []
        for d, i in zip(dist, idx):
            place = self._by_rid(int(rids[int(i)]))
            if place is not None:
                km = 2 * EARTH_RADIUS_KM * math.asin(min(1.0, float(d) / 2))
                out.append((place, km))
        return out

    # -- footprints -------------------------------------------------------
    def neighbours(self, cc: str) -> frozenset[str]:
        """Codes of the countries sharing a land border with country ``cc`` (countryinfo).

        >>> sorted(gaz.neighbours("KR"))   # doctest: +SKIP
        ['KP']
        """
        table = self._borders
        if table is None:
            table = self._borders = {k: frozenset(v) for k, v in
                                     (self.meta.get("borders") or {}).items()}
        return table.get((cc or "").upper(), frozenset())

    def footprint(self, footprint_id: str):  # -> shapely.Geometry | None
        """The lon/lat geometry of a footprint id (``Place.footprint``), or None.

        Simplified to about 1 km (0.01 degree); cached.
        """
        return self._footprint(footprint_id)

    def _fetch_footprint(self, footprint_id: str):  # -> shapely.Geometry | None
        import shapely

        rows = self._query("SELECT wkb FROM footprints WHERE id = ?", (footprint_id,))
        return shapely.from_wkb(rows[0][0]) if rows else None

    def derived_footprints(self) -> frozenset[str]:
        """Ids of the APPROXIMATE footprints the build derived from towns (first-level
        areas, see :mod:`gazetteer._footprints`), as opposed to drawn outlines."""
        ids = self.__dict__.get("_derived_ids")
        if ids is None:
            ids = self.__dict__["_derived_ids"] = frozenset(self._meta.get("derived_footprint_ids", ()))
        return ids

    def regions(self) -> list[Place]:
        """Places that have a footprint (countries, continents, curated regions, and
        first-level areas with an approximate one: see :meth:`derived_footprints`)."""
        return [_place(r) for r in self._query(
            f"{_SELECT} FROM places p WHERE p.footprint IS NOT NULL ORDER BY p.rid")]

    # -- info -------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        """Sources, versions, counts by feature class/code, size and path."""
        by_class = dict(self._query("SELECT fclass, count(*) FROM places GROUP BY fclass "
                                    "ORDER BY 2 DESC"))
        by_code = dict(self._query("SELECT fcode, count(*) FROM places GROUP BY fcode "
                                   "ORDER BY 2 DESC"))
        kinds = {NAME_KINDS[k]: n for k, n in self._query(
            "SELECT kind, count(*) FROM names GROUP BY kind ORDER BY kind")}
        return {
            "path": str(self.path),
            "size_bytes": self.path.stat().st_size,
            "format_version": self._meta.get("format_version"),
            "built_at": self._meta.get("built_at"),
            "custom": bool(self._meta.get("custom")),
            "sources": self._meta.get("sources"),
            "supplement": self._meta.get("supplement"),
            "builder": self._meta.get("builder"),
            "places": self._meta.get("places"),
            "names": self._meta.get("names"),
            "footprints": self._meta.get("footprints"),
            "max_name_tokens": self.max_name_tokens,
            "by_fclass": by_class,
            "by_fcode": by_code,
            "names_by_kind": kinds,
            "derived_points": self._meta.get("derived_points"),
            "derived_footprints": self._meta.get("derived_footprints", 0),
            "admin2_assigned": self._meta.get("admin2_assigned"),
            "aliases": self._meta.get("aliases"),
        }

    def close(self) -> None:
        """Close the database (the object is unusable afterwards)."""
        self._con.close()


def staleness(meta: dict[str, Any]) -> str | None:
    """Why an artefact with this metadata is stale, or None when it is current."""
    from gazetteer.build import expected_meta, is_current

    if is_current(meta):
        return None
    want = expected_meta()
    diffs = [f"{k} {meta.get(k)!r}, now {v!r}" for k, v in want.items() if meta.get(k) != v]
    return "; ".join(diffs) or "unknown reason"


def _build_for_load(data_dir: Path) -> None:
    """Build for :func:`load`: in a child process, so that the build's peak memory
    (about 1 GB of parsed source records) is not kept by the process that then
    only serves lookups.  Customised sources (``gazetteer.build.default_sources``
    replaced by tests or an embedding application) are only visible here, so
    then the build runs in-process; so it does if no child can be started.
    """
    import subprocess
    import sys

    build_mod = sys.modules["gazetteer.build"]
    # a progress bar only for a person watching: in logs and pipes it is noise
    progress = sys.stderr is not None and sys.stderr.isatty()
    if getattr(build_mod.default_sources, "__module__", "") != "gazetteer.build":
        build_mod.build(data_dir, progress=progress)
        return
    code = "import sys; from gazetteer.build import build; build(sys.argv[1], progress=sys.argv[2] == '1')"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    try:
        proc = subprocess.run([sys.executable, "-c", code, str(data_dir), "1" if progress else "0"],
                              env=env, check=False)
    except OSError as err:
        logger.info("cannot start a build process (%s); building in-process", err)
        build_mod.build(data_dir, progress=progress)
        return
    if proc.returncode != 0:
        raise GazetteerError(f"building the gazetteer in {str(data_dir)!r} failed "
                             f"(exit status {proc.returncode}; see the messages above)")


_loaded: dict[Path, Gazetteer] = {}
_load_lock = threading.Lock()


def load(data_dir: str | os.PathLike[str] | None = None, *, build: bool = True) -> Gazetteer:
    """Open the gazetteer in ``data_dir``, building it first if missing or stale.

    Cached per path: the second call costs one ``stat``; a file replaced by a
    rebuild is reopened.

    Parameters
    ----------
    data_dir : path-like, optional
        Default: ``$EVENTMAP_DATA_DIR`` or the user cache dir (:mod:`gazetteer.paths`).
    build : bool
        When False, raise instead of building.

    Raises
    ------
    GazetteerNotBuilt
        Nothing built and ``build=False``.
    GazetteerCorrupt
        Unreadable or stale artefact and ``build=False``.
    """
    from gazetteer.build import is_current

    path = artefact_path(data_dir)
    with _load_lock:
        gaz = _loaded.get(path)
        if gaz is not None:
            try:
                st = path.stat()
                if (st.st_ino, st.st_mtime_ns, st.st_size) == gaz._stamp:
                    return gaz
            except OSError:
                pass
            # replaced by a rebuild (or removed): the old object stays valid for
            # whoever holds it; new callers get the new file
            del _loaded[path]
        try:
            gaz = Gazetteer(path)
            if not is_current(gaz._meta):
                gaz.close()
                # the advice only where nothing rebuilds it (``build=False``)
                raise GazetteerCorrupt(f"gazetteer {str(path)!r} is stale ({staleness(gaz._meta)})"
                                       + ("" if build else "; rebuild with `eventmap gazetteer build`"))
        except (GazetteerNotBuilt, GazetteerCorrupt) as err:
            if not build:
                raise
            if isinstance(err, GazetteerNotBuilt):   # first use: nothing is wrong
                logger.warning("building the offline gazetteer at %r (first use; about a minute, "
                               "once)", str(path))
            else:
                logger.warning("%s; rebuilding it now (about a minute)", err)
            _build_for_load(path.parent)  # rebuilds unless another process just did
            try:
                gaz = Gazetteer(path)
            except GazetteerError as err2:
                raise GazetteerCorrupt(f"gazetteer rebuilt but unusable: {err2}") from err2
        _loaded[path] = gaz
        return gaz
