"""Source context: a source's other articles say where its ambiguous names are."""
from __future__ import annotations

import pytest

import geo
from geo._sources import SourceHome, homes, source_key
from geo.articles import Article

KS = frozenset({("US", "KS")})
NY = frozenset({("US", "NY")})


def art(url=None, source=None) -> Article:
    return Article(id="x", text="", url=url, source=source)


def test_source_key_is_the_source_else_the_urls_host():
    assert source_key(art(url="https://www.Prairie-Ledger.example/n/1?x=2")) == "prairie-ledger.example"
    assert source_key(art(url="http://prairie-ledger.example:8080/a")) == "prairie-ledger.example"
    assert source_key(art(url="https://news.example.org/a", source=" The Ledger ")) == "the ledger"
    assert source_key(art()) is None
    assert source_key(art(url="not a url")) is None
    assert source_key(art(url="http://[::1")) is None   # malformed: no key, no crash


def test_a_home_needs_enough_other_articles_and_half_of_their_votes():
    keys = ["a", "a", "a", "b", "b", None]
    votes = [KS, KS, frozenset(), NY, NY, KS]
    out = homes(keys, votes)
    # each "a" article sees the two others: 2/2, 1/2 and 2/2 vote Kansas
    assert out[0] == SourceHome("US", "KS", 0.5)
    assert out[1] == SourceHome("US", "KS", 0.5)
    assert out[2] == SourceHome("US", "KS", 1.0)
    # "b" has one other article only; no source, no home
    assert out[3:] == [None, None, None]


def test_an_articles_own_vote_never_makes_its_home():
    out = homes(["a"] * 4, [NY, frozenset(), frozenset(), KS])
    assert out[0] is None          # the others hold one Kansas vote in three
    assert out[3] is None          # and one New York vote in three
    assert homes(["a"] * 3, [NY, KS, KS])[0] == SourceHome("US", "KS", 1.0)


def test_ties_break_the_same_way_whatever_the_order():
    keys = ["a"] * 5
    votes = [KS | NY, KS | NY, KS | NY, KS | NY, frozenset()]
    assert homes(keys, votes)[4] == SourceHome("US", "KS", 1.0)
    assert homes(keys, list(reversed(votes)))[0] == SourceHome("US", "KS", 1.0)


@pytest.fixture()
def articles(kansas_paper):
    # the paper's four articles, and its last sentence again without a source
    return [*kansas_paper.articles, {"id": "w1", "text": "A new library opened in Beloit on Friday."}]


def _beloits(res):
    m = res.mentions
    return dict(zip(m.loc[m["text"] == "Beloit", "article_id"], m.loc[m["text"] == "Beloit", "admin1"]))


def test_a_local_papers_ambiguous_name_is_the_one_at_home(articles):
    # the paper's other articles are all in Kansas: its Beloit is Beloit, Kansas;
    # the same sentence without a source stays the bigger one, in Wisconsin
    assert _beloits(geo.parse(articles)) == {"a4": "KS", "w1": "WI"}
    assert _beloits(geo.parse(articles, source_context=False)) == {"a4": "WI", "w1": "WI"}


def test_a_name_the_text_places_elsewhere_stays_there(kansas_paper):
    text = "A new library opened in Beloit, Wisconsin, on Friday."
    res = geo.parse([*kansas_paper.articles[:3], {"id": "a5", "url": kansas_paper.url + "5", "text": text}])
    assert _beloits(res) == {"a5": "WI"}


@pytest.mark.parametrize("workers", [2])
def test_source_context_gives_the_same_output_for_any_number_of_workers(articles, workers):
    one = geo.parse(articles, workers=1)
    many = geo.parse(articles, workers=workers)
    cols = ["article_id", "start", "end", "place_id", "confidence"]
    assert one.mentions[cols].equals(many.mentions[cols])
    assert _beloits(many) == {"a4": "KS", "w1": "WI"}


def test_the_second_pass_skips_articles_with_no_reading_at_home(kansas_paper):
    from geo.pipeline import Pipeline

    pipe = Pipeline()
    first = pipe.first(Article(id="s", text="Ferries from Busan to Fukuoka were cancelled.",
                               url=kansas_paper.url + "9"))
    assert pipe.again(first, SourceHome("US", "KS", 1.0)) is first   # nothing Korean in Kansas
    first = pipe.first(Article(id="m", text="A new library opened in Beloit on Friday.",
                               url=kansas_paper.url + "10"))
    again = pipe.again(first, SourceHome("US", "KS", 1.0))
    assert again is not first and again.mentions[0].place.admin1 == "KS"
