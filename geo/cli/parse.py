"""``eventmap parse`` and ``eventmap evaluate``."""
from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from geo._atomic import atomic_open
from geo.cli._common import EXIT_SKIPPED, check_output, cli_errors, echo_err

__all__ = ["COMMANDS", "mention_record"]

logger = logging.getLogger(__name__)

_FRAME_FORMATS = {".geojson", ".json", ".parquet", ".csv", ".gpkg", ".fgb"}


def mention_record(m: Any) -> dict[str, Any]:
    """The JSONL output form of a :class:`~geo.resolve.Mention`."""
    p = m.place
    return {
        "start": m.start, "end": m.end, "text": m.text,
        "lat": p.lat if p else None, "lon": p.lon if p else None,
        "place_id": p.id if p else None, "name": p.name if p else None,
        "feature_code": p.fcode if p else None, "country_code": p.country_code if p else None,
        "confidence": round(float(m.confidence), 4), "kind": m.kind, "metonymic": bool(m.metonymic),
    }


def article_record(res: Any) -> dict[str, Any]:
    return {"id": res.article.id, "title": res.article.title,
            "mentions": [mention_record(m) for m in res.mentions]}


def _pipeline_options(ctx_opts: dict[str, Any]) -> dict[str, Any]:
    opts: dict[str, Any] = {
        "gazetteer_dir": ctx_opts.get("data_dir"),
        "demonyms": ctx_opts.get("demonyms", True),
        "given_spans": ctx_opts.get("given_spans", False),
        "recognizer": ctx_opts.get("recognizer", "default"),
        "fuzzy": ctx_opts.get("fuzzy", False),
        "focus_guess": ctx_opts.get("focus_guess", True),
        "source_context": ctx_opts.get("source_context", True),
    }
    if ctx_opts.get("spacy_model"):
        opts["spacy_model"] = ctx_opts["spacy_model"]
    name = ctx_opts.get("geocoder") or "offline"
    if name != "offline":
        from gazetteer.online import make_geocoder

        opts["geocoder"] = make_geocoder(name, user_agent=ctx_opts.get("user_agent"),
                                         domain=ctx_opts.get("domain"), data_dir=ctx_opts.get("data_dir"),
                                         cache=ctx_opts.get("geocode_cache") or True)
    return opts


def _read(inputs: tuple[str, ...], opts: dict[str, Any], skipped: list[Exception],
          outputs: tuple[str, ...] = ()) -> Iterator[Any]:
    from geo.articles import read_articles

    def on_error(err: Exception) -> None:
        skipped.append(err)
        echo_err(str(err) if "skipped" in str(err) else f"{err}; skipped")

    return read_articles(
        list(inputs), text_column=opts["text_column"], title_column=opts["title_column"],
        id_column=opts["id_column"], given_spans=opts["given_spans"], strict=opts["strict"],
        max_bytes=opts["max_bytes"], on_error=on_error, exclude=outputs)


def _reporting(results: Iterator[Any], skipped: list[Any]) -> Iterator[Any]:
    """Pass results through, reporting (and counting as skipped) what each left undone."""
    for res in results:
        for problem in res.problems:
            skipped.append(problem)
            echo_err(problem)
        yield res


#: the size limit of one input file (txt, html, json, feed) and of one article text
MAX_BYTES_OPTION = click.option(
    "--max-bytes", type=click.IntRange(min=1), default=50_000_000, show_default=True,
    help="Skip (with a message) any whole-file input or article text bigger than this many bytes.")


def _input_options(f: Any) -> Any:
    for opt in reversed([
        click.option("--text-column", default="text", show_default=True, help="CSV/JSONL field holding the text."),
        click.option("--title-column", default="title", show_default=True, help="CSV/JSONL field holding the title."),
        click.option("--id-column", default="id", show_default=True, help="CSV/JSONL field holding the article id."),
        click.option("--given-spans", is_flag=True,
                     help="Resolve the spans listed in each JSONL line's 'toponyms' instead of recognising."),
        click.option("--no-demonyms", "demonyms", flag_value=False, default=True,
                     help="Do not report demonyms ('South Korean') as mentions."),
        click.option("--recognizer", type=click.Choice(["default", "spacy"]), default="default", show_default=True,
                     help="Mention recogniser; 'spacy' needs the [ner] extra and a spaCy model."),
        click.option("--spacy-model", default=None, help="spaCy model name for --recognizer spacy."),
        click.option("--fuzzy", is_flag=True, help="Let the resolver try fuzzy name matches for misspellings."),
        click.option("--no-focus-guess", "focus_guess", flag_value=False, default=True,
                     help="Leave names the gazetteer lacks unplaced when nothing in the text says "
                          "where they are (by default they get the article's focus city or state, "
                          "with little confidence)."),
        click.option("--no-source-context", "source_context", flag_value=False, default=True,
                     help="Resolve each article on its own, without its source's other articles "
                          "(by default a local paper's ambiguous names lean to the state its other "
                          "articles name; the source is the 'source' field, else the URL's host; "
                          "results then come out per 2,000 articles)."),
        click.option("--workers", type=click.IntRange(1, 256), default=1, show_default=True,
                     help="Processes to parse with (same output for any value)."),
        click.option("--geocoder", default="offline", show_default=True,
                     help="offline, nominatim, photon, or a chain like offline+nominatim."),
        click.option("--user-agent", default=None, help="User agent for online geocoders (required by Nominatim)."),
        click.option("--domain", default=None, help="Online geocoder host (e.g. your own Nominatim)."),
        click.option("--geocode-cache", type=click.Path(dir_okay=False), default=None,
                     help="SQLite cache of online answers (default: in the data dir)."),
        click.option("--data-dir", type=click.Path(file_okay=False), default=None, envvar="EVENTMAP_DATA_DIR",
                     help="Gazetteer and cache directory [env: EVENTMAP_DATA_DIR]."),
        click.option("--strict", is_flag=True, help="Stop at the first bad input instead of skipping it."),
        MAX_BYTES_OPTION,
    ]):
        f = opt(f)
    return f


@click.command("parse")
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", default="-", show_default=True,
              help="Output file; the format follows the extension: .jsonl, .geojson, .parquet, .csv, .gpkg, .fgb "
                   "('-' writes JSONL to stdout).")
@click.option("--layer", type=click.Choice(["mentions", "places", "articles"]), default="mentions",
              show_default=True, help="Which frame to write for .geojson/.parquet/.csv/.gpkg/.fgb output.")
@_input_options
@cli_errors
def parse_cmd(inputs: tuple[str, ...], output: str, layer: str, **opts: Any) -> None:
    """Find and resolve the places that articles mention.

    INPUTS are files (.txt, .html, .jsonl, .csv, .tsv, RSS/Atom feeds),
    directories (read recursively) or '-' for stdin.

    \b
    Examples:
      eventmap parse examples/ -o places.jsonl
      eventmap parse news.jsonl -o mentions.geojson
      eventmap parse --given-spans gold.jsonl -o resolved.jsonl
    """
    from geo.pipeline import iter_results

    suffix = Path(output).suffix.lower()
    if output == "-" and sys.stdout is None:  # started with stdout closed (>&-)
        raise click.BadParameter("standard output is closed: write to a file instead", param_hint="-o/--output")
    if output != "-":
        check_output(output, param_hint="-o/--output", suffixes=(".jsonl", ".ndjson", *sorted(_FRAME_FORMATS)),
                     inputs=inputs)
    skipped: list[Any] = []
    # an earlier run's output inside an input directory is not an article (a .csv would be read as one)
    articles = _read(inputs, opts, skipped, outputs=(output,) if output != "-" else ())
    options = _pipeline_options(opts)
    progress = sys.stderr.isatty()
    results = _reporting(iter_results(articles, workers=opts["workers"], progress=progress, **options), skipped)
    n = 0
    if output == "-" or suffix in (".jsonl", ".ndjson"):
        if output == "-":
            for res in results:
                sys.stdout.write(json.dumps(article_record(res), ensure_ascii=False) + "\n")
                n += 1
        else:
            with atomic_open(output, newline="\n") as fh:
                for res in results:
                    fh.write(json.dumps(article_record(res), ensure_ascii=False) + "\n")
                    n += 1
    elif suffix in _FRAME_FORMATS:
        from geo.export import write
        from geo.frames import build_frames

        collected = list(results)
        n = len(collected)
        frames = dict(zip(("articles", "mentions", "places"), build_frames(collected)))
        write(frames[layer], output, layer=layer,
              articles=frames["articles"] if layer == "mentions" else None)
    else:
        raise click.BadParameter(f"unknown output format {suffix or output!r}; use .jsonl, .geojson, .parquet, "
                                 ".csv, .gpkg or .fgb", param_hint="-o/--output")
    if output != "-":
        echo_err(f"{n} article{'' if n == 1 else 's'} parsed → {output}")
    if skipped:
        echo_err(f"{len(skipped)} input(s) skipped")
        sys.exit(EXIT_SKIPPED)


@click.command("evaluate")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@click.option("--predictions", type=click.Path(dir_okay=False), default=None,
              help="Also write the predictions in the reference scorer's format.")
@click.option("--errors", "errors_out", type=click.Path(dir_okay=False), default=None,
              help="Also write every error (missed, spurious, unresolved, far) with the gold and "
                   "predicted place and its context: JSONL, or CSV for a .csv name.")
@_input_options
@cli_errors
def evaluate_cmd(gold: str, as_json: bool, predictions: str | None, errors_out: str | None,
                 **opts: Any) -> None:
    """Run the pipeline on a gold corpus and print recognition and resolution metrics.

    GOLD is JSONL with 'text' and 'toponyms' per article (the corpora README
    format). Reports P/R/F1 (exact and overlap), accuracy@161 km (over resolved
    and strict), mean/median km and AUC. With --given-spans, recognition is
    skipped and the gold spans are resolved.

    It scores exactly what `eventmap parse` outputs, demonyms included
    (corpora such as LGL annotate them as toponyms); --no-demonyms leaves
    them out for corpora that do not.
    """
    from geo.evaluate import error_records, format_report, load_gold, prediction_record, score
    from geo.pipeline import iter_results

    if predictions:
        check_output(predictions, param_hint="--predictions", inputs=(gold,))
    if errors_out:
        check_output(errors_out, param_hint="--errors", inputs=(gold,))
    gold_articles = load_gold(gold)   # an undecodable gold is an InputError naming it
    skipped: list[Exception] = []
    articles = _read((gold,), opts, skipped)
    options = _pipeline_options(opts)
    preds, records = [], []
    for res in _reporting(iter_results(articles, workers=opts["workers"], progress=sys.stderr.isatty(),
                                       total=len(gold_articles), **options), skipped):
        mentions = [mention_record(m) for m in res.mentions]
        preds.append(prediction_record(res.article.id, mentions))
        if errors_out:
            records.append({"id": res.article.id, "mentions": mentions})
    metrics = score(gold_articles, preds)
    metrics["mode"] = "given-spans" if opts["given_spans"] else "end-to-end"
    metrics["gold_file"] = gold
    if predictions:
        with atomic_open(predictions, newline="\n") as fh:
            for rec in preds:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    if errors_out:
        _write_errors(errors_out, error_records(gold_articles, records))
    if as_json:
        click.echo(json.dumps(metrics, indent=1))
    else:
        click.echo(format_report(f"eventmap {metrics['mode']}", metrics))
    if skipped:
        echo_err(f"{len(skipped)} input(s) skipped")
        sys.exit(EXIT_SKIPPED)


def _write_errors(path: str, errors: list[dict[str, Any]]) -> None:
    """The error records as JSONL, or CSV for a .csv name; a count by kind on stderr."""
    import csv
    from collections import Counter

    from geo.evaluate import ERROR_FIELDS

    with atomic_open(path, newline="\n" if not path.lower().endswith(".csv") else "") as fh:
        if path.lower().endswith(".csv"):
            w = csv.DictWriter(fh, fieldnames=ERROR_FIELDS)
            w.writeheader()
            w.writerows(errors)
        else:
            for rec in errors:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    counts = Counter(r["error"] for r in errors)
    echo_err(", ".join(f"{counts[k]} {k}" for k in ("missed", "spurious", "unresolved", "far"))
             + f" → {path}")


COMMANDS = [parse_cmd, evaluate_cmd]
