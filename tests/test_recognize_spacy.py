"""The spaCy recogniser with a small rule-based pipeline built here (no model download)."""
from __future__ import annotations

import pytest

spacy = pytest.importorskip("spacy")

from gazetteer.errors import ConfigurationError  # noqa: E402
from geo.recognize_spacy import SpacyRecognizer  # noqa: E402


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([
        {"label": "GPE", "pattern": "the United States"},
        {"label": "GPE", "pattern": [{"LOWER": "south"}, {"LOWER": "korea"}, {"ORTH": "\u2019s"}]},
        {"label": "GPE", "pattern": "Busan"},
        {"label": "LOC", "pattern": "Korean Peninsula"},
        {"label": "FAC", "pattern": "Pentagon"},
        {"label": "NORP", "pattern": "South Korean"},
        {"label": "NORP", "pattern": "Democrats"},
        {"label": "PERSON", "pattern": "Lloyd Austin"},
        {"label": "ORG", "pattern": "Yonhap News Agency"},
    ])
    return nlp


def test_places_are_trimmed_and_typed(gazetteer_db, nlp):
    text = ("Yonhap News Agency said the United States and South Korea\u2019s navy met in Busan. "
            "Lloyd Austin of the Pentagon spoke of the Korean Peninsula with his South Korean "
            "counterpart, as Democrats watched.")
    spans = SpacyRecognizer(gazetteer_db, nlp=nlp)(text)
    got = [(s.text, s.kind) for s in spans]
    assert got == [("United States", "place"), ("South Korea", "place"), ("Busan", "place"),
                   ("Pentagon", "place"), ("Korean Peninsula", "place"),
                   ("South Korean", "demonym")]
    for s in spans:
        assert text[s.start:s.end] == s.text


def test_demonyms_off(gazetteer_db, nlp):
    spans = SpacyRecognizer(gazetteer_db, nlp=nlp, demonyms=False)("A South Korean ship.")
    assert spans == []


def test_empty_text(gazetteer_db, nlp):
    assert SpacyRecognizer(gazetteer_db, nlp=nlp)("") == []


def test_missing_model_is_a_clear_error(gazetteer_db):
    with pytest.raises(ConfigurationError, match="no_such_model_xyz"):
        SpacyRecognizer(gazetteer_db, model="no_such_model_xyz")
