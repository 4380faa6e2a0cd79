"""Resolution within one document: names found by the NER and the gazetteer to actors.

For each name the document gives:
- the type: gazetteer first; then spaCy's label refined by the head noun ("... pipeline" is a
  facility, "... Medal" an award, "... Forum" an event) and by the parse (a name that is made
  by someone is a product; a capital standing for its government is its state; a place that is
  not a state is no actor; a demonym is no actor but gives a country to what it modifies);
- the country: gazetteer; a demonym, a state's possessive or "X-based" modifying the name or
  its apposition ("Chinese companies", "Russia's X", "a Moscow-based think tank"); a state
  named in the name itself ("Russian Railways", "Bank of China"); for people, their title
  ("Russian Deputy Prime Minister X") or the organisation they work for;
- for people, the role and affiliation from a preceding title, an apposition ("X, the head of
  Y's department") or a copula ("X is an analyst with Y").

Then names are resolved: acronyms defined in the text ("Long Form (LF)", "LF (Long Form)"),
surnames and given names to the full name, honorifics and possessives dropped, typos to the
gazetteer name, a group's bare short name ("Samsung") to the member company the text names or
whose sector it is about. Names in headlines are trusted only when the body confirms them
(title case fools the NER), and names in page furniture (comment forms, share buttons) never
count.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import Levenshtein

from tieline.extract.events import find_sector
from tieline.extract.gazetteer import Actor, Gazetteer
from tieline.extract.names import (
    acronym_matches,
    agency_acronym,
    is_acronym,
    name_key,
    strip_accents,
)
from tieline.records import Entity, Mention

NAME = "resolve.document.v6"

# Head nouns (lemmas) that decide what a name names.
FACILITY_HEADS = frozenset(
    {
        "pipeline",
        "plant",
        "railway",
        "railroad",
        "mainline",
        "port",
        "bridge",
        "zone",
        "corridor",
        "route",
        "terminal",
        "field",
        "reactor",
        "station",
        "site",
        "npp",
        "dam",
        "refinery",
        "smelter",
        "mine",
        "cosmodrome",
        "spaceport",
        "airport",
        "harbour",
        "harbor",
        "canal",
        "tunnel",
        "highway",
        "expressway",
        "park",
        "hub",
        "shipyard",
        "factory",
        "complex",
        "deposit",
        "seaport",
    }
)
PRODUCT_HEADS = frozenset(
    {
        "drone",
        "aircraft",
        "airliner",
        "jet",
        "fighter",
        "bomber",
        "helicopter",
        "missile",
        "rocket",
        "satellite",
        "warship",
        "ship",
        "frigate",
        "submarine",
        "destroyer",
        "corvette",
        "tank",
        "supercomputer",
        "computer",
        "chip",
        "processor",
        "smartphone",
        "engine",
        "launcher",
        "icebreaker",
        "vaccine",
        "carrier",
        "vessel",
        "airplane",
        "plane",
        "uav",
        "tanker",
        "rifle",
        "howitzer",
        "radar",
        "truck",
        "vehicle",
        "car",
        "sedan",
        "locomotive",
        "turbine",
        "bus",
        "generator",
    }
)
EVENT_HEADS = frozenset(
    {
        "forum",
        "summit",
        "expo",
        "exhibition",
        "conference",
        "airshow",
        "fair",
        "week",
        "games",
        "olympics",
        "talks",
        "dialogue",
        "salon",
    }
)
# Nouns naming a place: 'the port of Sabetta', 'the Yamal peninsula', 'the state of Uttar
# Pradesh'. A name they govern is a place, whatever label the NER gave it.
PLACE_HEADS = frozenset(
    {
        "peninsula",
        "region",
        "river",
        "coast",
        "sea",
        "province",
        "oblast",
        "krai",
        "city",
        "town",
        "village",
        "island",
        "islands",
        "mountains",
        "basin",
        "delta",
        "state",
        "district",
        "county",
        "prefecture",
        "bay",
        "lake",
        "desert",
        "territory",
        "port",
        "area",
        "shelf",
        "strait",
        "valley",
        "capital",
        "okrug",
    }
)
AWARD_HEADS = frozenset({"medal", "prize", "award", "order"})
# Programmes, and the lists, licences and regulations of sanction regimes ('Entity List').
INITIATIVE_HEADS = frozenset(
    {
        "initiative",
        "programme",
        "program",
        "strategy",
        "agenda",
        "list",
        "license",
        "licence",
        "regulations",
        "compact",
    }
)
# Ship prefixes of navies: 'INS Tamal' is an Indian warship, not a person.
_SHIP_PREFIXES = {
    "INS": "IN",
    "USS": "US",
    "USNS": "US",
    "HMS": "GB",
    "HMAS": "AU",
    "HMCS": "CA",
    "PNS": "PK",
    "ROKS": "KR",
    "TCG": "TR",
    "RFS": "RU",
    "JS": "JP",
    "KRI": "ID",
    "BNS": "BD",
    "SLNS": "LK",
    "KD": "MY",
    "HTMS": "TH",
}
ORG_HEADS = frozenset(
    {
        "company",
        "firm",
        "fleet",
        "corporation",
        "corp",
        "group",
        "bank",
        "fund",
        "agency",
        "ministry",
        "committee",
        "commission",
        "council",
        "institute",
        "academy",
        "university",
        "association",
        "service",
        "authority",
        "administration",
        "department",
        "office",
        "foundation",
        "holding",
        "holdings",
        "enterprise",
        "consortium",
        "chamber",
        "exchange",
        "centre",
        "center",
        "railways",
        "airlines",
        "times",
        "news",
        "post",
        "press",
        "daily",
        "society",
        "party",
        "parliament",
        "duma",
        "government",
        "board",
        "bureau",
        "inc",
        "ltd",
        "plc",
    }
)
# A name whose head is a title is a role ("the Russian Trade Representative"), not an actor.
TITLE_HEADS = frozenset(
    {
        "president",
        "minister",
        "premier",
        "chairman",
        "chairwoman",
        "chair",
        "director",
        "head",
        "chief",
        "representative",
        "ambassador",
        "secretary",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "governor",
        "mayor",
        "envoy",
        "adviser",
        "advisor",
        "officer",
        "ceo",
        "deputy",
        "commissioner",
        "executive",
        "analyst",
        "expert",
        "professor",
        "leader",
        "king",
        "queen",
        "prince",
        "emperor",
        "commander",
        "founder",
        "manager",
        "attache",
        "attaché",
        "counsellor",
        "consul",
        "vice-president",
        "vice-premier",
        "co-chairman",
        "chancellor",
    }
)
# Words taken off the front of a person's name; the title they form becomes the role.
_HONORIFICS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "prof",
        "professor",
        "sir",
        "madam",
        "dame",
        "president",
        "premier",
        "minister",
        "chairman",
        "general",
        "gen",
        "comrade",
        "vice",
        "deputy",
        "prime",
        "senator",
        "ambassador",
        "director",
        "chief",
        "ceo",
        "governor",
        "mayor",
        "king",
        "queen",
        "prince",
        "secretary",
        "foreign",
        "defence",
        "defense",
        "trade",
        "energy",
        "commerce",
        "economy",
        "economic",
        "finance",
        "state",
        "councillor",
        "councilor",
        "first",
        "executive",
        # Abbreviated titles of news copy ("PM Modi", "Pres. Biden", "Gov. Newsom").
        "pm",
        "pres",
        "gov",
        "sen",
        "amb",
    }
)
# A party's leading organ stands for the party, as news copy uses it (keys, lower case).
_PARTY_ORGAN = re.compile(
    r"^(?:(.+) (?:central committee|politburo|political bureau))$"
    r"|^(?:(?:central committee|politburo|political bureau) of (?:the )?(.+))$"
)
# 'the Chinese People's Republic', 'the Russian Federation': a state's style after its demonym.
_STATE_STYLE = re.compile(
    r"^(?:the\s+)?([A-Z][a-z]+)\s+(?:(?:People['’]s|Democratic|Socialist|Islamic|Federal|Arab)"
    r"\s+)*(?:Republic|Federation|Kingdom|Confederation)$"
)
# Title words that only ever stand before a person's name (not 'General' of General Electric).
_PERSON_TITLES = frozenset(
    {"pm", "pres", "prime", "mr", "mrs", "ms", "dr", "sen", "gov", "senator", "comrade"}
)
_TITLE_ABBREVIATIONS = {
    "pm": "Prime Minister",
    "pres": "President",
    "gov": "Governor",
    "sen": "Senator",
    "amb": "Ambassador",
}
# Titles that, without a complement, mean an office of the person's state.
_STATE_TITLES = frozenset(
    {
        "president",
        "premier",
        "minister",
        "chancellor",
        "king",
        "queen",
        "emir",
        "ambassador",
        "envoy",
        "vice-president",
        "vice-premier",
    }
)
_COURTESY = frozenset({"mr", "mrs", "ms", "miss", "dr", "sir", "madam", "dame", "comrade", "prof"})
# Common-noun acronyms that the NER takes for organisations.
_NOT_ACTORS = frozenset(
    {
        "lng",
        "lpg",
        "cng",
        "gdp",
        "gnp",
        "npp",
        "ceo",
        "cfo",
        "cto",
        "r&d",
        "ai",
        "it",
        "ict",
        "iot",
        "5g",
        "4g",
        "6g",
        "led",
        "gps",
        "ev",
        "evs",
        "uav",
        "uavs",
        "usd",
        "rmb",
        "cny",
        "rub",
        "eur",
        "bcm",
        "gw",
        "mw",
        "kw",
        "kwh",
        "twh",
        "gwh",
        "vat",
        "fdi",
        "ppp",
        "sme",
        "smes",
        "soe",
        "soes",
        "oem",
        "ngo",
        "ngos",
        "ipo",
        "m&a",
        "pr",
        "tv",
        "id",
        "pc",
        "phd",
        "mba",
        "covid",
        "covid-19",
        "etf",
        "yoy",
        "q1",
        "q2",
        "q3",
        "q4",
        "h1",
        "h2",
        "api",
        "b2b",
        "esg",
        "capex",
        "opex",
        "bbl",
        "mbd",
        "bpd",
        "tcm",
        "mt",
        "mtpa",
        "mou",
        "mous",
        "moa",
        "pwr",
        "bwr",
        "lwr",
        "smr",
        "smrs",
        "fbr",
        "ssn",
        "ssbn",
        "ssk",
    }
)
# Media and social brands named in share buttons and comment forms.
_SOCIAL = frozenset(
    {
        "google",
        "twitter",
        "facebook",
        "linkedin",
        "instagram",
        "youtube",
        "whatsapp",
        "telegram",
        "wordpress",
        "akismet",
        "gravatar",
        "reddit",
        "pinterest",
        "tumblr",
        "vk",
        "weibo",
        "wechat",
        "x",
        "email",
        "e-mail",
        "rss",
    }
)
_SHARE_WORDS = frozenset(
    {
        "photo",
        "picture",
        "account",
        "share",
        "like",
        "follow",
        "tweet",
        "print",
        "comment",
        "comments",
        "icon",
        "log",
        "sign",
        "login",
        "reply",
        "subscribe",
        "on",
        "via",
        "us",
        "messenger",
        "whatsapp",
        "copy",
        "link",
        "pin",
        "post",
    }
)
_FURNITURE = re.compile(
    r"commenting using|log\s*out|log\s*in\b|sign\s*(?:in|up)\b|leave a (?:reply|comment)|"
    r"share (?:this|on)|follow us|subscribe|cookies?\b|all rights reserved|copyright|"
    r"click an icon|notify me|newsletter|advertisement|related (?:posts|articles|stories)|"
    r"read more|reduce spam|comment data|your (?:details|account|email)|change \)",
    re.IGNORECASE,
)
_SOURCE_LINE = re.compile(
    r"(?:^|\|)\s*(?:source|published by|publisher|courtesy of)\s*:\s*([^|\n]+)", re.IGNORECASE
)
_BYLINE = re.compile(r"^\s*(?:#+\s*)?by\s*:?\s*\[?([A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,3})\]?")
_DESIGNATION = re.compile(r"^[A-Z][A-Za-z]{0,10}-\d{1,4}[A-Za-z]{0,2}$")
_NOT_DESIGNATION = frozenset({"covid", "sars", "mers", "g", "q", "h", "n", "p", "b"})
# A model code written without a hyphen: 'K9', 'F414', 'CR929', 'K9A1'. No person's name
# carries a digit, so the NER's PERSON on such a token is a product.
_MODEL_CODE = re.compile(r"^[A-Z]{1,4}\d{1,4}(?:[A-Z]{1,3}\d{0,2})?$")
# A revision of a model: 'K9A1' and 'M1A2' are the K9 and the M1 (a letter and a digit after
# the number); 'K9PL' (a licensed national version) and 'Mi-171E' (an export model) are not.
_REVISION = re.compile(r"^(.*\d)[A-Z]\d$")
_ACRONYM_AFTER = re.compile(r"^\s*\(\s*([A-Z][A-Za-z0-9&.\-]{1,11})\s*\)")
_TITLE_RUN = r"[A-Z][\w&.'’-]*(?:\s+(?:[A-Z][\w&.'’-]*|of|and|for|the|&|on|de))*"
_DEFINITION = re.compile(
    rf"(?P<long1>{_TITLE_RUN})\s*\(\s*(?P<acr1>[A-Z][A-Z0-9&]{{1,9}})\s*\)"
    rf"|(?P<acr2>\b[A-Z][A-Z0-9&]{{1,9}})\s*\(\s*(?P<long2>{_TITLE_RUN})\s*\)"
)
_UNIT = re.compile(r"^([A-Z][a-z]{3,})[- ]\d{1,2}$")  # 'Tianwan-7', not 'Su-30' or 'Yak-130'
_ROMAN = frozenset({"I", "II", "III", "IV", "V", "VI"})
# A quoted programme name ending in its target year: '"Vision 2030"', '"Made in China 2025"'.
_QUOTED_PROGRAMME = re.compile(
    r"[“\"]((?:[A-Z][\w-]*\s+)(?:(?:[A-Z][\w-]*|in|of|and|for)\s+){0,4}20\d\d)[”\"]"
)
_LONG_AFTER = re.compile(r"^\s*\(\s*([A-Z][^()\n]{3,90}?)\s*\)")
_COMMISSION = re.compile(
    r"\b((?:[A-Z][a-z]+)(?:[-–][A-Z][a-z]+)*\s+(?:(?:inter-?governmental|joint|bilateral)\s+)?"
    r"(?:commission|committee|council|working group)\s+(?:on|for)\s+"
    r"(?:[a-z]+[\s-]+){0,3}?(?:cooperation|co-operation|trade|investment|affairs|development))\b"
)
_LOCATIVE = frozenset(
    {
        "in",
        "at",
        "near",
        "to",
        "from",
        "into",
        "inside",
        "outside",
        "across",
        "via",
        "around",
        "throughout",
        "within",
        "toward",
        "towards",
        "through",
    }
)
_SPEECH_OR_ACTION_HEADS = frozenset({"by"})
_LEAD_VERBS = frozenset({"head", "lead", "run", "chair", "direct", "manage"})
_MAKE_VERBS = frozenset(
    {"make", "produce", "build", "manufacture", "develop", "design", "create", "assemble"}
)
_POSSESSIVE_TOKENS = frozenset({"'s", "’s", "'", "’"})
_EXTEND_ORG = frozenset(
    {
        "International",
        "Holdings",
        "Holding",
        "Group",
        "Corporation",
        "Corp",
        "Corp.",
        "Company",
        "Co",
        "Co.",
        "Ltd",
        "Ltd.",
        "Limited",
        "Inc",
        "Inc.",
        "Industries",
        "Technologies",
        "Engineering",
    }
)

# Heads of defined terms that are no actors: agreements, goods, measures.
_NOT_ACTOR_HEADS = frozenset(
    {
        "agreement",
        "agreements",
        "memorandum",
        "treaty",
        "accord",
        "deal",
        "contract",
        "protocol",
        "gas",
        "oil",
        "product",
        "products",
        "index",
        "rate",
        "standard",
        "standards",
        "price",
        "prices",
        "investment",
        "investments",
        "technology",
        "technologies",
        "intelligence",
        "vehicle",
        "vehicles",
        "system",
        "systems",
        "reactor",
        "reactors",
        "partnership",
        "tax",
        "tariff",
        "tariffs",
        "mechanism",
        "principle",
        "principles",
        "method",
        "process",
        "code",
    }
)
_DOCUMENT_HEADS = frozenset(
    {
        "agreement",
        "memorandum",
        "treaty",
        "accord",
        "deal",
        "contract",
        "protocol",
        "index",
        "rate",
        "standard",
        "tariff",
        "mechanism",
        "principle",
        "declaration",
        "statement",
    }
)
# Nouns a company's name modifies ('the Pervaya Gruppa firm'); no person's name does.
_FIRM_NOUNS = frozenset({"firm", "company", "corporation", "bank", "conglomerate", "brokerage"})
# Small words inside a law's name ('... Through Sanctions Act', 'CHIPS and Science Act').
_ACT_JOINERS = frozenset({"and", "of", "for", "on", "to", "&", "through", "'s", "’s", "the"})
_LAW_HEADS = frozenset({"act", "law", "treaty", "accord", "convention", "code", "doctrine"})
_SMALL_KEY_WORDS = frozenset({"of", "for", "on", "the", "and", "in", "to"})
_QUOTES = str.maketrans({"‘": " ", "“": " ", "”": " ", '"': " "})
_PARTICLES = frozenset(
    {
        "von",
        "van",
        "der",
        "den",
        "de",
        "le",
        "la",
        "du",
        "da",
        "di",
        "al",
        "el",
        "bin",
        "ibn",
        "ter",
        "dos",
        "das",
        "del",
    }
)
_ROMAN_KEYS = frozenset({"i", "ii", "iii", "iv", "v", "vi"})
# Words after a media or company name that leave the same body: 'AP News', 'X Online'.
_ORG_TAIL_WORDS = frozenset(
    {"news", "online", "daily", "agency", "media", "network", "tv", "wire", "website", "com"}
)

# Priority of evidence: a higher number wins within a document's cluster.
_GAZ, _CUE, _NAME_CUE, _DEFERRED, _LABEL = 4, 3, 2, 1, 0


@dataclass
class _Cand:
    start: int
    end: int
    t0: int
    t1: int
    label: str
    by: str
    actor: Actor | None = None
    etype: str | None = None
    name: str = ""
    tprio: int = _LABEL
    country: str | None = None
    cprio: int = -1
    aliases: list[str] = field(default_factory=list)
    role: str | None = None
    rprio: int = -1
    affil: int | None = None  # index of the candidate naming the affiliation or maker
    acronym_of: _Cand | None = None  # the long form this acronym was written beside
    short: str | None = None  # a shorter form that names the same thing later in the text
    drop: bool = False
    key: str = ""


@dataclass
class _Cluster:
    name: str
    names: Counter[str] = field(default_factory=Counter)
    types: dict[str, tuple[int, int]] = field(default_factory=dict)  # type -> (prio, count)
    countries: dict[str | None, tuple[int, int]] = field(default_factory=dict)
    aliases: dict[str, None] = field(default_factory=dict)
    role: tuple[int, int, str] | None = None  # (-prio, position, text)
    affil: str | None = None
    affil_country: str | None = None
    count: int = 0
    gazetteer: bool = False


class _Lines:
    """Line kinds of a text: body, heading (title case, no final stop) or furniture."""

    def __init__(self, text: str) -> None:
        self.starts: list[int] = []
        self.kinds: list[str] = []
        self.text = text
        pos = 0
        for line in text.split("\n"):
            self.starts.append(pos)
            self.kinds.append(_line_kind(line))
            pos += len(line) + 1

    def kind(self, char: int) -> str:
        return self.kinds[bisect.bisect_right(self.starts, char) - 1]

    def in_body(self, surface: str) -> bool:
        """Whether the surface occurs as a whole word in some body line."""
        for m in re.finditer(r"(?<!\w)" + re.escape(surface) + r"(?!\w)", self.text):
            if self.kind(m.start()) == "body":
                return True
        return False


def _line_kind(line: str) -> str:
    s = line.strip()
    if not s:
        return "body"
    if _FURNITURE.search(s):
        return "furniture"
    words = [w.strip("()[],.:/|•·").lower() for w in s.split()]
    words = [w for w in words if w]
    if (
        len(words) <= 8
        and any(w in _SOCIAL for w in words)
        and (
            all(w in _SOCIAL or w in _SHARE_WORDS for w in words)
            or any(w in _SHARE_WORDS for w in words)
        )
    ):
        return "furniture"  # 'Google photo', 'Share on Twitter', 'Facebook | Email'
    words = s.split()
    if s.startswith("#"):
        return "heading"
    if len(words) > 20 or s[-1] in '.!?"”:;,':
        return "body"
    content = [
        w
        for w in words
        if w[0].isalpha()
        and w.lower()
        not in {
            "a",
            "an",
            "the",
            "of",
            "and",
            "or",
            "in",
            "on",
            "at",
            "to",
            "for",
            "with",
            "by",
            "as",
            "from",
            "into",
            "vs",
            "is",
            "are",
        }
    ]
    if not content:
        return "body"
    caps = sum(1 for w in content if w[0].isupper())
    return "heading" if caps / len(content) >= 0.6 and len(content) >= 2 else "body"


def _proper_modifier(tok: Any) -> bool:
    """A capitalised word used as a name inside a noun phrase ('Mistral' in 'the French
    Mistral warships'), not a sentence's first word."""
    return (
        (tok.pos_ == "PROPN" or tok.pos_ == "ADJ")
        and tok.text[:1].isupper()
        and not tok.is_sent_start
    )


def _head_lemma(tok: Any) -> str:
    return str(tok.lemma_).lower()


def _trim(sdoc: Any, t0: int, t1: int) -> tuple[int, int]:
    """Token range without leading articles and punctuation, trailing possessives and stops."""
    while t0 < t1 and (
        sdoc[t0].lower_ in ("the", "a", "an") or sdoc[t0].is_punct or sdoc[t0].is_space
    ):
        t0 += 1
    while t1 > t0 and (
        sdoc[t1 - 1].is_punct or sdoc[t1 - 1].is_space or sdoc[t1 - 1].lower_ in _POSSESSIVE_TOKENS
    ):
        t1 -= 1
    return t0, t1


def _surface(sdoc: Any, t0: int, t1: int) -> str:
    # Opening and double quotes inside a name are the writer's ('S-400 ‘Triumf’'), not the
    # name's; the apostrophe (’) is kept for 'People’s'.
    return " ".join(sdoc[t0:t1].text.translate(_QUOTES).split())


class _Resolver:
    def __init__(self, sdoc: Any, gaz: Gazetteer) -> None:
        self.sdoc = sdoc
        self.gaz = gaz
        self.text: str = sdoc.text
        self.lines = _Lines(self.text)
        self.cands: list[_Cand] = []
        self.tok2cand: dict[int, int] = {}

    # ------------------------------------------------------------------ candidates
    def _add(self, t0: int, t1: int, label: str, by: str, actor: Actor | None = None) -> int | None:
        t0, t1 = _trim(self.sdoc, t0, t1)
        if t0 >= t1:
            return None
        start = self.sdoc[t0].idx
        last = self.sdoc[t1 - 1]
        c = _Cand(
            start=start,
            end=last.idx + len(last.text),
            t0=t0,
            t1=t1,
            label=label,
            by=by,
            actor=actor,
        )
        self.cands.append(c)
        return len(self.cands) - 1

    def collect(self) -> None:
        sdoc = self.sdoc
        skip = {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL", "LANGUAGE"}
        for ent in sdoc.ents:
            if ent.label_ in skip:
                continue
            t0, t1 = ent.start, ent.end
            # A name never runs over a line break: keep the part before it.
            for t in range(t0, t1):
                if "\n" in sdoc[t].text or "\n" in sdoc[t].whitespace_:
                    t1 = t if sdoc[t].is_space else t + 1
                    break
            actor = self.gaz.lookup(ent.ent_id_) if ent.ent_id_ else None
            by = "gazetteer" if actor is not None else "ner"
            paren = next((t for t in range(t0, t1) if sdoc[t].text == "("), None)
            if paren is not None and actor is None:
                # "Shanghai Cooperation Organisation (SCO": a long form and its acronym.
                i = self._add(t0, paren, ent.label_, by)
                j = self._add(paren + 1, t1, ent.label_, by)
                if i is not None and j is not None:
                    self.cands[j].acronym_of = self.cands[i]
                continue
            i = self._add(t0, t1, ent.label_, by, actor)
            if i is not None:
                self._cut_at_close(self.cands[i])
        self._rule_candidates()
        self.cands.sort(key=lambda c: (c.start, -(c.end - c.start)))
        kept: list[_Cand] = []
        for c in self.cands:
            if kept and c.start < kept[-1].end:
                prev = kept[-1]
                # Overlap: the gazetteer wins, then the longer span.
                if c.by == "gazetteer" and prev.by != "gazetteer":
                    kept[-1] = c
                continue
            kept.append(c)
        self.cands = kept
        self._index()

    def _cut_at_close(self, c: _Cand) -> None:
        """'India Energy Week (IEW)-2023': the tokenizer keeps 'IEW)-2023' whole; the name is
        the acronym before the closing bracket, which the text defined."""
        last = self.text[self.sdoc[c.t1 - 1].idx : c.end]
        head, close, _ = last.partition(")")
        if close and "(" not in self.text[c.start : c.end] and head[-1:].isalnum():
            c.end = self.sdoc[c.t1 - 1].idx + len(head)

    def _index(self) -> None:
        self.tok2cand = {}
        for i, c in enumerate(self.cands):
            for t in range(c.t0, c.t1):
                self.tok2cand[t] = i

    def _char_to_tokens(self, start: int, end: int) -> tuple[int, int] | None:
        span = self.sdoc.char_span(start, end, alignment_mode="expand")
        return (span.start, span.end) if span is not None and len(span) else None

    def _rule_candidates(self) -> None:
        """Names the NER misses: sources and bylines, model designations, product and
        facility names before their head noun, and bilateral commissions."""
        sdoc, text = self.sdoc, self.text
        covered = {t for ent in sdoc.ents for t in range(ent.start, ent.end)}
        pos = 0
        for line in text.split("\n"):
            if len(line) < 200:
                for m in _SOURCE_LINE.finditer(line):
                    name = re.split(r"\s+[–—-]\s+|\s+https?://|\s*\(", m.group(1))[0].strip(" .")
                    if (
                        name
                        and name[0].isalpha()
                        and not any(ch.isdigit() for ch in name)
                        and len(name.split()) <= 5
                    ):
                        s = pos + m.start(1) + m.group(1).index(name)
                        self._rule_span(s, s + len(name), "ORG", covered)
                by = _BYLINE.match(line)
                if by and len(line.split()) <= 8:
                    self._rule_span(pos + by.start(1), pos + by.end(1), "PERSON", covered)
            for m in _COMMISSION.finditer(line):
                first = re.split(r"[-–\s]", m.group(1))[0]
                if self.gaz.demonym_of(first) is not None:
                    self._rule_span(pos + m.start(1), pos + m.end(1), "ORG", covered)
            pos += len(line) + 1
        self._defined_acronyms(covered)
        self._handles(covered)
        for m in _QUOTED_PROGRAMME.finditer(text):
            self._rule_span(m.start(1), m.end(1), "INITIATIVE", covered)
        for tok in sdoc:
            if tok.text == "Act" and tok.i > 0:
                self._act(tok, covered)
            if tok.lemma_ in _MAKE_VERBS and tok.pos_ == "VERB":
                self._made_by(tok, covered)
            if tok.i in covered or tok.pos_ not in ("PROPN", "NOUN", "NUM", "X"):
                continue
            if (
                _DESIGNATION.match(tok.text)
                and tok.text.split("-")[0].lower() not in _NOT_DESIGNATION
            ) or (
                _MODEL_CODE.match(tok.text)
                and (
                    # 'K9A1 self-propelled howitzers': a model code before a product's head noun
                    (
                        tok.dep_ in ("compound", "nmod", "amod")
                        and _head_lemma(tok.head) in PRODUCT_HEADS
                    )
                    # 'its polonised version K9PL': a version of a model the text names
                    or self._version_of_model(tok.text)
                )
            ):
                self._add(tok.i, tok.i + 1, "PRODUCT", "rule")
                covered.add(tok.i)
                continue
            lemma = _head_lemma(tok)
            if lemma in FACILITY_HEADS and tok.pos_ == "PROPN" and tok.text[:1].isupper():
                self._proper_facility(tok, covered)
                continue
            if lemma in PRODUCT_HEADS or lemma in FACILITY_HEADS:
                run = [
                    c
                    for c in tok.lefts
                    if c.dep_ in ("compound", "amod")
                    and _proper_modifier(c)
                    and c.i not in covered
                    and c.lower_ not in _NOT_ACTORS
                    and self.gaz.place_code(c.text) is None
                ]
                if run and run[-1].i == tok.i - 1:
                    t0 = run[0].i
                    if all(
                        t not in covered and _proper_modifier(sdoc[t]) for t in range(t0, tok.i)
                    ):
                        label = "PRODUCT" if lemma in PRODUCT_HEADS else "FAC"
                        self._add(t0, tok.i, label, "rule")
                        covered.update(range(t0, tok.i))

    def _version_of_model(self, code: str) -> bool:
        """'K9PL' beside 'K9 howitzers': a longer code starting with a model code that the text
        writes before a product's head noun."""
        return any(
            tok.text != code
            and code.startswith(tok.text)
            and _MODEL_CODE.match(tok.text)
            and _head_lemma(tok.head) in PRODUCT_HEADS
            for tok in self.sdoc
            if tok.text[:1] == code[:1]
        )

    def _national_version(self, c: _Cand, surface: str) -> None:
        """'K2PL' in an article about Poland: a model code ending in the ISO code of a state
        the text names is that state's version, made there."""
        if c.etype != "PRODUCT" or not _MODEL_CODE.match(surface) or len(surface) < 4:
            return
        suffix = surface[-2:]
        if not surface[-3].isdigit() or not suffix.isalpha():
            return
        state = self.gaz.state(suffix)
        if state is not None and any(
            re.search(rf"\b{re.escape(n)}\b", self.text)
            for n in (state.name, *state.demonyms, *([state.capital] if state.capital else []))
        ):
            c.country, c.cprio = suffix, _CUE

    def _handles(self, covered: set[int]) -> None:
        """'President @EmmanuelMacron and PM @narendramodi': a social-media handle that spells
        a known actor's name without its spaces is that actor."""
        if "@" not in self.text:
            return
        index = _squashed_names(self.gaz)
        for m in _HANDLE.finditer(self.text):
            actor = index.get(m.group(1).lower().replace("_", ""))
            toks = self._char_to_tokens(m.start(1), m.end(1)) if actor is not None else None
            if toks is None or any(t in covered for t in range(*toks)):
                continue
            self._add(toks[0], toks[1], actor.type if actor else "ORG", "gazetteer", actor)
            covered.update(range(*toks))

    def _act(self, act: Any, covered: set[int]) -> None:
        """'the CHIPS and Science Act', 'Countering America's Adversaries Through Sanctions
        Act': a law's name runs over small words and possessives the NER stops at."""
        sdoc = self.sdoc
        t = act.i
        while t > 0 and act.i - t < 12:
            prev = sdoc[t - 1]
            if "\n" in prev.whitespace_ or "\n" in prev.text:
                break
            if prev.text == "Act" or not (prev.text[:1].isupper() or prev.lower_ in _ACT_JOINERS):
                break  # not over another law's name: 'the X Act and the Y Act'
            t -= 1
        while t < act.i and (sdoc[t].lower_ in _ACT_JOINERS or sdoc[t].lower_ == "the"):
            t += 1
        if t == act.i or not any(tok.text[:1].isupper() for tok in sdoc[t : act.i]):
            return
        self._rule_span(sdoc[t].idx, act.idx + len(act.text), "LAW", covered)

    def _made_by(self, verb: Any, covered: set[int]) -> None:
        """'the Pterodactyl I is made by AVIC': what a company makes is a product, even when
        the NER saw no name in it."""
        sdoc = self.sdoc
        agent = next((ch for ch in verb.children if ch.dep_ == "agent"), None)
        maker = next((ch for ch in agent.children if ch.dep_ == "pobj"), None) if agent else None
        if maker is None or maker.ent_type_ not in ("ORG", "COUNTRY", "GPE", "NORP"):
            return
        subj = next((ch for ch in verb.children if ch.dep_ == "nsubjpass"), None)
        if verb.dep_ in ("relcl", "acl") and (subj is None or subj.pos_ == "PRON"):
            subj = subj if subj is not None and subj.text in _ROMAN else verb.head
        if subj is None:
            return
        t0 = t1 = subj.i
        if subj.text in _ROMAN and subj.i > 0 and sdoc[subj.i - 1].pos_ == "PROPN":
            t0 = subj.i - 1  # 'Pterodactyl I'
        elif subj.pos_ != "PROPN" or not subj.text[:1].isupper() or subj.is_sent_start:
            return
        while t0 > 0 and sdoc[t0 - 1].pos_ == "PROPN" and sdoc[t0 - 1].dep_ == "compound":
            t0 -= 1
        if t1 + 1 < len(sdoc) and sdoc[t1 + 1].text in _ROMAN:
            t1 += 1
        if any(t in covered for t in range(t0, t1 + 1)) or self.gaz.place_code(sdoc[t0].text):
            return
        self._add(t0, t1 + 1, "PRODUCT", "rule")
        covered.update(range(t0, t1 + 1))

    def _defined_acronyms(self, covered: set[int]) -> None:
        """'Long Form (LF)' and 'LF (Long Form)' where the NER saw neither: the author's
        definition makes both a name."""
        text = self.text
        for m in _DEFINITION.finditer(text):
            if m.group("acr1"):
                long_s, long_e, acr_s, acr_e = (
                    m.start("long1"),
                    m.end("long1"),
                    m.start("acr1"),
                    m.end("acr1"),
                )
            else:
                acr_s, acr_e, long_s, long_e = (
                    m.start("acr2"),
                    m.end("acr2"),
                    m.start("long2"),
                    m.end("long2"),
                )
            long_form, acr = text[long_s:long_e], text[acr_s:acr_e]
            if not acronym_matches(acr, long_form, strict=False) or len(long_form.split()) < 2:
                continue
            head = long_form.split()[-1].lower()
            if acr.lower() in _NOT_ACTORS or head in _NOT_ACTOR_HEADS or head in TITLE_HEADS:
                continue  # 'Liquefied Natural Gas (LNG)', 'Free Trade Agreement (FTA)'
            lt, at = self._char_to_tokens(long_s, long_e), self._char_to_tokens(acr_s, acr_e)
            if lt is None or at is None or any(t in covered for t in (*range(*lt), *range(*at))):
                continue
            i = self._add(lt[0], lt[1], "ORG", "rule")
            j = self._add(at[0], at[1], "ORG", "rule")
            if i is not None and j is not None:
                self.cands[j].acronym_of = self.cands[i]
            covered.update((*range(*lt), *range(*at)))

    def _proper_facility(self, head: Any, covered: set[int]) -> None:
        """A name ending in a capitalised facility noun: 'China-SCO Pilot Zone for Regional
        Trade and Economic Cooperation'. States and blocs inside it are part of the name."""
        sdoc = self.sdoc
        ents = {t.i: t.ent_type_ for t in sdoc[max(0, head.i - 8) : head.i + 12]}

        def part(t: Any) -> bool:
            if t.text in ("-", "–"):
                return not t.whitespace_
            if (
                t.i in covered
                and ents.get(t.i) not in ("GPE", "COUNTRY", "BLOC", "NORP")
                and self.gaz.place_code(t.text) is None
            ):
                return False
            return t.pos_ == "PROPN" and t.text[:1].isupper() and not t.is_sent_start

        t0 = head.i
        while t0 > 0 and part(sdoc[t0 - 1]) and head.i - t0 < 6:
            t0 -= 1
        if t0 == head.i:
            return
        t1 = head.i + 1
        if (
            t1 + 1 < len(sdoc)
            and sdoc[t1].lower_ in ("for", "of")
            and sdoc[t1 + 1].text[:1].isupper()
        ):
            sub = {t.i for t in head.subtree}
            t = t1 + 1
            while (
                t < len(sdoc)
                and t in sub
                and (sdoc[t].text[:1].isupper() or sdoc[t].lower_ in ("and", "&", "of"))
            ):
                t += 1
            while t > t1 + 1 and sdoc[t - 1].lower_ in ("and", "&", "of"):
                t -= 1
            if t > t1 + 1:
                t1 = t
        for c in list(self.cands):
            if c.t0 < t1 and t0 < c.t1:
                if c.by == "gazetteer" and c.label not in ("COUNTRY", "BLOC"):
                    return
                self.cands.remove(c)
        self._add(t0, t1, "FAC", "rule")
        covered.update(range(t0, t1))

    def _rule_span(self, start: int, end: int, label: str, covered: set[int]) -> None:
        toks = self._char_to_tokens(start, end)
        if toks is None:
            return
        t0, t1 = toks
        # Replace what the NER made of the same stretch (e.g. a byline read as a title).
        for c in list(self.cands):
            if c.t0 < t1 and t0 < c.t1 and c.by != "gazetteer":
                self.cands.remove(c)
        if any(t in covered for t in range(t0, t1)) and any(
            c.by == "gazetteer" and c.t0 < t1 and t0 < c.t1 for c in self.cands
        ):
            return
        self._add(t0, t1, label, "rule")
        covered.update(range(t0, t1))

    # ------------------------------------------------------------------ merging fragments
    def merge_fragments(self) -> None:
        """Join names the NER cut in two: 'Aviation Industry Corporation of' + 'China',
        'Institute of Russian' + ', Eastern European ... Studies', and 'Council of Heads of
        Government' + 'of the' + 'Shanghai Cooperation Organisation' (kept whole as well)."""
        sdoc, out = self.sdoc, []
        i = 0
        cands = self.cands
        while i < len(cands):
            a = cands[i]
            b = cands[i + 1] if i + 1 < len(cands) else None
            if (
                b is not None
                and a.by == "rule"
                and a.label == "PRODUCT"
                and b.by != "gazetteer"
                and b.t0 == a.t1
                and b.label in ("PRODUCT", "ORG", "PERSON")
                and self.text[b.start : b.end][:1].isupper()
            ):
                # 'MQ-1' + 'Predator': one product; 'Predator' alone names it later on.
                a.t1, a.end, a.label = b.t1, b.end, "PRODUCT"
                a.short = _surface(sdoc, b.t0, b.t1)
                out.append(a)
                i += 2
                continue
            if (
                b is not None
                and a.label in ("GPE", "COUNTRY")
                and b.label in ("ORG", "PERSON")
                and b.by != "gazetteer"
                and b.t0 == a.t1
                and self.text[a.end : b.start] == " "
                and self.gaz.state_named(self.text[a.start : a.end]) is not None
                and _head_lemma(sdoc[b.t1 - 1]) in ORG_HEADS
                and not _generic(self.text[b.start : b.end])
            ):
                # 'China' + 'Zheshang Bank': a state's name leads the bank's own name
                b.t0, b.start = a.t0, a.start
                out.append(b)
                i += 2
                continue
            if b is not None and a.label == "ORG" and a.by != "gazetteer":
                between = self.text[a.end : b.start]
                last = sdoc[a.t1 - 1]
                nxt = sdoc[a.t1] if a.t1 < len(sdoc) else None
                if (
                    last.lower_ == "of"
                    and b.t0 == a.t1
                    and not between.strip()
                    and b.label in ("COUNTRY", "GPE")
                ):
                    a.t1, a.end = b.t1, b.end  # "Daily Mail of" + "Zambia"
                    out.append(a)
                    i += 2
                    continue
                if (
                    nxt is not None
                    and nxt.pos_ == "ADP"
                    and between.strip() == nxt.text
                    and b.t0 == a.t1 + 1
                    and nxt.lower_ in ("of", "for")
                    and b.label in ("COUNTRY", "GPE")
                ):
                    a.t1, a.end = b.t1, b.end  # "... Corporation of" + "China"
                    out.append(a)
                    i += 2
                    continue
                if (
                    between.strip() == ","
                    and self.gaz.demonym_of(last.text) is not None
                    and b.label == "ORG"
                    and b.by != "gazetteer"
                ):
                    a.t1, a.end = b.t1, b.end  # "Institute of Russian" + ", Eastern ... Studies"
                    out.append(a)
                    i += 2
                    continue
                if (
                    re.fullmatch(r"\s+of\s+(?:the\s+)?", between)
                    and b.label in ("ORG", "BLOC")
                    and _head_lemma(last) in ORG_HEADS
                ):
                    whole = _Cand(
                        start=a.start, end=b.end, t0=a.t0, t1=b.t1, label="ORG", by="rule"
                    )
                    out.append(whole)  # the whole body, then its parent on its own
                    out.append(b)
                    i += 2
                    continue
            out.append(a)
            i += 1
        self.cands = out
        self._index()

    # ------------------------------------------------------------------ typing
    def _surface(self, c: _Cand) -> str:
        last = self.sdoc[c.t1 - 1]
        if c.end < last.idx + len(last.text):  # cut inside a token ('IEW)-2023')
            return " ".join(self.text[c.start : c.end].translate(_QUOTES).split())
        return _surface(self.sdoc, c.t0, c.t1)

    def _locative(self, tok: Any) -> bool:
        """A place named as where something is: 'in Beijing', 'visit to Moscow', 'X-based'."""
        while tok.dep_ == "conj" and tok.head.i != tok.i:
            tok = tok.head
        if tok.dep_ == "pobj" and tok.head.lower_ in _LOCATIVE:
            return True
        return tok.dep_ in ("npadvmod", "compound") and tok.head.lemma_ == "base"

    def type_all(self) -> None:
        for c in self.cands:
            if c.by != "gazetteer" and c.label != "COUNTRY" and self._is_place(c):
                self._set_place(c, named=True)
                continue
            self._type(c)
            if (
                not c.drop
                and c.etype in ("PERSON", "ORG")
                and c.tprio == _LABEL
                and self._named_place(c)
            ):
                self._set_place(c)
        self._harmonise_people()
        self._members_of_groups()

    def _members_of_groups(self) -> None:
        """A group's bare short name ('Samsung' for the Samsung Group) is the one member
        company the text names in full ('Samsung Electronics'), else the one member whose
        business is the text's sector (chips: Samsung Electronics; building power plants:
        Samsung C&T), else the group: two stories about two members of one group never
        make one actor."""
        live = [(c, c.actor) for c in self.cands if not c.drop and c.actor is not None]
        named = {actor.name for _, actor in live}
        bare: dict[str, list[_Cand]] = {}
        for c, actor in live:
            # Only a group's mentions are read further (most actors are no group).
            if not self.gaz.members(actor.name):
                continue
            short = name_key(self._surface(c), drop_suffixes=False).split()
            full = name_key(actor.name, drop_suffixes=False).split()
            if len(short) < len(full) and full[: len(short)] == short:
                bare.setdefault(actor.name, []).append(c)
        if not bare:
            return
        blank = self._names_blanked()
        for group, cs in bare.items():
            members = self.gaz.members(group)
            written = [m for m in members if m.name in named]
            if len(written) > 1:
                continue  # 'Samsung' beside two members: the text means the group
            if not written:
                # the sentences of the short name first, then the whole text
                texts = [
                    blank[self.sdoc[c.t0].sent.start_char : self.sdoc[c.t0].sent.end_char]
                    for c in cs
                ]
                sector = find_sector([*texts, blank])
                written = [
                    m
                    for m in members
                    if sector is not None
                    and any(sector == s or sector.startswith(s + ".") for s in m.sectors)
                ]
            if len(written) != 1:
                continue
            member = written[0]
            for c in cs:
                c.actor, c.name, c.country = member, member.name, member.country

    def _names_blanked(self) -> str:
        """The text with every name blanked out: 'Hyundai Engineering and Construction' is
        no cue of the construction sector."""
        chars = list(self.text)
        for c in self.cands:
            chars[c.start : c.end] = " " * (c.end - c.start)
        return "".join(chars)

    def _is_place(self, c: _Cand) -> bool:
        """A name used as a place: governed by 'port of', 'state of', or modifying
        'peninsula', 'region', 'river' ... (states themselves are handled by the gazetteer)."""
        root = self.sdoc[c.t0 : c.t1].root
        if self.gaz.lookup(_surface(self.sdoc, c.t0, c.t1)) is not None:
            return False
        if c.t1 - c.t0 > 1 and _head_lemma(self.sdoc[c.t1 - 1]) in ORG_HEADS:
            return False  # 'home port of the US Pacific Fleet': a body, not the port's town
        if root.dep_ == "pobj" and root.head.lower_ == "of" and root.head.head.i < c.t0:
            if _head_lemma(root.head.head) in PLACE_HEADS:
                return True
        if root.dep_ in ("compound", "amod", "nmod") and root.head.i >= c.t1:
            return _head_lemma(root.head) in PLACE_HEADS and root.head.text.islower()
        if root.dep_ in ("appos", "conj") and root.head.i < c.t0:
            return _head_lemma(root.head) in PLACE_HEADS and root.head.text.islower()
        return False

    def _set_place(self, c: _Cand, *, named: bool = False) -> None:
        """A city, region or sea: a PLACE with the state it lies in, never an actor.

        Only places that GeoNames or ISO 3166-2 know, or that a place noun names ('the Yamal
        peninsula', ``named``), become entities; other place names (continents, 'the West',
        villages) are dropped as before. A capital used as a place ('talks in Moscow') is left
        out too: where it stands for its government elsewhere in the text it is an alias of the
        state, and one name may not name two things.
        """
        surface = _surface(self.sdoc, c.t0, c.t1)
        place = self.gaz.place(surface)
        if self.gaz.place_code(surface) is not None or (place is None and not named):
            c.drop = True
            return
        c.name, c.etype, c.drop, c.actor = surface, "PLACE", False, None
        c.tprio = max(c.tprio, _CUE)
        if place is not None:
            c.country, c.cprio = place.country, _GAZ

    def _named_place(self, c: _Cand) -> bool:
        """A name the NER took for a person or an organisation that is a known city or region,
        where the text uses it as a place ('in Pune', 'the mayor of Melitopol', 'Kiyikoy in
        Turkey') or the place is big enough that no reader would take it for anything else."""
        if c.actor is not None or len(c.name.split()) > 3:
            return False
        sdoc = self.sdoc
        root = sdoc[c.t0 : c.t1].root
        place = self.gaz.place(c.name)
        nxt = sdoc[c.t1 : c.t1 + 2]
        in_state = (
            len(nxt) == 2
            and nxt[0].lower_ == "in"
            and self.gaz.state_named(nxt[1].text) is not None
        )
        if place is None and not in_state:
            return False
        if in_state or (
            place is not None and (place.kind == "region" or place.population >= 1_000_000)
        ):
            return True
        t = root
        while t.dep_ == "conj" and t.head.i != t.i:
            t = t.head
        if t.dep_ == "pobj" and (t.head.lower_ in _LOCATIVE or t.head.lower_ == "between"):
            return True
        # 'the mayor of Melitopol', 'the governor of Texas'
        return (
            t.dep_ == "pobj"
            and t.head.lower_ == "of"
            and _head_lemma(t.head.head)
            in ("mayor", "governor", "city", "region", "province", "outskirts", "suburb")
        )

    def _harmonise_people(self) -> None:
        """A name coordinated with a person's ('Aleksandar Vučić and Boyko Borissov') is a
        person's too, unless something stronger than the NER's label says otherwise."""
        for c in self.cands:
            if c.drop or c.etype in (None, "PERSON", "COUNTRY") or c.tprio > _LABEL:
                continue
            words = c.name.split()
            if not 2 <= len(words) <= 4 or not all(
                w[:1].isupper() or (w.islower() and len(w) <= 3) for w in words
            ):
                continue
            root = self.sdoc[c.t0 : c.t1].root
            linked = [root.head] if root.dep_ == "conj" else []
            linked += [ch for ch in root.children if ch.dep_ == "conj"]
            for tok in linked:
                i = self.tok2cand.get(tok.i)
                if (
                    i is not None
                    and self.cands[i].etype == "PERSON"
                    and self.cands[i].label == "PERSON"
                ):
                    c.etype = "PERSON"
                    break

    def _cut_state_possessive(self, c: _Cand) -> None:
        """'Pakistan's Chashma': a state's possessive at the front belongs to no name; it gives
        the country."""
        sdoc = self.sdoc
        if (
            c.actor is not None
            or c.t1 - c.t0 < 3
            or sdoc[c.t0 + 1].lower_ not in _POSSESSIVE_TOKENS
        ):
            return
        code = self.gaz.place_code(sdoc[c.t0].text)
        if code is None:
            return
        c.aliases.append(_surface(sdoc, c.t0, c.t1))  # some write it as the name
        c.t0 += 2
        c.start = sdoc[c.t0].idx
        c.country, c.cprio = code, _CUE

    def _not_a_name(self, c: _Cand, surface: str) -> bool:
        """Fragments the NER takes for organisations: states joined ('Russia & China'), a bare
        demonym, a title's complement ('Minister of Defence', 'Secretary of Commerce for
        Industry and Security') and a state's generic body before a title ('Indian Defence
        Minister')."""
        sdoc, gaz = self.sdoc, self.gaz
        parts = [p for p in re.split(r"\s*(?:&|\band\b|,|[-–/])\s*", surface) if p]
        if parts and all(gaz.place_code(p) is not None for p in parts):
            return True
        if c.t1 - c.t0 == 1 and sdoc[c.t0].pos_ == "ADJ" and sdoc[c.t0].lower_ in _GENERIC_WORDS:
            return True  # 'Central', 'Federal': an adjective left of a name the NER missed
        if c.label == "ORG" and any(
            t.pos_ == "VERB" and t.text.islower() for t in sdoc[c.t0 : c.t1]
        ):
            return True  # 'Avtotor started SKD': a name runs into its verb
        first = sdoc[c.t0]
        if (
            c.t1 - c.t0 > 2
            and _head_lemma(first) in TITLE_HEADS
            and sdoc[c.t0 + 1].lower_ in ("of", "for")
        ):
            return True
        before = sdoc[max(0, c.t0 - 2) : c.t0]
        if (
            len(before) == 2
            and before[1].lower_ in ("of", "for")
            and _head_lemma(before[0]) in TITLE_HEADS
            and first.lower_ in _GENERIC_WORDS
        ):
            return True
        nxt = sdoc[c.t1] if c.t1 < len(sdoc) else None
        rest = [t.lower_ for t in sdoc[c.t0 : c.t1] if gaz.place_code(t.text) is None]
        return (
            nxt is not None
            and _head_lemma(nxt) in TITLE_HEADS
            and bool(rest)
            and all(w in _GENERIC_WORDS for w in rest)
        )

    def _type(self, c: _Cand) -> None:
        sdoc, gaz = self.sdoc, self.gaz
        if c.label in ("ORG", "PERSON", "FAC", "PRODUCT"):
            self._cut_state_possessive(c)
        surface = self._surface(c)
        if c.label == "PERSON":
            surface = self._strip_person(c)
        if not surface or not any(ch.isalpha() for ch in surface):
            c.drop = True
            return
        if c.label == "ORG" and c.actor is None and (co := _BODIES_OF.match(surface)) is not None:
            surface = self._coordinated_bodies(c, co)
        c.name = surface
        root = sdoc[c.t0 : c.t1].root
        if c.actor is None:
            actor = gaz.lookup(surface)
            if (
                actor is None
                and c.label != "PERSON"
                and gaz.capital_of(surface) is None
                and gaz.place(surface) is None
            ):
                # a place is no misspelt actor: 'Ankara' is not 'Antara' with a slip
                actor = gaz.fuzzy_lookup(surface)
            if actor is not None and actor.type == "COUNTRY" and c.label == "NORP":
                actor = None  # 'US' as a demonym in 'US companies'
            if actor is None:
                actor = self._state_qualified(c, surface)
            c.actor = actor
        if c.actor is not None:
            a = c.actor
            c.etype, c.name, c.tprio = a.type, a.name, _GAZ
            c.country, c.cprio = a.country, _GAZ
            if surface != a.name:
                c.aliases.append(surface)
            self._extend_known_org(c)
            return
        label = c.label
        lemma = _head_lemma(sdoc[c.t1 - 1])
        first = sdoc[c.t0].text
        if _DESIGNATION.match(first) and first.split("-")[0].lower() not in _NOT_DESIGNATION:
            # 'S-400 Triumf', 'MQ-1 Predator': a model designation leads a product's name;
            # but 'the Kursk-2 nuclear power plant', 'the forum Army-2022' name a unit of a
            # plant and a show.
            if c.t1 - c.t0 == 1:
                before = [
                    ch
                    for ch in root.lefts
                    if ch.dep_ in ("nmod", "compound", "appos") and ch.text.islower()
                ]
                etype = _type_of_head(_head_lemma(before[-1])) if before else None
                if etype in ("FACILITY", "EVENT"):
                    c.etype, c.tprio = etype, _CUE
                    return
                if self._by_head(c, lemma, allow_org=False):
                    if c.etype in ("FACILITY", "EVENT"):
                        return
                    c.aliases = [a for a in c.aliases if a == surface]
            c.etype, c.tprio = "PRODUCT", _CUE
            if c.t1 - c.t0 > 1:
                c.short = first
            self._by_context(c)
            return
        if self._inside_law(c):
            c.drop = True
            return
        if c.t1 - c.t0 >= 2 and first in _SHIP_PREFIXES and sdoc[c.t0 + 1].text[:1].isupper():
            c.etype, c.tprio = "PRODUCT", _CUE  # 'INS Tushil': a ship
            c.country, c.cprio = _SHIP_PREFIXES[first], _NAME_CUE
            return
        if surface.lower() in _NOT_ACTORS and label in ("ORG", "NORP", "GPE", "PRODUCT", "PERSON"):
            c.drop = True
            return
        if label in ("ORG", "PERSON") and self._not_a_name(c, surface):
            c.drop = True
            return
        if label == "GPE" or label == "LOC":
            cap = gaz.capital_of(surface)
            if cap is not None and label == "GPE":
                if self._locative(root):
                    c.drop = True
                    return
                c.etype, c.name, c.tprio = "COUNTRY", cap.name, _GAZ
                c.country, c.cprio = cap.country, _GAZ
                c.aliases.append(surface)
                return
            typed = self._by_head(
                c,
                lemma,
                # 'the US Pacific Fleet': a region's name with a body's head is the body
                allow_org=(label == "GPE" and lemma != "union") or lemma in ("fleet", "command"),
            )
            if typed or (label == "GPE" and self._is_agent(root) and len(c.name.split()) == 1):
                c.etype = c.etype or "ORG"
                c.tprio = max(c.tprio, _CUE)
                return
            self._set_place(c)  # cities, regions, seas: places, not actors
            return
        if label == "NORP":
            parts = [p for p in re.split(r"[-–\s]+", surface) if p]
            if (
                all(gaz.demonym_of(p) or gaz.state_named(p) for p in parts)
                or root.pos_ == "ADJ"
                or sdoc[c.t0].lower_ in ("western", "eastern", "soviet")
            ):
                c.drop = True  # demonyms give a country to what they modify
                return
            nxt = sdoc[c.t1] if c.t1 < len(sdoc) else None
            if len(surface) < 4 or (
                nxt is not None
                and nxt.text in ("-", "–")
                and not nxt.whitespace_
                and not sdoc[c.t1 - 1].whitespace_
            ):
                c.drop = True  # a fragment of a hyphenated word
                return
            if not self._by_head(c, lemma) and not self._by_context(c):
                c.etype, c.tprio = "ORG", _LABEL
            return
        if label == "ORG" and self._title_before_person(c):
            # 'PM Modi', 'President Widodo': the small model calls a titled surname an ORG
            label = c.label = "PERSON"
            surface = c.name = self._strip_person(c)
        if label == "PERSON" and (camel := _CAMEL_HANDLE.match(surface)) is not None:
            # '@EmmanuelMacron': a handle spelling a person's name in capitalised parts
            surface = c.name = " ".join(re.findall(r"[A-Z][a-z]+", camel.group(1)))
        if label == "PERSON" and _MODEL_CODE.match(surface):
            label = c.label = "PRODUCT"
        if label == "PERSON":
            if self._by_head(c, lemma, allow_org=True):
                return
            if len(c.name.split()) == 1 and (
                root.pos_ not in ("PROPN", "NOUN", "X") or not c.name[:1].isupper()
            ):
                c.drop = True  # 'Amphibious' at the start of a sentence
                return
            c.etype = "PERSON"
            if len(c.name.split()) == 1 and self._locative(root):
                # 'in Yamal': a place unless a person claims it
                self._set_place(c)
                c.tprio = _LABEL
            return
        if label == "ORG" and self._titled_person(c, root, lemma):
            c.etype, c.tprio = "PERSON", _CUE  # 'Yury Slyusar, the General Director of UAC'
            return
        if label == "ORG":
            cap = gaz.capital_of(surface)
            if cap is not None and not self._locative(root):
                # 'to help Budapest procure the loan': a capital standing for its government
                c.etype, c.name, c.tprio = "COUNTRY", cap.name, _GAZ
                c.country, c.cprio = cap.country, _GAZ
                c.aliases.append(surface)
                return
            if lemma in TITLE_HEADS or lemma in _DOCUMENT_HEADS:
                c.drop = True  # a role or an agreement, not an actor
                return
            if not self._by_head(c, lemma) and not self._by_context(c):
                c.etype = "ORG"
                c.tprio = _CUE if c.by == "rule" else _LABEL
            return
        if label == "FAC":
            if not self._by_head(c, lemma) and not self._by_context(c):
                c.etype = "FACILITY"
            return
        if label == "PRODUCT":
            if not self._by_head(c, lemma, allow_org=False):
                c.etype = "PRODUCT"
                c.tprio = _CUE if c.by == "rule" else _LABEL
                self._by_context(c)
            self._national_version(c, surface)
            return
        if label == "EVENT":
            if self._by_head(c, lemma, allow_org=False) and c.etype in ("PRODUCT", "FACILITY"):
                return  # 'the Typhoon fighters'
            c.etype = None
            if not self._by_context(c):
                c.etype = "EVENT"
            return
        if label == "LAW":
            if lemma in INITIATIVE_HEADS or lemma in ("act", "law"):
                c.etype = "INITIATIVE"
            else:
                c.drop = True
            return
        if label in ("COUNTRY", "ORG", "BLOC", "INITIATIVE", "FACILITY", "AWARD"):
            c.etype = label
            return
        c.drop = True  # works of art, languages

    def _state_qualified(self, c: _Cand, surface: str) -> Actor | None:
        """A known actor named with its state apart: 'China's Exim Bank' is the 'China Exim
        Bank', 'the Chinese People's Republic' is China. Only an actor of that state fits, so
        'India's Department of Commerce' never becomes another state's department."""
        sdoc, gaz = self.sdoc, self.gaz
        m = _STATE_STYLE.match(surface)
        if m is not None and (state := gaz.demonym_of(m.group(1))) is not None:
            return state if state.type == "COUNTRY" else None
        code = c.country if c.cprio >= _CUE else None
        if (
            code is None
            and c.t0 >= 2
            and sdoc[c.t0 - 1].lower_ in _POSSESSIVE_TOKENS
            and not sdoc[c.t0 - 2].whitespace_
        ):
            code = gaz.place_code(sdoc[c.t0 - 2].text)
        state = gaz.state(code) if code else None
        if state is None or len(surface.split()) < 2:
            return None
        for form in _state_forms(state, surface):
            a = gaz.lookup(form)
            if a is not None and a.country == code and a.type != "COUNTRY":
                return a
        return None

    def _coordinated_bodies(self, c: _Cand, co: re.Match[str]) -> str:
        """'the US Departments of State and Commerce': the NER stops at 'and'; the first name
        is the 'US Department of State', and the word after 'and' is the 'US Department of
        Commerce' (given to that name when the gazetteer knows it)."""
        body = f"{co.group('pre')}{_SINGULAR_BODIES[co.group('head').lower()]} of "
        nxt = self.tok2cand.get(c.t1)
        last = self.sdoc[c.t1 - 2] if c.t1 - c.t0 > 2 else None
        if last is not None and self.sdoc[c.t1 - 1].lower_ == "and":
            c.t1 -= 1  # the mention ends at the first body's name
            c.end = last.idx + len(last.text)
        other = self.cands[nxt] if nxt is not None else None
        if other is not None and other.actor is None and not other.drop:
            second = self.gaz.lookup(body + self._surface(other))
            if second is not None and second.type == "ORG":
                other.actor = second
        return body + co.group("first")

    def _title_before_person(self, c: _Cand) -> bool:
        """'PM Modi', 'President Joko Widodo': a title word, then a name that a person of the
        text or of the gazetteer carries (so 'General Electric' and 'President Hotel' stay)."""
        sdoc = self.sdoc
        t0 = c.t0
        while t0 < c.t1 - 1 and sdoc[t0].lower_.rstrip(".") in _HONORIFICS:
            t0 += 1
        rest = sdoc[t0 : c.t1]
        if t0 == c.t0 or not all(t.text[:1].isupper() and t.is_alpha for t in rest):
            return False
        if sdoc[c.t0].lower_.rstrip(".") not in _STATE_TITLES | _PERSON_TITLES:
            return False
        name = rest.text
        known = self.gaz.lookup(name)
        if known is not None:
            return known.type == "PERSON"
        last = rest[-1].text
        return any(
            e.label_ == "PERSON" and e.end - e.start > 1 and sdoc[e.end - 1].text == last
            for e in sdoc.ents
        )

    def _titled_person(self, c: _Cand, root: Any, lemma: str) -> bool:
        """A name of two or three capitalised words followed by a title in apposition ('X Y,
        the General Director of Z', 'X Y, chief executive of Z') is a person's."""
        words = c.name.split()
        if not 2 <= len(words) <= 3 or not all(w[:1].isupper() for w in words):
            return False
        if lemma in ORG_HEADS or _type_of_head(lemma) is not None or c.by == "rule":
            return False
        if self.gaz.lookup(c.name) is not None or any(
            self.gaz.place_code(w) is not None for w in words
        ):
            return False
        desc = next((ch for ch in root.children if ch.dep_ == "appos" and ch.i >= c.t1), None)
        if desc is None or c.t1 >= len(self.sdoc) or self.sdoc[c.t1].text != ",":
            return False
        if _head_lemma(desc) not in TITLE_HEADS:
            return False
        return any(ch.dep_ == "prep" and ch.lower_ in ("of", "at") for ch in desc.children)

    def _inside_law(self, c: _Cand) -> bool:
        """'Countering America's Adversaries Through Sanctions Act': the NER stops at the
        possessive, but the name goes on to a law's head noun."""
        sdoc = self.sdoc
        t = c.t1
        if t >= len(sdoc) or sdoc[t].lower_ not in _POSSESSIVE_TOKENS:
            return False
        for k in range(t + 1, min(t + 9, len(sdoc))):
            tok = sdoc[k]
            if tok.lower_ in _LAW_HEADS and tok.text[:1].isupper():
                return True
            if not (tok.text[:1].isupper() or tok.lower_ in ("of", "and", "for", "the", "on")):
                return False
        return False

    def _strip_person(self, c: _Cand) -> str:
        """Drop honorifics and titles before a person's name and verbs after it."""
        sdoc = self.sdoc
        t0, t1 = c.t0, c.t1
        title = []
        while t1 - t0 > 1 and sdoc[t0].lower_.rstrip(".") in _HONORIFICS:
            title.append(sdoc[t0].text)
            t0 += 1
        while t1 - t0 > 1 and sdoc[t1 - 1].pos_ in ("VERB", "AUX"):
            t1 -= 1
        # 'Ursula von' + 'der Leyen', 'Jean-Yves Le' + 'Drian': the NER stops inside a name
        # with particles; take the particles and the capitalised word after them.
        if t1 == c.t1 and sdoc[t1 - 1].lower_ in _PARTICLES:
            t = t1
            while t < len(sdoc) and sdoc[t].lower_ in _PARTICLES and sdoc[t - 1].whitespace_:
                t += 1
            if (
                t < len(sdoc)
                and sdoc[t].text[:1].isupper()
                and sdoc[t].is_alpha
                and sdoc[t - 1].whitespace_
            ):
                t1 = t + 1
                for cand in self.cands:
                    if cand is not c and cand.t0 < t1 and c.t1 <= cand.t0:
                        cand.drop = True
                me = self.cands.index(c)
                for k in range(c.t1, t1):
                    self.tok2cand[k] = me
        if t0 != c.t0 or t1 != c.t1:
            c.t0, c.t1 = t0, t1
            c.start = sdoc[t0].idx
            c.end = sdoc[t1 - 1].idx + len(sdoc[t1 - 1].text)
        if title:
            role = " ".join(t for t in title if t.lower().rstrip(".") not in _COURTESY)
            if role:
                self._set_role(c, role, _NAME_CUE)
        return _surface(sdoc, t0, t1)

    def _extend_known_org(self, c: _Cand) -> None:
        """'CATIC International Holdings': a known name followed by corporate words."""
        if c.etype != "ORG":
            return
        sdoc = self.sdoc
        t = c.t1
        while t < len(sdoc) and sdoc[t].text in _EXTEND_ORG and sdoc[t - 1].whitespace_:
            t += 1
        if t == c.t1:
            return
        longer = _surface(sdoc, c.t0, t)
        if name_key(longer) == name_key(c.name) or self.gaz.lookup(longer) is not None:
            return
        known = c.name
        c.t1, c.end = t, sdoc[t - 1].idx + len(sdoc[t - 1].text)
        c.name, c.actor, c.by = longer, None, "ner"
        c.tprio = _CUE
        c.aliases = [a for a in c.aliases if a != known] + [self._surface_short(c)]
        c.cprio = _NAME_CUE  # a part named after its parent belongs where the parent does

    def _surface_short(self, c: _Cand) -> str:
        return " ".join(self.text[c.start : c.end].split()[: len(c.name.split()) - 1]) or c.name

    def _by_head(self, c: _Cand, lemma: str, *, allow_org: bool = True) -> bool:
        """Type from the head noun of the name, or of the noun the name modifies or is in
        apposition to ('Eastern Route pipeline', 'plants Tianwanskaya and Xudapu').

        A person's name is retyped only by its own head ('Friendship Medal') or as the name
        of a facility or product ('Baikal-Amur railways'): people are often in apposition to
        events ('the dialogue, with X and Y').
        """
        sdoc = self.sdoc
        root = sdoc[c.t0 : c.t1].root
        heads: list[tuple[str, Any, bool]] = [(lemma, None, False)]
        if root.i != c.t1 - 1 and any(t.lower_ in ("of", "for") for t in sdoc[root.i : c.t1]):
            heads.append((_head_lemma(root), None, False))  # 'Order of Courage'

        h = root
        while h.dep_ == "conj" and h.head.i != h.i:
            h = h.head
        if (
            c.label != "LOC"
            and h.dep_ in ("compound", "nmod", "amod")
            and h.head.i >= c.t1
            and (c.t1 - c.t0 > 1 or _proper_modifier(root))
        ):
            heads.append((_head_lemma(h.head), h.head, True))
        if c.label not in ("PERSON", "LOC") and h.dep_ == "appos" and h.head.i < c.t0:
            heads.append((_head_lemma(h.head), None, True))
        for lem, head_tok, outside in heads:
            etype = _type_of_head(lem)
            if etype is None and head_tok is not None:
                # 'Club-K missile system', 'the X gas pipeline project': a kind noun between
                # the name and a vague head says what the name names
                kind = next(
                    (
                        t
                        for t in head_tok.children
                        if t.dep_ == "compound"
                        and c.t1 <= t.i < head_tok.i
                        and t.text.islower()
                        and _type_of_head(_head_lemma(t)) in ("PRODUCT", "FACILITY")
                    ),
                    None,
                )
                if kind is not None:
                    etype, head_tok = _type_of_head(_head_lemma(kind)), kind
            if etype is None or (etype == "ORG" and not allow_org):
                continue
            if (
                outside
                and c.label == "PERSON"
                and etype not in ("FACILITY", "PRODUCT")
                and not (head_tok is not None and lem in _FIRM_NOUNS)
            ):
                continue  # but 'the Pervaya Gruppa firm' is a firm
            if head_tok is not None and etype in ("FACILITY", "PRODUCT", "INITIATIVE"):
                # 'Eastern Route pipeline', 'Mistral warships': the longer form is an alias.
                ext = _surface(sdoc, c.t0, head_tok.i) + " " + str(head_tok.lemma_)
                if head_tok.i - c.t1 <= 3 and not any(
                    t.dep_ in ("cc", "conj", "punct") for t in sdoc[c.t1 : head_tok.i]
                ):  # not 'Angara and Baikal launch vehicle'
                    c.aliases.append(ext)
            c.etype, c.tprio = etype, _CUE
            return True
        return False

    def _by_context(self, c: _Cand) -> bool:
        """'the Rainbow is made by CASIC', 'the Predator, made by General Atomics': products."""
        sdoc = self.sdoc
        root = sdoc[c.t0 : c.t1].root
        verb = None
        if root.dep_ in ("nsubjpass",) and root.head.lemma_ in _MAKE_VERBS:
            verb = root.head
        else:
            verb = next(
                (
                    ch
                    for ch in root.children
                    if ch.dep_ in ("acl", "relcl") and ch.lemma_ in _MAKE_VERBS
                ),
                None,
            )
        if verb is None:
            return False
        agent = next((ch for ch in verb.children if ch.dep_ == "agent"), None)
        if agent is None:
            return False
        maker = next((ch for ch in agent.children if ch.dep_ == "pobj"), None)
        if maker is None or maker.i not in self.tok2cand:
            return False
        c.etype, c.tprio = "PRODUCT", _CUE
        c.affil = self.tok2cand[maker.i]
        return True

    def _is_agent(self, tok: Any) -> bool:
        """A name acting as a doer: subject of a verb or the agent of a passive."""
        return tok.dep_ == "pobj" and tok.head.lower_ in _SPEECH_OR_ACTION_HEADS

    # ------------------------------------------------------------------ countries and roles
    def _codes(self, tok: Any) -> set[str]:
        """States a modifier token points to: a state's name, capital or demonym."""
        if tok.i + 1 < len(self.sdoc) and self.sdoc[tok.i + 1].text in ("$", "dollars"):
            return set()  # 'US $5 billion': a currency, not a state
        i = self.tok2cand.get(tok.i)
        if i is not None:
            c = self.cands[i]
            if c.etype in ("COUNTRY", "PLACE") and c.country and not c.drop:
                return {c.country}  # 'Chinese', 'a Florida-based company'
            if not c.drop and c.etype is not None:
                return set()  # a word inside another actor's name
        code = self.gaz.place_code(tok.text)
        if code is None and not tok.is_stop and (place := self._big_place(tok.text)) is not None:
            code = place.country
        return {code} if code else set()

    def _big_place(self, surface: str) -> Any:
        """A region or a city of 100,000 people or more: what a name's first word or a
        modifier ('Shanghai Electric', 'Florida-based') is read as without other cues."""
        place = self.gaz.place(surface)
        if place is None or (place.kind == "city" and place.population < 100_000):
            return None
        return place

    def _modifier_codes(self, head: Any, exclude: range) -> set[str]:
        codes: set[str] = set()
        for ch in head.children:
            if ch.i in exclude:
                continue
            if ch.dep_ in ("amod", "compound", "poss", "nmod", "npadvmod"):
                codes |= self._codes(ch)
                for cc in ch.children:  # 'Chinese and Russian companies'
                    if cc.dep_ == "conj":
                        codes |= self._codes(cc)
            if ch.lemma_ in ("base", "lead") and ch.dep_ in ("amod", "acl", "compound"):
                for cc in ch.children:  # 'a Moscow-based think tank', 'the British-led X'
                    codes |= self._codes(cc)
        return codes

    def locate(self) -> None:
        for c in self.cands:
            if c.drop or c.etype is None or c.etype == "COUNTRY":
                continue
            if c.etype == "PERSON":
                self._person_context(c)
                continue
            if c.cprio >= _GAZ:
                continue
            self._locate(c)
        for c in self.cands:
            if not c.drop and c.etype == "ORG" and c.cprio < 0:
                self._list_country(c)

    def _list_country(self, c: _Cand) -> None:
        """'Ping An Bank, Bank of Ningbo, China Guangfa Bank and ...': a bank in a list of
        banks that are all of one state, by their own names, is of that state too."""
        root = self.sdoc[c.t0 : c.t1].root
        top = root
        while top.dep_ == "conj" and top.head.i != top.i:
            top = top.head
        members = [top, *(t for t in top.subtree if t.dep_ == "conj")]
        head = name_key(c.name, drop_suffixes=False).split()
        codes: set[str | None] = set()
        n = 0
        for t in members:
            i = self.tok2cand.get(t.i)
            if i is None or self.cands[i] is c:
                continue
            o = self.cands[i]
            words = name_key(o.name, drop_suffixes=False).split()
            if o.drop or o.etype != "ORG" or not head or head[-1] not in (words[:1] + words[-1:]):
                continue
            if o.cprio >= _NAME_CUE:
                codes.add(o.country)
                n += 1
        if n >= 2 and len(codes) == 1 and None not in codes and head[-1] in ORG_HEADS:
            c.country, c.cprio = next(iter(codes)), _DEFERRED

    def _locate(self, c: _Cand) -> None:
        sdoc = self.sdoc
        span = range(c.t0, c.t1)
        root = sdoc[c.t0 : c.t1].root
        h = root
        while h.dep_ == "conj" and h.head.i != h.i:
            h = h.head
        codes = self._modifier_codes(root, span)
        if h is not root:
            codes |= self._modifier_codes(h, span)
        if h.dep_ in ("compound", "nmod", "amod") and h.head.i >= c.t1:
            codes |= self._modifier_codes(h.head, span)
        if h.dep_ == "appos" and h.head.i < c.t0:
            codes |= self._modifier_codes(h.head, span)
        if c.etype in ("PRODUCT", "FACILITY") and c.t0 > 0 and not codes:
            # 'the U.S. MQ-1 Predator': a state right before the name, whatever the parse says
            codes |= self._codes(sdoc[c.t0 - 1])
        if (
            not codes
            and c.etype in ("PRODUCT", "FACILITY")
            and h.dep_ in ("compound", "nmod")
            and h.head.i >= c.t1
        ):
            # 'Russia's Soyuz, Angara and Baikal launch vehicles': the possessive before the
            # first of the names of one head noun is every name's
            for sib in h.head.children:
                if sib.i < c.t0 and sib.dep_ in ("compound", "nmod") and sib.pos_ == "PROPN":
                    for ch in sib.children:
                        if ch.dep_ == "poss":
                            codes |= self._codes(ch)
        if c.etype in ("PRODUCT", "FACILITY") and c.affil is None and c.t0 > 0:
            # 'the Chery Tiggo', 'Hanwha's K9': the maker named right before its product gives
            # it its maker and, through the maker, its country; 'Russian Helicopters' Ulan-Ude
            # plant': so does the owner of a plant
            t = c.t0 - 1
            owner = t > 0 and sdoc[t].lower_ in _POSSESSIVE_TOKENS
            if owner:
                t -= 1
            elif c.etype == "FACILITY":
                t = -1
            i = self.tok2cand.get(t)
            if i is not None and not self.cands[i].drop and self.cands[i].etype == "ORG":
                c.affil = i
        for ch in root.children:
            if ch.dep_ == "appos" and ch.i >= c.t1:
                codes |= self._modifier_codes(ch, range(0))
        if c.etype in ("FACILITY", "PLACE") or (c.etype == "ORG" and not codes):
            # 'a plant in Bushehr', 'Kiyikoy in Turkey', 'a bank headquartered in Ningbo'
            where = (
                []
                if c.etype == "ORG"
                else [root, h.head if h.dep_ in ("compound", "nmod") else root]
            )
            where += [
                ch
                for ch in root.children
                if ch.dep_ in ("acl", "amod", "relcl")
                and ch.lemma_ in ("headquarter", "headquartered", "base", "locate")
            ]
            for tok in where:
                for ch in tok.children:
                    if ch.dep_ == "prep" and ch.lower_ == "in":
                        for p in ch.children:
                            if p.dep_ == "pobj":
                                codes |= self._codes(p)
        if not codes and h is not root and c.etype == "ORG" and _generic(c.name):
            # 'the Indian Army, Navy and Air Force': a generic body shares the state of the
            # body it is listed with.
            t = root
            while t.dep_ == "conj" and t.head.i != t.i:
                t = t.head
                i = self.tok2cand.get(t.i)
                if i is not None:
                    o = self.cands[i]
                    if o.etype == "ORG" and o.country and o.cprio >= _NAME_CUE:
                        codes = {o.country}
                    break
        if codes:
            code = next(iter(codes)) if len(codes) == 1 else None
            self._set_country(c, code, _CUE)
            if code and c.etype == "ORG" and _generic(c.name):
                # 'Navy', 'Foreign Ministry' name a different body in every state: the state
                # becomes part of the name, so that linking keeps them apart.
                state = self.gaz.state(code)
                if state is not None:
                    prefix = state.demonyms[0] if state.demonyms else state.name
                    c.aliases.append(c.name)
                    c.name = f"{prefix} {c.name}"
            return
        if c.cprio >= _NAME_CUE:
            return
        if c.etype == "PRODUCT" and (made := self.gaz.designation_country(c.name)):
            self._set_country(c, made, _NAME_CUE)  # 'Su-30MKI', 'VVER-1200': the maker's state
            return
        inner = self._name_codes(c)
        if inner:
            self._set_country(c, next(iter(inner)) if len(inner) == 1 else None, _NAME_CUE)

    def _name_codes(self, c: _Cand) -> set[str]:
        """States named at the front of a name or after its last 'of': 'Russian Railways',
        'China Poly Group', 'The Moscow Times', 'Bank of China' (not 'Institute of Russian
        ... Studies', whose state is its subject)."""
        sdoc = self.sdoc
        toks = [t for t in sdoc[c.t0 : c.t1]]
        codes: set[str] = set()
        front: list[Any] = []
        for t in toks:
            if t.is_punct and t.text in ("-", "–"):
                continue
            if self._codes(t) or (t.text[:1].isupper() and self.gaz.place_code(t.text)):
                front.append(t)
                continue
            break
        for t in front:
            codes |= self._codes(t) or {self.gaz.place_code(t.text) or ""}
        if (
            not front
            and c.etype == "ORG"
            and len(toks) > 1
            and toks[-1].lemma_.lower() in (ORG_HEADS)
            and (place := self._big_place(toks[0].text)) is not None
        ):
            codes.add(place.country)  # 'Shenzhen Rural Commercial Bank': a city's own bank
        if not front and c.etype == "FACILITY" and toks[0].text[:1].isupper():
            # 'Paks NPP', 'Bushehr plant': a facility named after the town it stands in (a
            # product is named after no town: 'Angara' is a rocket, not the Turkish town)
            place = self.gaz.place(toks[0].text)
            if place is not None and place.kind == "city":
                codes.add(place.country)
        if not front and not codes:
            of = [i for i, t in enumerate(toks) if t.lower_ == "of"]
            if of:
                tail = _surface(sdoc, toks[of[-1] + 1].i, c.t1) if of[-1] + 1 < len(toks) else ""
                tail = re.sub(r"^the\s+", "", tail, flags=re.IGNORECASE)
                state = self.gaz.state_named(tail) if tail else None
                if state is not None and state.country:
                    codes.add(state.country)
                elif tail and (place := self._big_place(tail)) is not None:
                    codes.add(place.country)  # 'Bank of Ningbo'

        if not codes and len(toks) > 1:
            # a multi-word state at the front: 'Saudi Arabia's ...', 'South Korea ...'
            for n in (3, 2):
                if len(toks) > n:
                    st = self.gaz.state_named(_surface(sdoc, c.t0, c.t0 + n))
                    if st is not None and st.country:
                        codes.add(st.country)
                        break
        return {x for x in codes if x}

    def _set_country(self, c: _Cand, code: str | None, prio: int) -> None:
        if prio > c.cprio:
            c.country, c.cprio = code, prio

    def _set_role(self, c: _Cand, role: str, prio: int) -> None:
        # 'PM' is the Prime Minister: a role is written out in full
        role = " ".join(_TITLE_ABBREVIATIONS.get(w.lower().rstrip("."), w) for w in role.split())
        role = role.strip(" ,;:")
        if role and prio > c.rprio:
            c.role, c.rprio = role[:160], prio

    def _person_context(self, c: _Cand) -> None:
        """Country, role and affiliation of a person from the words around the name."""
        sdoc = self.sdoc
        root = sdoc[c.t0 : c.t1].root
        span = range(c.t0, c.t1)
        # A title before the name: 'the Russian Deputy Prime Minister Arkady Dvorkovich'.
        left = [t for t in sdoc[root.left_edge.i : c.t0] if not t.is_space]
        if not left:
            # 'the Prime Minister X government's plan': the parser hangs the title on the
            # noun the name modifies; capitalised title words right before the name count
            k = c.t0
            while (
                k > 0
                and sdoc[k - 1].text[:1].isupper()
                and sdoc[k - 1].lower_.rstrip(".") in TITLE_HEADS | _HONORIFICS
            ):
                k -= 1
            left = list(sdoc[k : c.t0])
        own = self.tok2cand.get(c.t0)
        employer: int | None = None
        for k in range(len(left) - 1, -1, -1):
            i = self.tok2cand.get(left[k].i)
            if (
                i is not None
                and i != own
                and not self.cands[i].drop
                and self.cands[i].etype not in (None, "COUNTRY")
            ):
                rest = left[k + 1 :]  # 'BEIJING (Tieline Wire) President Xi': not a title
                if (
                    self.cands[i].etype in ("ORG", "BLOC")
                    and rest
                    and left[k].i + 1 == rest[0].i
                    and rest[-1].lower_.rstrip(".") in TITLE_HEADS
                ):
                    employer = i  # 'Novatek CEO Leonid Mikhelson'
                left = rest
                break
        if employer is not None:
            org = self.cands[employer]
            title = " ".join(t.text for t in left)
            self._set_role(c, f"{title} of {_surface(sdoc, org.t0, org.t1)}", _CUE)
            if c.affil is None:
                c.affil = employer
            left = []
        if left:
            codes: set[str] = set()
            words: list[str] = []
            for t in left:
                got = self._codes(t)
                if (
                    got
                    and t.pos_ in ("ADJ", "PROPN", "NOUN")
                    and (t.dep_ in ("amod", "compound", "poss", "nmod") or t.pos_ == "ADJ")
                ):
                    codes |= got
                    continue
                if t.lower_ in ("the", "a", "an") or t.is_punct or t.tag_ == "POS":
                    continue
                words.append(t.text)
            words = [w for w in words if w.lower().rstrip(".") not in _COURTESY]
            title = " ".join(words)
            has_title = any(w.lower().rstrip(".") in TITLE_HEADS | _HONORIFICS for w in words)
            if codes and (has_title or not words):
                self._set_country(c, next(iter(codes)) if len(codes) == 1 else None, _CUE)
            if has_title and words and words[0][:1].isupper():
                state = self.gaz.state(next(iter(codes))) if len(codes) == 1 else None
                self._set_role(c, title + (f" of {_the(state.name)}" if state else ""), _CUE)
        # The name in apposition to a title: 'his Chinese counterpart, Wang Yang', 'the
        # Chinese ambassador to Zambia, Li Qiangmin'.
        head, appos = root.head, root.dep_ == "appos"
        if (
            appos
            and head.dep_ == "pobj"
            and _head_lemma(head) not in TITLE_HEADS
            and head.head.head.i < head.i
            and _head_lemma(head.head.head) in TITLE_HEADS
        ):
            head = head.head.head  # 'the Chinese ambassador to Zambia, Li Qiangmin'
        if (
            (not appos or _head_lemma(head) not in TITLE_HEADS | {"counterpart"})
            and c.t0 >= 2
            and sdoc[c.t0 - 1].text == ","
        ):
            # the same, where the parser hung the name on the verb or on another person ('X
            # and French counterpart, Y': then only a title right before the comma counts)
            hi = self.tok2cand.get(head.i)
            by_person = appos and hi is not None and self.cands[hi].etype == "PERSON"
            reach = 3 if by_person else 7
            for k in range(c.t0 - 2, max(-1, c.t0 - reach), -1):
                t = sdoc[k]
                if _head_lemma(t) in TITLE_HEADS or t.lower_ == "counterpart":
                    head, appos = t, True
                    break
                if (
                    t.is_punct
                    or t.pos_ in ("VERB", "AUX", "PRON")
                    or (k in self.tok2cand and self.cands[self.tok2cand[k]].etype == "PERSON")
                ):
                    break
        if appos and head.i < c.t0:
            lemma = _head_lemma(head)
            if lemma in TITLE_HEADS or lemma == "counterpart":
                codes = self._modifier_codes(head, span)
                if codes:
                    self._set_country(c, next(iter(codes)) if len(codes) == 1 else None, _CUE)
                if lemma != "counterpart":
                    phrase = [
                        t
                        for t in head.subtree
                        if t.i < c.t0
                        and t.i not in span
                        and not t.is_punct
                        and t.lower_ not in ("the", "a", "an", "his", "her", "its", "their")
                    ]
                    if phrase and phrase[-1].i >= head.i:
                        self._set_role(c, _surface(sdoc, phrase[0].i, phrase[-1].i + 1), _CUE)
        # A relative clause: 'X, who heads the Russian Export Center, ...'.
        for rel in root.children:
            if rel.dep_ == "relcl" and rel.lemma_ in _LEAD_VERBS:
                obj = next((ch for ch in rel.children if ch.dep_ == "dobj"), None)
                i = self.tok2cand.get(obj.i) if obj is not None else None
                if i is not None and self.cands[i].etype in ("ORG", "BLOC"):
                    o = self.cands[i]
                    self._set_role(c, f"head of {_surface(sdoc, o.t0, o.t1)}", _NAME_CUE)
                    c.affil = c.affil if c.affil is not None else i
        # An apposition or a copula: 'X, the head of Y's department'; 'X is an analyst with Y'.
        desc = next((ch for ch in root.children if ch.dep_ == "appos" and ch.i >= c.t1), None)
        prio = _CUE
        if desc is None and root.dep_ == "nsubj" and root.head.lemma_ == "be":
            desc = next((ch for ch in root.head.children if ch.dep_ == "attr"), None)
            prio = _NAME_CUE
        if desc is None or (
            desc.i in self.tok2cand and self.cands[self.tok2cand[desc.i]].etype == "PERSON"
        ):
            return
        # A nested apposition describes the affiliation, not the person: 'analyst with CAST,
        # a Moscow-based think tank'.
        nested = {
            t.i for ch in desc.subtree if ch.dep_ == "appos" and ch.i != desc.i for t in ch.subtree
        }
        sub = [t for t in desc.subtree if t.i not in span and t.i not in nested]
        if not sub:
            return
        t0, t1 = sub[0].i, sub[-1].i + 1
        t0, t1 = _trim(sdoc, t0, t1)
        if t0 < t1:
            self._set_role(c, _surface(sdoc, t0, t1), prio)
        codes = self._modifier_codes(desc, span)
        affil = None
        for t in range(t0, t1):
            i = self.tok2cand.get(t)
            if (
                i is not None
                and self.cands[i].etype in ("ORG", "BLOC")
                and i != self.tok2cand.get(c.t0)
            ):
                affil = i
                break
        if codes:
            self._set_country(c, next(iter(codes)) if len(codes) == 1 else None, _CUE)
        if affil is not None and c.affil is None:
            c.affil = affil
        elif not codes:
            # 'the President of Russia'
            for ch in desc.children:
                if ch.dep_ == "prep" and ch.lower_ == "of":
                    for p in ch.children:
                        if p.dep_ == "pobj" and (got := self._codes(p)):
                            self._set_country(c, next(iter(got)), _NAME_CUE)

    # ------------------------------------------------------------------ names in context
    def filter_lines(self) -> None:
        """Drop names in page furniture, and headline names the body does not confirm."""
        for c in self.cands:
            if c.drop:
                continue
            kind = self.lines.kind(c.start)
            if kind == "furniture":
                c.drop = True
            elif (
                kind == "heading"
                and c.by in ("ner",)
                and c.etype != "COUNTRY"
                and c.tprio < _GAZ
                and not self.lines.in_body(self._surface(c))
            ):
                c.drop = True

    def resolve_people(self) -> None:
        """Surnames and given names to the full name met in the document; a name the NER
        took for an organisation is a person's when it is part of one."""
        full: dict[str, list[tuple[int, str]]] = {}
        for c in self.cands:
            if not c.drop and c.etype == "PERSON" and len(c.name.split()) > 1:
                parts = c.name.split()
                for p in {parts[0], parts[-1]}:
                    full.setdefault(p, []).append((c.start, c.name))
        if not full:
            for c in self.cands:
                if c.etype == "PERSON" and c.label != "PERSON":
                    c.drop = True
            return
        for c in self.cands:
            if c.tprio >= _GAZ and c.actor is not None:
                continue
            if len(c.name.split()) != 1 or is_acronym(c.name):
                continue
            if c.etype not in (None, "PERSON", "ORG", "PLACE") or c.label not in (
                "PERSON",
                "ORG",
                "NORP",
                "GPE",
                "LOC",
            ):
                continue
            owners = full.get(c.name)
            if not owners:
                continue
            names = {n for _, n in owners}
            if len(names) > 1:
                before = [(s, n) for s, n in owners if s < c.start]
                owner = max(before)[1] if before else min(owners)[1]
            else:
                owner = next(iter(names))
            c.aliases.append(c.name)
            c.name, c.etype, c.drop, c.tprio = owner, "PERSON", False, _CUE

    def resolve_acronyms(self) -> None:
        """Acronyms defined in the text join their long form, both ways round, and their
        bare uses elsewhere in the document are found too."""
        text = self.text
        # An acronym defined for something that is no actor ('Free Trade Agreement (FTA)')
        # is no actor either.
        dead: set[str] = set()
        for c in self.cands:
            if c.drop and c.label == "ORG" and c.by != "gazetteer":
                head = self.sdoc[c.t1 - 1].lower_
                if head in _DOCUMENT_HEADS or head in _NOT_ACTOR_HEADS or head in TITLE_HEADS:
                    m = _ACRONYM_AFTER.match(text[c.end : c.end + 20])
                    if m:
                        dead.add(m.group(1))
        for c in self.cands:
            if c.actor is None and self._surface(c) in dead:
                c.drop = True
        defined: dict[str, int] = {}
        for i, c in enumerate(self.cands):
            if c.drop or c.etype is None:
                continue
            if c.acronym_of is not None:
                a = c.acronym_of
                if (
                    a in self.cands
                    and not a.drop
                    and a.etype is not None
                    and acronym_matches(self._surface(c), a.name, strict=False)
                ):
                    defined[self._surface(c)] = self.cands.index(a)
                continue
            m = _ACRONYM_AFTER.match(text[c.end : c.end + 20])
            if (
                m
                and not is_acronym(c.name)
                and (
                    acronym_matches(m.group(1), self._surface(c), strict=False)
                    or acronym_matches(m.group(1), c.name, strict=False)
                    # 'Biennial Inter-Governmental Consultations (IGC)': an adjective in front
                    or any(
                        acronym_matches(m.group(1), " ".join(c.name.split()[n:]), strict=False)
                        for n in (1, 2)
                        if len(c.name.split()) > n + 1
                    )
                )
            ):
                defined.setdefault(m.group(1), i)
                continue
            if is_acronym(self._surface(c)):
                m = _LONG_AFTER.match(text[c.end : c.end + 100])
                if m and acronym_matches(self._surface(c), m.group(1), strict=False):
                    inner = self._inner_cand(c.end + m.start(1), c.end + m.end(1))
                    if inner is not None:
                        defined.setdefault(self._surface(c), inner)
                    elif c.actor is None:
                        c.aliases.append(c.name)
                        c.name = m.group(1)
        self._type_acronyms(defined)
        if not defined:
            return
        for acr, i in defined.items():
            target = self.cands[i]
            if acr not in target.aliases:
                target.aliases.append(acr)
        covered = [(c.start, c.end) for c in self.cands]
        for c in self.cands:
            s = self._surface(c)
            first, _, rest = s.partition(" ")
            if (
                s not in defined
                and rest in defined
                and c.actor is None
                and (state := self.gaz.demonym_of(first)) is not None
            ):
                # 'the Indian LCA': a demonym before a defined acronym gives its country
                s = rest
                if state.country and c.cprio < _CUE:
                    c.country, c.cprio = state.country, _CUE
            if s in defined and self.cands[defined[s]] is not c:
                t = self.cands[defined[s]]
                if c.actor is None or c.actor is t.actor:
                    c.name, c.etype, c.drop = t.name, t.etype, False
                    c.tprio = max(c.tprio, _CUE)
                    c.aliases.append(s)
        for acr, i in defined.items():
            t = self.cands[i]
            for m in re.finditer(r"(?<![\w-])" + re.escape(acr) + r"(?![\w-])", text):
                if any(s < m.end() and m.start() < e for s, e in covered):
                    continue
                if self.lines.kind(m.start()) == "furniture":
                    continue
                toks = self._char_to_tokens(m.start(), m.end())
                if toks is None:
                    continue
                extra = _Cand(
                    start=m.start(),
                    end=m.end(),
                    t0=toks[0],
                    t1=toks[1],
                    label=t.label,
                    by="acronym",
                    actor=t.actor,
                    etype=t.etype,
                    name=t.name,
                    tprio=t.tprio,
                    country=t.country,
                    cprio=t.cprio,
                    aliases=[acr],
                )
                self.cands.append(extra)
                covered.append((m.start(), m.end()))
        self.cands.sort(key=lambda c: c.start)

    def _type_acronyms(self, defined: dict[str, int]) -> None:
        """'the light-combat aircraft (LCA) Tejas': an acronym the author defines for a kind
        of thing, written right before a name, is the name's kind; it names that thing."""
        for m in re.finditer(r"\(([A-Z]{2,6})\)[ \t]+(?=[A-Z])", self.text):
            acr = m.group(1)
            if acr in defined:
                continue
            words = re.split(r"[\s\-–]+", self.text[max(0, m.start() - 80) : m.start()].strip())
            kind = words[-len(acr) :]
            if len(kind) != len(acr) or not all(
                w[:1].islower() and w[:1] == a.lower() for w, a in zip(kind, acr, strict=True)
            ):
                continue
            etype = _type_of_head(kind[-1].lower().rstrip("s")) or _type_of_head(kind[-1].lower())
            if etype not in ("PRODUCT", "FACILITY"):
                continue
            i = next(
                (
                    k
                    for k, c in enumerate(self.cands)
                    if c.start == m.end() and not c.drop and c.etype is not None
                ),
                None,
            )
            if i is None:
                i = self._name_after(m.end(), etype)
            if i is None:
                continue
            c = self.cands[i]
            if c.tprio < _GAZ:
                c.etype, c.tprio = etype, max(c.tprio, _CUE)
                head = self._char_to_tokens(m.start() - len(kind[-1]) - 1, m.start() - 1)
                codes = self._modifier_codes(self.sdoc[head[0]], range(0)) if head else set()
                if len(codes) == 1 and c.cprio < _CUE:
                    c.country, c.cprio = next(iter(codes)), _CUE
            defined[acr] = i

    def _name_after(self, start: int, etype: str) -> int | None:
        """A capitalised name the NER missed, right after a defined kind ('(LCA) Tejas')."""
        toks = self._char_to_tokens(start, start + 1)
        if toks is None:
            return None
        t0 = t1 = toks[0]
        sdoc = self.sdoc
        while (
            t1 < len(sdoc)
            and t1 - t0 < 3
            and sdoc[t1].text[:1].isupper()
            and sdoc[t1].is_alpha
            and t1 not in self.tok2cand
        ):
            t1 += 1
        if t1 == t0:
            return None
        name = _surface(sdoc, t0, t1)
        c = _Cand(
            start=sdoc[t0].idx,
            end=sdoc[t1 - 1].idx + len(sdoc[t1 - 1].text),
            t0=t0,
            t1=t1,
            label=etype,
            by="rule",
            etype=etype,
            name=name,
            tprio=_CUE,
        )
        self.cands.append(c)
        return len(self.cands) - 1

    def units_of_plants(self) -> None:
        """'Tianwan-7', 'Chashma-1': a short number after the name of a plant the text names
        is a unit of that plant, a facility in the plant's state, not a model."""
        plants: dict[str, _Cand] = {}
        for c in self.cands:
            if c.drop or c.etype != "FACILITY" or _UNIT.match(c.name):
                continue
            for n in (c.name, *c.aliases):
                first = n.split()[0] if n.split() else ""
                if len(first) >= 4 and first[:1].isupper():
                    plants.setdefault(first.lower(), c)
        for c in self.cands:
            m = _UNIT.match(c.name)
            if c.drop or m is None or c.etype not in ("PRODUCT", "FACILITY"):
                continue
            plant = plants.get(m.group(1).lower())
            if plant is None:
                continue
            c.etype, c.tprio = "FACILITY", max(c.tprio, _CUE)
            if plant.country and c.cprio < _NAME_CUE:
                c.country, c.cprio = plant.country, _NAME_CUE

    def _inner_cand(self, start: int, end: int) -> int | None:
        for i, c in enumerate(self.cands):
            if (
                not c.drop
                and c.etype is not None
                and abs(c.start - start) <= 4
                and c.end <= end + 1
            ):
                return i
        return None

    def _owned(self, name: str) -> bool:
        """'Council of Heads of Government of the SCO': a body named after its owner."""
        parts = re.split(r"\s+of\s+(?:the\s+)?", name)
        return any(self.gaz.lookup(p) is not None for p in parts[1:])

    def _home_state(self, c: _Cand, *, only_near: bool = False) -> str | None:
        """The state a sentence is about (the one it names), else the state the document names
        most often among those of the sentence, else in the whole document."""
        counts: Counter[str] = Counter()
        for o in self.cands:
            if not o.drop and o.etype == "COUNTRY" and o.country:
                counts[o.country] += 1
        near: Counter[str] = Counter()
        other: set[str] = set()
        for t in self.sdoc[c.t0].sent:
            if c.t0 <= t.i < c.t1:
                continue
            i = self.tok2cand.get(t.i)
            if t.head.lemma_ == "counterpart":
                # 'his U.S. counterpart' names the other side's state, never the person's
                other |= {self.cands[i].country or ""} if i is not None else self._codes(t)
                continue
            code = self.cands[i].country if i is not None else None
            if (
                i is not None
                and self.cands[i].etype == "COUNTRY"
                and not self.cands[i].drop
                and code
            ):
                near[code] += 1
            elif i is None and t.text[:1].isupper() and (d := self.gaz.demonym_of(t.text)):
                if d.country:
                    near[d.country] += 1
        for code in other:
            near.pop(code, None)
            counts.pop(code, None)
        if only_near and len(near) != 1:
            return None
        pool = near or counts
        if not pool:
            return None
        return max(pool, key=lambda k: (len(near) == 1 and k in near, counts[k], pool[k]))

    # ------------------------------------------------------------------ output
    def _join_short_forms(self, live: list[_Cand]) -> None:
        """Names of one thing written shorter later in the text join the full name: an alias
        met beside another name, a surname ('Le Drian'), a bare head word ('the Commission'),
        a name's first words ('Paks' for 'Paks NPP', 'UrduPoint' for 'UrduPoint News'), a
        plural designation ('VVER-1200s'), an acronym of a name never defined in the text
        ('ULA'), and 'Burmese Ministry of X' for 'Ministry of X of Myanmar'. Each goes to a
        name only when exactly one name of a compatible type fits."""
        info: dict[str, _Cand] = {}
        for c in live:
            old = info.get(c.key)
            if old is None or c.tprio > old.tprio:
                info[c.key] = c
        keys = list(info)
        remap: dict[str, str] = {}
        # Keys drop 'Group', 'Corp' ...; a head word is looked for in the whole name.
        whole = {k: name_key(c.name, drop_suffixes=False).split() for k, c in info.items()}

        def fits(short: _Cand, full: _Cand) -> bool:
            if short.tprio >= _GAZ and full.tprio >= _GAZ and short.actor is not full.actor:
                return False
            if short.etype == full.etype:
                return True
            if short.etype == "PLACE" and full.etype == "FACILITY":
                return True  # 'work at Paks' for the Paks NPP
            loose = {"ORG", "PERSON", "PRODUCT", "FACILITY", "EVENT"}
            if short.etype == "ORG" and full.etype == "INITIATIVE" and short.tprio < _GAZ:
                return True  # 'CHIPS funding' for the 'CHIPS and Science Act'
            return short.tprio <= _LABEL and short.etype in loose and full.etype in loose

        def one(short: str, cands: list[str]) -> None:
            found = [k for k in dict.fromkeys(cands) if k != short and fits(info[short], info[k])]
            if len(found) == 1 and short not in remap:
                remap[short] = found[0]

        alias_of: dict[str, list[str]] = {}
        for c in live:
            for a in c.aliases:
                ak = name_key(a)
                if ak and ak != c.key:
                    alias_of.setdefault(ak, []).append(c.key)
        for k, c in info.items():
            words = k.split()
            if k in alias_of:
                one(k, alias_of[k])
                continue
            if c.tprio >= _GAZ or c.etype == "COUNTRY":
                continue
            longer = [o for o in keys if len(o.split()) > len(words)]
            if c.etype in ("PERSON", "ORG") and not is_acronym(c.name):
                # 'Le Drian' for 'Jean-Yves Le Drian'; 'Recep Erdogan' for 'Recep Tayyip Erdogan'
                people = [
                    o
                    for o in longer
                    if info[o].etype == "PERSON"
                    and (
                        o.endswith(" " + k)
                        or (
                            len(words) >= 2
                            and o.split()[0] == words[0]
                            and o.split()[-1] == words[-1]
                        )
                    )
                ]
                if people:
                    one(k, people)
                    continue
            if len(words) > 1 and c.etype == "ORG" and (_generic(c.name) or _state_body(c.name)):
                # 'the Department of Commerce' for the 'U.S. Department of Commerce'
                bodies = [
                    o
                    for o in longer
                    if info[o].etype == "ORG"
                    and o.endswith(" " + k)
                    # 'India's Department of Commerce' is no part of the US one
                    and (c.country is None or info[o].country in (None, c.country))
                ]
                if bodies:
                    one(k, bodies)
                    continue
            if len(words) == 1 and c.etype == "ORG" and not is_acronym(c.name):
                # 'the Commission', 'the Group', 'the Times': the head of one longer name
                heads = [
                    o
                    for o in longer
                    if info[o].etype in ("ORG", "BLOC")
                    and (
                        whole[o][-1] == k
                        or (whole[o][0] == k and len(whole[o]) > 2 and whole[o][1] in ("of", "for"))
                    )
                ]
                if heads:
                    one(k, heads)
                    continue
            if c.etype in ("FACILITY", "PRODUCT", "ORG", "EVENT", "PLACE") and not (
                c.etype == "PRODUCT" and _DESIGNATION.match(c.name)
            ):
                starts = []
                for o in longer:
                    rest = o.split()[len(words) :]
                    law = (
                        c.etype == "ORG"
                        and c.tprio < _GAZ
                        and info[o].etype == "INITIATIVE"
                        and whole[o][-1] in ("act", "law")
                    )
                    if o.split()[: len(words)] != words or (
                        info[o].etype != c.etype
                        and not (c.etype == "PLACE" and info[o].etype == "FACILITY")
                        and not law
                    ):
                        continue
                    if any(ch.isdigit() for ch in rest[0]) or rest[0] in _ROMAN_KEYS:
                        continue  # 'Power of Siberia 2', 'Tianwan 7': another thing
                    if c.etype == "ORG" and not law and not all(w in _ORG_TAIL_WORDS for w in rest):
                        continue  # 'Rosneft Trading' is a subsidiary, 'AP News' is AP
                    starts.append(o)
                if len(starts) > 1:
                    # 'Chambishi zone' (an alias met beside 'Chambishi') picks the zone
                    tails = {name_key(a).split()[-1] for a in c.aliases if name_key(a)}
                    starts = [o for o in starts if whole[o][-1] in tails] or starts
                if starts:
                    one(k, starts)
                    continue
            first = c.name.split()[0]
            if (
                c.etype == "PRODUCT"
                and len(words) > 1
                and _DESIGNATION.match(first)
                and (fk := name_key(first)) in info
                and fk != k
                and info[fk].etype == "PRODUCT"
            ):
                one(k, [fk])  # 'S-400 Triumf', 'S-400 Long Range ...': the S-400
                continue
            rev = _REVISION.match(c.name) if c.etype == "PRODUCT" else None
            if rev is not None and (base := name_key(rev.group(1))) in info and base != k:
                one(k, [base])  # 'K9A1' beside 'K9': a revision of the K9
                continue
            if re.fullmatch(r".*\d+s", k) and k[:-1] in info:
                one(k, [k[:-1]])  # 'VVER-1200s'
                continue
            if is_acronym(c.name) and c.etype in ("ORG", "BLOC", "EVENT", "INITIATIVE"):
                spelled = [
                    o
                    for o in longer
                    if info[o].etype == c.etype and acronym_matches(c.name, info[o].name)
                ]
                if spelled:
                    one(k, spelled)
                    continue
                agency = [
                    o
                    for o in keys
                    if o != k
                    and info[o].etype == "ORG"
                    and not is_acronym(info[o].name)
                    and agency_acronym(c.name, info[o].name)
                ]
                if c.etype == "ORG" and agency:
                    one(k, agency)  # 'MOSCOW (BNS):' under 'Source: Brahmand'
                    continue
            if c.etype == "ORG" and (organ := _PARTY_ORGAN.match(k)) is not None:
                # 'the LPRP Central Committee', 'the Central Committee of the CPC': the party
                party = organ.group(1) or organ.group(2)
                parties = [party] if party in info else alias_of.get(party, [])
                if parties:
                    one(k, parties)
                    continue
            if c.etype == "ORG" and " of " in k:
                head, _, tail = k.rpartition(" of ")
                state = self.gaz.state_named(tail)
                if state is not None and state.demonyms:
                    alt = name_key(f"{state.demonyms[0]} {head}")
                    if alt in info:
                        remap.setdefault(alt, k)
        if not remap:
            return
        for c in live:
            seen = set()
            while c.key in remap and c.key not in seen:
                seen.add(c.key)
                target = info[remap[c.key]]
                c.aliases.append(c.name)
                c.key, c.name, c.etype = target.key, target.name, target.etype
                c.tprio = max(c.tprio, min(target.tprio, _CUE))

    def build(self) -> tuple[list[Mention], list[Entity]]:
        clusters: dict[str, _Cluster] = {}
        mentions: list[Mention] = []
        live = [c for c in self.cands if not c.drop and c.etype is not None and c.name]
        for c in live:
            c.key = name_key(c.name)
        # 'MQ-1 Predator' ... 'the Predator': a short form named beside the full one.
        owners: dict[str, set[str]] = {}
        names: dict[str, str] = {}
        for c in live:
            if c.short:
                owners.setdefault(name_key(c.short), set()).add(c.key)
                names[c.key] = c.name
        # Names that differ only in small words are one: 'commission on X', 'commission for X'.
        loose: dict[str, str] = {}
        for c in live:
            own = owners.get(c.key, set())
            if len(own) == 1 and c.key not in own and c.tprio < _GAZ:
                c.aliases.append(c.name)
                c.key = next(iter(own))
                c.name = names[c.key]
            lk = " ".join(w for w in c.key.split() if w not in _SMALL_KEY_WORDS)
            c.key = loose.setdefault(lk, c.key)
        self._join_short_forms(live)
        first: dict[str, _Cand] = {}
        for pos, c in enumerate(self.cands):
            if c.drop or c.etype is None or not c.key:
                continue
            cl = clusters.get(c.key)
            if cl is None:
                cl = clusters[c.key] = _Cluster(name=c.name)
                first[c.key] = c
            cl.names[c.name] += 1
            cl.gazetteer = cl.gazetteer or c.tprio >= _GAZ
            if cl.gazetteer and c.tprio >= _GAZ:
                cl.name = c.name
            p, n = cl.types.get(c.etype, (-1, 0))
            cl.types[c.etype] = (max(p, c.tprio), n + 1)
            if c.cprio >= 0:
                p, n = cl.countries.get(c.country, (-1, 0))
                cl.countries[c.country] = (max(p, c.cprio), n + 1)
            surface = " ".join(self.text[c.start : c.end].split())
            for a in (surface, *c.aliases):
                a = re.sub(r"(?:'s|’s|'|’)$", "", a).strip()
                if a:
                    cl.aliases.setdefault(a, None)
            if c.role and (cl.role is None or (-c.rprio, pos) < cl.role[:2]):
                cl.role = (-c.rprio, pos, c.role)
            cl.count += 1
            mentions.append(
                Mention(c.start, c.end, self.text[c.start : c.end], c.etype, c.by, c.key)
            )
        # Affiliations and makers: resolved once every cluster is known.
        for c in self.cands:
            if c.drop or c.affil is None or not c.key or c.key not in clusters:
                continue
            t = self.cands[c.affil]
            if t.drop or not t.key or t.key not in clusters:
                continue
            cl, other = clusters[c.key], clusters[t.key]
            if cl.affil is None:
                cl.affil = other.name
                best = _best(other.countries)
                if best is not None:
                    cl.affil_country = best[0]
        entities = []
        renamed: dict[str, str] = {}
        for key, cl in clusters.items():
            etype = max(cl.types.items(), key=lambda kv: (kv[1][0], kv[1][1]))[0]
            country: str | None = None
            best = _best(cl.countries)
            if etype == "COUNTRY":
                country = best[0] if best else None
            elif best is not None and best[1] >= _NAME_CUE:
                country = best[0]
            elif cl.affil_country is not None:
                country = cl.affil_country
            elif best is not None:
                country = best[0]
            if (
                country is None
                and best is None
                and (
                    (
                        etype == "PERSON"
                        and cl.role
                        and any(
                            w.lower().rstrip(".,") in _GOVERNMENT_TITLES for w in cl.role[2].split()
                        )
                    )
                    or (
                        etype == "ORG"
                        and not cl.gazetteer
                        and _state_body(cl.name)
                        and not self._owned(cl.name)
                    )
                )
            ):
                # 'Prime Minister Sheikh Hasina', 'the Ministry of Electricity': an office or
                # body of a state the text does not name beside it is the state's that the
                # sentence, else the document, is about.
                country = self._home_state(first[key])
            if country is None and best is None and etype == "FACILITY" and not _linear(cl):
                # 'the Barakah site', 'Yamamah Palace': a plant or a palace stands in one state;
                # the one its sentence, else the document, is about. Pipelines, railways and
                # bridges often cross a border and get none.
                country = self._home_state(first[key], only_near=True)
            role = cl.role[2] if cl.role and etype == "PERSON" else None
            if (
                role
                and country
                and role.split()[-1].lower() in _STATE_TITLES
                and all(w.lower().rstrip(".") in TITLE_HEADS | _HONORIFICS for w in role.split())
            ):
                state = self.gaz.state(country)
                if state is not None:
                    role = f"{role} of {_the(state.name)}"  # 'President' -> 'President of Turkey'
            name = (
                cl.name
                if cl.gazetteer
                else max(
                    cl.names.items(),
                    key=lambda kv: (not is_acronym(kv[0]), len(kv[0].split()), kv[1], kv[0]),
                )[0]
            )
            if etype == "ORG" and not cl.gazetteer and country and _state_body(name):
                # 'the Department of Commerce', 'India's Ministry of Defence': a body that every
                # state has is one state's, so its state goes into the name (and the key that
                # linking groups by): the US and the Indian department never become one.
                named = self._body_of_state(name, country)
                if named is not None and name_key(named) not in clusters:
                    cl.aliases.setdefault(name, None)
                    name = named
                    renamed[key] = name_key(named)
            aliases = tuple(a for a in cl.aliases if a != name)
            entities.append(
                Entity(
                    key=renamed.get(key, key),
                    name=name,
                    type=etype,
                    country=country,
                    aliases=aliases,
                    role=role,
                    affiliation=cl.affil if etype in ("PERSON", "PRODUCT") else None,
                    mention_count=cl.count,
                )
            )
        if renamed:
            mentions = [
                replace(m, entity_key=renamed[m.entity_key]) if m.entity_key in renamed else m
                for m in mentions
            ]
        return mentions, _rules_of_issuers(entities)

    def _body_of_state(self, name: str, code: str) -> str | None:
        """A state's body named with its state: the gazetteer's name when it knows the body
        ('United States Department of Commerce'), else the demonym before the name ('Indian
        Department of Commerce'); None when the name already names a state."""
        gaz = self.gaz
        words = name.split()
        for n in (1, 2, 3):
            for i in range(len(words) - n + 1):
                if gaz.place_code(" ".join(words[i : i + n]).strip(",.'’")) is not None:
                    return None
        state = gaz.state(code)
        if state is None:
            return None
        first = words[0].lower()
        if len(first) >= 4 and any(
            Levenshtein.distance(first, w.lower()) <= 1 for w in (state.name, *state.demonyms)
        ):
            return None  # 'the Zech Supreme Administrative Court': its state, with a slip
        for form in _state_forms(state, name):
            a = gaz.lookup(form)
            if a is not None and a.country == code and a.type == "ORG":
                return a.name
        return f"{state.demonyms[0]} {name}" if state.demonyms else f"{name} of {state.name}"


# Heads of the names of a state's rules and their lists ('Entity List', 'Export Administration
# Regulations'), and of the bodies that issue them.
# (not treaties, accords or conventions, which bind two states or more)
_RULE_HEADS = frozenset(
    {"list", "regulations", "license", "licence", "rules", "act", "law", "code"}
)
_ISSUER_WORDS = frozenset({"department", "ministry", "bureau", "treasury", "office"})


def _rules_of_issuers(entities: list[Entity]) -> list[Entity]:
    """A state's rule the text names without its state ('the Entity List') is the state's
    whose departments and ministries the text names, when they are all of one state."""
    issuers = {
        e.country
        for e in entities
        if e.type == "ORG"
        and e.country
        and any(w in _ISSUER_WORDS for w in re.split(r"[\s\-]+", e.name.lower()))
    }
    if len(issuers) != 1:
        return entities
    code = next(iter(issuers))
    return [
        replace(e, country=code)
        if e.type == "INITIATIVE"
        and e.country is None
        and e.name.split()[-1].lower() in _RULE_HEADS
        else e
        for e in entities
    ]


_GENERIC_WORDS = frozenset(
    {
        "navy",
        "army",
        "air",
        "force",
        "forces",
        "armed",
        "ministry",
        "defence",
        "defense",
        "foreign",
        "affairs",
        "finance",
        "economy",
        "economic",
        "energy",
        "trade",
        "commerce",
        "industry",
        "central",
        "bank",
        "government",
        "parliament",
        "council",
        "of",
        "the",
        "and",
        "for",
        "development",
        "national",
        "state",
        "security",
        "customs",
        "space",
        "agency",
        "coast",
        "guard",
        "cabinet",
        "embassy",
        "consulate",
        "president",
        "presidential",
        "administration",
        "office",
        "general",
        "staff",
        "federal",
        "service",
        "committee",
        "assembly",
        "senate",
        "congress",
        "court",
        "supreme",
        "prime",
        "minister's",
        "interior",
        "justice",
        "education",
        "science",
        "technology",
        "transport",
        "agriculture",
        "health",
        "natural",
        "resources",
        "emergency",
        "emergencies",
        "situations",
        "digital",
        "communications",
        "information",
        "aerospace",
        "ground",
        "naval",
        "navy's",
        "military",
        "intelligence",
        "border",
    }
)


# Words of a title that make its holder an office-holder of a state.
_GOVERNMENT_TITLES = frozenset(
    {
        "president",
        "premier",
        "minister",
        "chancellor",
        "secretary",
        "ambassador",
        "envoy",
        "governor",
        "king",
        "queen",
        "emir",
        "senator",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "vice-president",
        "vice-premier",
        "consul",
        "attache",
        "attaché",
        "commissioner",
    }
)
# Heads of the names of a state's own bodies.
_STATE_BODY_HEADS = frozenset(
    {
        "ministry",
        "department",
        "court",
        "prosecution",
        "gazette",
        "registry",
        "parliament",
        "government",
        "cabinet",
        "senate",
        "congress",
        "assembly",
        "navy",
        "army",
        "force",
        "forces",
        "police",
        "guard",
        "customs",
        "treasury",
        "commission",
        "authority",
        "agency",
        "council",
    }
)


# 'US Departments of State and' (the NER stops before the second body's name).
_BODIES_OF = re.compile(
    r"^(?P<pre>(?:[A-Z][\w.]*\s+)*)(?P<head>Departments|Ministries|Committees|Councils)\s+of\s+"
    r"(?P<first>[A-Z][\w]*(?:\s+[A-Z][\w]*)*)\s+and$"
)
_SINGULAR_BODIES = {
    "departments": "Department",
    "ministries": "Ministry",
    "committees": "Committee",
    "councils": "Council",
}
_CAMEL_HANDLE = re.compile(r"^@((?:[A-Z][a-z]+){2,3})$")
_HANDLE = re.compile(r"(?<![\w@])@([A-Za-z][A-Za-z0-9_]{3,30})\b")


@lru_cache(maxsize=4)
def _squashed_names(gaz: Gazetteer) -> dict[str, Actor]:
    """Known people and organisations by their names written without spaces or punctuation,
    lower case ('narendramodi'), as handles write them; a squashed name two actors share is
    nobody's."""
    index: dict[str, Actor] = {}
    shared: set[str] = set()
    for a in gaz.actors:
        if a.type not in ("PERSON", "ORG"):
            continue
        for surface in a.surfaces:
            k = re.sub(r"[^a-z0-9]", "", strip_accents(surface).lower())
            if len(k) < 5:
                continue
            if index.setdefault(k, a) is not a:
                shared.add(k)
    return {k: a for k, a in index.items() if k not in shared}


def _state_forms(state: Actor, name: str) -> list[str]:
    """How a name is written with its state: 'China Exim Bank', 'Exim Bank of China',
    'Chinese Exim Bank'."""
    forms = [f"{state.name} {name}", f"{name} of {state.name}"]
    return forms + [f"{d} {name}" for d in state.demonyms[:1]]


def _state_body(name: str) -> bool:
    """'Ministry of Electricity', 'State Security Prosecution', 'Official Gazette': a state's
    own body, named without its state."""
    words = re.split(r"[\s\-]+", name.lower())
    head = next((w for w in words if w in _STATE_BODY_HEADS), None)
    return head is not None and (
        _generic(name) or words[0] in _STATE_BODY_HEADS or words[-1] in _STATE_BODY_HEADS
    )


# Words of facilities that may cross a border ('Power of Siberia pipeline', 'TurkStream').
_LINEAR_WORDS = frozenset(
    {
        "pipeline",
        "railway",
        "railroad",
        "rail",
        "bridge",
        "corridor",
        "route",
        "line",
        "canal",
        "highway",
        "expressway",
        "tunnel",
        "stream",
        "power",
        "cable",
        "interconnector",
    }
)


def _linear(cl: _Cluster) -> bool:
    """A facility that may cross a border: a pipeline, railway, bridge or corridor, or one named
    after two places ('Budapest-Belgrade')."""
    for name in (cl.name, *cl.aliases):
        low = name.lower()
        if any(w in _LINEAR_WORDS for w in re.split(r"[\s\-–]+", low)) or "stream" in low:
            return True
        if re.search(r"[A-Z][a-z]+\s*[-–]\s*[A-Z]", name):
            return True
    return False


def _generic(name: str) -> bool:
    """A name made of common words only ('Navy', 'Ministry of Foreign Affairs')."""
    words = re.split(r"[\s\-]+", name.lower())
    return bool(words) and all(w in _GENERIC_WORDS for w in words if w)


def _the(state: str) -> str:
    """'United States' -> 'the United States', as a title's complement reads."""
    words = state.split()
    if words[0] in ("United", "Republic", "Kingdom", "Democratic", "Central") or state.endswith(
        ("lands", "ines", "amas", "Islands", "Emirates")
    ):
        return f"the {state}"
    return state


def _best(countries: dict[str | None, tuple[int, int]]) -> tuple[str | None, int] | None:
    """The country with the strongest evidence (then the most mentions)."""
    if not countries:
        return None
    code, (prio, _) = max(countries.items(), key=lambda kv: (kv[1][0], kv[1][1], kv[0] or ""))
    return code, prio


def _type_of_head(lemma: str) -> str | None:
    if lemma in FACILITY_HEADS:
        return "FACILITY"
    if lemma in PRODUCT_HEADS:
        return "PRODUCT"
    if lemma in EVENT_HEADS:
        return "EVENT"
    if lemma in AWARD_HEADS:
        return "AWARD"
    if lemma in INITIATIVE_HEADS:
        return "INITIATIVE"
    if lemma in ORG_HEADS:
        return "ORG"
    return None


def resolve_document(sdoc: Any, gaz: Gazetteer) -> tuple[list[Mention], list[Entity]]:
    """Mentions with entity keys, and one Entity per actor, for a parsed document."""
    r = _Resolver(sdoc, gaz)
    r.collect()
    r.merge_fragments()
    r.type_all()
    r.locate()
    r.resolve_people()
    r.filter_lines()
    r.resolve_acronyms()
    r.units_of_plants()
    return r.build()
