"""Audit: outputs that cannot be written fail at once, with one line naming the user's path.

Root ignores file permissions, so the unwritable place is sysfs (/sys), where
no one may create files.
"""
from __future__ import annotations

import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from geo._synthetic import synthetic_results
from geo.cli import main
from geo.errors import OutputError
from geo.export import write
from geo.frames import build_frames
from geo.store import Store


def _unwritable_dir() -> Path:
    d = Path("/sys")
    try:
        (d / f"eventmap-probe-{uuid.uuid4().hex}").touch()
    except OSError:
        return d
    pytest.skip("no unwritable directory here")  # pragma: no cover


@pytest.fixture(scope="module")
def frames():
    return build_frames(synthetic_results(6, seed=4))


@pytest.mark.parametrize("ext", [".parquet", ".gpkg", ".fgb", ".geojson", ".csv"])
def test_writer_library_errors_name_the_output_not_its_temp_file(frames, ext: str) -> None:
    target = _unwritable_dir() / f"out{ext}"
    with pytest.raises(OutputError) as info:
        write(frames[1], target, layer="mentions", articles=frames[0])
    message = str(info.value)
    assert message.startswith(f"cannot write {target}:"), message
    assert ".tmp" not in message, message


@pytest.mark.parametrize(("args", "ext"), [
    (["parse", "{src}"], ".parquet"), (["parse", "{src}"], ".gpkg"), (["parse", "{src}"], ".fgb"),
    (["export", "--store", "{store}"], ".gpkg"), (["query", "--store", "{store}"], ".parquet"),
])
def test_cli_unwritable_output_fails_before_the_work(tmp_path: Path, frames, args: list[str], ext: str) -> None:
    src = tmp_path / "news.txt"
    src.write_text("Floods hit Dhaka and Chittagong.\n", encoding="utf-8")
    store = tmp_path / "st"
    Store(store).ingest(SimpleNamespace(articles=frames[0], mentions=frames[1]))
    target = _unwritable_dir() / f"out{ext}"
    argv = [a.format(src=src, store=store) for a in args] + ["-o", str(target)]
    r = CliRunner().invoke(main, argv)
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output
    assert r.output.strip() == f"Error: cannot write {target}: Permission denied", r.output


@pytest.mark.parametrize("ext", [".jsonl", ".geojson", ".parquet", ".csv"])
def test_replacing_an_output_keeps_its_permissions(tmp_path: Path, ext: str) -> None:
    src = tmp_path / "news.txt"
    src.write_text("Floods hit Dhaka and Chittagong.\n", encoding="utf-8")
    out = tmp_path / f"private{ext}"
    out.write_text("old", encoding="utf-8")
    out.chmod(0o600)
    r = CliRunner().invoke(main, ["parse", str(src), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert out.stat().st_mode & 0o777 == 0o600
    assert out.read_bytes() != b"old"


def test_an_output_that_is_a_symlink_is_written_through(tmp_path: Path) -> None:
    src = tmp_path / "news.txt"
    src.write_text("Floods hit Dhaka and Chittagong.\n", encoding="utf-8")
    (tmp_path / "results").mkdir()
    target = tmp_path / "results" / "latest.jsonl"
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "out.jsonl"
    link.symlink_to(target)
    r = CliRunner().invoke(main, ["parse", str(src), "-o", str(link)])
    assert r.exit_code == 0, r.output
    assert link.is_symlink()
    assert "Dhaka" in target.read_text(encoding="utf-8")
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == ["latest.jsonl"]


def test_parse_to_a_closed_stdout_is_a_clean_error(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    src = tmp_path / "news.txt"
    src.write_text("Floods hit Dhaka and Chittagong.\n", encoding="utf-8")
    r = subprocess.run([str(Path(sys.executable).with_name("eventmap")), "parse", str(src)],
                       check=False, stderr=subprocess.PIPE, text=True, timeout=120,
                       preexec_fn=lambda: os.close(1))  # `eventmap parse news.txt >&-`
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert "standard output is closed" in r.stderr
