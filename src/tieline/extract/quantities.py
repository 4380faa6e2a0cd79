"""Figures: money, volumes, percentages and counts with measure, period, status and actors.

A small grammar of our own reads the number phrases (regular expressions built from the data
files in ``data/figures/``); the dependency parse gives each number its clause, and cue words in
that clause give the measure, the status and the period.

Units written to ``Figure.unit`` (see ``data/figures/units.jsonl``):

- money: ISO 4217 codes. ``USD`` only when the text gives dollars ("$", "US$", "dollars");
  ``CNY`` for yuan, RMB and ``¥``; ``RUB`` for roubles; ``EUR`` for euros; and so on. Nothing is
  converted.
  A conversion ("RUB 20 billion (USD 391.3 million)") is a second figure of the same measure.
- ``percent`` (a fall is negative); ``count`` (``<thing>_count`` of the counted nouns in
  ``measures.jsonl``: projects, agreements, companies, jobs, units..., and goods supplied, which
  are ``supply_volume``; "two countries" and small counts in words, like "five agreements",
  measure nothing and are left to events);
- volumes: ``t`` (metric tonnes), ``bbl`` (barrels), ``bbl/d`` (barrels per day), ``m3`` (cubic
  metres; "bcm" is 1e9 m3), ``m3/yr`` (cubic metres a year), ``ft3`` (cubic feet).

Only numbers that measure cooperation become figures: each must get one of the measures of
GUIDE.md from its clause, so years, dates, ages, durations and counts of people are skipped.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from tieline.extract.dates import EventDate, date_words, explicit_dates, year_before
from tieline.extract.lexicon import load_jsonl
from tieline.extract.modality import modality
from tieline.months import MONTHS
from tieline.records import Document, Entity, Figure, Mention

NAME = "quantities.rules.v4"

# ------------------------------------------------------------------------------------ data

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
WORD_NUMBERS: dict[str, int] = {w: i for i, w in enumerate(_ONES)}
WORD_NUMBERS.update({w: 20 + 10 * i for i, w in enumerate(_TENS)})
WORD_NUMBERS.update({"a": 1, "an": 1, "dozen": 12})

SCALES: dict[str, int] = {
    "thousand": 10**3,
    "million": 10**6,
    "billion": 10**9,
    "trillion": 10**12,
    "bn": 10**9,
    "bln": 10**9,
    "mln": 10**6,
    "mn": 10**6,
    "tn": 10**12,
    "trn": 10**12,
    "crore": 10**7,
    "crores": 10**7,
    "lakh": 10**5,
    "lakhs": 10**5,
    "lakh crore": 10**12,
}
# One-letter scales are read only when glued to the number ("$5m", "10k") after a currency mark.
SHORT_SCALES: dict[str, int] = {"k": 10**3, "m": 10**6, "b": 10**9}
# Currency words that are also common English words: read only after a scale word or a number
# with separators, so that "in 2019 won" is no money.
_AMBIGUOUS_SUFFIX = {"won", "real", "rand", "sterling"}


@dataclass(frozen=True, slots=True)
class _Unit:
    kind: str
    code: str
    factor: int = 1
    rate: str | None = None
    after_scale: int | None = None  # factor after a scale word ("6.6mn mt": metric tonnes)


@dataclass(frozen=True, slots=True)
class _Grammar:
    prefixes: dict[str, _Unit]
    suffixes: dict[str, _Unit]
    number: re.Pattern[str]
    mark: re.Pattern[str]  # a currency mark ending where a number starts
    tail: re.Pattern[str]  # range, scale and unit after a number
    bare: re.Pattern[str]  # a number with a scale word and no unit ("from 2.3 billion")
    count: re.Pattern[str]
    topics: dict[str, str]  # lemma -> topic
    measures: dict[tuple[str, str | None, str | None], str]
    count_nouns: dict[str, str]  # noun (lower) -> measure
    growth: frozenset[str]
    falls: frozenset[str]  # growth cues that make the value negative
    goods: frozenset[str]  # counted nouns that are goods supplied or produced
    status: dict[str, str]  # lemma -> status
    strong: frozenset[str]
    needs_to: frozenset[str]  # cues that count only before an infinitive ("set to rise")


def _read_jsonl(name: str) -> list[dict[str, Any]]:
    """A figure table's rows (``data/figures/<name>``); a wrong line raises ``file:line: ...``."""
    return [row.fields for row in load_jsonl(f"figures/{name}")]


def _alt(words: Iterable[str]) -> str:
    """An alternation, longest first, with flexible spaces and optional Markdown escapes."""
    parts = []
    for w in sorted(set(words), key=len, reverse=True):
        # "150,000-metric-tons-a-year": words of a unit may be joined by hyphens.
        p = re.escape(w).replace(r"\ ", r"[\s\-]+").replace(r"\$", r"\\?\$")
        if w[:1].isalpha():
            p = r"(?<![A-Za-z])" + p
        if w[-1:].isalpha():
            p += r"(?![A-Za-z])"
        parts.append(p)
    return "|".join(parts)


_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"


def _word_num() -> str:
    ones = "|".join(sorted(_ONES, key=len, reverse=True))
    tens = "|".join(_TENS)
    return rf"(?:(?:{tens})(?:-(?:{ones}))?|{ones}|dozen|an?)(?:\s+hundred)?"


@lru_cache(maxsize=1)
def _grammar() -> _Grammar:
    prefixes: dict[str, _Unit] = {}
    suffixes: dict[str, _Unit] = {}
    for row in _read_jsonl("units.jsonl"):
        unit = _Unit(
            row["kind"],
            row["code"],
            int(row.get("factor", 1)),
            row.get("rate"),
            row.get("after_scale"),
        )
        for p in row.get("prefix", []):
            prefixes.setdefault(p.casefold(), unit)
        for s in row.get("suffix", []):
            suffixes.setdefault(_norm_space(s).casefold(), unit)
    topics: dict[str, str] = {}
    measures: dict[tuple[str, str | None, str | None], str] = {}
    count_nouns: dict[str, str] = {}
    growth: set[str] = set()
    falls: set[str] = set()
    goods: set[str] = set()
    for row in _read_jsonl("measures.jsonl"):
        if "topic" in row and "lemmas" in row:
            for lemma in row["lemmas"]:
                topics.setdefault(lemma, row["topic"])
        elif "measure" in row:
            measures[(row["kind"], row.get("topic"), row.get("aspect"))] = row["measure"]
        elif "count" in row:
            for noun in row["nouns"]:
                count_nouns[noun.casefold()] = row["count"]
                if row.get("goods"):
                    goods.add(noun.casefold())
        elif row.get("aspect") == "growth":
            growth.update(row["lemmas"])
            if row.get("sign") == -1:
                falls.update(row["lemmas"])
    cues = modality()
    status = cues.figure_status
    strong = cues.figure_strong
    needs_to = cues.figure_needs_to
    words = _word_num()
    scale = "|".join(sorted(SCALES, key=len, reverse=True))
    # An amount is found from its number outwards (a scan anchored on every position with an
    # optional currency mark in front is several times slower): the number, then the mark
    # before it, then the range, scale and unit after it.
    # "USD117.5 billion": a three-letter code may be glued to the number; _amount_at then
    # insists on a currency mark before it.
    number = re.compile(
        rf"(?:(?<![\w.,/\-])|(?<=(?<![A-Za-z])[A-Z]{{3}}))"
        rf"(?:{_NUM}|(?:{words})(?![A-Za-z]))",
        re.IGNORECASE,
    )
    mark = re.compile(rf"(?:{_alt(prefixes)})\s?$", re.IGNORECASE)
    tail = re.compile(
        rf"(?:\s?(?:-|–|to)\s?(?P<num2>{_NUM}))?"
        rf"(?:(?:\s*|-)(?P<scale>{scale})(?![A-Za-z])|(?P<short>[kmbKMB])(?![A-Za-z0-9]))?"
        rf"(?:(?:\s*|-)(?P<suf>{_alt(suffixes)}))?"
        r"(?![\w$€£¥])",
        re.IGNORECASE,
    )
    bare = re.compile(
        rf"(?<![\w.,/\-$€£¥])(?P<num>{_NUM})\s*(?P<scale>{scale})(?![A-Za-z])"
        r"(?!\s*(?:of\s+)?(?:people|tonnes|tons|barrels|cubic|users|residents))",
        re.IGNORECASE,
    )
    nouns = "|".join(_alt([n]) for n in sorted(count_nouns, key=len, reverse=True))
    count = re.compile(
        rf"(?<![\w.,/\-$€£¥])(?P<num>\d{{1,3}}(?:,\d{{3}})+|\d+|{words})\s+"
        rf"(?P<adj>(?:(?!{_NOT_MODIFIER})[A-Za-z0-9][\w\-+./]*\s+){{0,3}}?)(?P<noun>{nouns})",
        re.IGNORECASE,
    )
    return _Grammar(
        prefixes,
        suffixes,
        number,
        mark,
        tail,
        bare,
        count,
        topics,
        measures,
        count_nouns,
        frozenset(growth),
        frozenset(falls),
        frozenset(goods),
        status,
        frozenset(strong),
        frozenset(needs_to),
    )


# Words that end the modifiers of a counted noun: "12 years of joint projects" counts no projects.
_NOT_MODIFIER = (
    r"(?:of|in|to|for|and|or|with|by|from|on|at|the|a|an|is|are|was|were|has|have|"
    r"had|be|been|will|would|years?|months?|days?|weeks?|times?|per|each|other|"
    # "four 1,400 MW power units": a unit of measure makes the number a size, not a count
    r"[kMG]We?|[kMG]Wh|km|kV|MVA|tonnes?|tons?|mt|bcm|percent|%)"
    r"(?![\w\-])"
)


def _norm_space(s: str) -> str:
    return " ".join(s.replace("\\$", "$").split())


# ----------------------------------------------------------------------------- amounts


@dataclass(frozen=True, slots=True)
class Amount:
    """A number phrase: its span, plain value and unit."""

    start: int
    end: int
    text: str
    value: float
    unit: str
    kind: str  # money | percent | volume | count
    currency: str | None = None
    approx: bool = False
    rate: str | None = None
    noun: str | None = None  # the counted noun, for counts


_APPROX = re.compile(
    r"(?:more\s+than|over|upwards?\s+of|about|around|approximately|roughly|nearly|almost|some|"
    r"close\s+to|at\s+least|up\s+to|in\s+excess\s+of|under|below|above|less\s+than|"
    r"fewer\s+than|as\s+much\s+as|as\s+many\s+as|an\s+estimated|estimated|another|merely|"
    r"only|just|approx\.?|~)\s*$",
    re.IGNORECASE,
)


def _number(token: str) -> Decimal | None:
    t = token.strip().casefold()
    if t in WORD_NUMBERS:
        return Decimal(WORD_NUMBERS[t])
    m = re.fullmatch(r"([a-z]+)(?:-([a-z]+))?(?:\s+(hundred))?", t)
    if m and m.group(1) in WORD_NUMBERS:
        n = WORD_NUMBERS[m.group(1)] + (WORD_NUMBERS.get(m.group(2) or "", 0))
        return Decimal(n * (100 if m.group(3) else 1))
    try:
        return Decimal(t.replace(",", ""))
    except InvalidOperation:
        return None


def _to_float(d: Decimal) -> float:
    # Decimal keeps 65.8e9 exact; float() of the product rounds once.
    return float(d)


_MAX_VALUE = Decimal(10) ** 18
_PRICE = re.compile(
    r"\s*(?:a|an|per|/|for\s+(?:a|each|every))\s*(?:barrel|bbl|tonne|ton|t\b|mmbtu|btu|"
    r"(?:thousand\s+)?cubic|unit|share|kilogram|kg|pound|ounce|kilowatt|kwh|mwh|megawatt|litre|"
    r"liter|gallon|head|person|month|hour)",
    re.I,
)


def _amount_at(m: re.Match[str], text: str) -> Amount | None:
    """The amount whose number ``m`` found, or None when no unit goes with it."""
    g = _grammar()
    raw = m.group(0)
    num = _number(raw)
    if num is None:
        return None
    t = g.tail.match(text, m.end())
    if t is None:
        return None
    is_word = not raw[0].isdigit() and raw[0] != "."
    glued = m.start() > 0 and text[m.start() - 1].isalpha()
    if glued and is_word:
        return None
    pm = None if is_word else g.mark.search(text, max(0, m.start() - 12), m.start())
    pre = pm.group(0).rstrip() if pm is not None else None
    suf = t.group("suf")
    scale_word = t.group("scale")
    short = t.group("short")
    pre_unit = g.prefixes.get(_norm_space(pre).casefold()) if pre else None
    suf_unit = g.suffixes.get(_norm_space(suf.replace("-", " ")).casefold()) if suf else None
    if (pre_unit is None and suf_unit is None) or (glued and pre_unit is None):
        return None
    unit = pre_unit or suf_unit
    assert unit is not None
    if pre_unit is not None and suf_unit is not None and suf_unit.kind != "money":
        return None  # "$5 percent" is no phrase we know
    if short and not (pre_unit or (suf_unit and suf_unit.kind != "percent")):
        return None  # "5m" alone may be metres; "$5m" and "1.2m tonnes" are not
    if is_word and not (scale_word or short) and raw.casefold() in ("a", "an"):
        return None
    if (
        suf
        and not pre
        and _norm_space(suf).casefold() in _AMBIGUOUS_SUFFIX
        and not scale_word
        and "," not in raw
        and "." not in raw
    ):
        return None
    scale = Decimal(1)
    if scale_word:
        scale = Decimal(SCALES[scale_word.casefold()])
    elif short:
        scale = Decimal(SHORT_SCALES[short.casefold()])
    factor = unit.factor
    if unit.after_scale is not None and (scale_word or short):
        factor = unit.after_scale
    value = num * scale * factor
    if not value.is_finite() or value > _MAX_VALUE:
        return None  # a serial number or a garbled run of digits, not an amount
    start = pm.start() if pm is not None else m.start()
    end = t.end()
    approx = bool(_APPROX.search(text[max(0, start - 32) : start])) or t.group("num2") is not None
    if unit.kind == "money" and _PRICE.match(text, end):
        return None  # "$90 a barrel" is a price, not an amount of cooperation
    return Amount(
        start=start,
        end=end,
        text=text[start:end],
        value=_to_float(value),
        unit=unit.code,
        kind=unit.kind,
        currency=unit.code if unit.kind == "money" else None,
        approx=approx,
        rate=unit.rate,
    )


_DETERMINER = re.compile(r"\b(?:the|these|those|both|its|their|our)\s+$", re.I)
_NAME_WORD = re.compile(
    r"(?<![.!?:]\s)(?<!^)(?<!\n)\b(?!(?:Over|About|Around|Some|Nearly|Almost|"
    r"Only|Just|All|Another|With|And|In|By|For|Of|On|To|At)\b)"
    r"[A-Z][A-Za-z\-]*\s+$"
)


def find_amounts(text: str) -> list[Amount]:
    """Money, percentages, volumes and counts of projects in a text, in text order."""
    g = _grammar()
    out: list[Amount] = []
    taken: list[tuple[int, int]] = []
    for m in g.number.finditer(text):
        if taken and m.start() < taken[-1][1]:
            continue  # the second number of a range
        a = _amount_at(m, text)
        if a is not None:
            out.append(a)
            taken.append((a.start, a.end))
    for m in g.bare.finditer(text):
        # "fell to $1.5 billion from 2.3 billion": the unit carries over within a sentence.
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        before = [a for a in out if a.kind == "money" and a.end <= m.start()]
        if not before or m.start() - before[-1].end > 80:
            continue
        if re.search(r"[.!?;]\s", text[before[-1].end : m.start()]):
            continue
        num = _number(m.group("num"))
        if num is None:
            continue
        prev = before[-1]
        value = num * Decimal(SCALES[m.group("scale").casefold()])
        if value > _MAX_VALUE:
            continue
        out.append(
            Amount(
                start=m.start(),
                end=m.end(),
                text=m.group(0),
                value=_to_float(value),
                unit=prev.unit,
                kind="money",
                currency=prev.currency,
                approx=bool(_APPROX.search(text[max(0, m.start() - 32) : m.start()])),
            )
        )
        taken.append((m.start(), m.end()))
    pos = 0
    while (cm := g.count.search(text, pos)) is not None:
        m = cm
        # A rejected match ("the two countries signed 51 agreements" read from "two") may hide
        # one that starts inside it.
        pos = m.start("num") + 1
        if (c := _count_at(m, text, taken)) is not None:
            out.append(c)
            pos = m.end()
    return sorted(out, key=lambda a: a.start)


def _count_at(m: re.Match[str], text: str, taken: list[tuple[int, int]]) -> Amount | None:
    """The count a match of the count pattern states, or None when it measures nothing."""
    g = _grammar()
    if any(s < m.end("num") and m.start("num") < e for s, e in taken):
        return None
    num = _number(m.group("num"))
    raw = m.group("num")
    if num is None or raw.casefold() in ("a", "an") or num == 0 or num > _MAX_VALUE:
        return None
    if raw.isdigit() and len(raw) == 4 and 1900 <= int(raw) <= 2100:
        return None  # a year before a noun ("in 2021 projects were ...") is a date
    if _DETERMINER.search(text, max(0, m.start() - 12), m.start()):
        return None  # "the two projects" points back to projects already named
    if _NAME_WORD.search(text, max(0, m.start() - 30), m.start()):
        return None  # "the Arctic LNG 2 project": the number is part of a name
    noun = " ".join(m.group("noun").split()).casefold()
    if g.count_nouns[noun] != "project_count" and not raw[0].isdigit() and num < 10:
        return None  # "signed five agreements": a small count told in words is an event's detail
    return Amount(
        start=m.start("num"),
        end=m.end("noun"),
        text=text[m.start("num") : m.end("noun")],
        value=_to_float(num),
        unit="count",
        kind="count",
        approx=bool(_APPROX.search(text[max(0, m.start() - 32) : m.start()])),
        noun=noun,
    )


def parse_amount(text: str) -> Amount | None:
    """The amount a whole phrase states ("US$65.8 billion", "50 million tons"), or None."""
    stripped = text.strip()
    lead = len(text) - len(text.lstrip())
    for a in find_amounts(stripped):
        head = stripped[: a.start]
        if a.end == len(stripped) and (not head.strip() or _APPROX.fullmatch(head)):
            return replace(a, start=a.start + lead, end=a.end + lead)
    return None


# ----------------------------------------------------------------------------- periods


@dataclass(frozen=True, slots=True)
class Period:
    """A time expression: label as GUIDE.md writes it, ISO bounds, and its span."""

    label: str | None  # None: relative to an unknown publication date
    start_date: str | None
    end_date: str | None
    begin: int
    end: int
    kind: str  # range | month | year | annual | relative | deadline | reference


_YEAR = r"(?:19[5-9]\d|20\d\d)"
_MONTH = "|".join(sorted((m for m in MONTHS if len(m) > 3 or m == "may"), key=len, reverse=True))
_MONTH_ANY = "|".join(sorted(MONTHS, key=len, reverse=True))
_ORD = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
_COUNT_WORD = "|".join([*_ONES[1:13], r"\d{1,2}"])

_P_MONTHS_OF = re.compile(
    rf"\b(?:the\s+)?first\s+(?P<n>{_COUNT_WORD})\s+months\s+(?:of\s+)?"
    rf"(?:(?P<y>{_YEAR})|(?P<rel>this|last|the\s+current|the\s+previous)\s+year)\b",
    re.I,
)
_P_HALF = re.compile(
    rf"\b(?:the\s+)?(?P<o>first|second|1st|2nd)\s+half\s+(?:of\s+)?(?P<y>{_YEAR})\b"
    rf"|\bH(?P<h>[12])\s*(?P<y2>{_YEAR})\b",
    re.I,
)
_P_QUARTER = re.compile(
    rf"\b(?:the\s+)?(?P<o>first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter\s+(?:of\s+)?"
    rf"(?P<y>{_YEAR})\b|\bQ(?P<q>[1-4])\s*(?P<y2>{_YEAR})\b",
    re.I,
)
_P_MONTH_RANGE = re.compile(
    rf"\b(?:between\s+)?(?P<m1>{_MONTH_ANY})\.?\s*(?:-|–|to|through|and)\s*(?P<m2>{_MONTH_ANY})\.?"
    rf"\s*(?:of\s+)?(?P<y>{_YEAR})\b",
    re.I,
)
_P_MONTH_YEAR = re.compile(
    rf"\b(?P<m>{_MONTH_ANY})\.?\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?(?:of\s+)?(?P<y>{_YEAR})\b"
    rf"|\b\d{{1,2}}\s+(?P<m2>{_MONTH_ANY})\.?\s+(?P<y2>{_YEAR})\b",
    re.I,
)
_P_YEAR_RANGE = re.compile(
    rf"\b(?:from\s+|between\s+)?(?P<y1>{_YEAR})\s*(?:-|–|/|to|and|through)\s*"
    rf"(?P<y2>{_YEAR}|\d\d)(?![\d%])",
    re.I,
)
_P_YEAR = re.compile(rf"(?<![\w$€£¥.,\-])(?P<y>{_YEAR})(?![\w%\-]|\.\d|,\d)")
_P_RATE = re.compile(
    r"\b(?:annually|yearly|per\s+annum|p\.a\.|(?:per|a|each|every)[\s\-]+year"
    r"(?!\s+(?:ago|earlier|before|later|after|from\s+now|on\b))(?!-))"
    r"|(?<=[A-Za-z])/\s?(?:yr|year|y|a)\b",
    re.I,
)
_P_RELATIVE = re.compile(
    r"\b(?P<w>this|last|next|the\s+current|the\s+previous|the\s+past|the\s+coming)\s+"
    r"(?P<u>year|month)\b(?!-)|\b(?P<ye>year[-\s]end|the\s+end\s+of\s+(?:the|this)\s+year)\b",
    re.I,
)
_P_BARE_MONTH = re.compile(
    rf"\b(?P<prep>in|by|since|until|through|from|of|for|during)\s+(?P<m>{_MONTH})\b(?!\s+\d)", re.I
)
_REFERENCE = re.compile(
    r"(?:\bfrom|\bsince|\bcompared\s+(?:with|to)|\bthan|\bover|\bagainst|\bversus|\bvs\.?"
    r"|\bon)"
    r"\s+(?:(?:in|at|during|for)\s+)?(?:the\s+(?:same\s+(?:period|time|month)\s+(?:of|in)\s+)?)?$",
    re.I,
)
_TILL = re.compile(r"\b(?:till|until|untill)\s+$", re.I)
# "signed 51 agreements on Monday": the month of the Monday before the publication date
_P_WEEKDAY = re.compile(rf"\b(?P<w>on|last)\s+(?P<d>{'|'.join(calendar.day_name)})\b", re.I)
_DEADLINE = re.compile(
    r"(?:\btill|\bby|\bby\s+the\s+end\s+of|\bbefore|\buntil|\bthrough)\s+$", re.I
)
# "Vision 2025", "Made in China 2025": a year after a capitalised word is part of a name.
_NAME_BEFORE = re.compile(
    r"(?:^|[^.!?]\s)(?!(?:In|By|For|Since|From|Until|Of|At|The|And|To|"
    r"Through|During|Before|After|Between|End)\b)[A-Z][A-Za-z]+\s+$"
)


def _month_end(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}-{calendar.monthrange(y, m)[1]:02d}"


def _span(y1: int, m1: int, y2: int, m2: int) -> tuple[str, str]:
    return f"{y1:04d}-{m1:02d}-01", _month_end(y2, m2)


def _pub(published: str | None) -> tuple[int, int] | None:
    if not published:
        return None
    m = re.match(r"(\d{4})(?:-(\d{2}))?", published)
    if not m:
        return None
    return int(m.group(1)), int(m.group(2) or 0)


def _pub_day(published: str | None) -> date | None:
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", published or "")
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _n(word: str) -> int:
    return int(word) if word.isdigit() else WORD_NUMBERS[word.casefold()]


def find_periods(text: str, published: str | None = None) -> list[Period]:
    """Time expressions that can fix a figure's period, in text order, without overlaps.

    Relative phrases ("this year", "last year", "in April") are fixed against ``published``
    (an ISO date); without one their label stays None rather than a guess.
    """
    pub = _pub(published)
    found: list[Period] = []

    def add(
        m: re.Match[str], label: str | None, start: str | None, end: str | None, kind: str
    ) -> None:
        b, e = m.span()
        if any(p.begin < e and b < p.end for p in found):
            return
        head = text[max(0, b - 40) : b]
        if kind in ("year", "month", "range", "relative") and _REFERENCE.search(head):
            kind = "reference"
        elif kind in ("year", "month", "relative") and _DEADLINE.search(head):
            kind = "deadline"
        found.append(Period(label, start, end, b, e, kind))

    for m in _P_MONTHS_OF.finditer(text):
        n = _n(m.group("n"))
        if not 1 <= n <= 12:
            continue
        if m.group("y"):
            y = int(m.group("y"))
        elif pub is not None:
            y = pub[0] - (1 if m.group("rel").casefold().split()[-1] in ("last", "previous") else 0)
        else:
            add(m, None, None, None, "relative")
            continue
        add(m, f"{y}-01/{y}-{n:02d}", *_span(y, 1, y, n), "range")
    for m in _P_HALF.finditer(text):
        y = int(m.group("y") or m.group("y2"))
        h = _ORD.get((m.group("o") or "").casefold()) or int(m.group("h"))
        a, b = (1, 6) if h == 1 else (7, 12)
        add(m, f"{y}-{a:02d}/{y}-{b:02d}", *_span(y, a, y, b), "range")
    for m in _P_QUARTER.finditer(text):
        y = int(m.group("y") or m.group("y2"))
        q = _ORD.get((m.group("o") or "").casefold()) or int(m.group("q"))
        a, b = 3 * q - 2, 3 * q
        add(m, f"{y}-{a:02d}/{y}-{b:02d}", *_span(y, a, y, b), "range")
    for m in _P_MONTH_RANGE.finditer(text):
        y = int(m.group("y"))
        a, b = MONTHS[m.group("m1").casefold()], MONTHS[m.group("m2").casefold()]
        if a < b:
            add(m, f"{y}-{a:02d}/{y}-{b:02d}", *_span(y, a, y, b), "range")
    for m in _P_MONTH_YEAR.finditer(text):
        mon = MONTHS[(m.group("m") or m.group("m2")).casefold()]
        y = int(m.group("y") or m.group("y2"))
        add(m, f"{y}-{mon:02d}", *_span(y, mon, y, mon), "month")
    for m in _P_YEAR_RANGE.finditer(text):
        y1 = int(m.group("y1"))
        raw2 = m.group("y2")
        y2 = int(raw2) if len(raw2) == 4 else (y1 // 100) * 100 + int(raw2)
        if y1 < y2 <= y1 + 50:
            add(m, f"{y1}/{y2}", f"{y1}-01-01", f"{y2}-12-31", "range")
    for m in _P_YEAR.finditer(text):
        if _NAME_BEFORE.search(text[max(0, m.start() - 40) : m.start()]):
            continue
        y = int(m.group("y"))
        if pub is not None and pub[0] < y and _TILL.search(text, max(0, m.start() - 12), m.start()):
            # "€10 billion till 2030", written in 2022: the years from now to then
            add(m, f"{pub[0]}/{y}", f"{pub[0]}-01-01", f"{y}-12-31", "deadline")
            continue
        add(m, str(y), f"{y}-01-01", f"{y}-12-31", "year")
    for m in _P_RATE.finditer(text):
        add(m, "annual", None, None, "annual")
    day = _pub_day(published)
    for m in _P_WEEKDAY.finditer(text) if day is not None else ():
        assert day is not None
        back = (day.weekday() - date_words().weekday[m.group("d").casefold()]) % 7
        if m.group("w").casefold() == "last" and back == 0:
            back = 7
        d = day - timedelta(days=back)
        add(m, f"{d.year}-{d.month:02d}", *_span(d.year, d.month, d.year, d.month), "relative")
    for m in _P_RELATIVE.finditer(text):
        if pub is None:
            add(m, None, None, None, "relative")
            continue
        y, mon = pub
        if m.group("ye"):
            add(m, str(y), f"{y}-01-01", f"{y}-12-31", "relative")
            continue
        w = m.group("w").casefold().split()[-1]
        shift = date_words().shift.get(w, 0)  # the shifts of event dates (data/dates.tsv)
        if m.group("u").casefold() == "year":
            y += shift
            add(m, str(y), f"{y}-01-01", f"{y}-12-31", "relative")
        elif mon:
            mon += shift
            if mon == 0:
                y, mon = y - 1, 12
            elif mon == 13:
                y, mon = y + 1, 1
            add(m, f"{y}-{mon:02d}", *_span(y, mon, y, mon), "relative")
        else:
            add(m, None, None, None, "relative")
    stated: list[EventDate] | None = None
    for m in _P_BARE_MONTH.finditer(text):
        mon = MONTHS[m.group("m").casefold()]
        if m.group("m")[0].islower():
            continue  # "may" the verb
        if pub is None or not pub[1]:
            # an undated article: the year of the last date stated before the month, if any
            if stated is None:
                stated = explicit_dates(text)
            before = year_before(text, m.start(), stated)
            if before is None:
                add(m, None, None, None, "relative")
                continue
            y = before
        else:
            y = pub[0] if mon <= pub[1] else pub[0] - 1
        add(m, f"{y}-{mon:02d}", *_span(y, mon, y, mon), "relative")
    return sorted(found, key=lambda p: p.begin)


def parse_period(text: str, published: str | None = None) -> Period | None:
    """The first period a phrase states ("in the first five months of 2022" -> 2022-01/2022-05)."""
    for p in find_periods(text, published):
        if p.kind != "reference":
            return p
    return None


# ----------------------------------------------------------------------------- clauses

_BOUNDARY = {"ROOT", "conj", "advcl", "ccomp", "relcl", "parataxis", "csubj", "acl"}
_VERBS = {"VERB", "AUX"}
_PAIR_WORDS = re.compile(
    r"\b(?:the\s+two|both|bilateral|the\s+countries|two\s+countries|two\s+nations|the\s+nations|"
    r"each\s+other|mutual|two\s+sides|the\s+sides)\b",
    re.I,
)
_REALISED = re.compile(
    r"[^.;]*?\b(?:and|but|which)\s+(?:this|it|that|the\s+(?:goal|target|plan|aim))\s+"
    r"(?:has\s+|had\s+)?(?:was\s+|were\s+|been\s+)*"
    r"(?:happened|achieved|met|reached|fulfilled|exceeded|surpassed|accomplished|did|"
    r"came\s+true|was\s+hit)\b",
    re.I,
)
_ACTOR_TYPES = {"COUNTRY", "ORG", "BLOC"}
_TRAILING = re.compile(r"(?:[\s,;:–-]|\b(?:and|or|but|while|as|with)\b)+$", re.I)
# "up from $107 billion", "compared with 20%": a baseline, reported as a past actual.
# "more than $4 billion" only hedges the amount.
_BASELINE = re.compile(
    r"(?:\bfrom|\bcompared\s+(?:with|to)"
    r"|(?<!more\s)(?<!less\s)(?<!fewer\s)\bthan|\bagainst|\bversus|\bvs\.?)"
    r"\s+(?:the\s+|a\s+|an\s+)?$",
    re.I,
)


@dataclass
class _Clause:
    root: Any  # the number's syntactic head token
    path: list[Any]  # tokens from the number up to the clause's top verb
    tokens: list[Any]  # every token of the clause, in order
    parsed: bool


def _clause(sdoc: Any, sent: Any, a: Amount, parsed: bool) -> _Clause | None:
    span = sdoc.char_span(a.start, a.end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    if not parsed:
        toks = [t for t in sent if abs(t.i - span.start) <= 12 or span.start <= t.i < span.end]
        return _Clause(span[0], [], toks, False)
    root = span.root
    t = root
    path = [t]
    while not (t.pos_ in _VERBS and t.dep_ in _BOUNDARY) and t.head.i != t.i:
        t = t.head
        path.append(t)
    top = t
    inside = {x.i for x in span}

    def keep(tok: Any) -> list[Any]:
        out = [tok]
        for c in tok.children:
            if (
                c.dep_ in _BOUNDARY
                and c.pos_ in _VERBS | {"NOUN", "PROPN"}
                and not any(x.i in inside for x in c.subtree)
            ):
                continue  # another clause: its cues are not this figure's
            out.extend(keep(c))
        return out

    toks = keep(top)
    if top.dep_ == "conj" and not any(c.dep_ in ("nsubj", "nsubjpass") for c in top.children):
        # "Trade has grown ... and is projected to reach X": the subject is shared.
        for c in top.head.children:
            if c.dep_ in ("nsubj", "nsubjpass"):
                toks.extend(c.subtree)
                path.append(c)
    if top.dep_ in ("relcl", "acl") and top.head.i != top.i:
        path.append(top.head)
        toks.append(top.head)
    toks = sorted({x.i: x for x in toks}.values(), key=lambda x: x.i)
    return _Clause(root, path, toks, True)


def _lemma(tok: Any) -> str:
    return str(tok.lemma_ or tok.text).casefold()


def _topic_of(tok: Any) -> str | None:
    g = _grammar()
    if tok.pos_ in _VERBS and _lemma(tok) in g.status:
        return None  # "projected" is a forecast cue, not the noun "project"
    return g.topics.get(_lemma(tok)) or g.topics.get(tok.text.casefold())


_FLOWS = {"trade", "export", "supply", "cargo"}


def _head_noun(cl: _Clause, span_idx: set[int]) -> Any | None:
    """The noun a number measures: "$27 billion plant", "turnover of $200 billion"."""
    t = cl.root
    for _ in range(4):
        h = t.head
        if h.i == t.i:
            return None
        if h.lower_ == "worth":
            # "$45 billion worth of investment projects": what the money is worth of
            for c in h.children:
                if c.dep_ == "prep" and c.lower_ == "of":
                    for o in c.children:
                        if o.dep_ == "pobj" and o.pos_ in ("NOUN", "PROPN"):
                            return o
        if h.pos_ in ("NOUN", "PROPN") and h.i not in span_idx:
            return h
        if h.pos_ == "ADP" or h.lower_ in ("worth", "valued"):
            t = h
            continue
        return None
    return None


def _topic(cl: _Clause, a: Amount, span_idx: set[int], sent: Any) -> tuple[str | None, str]:
    """The topic of a figure and how it was found (noun, verb, in, near)."""
    if cl.parsed:
        if a.kind == "volume" and any(_topic_of(t) == "capacity" for t in cl.path):
            return "capacity", "verb"  # "planned to carry 50 bcm of gas a year"
        if (
            a.kind == "percent"
            and len(cl.path) > 1
            and cl.root.dep_ in ("dobj", "attr")
            and _topic_of(cl.path[1]) == "ownership"
        ):
            return "ownership", "verb"  # "Novatek holds 50.1% of the venture"
        noun = _head_noun(cl, span_idx)
        if noun is not None:
            found = [
                tp
                for tok in [
                    noun,
                    *sorted(
                        (
                            c
                            for c in noun.children
                            if c.dep_ in ("compound", "amod", "nmod") and c.i not in span_idx
                        ),
                        key=lambda c: -c.i,
                    ),
                ]
                if (tp := _topic_of(tok)) is not None
            ]
            if found:
                if found[0] in ("contract", "project") and "investment" in found[1:]:
                    return "investment", "noun"  # "a loan agreement", "investment projects"
                return found[0], "noun"
        # "35% of India's crude imports", "$5 billion of investment"
        for c in cl.root.children:
            if c.dep_ == "prep" and c.lower_ == "of":
                for o in c.children:
                    if o.dep_ == "pobj" and (tp := _topic_of(o)) is not None:
                        return tp, "of"
        for tok in cl.path:
            if tok.pos_ == "VERB" and (tp := _topic_of(tok)) is not None:
                # "buy a stake for $1.3 billion": the object names what the money is for.
                for c in tok.children:
                    if c.dep_ == "dobj" and c.i not in span_idx and (ot := _topic_of(c)):
                        return ot, "object"
                return tp, "verb"
        if a.kind == "money":
            # "$3 billion in new projects", "will unleash $40 billion in investment"
            verb = next((t for t in cl.path[1:] if t.pos_ in _VERBS), None)
            heads = [cl.root] if verb is None else [cl.root, verb]
            for c in (c for h in heads for c in h.children):
                if c.dep_ == "prep" and c.lower_ == "in":
                    objs = [o for o in c.children if o.dep_ == "pobj"]
                    if objs and objs[0].ent_type_ not in ("DATE", "TIME") and not objs[0].like_num:
                        # "$3 billion in new projects" is money put in: an investment, unless
                        # the noun names a flow ("$200 billion in annual trade", "in exports").
                        tp = _topic_of(objs[0])
                        return (tp if tp in _FLOWS else "investment"), "in"
    if cl.parsed:
        # "imports of coal shrank 4.3%": the subject of the verb says what changed
        for tok in cl.path[1:]:
            if tok.pos_ in _VERBS:
                for c in tok.children:
                    if (
                        c.dep_ in ("nsubj", "nsubjpass")
                        and c.i not in span_idx
                        and (tp := _topic_of(c)) is not None
                    ):
                        return tp, "subject"
                break
    best: tuple[int, str] | None = None
    for tok in cl.tokens:
        if tok.i in span_idx or tok.ent_type_ in ("GPE", "PERSON"):
            continue
        tp = _topic_of(tok)
        if tp is None:
            continue
        if tok.dep_ == "compound" and tok.head.i != tok.i and _topic_of(tok.head) is not None:
            continue  # "trade deficit": the head noun says what is measured
        if tp in ("contract", "project") and any(
            c.dep_ == "compound" and _topic_of(c) == "investment" for c in tok.children
        ):
            tp = "investment"  # "a loan agreement"
        d = min(abs(tok.i - i) for i in span_idx)
        if best is None or d < best[0]:
            best = (d, tp)
    return (best[1], "near") if best else (None, "")


_COMPARATIVES = {"more", "less", "higher", "lower", "fewer", "above", "below"}


_SHARE_WORDS = {"share", "proportion", "portion", "account", "percentage", "stake"}
_LESS = {"less", "lower", "fewer", "below"}


def _aspect(cl: _Clause, span_idx: set[int], sdoc: Any) -> tuple[str, int]:
    """growth when a change word governs the number or stands next to it, else share; and the
    sign, -1 for a fall ("imports shrank 4.3%")."""
    g = _grammar()
    first, last = min(span_idx), max(span_idx)
    near = [t for t in cl.path if t.i not in span_idx] if cl.parsed else []
    # "the share of Chinese cars rose to 56 percent": a share that changed is still a share
    subjects = [c for t in near for c in t.children if c.dep_ in ("nsubj", "nsubjpass")]
    if any(_lemma(t) in _SHARE_WORDS for t in near + subjects):
        return "share", 1
    # "up 26 percent", "a 26 percent increase", "31% year-on-year"
    near += [sdoc[i] for i in range(max(0, first - 2), first)]
    after = [sdoc[i] for i in range(last + 1, min(len(sdoc), last + 3))]
    for tok in near + after:
        if _lemma(tok) in g.growth or tok.lower_ in g.growth:
            return "growth", (-1 if _lemma(tok) in g.falls or tok.lower_ in g.falls else 1)
    # "15% more than a year earlier", "20 percent higher" (before the number, "more than"
    # only hedges it)
    if after and after[0].lower_ in _COMPARATIVES:
        return "growth", (-1 if after[0].lower_ in _LESS else 1)
    return "share", 1


def _before_infinitive(tok: Any) -> bool:
    if any(c.dep_ == "xcomp" for c in tok.children):
        return True
    return bool(tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].lower_ == "to")


_COMMITTED = {"will", "would", "shall"}
_EACH = {"each", "apiece", "per"}
_PLEDGED = {"investment", "supply", "capacity", "cargo", "ownership"}
_MARKET_TOPICS = {"trade", "export", "import", None}


def _status(
    cl: _Clause, period: Period | None, published: str | None, topic: str | None = None
) -> tuple[str, int]:
    """Status and the strength of its cue (2 explicit, 1 inferred, 0 default).

    A bare "will" is a commitment (target) when someone supplies, builds, invests or pays ("Russia
    will supply 38 bcm a year"), and an expectation (forecast) of a market ("trade will reach").
    """
    g = _grammar()
    cues = list(cl.path)
    for t in cl.path:
        cues.extend(
            c
            for c in t.children
            if c.dep_ in ("aux", "auxpass", "nsubj", "nsubjpass", "advmod", "acomp")
        )
    top = cl.path[-1] if cl.path else None
    if top is not None and top.tag_ == "VBG" and top.dep_ in ("advcl", "xcomp", "acl"):
        # "will unleash $40 billion ..., creating 21,500 jobs": the participle takes the tense
        # of the verb it hangs on
        cues.extend(c for c in top.head.children if c.dep_ == "aux")
    if not cl.parsed:
        cues = cl.tokens
    found: dict[str, int] = {}
    for tok in cues:
        lemma = _lemma(tok)
        st = g.status.get(lemma)
        if st is None:
            continue
        if lemma == "project" and tok.pos_ != "VERB":
            continue  # "projects" the noun
        if lemma == "estimate" and tok.pos_ != "NOUN":
            continue  # "the estimated $5 billion deal" reports a known value; "estimates" guess
        if st == "forecast" and lemma == "will" and tok.dep_ not in ("aux", "ROOT"):
            continue
        if lemma in g.needs_to and not _before_infinitive(tok):
            continue
        if st == "forecast" and not _expects_a_level(tok):
            continue  # "is expected to announce $45 billion of investment": a planned event
        strength = 2 if lemma in g.strong else 1
        if lemma in _COMMITTED and topic not in _MARKET_TOPICS:
            st = "target"
        found[st] = max(found.get(st, 0), strength)
    if "forecast" in found and found["forecast"] == 2:
        return "forecast", 2
    if "target" in found:
        return "target", found["target"]
    if "forecast" in found:
        return "forecast", found["forecast"]
    if period is not None and period.kind == "deadline" and not _past(cl):
        return "target", 1  # "to US$400 billion by 2030"
    if (
        period is not None
        and period.start_date
        and published
        and period.start_date[:10] > published[:10]
        and not _past(cl)
    ):
        # a period that had not begun when the article came out: a market's level is expected,
        # a supplier's or investor's is promised
        return ("forecast" if topic in _MARKET_TOPICS else "target"), 1
    if cl.parsed and topic in _PLEDGED and _infinitive(cl):
        # "agreed to invest $204 million", "a deal to provide $6.4 billion in funding"; but the
        # price of a deal "to buy 36 jets for 7.9 billion euros" is a term of that deal: actual
        return "target", 1
    return "actual", 0


def _infinitive(cl: _Clause) -> bool:
    """Whether the figure hangs on a to-infinitive ("to provide", "to buy") that no past tense
    governs from below it in the path."""
    for t in cl.path:
        if t.pos_ == "VERB" and t.tag_ == "VB":
            if t.head.lemma_ == "agree" and t.head.tag_ == "VBD":
                return False  # "agreed to buy a 10% stake": the terms of a concluded deal
            return any(c.dep_ == "aux" and c.lower_ == "to" for c in t.children)
        if t.pos_ in _VERBS and t.dep_ not in ("aux", "auxpass"):
            return False
    return False


# Verbs that state a level; "expected to reach $100 billion" forecasts it, "expected to announce"
# or "to sign" forecasts an event, not the figure.
_LEVEL_VERBS = {
    "reach",
    "hit",
    "rise",
    "grow",
    "exceed",
    "surpass",
    "top",
    "climb",
    "increase",
    "total",
    "amount",
    "be",
    "double",
    "triple",
    "fall",
    "drop",
    "decline",
    "stand",
    "cross",
    "touch",
    "jump",
    "soar",
    "surge",
    "expand",
    "remain",
    "stay",
    "decrease",
    "shrink",
    "come",
    "go",
    "account",
    "make",
    "cost",
    "generate",
    "bring",
    "add",
    "produce",
    "supply",
    "export",
    "import",
    "deliver",
    "ship",
    "sell",
    "carry",
    "handle",
    "attract",
    "create",
    "employ",
    "receive",
    "earn",
}


def _expects_a_level(tok: Any) -> bool:
    """Whether a forecast cue looks ahead to a level: its infinitive, if any, states one."""
    inf = next((c for c in tok.children if c.dep_ == "xcomp" and c.pos_ in _VERBS), None)
    return inf is None or inf.lemma_ in _LEVEL_VERBS


def _delivered(cl: _Clause, span_idx: set[int]) -> bool:
    """Whether goods counted were moved already: a past verb governs the count directly ("75
    engines have been delivered"), not through a noun ("a contract for the delivery of 55")."""
    if not cl.parsed:
        return _past(cl)
    for t in cl.path:
        if t.i in span_idx or t.pos_ in ("ADP", "NUM", "ADJ", "ADV", "DET"):
            continue
        if t.pos_ in ("NOUN", "PROPN"):
            return False
        if t.pos_ in _VERBS:
            return _past(cl)
    return _past(cl)


def _past(cl: _Clause) -> bool:
    for t in cl.path:
        if t.pos_ in _VERBS and t.dep_ not in ("aux", "auxpass"):
            if t.tag_ == "VBD":
                return True
            if t.tag_ == "VBN" and any(c.lemma_ == "have" for c in t.children if c.dep_ == "aux"):
                return True
            if t.tag_ == "VBN" and any(
                c.tag_ == "VBD" for c in t.children if c.dep_ in ("auxpass", "aux")
            ):
                return True  # "commitments were made"
            return False
    return False


# ----------------------------------------------------------------------------- figures


@dataclass
class _Candidate:
    figure: Figure
    strength: int
    topic: str | None


def _measure(kind: str, topic: str | None, aspect: str | None) -> str | None:
    return _grammar().measures.get((kind, topic, aspect))


_MAX_QUOTE = 200
_QUOTE_BREAK = re.compile(r"[,;:()–—]")


def _evidence(text: str, cl: _Clause | None, a: Amount, sent: Any) -> str:
    """A short verbatim quote: the clause stating the figure, within its paragraph."""
    if cl is None or not cl.tokens:
        b, e = sent.start_char, sent.end_char
    else:
        b, e = cl.tokens[0].idx, cl.tokens[-1].idx + len(cl.tokens[-1].text)
    b, e = min(b, a.start), max(e, a.end)
    # A headline glued to the first sentence is no part of the quote.
    if (nl := text.rfind("\n", b, a.start)) >= 0:
        b = nl + 1
    if (nl := text.find("\n", a.end, e)) >= 0:
        e = nl
    if e - b > _MAX_QUOTE:
        # Long list-like clauses: keep the punctuation-delimited stretch around the number,
        # widened while it is too short to say anything.
        cuts = [m.start() for m in _QUOTE_BREAK.finditer(text, b, e)]
        left = [c + 1 for c in cuts if c < a.start]
        right = [c for c in cuts if c >= a.end]
        lo = left[-1] if left else b
        hi = right[0] if right else e
        while hi - lo < 30 and (len(left) > 1 or len(right) > 1):
            if len(right) > 1:
                right.pop(0)
                hi = right[0]
            else:
                left.pop()
                lo = left[-1]
        b, e = lo, hi
    if e - b > 300:
        b, e = max(b, a.start - 150), min(e, a.end + 150)
        while b < a.start and not text[b - 1].isspace():
            b += 1
        while e > a.end and e < len(text) and not text[e].isspace():
            e -= 1
    quote = text[b:e]
    lead = len(quote) - len(quote.lstrip(" \t\n\r\"“”‘’'(,;:–-"))
    quote = _TRAILING.sub("", quote[lead:])
    if quote.endswith(".") and not quote[-3:-1].isupper():
        quote = quote[:-1]
    return quote if quote else text[a.start : a.end]


def _main_pair(entities: Sequence[Entity]) -> list[str]:
    states = sorted(
        (e for e in entities if e.type == "COUNTRY" and e.mention_count > 0),
        key=lambda e: (-e.mention_count, e.name),
    )
    return [e.name for e in states[:2]]


def _actors(
    cl: _Clause | None,
    sent: Any,
    mentions: Sequence[Mention],
    by_key: dict[str, Entity],
    pair: list[str],
    text: str,
) -> tuple[str, ...]:
    if cl is not None and cl.tokens:
        b, e = cl.tokens[0].idx, cl.tokens[-1].idx + len(cl.tokens[-1].text)
    else:
        b, e = sent.start_char, sent.end_char
    names: list[str] = []
    for m in mentions:
        if b <= m.start < e and m.label in _ACTOR_TYPES and m.entity_key in by_key:
            name = by_key[m.entity_key].name
            if name not in names:
                names.append(name)
    # A figure about a third country ("Saudi Arabia's exports to China") is not the pair's.
    third = any(
        by_key[m.entity_key].type == "COUNTRY" and by_key[m.entity_key].name not in pair
        for m in mentions
        if b <= m.start < e and m.entity_key in by_key
    )
    if (
        len(names) < 2
        and not third
        and (not names or _PAIR_WORDS.search(text[sent.start_char : sent.end_char]))
    ):
        for p in pair:
            if p not in names:
                names.append(p)
    return tuple(names)


def _period_for(
    a: Amount, periods: Sequence[Period], cl: _Clause | None, sent: Any, baseline: bool = False
) -> Period | None:
    if cl is not None and cl.tokens:
        spans = [(t.idx, t.idx + len(t.text)) for t in cl.tokens]

        def in_clause(p: Period) -> bool:
            return any(s < p.end and p.begin < e for s, e in spans)
    else:

        def in_clause(p: Period) -> bool:
            return bool(sent.start_char <= p.begin < sent.end_char)

    best: tuple[tuple[int, int], Period] | None = None
    for p in periods:
        if p.kind == "reference" or not in_clause(p) or (p.begin < a.end and a.start < p.end):
            continue
        if baseline and not a.end <= p.begin <= a.end + 40:
            continue  # "up from $107 billion in 2019": a baseline's period follows it
        d = p.begin - a.end if p.begin >= a.end else a.start - p.end
        # "70 mt/yr by 2030": a deadline fixes the period; else a rate written with the amount
        # ("three trains of 5.5 mt/yr, online since 2017"); else the nearest
        glued = p.kind == "annual" and 0 <= p.begin - a.end <= 2
        rank = 0 if p.kind == "deadline" else 1 if glued else 3 if p.kind == "annual" else 2
        key = (rank, d)
        if best is None or key < best[0]:
            best = (key, p)
    if best is None:
        # A parse that cut the clause short ("... trade to $500 billion by 2030"): a period
        # written right after the amount, in its sentence, is still the amount's.
        for p in periods:
            if (
                p.kind != "reference"
                and p.label
                and a.end <= p.begin <= a.end + 12
                and p.end <= sent.end_char
            ):
                return p
    return best[1] if best else None


_CONVERSION = re.compile(
    r"\s*[(\[,–—-]\s*(?:or\s+|about\s+|around\s+|approximately\s+|roughly\s+|some\s+|"
    r"nearly\s+|almost\s+|over\s+|more\s+than\s+|~\s*)?",
    re.I,
)


def _converted(a: Amount, prev: Figure, text: str) -> Figure | None:
    """The figure ``a`` restates in another currency ("RUB 20 billion (USD 391.3 million)")."""
    if a.kind != "money" or not prev.currency or prev.unit == a.unit or a.start < prev.end:
        return None
    if a.start - prev.end > 24 or not _CONVERSION.fullmatch(text[prev.end : a.start]):
        return None
    return prev


def _yearly(a: Amount, periods: Sequence[Period], cl: _Clause | None) -> bool:
    """Whether a rate word ("annually", "a year", "/yr") follows the amount closely."""
    return any(p.kind == "annual" and a.end <= p.begin <= a.end + 40 for p in periods)


def _count_measure(a: Amount, topic: str | None) -> str | None:
    """The measure of a count: the noun's, and for goods the clause must move or make them."""
    g = _grammar()
    measure = g.count_nouns.get(a.noun or "")
    if a.noun in g.goods:
        if topic == "capacity":
            return "capacity"
        if topic not in ("supply", "export", "import", "contract", "trade"):
            return None  # "Russia has 12,000 tanks" counts no delivery
    return measure


def _figure_id(doc_id: str, start: int, suffix: str = "") -> str:
    return f"{doc_id}:f{start}{suffix}"


def extract_figures(
    doc: Document, sdoc: Any, mentions: list[Mention], entities: list[Entity]
) -> list[Figure]:
    """Figures stated in a parsed document, in text order."""
    text = doc.text
    # "RUB 20 billion (USD 391.3 million)" is two figures: GUIDE.md converts nothing.
    amounts = find_amounts(text)
    if not amounts:
        return []
    parsed = bool(sdoc.has_annotation("DEP"))
    sents = list(sdoc.sents) if (parsed or sdoc.has_annotation("SENT_START")) else [sdoc[:]]
    by_key = {e.key: e for e in entities}
    pair = _main_pair(entities)
    periods = find_periods(text, doc.published)
    cands: list[_Candidate] = []
    last_topic: list[tuple[int, str | None]] = []  # (sentence index, topic) of earlier figures
    si = 0
    for a in amounts:
        while si < len(sents) - 1 and sents[si].end_char <= a.start:
            si += 1
        sent = sents[si]
        cl = _clause(sdoc, sent, a, parsed)
        span = sdoc.char_span(a.start, a.end, alignment_mode="expand")
        span_idx = {t.i for t in span} if span is not None else set()
        topic, _how = _topic(cl, a, span_idx, sent) if cl is not None else (None, "")
        if topic is None and a.kind != "count" and (cl is None or _continues(cl, span_idx)):
            topic = _inherited_topic(si, sents, last_topic)
        sign = 1
        if a.kind == "count":
            measure = _count_measure(a, topic)
        elif a.kind == "percent":
            aspect, sign = (
                _aspect(cl, span_idx, sdoc) if cl is not None and span_idx else ("share", 1)
            )
            measure = _measure("percent", topic, aspect)
            if aspect == "growth" and measure is None and topic in ("ownership", "currency"):
                measure = _measure("percent", topic, "share")
        else:
            measure = _measure(a.kind, topic, None)
            if measure is None and a.kind == "volume":
                measure = _measure("volume", None, None)
        baseline = bool(_BASELINE.search(text[max(0, a.start - 30) : a.start]))
        if (
            baseline
            and cands
            and cands[-1].figure.sentence_start == sent.start_char
            and cands[-1].figure.unit == a.unit
        ):
            measure = cands[-1].figure.measure  # "up from $107 billion": the same measure before
        if a.kind == "money" and cl is not None and any(t.lower_ in _EACH for t in cl.tokens):
            continue  # "each unit costs $10 million", "$25 million apiece": a price
        conv = _converted(a, cands[-1].figure, text) if cands else None
        if conv is not None:
            measure = conv.measure  # "€12.5bn ($14.9bn)": the same figure in another currency
        if measure is None:
            continue
        last_topic.append((si, topic if a.kind != "count" else "project"))
        period = _period_for(a, periods, cl, sent, baseline)
        if (
            period is None
            and conv is None
            and cl is not None
            and cl.parsed
            and cands
            and _continues(cl, span_idx)
            and not _has_subject_of_its_own(cl, span_idx)
        ):
            # "... rose to 56 percent by the end of 2022. In total, they accounted for about 90
            # percent of sales": the sentence goes on about the same time
            prev = cands[-1].figure
            if (
                prev.period
                and prev.period != "annual"
                and sent.start_char - prev.sentence_end <= 2 * _MAX_QUOTE
            ):
                period = Period(prev.period, prev.period_start, prev.period_end, 0, 0, "year")
        if conv is not None:
            status, strength = conv.status, 0
            if period is None and conv.period is not None:
                period = Period(conv.period, conv.period_start, conv.period_end, 0, 0, "year")
        elif baseline or cl is None:
            status, strength = "actual", 0
        else:
            # a count is nobody's market: "will add 30 companies" is a commitment
            status, strength = _status(
                cl, period, doc.published, "count" if a.kind == "count" else topic
            )
            if (
                a.noun in _grammar().goods
                and strength < 2
                and status != "target"
                and not _delivered(cl, span_idx)
            ):
                # "a deal for the delivery of 55 helicopters", "India will buy 400 aircraft":
                # goods counted in a deal are its contracted future level until delivered
                status, strength = "target", 1
        label = period.label if period is not None else ("annual" if a.rate else None)
        unit = a.unit
        if unit == "m3" and (label == "annual" or _yearly(a, periods, cl)):
            unit = "m3/yr"  # "38 bcm a year" is a rate, which GUIDE.md writes m3/yr
        value = -a.value if sign < 0 and measure.endswith("_growth") else a.value
        fig = Figure(
            id=_figure_id(doc.id, a.start),
            measure=measure,
            value=value,
            unit=unit,
            start=a.start,
            end=a.end,
            text=a.text,
            evidence=_evidence(text, cl, a, sent),
            currency=a.currency,
            period=label,
            period_start=period.start_date if period is not None else None,
            period_end=period.end_date if period is not None else None,
            status=status,
            actors=_actors(cl, sent, mentions, by_key, pair, text),
            sentence_start=sent.start_char,
            sentence_end=sent.end_char,
        )
        cands.append(_Candidate(fig, strength, topic))
        done = _REALISED.match(text, a.end, sent.end_char) if status == "target" else None
        if done is not None:
            # "The goal was US$200 billion and this happened": the target was also reached.
            at = text.find(fig.evidence, sent.start_char)
            quote = text[at : max(done.end(), at + len(fig.evidence))] if at >= 0 else fig.evidence
            cands.append(
                _Candidate(
                    replace(
                        fig,
                        id=_figure_id(doc.id, a.start, "a"),
                        status="actual",
                        evidence=quote.strip(),
                    ),
                    2,
                    topic,
                )
            )
    first_line = text.find("\n", len(text) - len(text.lstrip()))
    return _restated_periods(
        [c.figure for c in _dedupe(cands, first_line if first_line >= 0 else 0)]
    )


def _restated_periods(figures: list[Figure]) -> list[Figure]:
    """A figure without a period takes the period of the same amount stated elsewhere in the
    document ("trade to $500 billion by 2030 ... to achieve the $500 billion target")."""
    out = []
    for f in figures:
        if f.period is None:
            src = next(
                (
                    g
                    for g in figures
                    if g is not f
                    and g.period is not None
                    and g.unit == f.unit
                    and abs(g.value - f.value) <= 1e-9 * max(abs(f.value), 1.0)
                ),
                None,
            )
            if src is not None:
                f = replace(
                    f, period=src.period, period_start=src.period_start, period_end=src.period_end
                )
        out.append(f)
    return out


_ANAPHORS = {"this", "that", "it", "these", "those", "such", "they"}


def _has_subject_of_its_own(cl: _Clause, span_idx: set[int]) -> bool:
    """Whether the clause names its own subject ("Russia supplied ..."), not a pronoun."""
    return any(
        t.dep_ in ("nsubj", "nsubjpass")
        and t.i not in span_idx
        and t.pos_ in ("PROPN", "NOUN")
        and not _points_back(t)
        for t in cl.tokens
    )


_GENERIC = {
    "number",
    "figure",
    "volume",
    "amount",
    "sum",
    "total",
    "level",
    "value",
    "rate",
    "indicator",
    "trend",
    "growth",
}


_GOALS = {
    "target",
    "goal",
    "aim",
    "objective",
    "mark",
    "record",
    "milestone",
    "threshold",
    "benchmark",
    "high",
    "peak",
}


def _points_back(tok: Any) -> bool:
    """ "this", "it", "this number", "the figure" point back; "that year" does not."""
    if tok.lower_ in _ANAPHORS:
        return tok.dep_ != "det" or _lemma(tok.head) in _GENERIC
    return _lemma(tok) in _GENERIC and any(c.dep_ == "det" for c in tok.children)


def _continues(cl: _Clause, span_idx: set[int]) -> bool:
    """Whether a clause goes on about what came before: it points back ("this number", "it"),
    or its subject is the number itself ("Merely 2% are ..."), or it has none. "Inflation rose
    to 7%" has a subject of its own and inherits nothing."""
    if not cl.parsed or any(_points_back(t) for t in cl.tokens):
        return True
    noun = _head_noun(cl, span_idx)
    if noun is not None and _lemma(noun) in _GENERIC | _GOALS:
        return True  # "a target of $200 billion": a target of what the text is about
    subjects = [t for t in cl.tokens if t.dep_ in ("nsubj", "nsubjpass")]
    return all(t.i in span_idx for t in subjects)


def _inherited_topic(
    si: int, sents: Sequence[Any], last: list[tuple[int, str | None]]
) -> str | None:
    """The topic of the figure just before ("this number increased by 26 percent"), else the
    last cue word of the previous sentence."""
    if last and si - last[-1][0] <= 1 and last[-1][1] is not None:
        return last[-1][1]
    if si == 0:
        return None
    prev = sents[si - 1]
    for tok in reversed(list(prev)):
        if tok.ent_type_ in ("GPE", "PERSON"):
            continue
        if (tp := _topic_of(tok)) is not None:
            return tp
    return None


def _dedupe(cands: list[_Candidate], headline_end: int = 0) -> list[_Candidate]:
    """One figure per fact in a document: a repeat (headline and body) keeps its best cue."""
    out: list[_Candidate] = []
    for c in cands:
        f = c.figure
        twin = None
        for i, o in enumerate(out):
            g = o.figure
            if (
                g.start != f.start
                and g.measure == f.measure
                and g.unit == f.unit
                and (g.start < headline_end) == (f.start < headline_end)
                and abs(g.value - f.value) <= 1e-9 * max(abs(f.value), 1.0)
                and (g.period == f.period or g.period is None or f.period is None)
                and (g.status == f.status or {g.status, f.status} == {"target", "forecast"})
            ):
                twin = i
                break
        if twin is None:
            out.append(c)
            continue
        o = out[twin]
        # the stronger cue wins; on a tie the body's statement, not the headline's
        later_body = c.strength == o.strength and o.figure.start < headline_end <= c.figure.start
        keep, other = (c, o) if c.strength > o.strength or later_body else (o, c)
        if keep.figure.period is None and other.figure.period is not None:
            g = other.figure
            keep = _Candidate(
                replace(
                    keep.figure,
                    period=g.period,
                    period_start=g.period_start,
                    period_end=g.period_end,
                ),
                keep.strength,
                keep.topic,
            )
        out[twin] = keep
    return sorted(out, key=lambda c: (c.figure.start, c.figure.id))
