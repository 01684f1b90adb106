"""``eventmap geocode`` and ``eventmap reverse``: one lookup, offline or online."""
from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import click

from geo.cli._common import cli_errors, echo_err

__all__ = ["COMMANDS", "geocode_cmd", "reverse_cmd"]

#: GeoNames feature classes (admin, water, area, populated place, road, spot, terrain, undersea, vegetation)
_FEATURE_CLASSES = frozenset("AHLPRSTUV")


def _geocoder_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--geocoder", "geocoder_name", default="offline", show_default=True, metavar="NAME",
                     help="offline, nominatim, photon, or several joined with '+', asked in order "
                          "(offline+nominatim: online only for what the gazetteer misses)."),
        click.option("--user-agent", envvar="EVENTMAP_USER_AGENT", default=None, metavar="UA",
                     help="Identifies you to online services (required by their usage policy) "
                          "[env EVENTMAP_USER_AGENT]."),
        click.option("--domain", default=None, metavar="HOST",
                     help="Online service host, e.g. your own Nominatim (default: the public one)."),
        click.option("--scheme", type=click.Choice(["https", "http"]), default="https", show_default=True),
        click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=10.0,
                     show_default=True, help="Seconds per online request."),
        click.option("--min-delay", type=click.FloatRange(min=0), default=1.0, show_default=True,
                     help="Minimum seconds between online requests (1 for the public Nominatim)."),
        click.option("--max-retries", type=click.IntRange(min=0), default=3, show_default=True,
                     help="Retries on timeouts, 5xx and 429."),
        click.option("--cache", "cache_path", type=click.Path(dir_okay=False), default=None,
                     help="SQLite cache of online answers [default: in the data dir]."),
        click.option("--no-cache", is_flag=True, help="Do not read or write the online cache."),
        click.option("--data-dir", type=click.Path(file_okay=False), default=None,
                     help="eventmap data dir (gazetteer, cache) [env EVENTMAP_DATA_DIR]."),
        click.option("--json", "as_json", is_flag=True, help="Print JSON with the raw records."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _make(opts: dict[str, Any]) -> Any:
    from gazetteer.online import make_geocoder

    cache: Any = False if opts["no_cache"] else (opts["cache_path"] or True)
    return make_geocoder(opts["geocoder_name"], user_agent=opts["user_agent"], domain=opts["domain"],
                         scheme=opts["scheme"], timeout=opts["timeout"],
                         min_delay_seconds=opts["min_delay"], cache=cache,
                         max_retries=opts["max_retries"], data_dir=opts["data_dir"])


def _ask(geocoder: Any, method: str, query: Any, name: str, **kwargs: Any) -> tuple[list[Any], str | None]:
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    if hasattr(geocoder, f"{method}_with_source"):
        found, source = getattr(geocoder, f"{method}_with_source")(query, **kwargs)
    else:
        found, source = getattr(geocoder, method)(query, **kwargs), name
    if found is None:
        return [], None
    return (list(found) if isinstance(found, list) else [found]), source


def _record(location: Any) -> dict[str, Any]:
    return {"address": location.address, "lat": location.latitude, "lon": location.longitude,
            "raw": location.raw}


def _report(query: Any, shown_query: str, results: list[Any], source: str | None, opts: dict[str, Any]) -> None:
    if opts["as_json"]:
        click.echo(json.dumps({"query": query, "geocoder": opts["geocoder_name"], "source": source,
                               "results": [_record(loc) for loc in results]},
                              ensure_ascii=False, indent=2, default=str))
    else:
        via = f"  [{source}]" if source and "+" in opts["geocoder_name"] else ""
        for i, loc in enumerate(results, 1):
            number = f"{i}. " if len(results) > 1 else ""
            click.echo(f"{number}{loc.address}\n{' ' * len(number)}{loc.latitude:.6f}, {loc.longitude:.6f}{via}")
    if not results:
        echo_err(f"no result for {shown_query} (geocoder {opts['geocoder_name']})")
        raise SystemExit(1)


@click.command("geocode")
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", type=click.IntRange(min=1), default=1, show_default=True, help="Most results.")
@click.option("--country", "countries", multiple=True, metavar="CC",
              help="Only places in this ISO country (repeat, or comma-separate).")
@click.option("--feature-class", "feature_classes", multiple=True, metavar="C",
              help="Only these GeoNames feature classes: P (populated), A (admin), H, T, L, S...")
@_geocoder_options
@cli_errors
def geocode_cmd(query: tuple[str, ...], limit: int, countries: tuple[str, ...],
                feature_classes: tuple[str, ...], **opts: Any) -> None:
    """Find a place by name and print its address and lat, lon.

    \b
    eventmap geocode Busan
    eventmap geocode Paris --country US --json
    eventmap geocode "Sydney Opera House" --geocoder offline+nominatim --user-agent "me/1.0 (me@example.org)"

    Exit status 1 when nothing is found.
    """
    text = " ".join(query).strip()
    if not text:
        raise click.BadParameter(f"empty query: {' '.join(query)!r}", param_hint="QUERY")
    codes = [c.strip() for item in countries for c in item.split(",") if c.strip()]
    bad = [c for c in codes if len(c) != 2 or not c.isalpha()]
    if bad:
        raise click.BadParameter(f"expected ISO 3166-1 alpha-2 codes, got {bad[0]!r}", param_hint="--country")
    classes = [c.strip().upper() for item in feature_classes for c in item.split(",") if c.strip()]
    unknown = [c for c in classes if c not in _FEATURE_CLASSES]
    if unknown:  # else an impossible filter would just answer "no result"
        raise click.BadParameter(f"unknown GeoNames feature class {unknown[0]!r}; use "
                                 f"{', '.join(sorted(_FEATURE_CLASSES))}", param_hint="--feature-class")
    geocoder = _make(opts)
    try:
        results, source = _ask(geocoder, "geocode", text, opts["geocoder_name"], exactly_one=limit == 1,
                               limit=limit if limit > 1 else None, country_codes=codes or None,
                               feature_classes=classes or None)
    finally:
        _close(geocoder)
    _report(text, repr(text), results, source, opts)


def _coordinate(value: str, name: str, hint: str, bound: float) -> float:
    try:
        number = float(value)
    except ValueError:
        raise click.BadParameter(f"{name} must be a number, got {value!r}", param_hint=hint) from None
    if not (math.isfinite(number) and -bound <= number <= bound):
        raise click.BadParameter(f"{name} must be within [-{bound:g}, {bound:g}], got {value!r}",
                                 param_hint=hint)
    return number


@click.command("reverse", context_settings={"ignore_unknown_options": True})
@click.argument("lat")
@click.argument("lon")
@_geocoder_options
@cli_errors
def reverse_cmd(lat: str, lon: str, **opts: Any) -> None:
    """Find the place at LAT LON (decimal degrees; negative values are fine).

    \b
    eventmap reverse 35.1 129.0
    eventmap reverse -33.86 151.21 --geocoder nominatim --user-agent "me/1.0 (me@example.org)" --json

    Exit status 1 when nothing is found.
    """
    point = (_coordinate(lat, "latitude", "LAT", 90.0), _coordinate(lon, "longitude", "LON", 180.0))
    geocoder = _make(opts)
    try:
        results, source = _ask(geocoder, "reverse", point, opts["geocoder_name"], exactly_one=True)
    finally:
        _close(geocoder)
    _report({"lat": point[0], "lon": point[1]}, f"{point[0]}, {point[1]}", results, source, opts)


def _close(geocoder: Any) -> None:
    close = getattr(geocoder, "close", None)
    if callable(close):
        close()


COMMANDS = [geocode_cmd, reverse_cmd]
