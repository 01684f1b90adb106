"""Line formats: JSONL/NDJSON and CSV/TSV, streamed."""
from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from geo._encoding import iter_lines
from geo.errors import InputError

__all__ = ["iter_csv", "iter_jsonl"]

_MAX_FIELD_LIMIT = 2**31 - 1


def iter_jsonl(fp: BinaryIO, where: str, *, max_line: int) -> Iterator[tuple[str, dict[str, Any]] | InputError]:
    """One JSON object per line; blank lines are skipped; a file with no lines is an error."""
    anything = False
    for lineno, line in iter_lines(fp, where, max_line=max_line):
        if isinstance(line, InputError):
            anything = True
            yield line
            continue
        if not line.strip():
            continue
        anything = True
        here = f"{where}:{lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            yield InputError(f"malformed JSON ({err.msg} at column {err.colno})", where=here)
            continue
        except RecursionError:
            yield InputError("malformed JSON (nested too deeply)", where=here)
            continue
        if not isinstance(obj, dict):
            yield InputError(f"expected a JSON object, got {_json_type(obj)}", where=here)
            continue
        yield here, obj
    if not anything:
        yield InputError("empty file (no records)", where=where)


def _json_type(obj: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null",
            int: "a number", float: "a number"}.get(type(obj), type(obj).__name__)


def iter_csv(fp: BinaryIO, where: str, *, delimiter: str, text_column: str, max_line: int,
             max_field: int) -> Iterator[tuple[str, dict[str, Any]] | InputError]:
    """CSV/TSV with a header row; each row becomes a dict keyed by the header.

    Quoted fields may span lines; a row's line number is the line it starts on.
    Rows with more fields than the header (and non-empty extras) are errors.
    """
    # Article bodies are often longer than the csv module's 128 KiB default.
    limit = min(max(csv.field_size_limit(), max_field + 1), _MAX_FIELD_LIMIT)
    if csv.field_size_limit() < limit:
        csv.field_size_limit(limit)

    errors: list[InputError] = []
    state = {"first": 0, "last": 0}

    def lines() -> Iterator[str]:
        for lineno, line in iter_lines(fp, where, max_line=max_line):
            if isinstance(line, InputError):
                errors.append(line)
                continue
            if not state["first"]:
                state["first"] = lineno
            state["last"] = lineno
            yield line

    # strict: an unbalanced quote is an error naming the row, not a field that silently
    # swallows the rest of the file
    reader = csv.reader(lines(), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    while True:
        state["first"] = 0
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            yield from _drain(errors)
            yield InputError(f"malformed CSV ({err})", where=f"{where}:{state['first'] or state['last']}")
            continue
        yield from _drain(errors)
        here = f"{where}:{state['first']}"
        if header is None:
            header = [h.strip() for h in row]
            if text_column not in header:
                shown = ", ".join(repr(h) for h in header[:12]) + (", ..." if len(header) > 12 else "")
                yield InputError(f"no {text_column!r} column in the header (columns: {shown}); "
                                 "file skipped (see --text-column)", where=f"{where}:{state['first']}")
                return
            continue
        if not row:  # blank line
            continue
        if len(row) > len(header) and any(f.strip() for f in row[len(header):]):
            yield InputError(f"expected {len(header)} fields, got {len(row)} (unbalanced quotes?)",
                             where=here)
            continue
        yield here, dict(zip(header, row, strict=False))
    reported = bool(errors)
    yield from _drain(errors)
    if header is None and not reported:
        yield InputError("empty file (no header row)", where=where)


def _drain(errors: list[InputError]) -> Iterator[InputError]:
    while errors:
        yield errors.pop(0)
