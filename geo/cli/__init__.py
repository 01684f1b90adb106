"""The ``eventmap`` command: a thin layer over the library.

Each module here holds one family of commands and exposes them in a
``COMMANDS`` list; library errors (:class:`gazetteer.EventmapError`) become
clean one-line CLI errors with a non-zero exit status.
"""
from __future__ import annotations

import importlib
import logging

import click

__all__ = ["main"]

#: modules contributing commands, in help order
_COMMAND_MODULES = ("parse", "geocode", "gazetteer", "map", "store")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="eventmap", prog_name="eventmap")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
def main(verbose: int, quiet: bool) -> None:
    """Find the places news articles mention, geocode them offline, and map,
    query and export them."""
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    logging.basicConfig(level=level, format="eventmap: %(levelname)s: %(message)s")


for _name in _COMMAND_MODULES:
    for _cmd in importlib.import_module(f"geo.cli.{_name}").COMMANDS:
        main.add_command(_cmd)
