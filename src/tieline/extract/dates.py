"""Event dates: explicit dates, relative phrases fixed against publication, and context.

A small grammar of our own rather than dateparser, which reads bare weekdays and months
against today's date. One grammar serves events and figures (``quantities`` reads its periods
with these tables). An event is dated, as GUIDE.md asks, from its clause, then its sentence
(the date nearest the trigger), then its context (``DateContext``): the sentences before it in
its paragraph, another statement of the same event, or the dateline of a news lead. A date is
stated ("in 1989", "June 8, 2018"), worked out from the publication date ("earlier this year",
"last month", "on Monday", "in October"), given as day and month only (``MM-DD``) when nothing
fixes the year, or left null.

The words (shifts, weekdays, deadlines...) are data: ``data/dates.tsv``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache

from tieline.extract.lexicon import load_tsv
from tieline.months import MONTHS

NAME = "dates.rules.v2"
KINDS = ("shift", "dayword", "weekday", "number", "deadline", "determiner")


@dataclass(frozen=True, slots=True)
class DateWords:
    """The tables of ``data/dates.tsv``, by kind: word -> value."""

    shift: dict[str, int]
    dayword: dict[str, int]
    weekday: dict[str, int]
    number: dict[str, int]
    deadline: frozenset[str]
    determiner: frozenset[str]


@lru_cache(maxsize=1)
def date_words() -> DateWords:
    """The date words, read once from ``data/dates.tsv``."""
    tables: dict[str, dict[str, int]] = {k: {} for k in KINDS}
    for row in load_tsv("dates.tsv", ("kind", "word", "value")):
        kind = row.choice("kind", KINDS)
        assert kind is not None
        try:
            value = int(row.get("value"))
        except ValueError:
            raise row.error(f"value {row.get('value')!r} is not a whole number") from None
        tables[kind][str(row.get("word")).lower()] = value
    return DateWords(
        shift=tables["shift"],
        dayword=tables["dayword"],
        weekday=tables["weekday"],
        number=tables["number"],
        deadline=frozenset(tables["deadline"]),
        determiner=frozenset(tables["determiner"]),
    )


def _alt(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# Month names are matched capitalised only: lower-case "may" and "march" are verbs.
_MONTH = (
    r"(?=[JFMASOND])(?P<month>January|February|March|April|May|June|July|August|September|October|"
    r"November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DAY = r"(?=\d)(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?![\d%])"

_EXPLICIT = [
    (re.compile(r"\b(?=[12])(?P<year>(?:19|20)\d\d)-(?P<mnum>[01]\d)-(?P<day>[0-3]\d)\b"), "day"),
    (re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b"), "day"),
    (re.compile(rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}\b"), "day"),
    (re.compile(rf"\b{_MONTH},?\s+(?:of\s+)?{_YEAR}\b"), "month"),
    # A bare year, but not an amount, a range end such as "2014-15", or a decade ("1990s").
    (re.compile(r"(?<![\d$€£¥.,\-/])\b(?=[12])(?P<year>(?:19|20)\d\d)\b(?![\d%]|s\b|-\d)"), "year"),
]
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?!,?\s+\d{{4}})")
# "on 27 April": day before month, no year after it.
_DAY_MONTH = re.compile(rf"\b{_DAY}\s+{_MONTH}\b(?!,?\s+\d{{4}})")
_MONTH_ALONE = re.compile(
    rf"\b(?=[iIsSdDlLtTeEmM])(?i:in|since|during|last|this|early|late|mid-?)\s+{_MONTH}\b(?!\s*\d)"
)


def _first_letters(*groups: Sequence[str]) -> str:
    """A lookahead on the first letters of some words: most places fail it at once (speed)."""
    first = {w[0] for words in groups for w in words}
    return "(?=[" + re.escape("".join(sorted(first | {c.upper() for c in first}))) + "])"


@lru_cache(maxsize=1)
def _relative_patterns() -> tuple[re.Pattern[str], ...]:
    w = date_words()
    shift = _alt(list(w.shift))
    lead = ("earlier", "later", "late", "early", "the", *w.shift)
    when = (
        rf"\b{_first_letters(lead)}(?:(?P<when>earlier|later|late|early)\s+)?(?:the\s+)?"
        rf"(?P<which>{shift})\s+"
    )
    names = [d.capitalize() for d in w.weekday]
    return (
        re.compile(when + r"year\b(?!s)", re.I),
        re.compile(when + r"month\b(?!s)", re.I),
        re.compile(
            rf"\b{_first_letters(list(w.number), list('0123456789'))}"
            rf"(?P<n>\d{{1,2}}|{_alt(list(w.number))})\s+years?\s+ago\b",
            re.I,
        ),
        # Weekdays are names: capitalised only.
        re.compile(
            rf"\b{_first_letters(['last', 'on'], names)}"
            rf"(?:(?P<last>[Ll]ast)\s+|[Oo]n\s+)?(?P<wd>{_alt(names)})\b"
        ),
        re.compile(rf"\b{_first_letters(list(w.dayword))}(?P<w>{_alt(list(w.dayword))})\b", re.I),
    )


@dataclass(frozen=True, slots=True)
class EventDate:
    """A date with its precision and how it was fixed.

    ``value`` is ``2015``, ``2019-06``, ``2019-06-05`` or ``06-05`` (day and month, the year not
    fixed by the text); ``precision`` year, month, day or monthday; ``source`` explicit,
    relative or context; ``role`` when (the day something happened), deadline ("by 2030") or
    attribute ("the 2015 deal" dates the deal, not the clause's event).
    """

    value: str
    precision: str
    source: str
    start: int = 0
    end: int = 0
    role: str = "when"


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
    return {
        "day": d.isoformat(),
        "month": d.isoformat()[:7],
        "year": str(d.year),
        "monthday": d.isoformat()[5:],
    }[precision]


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    n = year * 12 + (month - 1) + delta
    return n // 12, n % 12 + 1


_WORD_BEFORE = re.compile(r"(?:(?<=\s)|^)(?P<w>[A-Za-z]+|'s)(?:\s+the\s+end\s+of)?\s*$")
_WORD_AFTER = re.compile(r"\s*(?P<w>[A-Za-z][\w\-]*)")
# Words after "the 2015 ..." that do not make the date a modifier of a noun.
_NOT_A_NOUN = frozenset(
    "and or of in on at to for with by from as when after before that which was were is are "
    "has have had will would the a an".split()
)


def _role(text: str, start: int, end: int) -> str:
    """Whether a date phrase dates an event (when), sets a deadline, or dates a noun."""
    w = date_words()
    head = _WORD_BEFORE.search(text, max(0, start - 30), start)
    before = head.group("w").lower() if head else ""
    if before in w.deadline:
        return "deadline"
    if before in w.determiner:
        after = _WORD_AFTER.match(text, end)
        if after and after.group("w").lower() not in _NOT_A_NOUN:
            return "attribute"
    return "when"


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
            found.append(
                EventDate(
                    _iso(d, precision),
                    precision,
                    "explicit",
                    m.start(),
                    m.end(),
                    _role(text, m.start(), m.end()),
                )
            )
            taken.append((m.start(), m.end()))
    return sorted(found, key=lambda x: x.start)


def relative_dates(
    text: str, published: str | None, monthday: tuple[int, int] | None = None
) -> list[EventDate]:
    """Relative phrases fixed against the publication date, in text order.

    Without a publication day only what needs no year is read: "June 8" as ``06-08``, and
    "today" as ``monthday`` (the dateline's month and day) when one is given.
    """
    pub = parse_published(published)
    w = date_words()
    out: list[EventDate] = []

    def add(d: date, precision: str, m: re.Match[str]) -> None:
        role = _role(text, m.start(), m.end())
        out.append(EventDate(_iso(d, precision), precision, "relative", m.start(), m.end(), role))

    rel_year, rel_month, ago, weekday, dayword = _relative_patterns()
    if pub is None:
        for m in (*_MONTH_DAY.finditer(text), *_DAY_MONTH.finditer(text)):
            try:
                # 2000 is a leap year: "February 29" stays a day.
                add(date(2000, _month_num(m.group("month")), int(m.group("day"))), "monthday", m)
            except ValueError:
                continue
        stated = explicit_dates(text)
        for m in _MONTH_ALONE.finditer(text):
            # "in January" in an undated article: the year of the last date stated before it.
            year = year_before(text, m.start(), stated)
            if year is not None:
                d = date(year, _month_num(m.group("month")), 1)
                role = _role(text, m.start(), m.end())
                out.append(EventDate(_iso(d, "month"), "month", "context", *m.span(), role))
        if monthday is not None:
            for m in dayword.finditer(text):
                if w.dayword[m.group("w").lower()] == 0:
                    add(date(2000, *monthday), "monthday", m)
        return sorted(out, key=lambda x: x.start)
    for m in rel_year.finditer(text):
        add(date(pub.year + w.shift[m.group("which").lower()], 1, 1), "year", m)
    for m in rel_month.finditer(text):
        y, mo = _shift_month(pub.year, pub.month, w.shift[m.group("which").lower()])
        add(date(y, mo, 1), "month", m)
    for m in ago.finditer(text):
        n = m.group("n").lower()
        add(date(pub.year - (int(n) if n.isdigit() else w.number[n]), 1, 1), "year", m)
    for m in weekday.finditer(text):
        # News uses a bare weekday for the last such day, the day of publication included.
        back = (pub.weekday() - w.weekday[m.group("wd").lower()]) % 7
        if m.group("last") and back == 0:
            back = 7
        add(pub - timedelta(days=back), "day", m)
    for m in dayword.finditer(text):
        add(pub + timedelta(days=w.dayword[m.group("w").lower()]), "day", m)
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


def year_before(text: str, pos: int, stated: Sequence[EventDate] | None = None) -> int | None:
    """The year of the last date stated in full before ``pos`` (else the first after it): the
    year an undated article means by a bare month ("In January 2023, ... rose in January").
    ``stated``: the text's ``explicit_dates``, when already read."""
    found = [d for d in (explicit_dates(text) if stated is None else stated) if d.role == "when"]
    before = [d for d in found if d.end <= pos]
    if before:
        return int(before[-1].value[:4])
    # else the first stated after it ("... rose in January. In January 2023, the share ...")
    after = [d for d in found if d.start >= pos]
    return int(after[0].value[:4]) if after else None


def find_dates(
    text: str, published: str | None, monthday: tuple[int, int] | None = None
) -> list[EventDate]:
    """Every date phrase of a text, explicit ones first where two overlap, in text order."""
    explicit = explicit_dates(text)
    found = list(explicit)
    for r in relative_dates(text, published, monthday):
        # A month-day phrase that is part of a full date was read as explicit already.
        if not any(r.start < e.end and e.start < r.end for e in found):
            found.append(r)
    return sorted(found, key=lambda x: x.start)


def _pick(
    found: Sequence[EventDate], anchor: int | None, trigger: int | None = None
) -> EventDate | None:
    """The first date, explicit before relative; with ``anchor``, the nearest to it.

    A date modifying a noun ("the March 2014 loan agreement") counts only when that noun is
    the trigger (``trigger``: its offset), as in "the 2015 deal".
    """
    some = [
        d
        for d in found
        if d.role == "when"
        or (d.role == "attribute" and trigger is not None and d.end <= trigger <= d.end + 25)
    ]
    if not some:
        return None
    if anchor is None:
        return next((d for d in some if d.source == "explicit"), some[0])
    return min(some, key=lambda d: (min(abs(d.start - anchor), abs(d.end - anchor)), d.start))


def find_event_date(
    text: str, published: str | None, anchor: int | None = None
) -> EventDate | None:
    """The date a clause gives its event: an explicit date first, else a relative one, else None.

    With ``anchor`` (the trigger's offset in ``text``) the date nearest the trigger wins, so a
    sentence telling two events gives each its own date; without it, the first. Deadlines ("by
    2030") and dates of a noun ("the 2015 deal") date no event.
    """
    return _pick(find_dates(text, published), anchor)


# "Beijing, June 8 – ", "Aug 21 (Reuters) - ", "April 27, 2023, Büyükeceli, Mersin. –": a date
# near the start of a line of the lead, before a dash or an agency's name.
_DATELINE_END = re.compile(
    r"[^\n]{0,80}?(?:\s[–—-]{1,2}\s?|[–—]|\s?\([A-Z][\w ./]{1,30}\)\s*[–—-])"
)
_DATELINE_HEAD = re.compile(r"[ \t]*(?:[A-Z][\w'.\- ]{1,40},[ \t]*)?")


def _dateline(text: str, found: Sequence[EventDate], limit: int = 1200) -> EventDate | None:
    """The date of a dateline opening the story, if the lead has one."""
    for d in found:
        if d.start > limit:
            break
        if d.precision not in ("day", "monthday"):
            continue
        line_start = text.rfind("\n", 0, d.start) + 1
        if not _DATELINE_HEAD.fullmatch(text[line_start : d.start]):
            continue
        rest = text[d.end : text.find("\n", d.end) if "\n" in text[d.end :] else len(text)]
        # A line holding only the date (a header), or the date before the story's dash.
        if not rest.strip(" ,.") or _DATELINE_END.match(rest):
            return d
    return None


def _paragraph_starts(text: str) -> list[int]:
    starts = [0]
    for m in re.finditer(r"\n[ \t]*\n\s*", text):
        starts.append(m.end())
    return starts


class DateContext:
    """Every date phrase of one document, read once, to date its events.

    ``local`` gives the clause's date, else the sentence's nearest the trigger; ``before`` the
    sentences just before it in its paragraph ("In May 2012 the two signed a contract. Moscow
    had then agreed to invest ..."); ``lead`` the dateline or publication day, for an event
    done and told in the story's lead.
    """

    LEAD_PARAGRAPHS = 2
    BACK_SENTENCES = 2
    PROSE_CHARS = 120

    def __init__(self, text: str, published: str | None) -> None:
        self.text = text
        self.pub = parse_published(published)
        dated = find_dates(text, published)
        line = _dateline(text, dated)
        monthday = None
        if line is not None and self.pub is None:
            monthday = (int(line.value[-5:-3]), int(line.value[-2:]))
            dated = find_dates(text, published, monthday)
        self.dates = dated
        self.starts = [d.start for d in dated]
        self.dateline = line
        self.paragraphs = _paragraph_starts(text)
        self.lead_end = self._lead_end()

    def _lead_end(self) -> int:
        """Where the story's lead ends: after its first LEAD_PARAGRAPHS paragraphs of prose
        (titles, bylines and header lines are short)."""
        bounds = [*self.paragraphs[1:], len(self.text)]
        prose = 0
        for start, end in zip(self.paragraphs, bounds, strict=True):
            if len(self.text[start:end].strip()) >= self.PROSE_CHARS:
                prose += 1
                if prose == self.LEAD_PARAGRAPHS:
                    return end
        return len(self.text)

    def within(self, lo: int, hi: int) -> list[EventDate]:
        """The date phrases inside a character span."""
        i = bisect_right(self.starts, lo - 1)
        out = []
        for d in self.dates[i:]:
            if d.start >= hi:
                break
            if d.end <= hi:
                out.append(d)
        return out

    def local(
        self, clause: tuple[int, int], sentence: tuple[int, int], trigger: int
    ) -> EventDate | None:
        """The date the event's clause gives, else its sentence's nearest the trigger."""
        return _pick(self.within(*clause), None, trigger) or _pick(
            self.within(*sentence), trigger, trigger
        )

    def before(self, sentence_start: int, previous: Sequence[int]) -> EventDate | None:
        """The nearest date of the sentences just before, in the same paragraph.

        ``previous`` are the starts of the sentences before this one, in text order.
        """
        para = self.paragraphs[bisect_right(self.paragraphs, sentence_start) - 1]
        back = [s for s in previous if s < sentence_start][-self.BACK_SENTENCES :]
        # A sentence the parser ran over a paragraph break counts from the break.
        lo = max(para, back[0]) if back else para
        if lo >= sentence_start:
            return None
        found = _pick(self.within(lo, sentence_start), sentence_start)
        return replace(found, source="context") if found is not None else None

    def lead(self, sentence_start: int) -> EventDate | None:
        """The dateline's (else the publication) day, for a sentence of the story's lead."""
        if sentence_start >= self.lead_end:
            return None
        if self.dateline is not None:
            return replace(self.dateline, source="context")
        if self.pub is not None:
            return EventDate(self.pub.isoformat(), "day", "context")
        return None
