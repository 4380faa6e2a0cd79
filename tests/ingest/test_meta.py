"""Header metadata: dates, titles, authors, sources and URLs that articles state themselves."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tieline.ingest.meta import parse_date, parse_meta
from tieline.ingest.sources import from_markdown

PROSE = (
    "Officials in Moscow and Beijing said on Monday that the two sides had agreed the "
    "remaining technical terms after several rounds of talks held over the past year."
)


@pytest.mark.parametrize(
    ("header", "iso"),
    [
        ("Published Date : Nov 16, 2015", "2015-11-16"),
        ("Published By : 10 Aug 2015 | Published By : Eurasia Energy Monitor", "2015-08-10"),
        ("October 05, 2014", "2014-10-05"),
        ("Posted on: 3 March 2017", "2017-03-03"),
    ],
)
def test_meta_date_from_header_line(header: str, iso: str) -> None:
    meta = parse_meta(f"Gas deal sealed in Shanghai\n{header}\n\n{PROSE}")
    assert meta.published == iso
    assert meta.precision == "day"
    assert meta.title == "Gas deal sealed in Shanghai"


def test_meta_published_by_carries_date_and_publisher() -> None:
    meta = parse_meta(
        "Rosatom to build fuel line\n"
        "Published By : 10 Aug 2015 | Published By : Eurasia Energy Monitor\n\n" + PROSE
    )
    assert (meta.published, meta.source) == ("2015-08-10", "Eurasia Energy Monitor")


def test_meta_title_is_headline_below_a_section_label() -> None:
    meta = parse_meta(
        "ENERGY\nRussia and China open the Amur road bridge\nJune 10, 2019\n\n" + PROSE
    )
    assert meta.title == "Russia and China open the Amur road bridge"
    assert meta.published == "2019-06-10"


def test_meta_second_article_date_does_not_leak_into_the_first() -> None:
    text = (
        "Satellite navigation accord\n\n" + PROSE + "\n\n"
        "Rail freight line opens\nMarch 4, 2021\n\n" + PROSE
    )
    meta = parse_meta(text)
    assert meta.title == "Satellite navigation accord"
    assert meta.published is None


def test_meta_first_article_keeps_its_own_date_over_the_second() -> None:
    text = (
        "Navigation accord\nDecember 3, 2018\n\n" + PROSE + "\n\n"
        "Rail freight line opens\nMarch 4, 2021\n\n" + PROSE
    )
    assert parse_meta(text).published == "2018-12-03"


def test_meta_source_trailer_gives_outlet_and_url() -> None:
    meta = parse_meta(
        "Grain corridor opens\nJuly 1, 2022\n\n" + PROSE + "\n\n"
        "Source: Siberian Courier – https://courier.example/grain-corridor"
    )
    assert meta.source == "Siberian Courier"
    assert meta.url == "https://courier.example/grain-corridor"


def test_meta_original_url_on_the_next_line_in_angle_brackets() -> None:
    meta = parse_meta(
        "Lunar station plans\nMarch 9, 2021\n\n" + PROSE + "\n\n"
        "Original url:\n<https://space.example/news/lunar-station>"
    )
    assert meta.url == "https://space.example/news/lunar-station"


def test_meta_markdown_escapes_byline_and_heading() -> None:
    md = (
        "# Trade passes 200 billion dollars\n\nBy [Anna Petrova](#)\n\n"
        "Published Date : Jan 14, 2024\n\nTrade between Russia and China reached \\$240 billion "
        "in 2023, customs data showed, beating the \\$200 billion goal set for 2024 well ahead "
        "of the deadline that both leaders had announced."
    )
    doc = from_markdown(md, source_key="k", name="trade.md")
    assert doc.title == "Trade passes 200 billion dollars"
    assert doc.author == "Anna Petrova"
    assert doc.published == "2024-01-14"
    assert "$240 billion" in doc.text
    assert "\\$" not in doc.text
    assert "](#)" not in doc.text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2015", ("2015", "year")),
        ("March 2019", ("2019-03", "month")),
        ("08.01.2020", ("2020-01-08", "day")),
        ("31 Feb 2020", None),
        ("hello 12", None),
        ("", None),
        ("no digits here", None),
        ("0W", None),
    ],
)
def test_meta_parse_date_cases(value: str, expected: tuple[str, str] | None) -> None:
    assert parse_date(value) == expected


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60))
def test_meta_parse_date_never_raises_on_any_text(value: str) -> None:
    result = parse_date(value)
    if result is not None:
        iso, precision = result
        assert precision in {"day", "month", "year"}
        assert 1800 <= int(iso[:4]) <= 2200


_FORMATS = ("%d %b %Y", "%d %B %Y", "%B %d, %Y", "%b %d, %Y", "%Y-%m-%d")


@settings(max_examples=120, deadline=None)
@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), st.sampled_from(_FORMATS)
)
def test_meta_parse_date_round_trips_valid_dates(d: date, fmt: str) -> None:
    assert parse_date(d.strftime(fmt)) == (d.isoformat(), "day")
