"""The offline place database of eventmap, exposed as a geopy geocoder.

Lowest layer: it knows nothing of articles. It builds, loads and answers
names → candidate places, point → nearest place, region → footprint.
"""
from gazetteer._gazetteer import Gazetteer, load
from gazetteer._normalize import fold, normalize
from gazetteer._place import NAME_KINDS, Match, Place
from gazetteer.errors import (
    ConfigurationError,
    EventmapError,
    GazetteerCorrupt,
    GazetteerError,
    GazetteerNotBuilt,
)
from gazetteer.geocoder import OfflineGeocoder

# the function shadows the module attribute on purpose: `gazetteer.build(...)`;
# import the module's other names with `from gazetteer.build import ...`
from gazetteer.build import build  # noqa: E402  isort: skip

__all__ = [
    "NAME_KINDS",
    "ConfigurationError",
    "EventmapError",
    "GazetteerCorrupt",
    "GazetteerError",
    "GazetteerNotBuilt",
    "Gazetteer",
    "OfflineGeocoder",
    "build",
    "load",
    "Match",
    "Place",
    "fold",
    "normalize",
]
