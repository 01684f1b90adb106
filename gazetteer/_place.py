"""The place record every layer above the gazetteer sees."""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

__all__ = ["Place", "Match", "NAME_KINDS"]

#: How a looked-up name relates to the place it matched, best first.
#: ``name``: the canonical name; ``official``: an official/long form
#: ("Republic of Korea"); ``alt``: an alternate name or spelling;
#: ``abbr``: an abbreviation or code ("U.S.", "ROK", "Ill."); ``demonym``: an
#: adjectival or people form ("South Korean"), which names the place without
#: being a place mention itself.
NAME_KINDS = ("name", "official", "alt", "abbr", "demonym")


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry.

    Attributes
    ----------
    id : str
        Stable id: ``"gn:<geonameid>"`` where GeoNames has one, otherwise
        ``"em:<slug>"`` for the curated supplement.
    name : str
        Canonical English name.
    fclass, fcode : str
        GeoNames feature class (``P``, ``A``, ``L``, ``H``, ``T``, ``S``...) and
        code (``PPLC``, ``PCLI``, ``ADM1``, ``ADM2``, ``RGN``, ``PEN``, ``BLDG``...).
    country_code : str or None
        ISO 3166-1 alpha-2; None for places that span countries (oceans, regions).
    admin1, admin2 : str or None
        GeoNames admin codes (``"KY"``, ``"10"``; admin2 like ``"125"``).
    population : int
    lat, lon : float
        A representative point, WGS84.
    footprint : str or None
        Id of a footprint geometry (see ``Gazetteer.footprint``) for countries,
        admin areas and regions whose area is known.
    """

    id: str
    name: str
    fclass: str
    fcode: str
    country_code: str | None
    admin1: str | None
    admin2: str | None
    population: int
    lat: float
    lon: float
    footprint: str | None = None


class Match(NamedTuple):
    """A place found under a name, and how that name relates to it."""

    place: Place
    kind: str  # one of NAME_KINDS
