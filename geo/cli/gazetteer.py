"""``eventmap gazetteer build`` and ``eventmap gazetteer info``: the offline place database."""
from __future__ import annotations

import json
from typing import Any

import click

from geo.cli._common import cli_errors

__all__ = ["COMMANDS", "gazetteer_group"]

_DATA_DIR = click.option(
    "--data-dir", type=click.Path(file_okay=False), default=None, envvar="EVENTMAP_DATA_DIR",
    help="Where the gazetteer lives [env EVENTMAP_DATA_DIR; default: the user cache dir].")


@click.group("gazetteer")
def gazetteer_group() -> None:
    """Build and inspect the offline gazetteer (GeoNames-based place database)."""


@gazetteer_group.command("build")
@click.option("--force", is_flag=True, help="Rebuild even when the gazetteer is current.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@_DATA_DIR
@cli_errors
def build_cmd(force: bool, no_progress: bool, data_dir: str | None) -> None:
    """Build the gazetteer from the installed data packages (about half a minute).

    Nothing happens when a current gazetteer exists, unless --force. The new
    file replaces the old one atomically: an interrupted build leaves the
    previous gazetteer intact.
    """
    import gazetteer

    path = gazetteer.build(data_dir, force=force, progress=not no_progress)
    info = gazetteer.Gazetteer(path).info()
    click.echo(f"gazetteer: {info['places']:,} places, {info['names']:,} names, "
               f"{info['size_bytes'] / 1e6:.1f} MB at {path}")


@gazetteer_group.command("info")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_DATA_DIR
@cli_errors
def info_cmd(as_json: bool, data_dir: str | None) -> None:
    """Show the gazetteer's path, size, sources and versions, and counts by feature class/code.

    Does not build: reports an error when no gazetteer has been built yet, and
    says so when the built one is stale (older code or data packages).
    """
    from gazetteer._gazetteer import Gazetteer, staleness
    from gazetteer.paths import artefact_path

    gaz = Gazetteer(artefact_path(data_dir))
    try:
        info = gaz.info()
        info["stale"] = staleness(gaz.meta)
    finally:
        gaz.close()
    if as_json:
        click.echo(json.dumps(info, indent=2, ensure_ascii=False))
        return
    click.echo(_text(info))


def _text(info: dict[str, Any]) -> str:
    lines = [
        f"path:        {info['path']}",
        f"size:        {info['size_bytes'] / 1e6:.1f} MB",
        f"format:      {info['format_version']}{' (custom sources)' if info['custom'] else ''}",
        f"built:       {info['built_at']}",
        f"status:      {'stale: ' + info['stale'] if info['stale'] else 'current'}",
        "sources:     " + ", ".join(f"{k} {v}" for k, v in (info["sources"] or {}).items()),
        f"supplement:  {info['supplement']}  builder: {info.get('builder')}",
        f"places:      {info['places']:,}  names: {info['names']:,}  "
        f"footprints: {info['footprints']:,} "
        f"({info.get('derived_footprints') or 0:,} admin1 derived from towns, approximate)",
        "by class:    " + ", ".join(f"{k} {v:,}" for k, v in info["by_fclass"].items()),
        "by code:     " + ", ".join(f"{k} {v:,}" for k, v in info["by_fcode"].items()),
        "name kinds:  " + ", ".join(f"{k} {v:,}" for k, v in info["names_by_kind"].items()),
    ]
    return "\n".join(lines)


COMMANDS = [gazetteer_group]
