"""The one place that makes untrusted text safe for HTML and JavaScript.

Article titles, text, URLs and source names come from the outside world.
Everything that reaches a page or a map goes through one of these helpers:

- :func:`escape_html` for text in HTML element content *and* attribute values.
  Beyond :func:`html.escape` it also turns backtick, ``$`` and backslash into
  character references, so the result is inert inside the JavaScript template
  literals folium wraps popup and tooltip HTML in.
- :func:`safe_url` for anything that becomes an ``href``: only ``http`` and
  ``https`` URLs survive, judged after the browser's own clean-up (entity
  decoding, stripping control characters and whitespace, case folding).
- :func:`json_for_script` for data embedded in a ``<script>`` element: JSON
  with ``<``, ``>``, ``&`` and U+2028/U+2029 as ``\\u`` escapes, so no string
  can close the script element or break the JavaScript parse, and with Jinja
  openers (``{{``, ``{%``, ``{#``) escaped, because branca renders every
  script a second time as a Jinja template (data would otherwise be run as
  template code on the machine drawing the map).
"""
from __future__ import annotations

import html
import json
import math
import re
import unicodedata
from typing import Any
from urllib.parse import quote, urlsplit

__all__ = ["escape_html", "json_for_script", "safe_url", "url_fragment_value"]

# Characters html.escape leaves alone but a JS template literal does not, and the
# braces Jinja reads: branca re-parses every rendered script as a Jinja template,
# so "{{ ... }}" or "{% ... %}" in data would be *executed* when the map renders.
_TEMPLATE_LITERAL = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;", "}": "&#125;"})
# In JSON, "{" followed by "{", "%" or "#" can only be inside a string.
_JINJA_OPEN = re.compile(r"\{(?=[{%#])")

_ALLOWED_SCHEMES = frozenset({"http", "https"})

_JSON_SCRIPT = str.maketrans({
    "<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
    "\u2028": "\\u2028", "\u2029": "\\u2029",
})


def escape_html(value: Any) -> str:
    """Escape ``value`` for HTML text, attributes and folium's template literals.

    ``None`` and NaN become the empty string; anything else is ``str()``-ed.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return ""
    except ImportError:  # pragma: no cover - pandas is a runtime dependency
        pass
    return html.escape(str(value), quote=True).translate(_TEMPLATE_LITERAL)


def safe_url(url: Any) -> str | None:
    """Return ``url`` if it is an absolute ``http(s)`` URL, else ``None``.

    The check runs on the URL as a browser would read it from an attribute:
    HTML character references decoded, Unicode format characters (zero-width,
    RLO...), control characters and whitespace removed, scheme case-folded.
    The returned URL is the cleaned one; it still needs :func:`escape_html`
    before it goes into an attribute.
    """
    if not isinstance(url, str):
        return None
    cleaned = html.unescape(url) if "&" in url else url
    if not (cleaned.isascii() and cleaned.isprintable()):  # the slow path only for odd URLs
        cleaned = "".join(ch for ch in cleaned if unicodedata.category(ch) not in ("Cf", "Cc", "Zl", "Zp"))
    cleaned = cleaned.strip()
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return None
    if parts.scheme.lower() not in _ALLOWED_SCHEMES or not parts.netloc:
        return None
    # Spaces and other oddities inside the URL are percent-encoded so the
    # link is one unambiguous token.
    return quote(cleaned, safe=":/?#[]@!$&'()*+,;=%~-._")


def json_for_script(data: Any) -> str:
    """``json.dumps(data)`` made safe to embed verbatim inside ``<script>``.

    NaN/inf are not valid JSON: callers pass ``None`` instead, and a stray one
    raises ``ValueError`` here rather than producing a page that fails to load.
    """
    out = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).translate(_JSON_SCRIPT)
    return _JINJA_OPEN.sub(r"\\u007b", out)


def url_fragment_value(value: str) -> str:
    """Percent-encode ``value`` for use inside a URL fragment (``#place=...``)."""
    return quote(value, safe="")
