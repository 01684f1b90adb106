"""Write a map to disk atomically, optionally with its assets copied beside it."""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from geo._atomic import ensure_parent, write_text_atomic

__all__ = ["save_map"]

logger = logging.getLogger(__name__)


def save_map(m: Any, path: str | os.PathLike, *, offline: bool = False) -> Path:
    """Render folium map ``m`` to ``path`` (temp file + rename).

    With ``offline=True`` the Leaflet/plugin files are copied into
    ``<stem>_files/`` next to the map and linked relatively, so the map
    works with no network (tiles aside).
    """
    path = ensure_parent(path)
    if offline:
        from maps.assets import localize

        folder = f"{path.stem}_files"
        # the links are URLs: a map named "week #3.html" must not link "week #3_files/..."
        localize(m, mode="copy", dest=path.parent / folder, prefix=f"{quote(folder, safe='-_.~')}/")
    html = m.get_root().render()
    write_text_atomic(path, html)
    logger.info("wrote %s (%.1f MB)", path, path.stat().st_size / 1e6)
    return path
