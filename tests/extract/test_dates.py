"""Event dates: explicit dates, and relative phrases fixed against the publication date."""

from __future__ import annotations

import pytest

from tieline.extract.dates import explicit_dates, find_event_date, parse_published, relative_dates


@pytest.mark.parametrize(
    ("text", "value", "precision"),
    [
        ("the restrictions placed on arms exports in 1989", "1989", "year"),
        ("the deal signed on June 8, 2018 in Beijing", "2018-06-08", "day"),
        ("signed on 8 June 2018", "2018-06-08", "day"),
        ("Back in June 2018, the president announced", "2018-06", "month"),
        ("published 2021-03-04 by the ministry", "2021-03-04", "day"),
    ],
)
def test_explicit_dates_are_read_in_full(text: str, value: str, precision: str) -> None:
    got = find_event_date(text, None)
    assert got is not None
    assert (got.value, got.precision, got.source) == (value, precision, "explicit")


@pytest.mark.parametrize(
    "text",
    [
        "exports worth $2015 million",
        "in the 1990s",
        "the 2014-15 season",
        "a 31 percent rise",
        "they may sign a contract",
        "the march of progress",
    ],
)
def test_numbers_and_words_that_are_not_dates(text: str) -> None:
    assert find_event_date(text, "2020-05-05") is None


# Published on Monday 16 November 2015.
@pytest.mark.parametrize(
    ("text", "value", "precision"),
    [
        ("Earlier this year, Gazprom and CNPC signed a contract", "2015", "year"),
        ("last year Rosatom began building two units", "2014", "year"),
        ("next year the pipeline will open", "2016", "year"),
        ("The deal was signed last month", "2015-10", "month"),
        ("officials met on Monday", "2015-11-16", "day"),
        ("officials met on Friday", "2015-11-13", "day"),
        ("officials met last Monday", "2015-11-09", "day"),
        ("the sides agreed in October", "2015-10", "month"),
        ("the sides agreed in December", "2014-12", "month"),
        ("the plant opened three years ago", "2012", "year"),
        ("the memorandum signed yesterday", "2015-11-15", "day"),
        ("Putin's June 8 visit to Beijing", "2015-06-08", "day"),
    ],
)
def test_relative_phrases_are_fixed_against_publication(
    text: str, value: str, precision: str
) -> None:
    got = find_event_date(text, "2015-11-16")
    assert got is not None
    assert (got.value, got.precision, got.source) == (value, precision, "relative")


@pytest.mark.parametrize("published", [None, "", "2015", "not a date"])
def test_relative_phrases_stay_null_without_a_publication_day(published: str | None) -> None:
    assert (
        find_event_date("Earlier this year, Beijing and Moscow signed a statement", published)
        is None
    )
    assert relative_dates("on Monday", published) == []


def test_an_explicit_date_wins_over_a_relative_one() -> None:
    got = find_event_date("Last year's talks ended in March 2014", "2015-11-16")
    assert got is not None
    assert (got.value, got.source) == ("2014-03", "explicit")


def test_spans_point_into_the_text() -> None:
    text = "The contract was signed on 8 June 2018 in Beijing."
    (d,) = explicit_dates(text)
    assert text[d.start : d.end] == "8 June 2018"


def test_parse_published_accepts_timestamps() -> None:
    assert str(parse_published("2015-11-16T08:00:00+00:00")) == "2015-11-16"
    assert parse_published("2015-02-30") is None
