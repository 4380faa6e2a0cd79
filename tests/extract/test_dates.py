"""Event dates: explicit dates, and relative phrases fixed against the publication date."""

from __future__ import annotations

import pytest

from tieline.extract.dates import (
    DateContext,
    explicit_dates,
    find_event_date,
    parse_published,
    relative_dates,
)


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


def test_day_and_month_without_a_year_give_mm_dd_in_an_undated_article() -> None:
    got = find_event_date("Gazprom said on 27 April it had signed the contract", None)
    assert got is not None
    assert (got.value, got.precision) == ("04-27", "monthday")
    got = find_event_date("the agency said Dec. 18", None)
    assert got is not None
    assert got.value == "12-18"


@pytest.mark.parametrize(
    "text",
    [
        "Germany will provide €10 billion till 2030",
        "the plant is to be finished by 2028",
        "a protocol amending the March 2014 loan agreement",
        "visitors at the 2018 Winter Olympics",
    ],
)
def test_deadlines_and_dates_of_a_noun_date_no_event(text: str) -> None:
    assert find_event_date(text, "2022-05-02") is None


def test_a_date_of_the_trigger_noun_itself_dates_it() -> None:
    text = "Both sides honoured the 2015 deal."
    ctx = DateContext(text, None)
    trigger = text.index("deal")
    got = ctx.local((0, len(text)), (0, len(text)), trigger)
    assert got is not None
    assert got.value == "2015"


def test_the_nearest_date_of_a_sentence_wins_whatever_its_kind() -> None:
    text = "On Friday Rosneft signed a deal, a year after the 2022 Winter Olympics opened."
    got = find_event_date(text, "2022-02-05", anchor=text.index("signed"))
    assert got is not None
    assert got.value == "2022-02-04"


def _sentences(text: str) -> list[int]:
    return [0, *(i + 2 for i in range(len(text)) if text.startswith(". ", i))]


def test_context_the_sentence_before_in_the_paragraph() -> None:
    text = "In May 2012, the two countries signed a contract. Moscow had then agreed to invest."
    ctx = DateContext(text, None)
    second = _sentences(text)[1]
    got = ctx.before(second, [0])
    assert got is not None
    assert (got.value, got.source) == ("2012-05", "context")


def test_context_stops_at_the_paragraph() -> None:
    text = "In May 2012, the two countries signed a contract.\n\nMoscow agreed to invest."
    ctx = DateContext(text, None)
    assert ctx.before(text.index("Moscow"), [0]) is None


def test_a_dateline_dates_the_lead_and_fixes_today() -> None:
    lead = (
        "Beijing, June 8 – Rosatom reported today that Russian and Chinese executives have signed "
        "four contracts for new reactors at two sites, the largest package in their history."
    )
    later = (
        "The two countries have worked together on nuclear power since the 1990s, when the "
        "first units were built with Russian help at a coastal site in the east of China."
    )
    text = f"Nuclear deals\n\n{lead}\n\n{later}\n\n{later}"
    ctx = DateContext(text, None)
    assert ctx.dateline is not None
    assert ctx.dateline.value == "06-08"
    today = [d for d in ctx.dates if text[d.start : d.end] == "today"]
    assert today
    assert today[0].value == "06-08"
    got = ctx.lead(text.index("Rosatom"))
    assert got is not None
    assert (got.value, got.source) == ("06-08", "context")
    assert ctx.lead(text.rindex("The two")) is None


def test_the_publication_day_dates_the_lead_without_a_dateline() -> None:
    text = (
        "Title\n\nThe Bangladeshi government has signed its biggest ever contract with a Russian "
        "state company to build a nuclear power plant of 2,400 megawatts near the river."
    )
    ctx = DateContext(text, "2015-12-26")
    got = ctx.lead(text.index("The"))
    assert got is not None
    assert got.value == "2015-12-26"


def test_a_bare_month_in_an_undated_article_takes_the_nearest_stated_year() -> None:
    text = "Imports rose in January. In January 2023, Russia supplied a quarter of the crude."
    got = find_event_date(text[: text.index(".")], None)
    assert got is None  # the clause alone fixes no year
    dated = [d for d in DateContext(text, None).dates if d.source == "context"]
    assert [(d.value, d.precision) for d in dated] == [("2023-01", "month")]
