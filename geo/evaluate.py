"""Scoring predictions against gold corpora, as the geoparsing literature reports it.

Definitions follow the corpora's README (and agree with its reference scorer):
recognition P/R/F1 with exact and overlap (one-to-one greedy) span matching;
resolution over gold toponyms with coordinates: accuracy@161 km over resolved
and strict, mean/median great-circle error and the AUC of Gritta et al. (2018).
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from geo.coords import EARTH_RADIUS_KM

__all__ = ["EARTH_RADIUS_KM", "haversine_km", "load_gold", "prediction_record", "score", "format_report",
           "error_records", "ERROR_FIELDS"]

_AUC_MAX_KM = 20039.0
ACC_KM = 161.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km, computed exactly as the reference scorer does.

    Scalar ``math`` on purpose: scores must agree with the reference to the
    last bit, and numpy's vectorised sin/cos (:func:`geo.coords.haversine_km`,
    used everywhere else) may differ from libm in the last place.
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _auc(errors: Sequence[float]) -> float | None:
    if not errors:
        return None
    ys = sorted(math.log1p(max(0.0, e)) / math.log(_AUC_MAX_KM) for e in errors)
    if len(ys) == 1:
        return ys[0]
    return sum((ys[i] + ys[i + 1]) / 2.0 for i in range(len(ys) - 1)) / (len(ys) - 1)


def _median(xs: Sequence[float]) -> float | None:
    if not xs:
        return None
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2.0


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _overlap(a: Sequence[Any], b: Sequence[Any]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _overlap_len(a: Sequence[Any], b: Sequence[Any]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _greedy_match(golds: Sequence[Sequence[Any]], preds: Sequence[Sequence[Any]]) -> dict[int, int]:
    """One-to-one gold→prediction matching: exact matches first, then largest overlap."""
    pairs = []
    for gi, g in enumerate(golds):
        for pi, p in enumerate(preds):
            if _overlap(g, p):
                exact = (g[0], g[1]) == (p[0], p[1])
                pairs.append((0 if exact else 1, -_overlap_len(g, p), abs(g[0] - p[0]), gi, pi))
    pairs.sort()
    matched: dict[int, int] = {}
    used: set[int] = set()
    for *_, gi, pi in pairs:
        if gi in matched or pi in used:
            continue
        matched[gi] = pi
        used.add(pi)
    return matched


def _predictions(mentions: Iterable[Mapping[str, Any]]) -> list[tuple[int, int, float | None,
                                                                      float | None, Mapping[str, Any]]]:
    """An article's predicted spans with their points (the first of identical spans kept;
    records without integer offsets skipped), and each record itself."""
    seen: set[tuple[int, int]] = set()
    out = []
    for m in mentions:
        try:
            s, e = int(m["start"]), int(m["end"])
        except (KeyError, TypeError, ValueError):
            continue
        if (s, e) in seen:
            continue
        seen.add((s, e))
        lat, lon = m.get("lat"), m.get("lon")
        out.append((s, e, None if lat is None else float(lat), None if lon is None else float(lon), m))
    return out


def _scored(g: Sequence[Any], preds: Sequence[Sequence[Any]]) -> Sequence[Any] | None:
    """The prediction a gold toponym's resolution is scored on: of those overlapping it with a
    point, the exact span, else the largest overlap, else the nearest start."""
    cands = [p for p in preds if p[2] is not None and p[3] is not None and _overlap(g, p)]
    if not cands:
        return None
    return min(cands, key=lambda p: ((p[0], p[1]) != (g[0], g[1]), -_overlap_len(g, p), abs(p[0] - g[0])))


def load_gold(path: str | Path) -> list[dict[str, Any]]:
    """Read a gold JSONL corpus (format of the corpora README): UTF-8 with or without a
    byte-order mark, or UTF-16/32 with one; any bad line stops the reading (a gold corpus
    scored in part would give wrong scores)."""
    from geo._encoding import sniff_bom
    from geo.errors import InputError

    data = Path(path).read_bytes()
    codec, skip = sniff_bom(data[:4])
    try:
        text = data[skip:].decode(codec or "utf-8")
    except UnicodeDecodeError as err:
        raise InputError(f"not UTF-8 text (bad byte at offset {err.start + skip}); a gold corpus "
                         "must be UTF-8 JSONL (or UTF-16/32 with a byte-order mark)",
                         where=str(path)) from err
    out = []
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputError(f"{path}:{lineno}: malformed JSON ({err.msg} at column {err.colno})") from err
        _check_gold(rec, f"{path}:{lineno}")
        rec["id"] = str(rec["id"])
        out.append(rec)
    return out


def _check_gold(rec: Any, where: str) -> None:
    """Reject a gold record the scores would silently misread (one clear message naming the line)."""
    from geo.errors import InputError

    def bad(message: str) -> InputError:
        return InputError(message, where=where)

    if not isinstance(rec, dict):
        raise bad(f"expected a JSON object, got {type(rec).__name__}")
    if rec.get("id") is None:
        raise bad("no 'id' (gold articles need ids to be matched with predictions)")
    text = rec.get("text")
    if not isinstance(text, str):
        raise bad("'text' must be a string")
    tops = rec.get("toponyms", [])
    if not isinstance(tops, list):
        raise bad("'toponyms' must be a list")
    for k, t in enumerate(tops):
        start, end = (t.get("start"), t.get("end")) if isinstance(t, dict) else (None, None)
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            raise bad(f"toponym {k}: start/end must be offsets into the text, got {start!r}, {end!r}")
        name = t.get("name")
        if name is not None and text[start:end] != name:
            raise bad(f"toponym {k}: text[{start}:{end}] is {text[start:end]!r}, not {name!r}")


def prediction_record(article_id: str, mentions: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The scorer's prediction line for one article."""
    return {"id": article_id, "mentions": [
        {"start": m["start"], "end": m["end"], "name": m.get("text", m.get("name")),
         "lat": m.get("lat"), "lon": m.get("lon")} for m in mentions]}


def score(gold: Sequence[Mapping[str, Any]], predictions: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Micro-averaged recognition and resolution metrics of ``predictions`` against ``gold``.

    ``predictions`` are ``{"id", "mentions": [{"start", "end", "lat", "lon"}]}``
    records; articles without one count as predicting nothing. Identical
    predicted spans within an article count once (the first is kept).
    """
    gold_ids = {str(a["id"]) for a in gold}
    by_id: dict[str, list[Mapping[str, Any]]] = {}
    for rec in predictions:
        pid = str(rec.get("id"))
        if pid in gold_ids:
            by_id.setdefault(pid, []).extend(rec.get("mentions") or [])

    n_gold = n_pred = tp_exact = tp_overlap = n_coords = 0
    errors: list[float] = []
    for art in gold:
        preds = _predictions(by_id.get(str(art["id"]), []))
        golds = [(t["start"], t["end"], t.get("lat"), t.get("lon")) for t in art["toponyms"]]
        n_gold += len(golds)
        n_pred += len(preds)
        gold_spans = {(g[0], g[1]) for g in golds}
        tp_exact += len(gold_spans & {(p[0], p[1]) for p in preds})
        tp_overlap += len(_greedy_match(golds, preds))
        for g in golds:
            if g[2] is None or g[3] is None:
                continue
            n_coords += 1
            best = _scored(g, preds)
            if best is None:
                continue
            errors.append(haversine_km(g[2], g[3], best[2], best[3]))

    pe, re_, fe = _prf(tp_exact, n_pred, n_gold)
    po, ro, fo = _prf(tp_overlap, n_pred, n_gold)
    within = sum(1 for e in errors if e <= ACC_KM)
    return {
        "articles": len(gold),
        "gold_toponyms": n_gold,
        "recognition": {
            "exact": {"tp": tp_exact, "pred": n_pred, "gold": n_gold, "P": pe, "R": re_, "F1": fe},
            "overlap": {"tp": tp_overlap, "pred": n_pred, "gold": n_gold, "P": po, "R": ro, "F1": fo},
        },
        "resolution": {
            "gold_with_coords": n_coords,
            "resolved": len(errors),
            "coverage": len(errors) / n_coords if n_coords else None,
            "acc161": within / len(errors) if errors else None,
            "acc161_all": within / n_coords if n_coords else None,
            "mean_km": sum(errors) / len(errors) if errors else None,
            "median_km": _median(errors),
            "auc": _auc(errors),
        },
    }


#: the fields of an error record, in order (see :func:`error_records`)
ERROR_FIELDS = ("id", "error", "start", "end", "text", "gold_lat", "gold_lon", "pred_start",
                "pred_end", "pred_text", "lat", "lon", "km", "place", "feature_code",
                "country_code", "context")


def error_records(gold: Sequence[Mapping[str, Any]], predictions: Iterable[Mapping[str, Any]],
                  *, context: int = 60) -> list[dict[str, Any]]:
    """Every error that :func:`score` counts, one record per gold toponym or prediction.

    ``error`` is ``"missed"`` (a gold toponym no prediction overlaps, in the
    one-to-one matching of recognition), ``"spurious"`` (a prediction no gold
    toponym takes), ``"unresolved"`` (a gold toponym with coordinates that the
    overlapping predictions give none) or ``"far"`` (the prediction scored for it
    lies more than 161 km away; ``km`` says how far). Predictions are the records
    of ``eventmap parse`` (``text`` the surface, ``name`` the place), or the
    scorer's (``name`` the surface). So ``missed`` + matched = gold toponyms and
    ``spurious`` + matched = predictions (recognition), and a gold toponym with
    coordinates that is not within 161 km is ``far``, ``unresolved`` or, when no
    prediction overlaps it, ``missed`` (resolution, strict).
    """
    by_id: dict[str, list[Mapping[str, Any]]] = {}
    for rec in predictions:
        by_id.setdefault(str(rec.get("id")), []).extend(rec.get("mentions") or [])
    out: list[dict[str, Any]] = []
    for art in gold:
        aid, text = str(art["id"]), art["text"]
        preds = _predictions(by_id.get(aid, []))
        golds = [(t["start"], t["end"], t.get("lat"), t.get("lon")) for t in art["toponyms"]]
        matched = _greedy_match(golds, preds)

        def record(kind: str, start: int, end: int) -> dict[str, Any]:
            r = dict.fromkeys(ERROR_FIELDS)
            r.update(id=aid, error=kind, start=start, end=end, text=text[start:end],
                     context=text[max(0, start - context):end + context].replace("\n", " "))
            return r

        def predicted(r: dict[str, Any], p: tuple) -> None:
            m = p[4]
            r.update(pred_start=p[0], pred_end=p[1], pred_text=text[p[0]:p[1]], lat=p[2], lon=p[3],
                     place=m.get("name") if "text" in m else None,
                     feature_code=m.get("feature_code"), country_code=m.get("country_code"))

        for gi, g in enumerate(golds):
            if gi not in matched:
                r = record("missed", g[0], g[1])
                r.update(gold_lat=g[2], gold_lon=g[3])
                out.append(r)
            if g[2] is None or g[3] is None:
                continue
            # resolution is scored over every overlapping prediction, as in score()
            best = _scored(g, preds)
            r = record("unresolved", g[0], g[1])
            r.update(gold_lat=g[2], gold_lon=g[3])
            if best is None:
                if gi in matched:
                    predicted(r, preds[matched[gi]])
                    out.append(r)
                continue
            km = haversine_km(g[2], g[3], best[2], best[3])
            if km > ACC_KM:
                predicted(r, best)
                r.update(error="far", km=round(km, 1))
                out.append(r)
        taken = set(matched.values())
        for pi, p in enumerate(preds):
            if pi not in taken:
                r = record("spurious", p[0], p[1])
                predicted(r, p)
                out.append(r)
    return out


def _f(x: float | None, nd: int = 3) -> str:
    return "-" if x is None else f"{x:.{nd}f}"


def format_report(label: str, r: Mapping[str, Any]) -> str:
    """A one-row table in the layout of the reference scorer."""
    ex, ov, rs = r["recognition"]["exact"], r["recognition"]["overlap"], r["resolution"]
    head = ("%-26s %5s %6s | %5s %5s %5s | %5s %5s %5s | %6s %6s %8s %8s %5s %6s" % (
        "system/corpus", "arts", "gold", "P_ex", "R_ex", "F1_ex", "P_ov", "R_ov", "F1_ov",
        "acc161", "a161al", "mean_km", "med_km", "AUC", "cover"))
    row = "%-26s %5d %6d | %5s %5s %5s | %5s %5s %5s | %6s %6s %8s %8s %5s %6s" % (
        label[:26], r["articles"], r["gold_toponyms"],
        _f(ex["P"]), _f(ex["R"]), _f(ex["F1"]), _f(ov["P"]), _f(ov["R"]), _f(ov["F1"]),
        _f(rs["acc161"]), _f(rs["acc161_all"]), _f(rs["mean_km"], 0), _f(rs["median_km"], 0),
        _f(rs["auc"]), _f(rs["coverage"]))
    return head + "\n" + row
