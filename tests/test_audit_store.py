"""Audit: ``eventmap ingest`` never deletes or takes over files that are not the store's own."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from geo.cli import main


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def article(tmp_path: Path) -> Path:
    p = tmp_path / "flood.txt"
    p.write_text("Floods hit Dhaka and Chittagong.\n", encoding="utf-8")
    return p


def test_ingest_into_a_directory_of_other_files_is_refused_and_touches_nothing(tmp_path: Path) -> None:
    # --store mistyped as a project directory that happens to hold a parts/ folder
    proj = tmp_path / "project"
    (proj / "parts").mkdir(parents=True)
    (proj / "parts" / "chapter1.md").write_text("my notes", encoding="utf-8")
    (proj / "README.md").write_text("readme", encoding="utf-8")
    r = invoke("ingest", str(article(tmp_path)), "--store", str(proj))
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output
    assert f"{proj} is not an eventmap store" in r.output and "README.md" in r.output
    assert (proj / "parts" / "chapter1.md").read_text(encoding="utf-8") == "my notes"
    assert sorted(p.name for p in proj.rglob("*")) == ["README.md", "chapter1.md", "parts"]


def test_ingest_keeps_foreign_files_in_parts_of_a_real_store(tmp_path: Path) -> None:
    st = tmp_path / "news.store"
    assert invoke("ingest", str(article(tmp_path)), "--store", str(st)).exit_code == 0
    keep = st / "parts" / "notes.txt"
    keep.write_text("do not delete", encoding="utf-8")
    orphan = st / "parts" / "000009-0123abcd-mentions.parquet"  # left by a killed writer
    orphan.write_bytes(b"PAR1")
    other = tmp_path / "other.txt"
    other.write_text("Rain in Lisbon and Porto.\n", encoding="utf-8")
    r = invoke("ingest", str(other), "--store", str(st))
    assert r.exit_code == 0, r.output
    assert keep.read_text(encoding="utf-8") == "do not delete"
    assert not orphan.exists()


def test_ingest_resumes_a_store_whose_first_commit_was_interrupted(tmp_path: Path) -> None:
    # a killed first ingest leaves parts/, a lock file and orphan parts but no manifest
    st = tmp_path / "news.store"
    (st / "parts").mkdir(parents=True)
    (st / ".lock").touch()
    (st / "parts" / "000001-0123abcd-articles.parquet").write_bytes(b"PAR1")
    (st / "parts" / ".000001-0123abcd-mentions.0123456789ab.tmp.parquet").write_bytes(b"PAR1")
    r = invoke("ingest", str(article(tmp_path)), "--store", str(st))
    assert r.exit_code == 0, r.output
    assert (st / "manifest.json").is_file()
    assert not (st / "parts" / "000001-0123abcd-articles.parquet").exists()
    assert not (st / "parts" / ".000001-0123abcd-mentions.0123456789ab.tmp.parquet").exists()
    assert invoke("store", "check", "--store", str(st)).exit_code == 0


def test_ingest_counts_what_an_online_geocoder_left_undone_as_parse_does(tmp_path: Path) -> None:
    # a name the gazetteer lacks goes to the online service, which is down (a closed local port)
    src = tmp_path / "gold.jsonl"
    src.write_text('{"id": "u1", "text": "Rain in Qwertzuiopville and Oslo.", '
                   '"toponyms": [{"start": 8, "end": 23}, {"start": 28, "end": 32}]}\n', encoding="utf-8")
    common = ["--given-spans", str(src), "--geocoder", "offline+nominatim", "--user-agent",
              "eventmap-tests/1.0 (tests@example.org)", "--domain", "127.0.0.1:9",
              "--geocode-cache", str(tmp_path / "cache.db")]
    parsed = invoke("parse", *common, "-o", str(tmp_path / "out.jsonl"))
    stored = invoke("ingest", *common, "--store", str(tmp_path / "st"))
    for r in (parsed, stored):
        assert r.exit_code == 3, r.output
        assert f"{src}:1: online geocoding of 'Qwertzuiopville' failed" in r.output
    assert "1 new" in stored.output  # the article is stored all the same, Oslo resolved


def test_ingest_stopped_by_strict_says_what_was_committed_before(tmp_path: Path) -> None:
    import json

    good = tmp_path / "a.jsonl"
    good.write_text("".join(json.dumps({"id": f"n{i}", "text": "Storms hit Lisbon and Porto."}) + "\n"
                            for i in range(5)), encoding="utf-8")
    bad = tmp_path / "b.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    st = tmp_path / "st"
    r = invoke("ingest", str(good), str(bad), "--store", str(st), "--strict", "--batch-size", "2")
    assert r.exit_code == 1, r.output
    assert f"{st}: 4 new, 0 replaced, 0 unchanged articles" in r.output
    assert "(committed before the error)" in r.output
    assert f"Error: {bad}: binary file" in r.output
