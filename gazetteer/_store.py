"""The on-disk artefact: one SQLite file, written once, then only read.

Tables
------
``meta(key, value)``
    format version, source package versions, build time, counts; the row
    ``complete = 1`` is written last, in the same transaction as the data.
``places(rid, id, name, fclass, fcode, cc, admin1, admin2, population, lat, lon,
footprint, importance)``
    ``rid`` follows descending importance, so ordering a lookup by ``rid``
    sorts it by prior.
``names(key, rid, kind)``
    normalised name key → place, with the best NAME kind of that name for
    that place (index of :data:`gazetteer.NAME_KINDS`); primary key
    ``(key, rid)``, ``WITHOUT ROWID`` so a lookup is one b-tree range scan.
``codes(code, rid)``
    ``country:KR``, ``admin1:US.IL``, ``admin2:US.KY.125`` → place.
``footprints(id, wkb)``
    simplified lon/lat geometries as WKB.

The file is built under a temporary name in the same directory and moved
into place with :func:`os.replace`, so readers only ever see a complete file.
It is opened read-only and ``immutable`` (no locking, memory-mapped).
"""
from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from gazetteer.errors import GazetteerCorrupt, GazetteerNotBuilt

__all__ = ["FORMAT_VERSION", "SCHEMA", "write_artefact", "open_artefact", "read_meta"]

logger = logging.getLogger(__name__)

#: bump when the schema or the meaning of a column changes
FORMAT_VERSION = 1

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE places(
    rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
    fclass TEXT NOT NULL, fcode TEXT NOT NULL, cc TEXT, admin1 TEXT, admin2 TEXT,
    population INTEGER NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL,
    footprint TEXT, importance REAL NOT NULL);
CREATE TABLE names(key TEXT NOT NULL, rid INTEGER NOT NULL, kind INTEGER NOT NULL,
    PRIMARY KEY(key, rid)) WITHOUT ROWID;
CREATE TABLE codes(code TEXT PRIMARY KEY, rid INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE footprints(id TEXT PRIMARY KEY, wkb BLOB NOT NULL) WITHOUT ROWID;
"""

PLACE_COLUMNS = ("id", "name", "fclass", "fcode", "cc", "admin1", "admin2", "population",
                 "lat", "lon", "footprint", "importance")


def write_artefact(
    path: Path,
    places: Iterable[tuple[Any, ...]],
    names: Iterable[tuple[str, int, int]],
    codes: Iterable[tuple[str, int]],
    footprints: Iterable[tuple[str, bytes]],
    meta: Mapping[str, Any],
) -> None:
    """Write a complete artefact to ``path`` (which must not be the live file).

    ``places`` rows follow :data:`PLACE_COLUMNS` and get ``rid`` 1, 2, ... in
    the order given; ``names``/``codes`` refer to those rids.
    """
    if path.exists():
        path.unlink()
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        con.execute("PRAGMA page_size=8192")
        con.executescript(SCHEMA)
        with con:
            con.executemany(
                f"INSERT INTO places(rid, {', '.join(PLACE_COLUMNS)}) VALUES "
                f"(?, {', '.join('?' * len(PLACE_COLUMNS))})",
                ((i, *row) for i, row in enumerate(places, start=1)),
            )
            con.executemany("INSERT INTO names VALUES (?, ?, ?)", names)
            con.executemany("INSERT OR IGNORE INTO codes VALUES (?, ?)", codes)
            con.executemany("INSERT INTO footprints VALUES (?, ?)", footprints)
            con.execute("CREATE INDEX places_cc ON places(cc, fcode)")
            con.executemany("INSERT INTO meta VALUES (?, ?)",
                            ((k, json.dumps(v)) for k, v in meta.items()))
            # last row of the transaction: readers treat a file without it as corrupt
            con.execute("INSERT INTO meta VALUES ('complete', '1')")
        con.execute("ANALYZE")
    finally:
        con.close()
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def open_artefact(path: Path) -> sqlite3.Connection:
    """Open a built artefact read-only after cheap integrity checks.

    Raises
    ------
    GazetteerNotBuilt
        No file at ``path``.
    GazetteerCorrupt
        Not a SQLite file, truncated, or written by an unfinished build.
    """
    if not path.is_file():
        raise GazetteerNotBuilt(f"no built gazetteer at {str(path)!r}; run `eventmap gazetteer build`")
    try:
        with open(path, "rb") as fh:
            header = fh.read(100)
    except OSError as err:
        raise GazetteerCorrupt(f"cannot read gazetteer {str(path)!r}: {err}") from err
    if not header.startswith(b"SQLite format 3\x00"):
        raise GazetteerCorrupt(f"gazetteer {str(path)!r} is not a SQLite database")
    try:
        con = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True,
                              check_same_thread=False)
        page_size, = con.execute("PRAGMA page_size").fetchone()
        page_count, = con.execute("PRAGMA page_count").fetchone()
        if page_size * page_count != path.stat().st_size:
            con.close()
            raise GazetteerCorrupt(
                f"gazetteer {str(path)!r} is truncated or padded "
                f"({path.stat().st_size} bytes, header says {page_size * page_count})")
        con.execute("PRAGMA mmap_size=536870912")
        con.execute("PRAGMA cache_size=-65536")
        if read_meta(con).get("complete") != 1:
            con.close()
            raise GazetteerCorrupt(f"gazetteer {str(path)!r} was not completely written")
    except sqlite3.DatabaseError as err:
        raise GazetteerCorrupt(f"gazetteer {str(path)!r} is unreadable: {err}") from err
    return con


def read_meta(con: sqlite3.Connection) -> dict[str, Any]:
    """The ``meta`` table as a dict of decoded JSON values."""
    try:
        return {k: json.loads(v) for k, v in con.execute("SELECT key, value FROM meta")}
    except (sqlite3.DatabaseError, ValueError) as err:
        raise GazetteerCorrupt(f"gazetteer metadata unreadable: {err}") from err
