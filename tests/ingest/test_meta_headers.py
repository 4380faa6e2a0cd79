"""Publication dates, sources and authors from the headers and datelines real news carries."""

from __future__ import annotations

from pathlib import Path

import pytest

from tieline.ingest.clean import looks_like_markdown
from tieline.ingest.meta import find_date, parse_date, parse_meta
from tieline.ingest.sources import load_file

PROSE = (
    "Officials in Moscow and Beijing said on Monday that the two sides had agreed the "
    "remaining technical terms after several rounds of talks held over the past year."
)
TITLE = "Rosatom and CNNC agree terms for two new reactors"


@pytest.mark.parametrize(
    ("header", "iso"),
    [
        # A keyword without a colon, in English and in other languages.
        ("Published June 4, 2021", "2021-06-04"),
        ("Posted on 12 September 2019", "2019-09-12"),
        ("Publié le 3 février 2022", "2022-02-03"),
        ("Veröffentlicht am 14. Mai 2020", "2020-05-14"),
        ("Publicado el 7 de octubre de 2018", "2018-10-07"),
        ("Опубликовано 22 апреля 2021", "2021-04-22"),
        ("发布时间：2019年6月5日", "2019-06-05"),
        # Day-first numbers with spaced dashes, a publisher named before the date.
        ("Publié dans Le Quotidien le 05 - 11 - 2024", "2024-11-05"),
        # An outlet, a date and a clock time between bars.
        ("Source: Tass | 2019-06-05 14:02:11 | Editor: ivanov", "2019-06-05"),
        # A bracketed credit line holding the outlet and a 'posted' date.
        ("(Source: Rail Freight Weekly; posted Mar 3, 2016)", "2016-03-03"),
        # An agency, the date, and page furniture after it.
        ("Interfax, November 2, 2017 Print this page", "2017-11-02"),
        # A date first, then the wire service in brackets.
        ("Feb 9, 2011 (Platts Nuclear via NewsEdge)", "2011-02-09"),
        # A dateline standing alone: place, date, colon.
        ("NEW DELHI, 14 Mar 2023:", "2023-03-14"),
        # A clock time and zone before the date.
        ("09:41 MSK, October 30, 2020", "2020-10-30"),
        # Parts parted by slashes or dots, and a machine timestamp.
        ("Mar 5, 2021 / 10:32 AM / Updated 3 years ago", "2021-03-05"),
        ("Tass · 2020-11-03T08:15:00Z", "2020-11-03"),
        ("By Olga Ivanova | Last Updated: March 05, 2021 | 10:32 AM IST", "2021-03-05"),
        ("Monday, 8 February 2021, 14:05", "2021-02-08"),
        # The clock time printed between the day and the year.
        ("March 07 11:20 2019", "2019-03-07"),
        # A byline that carries the date, a time and a reading time.
        ("by Anna Petrova and Ivan Sokolov June 2, 2022 08:15 AM 3 min read", "2022-06-02"),
    ],
)
def test_meta_header_kinds_give_the_publication_date(header: str, iso: str) -> None:
    meta = parse_meta(f"{TITLE}\n{header}\n\n{PROSE}")
    assert (meta.published, meta.precision) == (iso, "day")
    assert meta.title == TITLE


@pytest.mark.parametrize(
    ("lead", "iso"),
    [
        ("Kazan, 6 July 2021 (Tass/RIA) – " + PROSE, "2021-07-06"),
        ("October 14, 2019, Tianwan, Jiangsu, China. – " + PROSE, "2019-10-14"),
        ("17 August 2012– " + PROSE, "2012-08-17"),
        ("HARBIN (Xinhua / Sputnik - 2nd April, 2018) " + PROSE, "2018-04-02"),
        ("VLADIVOSTOK, Sept. 5, 2019 -- " + PROSE, "2019-09-05"),
    ],
)
def test_meta_dateline_opening_the_first_paragraph(lead: str, iso: str) -> None:
    assert parse_meta(f"{TITLE}\n\n{lead}").published == iso


def test_meta_dateline_below_a_standfirst() -> None:
    text = f"{TITLE}\n\n{PROSE}\n\nKazan, (Agency - Wire News - 6th Jul, 2021 ):{PROSE}"
    assert parse_meta(text).published == "2021-07-06"
    # The third paragraph is the article's body: a dateline-like opening there is not read.
    text = f"{TITLE}\n\n{PROSE}\n\n{PROSE}\n\nKazan, 6 July 2021 - {PROSE}"
    assert parse_meta(text).published is None


@pytest.mark.parametrize(
    "lead",
    [
        "On 6 July 2021, " + PROSE,
        "The plant's first unit will start on 6 July 2021, " + PROSE,
        "In Kazan on July 6, 2021 the two sides met. " + PROSE,
        PROSE + " The contract was signed on 6 July 2021 in Kazan.",
    ],
)
def test_meta_event_date_in_the_body_is_not_the_publication_date(lead: str) -> None:
    assert (
        parse_meta(f"{TITLE}\n\n{lead}\n\nThey met on 9 May 2022 - the second time.").published
        is None
    )


def test_meta_short_body_lines_with_event_dates_are_not_headers() -> None:
    text = (
        f"{TITLE}\n\nThe deal was signed on 6 July 2021.\nIt runs until March 3, 2040.\n\n{PROSE}"
    )
    assert parse_meta(text).published is None


def test_meta_title_holding_an_event_date_is_the_title_not_the_date() -> None:
    meta = parse_meta(f"Russia and China to sign gas pact on 5 May 2024\n\n{PROSE}")
    assert meta.published is None
    assert meta.title == "Russia and China to sign gas pact on 5 May 2024"


def test_meta_headline_opening_with_by_is_not_a_byline() -> None:
    meta = parse_meta(f"By 2030, Russia will double gas exports to China\nMay 3, 2018\n\n{PROSE}")
    assert meta.title == "By 2030, Russia will double gas exports to China"
    assert meta.author is None


def test_meta_title_opening_with_a_keyword_word_stays_the_title() -> None:
    meta = parse_meta(f"Updated fighter jet shown in Zhuhai\nMay 3, 2018\n\n{PROSE}")
    assert meta.title == "Updated fighter jet shown in Zhuhai"
    assert meta.published == "2018-05-03"


def test_meta_published_beats_updated_whatever_the_order() -> None:
    text = f"{TITLE}\nUpdated: June 9, 2021 | Published: June 1, 2021\n\n{PROSE}"
    assert parse_meta(text).published == "2021-06-01"
    assert parse_meta(f"{TITLE}\nLast updated: June 9, 2021\n\n{PROSE}").published == "2021-06-09"


def test_meta_source_and_author_from_the_header() -> None:
    meta = parse_meta(f"{TITLE}\nSource: Tass | 2019-06-05 14:02:11 | Editor: ivanov\n\n{PROSE}")
    assert meta.source == "Tass"
    meta = parse_meta(f"{TITLE}\nPublié dans Le Quotidien le 05 - 11 - 2024\n\n{PROSE}")
    assert meta.source == "Le Quotidien"
    meta = parse_meta(f"{TITLE}\nby Anna Petrova June 2, 2022 08:15 AM 3 min read\n\n{PROSE}")
    assert meta.author == "Anna Petrova"
    meta = parse_meta(f"{TITLE}\n(Source: Rail Freight Weekly; posted Mar 3, 2016)\n\n{PROSE}")
    assert meta.source == "Rail Freight Weekly"


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("Moscow, 14. März 2021 –", "2021-03-14"),
        ("2019年6月5日 10:00", "2019-06-05"),
        ("18/05/2016", "2016-05-18"),
        ("Kiev, 05.11.2019", "2019-11-05"),
        ("Boeing 737, 2015", None),
        ("Flight SU 12 2015", None),
    ],
)
def test_meta_find_date_inside_a_line(line: str, iso: str | None) -> None:
    span = find_date(line)
    assert (span.iso if span else None) == iso


def test_meta_parse_date_reads_other_languages_and_day_first_dashes() -> None:
    assert parse_date("16 novembre 2024") == ("2024-11-16", "day")
    assert parse_date("05 - 11 - 2024") == ("2024-11-05", "day")


MARKDOWN_TXT = (
    "# Trade passes 200 billion dollars\n\nBy [Anna Petrova](https://news.example/anna)\n\n"
    "January 14, 2024\n\nTrade between Russia and China reached \\$240 billion in 2023, customs "
    "data showed, beating the **\\$200 billion** goal set for 2024 ahead of the deadline.\n"
)


def test_meta_markdown_written_txt_file_is_read_as_markdown(tmp_path: Path) -> None:
    p = tmp_path / "trade.txt"
    p.write_text(MARKDOWN_TXT, encoding="utf-8")
    [doc] = load_file(p).documents
    assert doc.title == "Trade passes 200 billion dollars"
    assert doc.author == "Anna Petrova"
    assert doc.published == "2024-01-14"
    for kept in ("$240 billion", "$200 billion"):
        assert kept in doc.text
    for markup in ("\\$", "](", "#", "**"):
        assert markup not in doc.text


@pytest.mark.parametrize(
    "text",
    [
        "Prices rose 5% (see table) and #1 exporter Russia kept its lead.\n\n" + PROSE,
        "Title\nPublished: May 3, 2018\n\n* one point\n* another point\n\n" + PROSE,
        "C# and F# developers met in Kazan [day two].\n\n" + PROSE,
    ],
)
def test_meta_plain_text_is_not_taken_for_markdown(text: str) -> None:
    assert not looks_like_markdown(text)


def test_meta_plain_txt_header_lines_keep_their_breaks_when_read_as_markdown(
    tmp_path: Path,
) -> None:
    p = tmp_path / "deal.txt"
    p.write_text(
        f"# {TITLE}\nPublished March 4, 2021\nSource: [Tass](https://tass.example)\n\n{PROSE}\n",
        encoding="utf-8",
    )
    [doc] = load_file(p).documents
    assert (doc.title, doc.published, doc.source) == (TITLE, "2021-03-04", "Tass")
