"""Audit: bad query values through the real CLI are one clear message naming the value."""
from __future__ import annotations

from click.testing import CliRunner

from geo.cli import main


def test_geocode_unknown_feature_class_is_named_not_a_silent_miss() -> None:
    r = CliRunner().invoke(main, ["geocode", "Busan", "--feature-class", "P,Q"])
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert "unknown GeoNames feature class 'Q'" in r.output and "--feature-class" in r.output


def test_geocode_known_feature_classes_any_case_still_work() -> None:
    r = CliRunner().invoke(main, ["geocode", "Busan", "--feature-class", "p,a", "--json"])
    assert r.exit_code == 0, r.output
    assert '"results"' in r.output and "Busan" in r.output
