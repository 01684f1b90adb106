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
        import pyarrow.compute as pc

        if layer not in LAYERS:
            raise StoreError(f"unknown layer {layer!r}; choose one of {', '.join(LAYERS)}")
        cols = ARTICLE_COLUMNS if layer == "articles" else MENTION_COLUMNS
        manifest = self._read_manifest()
        winner_ids = winner_batch = None
        if any(b.get("replaced", 0) for b in manifest["batches"]):
            ids = [self._read_part(b["parts"]["articles"], ["article_id", "_batch"]).to_pandas()
                   for b in manifest["batches"]]
            df = pd.concat(ids, ignore_index=True).drop_duplicates("article_id", keep="last")
            winner_ids = pa.array(df["article_id"].astype(str).to_numpy(), pa.large_string())
            winner_batch = pa.array(df["_batch"].to_numpy(), pa.int64())
        want = [c for c in cols if columns is None or c in columns or c == "article_id"] + ["_batch", "geometry"]
        for b in manifest["batches"]:
            entry = b["parts"][layer]
            path = self._part_path(entry)
            if not path.exists():
                raise StoreError(f"store {self.path}: part file {entry['file']} listed in {MANIFEST} is missing")
            # checksum first (a streaming read), so that damage is reported, never half-exported
            if path.stat().st_size != entry["bytes"] or _sha256_file(path) != entry["sha256"]:
                raise StoreError(f"store {self.path}: part file {entry['file']} is corrupt (checksum mismatch); "
                                 f"the store is damaged (see `eventmap store check`)")
            try:
                pf = pq.ParquetFile(path)
                for rb in pf.iter_batches(batch_size=batch_size, columns=want):
                    table = pa.Table.from_batches([rb])
                    if winner_ids is not None:
                        pos = pc.index_in(pc.cast(table["article_id"], pa.large_string()), value_set=winner_ids)
                        live = pc.equal(winner_batch.take(pos), table["_batch"])
                        table = table.filter(pc.fill_null(live, False))
                    if table.num_rows:
                        yield table
            except (pa.ArrowException, OSError) as err:
                raise StoreError(f"store {self.path}: part file {entry['file']} is unreadable: {err}") from err

    # --- writing ----------------------------------------------------------------------------------

    def _write_part(self, frame: gpd.GeoDataFrame, seq: int, tag: str, layer: str) -> dict[str, Any]:
        name = f"{seq:06d}-{tag}-{layer}.parquet"
        final = self.path / PARTS_DIR / name
        with atomic_path(final) as tmp:
            frame.to_parquet(tmp, index=False, row_group_size=ROW_GROUP, compression="zstd")
        return {"file": f"{PARTS_DIR}/{name}", "sha256": _sha256_file(final), "rows": len(frame),
                "bytes": final.stat().st_size}

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
            if p.name not in listed:
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

    def query(self, **filters: Any) -> gpd.GeoDataFrame:
        """The live mentions matching ``filters`` (see :func:`geo.query.query`)."""
        from geo.query import query

        return query(self.mentions, self.articles, **filters)

    def group_by(self, by: str, **filters: Any) -> pd.DataFrame:
        """Counts of mentions and articles per ``by`` over the matching mentions."""
        from geo.query import group_by

        return group_by(self.query(**filters), by)

    def export(self, path: str | os.PathLike[str], *, layer: str = "mentions", **filters: Any) -> int:
        """Write ``layer`` to ``path`` (format from the extension); returns the rows written.

        Without filters the rows are streamed from the parts, so memory does
        not grow with the store.
        """
        from geo.export import write

        if layer == "places":
            frame: Any = self.places if not filters else places_from_mentions(self.query(**filters))
            return write(frame, path, layer="places")
        if filters:
            ments = self.query(**filters)
            if layer == "articles":
                ids = set(ments["article_id"].dropna())
                return write(self.articles[self.articles["article_id"].isin(ids)], path, layer="articles")
            return write(ments, path, layer="mentions", articles=self.articles)
        if layer == "articles":
            return write(self.iter_tables("articles", batch_size=EXPORT_CHUNK), path, layer="articles",
                         chunk_size=EXPORT_CHUNK)
        arts = self._article_lookup()
        return write(self.iter_tables("mentions", batch_size=EXPORT_CHUNK), path, layer="mentions", articles=arts,
                     chunk_size=EXPORT_CHUNK)

    def _article_lookup(self) -> pa.Table:
        """article_id, title, url of the live articles, as an Arrow table (small columns only, for joins)."""
        import pyarrow.compute as pc

        cols = ["article_id", "title", "url"]
        parts = [self._read_part(b["parts"]["articles"], cols).cast(pa.schema([(c, pa.large_string()) for c in cols]))
                 for b in self._read_manifest()["batches"]]
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
