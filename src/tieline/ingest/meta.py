"""Article metadata from the text itself: title, published date, author, source and URL.

Only the header (the short lines before the first paragraph of prose) is read for the title,
the date and the author, so that a second article pasted further down cannot leak into them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from dateparser.date import DateDataParser

_SETTINGS = {"PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["year"], "RETURN_TIME_AS_PERIOD": False}
_DDP = DateDataParser(languages=["en"], settings=_SETTINGS)
# Dotted numeric dates (08.01.2020) are day-first wherever they are written.
_DDP_DMY = DateDataParser(languages=["en"], settings={**_SETTINGS, "DATE_ORDER": "DMY"})
_DOTTED = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{2,4}\b")

_META_LINE = re.compile(
    r"^(?:published|posted|updated|last updated|last modified|date|dated|first published|"
    r"publication date)"
    r"(?:\s+(?:date|by|on|at))?\s*[:|\-–]\s*(?P<value>.+)$",
    re.IGNORECASE,
)
_BY_LINE = re.compile(r"^(?:by|written by|author)\s*:?\s+(?P<who>[^|]{2,80})$", re.IGNORECASE)
_SOURCE_LINE = re.compile(
    r"^(?:source|original url|original article|originally published (?:at|in|by)|read more at)\s*:\s*(?P<rest>.*)$",
    re.IGNORECASE,
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


_MONTH_NUM = {name: i for i, names in enumerate(
    (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
     ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
     ("october", "oct"), ("november", "nov"), ("december", "dec")), 1) for name in names}
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
        month = _MONTH_NUM.get(g["mon"].lower()) if "mon" in g else int(g["m"])
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
    except (ValueError, OverflowError):
        return None
    if data is None or data.date_obj is None:
        return None
    d: date = data.date_obj.date()
    if not 1800 <= d.year <= 2200:
        return None
    precision = data.period or "day"
    iso = {"year": f"{d.year:04d}", "month": f"{d.year:04d}-{d.month:02d}"}.get(precision, d.isoformat())
    return iso, precision


def _is_prose(line: str) -> bool:
    return len(line.split()) > _MAX_HEADER_WORDS


def header_lines(text: str, limit: int = 8) -> list[str]:
    """The short non-empty lines before the first paragraph of prose."""
    out: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if _is_prose(line) or len(out) >= limit:
            break
        out.append(line)
    return out


def _date_in_meta(value: str) -> tuple[tuple[str, str] | None, str | None]:
    """A metadata value may hold a date and a publisher: '10 Aug 2015 | Published By : X'."""
    found: tuple[str, str] | None = None
    other: str | None = None
    for part in re.split(r"\s*\|\s*", value):
        inner = _META_LINE.match(part)
        part = inner.group("value") if inner else part
        parsed = parse_date(part)
        if parsed and found is None:
            found = parsed
        elif part and not parsed and other is None:
            other = part.strip()
    return found, other


def parse_meta(text: str, heading: str | None = None) -> Meta:
    """Read the title, date, author, source and URL that the text states."""
    title = heading
    published: tuple[str, str] | None = None
    author = source = url = None
    candidates: list[str] = []
    meta_seen = False
    for line in header_lines(text):
        m = _META_LINE.match(line)
        if m:
            meta_seen = True
            found, other = _date_in_meta(m.group("value"))
            published = published or found
            if other and not _HAS_DIGIT.fullmatch(other):
                source = source or other
            continue
        b = _BY_LINE.match(line)
        if b:
            meta_seen = True
            by = b.group("who").strip()
            found = parse_date(by)
            if found:
                published = published or found
            else:
                author = author or by
            continue
        if len(line.split()) <= 6 and (found := parse_date(line)):
            meta_seen = True
            published = published or found
            continue
        if not meta_seen and line != heading:
            candidates.append(line)
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
        name = re.split(r"\s+[–—-]\s+|\s*https?://", rest)[0].strip(" –—-")
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
