"""Hand-made frames for the map tests (invented articles, general-knowledge places)."""
from __future__ import annotations

from gazetteer import Place
from geo.articles import Article
from geo.frames import build_frames
from geo.resolve import ArticleResult, Focus, Mention

BUSAN = Place("gn:1838524", "Busan", "P", "PPLA", "KR", "10", None, 3_500_000, 35.1028, 129.0403)
SEOUL = Place("gn:1835848", "Seoul", "P", "PPLC", "KR", "11", None, 10_000_000, 37.566, 126.9784)
TOKYO = Place("gn:1850147", "Tokyo", "P", "PPLC", "JP", "40", None, 9_700_000, 35.6895, 139.6917)
KOREA = Place("gn:1835841", "South Korea", "A", "PCLI", "KR", None, None, 51_000_000, 36.5, 127.75,
              footprint="fp:KR")
PENINSULA = Place("em:korean-peninsula", "Korean Peninsula", "L", "PEN", None, None, None, 0, 37.5, 127.5,
                  footprint="fp:korean-peninsula")
PENTAGON = Place("em:pentagon", "The Pentagon", "S", "BLDG", "US", "VA", None, 0, 38.8719, -77.0563)

# Rough, hand-drawn boxes: enough to test that areas are drawn, not geography.
FOOTPRINTS = {
    "fp:KR": "POLYGON((126 34, 129.6 34, 129.6 38.6, 126 38.6, 126 34))",
    "fp:korean-peninsula": "POLYGON((124.5 34, 130.7 34, 130.7 43, 124.5 43, 124.5 34))",
    "fp:JP": "POLYGON((129.5 31, 145.8 31, 145.8 45.5, 129.5 45.5, 129.5 31))",
    "fp:US": "POLYGON((-125 25, -67 25, -67 49, -125 49, -125 25))",
}
COUNTRY_FOOTPRINT = {"KR": "fp:KR", "JP": "fp:JP", "US": "fp:US"}


def footprint_of(fid):
    import shapely

    wkt = FOOTPRINTS.get(fid)
    return shapely.from_wkt(wkt) if wkt else None


def country_footprint(cc):
    return footprint_of(COUNTRY_FOOTPRINT.get(cc))


def mention(text: str, word: str, place: Place | None, confidence: float = 0.9, nth: int = 0) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return Mention(start, start + len(word), word, place=place, confidence=confidence)


def result(aid, text, spans, *, title=None, url=None, date=None, source=None, focus=None) -> ArticleResult:
    art = Article(id=aid, text=text, title=title, url=url, date=date, source=source)
    mentions = [mention(text, *s) for s in spans]
    return ArticleResult(art, mentions, [Focus("city", focus, 0.8)] if focus else [])


def sample_results() -> list[ArticleResult]:
    t1 = ("Container ships left Busan on Monday. Officials in Seoul said more would follow, "
          "and port workers in Busan expect a busy week.")
    t2 = ("Talks in Tokyo ended without agreement. Delegates will meet again in Seoul next month "
          "to discuss security on the Korean Peninsula.")
    t3 = "A spokesperson at the Pentagon said South Korea had asked for more air defence systems."
    t4 = "Fishing boats returned to Busan after the storm."
    return [
        result("a1", t1, [("Busan", BUSAN, 0.95), ("Seoul", SEOUL, 0.9), ("Busan", BUSAN, 0.9, 1)],
               title="Ships leave Busan", url="https://news.example.com/ships", date="2024-05-01",
               source="Harbour Daily", focus=BUSAN),
        result("a2", t2, [("Tokyo", TOKYO, 0.9), ("Seoul", SEOUL, 0.85), ("Korean Peninsula", PENINSULA, 0.8)],
               title="Talks end in Tokyo", url="https://news.example.com/talks", date="2024-05-03",
               source="Capital Wire", focus=TOKYO),
        result("a3", t3, [("Pentagon", PENTAGON, 0.7), ("South Korea", KOREA, 0.9)],
               title="Air defence request", url="http://news.example.com/defence", date="2024-05-10",
               source="Defense Desk", focus=PENTAGON),
        result("a4", t4, [("Busan", BUSAN, 0.3)],
               title="Boats return", url=None, date="2024-06-02", source="Harbour Daily", focus=BUSAN),
    ]


def sample_frames():
    return build_frames(sample_results())
