"""Mutual support between names counts only readings that are plausible on their own.

Many world capitals have namesakes that sit together in one US state; if any
two co-located readings supported each other fully, "Paris and Berlin" would
resolve to two villages. Local pairs whose readings are all minor keep
supporting each other. Invented general-knowledge sentences only.
"""
from __future__ import annotations

import pytest

from geo.articles import Article
from geo.pipeline import Pipeline


@pytest.fixture(scope="module")
def pipeline(gazetteer_db):
    return Pipeline()


def _countries(pipeline: Pipeline, text: str) -> dict[str, str | None]:
    res = pipeline(Article(id="t", text=text))
    return {m.text: (m.place.country_code if m.place else None) for m in res.mentions}


@pytest.mark.parametrize(("text", "expected"), [
    ("Talks in Paris and Berlin ended.", {"Paris": "FR", "Berlin": "DE"}),
    ("Heavy rain flooded Lisbon on Monday while Madrid stayed dry.", {"Lisbon": "PT", "Madrid": "ES"}),
    ("Flights between London and Dublin were cancelled.", {"London": "GB", "Dublin": "IE"}),
    ("Ministers from Rome and Athens met in Brussels.", {"Rome": "IT", "Athens": "GR", "Brussels": "BE"}),
])
def test_world_capitals_are_not_outvoted_by_colocated_namesakes(pipeline, text, expected):
    got = _countries(pipeline, text)
    assert {k: got.get(k) for k in expected} == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Officials in Grand Island and Hall County said the roads were closed.", {"Hall County": "US"}),
    ("Police in Athens and Rome, Georgia, arrested two men.", {"Athens": "US", "Rome": "US"}),
])
def test_local_context_still_wins(pipeline, text, expected):
    got = _countries(pipeline, text)
    assert {k: got.get(k) for k in expected} == expected
