"""CSV rows with unbalanced quotes are reported, never merged into a neighbour."""
from __future__ import annotations

from pathlib import Path

from geo.articles import read_articles


def _read(path: Path) -> tuple[list, list]:
    errors: list = []
    arts = list(read_articles([str(path)], on_error=errors.append))
    return arts, errors


def test_unterminated_quote_does_not_swallow_the_rest_of_the_file(tmp_path: Path) -> None:
    p = tmp_path / "news.csv"
    p.write_text('id,text\n1,"unterminated\n2,Rain in Lima\n', encoding="utf-8")
    arts, errors = _read(p)
    assert [a.id for a in arts] == []  # row 2 is inside row 1's open quote: nothing trustworthy
    assert len(errors) == 1
    assert str(errors[0]).startswith(f"{p}:2: malformed CSV")


def test_a_stray_quote_costs_only_its_row(tmp_path: Path) -> None:
    p = tmp_path / "news.csv"
    p.write_text('id,text\n1,"Hi" he said in Paris\n2,Rain in Lima\n3,"Two\nlines in Quito"\n', encoding="utf-8")
    arts, errors = _read(p)
    assert [(a.id, a.text) for a in arts] == [("2", "Rain in Lima"), ("3", "Two\nlines in Quito")]
    assert [str(e).split(": ")[0] for e in errors] == [f"{p}:2"]
