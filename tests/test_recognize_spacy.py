"""The spaCy recogniser, with small rule-based pipelines built here (no model download)."""
from __future__ import annotations

import itertools
import logging
import sys

import pytest

spacy = pytest.importorskip("spacy")

from gazetteer.errors import ConfigurationError, EventmapError
from geo.recognize import Span
from geo.recognize_spacy import SpacyRecognizer

PATTERNS = [
    {"label": "GPE", "pattern": "Busan"},
    {"label": "GPE", "pattern": "South Korea"},
    {"label": "GPE", "pattern": "Seoul"},
    {"label": "GPE", "pattern": "Guinea-Bissau"},
    {"label": "GPE", "pattern": "US-ROK"},
    {"label": "GPE", "pattern": "Zorblax City"},
    {"label": "GPE", "pattern": "Busan-Zorblax"},
    # statistical models sometimes take the possessive or the article into an entity
    {"label": "GPE", "pattern": [{"ORTH": "Japan"}, {"LOWER": {"IN": ["'s", "\u2019s"]}}]},
    {"label": "GPE", "pattern": [{"ORTH": "Philippines"}, {"ORTH": {"IN": ["'", "\u2019"]}}]},
    {"label": "GPE", "pattern": "American"},
    {"label": "LOC", "pattern": "Korean Peninsula"},
    {"label": "LOC", "pattern": "Indo-Pacific"},
    {"label": "FAC", "pattern": "the Pentagon"},
    {"label": "NORP", "pattern": "South Korean"},
    {"label": "NORP", "pattern": "Filipinos"},
    {"label": "NORP", "pattern": "Democrats"},
    {"label": "PERSON", "pattern": "Lloyd Austin"},
    {"label": "ORG", "pattern": "Busan Port Authority"},
]


def _ruler_nlp(patterns=PATTERNS):
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns(patterns)
    return nlp


@pytest.fixture(scope="module")
def nlp():
    return _ruler_nlp()


@pytest.fixture(scope="module")
def rec(gazetteer_db, nlp):
    return SpacyRecognizer(gazetteer_db, model=nlp)


def _got(spans):
    return [(s.text, s.kind) for s in spans]


def _offsets_ok(text, spans):
    assert spans == sorted(spans, key=lambda s: s.start)
    for a, b in itertools.pairwise(spans):
        assert a.end <= b.start
    for s in spans:
        assert text[s.start:s.end] == s.text


def test_places_and_demonyms_with_offsets(rec):
    text = "Officials from South Korea met in Busan, then a South Korean envoy flew to Seoul."
    spans = rec(text)
    assert spans == [
        Span(15, 26, "South Korea", "place"),
        Span(34, 39, "Busan", "place"),
        Span(48, 60, "South Korean", "demonym"),
        Span(75, 80, "Seoul", "place"),
    ]
    _offsets_ok(text, spans)


def test_loc_and_fac_are_places_and_the_is_dropped(rec):
    text = "Lloyd Austin said the Pentagon watches the Korean Peninsula and the Indo-Pacific."
    spans = rec(text)
    # PERSON is never a place, even though "Austin" is a city; "Indo-Pacific" is a name, not split
    assert _got(spans) == [("Pentagon", "place"), ("Korean Peninsula", "place"),
                           ("Indo-Pacific", "place")]
    assert spans[0].start == text.index("Pentagon")
    _offsets_ok(text, spans)


@pytest.mark.parametrize("apostrophe", ["'", "\u2019"])
def test_possessives_are_trimmed(rec, apostrophe):
    text = f"Japan{apostrophe}s navy and the Philippines{apostrophe} coast guard sailed."
    spans = rec(text)
    assert _got(spans) == [("Japan", "place"), ("Philippines", "place")]
    assert spans[0] == Span(0, 5, "Japan", "place")
    _offsets_ok(text, spans)


def test_hyphenated_compounds_split_only_when_each_part_is_a_name(rec):
    text = "The US-ROK drills near Guinea-Bissau ended."
    spans = rec(text)
    assert _got(spans) == [("US", "place"), ("ROK", "place"), ("Guinea-Bissau", "place")]
    assert spans[0] == Span(4, 6, "US", "place") and spans[1] == Span(7, 10, "ROK", "place")
    _offsets_ok(text, spans)


def test_unknown_names_are_dropped_unless_asked_for(gazetteer_db, nlp):
    text = "Envoys from Zorblax City and Busan-Zorblax met in Busan."
    assert _got(SpacyRecognizer(gazetteer_db, model=nlp)(text)) == [("Busan", "place")]
    loose = SpacyRecognizer(gazetteer_db, model=nlp, require_known=False)(text)
    # one unknown part: the compound stays whole
    assert _got(loose) == [("Zorblax City", "place"), ("Busan-Zorblax", "place"), ("Busan", "place")]
    _offsets_ok(text, loose)


def test_demonyms(gazetteer_db, nlp, rec):
    text = "South Korean sailors, Filipinos and Democrats cheered; an American ship left."
    # NORP known as a demonym (also in the plural); "Democrats" is a party, not a people;
    # a model's GPE "American" is a people per the gazetteer
    assert _got(rec(text)) == [("South Korean", "demonym"), ("Filipinos", "demonym"),
                               ("American", "demonym")]
    off = SpacyRecognizer(gazetteer_db, model=nlp, demonyms=False)
    assert off(text) == []
    assert _got(off("A South Korean ship reached Busan.")) == [("Busan", "place")]


def test_labels_are_configurable(gazetteer_db, nlp):
    text = "Staff at the Pentagon and in the Busan Port Authority talked about Busan."
    assert _got(SpacyRecognizer(gazetteer_db, model=nlp, place_labels=["GPE"])(text)) == [
        ("Busan", "place")]
    with_org = SpacyRecognizer(gazetteer_db, model=nlp, place_labels=["GPE", "FAC", "ORG"],
                               require_known=False)
    assert _got(with_org(text)) == [("Pentagon", "place"), ("Busan Port Authority", "place"),
                                    ("Busan", "place")]


def test_empty_and_blank_text(rec):
    assert rec("") == [] and rec("  \n\t ") == []
    assert rec("No places here at all.") == []


def test_offsets_are_python_str_offsets(rec):
    text = "\U0001F6A2 Schiffe erreichten Busan \u2014 S\u00e9oul? Non: Seoul."
    spans = rec(text)
    assert _got(spans) == [("Busan", "place"), ("Seoul", "place")]
    assert spans[0].start == text.index("Busan")
    _offsets_ok(text, spans)


def test_pipe_matches_single_calls_in_order(rec):
    texts = ["Ships left Busan.", "", "Nothing here.", "Seoul and South Korea\u2019s coast.",
             "Japan's US-ROK talks."] * 3
    batched = list(rec.pipe(texts, batch_size=4))
    assert len(batched) == len(texts)
    assert batched == [rec(t) for t in texts]
    assert _got(batched[3]) == [("Seoul", "place"), ("South Korea", "place")]
    assert batched[1] == [] and batched[2] == []
    assert list(rec.pipe(iter(texts[:2]))) == batched[:2]  # any iterable


def test_texts_longer_than_max_length_are_cut_between_words(gazetteer_db):
    small = _ruler_nlp()
    small.max_length = 40
    text = ("Ships left Busan for Seoul. " * 5 + "\nThen the Korean Peninsula was calm. ") * 3
    chunked = SpacyRecognizer(gazetteer_db, model=small)
    whole = SpacyRecognizer(gazetteer_db, model=_ruler_nlp())
    spans = chunked(text)
    assert spans == whole(text)
    assert [s.text for s in spans].count("Busan") == 15
    assert [s.text for s in spans].count("Korean Peninsula") == 3
    _offsets_ok(text, spans)
    assert list(chunked.pipe([text, "Busan"])) == [spans, [Span(0, 5, "Busan", "place")]]


def test_model_loaded_from_a_directory_keeps_only_entity_pipes(gazetteer_db, tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("attribute_ruler").add(patterns=[[{"ORTH": "Busan"}]], attrs={"TAG": "NNP"})
    nlp.add_pipe("entity_ruler").add_patterns(PATTERNS)
    nlp.to_disk(tmp_path / "pipeline")
    for model in (tmp_path / "pipeline", str(tmp_path / "pipeline")):
        rec = SpacyRecognizer(gazetteer_db, model=model)
        assert "attribute_ruler" not in rec.nlp.pipe_names  # not needed for entities
        assert {"entity_ruler", "sentencizer"} <= set(rec.nlp.pipe_names)
        assert _got(rec("Busan and the Pentagon.")) == [("Busan", "place"), ("Pentagon", "place")]
    assert rec.config["pipes"] == rec.nlp.pipe_names and "SpacyRecognizer(" in repr(rec)


def test_older_nlp_keyword_still_works(gazetteer_db, nlp):
    assert _got(SpacyRecognizer(gazetteer_db, nlp=nlp)("Busan.")) == [("Busan", "place")]


def test_missing_spacy_names_the_extra(gazetteer_db, monkeypatch, nlp):
    monkeypatch.setitem(sys.modules, "spacy", None)  # `import spacy` now raises ImportError
    with pytest.raises(ImportError, match=r"pip install 'eventmap\[ner\]'"):
        SpacyRecognizer(gazetteer_db, model=nlp)


def test_missing_model_is_a_configuration_error(gazetteer_db):
    with pytest.raises(ConfigurationError, match="no_such_model_xyz") as info:
        SpacyRecognizer(gazetteer_db, model="no_such_model_xyz")
    assert "python -m spacy download en_core_web_sm" in str(info.value)
    assert isinstance(info.value, EventmapError)
    assert isinstance(info.value.__cause__, OSError)


def test_broken_model_directory_is_a_configuration_error(gazetteer_db, tmp_path):
    (tmp_path / "meta.json").write_text('{"lang": "en", "name": "broken", "version": "0.0.0"}')
    (tmp_path / "config.cfg").write_text('[nlp]\nlang = "en"\npipeline = ["x"]\n'
                                         '[components]\n[components.x]\nfactory = "no_such_factory"\n')
    with pytest.raises(ConfigurationError, match="cannot be loaded"):
        SpacyRecognizer(gazetteer_db, model=tmp_path)
    with pytest.raises(ConfigurationError, match="not installed or not a pipeline directory"):
        SpacyRecognizer(gazetteer_db, model=tmp_path / "missing")


def test_default_model_missing_says_how_to_install(gazetteer_db):
    if spacy.util.is_package("en_core_web_sm"):
        pytest.skip("en_core_web_sm is installed here")
    with pytest.raises(ConfigurationError, match=r"'en_core_web_sm' is not installed.*"
                                                 r"python -m spacy download en_core_web_sm"):
        SpacyRecognizer(gazetteer_db)


def test_bad_model_type(gazetteer_db):
    with pytest.raises(TypeError, match="not int"):
        SpacyRecognizer(gazetteer_db, model=42)


def test_pipeline_without_place_labels_warns(gazetteer_db, caplog):
    nlp = _ruler_nlp([{"label": "PERSON", "pattern": "Lloyd Austin"}])
    with caplog.at_level(logging.WARNING, logger="geo.recognize_spacy"):
        rec = SpacyRecognizer(gazetteer_db, model=nlp)
    assert "will find no places" in caplog.text
    assert rec("Lloyd Austin visited.") == []


@pytest.mark.skipif(not spacy.util.is_package("en_core_web_sm"), reason="en_core_web_sm not installed")
def test_statistical_model_finds_a_city(gazetteer_db):
    rec = SpacyRecognizer(gazetteer_db)  # the default model, when a user has installed it
    spans = rec("Heavy rain flooded parts of Busan, South Korea, on Tuesday.")
    assert ("Busan", "place") in _got(spans)


# --- end to end -------------------------------------------------------------------------------

def test_pipeline_resolves_spacy_spans(gazetteer_db, nlp):
    from geo.articles import Article
    from geo.pipeline import Pipeline

    pipe = Pipeline(recognizer="spacy", spacy_model=nlp)
    assert isinstance(pipe.recognize, SpacyRecognizer) and pipe.recognize.nlp is nlp
    text = "Navy ships docked in Busan, South Korea, as the Pentagon praised South Korean crews."
    result = pipe(Article(id="a1", text=text))
    by_text = {m.text: m for m in result.mentions}
    assert set(by_text) == {"Busan", "South Korea", "Pentagon", "South Korean"}
    busan = by_text["Busan"].place
    assert busan is not None and busan.country_code == "KR"
    assert busan.lat == pytest.approx(35.1, abs=0.3) and busan.lon == pytest.approx(129.0, abs=0.3)
    assert by_text["South Korea"].place.country_code == "KR"
    assert by_text["Pentagon"].place.country_code == "US"
    assert by_text["South Korean"].kind == "demonym"
    for m in result.mentions:
        assert text[m.start:m.end] == m.text


def test_parse_frames_with_spacy(gazetteer_db, nlp):
    from geo.pipeline import parse

    res = parse(["Ships left Busan for Seoul.", "Nothing to see."], recognizer="spacy", spacy_model=nlp)
    m = res.mentions
    assert set(m["text"]) == {"Busan", "Seoul"}
    busan = m[m["text"] == "Busan"].iloc[0]
    # frames hold Point(lon, lat)
    assert busan.geometry.y == pytest.approx(35.1, abs=0.3)
    assert busan.geometry.x == pytest.approx(129.0, abs=0.3)


def test_cli_parse_with_a_spacy_model_directory(gazetteer_db, tmp_path):
    import json

    from click.testing import CliRunner

    from geo.cli import main

    _ruler_nlp().to_disk(tmp_path / "model")
    article = tmp_path / "a.txt"
    article.write_text("Ships left Busan for Seoul.\n", encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(main, ["parse", str(article), "--recognizer", "spacy",
                               "--spacy-model", str(tmp_path / "model"), "-o", "-"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]
    assert [(m["text"], m["country_code"]) for m in rows[0]["mentions"]] == [("Busan", "KR"), ("Seoul", "KR")]

    res = runner.invoke(main, ["parse", str(article), "--recognizer", "spacy",
                               "--spacy-model", str(tmp_path / "nothing-here"), "-o", "-"])
    assert res.exit_code != 0
    assert "python -m spacy download en_core_web_sm" in res.output
    assert "Traceback" not in res.output
