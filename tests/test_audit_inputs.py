"""Audit of bad input through the real CLI: each case once broke a run (traceback, lost data).

Real files in tmp_path, the real ``eventmap`` command through click's CliRunner.
"""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from geo.cli import main

EVENTMAP = str(Path(sys.executable).with_name("eventmap"))


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


@pytest.mark.parametrize("command", ["parse", "map", "ingest"])
def test_max_bytes_option_skips_a_big_file_and_keeps_the_rest(tmp_path: Path, command: str) -> None:
    small = tmp_path / "a_small.txt"
    small.write_text("Floods hit Dhaka and Chittagong.\n", encoding="utf-8")
    big = tmp_path / "b_big.txt"
    big.write_text("Rain in Lisbon and Porto. " * 100, encoding="utf-8")  # 2,600 bytes
    out = {"parse": ["-o", str(tmp_path / "out.jsonl")], "map": ["-o", str(tmp_path / "m.html")],
           "ingest": ["--store", str(tmp_path / "st")]}[command]
    r = invoke(command, str(small), str(big), *out, "--max-bytes", "1000")
    no_traceback(r)
    assert r.exit_code == 3, r.output
    assert f"{big}: file is 2,600 bytes, over the 1,000-byte limit (max_bytes); skipped" in r.output
    if command == "parse":
        assert len((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()) == 1
    r = invoke(command, str(small), str(big), *out, "--max-bytes", "1000", "--strict")
    assert r.exit_code == 1 and "over the 1,000-byte limit" in r.output, r.output


def test_max_bytes_applies_to_each_record_of_a_jsonl_file(tmp_path: Path) -> None:
    src = tmp_path / "news.jsonl"
    src.write_text(json.dumps({"id": "long", "text": "Rain in Oslo. " * 100}) + "\n"
                   + json.dumps({"id": "short", "text": "Sun in Rome."}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = invoke("parse", str(src), "-o", str(out), "--max-bytes", "500")
    assert r.exit_code == 3, r.output
    assert f"{src}:1: article text is 1,400 bytes, over the 500-byte limit" in r.output
    assert [json.loads(x)["id"] for x in out.read_text(encoding="utf-8").splitlines()] == ["short"]


def test_max_bytes_must_be_positive(tmp_path: Path) -> None:
    r = invoke("parse", str(tmp_path), "--max-bytes", "0")
    assert r.exit_code == 2 and "--max-bytes" in r.output, r.output


def _feed_fifo(path: Path, data: bytes) -> threading.Thread:
    def write() -> None:
        with open(path, "wb") as fh:  # blocks until the reader opens the pipe
            fh.write(data)

    t = threading.Thread(target=write, daemon=True)
    t.start()
    return t


@pytest.mark.parametrize(("name", "data", "expect"), [
    ("63", b"Floods hit Dhaka and Chittagong.\n", "Dhaka"),  # like bash's <(cmd): /dev/fd/63
    ("63", b'{"id": "p1", "text": "Floods hit Dhaka."}\n', '"p1"'),
    ("news.txt", b"Floods hit Dhaka and Chittagong.\n", "Dhaka"),
])
def test_a_pipe_given_by_path_is_read_once_not_lost(tmp_path: Path, name: str, data: bytes, expect: str) -> None:
    fifo = tmp_path / name
    os.mkfifo(fifo)
    writer = _feed_fifo(fifo, data)
    r = subprocess.run([EVENTMAP, "parse", str(fifo)], check=False, capture_output=True, text=True, timeout=120)
    writer.join(timeout=10)
    assert r.returncode == 0, r.stderr
    assert expect in r.stdout, r.stderr


def test_a_fifo_inside_a_directory_is_skipped_not_waited_on(tmp_path: Path) -> None:
    news = tmp_path / "news"
    news.mkdir()
    (news / "a.txt").write_text("Floods hit Dhaka and Chittagong.\n", encoding="utf-8")
    os.mkfifo(news / "b.txt")  # nobody will ever write to it
    r = subprocess.run([EVENTMAP, "parse", str(news)], check=False, capture_output=True, text=True, timeout=120)
    assert r.returncode == 3, r.stderr
    assert f"{news / 'b.txt'}: not a regular file" in r.stderr
    assert "Dhaka" in r.stdout


FEED = ('<rss version="2.0"><channel><title>Coast News</title><item><title>Storms</title>'
        "<description>Rain in Lisbon and Porto.</description></item></channel></rss>")


@pytest.mark.parametrize("data", [
    FEED.encode("utf-16"),  # BOM, no XML declaration: feedparser took it for UTF-8
    FEED.encode("utf-32"),
    ('<?xml version="1.0" encoding="UTF-16"?>' + FEED).encode("utf-16"),
])
def test_utf16_and_utf32_feeds_with_a_bom_are_read(tmp_path: Path, data: bytes) -> None:
    src = tmp_path / "feed.rss"
    src.write_bytes(data)
    out = tmp_path / "out.jsonl"
    r = invoke("parse", str(src), "-o", str(out))
    no_traceback(r)
    assert r.exit_code == 0, r.output
    (rec,) = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert rec["title"] == "Storms"
    assert {m["text"] for m in rec["mentions"]} >= {"Lisbon", "Porto"}


@pytest.mark.parametrize(("name", "content"), [
    ("news.txt", "Rain in Lisbon and Porto.\n"),
    ("news.jsonl", '{"id": "w1", "text": "Rain in Lisbon and Porto."}\n'),
    ("news.csv", "id,text\nw1,Rain in Lisbon and Porto.\n"),
    ("feed.rss", FEED),
])
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_decoded_with_a_warning_not_called_binary(
        tmp_path: Path, caplog, name: str, content: str, codec: str) -> None:
    src = tmp_path / name
    src.write_bytes(content.encode(codec))
    out = tmp_path / "out.jsonl"
    caplog.set_level(logging.WARNING)
    r = invoke("parse", str(src), "-o", str(out))
    assert r.exit_code == 0, r.output
    assert f"{src}: no byte-order mark but looks like {codec}" in caplog.text
    (rec,) = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert {m["text"] for m in rec["mentions"]} >= {"Lisbon", "Porto"}


def test_binary_with_nul_bytes_is_still_refused(tmp_path: Path) -> None:
    src = tmp_path / "image.txt"
    src.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 40)
    r = invoke("parse", str(src))
    assert r.exit_code == 3, r.output
    assert f"{src}: binary file (NUL byte at offset 8)" in r.output


def test_stdout_closed_early_stops_quietly(tmp_path: Path) -> None:
    # `eventmap parse news.jsonl | head -1`
    src = tmp_path / "news.jsonl"
    src.write_text("".join(json.dumps({"id": f"n{i}", "text": "Storms hit Lisbon and Porto."}) + "\n"
                           for i in range(3000)), encoding="utf-8")
    proc = subprocess.Popen([EVENTMAP, "parse", str(src)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=120) == 141, err
    assert json.loads(first)["id"] == "n0"
    assert "Error" not in err and "Traceback" not in err, err


def test_json_file_nested_too_deeply_is_skipped_not_a_traceback(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    good = tmp_path / "good.txt"
    good.write_text("Floods hit Dhaka and Chittagong.\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = invoke("parse", str(deep), str(good), "-o", str(out))
    no_traceback(r)
    assert r.exit_code == 3, r.output
    assert f"{deep}: malformed JSON (nested too deeply); skipped" in r.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1


@pytest.mark.parametrize("label", ["utf-16le", "UTF-16", "utf-32"])
def test_html_whose_meta_claims_utf16_is_read_as_utf8(tmp_path: Path, label: str) -> None:
    # WHATWG: a <meta> that could be read as ASCII is not in UTF-16/32; browsers use UTF-8
    page = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={label}">'
            "<title>Storm</title></head><body><article><p>Rain in Lisbon and Porto today, as storms "
            "hit the coast again this week.</p></article></body></html>\n")
    page += " " * (len(page) % 2)  # even length: it would "decode" as UTF-16 into garbage
    src = tmp_path / "page.html"
    src.write_text(page, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = invoke("parse", str(src), "-o", str(out))
    assert r.exit_code == 0, r.output
    (rec,) = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert rec["title"] == "Storm"
    assert {m["text"] for m in rec["mentions"]} >= {"Lisbon", "Porto"}


def test_html_extraction_problems_are_our_one_message_not_library_log_lines(tmp_path: Path, caplog) -> None:
    src = tmp_path / "empty-page.html"
    src.write_text("<html><body><script>" + "x" * 500 + "</script></body></html>\n", encoding="utf-8")
    caplog.set_level(logging.DEBUG)
    r = invoke("parse", str(src))
    assert r.exit_code == 3, r.output
    assert f"{src}: no article text found in the HTML page; skipped" in r.output
    noise = [rec for rec in caplog.records if rec.name.startswith("trafilatura") and rec.levelno >= logging.WARNING]
    assert not noise, [rec.getMessage() for rec in noise]


@pytest.mark.parametrize("name", ["out.csv", "out.jsonl", "sub/out.json"])
def test_rerun_does_not_read_its_own_output_inside_the_input_directory(tmp_path: Path, name: str) -> None:
    news = tmp_path / "news"
    news.mkdir()
    (news / "a.txt").write_text("Floods hit Dhaka and Chittagong.\n", encoding="utf-8")
    out = news / name
    if out.suffix == ".json":
        out = out.with_suffix(".jsonl")
    for _ in range(2):  # the second run finds the first run's output among its inputs
        r = invoke("parse", str(news), "-o", str(out))
        assert r.exit_code == 0, r.output
        assert "1 article parsed" in r.output, r.output


def test_map_rerun_does_not_read_its_map_or_pages_as_articles(tmp_path: Path) -> None:
    news = tmp_path / "news"
    news.mkdir()
    (news / "a.txt").write_text("Floods hit Dhaka and Chittagong.\n", encoding="utf-8")
    for _ in range(2):
        r = invoke("map", str(news), "-o", str(news / "map.html"), "--articles-dir", str(news / "pages"))
        assert r.exit_code == 0, r.output
        assert "1 article page " in r.output, r.output


@pytest.mark.parametrize(("data", "args", "ids"), [
    ('id,title,text\n1,Storm,"Rain in Lisbon and Porto."\n2,Quake,Tremors in Lima.\n', [], ["1", "2"]),
    ("id\ttext\nt1\tRain in Oslo.\n", [], ["t1"]),
    ("id,body\nb1,Rain in Oslo.\n", ["--text-column", "body"], ["b1"]),
])
def test_csv_and_tsv_on_stdin_are_read_as_tables(data: str, args: list[str], ids: list[str]) -> None:
    r = CliRunner().invoke(main, ["parse", *args, "-"], input=data.encode("utf-8"))
    assert r.exit_code == 0, r.output
    records = [json.loads(x) for x in r.output.splitlines() if x.startswith("{")]
    assert [rec["id"] for rec in records] == ids


def test_a_sentence_with_commas_on_stdin_is_still_text() -> None:
    text = "Apples, text, and pears were sold in Lisbon.\n"
    r = CliRunner().invoke(main, ["parse", "-"], input=text.encode("utf-8"))
    assert r.exit_code == 0, r.output
    (rec,) = [json.loads(x) for x in r.output.splitlines() if x.startswith("{")]
    assert rec["title"] == text.strip()
