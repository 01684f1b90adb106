"""Candidate features and the linear ranker that scores them.

Features describe a candidate place relative to its span and to the rest of
the article, never by name: how big and what kind of place it is, how the
text named it, whether an explicit qualifier agrees ("Paris, Texas"), how
many of the article's other places share its country or state, how close it
lies to them. Weights live in ``ranker_weights.json`` next to this module
(fitted by ``benchmarks/tune_ranker.py`` on half of a development corpus and
checked on the other half); :data:`DEFAULT_WEIGHTS` are hand-set fallbacks.
"""
from __future__ import annotations

import json
import logging
import math
from pathlib import Path

__all__ = ["FEATURES", "DEFAULT_WEIGHTS", "load_weights", "ADMIN1_CODES", "COUNTRY_CODES", "is_country",
           "is_admin1", "kind_class", "static_vector", "IDX"]

logger = logging.getLogger(__name__)

COUNTRY_CODES = frozenset({"PCLI", "PCLD", "PCLF", "PCLS", "PCLIX", "PCL", "TERR", "PCLH"})
_ADMIN2 = frozenset({"ADM2", "ADM3", "ADMD", "ADM2H", "ADM3H"})
_REGION = frozenset({"CONT", "RGN", "RGNE", "PEN", "ISLS", "ZN", "ZNB", "AREA", "OCN", "SEA"})

#: feature names, in vector order
FEATURES = (
    "logpop",          # log10(population + 1) / 7
    "country",         # independent country or territory
    "admin1",          # state, province
    "admin2",          # county, parish, district
    "capital",         # PPLC
    "ppla",            # seat of a first-level division
    "ppla2",           # seat of a lower division
    "ppl",             # any other populated place
    "region",          # continent, macro-region, peninsula...
    "physical",        # water, terrain, spot features (H, T, S, L classes)
    "kind_alt",        # matched an alternate name
    "kind_abbr",       # matched an abbreviation
    "kind_demonym",    # matched a demonym
    "qual_agree",      # an adjacent qualifier ("X, Texas") contains it / is contained
    "qual_clash",      # there is a qualifier and it does not fit
    "ctx_country",     # expected share of the article's other names in its country
    "ctx_country_any", # share of other names with some reading in its country
    "ctx_admin1",      # expected share of other sub-national names in its state
    "ctx_admin1_any",  # share of other names with some reading in its state
    "near",            # expected closeness exp(-d / 150 km) to the other names
    "near_any",        # closeness to the nearest reading of each other name
    "near_mid_any",    # the same at a 800 km scale
    "contains",        # expected share of the other names inside it (countries, states)
    "hint_match",      # "X County" -> an admin2, "Lake X" -> a feature
    "hint_clash",      # the text said County/Lake but this is another kind
    "rank0",           # first in the gazetteer's own prior order
    "zero_pop",        # population unknown (0)
    "curated",         # from the curated supplement
    "actor_capital",   # the text uses the name as an actor ("X said") and this is a capital
    "actor_country",   # ... and this is a country
    "capital_ctx",     # a capital whose country the article names
    "near_any_40",     # closeness at a 40 km scale (same county or town cluster)
    "near_any_sq",     # near_any squared: strong co-location counts more than linear
    "pop_foreign",     # logpop where the article's other names are in other countries
    "alt_pop",         # kind_alt x logpop: exonyms of big cities ("Mecca") are alternate names
    "list_kin",        # enumeration neighbours have a reading of the same kind and country
    "ctx_border",      # expected share of the article's other names in a bordering country
    "src_home",        # in the home state of the article's source (its other articles' places)
)
_IDX = {f: i for i, f in enumerate(FEATURES)}

DEFAULT_WEIGHTS = {
    "logpop": 8.0, "country": 0.5, "admin1": -0.5, "admin2": -1.0, "capital": 0.0, "ppla": 0.0,
    "ppla2": 0.0, "ppl": -0.7, "region": 1.5, "physical": 0.5, "kind_alt": -3.0,
    "kind_abbr": 0.3, "kind_demonym": 0.0, "qual_agree": 3.0, "qual_clash": -3.0,
    "ctx_country": 4.0, "ctx_country_any": 2.0, "ctx_admin1": 2.0, "ctx_admin1_any": 1.0,
    "near": 2.0, "near_any": 2.0, "near_mid_any": 0.5, "contains": 5.0,
    "hint_match": 0.7, "hint_clash": -0.7, "rank0": 0.0, "zero_pop": 2.0, "curated": 2.5,
    "actor_capital": 1.0, "actor_country": 0.5, "capital_ctx": 2.0,
    "near_any_40": 1.0, "near_any_sq": 1.0, "pop_foreign": 0.0, "alt_pop": 2.0,
    "list_kin": 2.0, "ctx_border": 2.0, "src_home": 4.0,
}


def load_weights() -> dict[str, float]:
    """Fitted weights if the data file is there, else :data:`DEFAULT_WEIGHTS`."""
    path = Path(__file__).with_name("ranker_weights.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        w = {f: float(data["weights"].get(f, 0.0)) for f in FEATURES}
        return w
    except FileNotFoundError:
        return dict(DEFAULT_WEIGHTS)
    except (ValueError, KeyError, TypeError) as err:
        logger.warning("ignoring unreadable ranker weights %s: %s", path, err)
        return dict(DEFAULT_WEIGHTS)


def is_country(p) -> bool:
    return p.fcode in COUNTRY_CODES


#: current and former (merged or split since) first-level areas
ADMIN1_CODES = frozenset({"ADM1", "ADM1H"})


def is_admin1(p) -> bool:
    return p.fcode in ADMIN1_CODES


def kind_class(p) -> str:
    fc, code = p.fclass, p.fcode
    if code in COUNTRY_CODES:
        return "country"
    if code in ADMIN1_CODES:
        return "admin1"
    if code in _ADMIN2:
        return "admin2"
    if code == "PPLC":
        return "capital"
    if code == "PPLA":
        return "ppla"
    if code in ("PPLA2", "PPLA3", "PPLA4", "PPLA5", "PPLG"):
        return "ppla2"
    if code in _REGION or fc == "L" and code in ("RGN", "CONT", "AREA"):
        return "region"
    if fc == "P":
        return "ppl"
    if fc == "A":
        return "admin2"
    return "physical"


def static_vector(p, kind: str, rank: int) -> list[float]:
    """Features that depend on the candidate alone."""
    v = [0.0] * len(FEATURES)
    v[0] = math.log10(max(p.population, 0) + 1) / 7.0
    v[_IDX[kind_class(p)]] = 1.0
    curated = p.id.startswith("em:") and p.fclass != "P"
    if kind == "alt":
        # a curated entry's alternate names are chosen by hand ("the Gulf" for the Persian
        # Gulf): half the doubt of a source's alternate name
        v[_IDX["kind_alt"]] = 0.5 if curated else 1.0
        v[_IDX["alt_pop"]] = v[0]
    elif kind == "abbr":
        v[_IDX["kind_abbr"]] = 1.0
    elif kind == "demonym":
        v[_IDX["kind_demonym"]] = 1.0
    v[_IDX["rank0"]] = 1.0 if rank == 0 else 0.0
    v[_IDX["zero_pop"]] = 1.0 if p.population <= 0 else 0.0
    v[_IDX["curated"]] = 1.0 if curated else 0.0
    return v


IDX = _IDX
