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


def test_first_use_says_it_builds_without_asking_for_a_build(tmp_path, monkeypatch, caplog):
    import logging

    import gazetteer
    from gazetteer import _gazetteer

    built = []

    def fake_build(data_dir):   # no minute-long build in a unit test: a failing one will do
        built.append(data_dir)
        raise gazetteer.GazetteerError("stop here")

    monkeypatch.setattr(_gazetteer, "_build_for_load", fake_build)
    with caplog.at_level(logging.WARNING, logger="gazetteer"), pytest.raises(gazetteer.GazetteerError):
        gazetteer.load(tmp_path)
    assert built == [tmp_path]
    (msg,) = [r.getMessage() for r in caplog.records if "gazetteer" in r.getMessage()]
    assert "first use" in msg and str(tmp_path) in msg
    assert "run `eventmap gazetteer build`" not in msg   # it is already building
