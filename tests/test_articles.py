"""Article readers on real files: every format, encodings, bad input, ids, stdin."""
from __future__ import annotations

import io
import json
import logging
import sys
from pathlib import Path

import pytest

from geo.articles import (
    Article,
    article_id,
    read_articles,
    read_csv,
    read_feed,
    read_jsonl,
    read_txt,
    to_articles,
)
from geo.errors import EventmapError, InputError

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

STORY = ("Flood waters rose along the river\n\n"
         "Heavy rain swept through Lyon and Grenoble on Monday, and officials in Valence "
         "opened shelters for families near the Rhône.\n")


def collect(inputs, **kwargs):
    """Read everything, returning (articles, errors) with errors collected, not logged."""
    errors: list[InputError] = []
    articles = list(read_articles(inputs, on_error=errors.append, **kwargs))
    return articles, errors


def write_jsonl(path: Path, records) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records),
                    encoding="utf-8")
    return path


# -- formats --------------------------------------------------------------------------

def test_txt_whole_file_is_text_and_first_line_title(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text("\n\n" + STORY, encoding="utf-8")
    [art], errors = collect(path)
    assert errors == []
    assert art.text == "\n\n" + STORY
    assert art.title == "Flood waters rose along the river"
    assert art.origin == str(path)
    assert art.id == article_id(art.text)
    assert art.toponyms is None


def test_html_extracts_main_text_without_boilerplate(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("""<!doctype html><html><head>
      <title>Storm Hits Coastal Towns | Harbour Times</title>
      <meta property="og:url" content="https://harbour.example.com/storm">
      <meta property="og:site_name" content="Harbour Times">
      <meta property="article:published_time" content="2025-02-03T08:00:00Z">
      </head><body>
      <nav><a href="/">Home</a> <a href="/sport">Sport</a> <a href="/weather">Weather</a></nav>
      <article><h1>Storm Hits Coastal Towns</h1>
      <p>A winter storm brought gusts of more than 120 km/h to the coast of Brittany on Sunday,
      cutting power to homes in Brest and Quimper and grounding ferries at Roscoff.</p>
      <p>Forecasters in Rennes said the wind would ease by Tuesday, but warned of flooding along
      the Loire estuary near Nantes and Saint-Nazaire as high tides coincide with the storm surge.</p>
      </article>
      <footer>Copyright Harbour Times. Privacy policy. Cookie settings. Subscribe now.</footer>
      </body></html>""", encoding="utf-8")
    [art], errors = collect(path)
    assert errors == []
    assert "cutting power to homes in Brest" in art.text
    assert "Saint-Nazaire" in art.text
    assert "Cookie settings" not in art.text and "Sport" not in art.text
    assert art.title == "Storm Hits Coastal Towns"
    assert art.date == "2025-02-03"
    assert art.url == "https://harbour.example.com/storm"
    assert art.source == "Harbour Times"


def test_jsonl_nan_and_infinity_fields_are_missing(tmp_path):
    # pandas' to_json writes NaN for a missing title; Python's json reads it as a float
    path = tmp_path / "nan.jsonl"
    path.write_text('{"id": "n1", "title": NaN, "source": Infinity, "url": NaN, '
                    '"text": "Talks in Geneva."}\n', encoding="utf-8")
    (a,), errors = collect(path)
    assert errors == []
    assert (a.title, a.source, a.url) == (None, None, None)


def test_jsonl_fields_and_other_keys_ignored(tmp_path):
    path = write_jsonl(tmp_path / "batch.jsonl", [
        {"id": 17, "text": "Talks in Geneva.", "title": "Talks", "url": "https://e.example/1",
         "date": "2024-05-01", "source": "Wire", "extra": {"nested": True},
         "toponyms": [{"start": 9, "end": 15}]},
        {"text": "Markets in Lagos."},
    ])
    arts, errors = collect(path)
    assert errors == []
    a, b = arts
    assert (a.id, a.title, a.url, a.date, a.source) == ("17", "Talks", "https://e.example/1",
                                                         "2024-05-01", "Wire")
    assert a.origin == f"{path}:1" and b.origin == f"{path}:2"
    assert a.toponyms is None  # gold spans only with given_spans=True
    assert b.id == article_id("Markets in Lagos.") and b.title is None


def test_jsonl_custom_columns(tmp_path):
    path = write_jsonl(tmp_path / "b.ndjson", [{"key": "k1", "body": "Rain in Oslo.", "headline": "Rain"}])
    [art], errors = collect(path, text_column="body", id_column="key", title_column="headline")
    assert errors == [] and (art.id, art.text, art.title) == ("k1", "Rain in Oslo.", "Rain")


def test_csv_and_tsv_with_big_multiline_fields(tmp_path):
    big = ("Snow closed roads around Calgary and Banff. " * 6000).strip()  # > csv's 128 KiB default
    assert len(big) > 131072
    csv_path = tmp_path / "news.csv"
    csv_path.write_text('id,title,text,date\n'
                        f'a1,"Snow, again","{big}",2024-01-02\n'
                        'a2,Second,"Line one in Perth.\nLine two in Darwin.",\n', encoding="utf-8")
    arts, errors = collect(csv_path)
    assert errors == []
    assert [a.id for a in arts] == ["a1", "a2"]
    assert arts[0].text == big and arts[0].title == "Snow, again" and arts[0].date == "2024-01-02"
    assert arts[1].text == "Line one in Perth.\nLine two in Darwin."
    assert arts[1].date is None
    assert [a.origin for a in arts] == [f"{csv_path}:2", f"{csv_path}:3"]

    tsv_path = tmp_path / "news.tsv"
    tsv_path.write_text("body\tsource\nFerries halted in Tallinn.\tBaltic Wire\n", encoding="utf-8")
    [art], errors = collect(tsv_path, text_column="body")
    assert errors == [] and art.text == "Ferries halted in Tallinn." and art.source == "Baltic Wire"


def test_csv_missing_text_column_is_an_error_naming_file_and_columns(tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("id,body\n1,Some text\n", encoding="utf-8")
    arts, errors = collect(path)
    assert arts == []
    [err] = errors
    assert err.where == f"{path}:1"
    assert "'text'" in str(err) and "'body'" in str(err) and str(path) in str(err)


def test_csv_row_with_extra_fields_skipped_others_read(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("id,text\n1,Fine row in Cork.\n2,bad,extra\n3,Fine row in Galway.\n", encoding="utf-8")
    arts, errors = collect(path)
    assert [a.id for a in arts] == ["1", "3"]
    [err] = errors
    assert err.where == f"{path}:3" and "expected 2 fields, got 3" in str(err)


RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Island Herald</title><link>https://ih.example</link>
<item><title>Quake felt in Wellington</title><link>https://ih.example/quake</link>
<guid>ih-1</guid><pubDate>Mon, 06 Jan 2025 10:00:00 +1300</pubDate>
<description>&lt;p&gt;A moderate quake shook &lt;b&gt;Wellington&lt;/b&gt;.&lt;/p&gt;&lt;p&gt;No damage in Nelson.&lt;/p&gt;</description>
</item>
<item><title>Empty one</title><link>https://ih.example/empty</link><description></description></item>
</channel></rss>"""


def test_rss_feed_entries(tmp_path):
    path = tmp_path / "feed.rss"
    path.write_bytes(RSS)
    arts, errors = collect(path)
    [art] = arts
    assert art.text == "A moderate quake shook Wellington.\nNo damage in Nelson."
    assert (art.id, art.title, art.url, art.source) == ("ih-1", "Quake felt in Wellington",
                                                       "https://ih.example/quake", "Island Herald")
    assert art.date == "2025-01-05T21:00:00Z"  # published date, normalised to UTC
    assert art.origin == f"{path}#1"
    [err] = errors
    assert err.where == f"{path}#2" and "empty article" in str(err)


def test_atom_feed_sniffed_without_known_extension(tmp_path):
    path = tmp_path / "updates.dat"
    path.write_text("""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Delta Notes</title><id>urn:x</id>
<updated>2025-03-01T00:00:00Z</updated>
<entry><title>Port reopens</title><id>urn:x:1</id><link href="https://dn.example/1"/>
<updated>2025-03-01T12:30:00Z</updated>
<content type="html">&lt;p&gt;The port of Chittagong reopened.&lt;/p&gt;</content></entry></feed>""",
                    encoding="utf-8")
    [art], errors = collect(path)
    assert errors == []
    assert (art.text, art.url, art.date, art.source) == ("The port of Chittagong reopened.",
                                                         "https://dn.example/1", "2025-03-01T12:30:00Z",
                                                         "Delta Notes")


def test_unparseable_feed_is_an_error_for_that_file(tmp_path):
    bad = tmp_path / "broken.xml"
    bad.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>Cut</ti', encoding="utf-8")
    good = tmp_path / "ok.txt"
    good.write_text("Rain in Kigali.", encoding="utf-8")
    arts, errors = collect([bad, good])
    assert [a.text for a in arts] == ["Rain in Kigali."]
    [err] = errors
    assert err.where == str(bad) and "not a readable RSS/Atom feed" in str(err)
    with pytest.raises(InputError, match="broken.xml"):
        list(read_feed(bad, strict=True))


def test_lower_level_readers_ignore_extension(tmp_path):
    path = tmp_path / "data.log"
    write_jsonl(path, [{"id": "x", "text": "Fog in Hamburg."}])
    [art] = read_jsonl(path)
    assert art.id == "x"
    [as_text] = read_txt(path)
    assert as_text.text.startswith('{"id"')
    csv_path = tmp_path / "rows.dat"
    csv_path.write_text("text\nHail in Graz.\n", encoding="utf-8")
    assert [a.text for a in read_csv(csv_path)] == ["Hail in Graz."]


# -- encodings ------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_bom_variants(tmp_path, encoding):
    text = "Crue à Besançon et São Paulo — «alerte»\nLes rivières débordent."
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    txt = tmp_path / "bom.txt"
    txt.write_bytes(bom + text.encode(encoding))
    jsonl = tmp_path / "bom.jsonl"
    jsonl.write_bytes(bom + (json.dumps({"id": "1", "text": text}, ensure_ascii=False) + "\n"
                             + json.dumps({"id": "2", "text": "Zweite Zeile in Köln"},
                                          ensure_ascii=False) + "\n").encode(encoding))
    arts, errors = collect([txt, jsonl])
    assert errors == []
    assert [a.text for a in arts] == [text, text, "Zweite Zeile in Köln"]
    assert not arts[0].text.startswith("\ufeff")


def test_csv_with_utf8_bom_header(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("text,id\nNieve en León,7\n".encode("utf-8-sig"))
    [art], errors = collect(path)
    assert errors == [] and art.id == "7" and art.text == "Nieve en León"


LATIN = ("Le président a visité São Paulo puis Besançon, où les élèves étaient très contents. "
         "À Genève, la délégation a déjeuné près du lac avant de repartir vers Orléans.")


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_legacy_encoding_detected_with_warning(tmp_path, caplog, encoding):
    path = tmp_path / "legacy.txt"
    path.write_bytes(LATIN.encode(encoding))
    with caplog.at_level(logging.WARNING):
        [art], errors = collect(path)
    assert errors == []
    assert art.text == LATIN
    [record] = [r for r in caplog.records if "not UTF-8" in r.getMessage()]
    assert str(path) in record.getMessage() and "cp1252" in record.getMessage()


def test_legacy_encoding_in_jsonl_after_utf8_lines(tmp_path, caplog):
    path = tmp_path / "mixed.jsonl"
    ascii_line = json.dumps({"id": "a", "text": "Plain ASCII text about Rome."}) + "\n"
    latin_line = json.dumps({"id": "b", "text": LATIN}, ensure_ascii=False) + "\n"
    path.write_bytes(ascii_line.encode() + latin_line.encode("cp1252"))
    with caplog.at_level(logging.WARNING):
        arts, errors = collect(path)
    assert errors == []
    assert [a.text for a in arts] == ["Plain ASCII text about Rome.", LATIN]
    assert any(f"{path}: not UTF-8 from line 2" in r.getMessage() for r in caplog.records)


def test_damaged_utf8_is_not_mistaken_for_a_legacy_encoding(tmp_path, caplog):
    good = LATIN.encode("utf-8")
    path = tmp_path / "damaged.txt"
    path.write_bytes(good[:40] + b"\xff" + good[40:])
    with caplog.at_level(logging.WARNING):
        [art], errors = collect(path)
    assert errors == []
    assert art.text == good[:40].decode() + "\ufffd" + good[40:].decode()
    assert any("invalid byte sequence" in r.getMessage() and str(path) in r.getMessage()
               for r in caplog.records)


def test_binary_file_is_an_error_naming_the_file(tmp_path):
    png = tmp_path / "image.txt"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    blob = tmp_path / "blob.jsonl"
    blob.write_bytes(b'{"text": "x"}\n\x00\x01\x02')
    arts, errors = collect([png, blob])
    assert arts == []
    assert [e.where for e in errors] == [str(png), str(blob)]
    assert all("binary file" in str(e) for e in errors)


def test_empty_file_and_empty_article(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.txt"
    blank.write_text("  \n\t\n", encoding="utf-8")
    records = write_jsonl(tmp_path / "r.jsonl", [{"id": "1", "text": "   "}, {"id": "2", "text": "ok"},
                                                 {"id": "3"}, {"id": "4", "text": 5}])
    arts, errors = collect([empty, blank, records])
    assert [a.id for a in arts] == ["2"]
    assert [(e.where, e.message) for e in errors] == [
        (str(empty), "empty file"),
        (str(blank), "empty file"),
        (f"{records}:1", "empty article"),
        (f"{records}:3", "no 'text' field"),
        (f"{records}:4", "field 'text' must be a string, got int"),
    ]


def test_malformed_jsonl_line_in_the_middle(tmp_path, caplog):
    path = write_jsonl(tmp_path / "data.jsonl", [
        {"id": "1", "text": "First, from Accra."},
        '{"id": "2", "text": "broken" "oops"}',
        "[1, 2]",
        "",
        {"id": "5", "text": "Fifth, from Dakar."},
    ])
    with caplog.at_level(logging.WARNING, logger="geo.articles"):
        arts = list(read_articles(path))  # default handler: a warning per skipped item
    assert [a.id for a in arts] == ["1", "5"]
    messages = [r.getMessage() for r in caplog.records]
    assert f"{path}:2: malformed JSON (Expecting ',' delimiter at column 30); skipped" in messages
    assert f"{path}:3: expected a JSON object, got an array; skipped" in messages

    with pytest.raises(InputError) as info:
        list(read_articles(path, strict=True))
    assert info.value.where == f"{path}:2"
    assert isinstance(info.value, (EventmapError, ValueError))


def test_huge_files_over_max_bytes(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("Storm over Manila. " * 100, encoding="utf-8")
    small = tmp_path / "small.txt"
    small.write_text("Storm over Cebu.", encoding="utf-8")
    arts, errors = collect([big, small], max_bytes=1000)
    assert [a.text for a in arts] == ["Storm over Cebu."]
    [err] = errors
    assert err.where == str(big) and "1,900 bytes" in str(err) and "1,000-byte limit" in str(err)

    # line formats stream: the limit applies per article text, not to the file
    lines = write_jsonl(tmp_path / "many.jsonl", [{"id": str(i), "text": "Quiet day in Turku."}
                                                  for i in range(100)]
                        + [{"id": "big", "text": "x" * 2000}])
    arts, errors = collect(lines, max_bytes=1000)
    assert len(arts) == 100
    [err] = errors
    assert err.where == f"{lines}:101" and "2,000 bytes" in str(err)


def test_over_long_line_is_skipped_without_reading_it_whole(tmp_path):
    from geo._encoding import iter_lines

    data = b"short\n" + b"y" * 5000 + b"\nlast"
    out = list(iter_lines(io.BytesIO(data), "f", max_line=100))
    assert out[0] == (1, "short\n") and out[2] == (3, "last")
    assert isinstance(out[1][1], InputError) and out[1][1].where == "f:2"


# -- directories, stdin, missing paths -------------------------------------------------

def test_directory_recursion_is_sorted_and_skips_hidden(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "deep").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    for rel in ["z.txt", "b/one.txt", "a/two.txt", "a/deep/three.txt", ".hidden.txt",
                ".git/config.txt", "a/notes.md", "a/image.png"]:
        (tmp_path / rel).write_text(f"Article {rel} mentions Quito.", encoding="utf-8")
    arts, errors = collect(tmp_path)
    assert errors == []
    rel = [Path(a.origin).relative_to(tmp_path).as_posix() for a in arts]
    assert rel == ["z.txt", "a/two.txt", "a/deep/three.txt", "b/one.txt"]
    again, _ = collect(tmp_path)
    assert [a.id for a in again] == [a.id for a in arts]


def test_glob_patterns_expand_sorted(tmp_path):
    for name in ["b.txt", "a.txt", "c.md"]:
        (tmp_path / name).write_text(f"News from {name} about Lima.", encoding="utf-8")
    arts, errors = collect([str(tmp_path / "*.txt"), str(tmp_path / "*.nothing")])
    assert [Path(a.origin).name for a in arts] == ["a.txt", "b.txt"]
    [err] = errors
    assert "no file matches" in str(err) and err.where.endswith("*.nothing")


def test_empty_directory_and_missing_path(tmp_path):
    (tmp_path / "empty").mkdir()
    arts, errors = collect([tmp_path / "empty", tmp_path / "nope.jsonl"])
    assert arts == []
    assert "no article files" in str(errors[0]) and errors[0].where == str(tmp_path / "empty")
    assert str(errors[1]) == f"{tmp_path / 'nope.jsonl'}: no such file or directory"


def _fake_stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_stdin_jsonl(monkeypatch):
    _fake_stdin(monkeypatch, b'\n{"id": "s1", "text": "Wind in Reykjavik."}\n{"text": "Sun in Faro."}\nnot json\n')
    arts, errors = collect("-")
    assert [a.text for a in arts] == ["Wind in Reykjavik.", "Sun in Faro."]
    assert arts[0].origin == "<stdin>:2"
    [err] = errors
    assert err.where == "<stdin>:4" and "malformed JSON" in str(err)


def test_stdin_plain_text(monkeypatch):
    _fake_stdin(monkeypatch, "Heat wave in Seville\nTemperatures hit 44 °C in Córdoba.".encode())
    [art], errors = collect("-")
    assert errors == []
    assert art.title == "Heat wave in Seville" and art.text.endswith("Córdoba.")
    assert art.origin == "<stdin>"


def test_stdin_text_longer_than_the_sniffed_head(monkeypatch):
    body = "Ferries to Zanzibar resumed on Friday. " * 400  # well past the 4 KiB sniffed first
    _fake_stdin(monkeypatch, body.encode())
    [art], errors = collect("-")
    assert errors == [] and art.text == body


def test_stdin_over_max_bytes(monkeypatch):
    _fake_stdin(monkeypatch, b"word " * 500)
    arts, errors = collect("-", max_bytes=100)
    assert arts == [] and errors[0].where == "<stdin>" and "100-byte limit" in str(errors[0])


# -- ids, duplicates, given spans ----------------------------------------------------

def test_ids_are_stable_across_reads(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", [
        {"text": "Ice on the Danube near Vienna.", "url": "https://u.example/1"},
        {"text": "Ice on the Danube near Vienna."},
    ])
    (tmp_path / "b.txt").write_text("Fog in Lisbon.", encoding="utf-8")
    first = [a.id for a in collect(tmp_path)[0]]
    second = [a.id for a in collect(tmp_path)[0]]
    assert first == second and len(set(first)) == 3  # url is part of a derived id
    assert first[1] == article_id("Ice on the Danube near Vienna.")


def test_duplicates_skipped_or_renamed(tmp_path, caplog):
    path = write_jsonl(tmp_path / "d.jsonl", [
        {"id": "7", "text": "Flooding in Dhaka."},
        {"id": "7", "text": "Flooding in Dhaka."},  # same article again
        {"id": "7", "text": "Cyclone near Chittagong."},  # reused id, different text
        {"text": "Same text."}, {"text": "Same text."},
    ])
    with caplog.at_level(logging.WARNING):
        arts, errors = collect(path)
    assert errors == []
    assert [a.id for a in arts] == ["7", "7-2", article_id("Same text.")]
    assert arts[1].text == "Cyclone near Chittagong."
    msgs = " | ".join(r.getMessage() for r in caplog.records)
    assert f"{path}:2: duplicate of article 7 ({path}:1); skipped" in msgs
    assert f"{path}:3: id '7' already used by {path}:1; renamed '7-2'" in msgs


def test_given_spans_parsed_and_validated(tmp_path):
    text = "From Hanoi to Hue."
    path = write_jsonl(tmp_path / "gold.jsonl", [
        {"id": "ok", "text": text, "toponyms": [{"start": 5, "end": 10, "name": "Hanoi"}, [14, 17]]},
        {"id": "none", "text": text},
        {"id": "past-end", "text": text, "toponyms": [{"start": 14, "end": 99}]},
        {"id": "reversed", "text": text, "toponyms": [[10, 5]]},
        {"id": "float", "text": text, "toponyms": [{"start": 5.0, "end": 10}]},
        {"id": "shape", "text": text, "toponyms": ["Hanoi"]},
    ])
    arts, errors = collect(path, given_spans=True)
    assert [(a.id, a.toponyms) for a in arts] == [("ok", [(5, 10), (14, 17)]), ("none", [])]
    assert [text[s:e] for s, e in arts[0].toponyms] == ["Hanoi", "Hue"]
    assert [e.where for e in errors] == [f"{path}:{n}" for n in (3, 4, 5, 6)]
    assert "outside the text" in str(errors[0]) and "must be integers" in str(errors[2])
    # without given_spans the same lines are fine and carry no spans
    arts, errors = collect(path)
    assert errors == [] and all(a.toponyms is None for a in arts)


# -- in-memory inputs (geo.parse) -----------------------------------------------------

def test_to_articles_normalises_anything(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("Snow in Sapporo.", encoding="utf-8")
    given = Article(id="mine", text="Rain in Osaka.", title="Rain")
    items = ["Typhoon nears Okinawa\nFerries cancelled.", {"id": 3, "text": "Quake in Sendai."},
             given, path, str(path)]
    errors: list[InputError] = []
    arts = list(to_articles(items, on_error=errors.append))
    assert errors == []
    assert arts[0].text.startswith("Typhoon") and arts[0].title == "Typhoon nears Okinawa"
    assert arts[0].id == article_id(arts[0].text) and arts[0].origin is None
    assert arts[1].id == "3"
    assert arts[2] is given
    assert arts[3].text == "Snow in Sapporo." and arts[3].origin == str(path)
    assert len(arts) == 4  # the same file as str is a duplicate of the Path one: skipped

    [single] = to_articles("Just one text about Kyoto.")
    assert single.text == "Just one text about Kyoto."
    # a dict's text is never taken for a path, even when it names an existing file
    [literal] = to_articles({"text": str(path)})
    assert literal.text == str(path)


def test_to_articles_bad_items(tmp_path):
    errors: list[InputError] = []
    arts = list(to_articles(["", {"title": "no text"}, "missing-file.jsonl", "Fine about Turin."],
                            on_error=errors.append))
    assert [a.text for a in arts] == ["Fine about Turin."]
    assert [e.message.split(" (")[0] for e in errors] == ["empty article", "no 'text' field",
                                                          "no such file or directory"]
    with pytest.raises(TypeError, match="int"):
        list(to_articles([42]))
    with pytest.raises(InputError, match="empty article"):
        list(to_articles(["   "], strict=True))


# -- the bundled examples -------------------------------------------------------------

def test_bundled_examples_read_cleanly():
    arts, errors = collect(EXAMPLES)
    assert errors == []
    assert len(arts) == 7 and len({a.id for a in arts}) == 7
    formats = {Path(a.origin.split(":")[0].split("#")[0]).suffix for a in arts}
    assert formats == {".txt", ".html", ".jsonl", ".rss"}
    for a in arts:
        assert a.title and 100 <= len(a.text.split()) <= 700, a.origin
    html = next(a for a in arts if a.origin.endswith(".html"))
    assert "Brussels" in html.text and "Privacy policy" not in html.text and html.date


# -- compressed files, declared HTML charsets, JSON arrays ----------------------------

def test_compressed_inputs(tmp_path):
    import gzip
    import lzma

    gz = tmp_path / "batch.jsonl.gz"
    gz.write_bytes(gzip.compress(b'{"id": "g1", "text": "Dust storm over Alice Springs."}\n'))
    xz = tmp_path / "note.txt.xz"
    xz.write_bytes(lzma.compress(b"Tide warning for Darwin."))
    corrupt = tmp_path / "bad.jsonl.gz"
    corrupt.write_bytes(gzip.compress(b'{"id": "c1", "text": "Gone."}\n' * 50)[:40])
    arts, errors = collect(tmp_path)
    assert [(a.id, a.origin) for a in arts] == [("g1", f"{gz}:1"),
                                               (article_id("Tide warning for Darwin."), str(xz))]
    [err] = errors
    assert err.where == str(corrupt) and "cannot read" in str(err)


def test_html_declared_charset_is_honoured_without_warning(tmp_path, caplog):
    page = ("<html><head><meta http-equiv='Content-Type' content='text/html; charset=iso-8859-1'>"
            "<title>Neige à Genève</title></head><body><article><h1>Neige à Genève</h1>"
            f"<p>{LATIN}</p><p>{LATIN}</p></article></body></html>")
    path = tmp_path / "latin.htm"
    path.write_bytes(page.encode("latin-1"))
    with caplog.at_level(logging.WARNING):
        [art], errors = collect(path)
    assert errors == [] and art.title == "Neige à Genève" and LATIN in art.text
    assert not [r for r in caplog.records if "not UTF-8" in r.getMessage()]


def test_json_array_and_empty_jsonl(tmp_path):
    arr = tmp_path / "list.json"
    arr.write_text(json.dumps([{"id": "j1", "text": "Rain in Cusco."}, "nope", {"text": ""}]),
                   encoding="utf-8")
    empty = tmp_path / "none.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    arts, errors = collect([arr, empty])
    assert [a.id for a in arts] == ["j1"] and arts[0].origin == f"{arr}#1"
    assert [(e.where, e.message) for e in errors] == [
        (f"{arr}#2", "expected a JSON object, got str"),
        (f"{arr}#3", "empty article"),
        (str(empty), "empty file (no records)"),
    ]
