"""Shared CLI plumbing: error mapping, atomic output, exit codes."""
from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from gazetteer.errors import EventmapError

__all__ = ["EXIT_SKIPPED", "check_output", "cli_errors", "echo_err"]

#: exit status when the run finished but skipped some input
EXIT_SKIPPED = 3

F = TypeVar("F", bound=Callable[..., Any])


def echo_err(message: str) -> None:
    click.echo(f"eventmap: {message}", err=True)


def check_output(path: str, *, param_hint: str, suffixes: tuple[str, ...] | None = None,
                 inputs: tuple[str, ...] = ()) -> None:
    """Fail before any work when ``path`` has the wrong extension or cannot be written.

    ``suffixes`` lists the accepted extensions (lower case, with the dot); the
    directory the file goes in is created, as the write would, and must accept
    a new file. An output that
    is one of the ``inputs`` is refused: writing it would replace the input.
    """
    from geo._atomic import check_writable

    if suffixes is not None and Path(path).suffix.lower() not in suffixes:
        raise click.BadParameter(f"{path!r}: the file name must end in {', '.join(suffixes)}", param_hint=param_hint)
    for item in inputs:
        if _same_file(path, item):
            raise click.BadParameter(f"{path!r} is also an input ({item}); writing it would replace that "
                                     "input: choose another output file", param_hint=param_hint)
    check_writable(path)


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):  # either does not exist (or is not a path)
        return False


def cli_errors(func: F) -> F:
    """Turn library errors into ``click.ClickException`` (one line, exit 1)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except EventmapError as err:
            raise click.ClickException(str(err)) from err
        except BrokenPipeError:
            # stdout closed early (`eventmap parse ... | head`): stop quietly, as cat and grep do;
            # stdout goes to /dev/null so the interpreter's final flush does not fail again
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(141)  # 128 + SIGPIPE, what a shell reports for a killed writer
        except OSError as err:
            # the last net for I/O the library did not name (disk full, a
            # directory that vanished...): one line naming the file, no traceback
            where = f"{err.filename}: " if err.filename is not None else ""
            raise click.ClickException(f"{where}{err.strerror or err}") from err
        except KeyboardInterrupt:
            echo_err("interrupted")
            sys.exit(130)

    return wrapper  # type: ignore[return-value]
