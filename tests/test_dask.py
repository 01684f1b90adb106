"""The Dask engine on a real LocalCluster: same results as the local engine."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import shapely

pytest.importorskip("dask_geopandas")
distributed = pytest.importorskip("distributed")

from geo._synthetic import synthetic_results  # noqa: E402
from geo.distributed import parse_dask, query_dask  # noqa: E402
from geo.frames import build_frames  # noqa: E402
from geo.store import Store  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    s = Store(tmp_path_factory.mktemp("dask-store"))
    for seed in range(4):  # several parts → several partitions
        a, m, _ = build_frames(synthetic_results(60, seed=seed))
        s.ingest(SimpleNamespace(articles=a, mentions=m))
    # a replaced article, so the latest-batch-wins rule is exercised on the workers
    edited = synthetic_results(1, seed=77, mentions_per_article=4)[0]
    edited.article.id = "art0-3"
    a, m, _ = build_frames([edited])
    assert s.ingest(SimpleNamespace(articles=a, mentions=m)).replaced == 1
    return s


def _same(left: pd.DataFrame, right: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(pd.DataFrame(left).reset_index(drop=True), pd.DataFrame(right).reset_index(drop=True))


@pytest.mark.parametrize("filters", [
    {},
    {"bbox": "170,-90,-170,90"},
    {"near": "80,0", "radius_km": "2500km", "min_confidence": 0.4},
    {"region": "R", "region_resolver": {"R": shapely.box(-60, -60, 60, 60)}, "since": "2024-01-20",
     "exclude_metonymic": True},
    {"text": "storm", "country": "JP,US", "kind": "place"},
])
def test_query_matches_local(client, store: Store, filters: dict) -> None:
    local = store.query(**filters)
    remote = query_dask(store, scheduler=client, **filters)
    assert len(local) > 0 or filters
    _same(remote, local)


def test_query_by_address(client, store: Store) -> None:
    remote = query_dask(store.path, scheduler=client.scheduler.address, bbox="-180,0,180,90")
    _same(remote, store.query(bbox="-180,0,180,90"))


def test_parse_matches_local(client, tmp_path: Path) -> None:
    from geo.pipeline import parse

    texts = [
        {"id": f"d{i}", "title": f"T{i}", "date": f"2024-06-{i + 1:02d}", "text": t}
        for i, t in enumerate([
            "Ferries between Busan and Fukuoka were cancelled.",
            "Farmers marched in Paris, France, and in Brussels.",
            "The summit in Nairobi ended without a statement.",
            "Floods hit Dhaka again this week.",
            "Nothing happened anywhere today.",
        ])
    ]
    local = parse(texts)
    remote = parse_dask(texts, scheduler=client, batch_size=2)
    _same(remote.articles, local.articles)
    _same(remote.mentions, local.mentions)
    _same(remote.places, local.places)
    assert len(local.mentions) >= 5


def test_missing_extra_message(monkeypatch) -> None:
    import sys

    import geo.distributed as gd

    monkeypatch.setitem(sys.modules, "dask_geopandas", None)  # makes `import dask_geopandas` fail
    with pytest.raises(ImportError, match=r"pip install 'eventmap\[dask\]'"):
        gd.query_dask("anywhere")
    with pytest.raises(ImportError, match=r"dask_geopandas is missing"):
        gd.parse_dask(["some text"])


def test_cli_engine_dask(client, store: Store, tmp_path: Path) -> None:
    import geopandas as gpd
    from click.testing import CliRunner

    from geo.cli import main

    outs = {}
    for engine in ("local", "dask"):
        out = tmp_path / f"{engine}.parquet"
        args = ["query", "--store", str(store.path), "--bbox", "-180,-90,0,90", "--min-confidence", "0.3",
                "-o", str(out), "--engine", engine]
        if engine == "dask":
            args += ["--scheduler", client.scheduler.address]
        r = CliRunner().invoke(main, args, catch_exceptions=False)
        assert r.exit_code == 0, r.output
        outs[engine] = gpd.read_parquet(out)
    assert len(outs["local"]) > 0
    _same(outs["dask"], outs["local"])

    news = tmp_path / "news.jsonl"
    news.write_text('{"id": "k1", "text": "Ships left Busan for Tokyo."}\n'
                    '{"id": "k2", "text": "Rain fell on Lima and Quito."}\n', encoding="utf-8")
    stores = {}
    for engine in ("local", "dask"):
        args = ["ingest", str(news), "--store", str(tmp_path / engine), "--engine", engine, "--batch-size", "1"]
        if engine == "dask":
            args += ["--scheduler", client.scheduler.address]
        r = CliRunner().invoke(main, args, catch_exceptions=False)
        assert r.exit_code == 0, r.output
        stores[engine] = Store(tmp_path / engine)
    assert len(stores["dask"].batches) == 2
    _same(stores["dask"].mentions, stores["local"].mentions)
    _same(stores["dask"].articles, stores["local"].articles)


def test_parse_matches_local_with_source_context(client, kansas_paper) -> None:
    from geo.pipeline import parse

    texts = kansas_paper.articles
    local = parse(texts)
    remote = parse_dask(texts, scheduler=client, batch_size=2)   # the second pass runs remotely
    _same(remote.mentions, local.mentions)
    m = remote.mentions
    assert m.loc[m["text"] == "Beloit", "admin1"].tolist() == ["KS"]
