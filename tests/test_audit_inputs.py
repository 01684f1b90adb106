"""Audit of bad input through the real CLI: each case once broke a run (traceback, lost data).

Real files in tmp_path, the real ``eventmap`` command through click's CliRunner.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from geo.cli import main


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def no_traceback(r: Result) -> None:
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in r.output


@pytest.mark.parametrize("ext", [".jsonl", ".geojson", ".csv"])
def test_lone_surrogate_escape_in_jsonl_is_replaced_not_fatal(tmp_path: Path, ext: str, caplog) -> None:
    # JSON allows "\ud800" (half of a UTF-16 pair): a str that no UTF-8 writer accepts
    src = tmp_path / "news.jsonl"
    src.write_text('{"id": "s1", "text": "Rain in Oslo \\ud800 today.", "title": "T \\udc00"}\n'
                   '{"id": "s2", "text": "Sun in Rome."}\n', encoding="utf-8")
    out = tmp_path / f"out{ext}"
    caplog.set_level(logging.WARNING, logger="geo.articles")
    r = invoke("parse", str(src), "-o", str(out))
    no_traceback(r)
    assert r.exit_code == 0, r.output
    assert f"{src}:1: lone UTF-16 surrogate escape(s) in 'text', 'title'" in caplog.text
    data = out.read_text(encoding="utf-8")
    assert "s1" in data and "s2" in data
    assert "\ufffd" in data


def test_lone_surrogate_keeps_given_span_offsets(tmp_path: Path) -> None:
    src = tmp_path / "gold.jsonl"
    src.write_text('{"id": "g", "text": "\\ud800 Rain in Oslo.", "toponyms": [{"start": 10, "end": 14}]}\n',
                   encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = invoke("parse", "--given-spans", str(src), "-o", str(out))
    no_traceback(r)
    assert r.exit_code == 0, r.output
    (rec,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [m["text"] for m in rec["mentions"]] == ["Oslo"]
