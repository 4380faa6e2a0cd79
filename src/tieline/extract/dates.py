"""Event dates: explicit dates in a clause, and relative phrases fixed against publication.

A small grammar of our own rather than dateparser, which reads bare weekdays and months
against today's date: an event date is either stated ("in 1989", "June 8, 2018"), or worked out
from the publication date ("earlier this year", "last month", "on Monday", "in October"), or
left null when the text cannot fix it (a relative phrase in an undated article).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from tieline.months import MONTHS

NAME = "dates.rules.v1"

WEEKDAYS = {
    d: i
    for i, d in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
}
# Month names are matched capitalised only: lower-case "may" and "march" are verbs.
_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|"
    r"November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"

_EXPLICIT = [
    (re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mnum>[01]\d)-(?P<day>[0-3]\d)\b"), "day"),
    (re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b"), "day"),
    (re.compile(rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}\b"), "day"),
    (re.compile(rf"\b{_MONTH},?\s+(?:of\s+)?{_YEAR}\b"), "month"),
    # A bare year, but not an amount, a range end such as "2014-15", or a decade ("1990s").
    (re.compile(r"(?<![\d$€£¥.,\-/])\b(?P<year>(?:19|20)\d\d)\b(?![\d%]|s\b|-\d)"), "year"),
]
_WHEN = r"\b(?:(?P<when>earlier|later|late|early)\s+)?(?P<which>this|last|next|past)\s+"
_REL_YEAR = re.compile(_WHEN + r"year\b(?!s)", re.I)
_REL_MONTH = re.compile(_WHEN + r"month\b(?!s)", re.I)
_AGO = re.compile(
    r"\b(?P<n>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\s+years?\s+ago\b", re.I
)
_WEEKDAY = re.compile(
    r"\b(?:(?P<last>[Ll]ast)\s+|[Oo]n\s+)?"
    r"(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)
_DAYWORD = re.compile(r"\b(?P<w>today|yesterday|tomorrow)\b", re.I)
_MONTH_ALONE = re.compile(
    rf"\b(?i:in|since|during|last|this|early|late|mid-?)\s+{_MONTH}\b(?!\s*\d)"
)
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?!,?\s+\d{{4}})")
# "on 27 April": day before month, no year after it.
_DAY_MONTH = re.compile(rf"\b{_DAY}\s+{_MONTH}\b(?!,?\s+\d{{4}})")
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}


@dataclass(frozen=True, slots=True)
class EventDate:
    """A date with its precision (day, month, year) and how it was fixed (explicit, relative)."""

    value: str
    precision: str
    source: str
    start: int = 0
    end: int = 0


def parse_published(published: str | None) -> date | None:
    """The publication date as a ``date``, or None when unknown or only partly known."""
    if not published:
        return None
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", published)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _month_num(s: str) -> int:
    return MONTHS[s.lower().rstrip(".")]


def _iso(d: date, precision: str) -> str:
    return {"day": d.isoformat(), "month": d.isoformat()[:7], "year": str(d.year)}[precision]


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    n = year * 12 + (month - 1) + delta
    return n // 12, n % 12 + 1


def explicit_dates(text: str) -> list[EventDate]:
    """Dates the text states in full, in text order (the longest reading at each place)."""
    found: list[EventDate] = []
    taken: list[tuple[int, int]] = []
    for pattern, precision in _EXPLICIT:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            gd = m.groupdict()
            year = int(gd["year"])
            month = (
                int(gd["mnum"])
                if gd.get("mnum")
                else (_month_num(gd["month"]) if gd.get("month") else 1)
            )
            try:
                d = date(year, month, int(gd["day"]) if gd.get("day") else 1)
            except ValueError:
                continue
            found.append(EventDate(_iso(d, precision), precision, "explicit", m.start(), m.end()))
            taken.append((m.start(), m.end()))
    return sorted(found, key=lambda x: x.start)


def relative_dates(text: str, published: str | None) -> list[EventDate]:
    """Relative phrases fixed against the publication date, in text order (none if undated)."""
    pub = parse_published(published)
    if pub is None:
        return []
    out: list[EventDate] = []

    def add(d: date, precision: str, m: re.Match[str]) -> None:
        out.append(EventDate(_iso(d, precision), precision, "relative", m.start(), m.end()))

    for m in _REL_YEAR.finditer(text):
        delta = {"this": 0, "last": -1, "past": -1, "next": 1}[m.group("which").lower()]
        add(date(pub.year + delta, 1, 1), "year", m)
    for m in _REL_MONTH.finditer(text):
        delta = {"this": 0, "last": -1, "past": -1, "next": 1}[m.group("which").lower()]
        y, mo = _shift_month(pub.year, pub.month, delta)
        add(date(y, mo, 1), "month", m)
    for m in _AGO.finditer(text):
        n = m.group("n").lower()
        add(date(pub.year - (int(n) if n.isdigit() else _NUMBER_WORDS[n]), 1, 1), "year", m)
    for m in _WEEKDAY.finditer(text):
        # News uses a bare weekday for the last such day, the day of publication included.
        back = (pub.weekday() - WEEKDAYS[m.group("wd").lower()]) % 7
        if m.group("last") and back == 0:
            back = 7
        add(pub - timedelta(days=back), "day", m)
    for m in _DAYWORD.finditer(text):
        w = m.group("w").lower()
        add(pub + timedelta(days={"today": 0, "yesterday": -1, "tomorrow": 1}[w]), "day", m)
    for m in _MONTH_ALONE.finditer(text):
        month = _month_num(m.group("month"))
        # A month without a year is the latest such month up to publication ("in October").
        year = pub.year if month <= pub.month else pub.year - 1
        add(date(year, month, 1), "month", m)
    for m in (*_MONTH_DAY.finditer(text), *_DAY_MONTH.finditer(text)):
        month, day = _month_num(m.group("month")), int(m.group("day"))
        year = pub.year if (month, day) <= (pub.month, pub.day) else pub.year - 1
        try:
            add(date(year, month, day), "day", m)
        except ValueError:
            continue
    return sorted(out, key=lambda x: x.start)


def find_event_date(
    text: str, published: str | None, anchor: int | None = None
) -> EventDate | None:
    """The date a clause gives its event: an explicit date first, else a relative one, else None.

    With ``anchor`` (the trigger's offset in ``text``) the date nearest the trigger wins, so a
    sentence telling two events gives each its own date; without it, the first.
    """
    explicit = explicit_dates(text)
    rel = [
        r
        for r in relative_dates(text, published)
        if not any(r.start < e.end and e.start < r.end for e in explicit)
    ]
    # A month-day phrase that is part of a full date was read as explicit already.
    for found in (explicit, rel):
        if found:
            if anchor is None:
                return found[0]
            return min(
                found, key=lambda d: (min(abs(d.start - anchor), abs(d.end - anchor)), d.start)
            )
    return None
