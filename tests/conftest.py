"""Shared pytest fixtures."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def gazetteer_db():
    """The real offline gazetteer in the default data dir, built once if missing or stale."""
    import gazetteer

    return gazetteer.load()
