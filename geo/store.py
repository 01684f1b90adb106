"""A store of parsed articles: GeoParquet parts plus an atomically replaced manifest.

Layout of a store directory::

    manifest.json                 the commit point (schema version, batches, checksums)
    parts/000001-<id>-articles.parquet
    parts/000001-<id>-mentions.parquet
    .lock                         fcntl lock taken by writers

Every ingest writes one *batch*: two immutable GeoParquet parts (temp file,
fsync, ``os.replace``), then a new ``manifest.json`` listing them (same dance,
plus an fsync of the directory). A reader only ever follows the manifest, so it
sees a batch entirely or not at all; a writer killed at any moment leaves at
most unreferenced part files, which the next writer removes.

A mentions part whose geometry is exactly ``Point(lon, lat)`` (missing where
lon/lat are NaN), checked when it is written, is listed with ``"points":
["lon", "lat"]``: streamed queries then test spatial filters on those two
columns and skip row groups by their min/max statistics, instead of decoding
every WKB point. Parts without the mark (older stores, odd frames) are read
the general way; the schema version is unchanged.

Replacement is "latest batch wins": every row carries its batch number
(``_batch``) and an article stored again with new content (same id, new
fingerprint) hides its rows from earlier batches. :meth:`Store.compact` rewrites
the live rows into a single batch.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import fcntl
import hashlib
import json
import logging
import os
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from geo._atomic import atomic_open, atomic_path, fsync_dir
from geo.coords import CRS
from geo.errors import StoreError
from geo.frames import (
    ARTICLE_COLUMNS,
    MENTION_COLUMNS,
    SCHEMA_VERSION,
    empty_articles,
    empty_mentions,
    places_from_mentions,
)

__all__ = ["CheckReport", "IngestReport", "Store", "fingerprints"]

logger = logging.getLogger(__name__)

FORMAT = "eventmap-store"
MANIFEST = "manifest.json"
PARTS_DIR = "parts"
LOCK_FILE = ".lock"
LAYERS = ("articles", "mentions")
#: rows per parquet row group: bounds the memory of streamed reads
ROW_GROUP = 50_000
#: rows per chunk of a streamed export: small enough that a 10k-row store and a
#: 10M-row one export with the same peak memory, large enough to amortise kernel calls
EXPORT_CHUNK = 10_000
_HASH_CHUNK = 1 << 20
#: the mention columns holding each point's x and y (see ``"points"`` in the module docstring)
POINTS_XY = ("lon", "lat")
#: the files a store writes in PARTS_DIR (and their temporary names while written): the only
#: files it ever removes there
_PART_NAME = re.compile(r"\.?\d{6}-[0-9a-f]{8}-(?:articles|mentions)(?:\.[0-9a-f]{12}\.tmp)?\.parquet")


@dataclass
class IngestReport:
    """What one :meth:`Store.ingest` did."""

    added: int = 0  # articles new to the store
    replaced: int = 0  # articles whose content changed (old rows hidden)
    unchanged: int = 0  # articles already stored with the same content
    mentions: int = 0  # mention rows written
    batch: int | None = None  # batch number committed, None when nothing was written
    skipped: list[Exception] = field(default_factory=list)  # inputs the parser skipped

    def __str__(self) -> str:
        s = (f"{self.added} new, {self.replaced} replaced, {self.unchanged} unchanged articles; "
             f"{self.mentions} mentions")
        if self.skipped:
            s += f"; {len(self.skipped)} inputs skipped"
        return s


@dataclass
class CheckReport:
    """Result of :meth:`Store.check`: problems (damage) and notes (harmless leftovers)."""

    path: Path
    batches: int = 0
    articles: int = 0
    mentions: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_for_problems(self) -> None:
        if self.problems:
            raise StoreError(f"store {self.path} is damaged: " + "; ".join(self.problems))

    def __str__(self) -> str:
        head = (f"store {self.path}: {self.batches} batches, {self.articles} article rows, "
                f"{self.mentions} mention rows: {'OK' if self.ok else 'DAMAGED'}")
        return "\n".join([head, *(f"problem: {p}" for p in self.problems), *(f"note: {n}" for n in self.notes)])


# --- small file helpers ---------------------------------------------------------------------------

def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_HASH_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def fingerprints(articles: pd.DataFrame) -> pd.Series:
    """Content fingerprint of each article row (title, url, date, source, text).

    ``origin`` (where the article was read from) is left out on purpose: the
    same article read from another file is the same article.
    """
    cols = []
    for c in ("title", "url", "date", "source", "text"):
        s = articles[c] if c in articles else pd.Series([None] * len(articles), index=articles.index)
        if c == "date":
            s = pd.to_datetime(s, utc=True, errors="coerce")
            s = pd.Series([None if pd.isna(v) else v.isoformat() for v in s], index=articles.index, dtype="object")
        cols.append(s.astype("object").where(s.notna(), None))
    out = []
    for row in zip(*cols):
        h = hashlib.sha256()
        for v in row:
            # a distinct tag for None keeps None and "" apart
            h.update(b"\x00" if v is None else b"\x01" + str(v).encode("utf-8"))
            h.update(b"\x1f")
        out.append(h.hexdigest()[:32])
    return pd.Series(out, index=articles.index, dtype="string")


def _typed(df: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    for col, dtype in columns.items():
        if col not in df:
            df[col] = pd.Series([None] * len(df), dtype="object", index=df.index)
        if str(df[col].dtype) != dtype:
            if dtype.startswith("datetime64"):
                df[col] = pd.to_datetime(df[col], utc=True, errors="coerce").astype(dtype)
            else:
                df[col] = df[col].astype(dtype)
    return df


# --- the store ------------------------------------------------------------------------------------

class Store:
    """A directory of GeoParquet parts holding articles and their mentions.

    Parameters
    ----------
    path : str or Path
        The store directory. Created on first ingest.
    create : bool
        When False, opening a directory that holds no store raises
        :class:`~geo.errors.StoreError` (what readers want).
    lock_timeout : float
        Seconds a writer waits for another writer's lock.

    Examples
    --------
    >>> store = Store("news.store")                  # doctest: +SKIP
    >>> store.ingest(["a.jsonl", "feeds/"])          # doctest: +SKIP
    >>> store.query(region="Korean Peninsula", since="2024-01-01")  # doctest: +SKIP
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True, lock_timeout: float = 60.0) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self._cache: dict[str, Any] = {}
        self._cache_key: Any = None
        # parts whose checksum this instance verified (parts are immutable; keyed by stat too)
        self._verified: set[tuple[Any, ...]] = set()
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(f"store path {self.path} exists and is not a directory")
        if not create and not (self.path / MANIFEST).exists():
            raise StoreError(f"no eventmap store at {self.path} (no {MANIFEST}); create one with `eventmap ingest`")
        if (self.path / MANIFEST).exists():
            self._read_manifest()  # fail early on a newer or unreadable store

    def __repr__(self) -> str:
        m = self._read_manifest()
        return f"Store({str(self.path)!r}, {len(m['batches'])} batches)"

    # --- manifest -------------------------------------------------------------------------------

    def _empty_manifest(self) -> dict[str, Any]:
        return {"format": FORMAT, "schema_version": SCHEMA_VERSION, "generation": 0, "next_batch": 1,
                "batches": []}

    def _read_manifest(self) -> dict[str, Any]:
        path = self.path / MANIFEST
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return self._empty_manifest()
        except OSError as err:
            raise StoreError(f"cannot read {path}: {err.strerror or err}") from err
        try:
            manifest = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise StoreError(f"{path} is not valid JSON ({err}); the store is damaged") from err
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise StoreError(f"{path} is not an eventmap store manifest")
        version = manifest.get("schema_version")
        if not isinstance(version, int):
            raise StoreError(f"{path} has no valid schema_version")
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"store {self.path} uses schema version {version}, newer than this eventmap "
                f"understands ({SCHEMA_VERSION}); upgrade eventmap to read it")
        if version < SCHEMA_VERSION:
            raise StoreError(
                f"store {self.path} uses old schema version {version} (this eventmap writes "
                f"{SCHEMA_VERSION}); re-ingest its articles into a new store")
        if not isinstance(manifest.get("batches"), list):
            raise StoreError(f"{path} has no batch list; the store is damaged")
        return manifest

    def _write_manifest(self, manifest: dict[str, Any]) -> None:
        """The commit point: temp file, fsync, os.replace, fsync the directory."""
        with atomic_open(self.path / MANIFEST, "wb") as fh:
            fh.write(json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8"))

    def _check_new_store_location(self) -> None:
        """Refuse to turn a directory of other files into a store (a mistyped --store)."""
        if (self.path / MANIFEST).exists() or not self.path.is_dir():
            return
        ours = {PARTS_DIR, LOCK_FILE}
        try:
            others = sorted(p.name for p in self.path.iterdir()
                            if p.name not in ours and not p.name.startswith(f".{Path(MANIFEST).stem}."))
            parts = self.path / PARTS_DIR
            if parts.is_dir():
                others += [f"{PARTS_DIR}/{p.name}" for p in sorted(parts.iterdir())
                           if not _PART_NAME.fullmatch(p.name)]
        except OSError as err:
            raise StoreError(f"cannot read store directory {self.path}: {err.strerror or err}") from err
        if others:
            shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
            raise StoreError(f"{self.path} is not an eventmap store (no {MANIFEST}) and holds other files "
                             f"({shown}); give a new or empty directory")

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            (self.path / PARTS_DIR).mkdir(exist_ok=True)
        except OSError as err:
            raise StoreError(f"cannot create store {self.path}: {err.strerror or err}") from err
        fd = os.open(self.path / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + self.lock_timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as err:
                    if err.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    if time.monotonic() > deadline:
                        raise StoreError(
                            f"store {self.path} is locked by another writer "
                            f"(waited {self.lock_timeout:g} s)") from err
                    time.sleep(0.05)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    @property
    def schema_version(self) -> int:
        return int(self._read_manifest()["schema_version"])

    @property
    def batches(self) -> list[dict[str, Any]]:
        """The committed batches, as listed in the manifest."""
        return list(self._read_manifest()["batches"])

    # --- reading ----------------------------------------------------------------------------------

    def _part_path(self, entry: dict[str, Any]) -> Path:
        return self.path / entry["file"]

    def _read_part(self, entry: dict[str, Any], columns: list[str] | None = None, *,
                   verify: bool = True) -> pa.Table:
        path = self._part_path(entry)
        if columns is not None:
            # a few columns of a part (ids, titles): hash it streaming, then read just those columns,
            # instead of holding the whole file (article texts included) in memory
            return self._read_columns(entry, columns, verify=verify)
        try:
            data = path.read_bytes()
        except FileNotFoundError as err:
            raise StoreError(f"store {self.path}: part file {entry['file']} listed in {MANIFEST} is missing; "
                             f"the store is damaged (see `eventmap store check`)") from err
        except OSError as err:
            raise StoreError(f"store {self.path}: cannot read part file {entry['file']}: {err.strerror or err}") from err
        if verify and (len(data) != entry["bytes"] or hashlib.sha256(data).hexdigest() != entry["sha256"]):
            raise StoreError(f"store {self.path}: part file {entry['file']} is corrupt (checksum mismatch); "
                             f"the store is damaged (see `eventmap store check`)")
        try:
            table = pq.read_table(pa.BufferReader(data), columns=columns)
        except (pa.ArrowException, OSError, ValueError) as err:
            raise StoreError(f"store {self.path}: part file {entry['file']} is unreadable: {err}") from err
        if table.num_rows != entry["rows"]:
            raise StoreError(f"store {self.path}: part file {entry['file']} holds {table.num_rows} rows, "
                             f"manifest says {entry['rows']}")
        return table

    def _read_columns(self, entry: dict[str, Any], columns: list[str], *, verify: bool = True) -> pa.Table:
        path = self._part_path(entry)
        try:
            if verify and (path.stat().st_size != entry["bytes"] or _sha256_file(path) != entry["sha256"]):
                raise StoreError(f"store {self.path}: part file {entry['file']} is corrupt (checksum mismatch); "
                                 f"the store is damaged (see `eventmap store check`)")
            table = pq.read_table(path, columns=columns)
        except FileNotFoundError as err:
            raise StoreError(f"store {self.path}: part file {entry['file']} listed in {MANIFEST} is missing; "
                             f"the store is damaged (see `eventmap store check`)") from err
        except (pa.ArrowException, OSError, ValueError) as err:
            if isinstance(err, StoreError):
                raise
            raise StoreError(f"store {self.path}: part file {entry['file']} is unreadable: {err}") from err
        if table.num_rows != entry["rows"]:
            raise StoreError(f"store {self.path}: part file {entry['file']} holds {table.num_rows} rows, "
                             f"manifest says {entry['rows']}")
        return table

    @staticmethod
    def _to_frame(table: pa.Table, columns: dict[str, str]) -> gpd.GeoDataFrame:
        geom = table.column("geometry").to_numpy(zero_copy_only=False) if "geometry" in table.column_names else None
        df = table.drop_columns([c for c in ("geometry",) if c in table.column_names]).to_pandas()
        df = _typed(df, columns)
        keep = list(columns) + [c for c in ("_batch", "_fingerprint") if c in df]
        geoms = shapely.from_wkb(geom) if geom is not None else np.full(len(df), None, dtype=object)
        return gpd.GeoDataFrame(df[keep], geometry=gpd.GeoSeries(geoms, crs=CRS, index=df.index), crs=CRS)

    def _state(self) -> tuple[dict[str, Any], Any]:
        m = self._read_manifest()
        return m, (m.get("generation"), tuple(b["id"] for b in m["batches"]))

    def _load(self) -> dict[str, Any]:
        manifest, key = self._state()
        if key == self._cache_key:
            return self._cache
        for attempt in range(2):
            try:
                cache = self._load_from(manifest)
                break
            except StoreError:
                # a concurrent compaction may have removed parts of the manifest we read
                if attempt:
                    raise
                fresh, fresh_key = self._state()
                if fresh_key == key:
                    raise
                manifest, key = fresh, fresh_key
        self._cache, self._cache_key = cache, key
        return cache

    def _load_from(self, manifest: dict[str, Any]) -> dict[str, Any]:
        frames: dict[str, list[gpd.GeoDataFrame]] = {"articles": [], "mentions": []}
        for b in manifest["batches"]:
            for layer, cols in (("articles", ARTICLE_COLUMNS), ("mentions", MENTION_COLUMNS)):
                frames[layer].append(self._to_frame(self._read_part(b["parts"][layer]), cols))
        if frames["articles"]:
            arts = pd.concat(frames["articles"], ignore_index=True)
            ments = pd.concat(frames["mentions"], ignore_index=True)
        else:
            arts, ments = empty_articles(), empty_mentions()
            arts["_batch"] = pd.Series([], dtype="int64")
            ments["_batch"] = pd.Series([], dtype="int64")
        if any(b.get("replaced", 0) for b in manifest["batches"]):
            arts = arts.drop_duplicates("article_id", keep="last")
            winner = pd.Series(arts["_batch"].to_numpy(), index=arts["article_id"].to_numpy())
            live = ments["article_id"].map(winner).to_numpy() == ments["_batch"].to_numpy()
            ments = ments[live]
        arts = gpd.GeoDataFrame(arts[list(ARTICLE_COLUMNS) + ["geometry"]].reset_index(drop=True), crs=CRS)
        ments = gpd.GeoDataFrame(ments[list(MENTION_COLUMNS) + ["geometry"]].reset_index(drop=True), crs=CRS)
        return {"articles": arts, "mentions": ments}

    @property
    def articles(self) -> gpd.GeoDataFrame:
        """The live articles (one row per article id), a GeoDataFrame with ARTICLE_COLUMNS."""
        return self._load()["articles"]

    @property
    def mentions(self) -> gpd.GeoDataFrame:
        """The live mentions, a GeoDataFrame with MENTION_COLUMNS."""
        return self._load()["mentions"]

    @property
    def places(self) -> gpd.GeoDataFrame:
        """Distinct places with mention/article counts, recomputed from the live mentions."""
        cache = self._load()
        if "places" not in cache:
            cache["places"] = places_from_mentions(cache["mentions"])
        return cache["places"]

    def __len__(self) -> int:
        return len(self.articles)

    def _live_fingerprints(self, manifest: dict[str, Any]) -> pd.Series:
        """article_id -> fingerprint of the live version, read from the small columns only."""
        parts = [self._read_part(b["parts"]["articles"], ["article_id", "_fingerprint"]).to_pandas()
                 for b in manifest["batches"]]
        if not parts:
            return pd.Series([], dtype="string")
        df = pd.concat(parts, ignore_index=True).drop_duplicates("article_id", keep="last")
        return pd.Series(df["_fingerprint"].to_numpy(), index=df["article_id"].astype("string").to_numpy())

    def iter_layer(self, layer: str = "mentions", *, columns: list[str] | None = None,
                   batch_size: int = ROW_GROUP) -> Iterator[gpd.GeoDataFrame]:
        """Stream the live rows of ``layer`` ("articles" or "mentions") in chunks.

        Memory stays bounded by ``batch_size`` rows (plus the article-id ->
        batch map needed to hide replaced rows), whatever the store size.
        """
        cols = ARTICLE_COLUMNS if layer == "articles" else MENTION_COLUMNS
        for table in self.iter_tables(layer, columns=columns, batch_size=batch_size):
            sub = {c: t for c, t in cols.items() if c in table.column_names}
            frame = self._to_frame(table, sub)
            yield gpd.GeoDataFrame(frame[list(sub) + ["geometry"]], crs=CRS)

    def iter_tables(self, layer: str = "mentions", *, columns: list[str] | None = None,
                    batch_size: int = ROW_GROUP) -> Iterator[pa.Table]:
        """Like :meth:`iter_layer`, as Arrow tables (geometry as WKB), without pandas or shapely.

        Each table holds the schema columns of the layer (or ``columns``),
        ``_batch`` and ``geometry``. Every part's checksum is verified before
        its rows are streamed.
        """
        if layer not in LAYERS:
            raise StoreError(f"unknown layer {layer!r}; choose one of {', '.join(LAYERS)}")
        cols = ARTICLE_COLUMNS if layer == "articles" else MENTION_COLUMNS
        manifest = self._read_manifest()
        winners = self._winners(manifest)
        want = [c for c in cols if columns is None or c in columns or c == "article_id"] + ["_batch", "geometry"]
        for b in manifest["batches"]:
            entry = b["parts"][layer]
            # checksum first (a streaming read), so that damage is reported, never half-exported
            path = self._verify(entry)
            try:
                pf = pq.ParquetFile(path)
                for rb in pf.iter_batches(batch_size=batch_size, columns=want):
                    table = pa.Table.from_batches([rb])
                    if winners is not None:
                        table = table.filter(_live(table, winners))
                    if table.num_rows:
                        yield table
            except (pa.ArrowException, OSError) as err:
                raise StoreError(f"store {self.path}: part file {entry['file']} is unreadable: {err}") from err

    def _verify(self, entry: dict[str, Any]) -> Path:
        """The path of a listed part, after checking its size and sha256 (once per instance and file state)."""
        path = self._part_path(entry)
        try:
            st = path.stat()
        except FileNotFoundError as err:
            raise StoreError(f"store {self.path}: part file {entry['file']} listed in {MANIFEST} is missing") from err
        key = (entry["file"], entry["sha256"], st.st_size, st.st_mtime_ns, st.st_ino)
        if key not in self._verified:
            if st.st_size != entry["bytes"] or _sha256_file(path) != entry["sha256"]:
                raise StoreError(f"store {self.path}: part file {entry['file']} is corrupt (checksum mismatch); "
                                 f"the store is damaged (see `eventmap store check`)")
            self._verified.add(key)
        return path

    def _winners(self, manifest: dict[str, Any]) -> tuple[pa.Array, pa.Array] | None:
        """(article ids, their live batch) when some article was replaced; None when every row is live."""
        if not any(b.get("replaced", 0) for b in manifest["batches"]):
            return None
        ids = [self._read_part(b["parts"]["articles"], ["article_id", "_batch"]).to_pandas()
               for b in manifest["batches"]]
        df = pd.concat(ids, ignore_index=True).drop_duplicates("article_id", keep="last")
        return (pa.array(df["article_id"].astype(str).to_numpy(), pa.large_string()),
                pa.array(df["_batch"].to_numpy(), pa.int64()))

    # --- writing ----------------------------------------------------------------------------------

    def _write_part(self, frame: gpd.GeoDataFrame, seq: int, tag: str, layer: str) -> dict[str, Any]:
        name = f"{seq:06d}-{tag}-{layer}.parquet"
        final = self.path / PARTS_DIR / name
        with atomic_path(final) as tmp:
            frame.to_parquet(tmp, index=False, row_group_size=ROW_GROUP, compression="zstd")
        entry = {"file": f"{PARTS_DIR}/{name}", "sha256": _sha256_file(final), "rows": len(frame),
                 "bytes": final.stat().st_size}
        if layer == "mentions" and _points_are_lonlat(frame):
            # streamed spatial queries may then test (and prune row groups on) lon/lat instead of the WKB
            entry["points"] = list(POINTS_XY)
        return entry

    def ingest(self, data: Any, **parse_options: Any) -> IngestReport:
        """Add articles to the store.

        Parameters
        ----------
        data : ParseResult-like or inputs
            Anything with ``.articles`` and ``.mentions`` frames (what
            :func:`geo.parse` returns), or inputs for :func:`geo.pipeline.parse`
            (paths, texts, records, Articles), which is then called with
            ``**parse_options``.

        Returns
        -------
        IngestReport
            New articles are added; an article already stored with the same
            content adds nothing; one stored with different content (same id)
            replaces its old rows. Nothing is written when nothing changed.
        """
        if hasattr(data, "articles") and hasattr(data, "mentions"):
            result = data
        else:
            from geo.pipeline import parse

            result = parse(data, **parse_options)
        report = IngestReport(skipped=list(getattr(result, "skipped", []) or []))
        articles, mentions = result.articles, result.mentions
        for name, frame, cols in (("articles", articles, ARTICLE_COLUMNS), ("mentions", mentions, MENTION_COLUMNS)):
            missing = [c for c in cols if c not in frame]
            if missing:
                raise StoreError(f"cannot store {name}: columns missing from the frame: {', '.join(missing)}")
        if articles["article_id"].isna().any():
            raise StoreError("cannot store articles without an article_id")
        # within one input, the last version of an article wins, as across batches
        articles = articles.drop_duplicates("article_id", keep="last")
        fps = fingerprints(articles)
        self._check_new_store_location()
        with self._lock():
            manifest = self._read_manifest()
            self._remove_orphans(manifest)
            live = self._live_fingerprints(manifest)
            ids = articles["article_id"].astype("string")
            known = ids.isin(live.index).to_numpy()
            old_fp = ids.map(live).to_numpy(dtype=object, na_value=None)
            same = known & (old_fp == fps.to_numpy(dtype=object))
            report.unchanged = int(same.sum())
            report.replaced = int((known & ~same).sum())
            report.added = int((~known).sum())
            keep = ~same
            if not keep.any():
                logger.info("nothing new to store in %s", self.path)
                return report
            seq = int(manifest.get("next_batch", 1))
            a = articles[keep].copy()
            a = _typed(a, ARTICLE_COLUMNS)[list(ARTICLE_COLUMNS) + ["geometry"]]
            a["_batch"] = np.int64(seq)
            a["_fingerprint"] = fps[keep].to_numpy()
            # the mentions of the stored articles, and only from this input
            m = mentions[mentions["article_id"].isin(set(a["article_id"].dropna()))].copy()
            if m.duplicated(["article_id", "mention_index"]).any():
                # an article id given twice in one input: keep the mentions of its last occurrence
                m = _last_occurrence(m)
            m = _typed(m, MENTION_COLUMNS)[list(MENTION_COLUMNS) + ["geometry"]]
            m["_batch"] = np.int64(seq)
            a = gpd.GeoDataFrame(a, geometry="geometry", crs=CRS)
            m = gpd.GeoDataFrame(m, geometry="geometry", crs=CRS)
            tag = uuid.uuid4().hex[:8]
            parts = {"articles": self._write_part(a, seq, tag, "articles"),
                     "mentions": self._write_part(m, seq, tag, "mentions")}
            fsync_dir(self.path / PARTS_DIR)
            new = dict(manifest)
            new["batches"] = [*manifest["batches"], {
                "seq": seq, "id": f"{seq:06d}-{tag}",
                "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                "added": report.added, "replaced": report.replaced, "parts": parts,
            }]
            new["next_batch"] = seq + 1
            new["generation"] = int(manifest.get("generation", 0)) + 1
            self._write_manifest(new)
            report.batch = seq
            report.mentions = len(m)
            logger.info("stored batch %d in %s: %s", seq, self.path, report)
            return report

    def compact(self) -> None:
        """Rewrite the live rows into one batch and remove the superseded parts."""
        with self._lock():
            manifest = self._read_manifest()
            if len(manifest["batches"]) <= 1 and not any(b.get("replaced") for b in manifest["batches"]):
                return
            cache = self._load_from(manifest)
            seq = int(manifest["next_batch"])
            tag = uuid.uuid4().hex[:8]
            a = cache["articles"].copy()
            a["_batch"] = np.int64(seq)
            # carry the stored fingerprints over: what was compared at ingest stays what is compared
            a["_fingerprint"] = a["article_id"].map(self._live_fingerprints(manifest)).astype("string").to_numpy()
            m = cache["mentions"].copy()
            m["_batch"] = np.int64(seq)
            parts = {"articles": self._write_part(a, seq, tag, "articles"),
                     "mentions": self._write_part(m, seq, tag, "mentions")}
            fsync_dir(self.path / PARTS_DIR)
            new = dict(manifest)
            new["batches"] = [{"seq": seq, "id": f"{seq:06d}-{tag}", "compacted": True,
                               "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                               "added": len(a), "replaced": 0, "parts": parts}]
            new["next_batch"] = seq + 1
            new["generation"] = int(manifest.get("generation", 0)) + 1
            self._write_manifest(new)
            self._remove_orphans(new)

    def _remove_orphans(self, manifest: dict[str, Any]) -> None:
        """Remove part files no batch references (left by a killed writer); call under the lock."""
        parts = self.path / PARTS_DIR
        if not parts.is_dir():
            return
        listed = {Path(e["file"]).name for b in manifest["batches"] for e in b["parts"].values()}
        for p in parts.iterdir():
            if p.name not in listed and _PART_NAME.fullmatch(p.name):
                logger.info("removing unreferenced part file %s", p)
                with contextlib.suppress(FileNotFoundError):
                    p.unlink()
        for p in self.path.glob(f".{Path(MANIFEST).stem}.*.tmp{Path(MANIFEST).suffix}"):
            with contextlib.suppress(FileNotFoundError):
                p.unlink()

    # --- integrity --------------------------------------------------------------------------------

    def check(self) -> CheckReport:
        """Verify the store: manifest, every part's presence, size, checksum, rows and columns.

        Never raises for damage; damage is listed in ``report.problems``
        (call ``report.raise_for_problems()`` to turn it into a StoreError).
        """
        report = CheckReport(self.path)
        try:
            manifest = self._read_manifest()
        except StoreError as err:
            report.problems.append(str(err))
            return report
        if not (self.path / MANIFEST).exists():
            report.notes.append("empty store (no manifest yet)")
        report.batches = len(manifest["batches"])
        listed: set[str] = set()
        for b in manifest["batches"]:
            for layer, cols in (("articles", ARTICLE_COLUMNS), ("mentions", MENTION_COLUMNS)):
                entry = b.get("parts", {}).get(layer)
                if entry is None:
                    report.problems.append(f"batch {b.get('id')} lists no {layer} part")
                    continue
                listed.add(Path(entry["file"]).name)
                path = self._part_path(entry)
                if not path.exists():
                    report.problems.append(f"part file {entry['file']} is missing")
                    continue
                if path.stat().st_size != entry["bytes"] or _sha256_file(path) != entry["sha256"]:
                    report.problems.append(f"part file {entry['file']} is corrupt (checksum mismatch)")
                    continue
                try:
                    schema = pq.read_schema(path)
                    rows = pq.ParquetFile(path).metadata.num_rows
                except (pa.ArrowException, OSError) as err:
                    report.problems.append(f"part file {entry['file']} is unreadable: {err}")
                    continue
                missing = [c for c in [*cols, "geometry", "_batch"] if c not in schema.names]
                if missing:
                    report.problems.append(f"part file {entry['file']} lacks columns {', '.join(missing)}")
                if b"geo" not in (schema.metadata or {}):
                    report.problems.append(f"part file {entry['file']} has no GeoParquet metadata")
                if rows != entry["rows"]:
                    report.problems.append(f"part file {entry['file']} holds {rows} rows, manifest says {entry['rows']}")
                if layer == "articles":
                    report.articles += rows
                else:
                    report.mentions += rows
        parts = self.path / PARTS_DIR
        if parts.is_dir():
            extra = sorted(p.name for p in parts.iterdir() if p.name not in listed)
            if extra:
                report.notes.append(f"{len(extra)} unreferenced part files (left by an interrupted ingest; "
                                    f"removed by the next ingest): {', '.join(extra[:5])}")
        return report

    # --- queries and exports ----------------------------------------------------------------------
    #
    # When the store's frames are already in memory (``.mentions``/``.articles`` were read), queries
    # run on them. Otherwise the mention parts are streamed row group by row group: row groups whose
    # footer statistics (lon/lat, date, confidence) rule out every filter are not read; of the
    # others, only the columns the filters need are read first, and the rest only for the row groups
    # that match, and only the matching rows are turned into pandas. Memory then grows with the
    # matches, not with the store. Both ways give the same rows, order, index, columns and dtypes.

    def query(self, **filters: Any) -> gpd.GeoDataFrame:
        """The live mentions matching ``filters`` (see :func:`geo.query.query`).

        Unless the store's frames are already loaded, the parts are streamed:
        memory grows with the matching rows, not with the store. The result's
        index is each row's position among the store's live mentions (as in
        ``store.mentions``). Filters are validated, and names and polygon
        files resolved, before any part is read.
        """
        return self._select(filters, list(MENTION_COLUMNS))

    def group_by(self, by: str, **filters: Any) -> pd.DataFrame:
        """Counts of mentions and articles per ``by`` over the matching mentions."""
        from geo.query import group_by

        if by not in _GROUP_COLUMNS:
            return group_by(empty_mentions(), by)  # raises the QueryError naming the choices
        return group_by(self._select(filters, _GROUP_COLUMNS[by]), by)

    def export(self, path: str | os.PathLike[str], *, layer: str = "mentions", **filters: Any) -> int:
        """Write ``layer`` to ``path`` (format from the extension); returns the rows written.

        Rows are streamed from the parts, so memory does not grow with the
        store: unfiltered, every row; filtered, the matching mentions (or
        their articles) chunk by chunk, with the titles and urls of the
        articles (small columns) as the only store-wide table held.
        """
        from geo.export import write

        if layer == "places":
            if not filters and self._loaded() is not None:
                return write(self.places, path, layer="places")
            return write(places_from_mentions(self._select(filters, _PLACE_INPUT)), path, layer="places")
        if filters:
            cached = self._loaded()
            if cached is not None:
                ments = self.query(**filters)
                if layer == "articles":
                    arts = cached["articles"]
                    return write(arts[arts["article_id"].isin(set(ments["article_id"].dropna()))], path,
                                 layer="articles")
                return write(ments, path, layer="mentions", articles=cached["articles"])
            from geo.query import compile_query

            plan = compile_query(**filters)

            def filtered() -> int:
                manifest = self._read_manifest()
                if layer == "articles":
                    ids = self._select_from(manifest, plan, ["article_id"])["article_id"].dropna().unique()
                    return write(self._iter_articles(manifest, ids), path, layer="articles", chunk_size=EXPORT_CHUNK)
                return write(self._iter_select(manifest, plan, list(MENTION_COLUMNS)), path, layer="mentions",
                             articles=self._article_lookup(manifest), chunk_size=EXPORT_CHUNK)

            return self._retrying(filtered)
        if layer == "articles":
            return write(self.iter_tables("articles", batch_size=EXPORT_CHUNK), path, layer="articles",
                         chunk_size=EXPORT_CHUNK)
        arts = self._article_lookup()
        return write(self.iter_tables("mentions", batch_size=EXPORT_CHUNK), path, layer="mentions", articles=arts,
                     chunk_size=EXPORT_CHUNK)

    def article_ids_matching(self, text: str) -> pd.Index:
        """Ids of the live articles whose title or text matches ``text`` (the query's text filter).

        Reads only ``article_id``, ``title`` and ``text``, part by part.
        """
        from geo.query import compile_query

        plan = compile_query(text=text)
        cached = self._loaded()
        if cached is not None:
            return plan.text_ids(cached["articles"])

        def read() -> pd.Index:
            manifest = self._read_manifest()
            return self._text_ids(manifest, plan, self._winners(manifest))

        return self._retrying(read)

    def articles_of(self, ids: Any) -> gpd.GeoDataFrame:
        """The live articles whose ``article_id`` is in ``ids``, in store order.

        Streamed from the parts (unless the store's frames are already loaded):
        memory grows with the articles asked for, not with the store.
        """
        ids = pd.Index(pd.Series(list(ids), dtype="object").dropna().astype(str).unique())
        cached = self._loaded()
        if cached is not None:
            arts = cached["articles"]
            return arts[arts["article_id"].astype(str).isin(ids)]

        def read() -> gpd.GeoDataFrame:
            chunks = list(self._iter_articles(self._read_manifest(), ids))
            if not chunks:
                return empty_articles()
            return gpd.GeoDataFrame(pd.concat(chunks, ignore_index=True), geometry="geometry", crs=CRS)

        return self._retrying(read)

    def _loaded(self) -> dict[str, Any] | None:
        """The in-memory frames when they are loaded and current, else None (never loads them)."""
        _, key = self._state()
        return self._cache if key == self._cache_key and self._cache else None

    def _retrying(self, fn: Any) -> Any:
        """Run a streamed read; once more if it failed because a writer changed the store meanwhile."""
        _, key = self._state()
        try:
            return fn()
        except StoreError:
            if self._state()[1] == key:
                raise
            logger.info("store %s changed during a streamed read; reading it again", self.path)
            return fn()

    def _select(self, filters: dict[str, Any], columns: list[str]) -> gpd.GeoDataFrame:
        """The matching live mentions with ``columns`` (+ geometry): in memory when loaded, else streamed."""
        from geo.query import compile_query, query

        cached = self._loaded()
        if cached is not None:
            out = query(cached["mentions"], cached["articles"], **filters)
            return out if len(columns) == len(MENTION_COLUMNS) else out[[*columns, "geometry"]]
        plan = compile_query(**filters)  # bad filters fail before any part is read
        return self._retrying(lambda: self._select_from(self._read_manifest(), plan, columns))

    def _select_from(self, manifest: dict[str, Any], plan: Any, columns: list[str]) -> gpd.GeoDataFrame:
        chunks = list(self._iter_select(manifest, plan, columns))
        if chunks:
            out = gpd.GeoDataFrame(pd.concat(chunks), geometry="geometry", crs=CRS)
            # the index the in-memory path gives: positions taken from a RangeIndex (a range when contiguous)
            pos = out.index.to_numpy()
            out.index = pd.RangeIndex(int(pos[-1]) + 1).take(pos)
            return out
        out = self._empty_frame(manifest, columns)
        out.index = pd.RangeIndex(0).take(np.array([], dtype=np.int64))
        return out

    def _empty_frame(self, manifest: dict[str, Any], columns: list[str]) -> gpd.GeoDataFrame:
        cols = {c: MENTION_COLUMNS[c] for c in columns}
        if not manifest["batches"]:
            frame = empty_mentions()
            return gpd.GeoDataFrame(frame[[*cols, "geometry"]], geometry="geometry", crs=CRS)
        schema = pq.read_schema(self._verify(manifest["batches"][0]["parts"]["mentions"]))
        frame = self._to_frame(schema.empty_table().select([*cols, "geometry"]), cols)
        return gpd.GeoDataFrame(frame[[*cols, "geometry"]], geometry="geometry", crs=CRS)

    def _iter_select(self, manifest: dict[str, Any], plan: Any, columns: list[str]) -> Iterator[gpd.GeoDataFrame]:
        """The matching live mentions, one frame per row group that has any, indexed by live position."""
        winners = self._winners(manifest)
        text_ids = self._text_ids(manifest, plan, winners) if plan.words is not None else None
        if text_ids is not None and len(text_ids) == 0:
            return
        # read first: what the filters test, and what tells live rows from replaced ones
        # (_batch, a run-length-encoded integer, is always read: it gives the row count cheaply)
        probe = [c for c in plan.columns if c != "geometry"] + ["_batch"]
        if winners is not None and "article_id" not in probe:
            probe.append("article_id")
        spatial = bool(plan.spatial)
        out_cols = [*columns, "geometry"]
        offset = 0  # live mentions before the current row group
        for b in manifest["batches"]:
            entry = b["parts"]["mentions"]
            path = self._verify(entry)
            try:
                pf = pq.ParquetFile(path)
                # a part whose geometry is exactly Point(lon, lat): spatial filters test lon, lat (no WKB
                # decoding, no STRtree over every point); other parts (older stores) decode the geometry
                xy_cols = list(POINTS_XY) if entry.get("points") == list(POINTS_XY) else None
                may = _row_groups_may_match(pf, plan, xy_cols)
                geo_cols = (xy_cols or ["geometry"]) if spatial else []
                for i, go in enumerate(may):
                    if not go:
                        offset += self._live_rows(pf, i, winners)
                        continue
                    first = pf.read_row_group(i, columns=probe + geo_cols)
                    rows = np.arange(pf.metadata.row_group(i).num_rows)
                    if winners is not None:
                        live = _live(first, winners)
                        first = first.filter(live)
                        rows = rows[np.asarray(live)]
                    n_live = first.num_rows
                    xy = None
                    if spatial and xy_cols:  # NaN (no point) is never matched
                        xy = tuple(first[c].to_numpy(zero_copy_only=False).astype("float64") for c in xy_cols)
                    if n_live and (plan.columns or text_ids is not None):
                        cols = {c: MENTION_COLUMNS[c] for c in probe if c in MENTION_COLUMNS}
                        if xy is not None or not spatial:  # no geometry needed: a plain frame of the columns
                            frame = _typed(first.select(list(cols)).to_pandas(), cols)
                        else:
                            frame = self._to_frame(first, cols)
                        hit = np.flatnonzero(plan.mask(frame, text_ids=text_ids, xy=xy))
                    else:
                        hit = np.arange(n_live)
                    if len(hit):
                        rest = [c for c in out_cols if c not in first.column_names]
                        got = first.take(pa.array(hit))
                        # the other columns are read only now, for a row group that has matches
                        more = pf.read_row_group(i, columns=rest).take(pa.array(rows[hit])) if rest else got
                        table = pa.Table.from_arrays([more[c] if c in rest else got[c] for c in out_cols],
                                                     names=out_cols)
                        frame = self._to_frame(table, {c: MENTION_COLUMNS[c] for c in columns})
                        frame = gpd.GeoDataFrame(frame[out_cols], geometry="geometry", crs=CRS)
                        frame.index = pd.RangeIndex(offset + n_live).take(offset + hit)
                        yield frame
                    offset += n_live
            except (pa.ArrowException, OSError) as err:
                raise StoreError(f"store {self.path}: part file {entry['file']} is unreadable: {err}") from err

    def _live_rows(self, pf: pq.ParquetFile, i: int, winners: tuple[pa.Array, pa.Array] | None) -> int:
        """Live rows in row group ``i`` (all of them unless some article was replaced)."""
        if winners is None:
            return pf.metadata.row_group(i).num_rows
        t = pf.read_row_group(i, columns=["article_id", "_batch"])
        return int(np.asarray(_live(t, winners)).sum())

    def _text_ids(self, manifest: dict[str, Any], plan: Any, winners: tuple[pa.Array, pa.Array] | None) -> pd.Index:
        """Ids of the live articles matching the text filter, reading article_id, title and text only."""
        found: list[pd.Index] = []
        cols = {c: ARTICLE_COLUMNS[c] for c in ("article_id", "title", "text")}
        for b in manifest["batches"]:
            entry = b["parts"]["articles"]
            path = self._verify(entry)
            try:
                pf = pq.ParquetFile(path)
                want = [*cols, "_batch"] if winners is not None else list(cols)
                for rb in pf.iter_batches(batch_size=EXPORT_CHUNK, columns=want):
                    table = pa.Table.from_batches([rb])
                    if winners is not None:
                        table = table.filter(_live(table, winners))
                    found.append(plan.text_ids(self._to_frame(table, cols)))
            except (pa.ArrowException, OSError) as err:
                raise StoreError(f"store {self.path}: part file {entry['file']} is unreadable: {err}") from err
        return pd.Index(pd.concat([i.to_series() for i in found]).unique()) if found else pd.Index([])

    def _iter_articles(self, manifest: dict[str, Any], ids: Any) -> Iterator[gpd.GeoDataFrame]:
        """The live articles whose id is in ``ids``, in store order, chunk by chunk."""
        import pyarrow.compute as pc

        if len(ids) == 0:
            return
        value_set = pa.array([str(i) for i in ids], pa.large_string())
        winners = self._winners(manifest)
        want = [*ARTICLE_COLUMNS, "_batch", "geometry"]
        for b in manifest["batches"]:
            entry = b["parts"]["articles"]
            path = self._verify(entry)
            try:
                for rb in pq.ParquetFile(path).iter_batches(batch_size=EXPORT_CHUNK, columns=want):
                    table = pa.Table.from_batches([rb])
                    if winners is not None:
                        table = table.filter(_live(table, winners))
                    table = table.filter(pc.fill_null(
                        pc.is_in(pc.cast(table["article_id"], pa.large_string()), value_set=value_set), False))
                    if table.num_rows:
                        frame = self._to_frame(table, ARTICLE_COLUMNS)
                        yield gpd.GeoDataFrame(frame[[*ARTICLE_COLUMNS, "geometry"]], geometry="geometry", crs=CRS)
            except (pa.ArrowException, OSError) as err:
                raise StoreError(f"store {self.path}: part file {entry['file']} is unreadable: {err}") from err

    def _article_lookup(self, manifest: dict[str, Any] | None = None) -> pa.Table:
        """article_id, title, url of the live articles, as an Arrow table (small columns only, for joins)."""
        import pyarrow.compute as pc

        cols = ["article_id", "title", "url"]
        manifest = manifest if manifest is not None else self._read_manifest()
        parts = [self._read_part(b["parts"]["articles"], cols).cast(pa.schema([(c, pa.large_string()) for c in cols]))
                 for b in manifest["batches"]]
        if not parts:
            return pa.table({c: pa.array([], pa.large_string()) for c in cols})
        table = pa.concat_tables(parts)
        if len(parts) > 1:  # a replaced article: keep its latest row
            ids = table["article_id"].combine_chunks()
            last = pd.Series(np.arange(len(ids))).groupby(pc.dictionary_encode(ids).indices.to_numpy()).max()
            table = table.take(pa.array(np.sort(last.to_numpy())))
        return table


def _last_occurrence(mentions: pd.DataFrame) -> pd.DataFrame:
    """Mentions of an article id given several times in one input: keep its last run.

    Each occurrence's mentions restart at ``mention_index`` 0, so runs are
    counted by the zeros; vectorised, no loop over groups.
    """
    key = mentions["article_id"]
    run = (mentions["mention_index"] == 0).astype("int64").groupby(key, sort=False).cumsum()
    last = run.groupby(key, sort=False).transform("max")
    return mentions[(run == last).to_numpy()]


# mention columns group_by reads for each key (article_id counts the articles)
_GROUP_COLUMNS = {"country": ["article_id", "country_code"], "admin1": ["article_id", "country_code", "admin1"],
                  "place": ["article_id", "place_id", "name"], "day": ["article_id", "date"],
                  "week": ["article_id", "date"]}
# mention columns places_from_mentions reads
_PLACE_INPUT = ["article_id", "place_id", "name", "feature_class", "feature_code", "country_code", "admin1",
                "lat", "lon", "footprint_id"]
# slack (degrees) in the row-group box tests, and one microsecond for timestamps that statistics may truncate
_PAD_DEG = 1e-9
_PAD_TIME = pd.Timedelta(1, "us")


def _live(table: pa.Table, winners: tuple[pa.Array, pa.Array]) -> pa.Array:
    """Boolean mask of the rows of ``table`` (article_id, _batch) that belong to their article's live batch."""
    import pyarrow.compute as pc

    ids, batch = winners
    pos = pc.index_in(pc.cast(table["article_id"], pa.large_string()), value_set=ids)
    return pc.fill_null(pc.equal(batch.take(pos), table["_batch"]), False)


def _row_groups_may_match(pf: pq.ParquetFile, plan: Any, xy_cols: list[str] | None) -> list[bool]:
    """Per row group: False when its footer statistics prove no row can match ``plan``.

    Safe by construction: a row group is ruled out only by statistics that
    bound every non-null value (rows without a point, date or confidence
    match no spatial, date or confidence filter); the point statistics are
    used only for a part whose geometry is known to be Point(lon, lat)
    (``xy_cols``); missing statistics rule nothing out.
    """
    md = pf.metadata
    n = md.num_row_groups
    if n == 0 or not (plan.spatial or plan.since is not None or plan.until is not None
                      or plan.min_confidence is not None):
        return [True] * n
    paths = {md.row_group(0).column(j).path_in_schema: j for j in range(md.num_columns)}
    xy = [paths.get(c) for c in xy_cols] if xy_cols else None
    if xy is not None and None in xy:
        xy = None
    out = []
    for i in range(n):
        rg = md.row_group(i)
        ok = True
        if plan.spatial and xy is not None:
            x, y = (_stats(rg, j) for j in xy)
            if "empty" in (x, y):
                ok = False
            elif x is not None and y is not None:
                box = (x[0], y[0], x[1], y[1])  # type: ignore[index]
                ok = all(any(_overlaps(box, b) for b in f.boxes) for f in plan.spatial)
        if ok and (plan.since is not None or plan.until is not None) and "date" in paths:
            st = _stats(rg, paths["date"])
            if st == "empty":
                ok = False
            elif st is not None:
                try:
                    lo, hi = (_utc(v) for v in st)
                except (TypeError, ValueError):
                    lo = hi = None
                if lo is not None and hi is not None:
                    ok = not ((plan.since is not None and hi < plan.since - _PAD_TIME)
                              or (plan.until is not None and lo > plan.until + _PAD_TIME))
        if ok and plan.min_confidence is not None and "confidence" in paths:
            st = _stats(rg, paths["confidence"])
            if st == "empty":
                ok = False
            elif st is not None and isinstance(st[1], float):
                ok = st[1] >= plan.min_confidence
        out.append(ok)
    return out


def _points_are_lonlat(frame: gpd.GeoDataFrame) -> bool:
    """True when every geometry is exactly the 2D Point(lon, lat), and missing exactly where lon or lat is NaN."""
    geoms = frame.geometry.to_numpy()
    types = shapely.get_type_id(geoms)
    if not np.isin(types, (-1, 0)).all() or shapely.has_z(geoms).any():
        return False  # something else than points and missing values
    lon, lat = (frame[c].to_numpy(dtype="float64", na_value=np.nan) for c in POINTS_XY)
    # get_x/get_y are NaN for a missing or empty point: NaN must face NaN
    return bool(np.array_equal(shapely.get_x(geoms), lon, equal_nan=True)
                and np.array_equal(shapely.get_y(geoms), lat, equal_nan=True))


def _stats(rg: Any, j: int) -> tuple[Any, Any] | str | None:
    """(min, max) of column ``j`` in a row group; "empty" when every value is null; None when unknown."""
    st = rg.column(j).statistics
    if st is None:
        return None
    if st.has_min_max:
        return st.min, st.max
    if st.has_null_count and st.null_count == rg.num_rows:
        return "empty"
    return None


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """Closed boxes (west, south, east, north) meet, with a hair of slack."""
    return (a[0] <= b[2] + _PAD_DEG and a[2] >= b[0] - _PAD_DEG
            and a[1] <= b[3] + _PAD_DEG and a[3] >= b[1] - _PAD_DEG)


def _utc(value: Any) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
