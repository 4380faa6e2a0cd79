"""The header-date fast path reads exactly what dateparser reads, only sooner."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from tieline.ingest import meta

FORMATS = (
    "%b %d, %Y",
    "%B %d, %Y",
    "%d %b %Y",
    "%d %B %Y",
    "%Y-%m-%d",
    "%d.%m.%Y",
    "%B %d %Y",
    "%d %B, %Y",
    "%b. %d, %Y",
)


def _slow(value: str) -> tuple[str, str] | None:
    data = (meta._DDP_DMY if meta._DOTTED.search(value) else meta._DDP).get_date_data(value)
    if data is None or data.date_obj is None:
        return None
    d = data.date_obj.date()
    precision = data.period or "day"
    cut = {"year": 4, "month": 7}.get(precision, 10)
    return d.isoformat()[:cut], precision


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2035, 12, 31)), st.sampled_from(FORMATS))
def test_fast_path_agrees_with_dateparser(day: date, fmt: str) -> None:
    value = day.strftime(fmt)
    fast = meta._fast_date(value)
    assert fast == (day.isoformat(), "day")
    assert fast == _slow(value)


def test_fast_path_leaves_other_phrases_to_dateparser() -> None:
    for value in (
        "Mayday 12 2015",
        "12 Units 2015",
        "2015",
        "March 2015",
        "31 Feb 2016",
        "yesterday at 10:00",
        "2015-13-01",
    ):
        assert meta._fast_date(value) is None
    assert meta.parse_date("March 2015") == ("2015-03", "month")


def test_header_lines_use_fast_path() -> None:
    m = meta.parse_meta("Deal signed\nPublished Date : Nov 16, 2015\n\n" + "word " * 40)
    assert (m.published, m.precision) == ("2015-11-16", "day")
    m = meta.parse_meta("Deal signed\n08.01.2020\n\n" + "word " * 40)
    assert m.published == "2020-01-08"
