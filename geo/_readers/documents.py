"""Document formats: HTML pages (trafilatura) and RSS/Atom feeds (feedparser)."""
from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator
from typing import Any

from geo.errors import InputError

__all__ = ["html_fields", "html_to_text", "iter_feed"]

logger = logging.getLogger(__name__)

# elements after which text_content() must break the line
_BLOCKS = frozenset("""
    address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6
    header hr li main nav ol p pre section table td th tr ul
""".split())


def html_fields(html: str, where: str) -> dict[str, Any]:
    """Main text, title, date, url and site name of an HTML page, via trafilatura."""
    import trafilatura

    # trafilatura logs its own ERROR/WARNING lines ("empty HTML tree") that name no file;
    # the InputError below says what went wrong, and where
    quiet = logging.getLogger("trafilatura")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                          include_tables=True)
    except Exception as err:  # trafilatura/lxml raise assorted errors on hostile markup
        raise InputError(f"HTML extraction failed ({type(err).__name__}: {err})", where=where) from err
    finally:
        quiet.setLevel(level)
    if doc is None:
        raise InputError("no article text found in the HTML page", where=where)
    get = doc.get if isinstance(doc, dict) else (lambda k: getattr(doc, k, None))
    text = get("text") or ""
    if not text.strip():
        raise InputError("no article text found in the HTML page", where=where)
    return {"text": text, "title": get("title"), "date": get("date"), "url": get("url"),
            "source": get("sitename")}


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed entry body), one line per block element."""
    import lxml.html
    from lxml.etree import ParserError

    if "<" not in fragment:
        return fragment.strip()
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ParserError, ValueError):
        return fragment.strip()
    for bad in root.xpath(".//script|.//style"):
        bad.drop_tree()
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCKS:
            el.tail = "\n" + (el.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


def _entry_text(entry: Any) -> str:
    parts = [c for c in entry.get("content") or [] if c.get("value")]
    if parts:
        best = max(parts, key=lambda c: len(c["value"]))
        value, kind = best["value"], best.get("type") or "text/html"
    else:
        value = entry.get("summary") or ""
        kind = (entry.get("summary_detail") or {}).get("type") or "text/html"
    return html_to_text(value) if "html" in kind else value.strip()


def _entry_date(entry: Any) -> str | None:
    for key in ("published", "updated", "created"):
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            return time.strftime("%Y-%m-%dT%H:%M:%SZ", parsed)  # feedparser gives UTC
        if entry.get(key):
            return str(entry[key])
    return None


def iter_feed(data: bytes, where: str) -> Iterator[tuple[str, dict[str, Any]] | InputError]:
    """Entries of an RSS/Atom feed as records; ``where`` of entry *n* is ``path#n``."""
    import feedparser

    # a file object, never a str: feedparser would fetch a str that looks like a URL
    parsed = feedparser.parse(io.BytesIO(data))
    entries = parsed.get("entries") or []
    problem = parsed.get("bozo_exception")
    if not entries:
        if parsed.get("bozo"):
            yield InputError(f"not a readable RSS/Atom feed ({_reason(problem)})", where=where)
        elif not parsed.get("version"):
            yield InputError("not an RSS/Atom feed (no channel or entries found)", where=where)
        return  # a well-formed feed with no entries has nothing to read
    if parsed.get("bozo"):
        logger.warning(
            "%s: feed is not well-formed (%s); reading its %d entries anyway", where, _reason(problem),
            len(entries))
    source = (parsed.get("feed") or {}).get("title") or None
    for n, entry in enumerate(entries, 1):
        title = entry.get("title")
        if title and "html" in ((entry.get("title_detail") or {}).get("type") or ""):
            title = html_to_text(title)
        yield f"{where}#{n}", {"id": entry.get("id") or None, "text": _entry_text(entry),
                               "title": title, "url": entry.get("link"), "date": _entry_date(entry),
                               "source": source}


def _reason(problem: Any) -> str:
    text = " ".join(str(problem).split()) if problem is not None else "unknown error"
    return f"{type(problem).__name__}: {text}" if problem is not None else text
