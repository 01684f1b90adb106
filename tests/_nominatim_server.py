"""A real HTTP server on 127.0.0.1 speaking enough Nominatim and Photon for tests.

It serves a small invented-or-general-knowledge table of places and records
every request (path, params, headers, time), so tests can count requests,
check the user agent and the spacing of calls. Faults are queued per query::

    with FakeGeoServer() as server:
        server.fail("busan", "500", "429:1", "slow:0.5")   # next 3 searches for "busan"
        server.fail_all = "503"                           # every request, until reset
        geocoder = nominatim(domain=server.domain, scheme="http", ...)

Fault kinds: ``"<status>"`` (e.g. ``"500"``, ``"503"``), ``"429:<retry-after>"``
(``"429"`` alone sends no Retry-After), ``"slow:<seconds>"`` (then answers
normally), ``"malformed"`` (200 with broken JSON), ``"html"`` (200 with a long
HTML page), ``"empty"`` (200, no result),
``"wrongshape"`` (200 with JSON of the wrong shape).

Endpoints: Nominatim ``/search`` (``format=json|jsonv2|geojson``, ``q`` or
structured ``city=``/``country=``..., ``limit``, ``countrycodes``,
``addressdetails``) and ``/reverse`` (with ``format``); Photon ``/api``
(``q``, ``limit``) and ``/reverse`` (without ``format``).
"""
from __future__ import annotations

import json
import math
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["PLACES", "FakeGeoServer", "Request", "point_key"]

#: general-knowledge places: (name, country, cc, state, lat, lon, osm class, osm type, importance)
PLACES: list[dict[str, Any]] = [
    {"name": "Busan", "country": "South Korea", "cc": "kr", "state": None, "lat": 35.1796, "lon": 129.0756,
     "class": "place", "type": "city", "importance": 0.75, "osm_id": 1001},
    {"name": "Seoul", "country": "South Korea", "cc": "kr", "state": None, "lat": 37.5665, "lon": 126.978,
     "class": "place", "type": "city", "importance": 0.85, "osm_id": 1002},
    {"name": "Paris", "country": "France", "cc": "fr", "state": "Ile-de-France", "lat": 48.8566, "lon": 2.3522,
     "class": "place", "type": "city", "importance": 0.9, "osm_id": 1003},
    {"name": "Paris", "country": "United States", "cc": "us", "state": "Texas", "lat": 33.6609, "lon": -95.5555,
     "class": "place", "type": "town", "importance": 0.5, "osm_id": 1004},
    {"name": "Texas", "country": "United States", "cc": "us", "state": None, "lat": 31.2639, "lon": -98.5456,
     "class": "boundary", "type": "administrative", "importance": 0.8, "osm_id": 1005},
    {"name": "Mount Fuji", "country": "Japan", "cc": "jp", "state": None, "lat": 35.3606, "lon": 138.7274,
     "class": "natural", "type": "volcano", "importance": 0.7, "osm_id": 1006},
    {"name": "Sydney Opera House", "country": "Australia", "cc": "au", "state": "New South Wales",
     "lat": -33.8568, "lon": 151.2153, "class": "amenity", "type": "theatre", "importance": 0.6,
     "osm_id": 1007},
    {"name": "Nairobi", "country": "Kenya", "cc": "ke", "state": None, "lat": -1.2864, "lon": 36.8172,
     "class": "place", "type": "city", "importance": 0.7, "osm_id": 1008},
]


@dataclass
class Request:
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    time: float = field(default_factory=time.monotonic)


def _display_name(p: dict[str, Any]) -> str:
    return ", ".join(x for x in (p["name"], p["state"], p["country"]) if x)


def _nominatim_record(p: dict[str, Any], fmt: str, addressdetails: bool) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "place_id": 500000 + p["osm_id"], "licence": "test data", "osm_type": "node", "osm_id": p["osm_id"],
        "lat": f"{p['lat']:.7f}", "lon": f"{p['lon']:.7f}",
        ("category" if fmt == "jsonv2" else "class"): p["class"], "type": p["type"],
        "place_rank": 16, "importance": p["importance"], "addresstype": p["type"], "name": p["name"],
        "display_name": _display_name(p),
        "boundingbox": [f"{p['lat'] - 0.1:.7f}", f"{p['lat'] + 0.1:.7f}",
                        f"{p['lon'] - 0.1:.7f}", f"{p['lon'] + 0.1:.7f}"],
    }
    if addressdetails:
        address = {"country": p["country"], "country_code": p["cc"]}
        if p["state"]:
            address["state"] = p["state"]
        address[p["type"] if p["class"] == "place" else "name"] = p["name"]
        rec["address"] = address
    return rec


def _photon_feature(p: dict[str, Any]) -> dict[str, Any]:
    props = {"osm_id": p["osm_id"], "osm_type": "N", "osm_key": p["class"], "osm_value": p["type"],
             "name": p["name"], "country": p["country"], "countrycode": p["cc"].upper(), "type": "city"}
    if p["state"]:
        props["state"] = p["state"]
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
            "properties": props}


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def point_key(lat: float, lon: float) -> str:
    return f"{float(lat):.4f},{float(lon):.4f}"


class FakeGeoServer:
    """Threaded HTTP server on 127.0.0.1:<free port>; use as a context manager."""

    def __init__(self, places: list[dict[str, Any]] | None = None, reverse_km: float = 50.0) -> None:
        self.places = list(PLACES if places is None else places)
        self.reverse_km = reverse_km
        self.requests: list[Request] = []
        self.fail_all: str | None = None
        self._faults: dict[str, deque[str]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------
    def start(self) -> FakeGeoServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # headers and body go out in separate writes: without this, Nagle's algorithm and
            # delayed ACKs add ~40 ms to every keep-alive request
            disable_nagle_algorithm = True

            def do_GET(self) -> None:  # the http.server API name
                server._handle(self)

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fake-geo-server",
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeGeoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    @property
    def domain(self) -> str:
        return f"127.0.0.1:{self.port}"

    # -- test controls -----------------------------------------------------------
    def fail(self, query: str | tuple[float, float], *faults: str) -> None:
        """Queue faults for the next requests about ``query`` (text or (lat, lon))."""
        key = point_key(*query) if isinstance(query, tuple) else " ".join(query.split()).casefold()
        with self._lock:
            self._faults[key].extend(faults)

    def count(self, path: str | None = None, **params: str) -> int:
        """Requests received, optionally only to ``path`` with these params."""
        with self._lock:
            return sum(1 for r in self.requests if (path is None or r.path == path)
                       and all(r.params.get(k) == v for k, v in params.items()))

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._faults.clear()
            self.fail_all = None

    # -- serving -----------------------------------------------------------------
    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        url = urlsplit(h.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        with self._lock:
            self.requests.append(Request(url.path, params, {k.lower(): v for k, v in h.headers.items()}))
        if url.path in ("/search", "/api"):
            q = params.get("q") or " ".join(v for k, v in sorted(params.items())
                                            if k in ("street", "city", "county", "state", "country"))
            key = " ".join(q.split()).casefold()
        elif url.path == "/reverse":
            try:
                key = point_key(float(params["lat"]), float(params["lon"]))
            except (KeyError, ValueError):
                return self._send(h, 400, {"error": "bad lat/lon"})
        else:
            return self._send(h, 404, {"error": f"no such endpoint {url.path}"})
        with self._lock:
            fault = self.fail_all or (self._faults[key].popleft() if self._faults.get(key) else None)
        if fault is not None:
            kind, _, arg = fault.partition(":")
            if kind == "slow":
                time.sleep(float(arg))
            elif kind == "malformed":
                return self._send_raw(h, 200, b'[{"place_id": 1, "lat": "35.1", ', "application/json")
            elif kind == "html":  # what an overloaded proxy sends instead of JSON
                page = "<html><body>" + "<p>Service temporarily overloaded</p>\n" * 200 + "</body></html>"
                return self._send_raw(h, 200, page.encode(), "text/html")
            elif kind == "wrongshape":
                return self._send(h, 200, {"unexpected": True} if url.path != "/api" else {"oops": []})
            elif kind == "empty":
                return self._send(h, 200, self._empty(url.path, params))
            elif kind.isdigit():
                headers = {"Retry-After": arg} if arg else {}
                return self._send_raw(h, int(kind), f"fault {kind}".encode(), "text/plain", headers)
            else:
                raise ValueError(f"unknown fault {fault!r}")
        if url.path == "/search":
            return self._send(h, 200, self._search(params))
        if url.path == "/api":
            return self._send(h, 200, self._photon_search(params))
        return self._send(h, 200, self._reverse(params))

    @staticmethod
    def _empty(path: str, params: dict[str, str]) -> Any:
        if path == "/api" or (path == "/reverse" and "format" not in params):
            return {"type": "FeatureCollection", "features": []}
        return {"error": "Unable to geocode"} if path == "/reverse" else []

    def _matches(self, q: str) -> list[dict[str, Any]]:
        tokens = q.casefold().replace(",", " ").split()
        found = [p for p in self.places
                 if tokens and all(t in _display_name(p).casefold().replace(",", " ").split()
                                   or t in p["name"].casefold() for t in tokens)]
        return sorted(found, key=lambda p: -p["importance"])

    def _search(self, params: dict[str, str]) -> Any:
        fmt = params.get("format", "xml")
        q = params.get("q") or " ".join(params[k] for k in ("street", "city", "county", "state", "country")
                                        if k in params)
        found = self._matches(q)
        if "countrycodes" in params:
            codes = {c.strip().lower() for c in params["countrycodes"].split(",")}
            found = [p for p in found if p["cc"] in codes]
        found = found[: int(params.get("limit", 10))]
        if fmt == "geojson":
            return {"type": "FeatureCollection", "features": [
                {"type": "Feature", "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
                 "properties": _nominatim_record(p, "jsonv2", True)} for p in found]}
        return [_nominatim_record(p, fmt, params.get("addressdetails") == "1") for p in found]

    def _photon_search(self, params: dict[str, str]) -> Any:
        found = self._matches(params.get("q", ""))[: int(params.get("limit", 15))]
        return {"type": "FeatureCollection", "features": [_photon_feature(p) for p in found]}

    def _nearest(self, params: dict[str, str]) -> dict[str, Any] | None:
        lat, lon = float(params["lat"]), float(params["lon"])
        best = min(self.places, key=lambda p: _km(lat, lon, p["lat"], p["lon"]), default=None)
        if best is None or _km(lat, lon, best["lat"], best["lon"]) > self.reverse_km:
            return None
        return best

    def _reverse(self, params: dict[str, str]) -> Any:
        best = self._nearest(params)
        if "format" not in params:  # Photon
            return {"type": "FeatureCollection", "features": [_photon_feature(best)] if best else []}
        if best is None:
            return {"error": "Unable to geocode"}
        return _nominatim_record(best, params["format"], params.get("addressdetails") == "1")

    # -- low level -------------------------------------------------------------------
    def _send(self, h: BaseHTTPRequestHandler, status: int, payload: Any) -> None:
        self._send_raw(h, status, json.dumps(payload).encode(), "application/json")

    @staticmethod
    def _send_raw(h: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str,
                  headers: dict[str, str] | None = None) -> None:
        try:
            h.send_response(status)
            h.send_header("Content-Type", f"{ctype}; charset=utf-8")
            h.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                h.send_header(k, v)
            h.end_headers()
            h.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # client gave up (timeout tests)
            pass
