"""Recognition: article text → candidate place spans."""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Span"]


@dataclass(frozen=True, slots=True)
class Span:
    """A place mention found in text. ``start``/``end`` are ``str`` offsets, end exclusive.

    ``kind`` is ``"place"`` or ``"demonym"``.
    """

    start: int
    end: int
    text: str
    kind: str = "place"
