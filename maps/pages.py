"""One HTML page per article: its text with every mention highlighted and linked.

A resolved mention links to its place on the map (``map.html#place=ID``);
each mention has the anchor ``#m-<mention_index>`` the map's popups link to.
Article ids are untrusted, so file names are a sanitised slug plus a hash.
"""
from __future__ import annotations

import hashlib
import logging
import math
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd

from geo._atomic import ensure_parent, write_text_atomic
from maps.html import escape_html, safe_url, url_fragment_value

__all__ = ["page_name", "article_page_html", "index_page_html", "write_article_pages"]

logger = logging.getLogger(__name__)

_SLUG_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")

_PAGE_CSS = """
body{font:16px/1.6 Georgia,serif;max-width:46em;margin:2em auto;padding:0 1em;color:#222;overflow-wrap:anywhere}
header .meta{color:#666;font:14px/1.4 sans-serif;margin-bottom:1.2em}
header .hint{color:#888;font:12px/1.4 sans-serif;margin:-0.8em 0 1.2em}
nav{font:14px sans-serif;margin-bottom:1em}
.text{white-space:pre-wrap}
a.mention,span.mention{text-decoration:none;color:inherit}
a.mention mark{background:#ffe066;border-bottom:2px solid #1f78b4}
span.mention mark{background:#eee;border-bottom:2px dotted #999}
.mention.low mark{background:#fff3bf;border-bottom-style:dashed}
:target mark{outline:3px solid #e8590c}
table{border-collapse:collapse;font:14px sans-serif}td,th{padding:3px 8px;border-bottom:1px solid #eee;text-align:left}
td.d{white-space:nowrap;color:#666}td.n{text-align:right;color:#666}
"""


def page_name(article_id: Any) -> str:
    """A safe, unique, stable file name for an article's page."""
    raw = str(article_id)
    slug = _SLUG_UNSAFE.sub("-", raw).strip("-")[:40] or "article"
    digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{slug}-{digest}.html"


def _text(value: Any) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value)


def _date(value: Any) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    try:
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    except (ValueError, TypeError):
        return ""


def _path_url(path: str) -> str:
    """A relative file path as a URL: ``#``, ``?``, ``%`` and spaces in file names escaped."""
    return quote(path, safe="/.-_~")


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'; script-src 'none'; "
        "style-src 'unsafe-inline'; img-src 'self'\">"
        f"<title>{escape_html(title)}</title><style>{_PAGE_CSS}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def article_page_html(article: dict[str, Any], mentions: pd.DataFrame, *, map_href: str = "../map.html",
                      on_map: set[str] | None = None, index_href: str | None = "index.html") -> str:
    """HTML of one article page.

    Parameters
    ----------
    article : dict
        A row of the articles frame (``article_id``, ``title``, ``url``, ``date``, ``source``, ``text``).
    mentions : DataFrame
        This article's mentions (``mention_index``, ``start``, ``end``, ``place_id``, ``name``,
        ``confidence``).
    map_href : str
        Path from this page to the map (relative to the page); URL-escaped here, so a file name
        with a space, ``#``, ``%`` or ``?`` still links (as ``articles_href`` in :func:`maps.event_map`).
    on_map : set of str, optional
        Place ids drawn on the map; mentions of other places are highlighted but not linked.
    """
    map_href = _path_url(map_href)
    text = _text(article.get("text"))
    title = _text(article.get("title")) or _text(article.get("article_id"))
    url = safe_url(_text(article.get("url")))
    meta = [x for x in (_date(article.get("date")), _text(article.get("source"))) if x]
    head = [f"<h1>{escape_html(title)}</h1>"]
    # each piece its own bidi isolate: a right-to-left or U+202E source cannot reorder the link after it
    meta_html = " · ".join(f"<bdi>{escape_html(x)}</bdi>" for x in meta)
    if url:
        link = f'<a href="{escape_html(url)}" rel="noopener noreferrer nofollow">original article</a>'
        meta_html = f"{meta_html} · {link}" if meta_html else link
    elif _text(article.get("url")):
        meta_html += f' · <bdi><span class="url">{escape_html(article.get("url"))}</span></bdi>'
    head.append(f'<div class="meta">{meta_html}</div>')
    if len(mentions):
        head.append('<div class="hint">Highlighted: the places this article mentions; '
                    'click one to see it on the map (dotted: not on the map).</div>')

    parts: list[str] = []
    pos = 0
    ordered = mentions.sort_values(["start", "end"]) if len(mentions) else mentions
    for m in ordered.itertuples(index=False):
        start, end = int(m.start), int(m.end)
        if not (0 <= start < end <= len(text)) or start < pos:
            logger.debug("article %r: skipping mention %r at %d-%d (outside text or overlapping)",
                         article.get("article_id"), m.text, start, end)
            continue
        parts.append(escape_html(text[pos:start]))
        pid = _text(m.place_id)
        name = _text(m.name) or pid
        conf = float(m.confidence) if m.confidence == m.confidence else 0.0
        anchor = f"m-{int(m.mention_index)}"
        label = f"{name} ({pid}), confidence {conf:.2f}" if pid else "unresolved"
        inner = f"<mark>{escape_html(text[start:end])}</mark>"
        if pid and (on_map is None or pid in on_map):
            href = f"{map_href}#place={url_fragment_value(pid)}"
            parts.append(f'<a class="mention" id="{anchor}" href="{escape_html(href)}" '
                         f'title="{escape_html(label)}" data-place="{escape_html(pid)}">{inner}</a>')
        else:
            cls = "mention low" if pid else "mention"
            parts.append(f'<span class="{cls}" id="{anchor}" title="{escape_html(label)}">{inner}</span>')
        pos = end
    parts.append(escape_html(text[pos:]))

    nav = [f'<a href="{escape_html(map_href)}">← map</a>']
    if index_href:
        nav.append(f'<a href="{escape_html(index_href)}">all articles</a>')
    body = (f"<nav>{' · '.join(nav)}</nav>\n<article><header>{''.join(head)}</header>\n"
            f"<div class=\"text\">{''.join(parts)}</div></article>")
    return _page(title, body)


def index_page_html(articles: pd.DataFrame, *, map_href: str = "../map.html",
                    mention_counts: dict[str, int] | None = None) -> str:
    """A table of all articles, most recent first, linking to their pages."""
    if len(articles):
        articles = articles.sort_values("date", ascending=False, na_position="last", kind="stable")
    counts = mention_counts or {}
    map_href = _path_url(map_href)
    rows = []
    for a in articles.itertuples(index=False):
        title = _text(a.title) or _text(a.article_id)
        rows.append(f'<tr><td class="d">{escape_html(_date(a.date))}</td>'
                    f'<td><a href="{escape_html(page_name(a.article_id))}">{escape_html(title)}</a></td>'
                    f'<td>{escape_html(_text(a.source))}</td><td class="n">{counts.get(a.article_id, 0)}</td></tr>')
    body = (f'<nav><a href="{escape_html(map_href)}">← map</a></nav><h1>Articles</h1>'
            f"<table><tr><th>date</th><th>title</th><th>source</th><th>places</th></tr>{''.join(rows)}</table>")
    return _page("Articles", body)


def write_article_pages(articles: pd.DataFrame, mentions: pd.DataFrame, directory: str | os.PathLike, *,
                        map_href: str = "../map.html", on_map: set[str] | None = None) -> list[Path]:
    """Write ``<directory>/<page_name(id)>`` for every article, plus ``index.html``.

    Each file is written atomically (temp file + rename). Returns the paths written.
    """
    out = Path(directory)
    ensure_parent(out / "index.html")
    by_article = {k: g for k, g in mentions.groupby("article_id", sort=False)} if len(mentions) else {}
    empty = mentions.iloc[0:0]
    written = []
    for row in articles.to_dict("records"):
        aid = row.get("article_id")
        if aid is None:
            continue
        path = out / page_name(aid)
        write_text_atomic(path, article_page_html(row, by_article.get(aid, empty), map_href=map_href, on_map=on_map))
        written.append(path)
    index = out / "index.html"
    counts = mentions[mentions["place_id"].notna()].groupby("article_id").size().to_dict() if len(mentions) else {}
    write_text_atomic(index, index_page_html(articles, map_href=map_href, mention_counts=counts))
    written.append(index)
    logger.info("wrote %d article pages to %s", len(written) - 1, out)
    return written
