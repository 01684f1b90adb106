"""Shared CLI plumbing: error mapping, atomic output, exit codes."""
from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from gazetteer.errors import EventmapError

__all__ = ["EXIT_SKIPPED", "cli_errors", "echo_err"]

#: exit status when the run finished but skipped some input
EXIT_SKIPPED = 3

F = TypeVar("F", bound=Callable[..., Any])


def echo_err(message: str) -> None:
    click.echo(f"eventmap: {message}", err=True)


def cli_errors(func: F) -> F:
    """Turn library errors into ``click.ClickException`` (one line, exit 1)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except EventmapError as err:
            raise click.ClickException(str(err)) from err
        except KeyboardInterrupt:
            echo_err("interrupted")
            sys.exit(130)

    return wrapper  # type: ignore[return-value]
