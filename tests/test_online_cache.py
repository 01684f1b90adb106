"""The SQLite geocode cache on its own: keys, TTLs, WAL, several processes at once."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import pytest

from gazetteer._cache import normalize_query
from gazetteer.errors import ConfigurationError
from gazetteer.online import GeocodeCache

HIT = [{"address": "Somewhere", "point": [1.5, -2.5], "raw": {"name": "Somewhere", "n": 1}}]


def test_roundtrip_hit_and_miss(tmp_path):
    cache = GeocodeCache(tmp_path / "c.sqlite3")
    assert cache.get("svc", "geocode", "Somewhere", {"limit": 1}) is None
    cache.put("svc", "geocode", "Somewhere", {"limit": 1}, HIT)
    cache.put("svc", "geocode", "Nowhere", {"limit": 1}, [])
    assert cache.get("svc", "geocode", "somewhere", {"limit": 1}) == HIT
    assert cache.get("svc", "geocode", "Nowhere", {"limit": 1}) == []
    assert (cache.hits, cache.misses, cache.stores) == (2, 1, 2)
    assert len(cache) == 2


@pytest.mark.parametrize("other", [
    ("svc2", "geocode", "Somewhere", {"limit": 1}),
    ("svc", "reverse", "Somewhere", {"limit": 1}),
    ("svc", "geocode", "Somewhere else", {"limit": 1}),
    ("svc", "geocode", "Somewhere", {"limit": 2}),
    ("svc", "geocode", "Somewhere", {"limit": 1, "country_codes": ["fr"]}),
])
def test_key_has_provider_method_query_and_params(tmp_path, other):
    cache = GeocodeCache(tmp_path / "c.sqlite3")
    cache.put("svc", "geocode", "Somewhere", {"limit": 1}, HIT)
    assert cache.get(*other) is None


def test_param_order_does_not_matter(tmp_path):
    cache = GeocodeCache(tmp_path / "c.sqlite3")
    cache.put("svc", "geocode", "x", {"a": 1, "b": 2}, HIT)
    assert cache.get("svc", "geocode", "x", {"b": 2, "a": 1}) == HIT


def test_normalize_query():
    assert normalize_query("  New\tYORK ") == "new york"
    assert normalize_query("Cafe\u0301") == normalize_query("Caf\u00e9")  # NFC
    assert normalize_query((35.1, 129.0)) == "35.100000,129.000000"
    assert normalize_query({"country": "France", "city": " Paris"}) == "city=paris&country=france"


def test_ttls_apply_when_reading(tmp_path):
    path = tmp_path / "c.sqlite3"
    writer = GeocodeCache(path)
    writer.put("svc", "geocode", "hit", {}, HIT)
    writer.put("svc", "geocode", "miss", {}, [])
    assert GeocodeCache(path, ttl=None, negative_ttl=None).get("svc", "geocode", "miss", {}) == []
    strict = GeocodeCache(path, ttl=0, negative_ttl=0)
    assert strict.get("svc", "geocode", "hit", {}) is None
    assert strict.get("svc", "geocode", "miss", {}) is None
    assert strict.purge_expired() == 2
    assert len(writer) == 0


def test_wal_mode(tmp_path):
    path = tmp_path / "c.sqlite3"
    GeocodeCache(path).put("svc", "geocode", "x", {}, HIT)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_unreadable_entry_is_ignored(tmp_path, caplog):
    path = tmp_path / "c.sqlite3"
    cache = GeocodeCache(path)
    cache.put("svc", "geocode", "x", {}, HIT)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE answers SET value = '{broken'")
    assert cache.get("svc", "geocode", "x", {}) is None
    assert "unreadable entry" in caplog.text


def test_other_schema_version_is_refused(tmp_path):
    path = tmp_path / "c.sqlite3"
    GeocodeCache(path).put("svc", "geocode", "x", {}, HIT)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(ConfigurationError, match="schema version 99"):
        GeocodeCache(path).get("svc", "geocode", "x", {})


def test_several_processes_write_and_read_at_once(tmp_path):
    path = tmp_path / "shared.sqlite3"
    script = textwrap.dedent("""
        import sys
        from gazetteer.online import GeocodeCache
        me, path = sys.argv[1], sys.argv[2]
        cache = GeocodeCache(path)
        for i in range(150):
            cache.put("svc", "geocode", f"q{me}-{i}", {"limit": 1},
                      [{"address": f"A{me}-{i}", "point": [i / 10, -i / 10], "raw": {"i": i}}] if i % 3 else [])
            cache.get("svc", "geocode", f"q{(int(me) + 1) % 3}-{i}", {"limit": 1})
        print(len(cache))
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script, str(n), str(path)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(3)]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err for _, err in outs]
    cache = GeocodeCache(path)
    assert len(cache) == 450
    assert cache.get("svc", "geocode", "Q2-7", {"limit": 1}) == [
        {"address": "A2-7", "point": [0.7, -0.7], "raw": {"i": 7}}]
    assert cache.get("svc", "geocode", "q1-9", {"limit": 1}) == []


def test_a_locked_cache_degrades_to_no_cache(tmp_path, caplog):
    path = tmp_path / "c.sqlite3"
    cache = GeocodeCache(path)
    cache.put("svc", "geocode", "x", {}, HIT)
    blocker = sqlite3.connect(path, timeout=0, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another process holding the file
    try:
        cache._connect().execute("PRAGMA busy_timeout = 50")  # do not wait 30 s in a test
        cache.put("svc", "geocode", "y", {}, HIT)
        assert cache.stores == 1 and "cannot store" in caplog.text
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert cache.get("svc", "geocode", "x", {}) == HIT
