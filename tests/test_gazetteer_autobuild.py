"""The build that :func:`gazetteer.load` starts by itself shows progress only to a person."""
from __future__ import annotations

import io
import sys

import pytest


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("stream", "expected"), [(io.StringIO(), False), (_Tty(), True)])
def test_in_process_build_progress_follows_the_terminal(tmp_path, monkeypatch, stream, expected):
    import gazetteer.build  # noqa: F401  (the name `gazetteer.build` is the function)
    from gazetteer._gazetteer import _build_for_load

    build_mod = sys.modules["gazetteer.build"]

    calls = []
    # custom sources make load build in-process, where the call can be observed
    monkeypatch.setattr(build_mod, "default_sources", list)
    monkeypatch.setattr(build_mod, "build", lambda data_dir, progress: calls.append((data_dir, progress)))
    monkeypatch.setattr(sys, "stderr", stream)
    _build_for_load(tmp_path)
    assert calls == [(tmp_path, expected)]


def test_child_build_writes_no_progress_bar_into_a_pipe(tmp_path, capfd):
    import gazetteer
    from gazetteer._gazetteer import _build_for_load

    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    with pytest.raises(gazetteer.GazetteerError):
        _build_for_load(blocker)  # the child fails at once on the bad dir
    assert "step/s" not in capfd.readouterr().err
