"""The offline place database of eventmap, exposed as a geopy geocoder.

Lowest layer: it knows nothing of articles. It builds, loads and answers
names → candidate places, point → nearest place, region → footprint.
"""
from gazetteer._normalize import fold, normalize
from gazetteer._place import NAME_KINDS, Match, Place
from gazetteer.errors import (
    ConfigurationError,
    EventmapError,
    GazetteerCorrupt,
    GazetteerError,
    GazetteerNotBuilt,
)

__all__ = [
    "NAME_KINDS",
    "ConfigurationError",
    "EventmapError",
    "GazetteerCorrupt",
    "GazetteerError",
    "GazetteerNotBuilt",
    "Match",
    "Place",
    "fold",
    "normalize",
]
