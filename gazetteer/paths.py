"""Where the built gazetteer lives.

Default: the platformdirs user cache dir of ``eventmap`` (e.g.
``~/.cache/eventmap`` on Linux); overridden by the ``EVENTMAP_DATA_DIR``
environment variable, and that by an explicit ``data_dir`` argument.
"""
from __future__ import annotations

import os
from pathlib import Path

from gazetteer.errors import ConfigurationError

__all__ = ["ARTEFACT_NAME", "ENV_VAR", "artefact_path", "data_dir", "fsync_dir"]

ENV_VAR = "EVENTMAP_DATA_DIR"
#: file name of the built gazetteer inside the data dir
ARTEFACT_NAME = "gazetteer.sqlite"


def data_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the data directory (argument > ``$EVENTMAP_DATA_DIR`` > user cache dir)."""
    if path is None:
        path = os.environ.get(ENV_VAR) or None
    if path is None:
        import platformdirs

        path = platformdirs.user_cache_dir("eventmap", appauthor=False)
    p = Path(path).expanduser()
    if p.exists() and not p.is_dir():
        raise ConfigurationError(f"gazetteer data dir {str(p)!r} exists and is not a directory")
    return p.resolve()


def artefact_path(path: str | os.PathLike[str] | None = None) -> Path:
    """Path of the built gazetteer file in the resolved data dir."""
    return data_dir(path) / ARTEFACT_NAME


def fsync_dir(path: str | os.PathLike[str]) -> None:
    """Make a rename in ``path`` durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
