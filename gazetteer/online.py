"""Online geocoders (Nominatim, Photon) made safe for batches, and fallback chains.

geopy's own geocoders do the HTTP; this module wraps them with what a batch
over thousands of articles needs:

- **rate limit**: geopy's :class:`~geopy.extra.rate_limiter.RateLimiter`, one
  per service endpoint and process, default 1 request/s (Nominatim's usage
  policy);
- **persistent cache**: :class:`GeocodeCache` (SQLite, WAL): a second run of
  the same queries makes no request; misses are cached too (with a TTL);
- **retries** with exponential backoff on timeouts, 5xx, 429 (honouring
  ``Retry-After`` up to ``max_wait`` seconds) and refused connections;
- **clear failures**: the final error is an :class:`OnlineGeocoderError`
  (an :class:`~gazetteer.errors.EventmapError` *and* the geopy error it
  replaces, e.g. :class:`~geopy.exc.GeocoderTimedOut`) naming the service and
  the query, so a batch logs it and goes on;
- **fallback chains**: :class:`GeocoderChain` asks its members in order
  (offline first and online for what it misses, or the reverse).

For the pipeline, :func:`make_geocoder` turns a name such as
``"offline+nominatim"`` into a ready geocoder::

    from gazetteer.online import make_geocoder
    geocoder = make_geocoder("offline+nominatim", user_agent="eventmap-myorg/1.0 (me@example.org)")
    location = geocoder.geocode("Busan")            # geopy Location or None
    location, source = geocoder.geocode_with_source("Busan")   # chains only
"""
from __future__ import annotations

import functools
import inspect
import logging
import math
import os
import random
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from geopy.adapters import AdapterHTTPError, get_retry_after
from geopy.exc import (
    GeocoderQueryError,
    GeocoderRateLimited,
    GeocoderServiceError,
    GeocoderTimedOut,
    GeocoderUnavailable,
    GeopyError,
)
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders.base import _DEFAULT_USER_AGENT, Geocoder
from geopy.location import Location

from gazetteer._cache import GeocodeCache, default_cache_path
from gazetteer.errors import ConfigurationError, EventmapError

__all__ = [
    "GEOCODER_NAMES",
    "USER_AGENT_ENV",
    "GeocodeCache",
    "GeocoderChain",
    "InvalidQuery",
    "OnlineGeocoder",
    "OnlineGeocoderError",
    "OnlineRateLimited",
    "OnlineTimedOut",
    "OnlineUnavailable",
    "default_cache_path",
    "make_geocoder",
    "nominatim",
    "osm_feature_class",
    "photon",
]

logger = logging.getLogger(__name__)

#: environment variable read when no user agent is given
USER_AGENT_ENV = "EVENTMAP_USER_AGENT"
#: members :func:`make_geocoder` knows (join them with ``+`` for a chain)
GEOCODER_NAMES = ("offline", "nominatim", "photon")
NOMINATIM_DOMAIN = "nominatim.openstreetmap.org"
PHOTON_DOMAIN = "photon.komoot.io"

# sample agents from the docs of geopy and the services: they identify nobody
_REJECTED_USER_AGENTS = {"my-application", "my_app/1", "my_user_agent/1.0",
                         "specify_your_app_name_here", "eventmap", _DEFAULT_USER_AGENT}
# results fetched when filtering after the fact (Photon has no country filter)
_FILTER_POOL = 10


# -- errors -------------------------------------------------------------------
class OnlineGeocoderError(EventmapError, GeocoderServiceError):
    """An online geocoder failed for good (after retries).

    Attributes
    ----------
    service, method : str
        e.g. ``"nominatim@nominatim.openstreetmap.org"``, ``"geocode"``.
    query : object
        The query as given.
    attempts : int
        Requests made for it.
    """

    def __init__(self, message: str, *, service: str = "", method: str = "", query: Any = None,
                 attempts: int = 0, retry_after: float | None = None) -> None:
        Exception.__init__(self, message)
        self.service = service
        self.method = method
        self.query = query
        self.attempts = attempts
        self.retry_after = retry_after


class OnlineTimedOut(OnlineGeocoderError, GeocoderTimedOut):
    """The service kept timing out (or answering 503/504)."""


class OnlineRateLimited(OnlineGeocoderError, GeocoderRateLimited):
    """The service kept answering 429, or asked for a longer wait than allowed."""


class OnlineUnavailable(OnlineGeocoderError, GeocoderUnavailable):
    """The service could not be reached."""


class InvalidQuery(EventmapError, GeocoderQueryError):
    """A query no geocoder can answer (empty text, coordinates out of range...)."""


def _final_error(err: BaseException, message: str, **info: Any) -> OnlineGeocoderError:
    cls = (OnlineRateLimited if isinstance(err, GeocoderRateLimited)
           else OnlineTimedOut if isinstance(err, GeocoderTimedOut)
           else OnlineUnavailable if isinstance(err, GeocoderUnavailable)
           else OnlineGeocoderError)
    return cls(message, retry_after=getattr(err, "retry_after", None), **info)


def _http_status(err: BaseException) -> int | None:
    cause = err.__cause__
    return cause.status_code if isinstance(cause, AdapterHTTPError) else None


def _retry_after(err: BaseException) -> float | None:
    """Seconds the service asked us to wait: 429 (geopy parses it) or 503 (it does not)."""
    if getattr(err, "retry_after", None) is not None:
        return float(err.retry_after)  # type: ignore[attr-defined]
    cause = err.__cause__
    if isinstance(cause, AdapterHTTPError) and cause.headers:
        seconds = get_retry_after({k.lower(): v for k, v in cause.headers.items()})
        return None if seconds is None else float(seconds)
    return None


def _short(text: str, size: int = 200) -> str:
    """One line, at most ``size`` characters: services may answer whole HTML pages."""
    line = " ".join(str(text).split())
    return line if len(line) <= size else line[: size - 1] + "\u2026"


# -- rate limiters: one per endpoint and process --------------------------------
_LIMITERS: dict[tuple[str, float], RateLimiter] = {}
_LIMITERS_LOCK = threading.Lock()
#: endpoint -> time.monotonic() before which nobody in this process asks it (after a Retry-After)
_PAUSED_UNTIL: dict[str, float] = {}


def _call_through(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


def _limiter(endpoint: str, min_delay_seconds: float) -> RateLimiter:
    """The shared RateLimiter of an endpoint: two geocoder objects on the same
    service must not double the request rate."""
    with _LIMITERS_LOCK:
        key = (endpoint, float(min_delay_seconds))
        limiter = _LIMITERS.get(key)
        if limiter is None:
            # retries are ours (backoff, Retry-After), the limiter only spaces calls
            limiter = RateLimiter(_call_through, min_delay_seconds=min_delay_seconds, max_retries=0,
                                  error_wait_seconds=min_delay_seconds, swallow_exceptions=False)
            _LIMITERS[key] = limiter
        return limiter


# -- OSM tags -> GeoNames feature classes -----------------------------------------
_OSM_PLACE_CLASS = {
    **dict.fromkeys(("country", "state", "region", "province", "county", "district",
                     "municipality", "state_district", "territory"), "A"),
    **dict.fromkeys(("city", "town", "village", "hamlet", "suburb", "quarter", "neighbourhood",
                     "borough", "city_block", "locality", "isolated_dwelling", "square"), "P"),
    **dict.fromkeys(("sea", "ocean", "bay"), "H"),
    **dict.fromkeys(("island", "islet", "archipelago", "peninsula"), "T"),
    "continent": "L",
}
_OSM_KEY_CLASS = {
    "boundary": "A", "waterway": "H", "highway": "R", "railway": "R", "route": "R",
    "landuse": "L", "leisure": "L",
    **dict.fromkeys(("building", "amenity", "tourism", "historic", "man_made", "military",
                     "aeroway", "office", "shop", "craft", "club", "healthcare", "power"), "S"),
}
_OSM_NATURAL_CLASS = {
    **dict.fromkeys(("water", "bay", "strait", "coastline", "spring", "wetland", "glacier"), "H"),
    **dict.fromkeys(("wood", "scrub", "heath", "grassland"), "V"),
}


def osm_feature_class(key: str | None, value: str | None) -> str | None:
    """The GeoNames feature class (``A``, ``P``, ``H``, ``T``, ``L``, ``R``,
    ``S``, ``V``) closest to an OSM tag such as ``place=city``, or None."""
    if not key:
        return None
    if key == "place":
        return _OSM_PLACE_CLASS.get(value or "")
    if key == "natural":
        return _OSM_NATURAL_CLASS.get(value or "", "T")  # peaks, ridges, valleys, beaches...
    return _OSM_KEY_CLASS.get(key)


def _nominatim_country(raw: Mapping[str, Any]) -> str | None:
    code = (raw.get("address") or {}).get("country_code")
    return code.lower() if code else None


def _nominatim_fclass(raw: Mapping[str, Any]) -> str | None:
    return osm_feature_class(raw.get("class") or raw.get("category"), raw.get("type"))


def _photon_country(raw: Mapping[str, Any]) -> str | None:
    code = (raw.get("properties") or {}).get("countrycode")
    return code.lower() if code else None


def _photon_fclass(raw: Mapping[str, Any]) -> str | None:
    props = raw.get("properties") or {}
    return osm_feature_class(props.get("osm_key"), props.get("osm_value"))


# -- validation -------------------------------------------------------------------
def _clean_query(query: Any) -> str | dict[str, str]:
    if isinstance(query, Mapping):  # Nominatim's structured query
        cleaned = {str(k): " ".join(str(v).split()) for k, v in query.items() if str(v).strip()}
        if not cleaned:
            raise InvalidQuery(f"empty structured query: {dict(query)!r}")
        return cleaned
    if not isinstance(query, str):
        raise InvalidQuery(f"a query must be text, got {type(query).__name__}: {query!r}")
    text = " ".join(unicodedata.normalize("NFC", query).split())
    if not text:
        raise InvalidQuery(f"empty query: {query!r}")
    return text


def _clean_point(query: Any) -> tuple[float, float]:
    """(lat, lon) from a pair, a geopy Point or ``"lat, lon"`` text."""
    try:
        if isinstance(query, str):
            lat, lon = (float(p) for p in query.replace(",", " ").split())
        elif hasattr(query, "latitude") and hasattr(query, "longitude"):
            lat, lon = float(query.latitude), float(query.longitude)
        else:
            lat, lon = (float(p) for p in query)
    except (TypeError, ValueError) as err:
        raise InvalidQuery(f"expected (lat, lon), got {query!r}") from err
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise InvalidQuery(f"latitude must be within [-90, 90], got {lat!r} in {query!r}")
    if not (math.isfinite(lon) and -180.0 <= lon <= 180.0):
        raise InvalidQuery(f"longitude must be within [-180, 180], got {lon!r} in {query!r}")
    return lat, lon


def _clean_codes(codes: str | Iterable[str] | None) -> list[str] | None:
    if codes is None:
        return None
    items = [codes] if isinstance(codes, str) else list(codes)
    cleaned = sorted({c.strip().lower() for item in items for c in str(item).split(",") if c.strip()})
    return cleaned or None


def _adapter_factory() -> Callable[..., Any]:
    """geopy's HTTP adapter without hidden retries: ``requests`` (pooled
    connections) if installed, else urllib. urllib3 would otherwise retry read
    timeouts and 429s itself, unseen by our backoff and request counts."""
    from geopy.adapters import RequestsAdapter, URLLibAdapter

    if RequestsAdapter.is_available:
        return functools.partial(RequestsAdapter, max_retries=0)
    return URLLibAdapter


def _split_domain(domain: str, scheme: str) -> tuple[str, str]:
    """Accept ``"http://host:port"`` as well as ``domain="host:port", scheme="http"``."""
    head, sep, rest = domain.partition("://")
    if sep:
        if head.lower() not in ("http", "https"):
            raise ConfigurationError(f"unsupported scheme in domain {domain!r}: use http or https")
        scheme, domain = head.lower(), rest
    domain = domain.strip().strip("/")
    if not domain or "/" in domain or " " in domain:
        raise ConfigurationError(f"bad geocoder domain {domain!r}: expected a host[:port], e.g. '127.0.0.1:8080'")
    return domain, scheme


def _check_user_agent(user_agent: str | None, service: str) -> str:
    agent = (user_agent if user_agent is not None else os.environ.get(USER_AGENT_ENV, "")).strip()
    if not agent or agent in _REJECTED_USER_AGENTS or agent.lower().startswith("geopy/"):
        raise ConfigurationError(
            f"{service} needs a user agent that identifies your application, e.g. "
            f"'eventmap-yourorg/1.0 (you@example.org)'; got {agent!r}. "
            f"Pass user_agent= (CLI: --user-agent) or set ${USER_AGENT_ENV}")
    return agent


def _as_cache(cache: GeocodeCache | str | os.PathLike[str] | bool | None) -> GeocodeCache | None:
    if cache is None or cache is False:
        return None
    if cache is True:
        return GeocodeCache()
    if isinstance(cache, GeocodeCache):
        return cache
    if isinstance(cache, (str, os.PathLike)):
        return GeocodeCache(Path(cache))
    raise ConfigurationError(f"cache must be a path, a GeocodeCache, True or False; got {cache!r}")


def _to_record(location: Location) -> dict[str, Any]:
    return {"address": location.address, "point": [location.latitude, location.longitude],
            "raw": location.raw}


def _to_location(record: Mapping[str, Any]) -> Location:
    lat, lon = record["point"][:2]
    return Location(record["address"], (lat, lon), record["raw"])


def _accepts(method: Callable[..., Any], name: str) -> bool:
    try:
        params = inspect.signature(method).parameters
    except (TypeError, ValueError):
        return True
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


# -- the wrapper ---------------------------------------------------------------
class OnlineGeocoder(Geocoder):
    """A geopy geocoder behind a rate limiter, a persistent cache and retries.

    Usually made by :func:`nominatim` or :func:`photon`.

    Parameters
    ----------
    geocoder : geopy.geocoders.base.Geocoder
        The geopy geocoder doing the HTTP (``Nominatim``, ``Photon``...).
    name : str
        Short service name used in messages and cache keys (``"nominatim"``).
    cache : GeocodeCache, path, bool or None
        Where answers persist; True = the default file, False/None = no cache.
    min_delay_seconds : float
        Minimum spacing of requests to this endpoint in this process.
    max_retries : int
        Retries after the first request (timeouts, 5xx, 429, refused connections).
    backoff_seconds : float
        First retry wait; doubled at each retry (with a little jitter).
    max_wait : float
        Cap on any single wait; a ``Retry-After`` above it fails at once
        rather than hammering the service early.
    country_of, fclass_of : callable, optional
        ``raw -> country code / GeoNames feature class`` for filtering results
        after the fact (``feature_classes``; ``country_codes`` where the
        service has no such filter).
    native_country_filter : bool
        Whether the service's ``geocode`` takes ``country_codes`` itself.
    structured_queries : bool
        Whether it takes dict queries (``{"city": ..., "country": ...}``).
    """

    def __init__(self, geocoder: Geocoder, *, name: str,
                 cache: GeocodeCache | str | os.PathLike[str] | bool | None = None,
                 min_delay_seconds: float = 1.0, max_retries: int = 3,
                 backoff_seconds: float = 1.0, max_wait: float = 60.0,
                 country_of: Callable[[Mapping[str, Any]], str | None] | None = None,
                 fclass_of: Callable[[Mapping[str, Any]], str | None] | None = None,
                 native_country_filter: bool = False, structured_queries: bool = False,
                 geocode_options: Mapping[str, Any] | None = None,
                 reverse_options: Mapping[str, Any] | None = None) -> None:
        super().__init__(user_agent=geocoder.headers.get("User-Agent"))
        if min_delay_seconds < 0 or max_retries < 0 or backoff_seconds < 0 or max_wait < 0:
            raise ConfigurationError(
                f"negative rate/retry setting: min_delay_seconds={min_delay_seconds!r}, "
                f"max_retries={max_retries!r}, backoff_seconds={backoff_seconds!r}, max_wait={max_wait!r}")
        self.geocoder = geocoder
        self.name = name
        domain = getattr(geocoder, "domain", type(geocoder).__name__)
        #: service id used in messages and cache keys
        self.service = f"{name}@{domain}"
        self.cache = _as_cache(cache)
        self.min_delay_seconds = float(min_delay_seconds)
        self.max_retries = int(max_retries)
        self.backoff_seconds = float(backoff_seconds)
        self.max_wait = float(max_wait)
        self._country_of = country_of
        self._fclass_of = fclass_of
        self._native_country_filter = native_country_filter
        self._structured_queries = structured_queries
        self._geocode_options = dict(geocode_options or {})
        self._reverse_options = dict(reverse_options or {})
        self._limiter = _limiter(self.service, self.min_delay_seconds)
        #: HTTP requests made by this object (attempts, retries included)
        self.requests = 0
        self._stripes = [threading.Lock() for _ in range(64)]

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.service!r}, cache={self.cache!r}, "
                f"min_delay_seconds={self.min_delay_seconds}, max_retries={self.max_retries})")

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()

    def __enter__(self) -> OnlineGeocoder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public ---------------------------------------------------------------
    def geocode(self, query: str | Mapping[str, str], *, exactly_one: bool = True,
                country_codes: str | Iterable[str] | None = None,
                feature_classes: str | Iterable[str] | None = None,
                limit: int | None = None, language: str | None = None,
                **kwargs: Any) -> Location | list[Location] | None:
        """Find a place by name.

        Parameters
        ----------
        query : str or dict
            Free text, or a structured Nominatim query (``{"city": ...}``).
        exactly_one : bool
            Return the best Location, else a list.
        country_codes : str or list of str, optional
            ISO 3166-1 alpha-2 codes to restrict to.
        feature_classes : str or list of str, optional
            GeoNames feature classes to keep (``"P"``, ``"A"``...), judged from
            the OSM tags (see :func:`osm_feature_class`).
        limit : int, optional
            Most results when ``exactly_one`` is False.
        language : str, optional
            Preferred language of the answer.
        **kwargs
            Passed on to the geopy geocoder (e.g. Nominatim's ``viewbox``).

        Returns
        -------
        Location, list of Location or None
            None on a miss (cached too).

        Raises
        ------
        OnlineGeocoderError
            The service failed after retries (message names service and query).
        InvalidQuery
            Empty or non-text query.
        """
        text = _clean_query(query)
        if isinstance(text, dict) and not self._structured_queries:
            raise InvalidQuery(f"{self.service} takes text queries only, got {query!r}")
        if limit is not None and int(limit) < 1:
            raise InvalidQuery(f"limit must be >= 1, got {limit!r}")
        countries = _clean_codes(country_codes)
        classes = {c.upper() for c in _clean_codes(feature_classes) or ()} or None
        if classes and self._fclass_of is None:
            raise ConfigurationError(f"{self.service} cannot filter by feature class")
        if countries and not self._native_country_filter and self._country_of is None:
            raise ConfigurationError(f"{self.service} cannot filter by country")
        post_filter = bool(classes) or (bool(countries) and not self._native_country_filter)
        wanted = 1 if exactly_one else limit
        fetch = max(wanted or _FILTER_POOL, _FILTER_POOL) if post_filter else wanted
        params: dict[str, Any] = {**self._geocode_options, **kwargs}
        if fetch is not None:
            params["limit"] = fetch
        if countries and self._native_country_filter:
            params["country_codes"] = countries
        if language:
            params["language"] = language
        records = self._lookup("geocode", text, params, lambda: self.geocoder.geocode(
            text, exactly_one=False, **params))
        if countries:
            records = [r for r in records if self._country_of is None
                       or self._country_of(r["raw"]) in countries]
        if classes:
            records = [r for r in records if self._fclass_of(r["raw"]) in classes]
        return self._shape(records, exactly_one, limit)

    def reverse(self, query: Any, *, exactly_one: bool = True, language: str | None = None,
                **kwargs: Any) -> Location | list[Location] | None:
        """Find the address at a point ``(lat, lon)`` (pair, geopy Point or ``"lat, lon"``).

        Returns None on a miss (cached too); raises :class:`OnlineGeocoderError`
        when the service fails after retries, :class:`InvalidQuery` for
        coordinates out of range.
        """
        point = _clean_point(query)
        params: dict[str, Any] = {**self._reverse_options, **kwargs}
        if language:
            params["language"] = language
        records = self._lookup("reverse", point, params, lambda: self.geocoder.reverse(
            point, exactly_one=False, **params))
        return self._shape(records, exactly_one, None)

    # -- machinery ------------------------------------------------------------
    @staticmethod
    def _shape(records: list[dict[str, Any]], exactly_one: bool,
               limit: int | None) -> Location | list[Location] | None:
        if not records:
            return None
        if exactly_one:
            return _to_location(records[0])
        return [_to_location(r) for r in records[:limit]]

    def _lookup(self, method: str, query: Any, params: dict[str, Any],
                request: Callable[[], Any]) -> list[dict[str, Any]]:
        if self.cache is None:
            return self._fetch(method, query, request)
        key = GeocodeCache.make_key(self.service, method, query, params)[0]
        # threads asking the same thing at once: one request, the others read the cache
        with self._stripes[int(key[:8], 16) % len(self._stripes)]:
            cached = self.cache.get(self.service, method, query, params)
            if cached is not None:
                logger.debug("%s %s %r: from cache (%d result(s))", self.service, method, query, len(cached))
                return cached
            records = self._fetch(method, query, request)
            self.cache.put(self.service, method, query, params, records)
            return records

    def _fetch(self, method: str, query: Any, request: Callable[[], Any]) -> list[dict[str, Any]]:
        found = self._request(method, query, request)
        if isinstance(found, Location):
            found = [found]
        return [_to_record(loc) for loc in found or ()]

    def _request(self, method: str, query: Any, request: Callable[[], Any]) -> Any:
        attempt = 0
        while True:
            attempt += 1
            paused = _PAUSED_UNTIL.get(self.service, 0.0) - time.monotonic()
            if paused > 0:  # the service asked this process to hold off (another thread's 429)
                self._sleep(paused)
            self.requests += 1
            try:
                return self._limiter(request)
            except GeopyError as err:
                wait, why = self._retry_wait(err, attempt)
                if wait is None or attempt > self.max_retries:
                    detail = f"{type(err).__name__}: {_short(str(err))}" + (f" ({why})" if why else "")
                    message = (f"{self.service} {method} {query!r} failed after "
                               f"{attempt} attempt{'s' * (attempt > 1)}: {detail}")
                    raise _final_error(err, message, service=self.service, method=method,
                                       query=query, attempts=attempt) from err
                if _retry_after(err) is not None:  # a Retry-After is meant for every request, not just this one
                    with _LIMITERS_LOCK:
                        until = time.monotonic() + wait
                        _PAUSED_UNTIL[self.service] = max(_PAUSED_UNTIL.get(self.service, 0.0), until)
                logger.warning("%s %s %r: %s: %s; retry %d/%d in %.2f s", self.service, method, query,
                               type(err).__name__, _short(str(err)), attempt, self.max_retries, wait)
                self._sleep(wait)
            except (KeyError, IndexError, TypeError, ValueError, AttributeError) as err:
                # geopy parsed JSON of an unexpected shape
                raise OnlineGeocoderError(
                    f"{self.service} {method} {query!r}: unexpected answer ({type(err).__name__}: {_short(str(err))})",
                    service=self.service, method=method, query=query, attempts=attempt) from err

    def _retry_wait(self, err: GeopyError, attempt: int) -> tuple[float | None, str]:
        """Seconds to wait before retrying after ``err`` (None: do not retry) and why."""
        backoff = min(self.max_wait, self.backoff_seconds * 2 ** (attempt - 1) * random.uniform(1.0, 1.2))
        status = _http_status(err)
        retryable = (isinstance(err, (GeocoderRateLimited, GeocoderTimedOut, GeocoderUnavailable))
                     or (status is not None and 500 <= status < 600))
        if not retryable:
            return None, ""
        asked = _retry_after(err)
        if asked is None:
            return backoff, ""
        if asked > self.max_wait:
            return None, f"Retry-After {asked:g} s exceeds max_wait {self.max_wait:g} s"
        return max(asked, backoff if attempt > 1 else 0.0), ""

    def _sleep(self, seconds: float) -> None:
        time.sleep(seconds)


# -- factories -------------------------------------------------------------------
def nominatim(*, user_agent: str | None = None, domain: str = NOMINATIM_DOMAIN, scheme: str = "https",
              timeout: float = 10.0, min_delay_seconds: float = 1.0,
              cache: GeocodeCache | str | os.PathLike[str] | bool | None = True,
              max_retries: int = 3, backoff_seconds: float = 1.0, max_wait: float = 60.0,
              **geopy_options: Any) -> OnlineGeocoder:
    """Nominatim (OpenStreetMap) behind rate limit, cache and retries.

    Parameters
    ----------
    user_agent : str
        Required: identifies your application to the service (usage policy);
        defaults to ``$EVENTMAP_USER_AGENT``.
    domain, scheme : str
        The server, e.g. ``domain="127.0.0.1:8080", scheme="http"`` (or
        ``domain="http://127.0.0.1:8080"``) for your own.
    timeout : float
        Seconds per request.
    min_delay_seconds : float
        Request spacing; keep 1.0 for the public server.
    cache : GeocodeCache, path, bool or None
        True (default): the file of :func:`default_cache_path`; a path or a
        GeocodeCache; False/None: no cache (not polite on the public server).
    max_retries, backoff_seconds, max_wait : see :class:`OnlineGeocoder`.
    **geopy_options
        Passed to :class:`geopy.geocoders.Nominatim` (``proxies``, ``ssl_context``...).

    Raises
    ------
    ConfigurationError
        No user agent, or a sample one.
    """
    from geopy.geocoders import Nominatim

    agent = _check_user_agent(user_agent, "nominatim")
    domain, scheme = _split_domain(domain, scheme)
    if domain.lower() == NOMINATIM_DOMAIN:
        # https://operations.osmfoundation.org/policies/nominatim/
        if min_delay_seconds < 1.0:
            raise ConfigurationError(
                f"the public Nominatim allows at most 1 request/s; got min_delay_seconds={min_delay_seconds!r} "
                f"(use your own server via domain= for more)")
        if cache is None or cache is False:
            logger.warning("the public Nominatim usage policy asks clients to cache answers; cache is off")
    geopy_options.setdefault("adapter_factory", _adapter_factory())
    inner = Nominatim(user_agent=agent, domain=domain, scheme=scheme, timeout=timeout, **geopy_options)
    return OnlineGeocoder(inner, name="nominatim", cache=cache, min_delay_seconds=min_delay_seconds,
                          max_retries=max_retries, backoff_seconds=backoff_seconds, max_wait=max_wait,
                          country_of=_nominatim_country, fclass_of=_nominatim_fclass,
                          native_country_filter=True, structured_queries=True,
                          geocode_options={"addressdetails": True},
                          reverse_options={"addressdetails": True})


def photon(*, user_agent: str | None = None, domain: str = PHOTON_DOMAIN, scheme: str = "https",
           timeout: float = 10.0, min_delay_seconds: float = 1.0,
           cache: GeocodeCache | str | os.PathLike[str] | bool | None = True,
           max_retries: int = 3, backoff_seconds: float = 1.0, max_wait: float = 60.0,
           **geopy_options: Any) -> OnlineGeocoder:
    """Photon (komoot's OpenStreetMap search) behind rate limit, cache and retries.

    Same parameters as :func:`nominatim`. Photon has no country filter, so
    ``country_codes`` is applied to the answers (asking for a few more).
    """
    from geopy.geocoders import Photon

    agent = _check_user_agent(user_agent, "photon")
    domain, scheme = _split_domain(domain, scheme)
    geopy_options.setdefault("adapter_factory", _adapter_factory())
    inner = Photon(user_agent=agent, domain=domain, scheme=scheme, timeout=timeout, **geopy_options)
    return OnlineGeocoder(inner, name="photon", cache=cache, min_delay_seconds=min_delay_seconds,
                          max_retries=max_retries, backoff_seconds=backoff_seconds, max_wait=max_wait,
                          country_of=_photon_country, fclass_of=_photon_fclass,
                          native_country_filter=False)


# -- chains ------------------------------------------------------------------------
class GeocoderChain(Geocoder):
    """Ask geocoders in order; the first one with an answer wins.

    ``GeocoderChain([offline, online])`` resolves offline what it can and asks
    the online service only for the rest; ``[online, offline]`` prefers the
    service and falls back offline when it misses or is down.

    A member that *fails* (service error after its retries) is logged and
    skipped; if no member answers and one failed, that failure is raised (so
    a miss is never confused with "could not ask"). Keyword arguments a
    member's method does not take are not passed to it.

    Parameters
    ----------
    geocoders : sequence of geopy Geocoder
    names : sequence of str, optional
        Names reported by :meth:`geocode_with_source`; default each member's
        ``name`` attribute or class name.
    """

    def __init__(self, geocoders: Sequence[Geocoder], names: Sequence[str] | None = None) -> None:
        super().__init__()
        if not geocoders:
            raise ConfigurationError("a GeocoderChain needs at least one geocoder")
        self.geocoders = list(geocoders)
        if names is None:
            names = [getattr(g, "name", None) or type(g).__name__ for g in self.geocoders]
        if len(names) != len(self.geocoders):
            raise ConfigurationError(f"{len(self.geocoders)} geocoders but {len(names)} names")
        self.names = list(names)

    def __repr__(self) -> str:
        return f"GeocoderChain({'+'.join(self.names)})"

    def close(self) -> None:
        for g in self.geocoders:
            close = getattr(g, "close", None)
            if callable(close):
                close()

    def __enter__(self) -> GeocoderChain:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def geocode(self, query: Any, *, exactly_one: bool = True, **kwargs: Any) -> Location | list[Location] | None:
        """First member's answer to ``geocode(query, ...)``; None if all miss."""
        return self.geocode_with_source(query, exactly_one=exactly_one, **kwargs)[0]

    def reverse(self, query: Any, *, exactly_one: bool = True, **kwargs: Any) -> Location | list[Location] | None:
        """First member's answer to ``reverse(query, ...)``; None if all miss."""
        return self.reverse_with_source(query, exactly_one=exactly_one, **kwargs)[0]

    def geocode_with_source(self, query: Any, *, exactly_one: bool = True,
                            **kwargs: Any) -> tuple[Location | list[Location] | None, str | None]:
        """Like :meth:`geocode`, also returning the name of the member that answered."""
        return self._ask("geocode", query, exactly_one, kwargs)

    def reverse_with_source(self, query: Any, *, exactly_one: bool = True,
                            **kwargs: Any) -> tuple[Location | list[Location] | None, str | None]:
        """Like :meth:`reverse`, also returning the name of the member that answered."""
        return self._ask("reverse", query, exactly_one, kwargs)

    def _ask(self, method: str, query: Any, exactly_one: bool,
             kwargs: dict[str, Any]) -> tuple[Any, str | None]:
        failures: list[GeocoderServiceError] = []
        for name, geocoder in zip(self.names, self.geocoders):
            func = getattr(geocoder, method)
            passed = {k: v for k, v in kwargs.items() if v is not None and _accepts(func, k)}
            dropped = sorted(set(kwargs) - set(passed) - {k for k, v in kwargs.items() if v is None})
            if dropped:
                logger.debug("%s.%s does not take %s; not passed", name, method, ", ".join(dropped))
            try:
                found = func(query, exactly_one=exactly_one, **passed)
            except GeocoderQueryError:
                raise  # a bad query is bad for every member
            except GeocoderServiceError as err:
                logger.warning("%s failed for %r, trying the next geocoder: %s", name, query, err)
                failures.append(err)
                continue
            if found:
                if failures:
                    logger.info("%s answered %r after %d failed geocoder(s)", name, query, len(failures))
                return found, name
            logger.debug("%s: no %s result for %r", name, method, query)
        if failures:
            raise failures[0]
        return None, None


def make_geocoder(name: str = "offline", *, user_agent: str | None = None, domain: str | None = None,
                  scheme: str = "https", timeout: float = 10.0, min_delay_seconds: float = 1.0,
                  cache: GeocodeCache | str | os.PathLike[str] | bool | None = True,
                  max_retries: int = 3, backoff_seconds: float = 1.0, max_wait: float = 60.0,
                  data_dir: str | os.PathLike[str] | None = None, offline: Geocoder | None = None,
                  offline_options: Mapping[str, Any] | None = None) -> Geocoder:
    """Build the geocoder named by ``name`` (what ``--geocoder`` takes).

    Parameters
    ----------
    name : str
        ``"offline"``, ``"nominatim"``, ``"photon"`` or members joined with
        ``+`` into a :class:`GeocoderChain` asked in that order, e.g.
        ``"offline+nominatim"`` (offline first, online for its misses) or
        ``"nominatim+offline"``.
    user_agent : str, optional
        Required by the online members (or ``$EVENTMAP_USER_AGENT``).
    domain : str, optional
        Server of the online members (default: each service's public one);
        ``"http://host:port"`` sets the scheme too.
    scheme, timeout, min_delay_seconds, cache, max_retries, backoff_seconds, max_wait
        For the online members; see :func:`nominatim`. One cache is shared;
        ``cache=True`` puts it in the data dir.
    data_dir : path, optional
        The eventmap data dir (default ``$EVENTMAP_DATA_DIR`` or the user
        cache dir): where the offline gazetteer and the online cache live.
    offline : geopy Geocoder, optional
        An existing offline geocoder to use as the ``offline`` member; by
        default ``gazetteer.OfflineGeocoder(**offline_options)``.

    Returns
    -------
    geopy Geocoder
        A single member itself, or a :class:`GeocoderChain` (which also has
        ``geocode_with_source``/``reverse_with_source``).

    Raises
    ------
    ConfigurationError
        Unknown member name, or an online member without a user agent.

    Examples
    --------
    In ``eventmap parse --geocoder nominatim --user-agent UA``::

        geocoder = make_geocoder(opts.geocoder, user_agent=opts.user_agent)
        location = geocoder.geocode(name, exactly_one=True)
    """
    members = [m.strip().lower() for m in str(name).split("+")]
    unknown = [m for m in members if m not in GEOCODER_NAMES]
    if unknown or not members:
        raise ConfigurationError(
            f"unknown geocoder {name!r}: use one of {', '.join(GEOCODER_NAMES)} or several joined "
            f"with '+' (e.g. 'offline+nominatim')")
    if len(set(members)) != len(members):
        raise ConfigurationError(f"geocoder {name!r} names a member twice")
    online_cache = None
    if any(m != "offline" for m in members):
        online_cache = _as_cache(default_cache_path(data_dir) if cache is True else cache)
    built: list[Geocoder] = []
    for member in members:
        if member == "offline":
            if offline is None:
                from gazetteer import OfflineGeocoder  # type: ignore[attr-defined]

                options = dict(offline_options or {})
                if data_dir is not None:
                    options.setdefault("data_dir", data_dir)
                offline = OfflineGeocoder(**options)
            built.append(offline)
            continue
        factory = nominatim if member == "nominatim" else photon
        options: dict[str, Any] = {"domain": domain} if domain else {}
        built.append(factory(user_agent=user_agent, scheme=scheme, timeout=timeout,
                             min_delay_seconds=min_delay_seconds,
                             cache=online_cache if online_cache is not None else False,
                             max_retries=max_retries, backoff_seconds=backoff_seconds, max_wait=max_wait,
                             **options))
    if len(built) == 1:
        return built[0]
    return GeocoderChain(built, names=members)
