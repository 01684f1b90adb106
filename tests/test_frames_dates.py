"""Article dates into frames: UTC, Unix times read as such, unreadable ones reported."""
from __future__ import annotations

import logging

import pandas as pd

from geo._synthetic import synthetic_results
from geo.frames import build_frames, parse_dates


def test_offsets_become_utc() -> None:
    got = parse_dates(["2024-03-04T23:30:00-05:00", "Mon, 04 Mar 2024 10:00:00 GMT", "2024-03-04"])
    assert got.tolist() == [pd.Timestamp("2024-03-05T04:30Z"), pd.Timestamp("2024-03-04T10:00Z"),
                            pd.Timestamp("2024-03-04T00:00Z")]


def test_unix_times_are_seconds_or_milliseconds_not_nanoseconds() -> None:
    expected = pd.Timestamp("2023-11-14T22:13:20Z")
    got = parse_dates(["1700000000", "1700000000000", 1700000000, 1.7e12, "1700000000.5"])
    assert got.tolist()[:4] == [expected] * 4
    assert got.iloc[4] == expected + pd.Timedelta(milliseconds=500)
    # eight digits stay a calendar date
    assert parse_dates(["20240304"]).iloc[0] == pd.Timestamp("2024-03-04T00:00Z")


def test_unreadable_dates_are_empty_with_one_warning_naming_the_origin(caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="geo.frames"):
        got = parse_dates(["2024-13-45", None, "", "soon", "2024-01-02"], ["f.jsonl:1", "f.jsonl:2", "f.jsonl:3",
                                                                        "f.jsonl:4", "f.jsonl:5"])
    assert got.isna().tolist() == [True, True, True, True, False]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["2 article date(s) not understood (e.g. '2024-13-45' in f.jsonl:1); left empty"]


def test_mentions_carry_their_article_date() -> None:
    results = synthetic_results(6, seed=11)
    results[1].article.date = "1700000000"
    articles, mentions, _ = build_frames(results)
    by_article = dict(zip(articles["article_id"], articles["date"]))
    assert by_article[results[1].article.id] == pd.Timestamp("2023-11-14T22:13:20Z")
    assert len(mentions) > 0
    assert all(d == by_article[a] for a, d in zip(mentions["article_id"], mentions["date"]))
    assert str(mentions["date"].dt.tz) == "UTC"
