"""Article metadata from the text itself: title, published date, author, source and URL.

Only the header (the short lines before the first paragraph of prose) is read for the title,
the date and the author, so that a second article pasted further down cannot leak into them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from dateparser.date import DateDataParser

from tieline.months import MONTHS

_SETTINGS = {
    "PREFER_DAY_OF_MONTH": "first",
    "REQUIRE_PARTS": ["year"],
    "RETURN_TIME_AS_PERIOD": False,
}
_DDP = DateDataParser(languages=["en"], settings=_SETTINGS)
# Dotted and dashed numeric dates (08.01.2020, 16 - 11 - 2024) are day-first wherever they are
# written.
_DDP_DMY = DateDataParser(languages=["en"], settings={**_SETTINGS, "DATE_ORDER": "DMY"})
_DOTTED = re.compile(r"\b\d{1,2}\s*[.-]\s*\d{1,2}\s*[.-]\s*\d{2,4}\b")
# News in other languages states its date in its own month names ("16 novembre 2024"); asked
# only when English reads nothing, as an unknown word is tried in each language in turn.
_LANGUAGES = ["en", "fr", "de", "es", "it", "pt", "ru", "nl", "tr", "pl", "zh"]
_DDP_ANY = DateDataParser(languages=_LANGUAGES, settings={**_SETTINGS, "DATE_ORDER": "DMY"})

# A header line naming what its value is: "Published: ...", "Posted on ...", "Publié dans X le
# ...", "Veröffentlicht am ...". The words are the ones news sites print in these languages.
_META_KEY = re.compile(
    r"^(?P<key>first published|last updated|last modified|publication date|release date|"
    r"published|posted|updated|modified|released|issued|dated|date|"
    r"publié|publiée|mis à jour|publicado|publicada|actualizado|veröffentlicht|aktualisiert|"
    r"pubblicato|aggiornato|gepubliceerd|opublikowano|опубликовано|обновлено|yayınlanma tarihi|"
    r"发布时间|发布日期|发布)(?![^\W\d_])"
    r"(?:\s+(?:date|by|on|at|le|am|el|il|em|op))*\s*(?P<sep>[:|\-–]\s*)?(?P<value>.*)$",
    re.IGNORECASE,
)
_UPDATED_KEY = re.compile(
    r"updated|modified|mis à jour|actualizado|aktualisiert|aggiornato|"
    r"обновлено",
    re.IGNORECASE,
)
_BY_LINE = re.compile(r"^(?:by|written by|authors?)\s*:?\s+(?P<who>.{2,160})$", re.IGNORECASE)
_SOURCE_LINE = re.compile(
    r"^(?:source|original url|original article|originally published (?:at|in|by)|read more at)"
    r"\s*:\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_SOURCE_PART = re.compile(r"^(?:source|via|from)\s*:\s*(?P<rest>.+)$", re.IGNORECASE)
_EDITOR_PART = re.compile(
    r"^(?:editor|edited by|reporter|reporting by|photo|image|credit)\s*:", re.IGNORECASE
)
_URL = re.compile(r"https?://[^\s<>\"')\]]+")
_HAS_DIGIT = re.compile(r"\d")
_MAX_HEADER_WORDS = 25


@dataclass(frozen=True, slots=True)
class Meta:
    """What the header and trailer lines say about an article."""

    title: str | None = None
    published: str | None = None
    precision: str | None = None
    author: str | None = None
    source: str | None = None
    url: str | None = None


# The header formats news sites use most, read without dateparser (about 15 ms a call).
# Anything else, or anything these read as an impossible date, goes to dateparser.
_FAST_DATES = (
    re.compile(r"(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<d>\d{1,2}),?\s+(?P<y>\d{4})"),
    re.compile(r"(?P<d>\d{1,2})\s+(?P<mon>[A-Za-z]{3,9})\.?,?\s+(?P<y>\d{4})"),
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"),
    re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})"),
)


def _fast_date(value: str) -> tuple[str, str] | None:
    """A day-precision date in a common header format, or None to ask dateparser."""
    for rx in _FAST_DATES:
        m = rx.fullmatch(value)
        if m is None:
            continue
        g = m.groupdict()
        month = MONTHS.get(g["mon"].lower()) if "mon" in g else int(g["m"])
        if month is None:
            return None
        try:
            d = date(int(g["y"]), month, int(g["d"]))
        except ValueError:
            return None
        return (d.isoformat(), "day") if 1800 <= d.year <= 2200 else None
    return None


def parse_date(value: str, *, max_words: int = 8) -> tuple[str, str] | None:
    """Parse a date phrase to (ISO date, precision: day, month or year), or None."""
    value = value.strip().strip("|,;").strip()
    if not value or not _HAS_DIGIT.search(value) or len(value.split()) > max_words:
        return None
    if (fast := _fast_date(value)) is not None:
        return fast
    try:
        data = (_DDP_DMY if _DOTTED.search(value) else _DDP).get_date_data(value)
        if data is None or data.date_obj is None:
            data = _DDP_ANY.get_date_data(value)
    except (ValueError, OverflowError):
        return None
    if data is None or data.date_obj is None:
        return None
    d: date = data.date_obj.date()
    if not 1800 <= d.year <= 2200:
        return None
    precision = data.period or "day"
    if precision not in ("day", "month", "year"):
        # A relative span such as "0W" (dateparser reads "0 weeks ago") fixes no date.
        return None
    iso = {"year": f"{d.year:04d}", "month": f"{d.year:04d}-{d.month:02d}"}.get(
        precision, d.isoformat()
    )
    return iso, precision


# Where a full date (day, month and year) stands inside a longer line. The month is any word
# (dateparser then says whether it names a month in one of _LANGUAGES); a clock time after the
# date belongs to it.
_MONTH_WORD = r"[^\W\d_]{3,12}\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th|er)?\.?"
_YEAR = r"(?:1[89]|2[01])\d{2}"
_CLOCK = (
    r"(?:,?\s+(?:at\s+)?\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?"
    r"(?:\s+(?:[A-Z]{2,5}|GMT|UTC)(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?)?)?"
)
_DATE_SPAN = re.compile(
    rf"(?<![\w.])(?P<date>{_MONTH_WORD}\s+{_DAY},?(?:\s+\d{{1,2}}:\d{{2}})?\s+{_YEAR}"
    rf"|{_DAY}\s+(?:of\s+|de\s+)?{_MONTH_WORD},?\s+(?:de\s+)?{_YEAR}(?:\s*г\.)?"
    rf"|{_YEAR}-\d{{1,2}}-\d{{1,2}}(?:T\d{{2}}:\d{{2}}(?::\d{{2}}(?:\.\d+)?)?"
    rf"(?:Z|[+-]\d{{2}}:?\d{{2}})?)?|{_YEAR}/\d{{1,2}}/\d{{1,2}}"
    rf"|\d{{1,2}}\s*(?P<sep>[./-])\s*\d{{1,2}}\s*(?P=sep)\s*{_YEAR}"
    rf"|{_YEAR}\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日){_CLOCK}(?![\w])"
)


_INNER_CLOCK = re.compile(r"\s\d{1,2}:\d{2}(?=\s)")


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    iso: str
    precision: str


def find_date(line: str) -> _Span | None:
    """The first full date (day precision) written inside ``line``, with where it stands."""
    for m in _DATE_SPAN.finditer(line):
        # "October 05 17:03 2018": some sites print the time between the day and the year.
        parsed = parse_date(_INNER_CLOCK.sub("", m.group("date")))
        if parsed and parsed[1] == "day":
            return _Span(m.start(), m.end(), *parsed)
    return None


# Words a place or agency name before a dateline's date may hold besides capitalised ones.
_CONNECTORS = frozenset(
    {
        "of",
        "and",
        "de",
        "del",
        "la",
        "le",
        "el",
        "upon",
        "on",
        "am",
        "the",
        "da",
        "do",
        "di",
        "du",
        "al",
        "el-",
        "al-",
        "y",
        "e",
        "i",
    }
)
# A line that opens with one of these states when something happened, not when it was written.
_LEAD_WORDS = frozenset(
    {
        "on",
        "in",
        "at",
        "by",
        "since",
        "from",
        "until",
        "till",
        "before",
        "after",
        "between",
        "during",
        "as",
        "of",
        "for",
        "to",
        "through",
        "around",
        "about",
        "last",
        "next",
        "this",
        "that",
        "it",
        "we",
        "they",
        "he",
        "she",
        "i",
        "when",
        "while",
        "if",
    }
)
_NAME_WORDS = re.compile(r"[^\s,.;:()/|–—-]+")
# What ends a dateline: a dash or a colon, then the article.
_DATELINE_END = re.compile(r"\s*(?:--|[–—]|\s-\s|-\s|:(?!\d))")
# A clock time may stand before the date too: "16:05 JST, August 6, 2025".
_CLOCK_TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?(?:\s+[A-Z]{2,5}\b)?")
_PAREN = re.compile(r"\s*\((?P<inner>[^()]{1,80})\)")


def _name_like(text: str, max_words: int = 8) -> bool:
    """Capitalised words only (a place, an agency, a weekday), as datelines begin."""
    words = _NAME_WORDS.findall(text)
    if len(words) > max_words or (words and words[0].lower() in _LEAD_WORDS):
        return False
    return all(w[0].isupper() or w.lower() in _CONNECTORS for w in words)


def _dateline_date(line: str, *, prose: bool) -> tuple[str, str] | None:
    """The date of a dateline or a bare header date: 'LONDON, 9 Dec 2022:', 'Istanbul, 8 January
    2020 (dpa/MIA) –', 'MOSCOW (Agency - 21st March, 2023)', 'Jan 15, 2009 (Agency)'.

    Only names may stand before the date and, after it, an agency in brackets, more names and a
    dash or colon that opens the article; a short header line may also end in a few words of
    page furniture ('2 min read'). A date inside a sentence is an event's, never read here.
    """
    span = find_date(line)
    if span is None:
        return None
    prefix, rest = line[: span.start], line[span.end :]
    opened = prefix.count("(") - prefix.count(")")
    if opened not in (0, 1) or not _name_like(_CLOCK_TIME.sub(" ", prefix).replace("(", " ")):
        return None
    if opened:
        # The date closes an opening bracket: "MOSCOW (Agency - 21st March, 2023) The ...".
        closing = re.match(r"\s*\)", rest)
        return (span.iso, span.precision) if closing else None
    if (paren := _PAREN.match(rest)) is not None:
        rest = rest[paren.end() :]
    if not rest.strip():
        return span.iso, span.precision
    end = _DATELINE_END.search(rest[:80])
    if end is not None and _name_like(rest[: end.start()]):
        return span.iso, span.precision
    if not prose and len(line.split()) <= 12 and len(rest.split()) <= 4:
        return span.iso, span.precision
    return None


def _is_prose(line: str) -> bool:
    return len(line.split()) > _MAX_HEADER_WORDS


def header_lines(text: str, limit: int = 8) -> list[str]:
    """The short non-empty lines before the first paragraph of prose."""
    return _header_and_lead(text, limit)[0]


def _header_and_lead(text: str, limit: int = 8) -> tuple[list[str], list[str]]:
    """The header lines, and the first two lines of prose after them (a dateline opens one:
    a standfirst may stand above it)."""
    out: list[str] = []
    lead: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if _is_prose(line) or lead:
            lead.append(line)
            if len(lead) == 2:
                break
            continue
        if len(out) >= limit:
            break
        out.append(line)
    return out, lead


_PREPOSITIONS = re.compile(
    r"^(?:(?:in|on|at|by|via|dans|en|em|im|auf|par|por|da|di|su|sur|bei|op|door)\s+)+|"
    r"(?:\s+(?:on|at|le|am|el|il|em|op|the))+$|^[\s,;:–—-]+|[\s,;:–—-]+$",
    re.IGNORECASE,
)


@dataclass(slots=True)
class _LineMeta:
    """What one header line says; ``meta`` is False for a line that is not metadata (a title)."""

    meta: bool = False
    published: tuple[str, str] | None = None
    updated: tuple[str, str] | None = None
    author: str | None = None
    source: str | None = None


# What separates the parts of a header line: bars, semicolons, and spaced slashes and dots.
_PART_SEP = re.compile(r"\s*\|\s*|;\s+|\s+[/·•]\s+")


def _segments(line: str) -> list[str]:
    """A header line's parts: '(Source: X; posted Feb 15, 2017)' and 'A | B | C' hold several."""
    if line.startswith("(") and line.endswith(")") and line.count("(") == 1:
        line = line[1:-1]
    return [p.strip() for p in _PART_SEP.split(line) if p.strip()]


def _name_part(value: str) -> str | None:
    """A publisher's name left in a metadata value once its date is taken out."""
    name = value
    for _ in range(3):
        name = _PREPOSITIONS.sub("", name).strip()
    if not name or _HAS_DIGIT.search(name) or len(name.split()) > 6:
        return None
    return name


def _is_byline(who: str) -> bool:
    """A name (or names) after 'By', perhaps with a date; not a headline such as 'By 2030,
    Russia will ...'."""
    span = find_date(who)
    names = who[: span.start] if span else who
    words = names.split()
    return bool(span) or (
        bool(words) and words[0][:1].isupper() and not _HAS_DIGIT.search(names) and len(words) <= 10
    )


def _read_header_line(line: str) -> _LineMeta:
    """Read one header line's date, author and publisher, if it is a metadata line."""
    out = _LineMeta()
    for part in _segments(line):
        if (k := _META_KEY.match(part)) is not None:
            value = k.group("value").strip()
            inner = _META_KEY.match(value)  # "Published By : Published Date : ..."
            value = inner.group("value").strip() if inner else value
            span = find_date(value)
            found = (span.iso, span.precision) if span else parse_date(value)
            rest = value[: span.start] + " " + value[span.end :] if span else value
            if found is None and not k.group("sep"):
                continue  # "Updated Russian jet unveiled": a title that opens with the word
            out.meta = True
            if found and _UPDATED_KEY.fullmatch(k.group("key")):
                out.updated = out.updated or found
            elif found:
                out.published = out.published or found
            if found is None or span is not None:
                out.source = out.source or _name_part(rest)
        elif (src := _SOURCE_PART.match(part)) is not None:
            out.meta = True
            value = src.group("rest")
            span = find_date(value)
            if span:
                out.published = out.published or (span.iso, span.precision)
                value = value[: span.start]
            name = re.split(r"\s+[–—-]\s+|\s*https?://", value)[0]
            out.source = out.source or _name_part(name)
        elif (by := _BY_LINE.match(part)) is not None and _is_byline(by.group("who")):
            out.meta = True
            who = by.group("who").strip()
            span = find_date(who)
            found = (span.iso, span.precision) if span else parse_date(who)
            if found:
                out.published = out.published or found
                who = who[: span.start] if span else ""
            who = who.strip(" ,|–—-")
            if who and not _HAS_DIGIT.search(who) and len(who) <= 80:
                out.author = out.author or who
        elif _EDITOR_PART.match(part):
            out.meta = True
        elif (found := _dateline_date(part, prose=False)) is not None:
            out.meta = True
            out.published = out.published or found
    return out


def parse_meta(text: str, heading: str | None = None) -> Meta:
    """Read the title, date, author, source and URL that the text states.

    The date comes from the header lines (metadata lines, bylines, bare dates, datelines) or,
    failing those, from a dateline that opens the first paragraph; a date inside the article's
    sentences is an event's and is never taken.
    """
    title = heading
    published: tuple[str, str] | None = None
    updated: tuple[str, str] | None = None
    author = source = url = None
    candidates: list[str] = []
    meta_seen = False
    lines, lead = _header_and_lead(text)
    for line in lines:
        read = _read_header_line(line)
        if read.meta:
            meta_seen = True
            published = published or read.published
            updated = updated or read.updated
            author = author or read.author
            source = source or read.source
            continue
        if not meta_seen and line != heading:
            candidates.append(line)
    for line in lead:
        if published is not None or updated is not None:
            break
        published = _dateline_date(line, prose=True)
    published = published or updated
    if title is None and candidates:
        # A kicker or section label may stand above the headline: take the last short line.
        title = candidates[-1]
    for i, raw in enumerate(lines := text.split("\n")):
        s = _SOURCE_LINE.match(raw.strip())
        if not s:
            continue
        rest = s.group("rest").strip()
        tail = " ".join(x.strip() for x in lines[i + 1 : i + 3]) if not _URL.search(rest) else ""
        u = _URL.search(rest) or _URL.search(tail)
        if u:
            url = url or u.group(0).rstrip(".,;>")
        name = re.split(r"\s+[–—-]\s+|\s*https?://|\s*\|\s*", rest)[0].strip(" –—-")
        if name and not source:
            source = name
    return Meta(
        title=title,
        published=published[0] if published else None,
        precision=published[1] if published else None,
        author=author,
        source=source,
        url=url,
    )
