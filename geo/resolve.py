"""Resolution: spans + article context → places, confidence, runner-up, metonymy."""
from __future__ import annotations

from dataclasses import dataclass

from gazetteer import Place

__all__ = ["Mention", "Focus"]


@dataclass(slots=True)
class Mention:
    """A span and the place it was resolved to (``place`` None when nothing fits)."""

    start: int
    end: int
    text: str
    kind: str = "place"
    place: Place | None = None
    confidence: float = 0.0
    runner_up: Place | None = None
    runner_up_confidence: float = 0.0
    metonymic: bool = False


@dataclass(frozen=True, slots=True)
class Focus:
    """One of an article's focus places: ``level`` is country, admin1 or city."""

    level: str
    place: Place
    score: float


@dataclass(slots=True)
class ArticleResult:
    """Everything the pipeline learnt about one article."""

    article: "Article"
    mentions: list[Mention]
    focus: list[Focus]


from geo.articles import Article  # noqa: E402  (runtime name for the annotation above)
