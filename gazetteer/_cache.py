"""A persistent SQLite cache of online geocoder answers.

Online services are slow (1 request/s for Nominatim) and ask clients to cache,
so every answer is kept: hits for ``ttl`` seconds (default forever), misses for
``negative_ttl`` seconds (default a week: a place missing today may be mapped
tomorrow). Failures (timeouts, 5xx...) are never cached.

The key is ``provider + method + normalised query + params``; the value is the
JSON list of results, each ``{"address", "point": [lat, lon], "raw"}`` where
``raw`` is the service's own JSON record, so a hit rebuilds exactly the
:class:`geopy.location.Location` the service gave. TTLs apply when *reading*,
so one file can be read with different policies.

The file is opened in WAL mode with a busy timeout: several processes (CLI
runs, Dask workers) can share it.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gazetteer.errors import ConfigurationError

__all__ = ["GeocodeCache", "default_cache_path", "normalize_query"]

logger = logging.getLogger(__name__)

CACHE_FILENAME = "geocode-cache.sqlite3"
_SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    key      TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    method   TEXT NOT NULL,
    query    TEXT NOT NULL,
    params   TEXT NOT NULL,
    found    INTEGER NOT NULL,
    value    TEXT NOT NULL,
    created  REAL NOT NULL
)
"""


def default_cache_path(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where the cache lives unless told otherwise: ``geocode-cache.sqlite3``
    in the eventmap data dir (``data_dir``, else ``$EVENTMAP_DATA_DIR``, else
    the per-user cache directory of ``eventmap``; see :func:`gazetteer.paths.data_dir`)."""
    from gazetteer.paths import data_dir as resolve_data_dir

    return resolve_data_dir(data_dir) / CACHE_FILENAME


def normalize_query(query: Any) -> str:
    """The cache form of a query: NFC, casefolded, whitespace collapsed.

    Structured (dict) queries become sorted ``key=value`` pairs; ``(lat, lon)``
    pairs become ``"lat,lon"`` rounded to 1e-6 degree (~0.1 m).
    """
    if isinstance(query, Mapping):
        return "&".join(f"{k}={normalize_query(v)}" for k, v in sorted(query.items()))
    if isinstance(query, (tuple, list)) and len(query) == 2:
        lat, lon = (float(v) for v in query)
        return f"{lat:.6f},{lon:.6f}"
    text = unicodedata.normalize("NFC", str(query))
    return " ".join(text.split()).casefold()


class GeocodeCache:
    """Persistent cache of geocoder answers in one SQLite file.

    Parameters
    ----------
    path : str or Path, optional
        The SQLite file; default :func:`default_cache_path`. ``":memory:"``
        keeps it in memory (one process only).
    ttl : float or None
        Seconds a found answer stays valid; None = forever.
    negative_ttl : float or None
        Seconds a miss (no result) stays valid; None = forever, 0 = never
        serve cached misses.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *,
                 ttl: float | None = None, negative_ttl: float | None = 7 * 86400.0) -> None:
        self.path = str(path) if path is not None else str(default_cache_path())
        self.ttl = ttl
        self.negative_ttl = negative_ttl
        #: counters for this object: served from cache / looked up in vain / stored
        self.hits = 0
        self.misses = 0
        self.stores = 0
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None

    # -- connection ---------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        if self._conn is not None:
            return self._conn
        with self._lock:
            if self._conn is not None:
                return self._conn
            if self.path != ":memory:":
                try:
                    Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                except OSError as err:
                    raise ConfigurationError(
                        f"cannot create the geocode cache directory for {self.path!r}: {err}") from err
            try:
                conn = sqlite3.connect(self.path, timeout=30.0, check_same_thread=False,
                                       isolation_level=None)
                conn.execute("PRAGMA busy_timeout = 30000")
                if self.path != ":memory:":
                    conn.execute("PRAGMA journal_mode = WAL")
                    conn.execute("PRAGMA synchronous = NORMAL")
                conn.execute(_SCHEMA)
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version == 0:
                    conn.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
                elif version != _SCHEMA_VERSION:
                    raise ConfigurationError(
                        f"geocode cache {self.path!r} has schema version {version}, "
                        f"expected {_SCHEMA_VERSION}; delete it or point to another file")
            except sqlite3.DatabaseError as err:
                raise ConfigurationError(f"cannot open the geocode cache {self.path!r}: {err}") from err
            self._conn = conn
            return conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> GeocodeCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getstate__(self) -> dict[str, Any]:
        # picklable (e.g. shipped to Dask workers): reopen the file on arrival
        state = self.__dict__.copy()
        state["_conn"] = None
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"GeocodeCache({self.path!r}, ttl={self.ttl!r}, negative_ttl={self.negative_ttl!r})"

    # -- keys -----------------------------------------------------------------
    @staticmethod
    def make_key(provider: str, method: str, query: Any, params: Mapping[str, Any]) -> tuple[str, str, str]:
        """Return ``(key, normalised query, canonical params)``."""
        nquery = normalize_query(query)
        nparams = json.dumps(dict(params), sort_keys=True, separators=(",", ":"), default=str)
        digest = hashlib.sha256("\x1f".join((provider, method, nquery, nparams)).encode()).hexdigest()
        return digest, nquery, nparams

    # -- access ---------------------------------------------------------------
    def get(self, provider: str, method: str, query: Any,
            params: Mapping[str, Any]) -> list[dict[str, Any]] | None:
        """The cached results (a list, empty for a cached miss) or None if absent/expired."""
        key, _, _ = self.make_key(provider, method, query, params)
        try:
            with self._lock:
                row = self._connect().execute(
                    "SELECT found, value, created FROM answers WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as err:  # e.g. locked for longer than the busy timeout
            logger.warning("geocode cache %s unreadable (%s); asking the service", self.path, err)
            self.misses += 1
            return None
        if row is None:
            self.misses += 1
            return None
        found, value, created = row
        ttl = self.ttl if found else self.negative_ttl
        if ttl is not None and time.time() - created > ttl:
            self.misses += 1
            return None
        try:
            results = json.loads(value)
        except ValueError:
            logger.warning("geocode cache %s: unreadable entry for %s %s %r, ignoring it",
                           self.path, provider, method, query)
            self.misses += 1
            return None
        self.hits += 1
        return results

    def put(self, provider: str, method: str, query: Any, params: Mapping[str, Any],
            results: list[dict[str, Any]]) -> None:
        """Store the results of one request (an empty list records a miss)."""
        key, nquery, nparams = self.make_key(provider, method, query, params)
        value = json.dumps(results, ensure_ascii=False, separators=(",", ":"))
        try:
            with self._lock:
                self._connect().execute(
                    "INSERT OR REPLACE INTO answers (key, provider, method, query, params, found, value, created)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (key, provider, method, nquery, nparams, int(bool(results)), value, time.time()))
        except sqlite3.Error as err:  # the answer is still good: keep going without caching it
            logger.warning("geocode cache %s: cannot store %s %s %r: %s", self.path, provider, method, query, err)
            return
        self.stores += 1

    def __len__(self) -> int:
        with self._lock:
            return self._connect().execute("SELECT COUNT(*) FROM answers").fetchone()[0]

    def purge_expired(self) -> int:
        """Delete expired entries; return how many went."""
        now = time.time()
        deleted = 0
        with self._lock:
            conn = self._connect()
            if self.ttl is not None:
                deleted += conn.execute("DELETE FROM answers WHERE found = 1 AND created < ?",
                                        (now - self.ttl,)).rowcount
            if self.negative_ttl is not None:
                deleted += conn.execute("DELETE FROM answers WHERE found = 0 AND created < ?",
                                        (now - self.negative_ttl,)).rowcount
        return deleted

    def clear(self) -> None:
        with self._lock:
            self._connect().execute("DELETE FROM answers")
